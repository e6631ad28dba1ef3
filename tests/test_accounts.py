import pytest

from .factories import PASSWORD

pytestmark = pytest.mark.django_db


def test_an_operator_logs_in_and_lands_on_the_home_page(client, operator_a):
    response = client.post("/akun/masuk/", {"username": "operator_a", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.wsgi_request.user == operator_a
    assert "Diskominfo Staper" in response.content.decode()


def test_a_wrong_password_shows_a_clear_message_in_indonesian(client, operator_a):
    response = client.post("/akun/masuk/", {"username": "operator_a", "password": "salah"})
    assert response.status_code == 200
    assert "Nama pengguna atau kata sandi salah" in response.content.decode()


def test_logging_out_needs_a_post_and_ends_the_session(client_a):
    response = client_a.post("/akun/keluar/")
    assert response.status_code == 302
    assert client_a.get("/").status_code == 302


def test_a_user_changes_their_password(client_a, operator_a):
    response = client_a.post(
        "/akun/kata-sandi/",
        {"old_password": PASSWORD, "new_password1": "Baru#Kutim2025", "new_password2": "Baru#Kutim2025"},
    )
    assert response.status_code == 302
    operator_a.refresh_from_db()
    assert operator_a.check_password("Baru#Kutim2025")


def test_a_user_name_longer_than_any_account_is_refused_by_the_form(client):
    response = client.post("/akun/masuk/", {"username": "x" * 100_000, "password": "salah"})
    assert response.status_code == 200
    assert "paling banyak 150 karakter" in response.content.decode()
