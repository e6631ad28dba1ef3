"""Every page requires login except the login page, the language switch, the impact survey's public
form (respondents have no account) and static files."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

# The browser's icon (/favicon.ico leads to the static file) is nobody's page.
PUBLIC = {"/akun/masuk/", "/i18n/setlang/", "/favicon.ico"}
# The impact survey's public form, its enumerator links and its thank-you page.
SURVEY_FORM = {"/s/x/", "/s/x/x/", "/s/x/terima-kasih/"}


def _walk(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _fill(route):
    """A concrete path for a route, with made-up values for its parameters."""
    route = re.sub(r"<int:[^>]+>", "1", route)
    route = re.sub(r"<(?:str|slug|uuid|path:)?[^>]*>", "x", route)
    return "/" + route.lstrip("^").rstrip("$").replace("\\", "")


def project_paths():
    paths = {_fill(r) for r in _walk(get_resolver().url_patterns) if not r.startswith("admin/")}
    return sorted(paths - PUBLIC - SURVEY_FORM)


@pytest.mark.parametrize("path", project_paths())
def test_anonymous_users_are_sent_to_login(client, path):
    response = client.get(path)
    assert response.status_code == 302, path
    assert response["Location"].startswith("/akun/masuk/?next=")


def test_the_login_page_is_public(client):
    response = client.get("/akun/masuk/")
    assert response.status_code == 200
    assert "Masuk ke Evaluasi Smart City" in response.content.decode()


def test_the_django_admin_asks_anonymous_users_to_log_in(client):
    response = client.get("/admin/")
    assert response.status_code == 302


def test_static_files_are_served_without_login(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200


@pytest.mark.parametrize("path", sorted(SURVEY_FORM))
def test_the_survey_form_pages_are_public(client, path):
    # No survey exists: the public "not found" page, not the login page.
    response = client.get(path)
    assert response.status_code == 404
    assert "Formulir tidak ditemukan" in response.content.decode()


def test_exactly_the_survey_form_pages_are_public_besides_login_and_language():
    paths = {_fill(r) for r in _walk(get_resolver().url_patterns) if not r.startswith("admin/")}
    assert {path for path in paths if path.startswith("/s/")} == SURVEY_FORM
