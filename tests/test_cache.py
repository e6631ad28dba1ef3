"""smartcity/cache.py: Django's Redis cache that keeps working while Redis does not. Against a
closed port (Redis gone) and a redis-server of the test's own that it kills, pauses and restarts;
sessions, the login and the survey's rate limit with Redis gone, on SQLite and PostgreSQL alike."""

import logging
import time

import pytest
from django.core.cache import caches
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from redis.exceptions import ResponseError

from evaluations import ratelimit
from smartcity import cache as resilient
from smartcity.cache import ResilientRedisCache

from .factories import PASSWORD
from .servers import OwnRedis, free_port, require

CLOSED = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens there


def redis_cache(location, fallback="none", **options):
    return ResilientRedisCache(location, {"KEY_PREFIX": "t", "OPTIONS": {"FALLBACK": fallback, **options}})


def settings_with_redis_at(location):
    """The production cache settings (smartcity/settings.py with REDIS_URL) for `location`."""
    backend = {"BACKEND": "smartcity.cache.ResilientRedisCache", "LOCATION": location, "KEY_PREFIX": "t"}
    return override_settings(
        CACHES={
            "default": {**backend, "OPTIONS": {"FALLBACK": "memory"}},
            "sessions": {**backend, "OPTIONS": {"FALLBACK": "none"}},
        },
        SESSION_ENGINE="django.contrib.sessions.backends.cached_db",
        SESSION_CACHE_ALIAS="sessions",
    )


@pytest.fixture(autouse=True)
def fresh_process_state(monkeypatch):
    """What a process knows about each Redis lives in the module: each test starts unaware."""
    monkeypatch.setattr(resilient, "_outages", {})


@pytest.fixture
def own_redis(tmp_path):
    require("redis-server (the program)", OwnRedis.installed)
    server = OwnRedis(tmp_path)
    server.start()
    yield server
    if server.process is not None:
        server.resume()
    server.kill()


# --- Redis gone ----------------------------------------------------------------------------------


def test_with_redis_gone_reads_miss_and_writes_do_nothing():
    cache = redis_cache(CLOSED)
    cache.set("a", 1)
    assert cache.get("a") is None
    assert cache.get("a", "default") == "default"
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("a") is False
    assert cache.delete("a") is False
    cache.delete_many(["a", "b"])
    cache.set_many({"a": 1})
    cache.clear()
    with pytest.raises(ValueError):
        cache.incr("a")


def test_with_redis_gone_the_memory_fallback_keeps_values_and_counts():
    cache = redis_cache(CLOSED, fallback="memory")
    cache.set("a", "x")
    assert cache.get("a") == "x"
    assert cache.add("n", 0) is True
    assert [cache.incr("n") for _ in range(3)] == [1, 2, 3]


def test_a_memory_cache_keeps_the_figures_of_every_regions_period():
    """The national table keeps an entry per region's period (241 and more) beside the pages'
    own: Django's default of 300 entries dropped a third at a time, so the table computed its
    figures again at every request in a deployment without Redis or while Redis is away."""
    for cache in (caches["default"], redis_cache(CLOSED, fallback="memory")):
        for i in range(1_000):
            cache.set(f"figures:{i}", i)
        assert len(cache.get_many([f"figures:{i}" for i in range(1_000)])) == 1_000


def test_the_memory_fallback_is_shared_by_every_thread_of_the_process():
    # Django makes one backend object per thread.
    redis_cache(CLOSED, fallback="memory").set("a", "x")
    assert redis_cache(CLOSED, fallback="memory").get("a") == "x"


def test_with_redis_gone_the_survey_rate_limit_still_counts():
    with settings_with_redis_at(CLOSED):
        assert [ratelimit.hit("survey-link", "abc", 3, 600) for _ in range(4)] == [False, False, False, True]


def test_a_dead_redis_is_logged_once_not_at_every_call(caplog):
    cache = redis_cache(CLOSED)
    with caplog.at_level(logging.WARNING, logger="smartcity.cache"):
        for _ in range(50):
            cache.get("a")
    assert len(caplog.records) == 1
    assert "Redis unreachable" in caplog.records[0].getMessage()


def test_an_unknown_fallback_is_refused():
    with pytest.raises(ImproperlyConfigured, match="FALLBACK"):
        redis_cache(CLOSED, fallback="disk")


