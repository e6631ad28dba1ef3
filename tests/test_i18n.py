import pytest

pytestmark = pytest.mark.django_db


def test_pages_are_in_indonesian_by_default(client_a, period):
    html = client_a.get("/").content.decode()
    assert '<html lang="id">' in html
    assert "Beranda" in html


def test_the_language_switch_changes_the_page_language(client_a, period):
    response = client_a.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    html = client_a.get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Home" in html
    assert "Deadline" in html
    assert "Beranda" not in html


def test_the_language_switch_works_on_the_login_page(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/akun/masuk/"})
    html = client.get("/akun/masuk/").content.decode()
    assert "Sign in" in html
