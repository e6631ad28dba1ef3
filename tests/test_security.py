"""Security: headers, CSRF, login lockout, production cookie and HSTS settings, no inline scripts."""

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import Client, RequestFactory, override_settings

from evaluations.views.common import attachment
from smartcity.middleware import PrivateCacheMiddleware

from .factories import PASSWORD
from .test_settings import PRODUCTION_ENV

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def test_pages_carry_a_content_security_policy_without_inline_scripts(client_a, period):
    response = client_a.get("/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


@pytest.mark.parametrize("template", sorted(p.relative_to(ROOT) for p in (ROOT / "templates").rglob("*.html")))
def test_no_template_has_an_inline_script_or_style(template):
    text = (ROOT / template).read_text()
    inline_scripts = [m for m in re.findall(r"<script\b([^>]*)>", text) if "src=" not in m and "json" not in m]
    assert not inline_scripts, f"{template}: inline <script> (the CSP blocks it)"
    assert not re.search(r"\sstyle=\"", text), f"{template}: inline style attribute (the CSP blocks it)"
    assert not re.search(r"\son[a-z]+=\"", text), f"{template}: inline event handler (the CSP blocks it)"


def test_a_post_without_the_csrf_token_is_refused_with_a_clear_page(operator_a):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/akun/masuk/", {"username": "operator_a", "password": PASSWORD})
    assert response.status_code == 403
    assert "Formulir kedaluwarsa" in response.content.decode()


def test_a_post_with_the_csrf_token_goes_through(operator_a):
    client = Client(enforce_csrf_checks=True)
    client.get("/akun/masuk/")
    token = client.cookies["csrftoken"].value
    response = client.post(
        "/akun/masuk/", {"username": "operator_a", "password": PASSWORD, "csrfmiddlewaretoken": token}
    )
    assert response.status_code == 302


def test_five_failed_logins_lock_the_user_at_that_address(client, operator_a):
    for _ in range(5):
        response = client.post("/akun/masuk/", {"username": "operator_a", "password": "salah"})
    response = client.post("/akun/masuk/", {"username": "operator_a", "password": PASSWORD})
    assert response.status_code == 429
    assert "Terlalu banyak percobaan masuk yang gagal" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_four_failed_logins_do_not_lock(client, operator_a):
    for _ in range(4):
        client.post("/akun/masuk/", {"username": "operator_a", "password": "salah"})
    assert client.post("/akun/masuk/", {"username": "operator_a", "password": PASSWORD}).status_code == 302


def test_attempts_refused_during_a_lockout_store_nothing_more(client, operator_a):
    for _ in range(5):
        client.post("/akun/masuk/", {"username": "operator_a", "password": "salah"})
    stored = list(AccessAttempt.objects.values_list("failures_since_start", "post_data"))
    for _ in range(20):
        assert client.post("/akun/masuk/", {"username": "operator_a", "password": "salah"}).status_code == 429
    assert list(AccessAttempt.objects.values_list("failures_since_start", "post_data")) == stored


def test_production_settings_use_secure_cookies_hsts_and_https():
    code = (
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, s.SECURE_HSTS_SECONDS,"
        " s.SECURE_HSTS_INCLUDE_SUBDOMAINS, s.SESSION_COOKIE_HTTPONLY)"
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            f"import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            f"'smartcity.settings'); django.setup(); {code}",
        ],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **PRODUCTION_ENV},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["True", "True", "True", "31536000", "True", "True"]


# --- a form too big for the server: our own page, in the user's language ------------------------
def too_many_fields():
    return {f"isian{i}": "x" for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS + 1)}


def test_a_form_with_too_many_fields_gets_an_indonesian_400_page(client):
    response = client.post("/akun/masuk/", too_many_fields())
    html = response.content.decode()
    assert response.status_code == 400
    assert '<html lang="id">' in html and "Permintaan tidak dapat diproses" in html
    assert "Bad Request" not in html


def test_a_form_larger_than_the_server_takes_gets_the_400_page(client):
    body = "isian=" + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = client.post("/akun/masuk/", body, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 400
    assert "Permintaan tidak dapat diproses" in response.content.decode()


def test_the_400_page_is_english_after_switching(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    response = client.post("/akun/masuk/", too_many_fields())
    html = response.content.decode()
    assert response.status_code == 400
    assert '<html lang="en">' in html and "The request could not be processed" in html


# --- what caches may keep ---------------------------------------------------------------------
def no_store(response):
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    return {"private", "no-store"} <= directives


def test_pages_for_a_signed_in_user_may_not_be_stored(client_a, period):
    assert no_store(client_a.get("/"))
    assert no_store(client_a.get("/opd/"))


def test_a_private_download_may_not_be_stored(admin_user, period):
    client = Client()
    client.force_login(admin_user)
    response = client.get(f"/kelola/instrumen/{period.pk}/unduh/")
    assert response["Content-Disposition"].startswith("attachment")
    assert no_store(response)


def test_every_attachment_is_marked_private_whoever_asks():
    request = RequestFactory().get("/berkas/")
    request.user = AnonymousUser()
    middleware = PrivateCacheMiddleware(lambda request: attachment(io.BytesIO(b"%PDF-1.4"), "sk.pdf"))
    assert no_store(middleware(request))
    public = PrivateCacheMiddleware(lambda request: HttpResponse("halo"))(request)
    assert not no_store(public)


def test_static_files_keep_their_caching_for_a_signed_in_user(client_a):
    static = client_a.get("/static/css/app.css")
    assert static.status_code == 200 and not no_store(static)


# --- login lockout behind the reverse proxy ---------------------------------------------------
LOGIN = "/akun/masuk/"


def lock_out(client):
    for _ in range(5):
        client.post(LOGIN, {"username": "operator_a", "password": "salah"})
    assert client.post(LOGIN, {"username": "operator_a", "password": PASSWORD}).status_code == 429


@override_settings(BEHIND_PROXY=True, PROXY_TRUSTED_IPS=["127.0.0.1"])
def test_behind_the_proxy_locking_one_client_does_not_lock_another(operator_a):
    lock_out(Client(HTTP_X_FORWARDED_FOR="203.0.113.5"))
    colleague = Client(HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert colleague.post(LOGIN, {"username": "operator_a", "password": PASSWORD}).status_code == 302


@override_settings(BEHIND_PROXY=True, PROXY_TRUSTED_IPS=["127.0.0.1"])
def test_behind_the_proxy_an_address_the_client_adds_in_front_is_ignored(operator_a):
    lock_out(Client(HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.5"))
    # The proxy appends the address it saw: the same client forging another one is still locked.
    same = Client(HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.5")
    assert same.post(LOGIN, {"username": "operator_a", "password": PASSWORD}).status_code == 429


@override_settings(BEHIND_PROXY=True, PROXY_TRUSTED_IPS=["10.0.0.2"])
def test_a_request_that_did_not_come_through_the_trusted_proxy_keeps_its_own_address(operator_a):
    lock_out(Client(REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="203.0.113.5"))
    other = Client(REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert other.post(LOGIN, {"username": "operator_a", "password": PASSWORD}).status_code == 429


def test_without_the_proxy_a_forged_forwarded_address_is_ignored(operator_a):
    lock_out(Client(HTTP_X_FORWARDED_FOR="203.0.113.5"))
    other = Client(HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert other.post(LOGIN, {"username": "operator_a", "password": PASSWORD}).status_code == 429