# --- sessions and the login, with Redis gone (both database backends) ---------------------------


@pytest.mark.django_db
def test_with_redis_gone_a_user_signs_in_and_stays_signed_in(client, operator_a, period):
    with settings_with_redis_at(CLOSED):
        assert client.post("/akun/masuk/", {"username": "operator_a", "password": PASSWORD}).status_code == 302
        response = client.get("/opd/")
    assert response.status_code == 200
    assert response.context["user"] == operator_a


@pytest.mark.django_db
def test_with_redis_gone_a_logout_ends_the_session(client, operator_a):
    with settings_with_redis_at(CLOSED):
        client.post("/akun/masuk/", {"username": "operator_a", "password": PASSWORD})
        assert client.post("/akun/keluar/").status_code == 302
        response = client.get("/opd/")
    assert response.status_code == 302
    assert response["Location"].startswith("/akun/masuk/")


@pytest.mark.django_db
def test_with_redis_gone_five_wrong_passwords_still_lock_the_account(client, operator_a):
    with settings_with_redis_at(CLOSED):
        for _ in range(5):
            client.post("/akun/masuk/", {"username": "operator_a", "password": "salah"})
        response = client.post("/akun/masuk/", {"username": "operator_a", "password": PASSWORD})
    assert response.status_code == 429


# --- a real Redis that goes away and comes back --------------------------------------------------


def test_with_redis_running_values_live_in_redis(own_redis):
    cache = redis_cache(own_redis.url)
    cache.set("a", "x")
    assert cache.get("a") == "x"
    assert own_redis.client().exists("t:1:a")


def test_after_a_failure_redis_is_left_alone_for_a_while_then_used_again(own_redis):
    cache = redis_cache(own_redis.url, RETRY_AFTER=0.5)
    cache.set("a", 1)
    own_redis.kill()
    assert cache.get("a") is None
    own_redis.start()
    own_redis.client().set("t:1:a", 2)
    assert cache.get("a") is None  # not tried yet
    time.sleep(0.6)
    assert cache.get("a") == 2


def test_a_hung_redis_answers_from_the_fallback(own_redis):
    cache = redis_cache(own_redis.url, fallback="memory")
    own_redis.pause()
    cache.set("a", "x")
    assert cache.get("a") == "x"


def hang_and_trip(own_redis, cache):
    """Redis hangs and the cache has found out: its next writes never reach Redis."""
    own_redis.pause()
    assert cache.get("anything") is None


def test_a_key_deleted_while_redis_hung_is_deleted_from_it_when_it_answers_again(own_redis):
    """A logout while Redis hung: its copy of the session must not come back with it."""
    cache = redis_cache(own_redis.url, RETRY_AFTER=0.2)
    cache.set("session", "signed in")
    hang_and_trip(own_redis, cache)
    cache.delete("session")
    own_redis.resume()
    deadline = time.monotonic() + 10
    while own_redis.client().exists("t:1:session"):  # with no further call to the cache
        assert time.monotonic() < deadline, "the old value is still in Redis"
        time.sleep(0.05)


def test_a_key_written_while_redis_hung_is_not_read_back_with_its_old_value(own_redis):
    cache = redis_cache(own_redis.url, RETRY_AFTER=60)  # no timer before the next call
    cache.set("a", "old")
    hang_and_trip(own_redis, cache)
    cache.set("a", "new")  # into the fallback: nowhere
    own_redis.resume()
    resilient._outages[own_redis.url].retry_at = 0  # time to try again
    assert cache.get("a") is None  # a miss: the caller reads the database; never "old"


def test_redis_coming_back_is_logged(own_redis, caplog):
    cache = redis_cache(own_redis.url, RETRY_AFTER=0.2)
    own_redis.kill()
    with caplog.at_level(logging.WARNING, logger="smartcity.cache"):
        cache.get("a")
        own_redis.start()
        time.sleep(0.3)
        cache.get("a")
    assert [record.getMessage().split(" (")[0].split(" after")[0] for record in caplog.records] == [
        "Redis unreachable",
        "Redis reachable again",
    ]


def test_an_error_that_is_not_about_reaching_redis_still_raises(own_redis):
    cache = redis_cache(own_redis.url)
    cache.set("a", "not a number")
    with pytest.raises(ResponseError):
        cache.incr("a")
