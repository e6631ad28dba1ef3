"""Security: headers, CSRF, login lockout, production cookie and HSTS settings, no inline scripts."""

import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client

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
