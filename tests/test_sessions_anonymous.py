"""No request without an account creates a session (issue 28, item 1): every page someone can reach
without signing in, sent from a fresh client, leaves the session store empty and sets no session
cookie. A session row is made only by a successful login."""

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client

from evaluations.models import SurveyForm

from .factories import PASSWORD, make_impact_survey

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    cache.clear()  # the survey's rate counts and the lockout live there
    yield
    cache.clear()


@pytest.fixture
def survey_url(period):
    make_impact_survey(period)
    return f"/s/{SurveyForm.objects.order_by('pk').first().token}/"


def requests_without_an_account(survey_url):
    """(method, path, data, extra) for every page an outsider can reach."""
    return [
        ("get", "/akun/masuk/", None, {}),
        ("get", "/akun/masuk/?next=/opd/", None, {}),
        ("post", "/akun/masuk/", {"username": "operator_a", "password": "salah"}, {}),
        ("post", "/akun/masuk/", {"username": "tidak-ada", "password": "salah"}, {}),
        ("post", "/akun/masuk/", {}, {}),
        ("post", "/akun/keluar/", {}, {}),
        ("post", "/i18n/setlang/", {"language": "en", "next": "/akun/masuk/"}, {}),
        ("get", "/i18n/setlang/?language=en", None, {}),
        ("get", "/", None, {}),
        ("get", "/halaman-yang-tidak-ada/", None, {}),
        ("get", "/opd/pengisian/1/bagian/A-GOV/", None, {}),
        ("post", "/opd/pengisian/1/bagian/A-GOV/", {"q1-explanation": "x" * 4900}, {}),
        ("post", "/opd/pengisian/900/bagian/X0/", {"q1-value": "x"}, {}),
        ("get", survey_url, None, {}),
        ("post", survey_url, {"token": "x"}, {}),
        ("get", survey_url + "terima-kasih/", None, {}),
        ("get", "/s/tidak-ada/", None, {}),
        ("get", "/admin/login/", None, {}),
        ("post", "/admin/login/", {"username": "operator_a", "password": "salah"}, {}),
        ("get", "/static/css/app.css", None, {}),
    ]


def test_no_page_reachable_without_an_account_creates_a_session(operator_a, survey_url):
    for method, path, data, extra in requests_without_an_account(survey_url):
        response = getattr(Client(), method)(path, data, **extra)
        assert "sessionid" not in response.cookies, (method, path)
        assert Session.objects.count() == 0, (method, path, response.status_code)


def test_a_refused_csrf_token_creates_no_session(operator_a):
    browser = Client(enforce_csrf_checks=True)
    for path in ("/akun/masuk/", "/opd/pengisian/1/bagian/A-GOV/", "/i18n/setlang/"):
        response = browser.post(path, {"username": "operator_a", "password": PASSWORD})
        assert response.status_code == 403, path
        assert "sessionid" not in response.cookies
    assert Session.objects.count() == 0


def test_a_locked_out_login_creates_no_session(operator_a):
    browser = Client()
    for _ in range(6):
        browser.post("/akun/masuk/", {"username": "operator_a", "password": "salah"})
    assert browser.post("/akun/masuk/", {"username": "operator_a", "password": PASSWORD}).status_code == 429
    assert Session.objects.count() == 0


def test_a_successful_login_creates_the_one_session(operator_a):
    Client().post("/akun/masuk/", {"username": "operator_a", "password": PASSWORD})
    assert Session.objects.count() == 1
