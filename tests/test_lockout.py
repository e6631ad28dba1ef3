"""Lifting a login lockout (smartcity/lockout.py): `manage.py unlock_user` and the admin's action on
users clear a user name's lockout from every address, with the lockout in the database and in the
cache (locmem here, and a real Redis)."""

import os
import uuid
from io import StringIO

import pytest
import redis
from django.core.cache import cache
from django.core.management import call_command
from django.test import Client

from smartcity import lockout

from .factories import PASSWORD
from .servers import require

pytestmark = pytest.mark.django_db
LOGIN = "/akun/masuk/"
CACHE_HANDLER = "axes.handlers.cache.AxesCacheHandler"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(params=["database", "cache"])
def handler(request, settings):
    if request.param == "cache":
        settings.AXES_HANDLER = CACHE_HANDLER
    return request.param


@pytest.fixture
def in_redis(settings):
    """The default cache in the shared test Redis, under a key prefix of this test's own."""
    require("Redis on 127.0.0.1:6379", lambda: redis.Redis.from_url(REDIS_URL).ping())
    prefix = f"lockout-test-{uuid.uuid4().hex}"
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    settings.AXES_HANDLER = CACHE_HANDLER
    yield
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)


def log_in(username, address, password=PASSWORD):
    return Client(REMOTE_ADDR=address).post(LOGIN, {"username": username, "password": password}).status_code


def lock_out(username, address):
    for _ in range(5):
        log_in(username, address, "salah-sandi")
    assert log_in(username, address) == 429


def unlock(*usernames):
    out = StringIO()
    call_command("unlock_user", *usernames, stdout=out)
    return out.getvalue()


def test_unlock_user_lifts_the_lockout_from_every_address(handler, operator_a):
    lock_out("operator_a", "203.0.113.5")
    lock_out("operator_a", "198.51.100.7")
    out = unlock("operator_a")
    assert "operator_a" in out
    assert log_in("operator_a", "203.0.113.5") == 302
    assert log_in("operator_a", "198.51.100.7") == 302


def test_unlock_user_leaves_other_users_locked(handler, operator_a, operator_b):
    lock_out("operator_a", "203.0.113.5")
    lock_out("operator_b", "203.0.113.5")
    unlock("operator_a")
    assert log_in("operator_b", "203.0.113.5") == 429


def test_unlock_user_lifts_a_lockout_kept_in_redis(in_redis, operator_a, operator_b):
    lock_out("operator_a", "203.0.113.5")
    lock_out("operator_a", "2001:db8::7")
    lock_out("operator_b", "203.0.113.5")
    unlock("operator_a")
    assert log_in("operator_a", "203.0.113.5") == 302
    assert log_in("operator_a", "2001:db8::7") == 302
    assert log_in("operator_b", "203.0.113.5") == 429


def test_unlock_user_of_a_name_that_is_not_locked_says_so(handler):
    assert "0" in unlock("nobody")


def test_the_admin_lifts_a_lockout_from_the_users_list(handler, admin_user, operator_a, operator_b):
    lock_out("operator_a", "203.0.113.5")
    lock_out("operator_b", "203.0.113.5")
    admin = Client()
    admin.force_login(admin_user)
    response = admin.post(
        "/admin/auth/user/", {"action": "unlock_sign_in", "_selected_action": [operator_a.pk]}, follow=True
    )
    assert response.status_code == 200
    assert "Kunci masuk dibuka untuk 1 pengguna" in response.content.decode()
    assert log_in("operator_a", "203.0.113.5") == 302
    assert log_in("operator_b", "203.0.113.5") == 429


def test_the_addresses_noted_for_a_name_are_bounded_newest_kept(settings, operator_a, monkeypatch):
    settings.AXES_HANDLER = CACHE_HANDLER
    monkeypatch.setattr(lockout, "ADDRESSES_MAX", 3)
    addresses = ["203.0.113.1", "203.0.113.2", "203.0.113.3", "203.0.113.4"]
    for address in addresses:
        lock_out("operator_a", address)
    unlock("operator_a")
    assert [log_in("operator_a", address) for address in addresses] == [429, 302, 302, 302]
