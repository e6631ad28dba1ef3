"""The session-expiry restore of the section form (evaluations/restore.py, views/answering.py): an
operator whose session expired while typing gets it back, once, after logging in again; and a post
without a session, from anyone, stores nothing on the server (issue 28, item 1)."""

import base64
import html
import random
import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core import signing

from evaluations import restore
from evaluations.models import Answer, Question

from .factories import PASSWORD, assign, make_period, make_question
from .filling import section_post, submission_of

pytestmark = pytest.mark.django_db
T = Question.AnswerType


@pytest.fixture
def small(agency_a):
    """A period where agency A answers two questions of one section: one needs evidence."""
    period = make_period(2031)
    assign(period, agency_a, "GOV")
    with_evidence = make_question(period, code="S.1", answer_type=T.YES_NO, evidence_required=True)
    text = make_question(period, code="S.2", answer_type=T.TEXT)
    return period, with_evidence, text


@pytest.fixture
def submission(small, agency_a):
    return submission_of(small[0], agency_a)


@pytest.fixture
def sections(agency_a):
    """Four sections (one pillar each) of four text questions for agency A."""
    period = make_period(2032)
    pillars = ["GOV", "BRA", "ECO", "LIV"]
    for pillar in pillars:
        assign(period, agency_a, pillar)
    questions = {
        pillar: [make_question(period, code=f"{pillar}.{i}", answer_type=T.TEXT, pillar=pillar) for i in range(4)]
        for pillar in pillars
    }
    return submission_of(period, agency_a), questions


def section_url(submission, key="X-GOV"):
    return f"/opd/pengisian/{submission.pk}/bagian/{key}/"


def noise(chars, seed=0):
    """Random text that does not compress."""
    return base64.b64encode(random.Random(seed).randbytes(chars * 3 // 4 + 3)).decode()[:chars]


def big_post(fields=480, chars=10_000, first_id=1):
    """The reported attack: 480 explanations of 10,000 characters, about 5 MB."""
    text = noise(fields * chars)
    return {f"q{first_id + k}-explanation": text[k * chars : (k + 1) * chars] for k in range(fields)}


def session_rows():
    return Session.objects.count()


def login_form(response):
    """The login form's hidden fields on the page an expired post was answered with."""
    page = response.content.decode()
    form = next(f for f in re.findall(r"<form[^>]*>(.*?)</form>", page, re.S) if 'name="username"' in f)
    return hidden_inputs(form)


def hidden_inputs(html_text):
    """{name: value} of the hidden inputs (Django leaves out an empty value)."""
    found = {}
    for tag in re.findall(r'<input type="hidden"[^>]*>', html_text):
        name, value = re.search(r'name="([^"]*)"', tag), re.search(r'value="([^"]*)"', tag)
        found[html.unescape(name.group(1))] = html.unescape(value.group(1)) if value else ""
    return found


def sign_in_again(client, response, username="operator_a"):
    """What the operator does next: log in with the form on that page, as shown."""
    return client.post("/akun/masuk/", {**login_form(response), "username": username, "password": PASSWORD})


def shows_the_login_page(response):
    page = response.content.decode()
    return response.status_code == 200 and 'name="username"' in page and 'action="/akun/masuk/"' in page


# --- the operator's story ---------------------------------------------------------------------------


def test_a_post_after_the_session_expired_is_restored_after_logging_in(client, operator_a, submission, small):
    data = section_post(
        submission, "X-GOV", {small[2]: {"value": "Ketikan panjang <b>penting</b>", "explanation": "x"}}
    )
    response = client.post(section_url(submission), data)  # not logged in: the session has expired
    assert shows_the_login_page(response)
    assert "Sesi Anda sudah berakhir" in response.content.decode()
    assert not Answer.objects.exists()

    login = sign_in_again(client, response)
    assert login.status_code == 302 and login["Location"] == section_url(submission)
    page = client.get(section_url(submission)).content.decode()
    assert "Belum tersimpan" in page
    assert "Ketikan panjang &lt;b&gt;penting&lt;/b&gt;</textarea>" in page
    assert not Answer.objects.exists()
    # Shown once: the next visit shows the saved state again.
    assert "Ketikan panjang" not in client.get(section_url(submission)).content.decode()


def test_a_wrong_password_on_that_page_keeps_what_was_typed(client, operator_a, submission, small):
    data = section_post(submission, "X-GOV", {small[2]: {"value": "Ketikan operator"}})
    response = client.post(section_url(submission), data)
    wrong = client.post("/akun/masuk/", {**login_form(response), "username": "operator_a", "password": "salah"})
    assert wrong.status_code == 200
    assert "Sesi Anda sudah berakhir" in wrong.content.decode()
    sign_in_again(client, wrong)
    assert "Ketikan operator</textarea>" in client.get(section_url(submission)).content.decode()


def test_a_stashed_post_is_not_shown_to_an_operator_of_another_agency(client, operator_b, submission, small):
    data = section_post(submission, "X-GOV", {small[2]: {"value": "rahasia A"}})
    response = client.post(section_url(submission), data)
    sign_in_again(client, response, "operator_b")
    assert client.get(section_url(submission)).status_code == 404


def test_an_anonymous_get_of_a_section_redirects_to_login(client, submission):
    response = client.get(section_url(submission))
    assert response.status_code == 302 and response["Location"].startswith("/akun/masuk/")


def test_what_was_typed_is_given_back_only_on_the_page_it_was_typed_on(client, operator_a, sections):
    submission, questions = sections
    data = section_post(submission, "X-GOV", {questions["GOV"][0]: {"value": "Ketikan GOV"}})
    response = client.post(section_url(submission, "X-GOV"), data)
    sign_in_again(client, response)
    assert "Ketikan GOV" not in client.get(section_url(submission, "X-BRA")).content.decode()
    assert "Ketikan GOV</textarea>" in client.get(section_url(submission, "X-GOV")).content.decode()


def test_only_the_sections_own_fields_are_given_back(client, operator_a, sections):
    submission, questions = sections
    data = {
        **section_post(submission, "X-GOV", {questions["GOV"][0]: {"value": "Ketikan GOV"}}),
        f"q{questions['BRA'][0].pk}-value": "Bukan dari halaman ini",
    }
    sign_in_again(client, client.post(section_url(submission, "X-GOV"), data))
    assert "Ketikan GOV</textarea>" in client.get(section_url(submission, "X-GOV")).content.decode()
    client.post(section_url(submission, "X-BRA"), section_post(submission, "X-BRA"))  # saves BRA as it was
    assert not Answer.objects.filter(text_value="Bukan dari halaman ini").exists()


def test_a_post_with_a_field_longer_than_the_form_takes_is_not_kept(client, operator_a, submission, small):
    data = section_post(submission, "X-GOV", {small[2]: {"value": "Ketikan operator", "explanation": "x" * 5001}})
    response = client.post(section_url(submission), data)
    assert login_form(response)["restore"] == ""
    sign_in_again(client, response)
    assert "Ketikan operator" not in client.get(section_url(submission)).content.decode()


def test_a_stale_stash_is_not_restored(client, operator_a, submission, small, monkeypatch):
    data = section_post(submission, "X-GOV", {small[2]: {"value": "Ketikan lama"}})
    response = client.post(section_url(submission), data)
    monkeypatch.setattr(restore, "STASH_MAX_AGE", timedelta(0))
    sign_in_again(client, response)
    assert "Ketikan lama" not in client.get(section_url(submission)).content.decode()
    assert restore.SESSION_KEY not in client.session


def test_a_stash_survives_the_login_it_waits_for_but_not_a_second_one(client, operator_a, submission, small):
    data = section_post(submission, "X-GOV", {small[2]: {"value": "Ketikan operator"}})
    sign_in_again(client, client.post(section_url(submission), data))
    assert restore.SESSION_KEY in client.session
    client.force_login(operator_a)  # signing in again (e.g. in another tab) drops what the first login claimed
    assert "Ketikan operator" not in client.get(section_url(submission)).content.decode()


def test_a_login_with_a_forged_or_foreign_restore_field_restores_nothing(client, operator_a, submission, small):
    forged = signing.dumps(
        {"path": section_url(submission), "data": {f"q{small[2].pk}-value": "Palsu"}}, salt="evaluations.surveys"
    )
    for value in ("x" * 100, forged):
        response = client.post("/akun/masuk/", {"username": "operator_a", "password": PASSWORD, "restore": value})
        assert response.status_code == 302
        assert "Palsu" not in client.get(section_url(submission)).content.decode()
        client.logout()


# --- what a post without a session may store: nothing ------------------------------------------------


def test_an_anonymous_post_is_answered_without_a_session_or_a_query(
    client, submission, small, django_assert_num_queries
):
    data = section_post(submission, "X-GOV", {small[2]: {"value": "Ketikan operator"}})
    with django_assert_num_queries(0):
        response = client.post(section_url(submission), data)
    assert shows_the_login_page(response)
    assert sorted(response.cookies) == ["csrftoken"]
    assert session_rows() == 0
    assert "no-store" in response["Cache-Control"]  # what was typed stays out of caches


def test_the_answer_is_the_same_whether_or_not_the_section_exists(client, submission, small):
    data = section_post(submission, "X-GOV", {small[2]: {"value": "Ketikan operator"}})
    answers = []
    for url in (section_url(submission), section_url(submission, "Z-GOV"), "/opd/pengisian/900/bagian/X0/"):
        client.cookies.clear()
        response = client.post(url, data)
        restored = signing.loads(login_form(response)["restore"], salt="evaluations.restore")
        answers.append((response.status_code, sorted(response.cookies), restored["data"]))
    assert answers[0] == answers[1] == answers[2]
    assert session_rows() == 0


def test_an_anonymous_5_mb_post_stores_nothing_and_gets_a_small_page(client, submission, small):
    data = {**big_post(), **section_post(submission, "X-GOV", {small[2]: {"value": "Ketikan operator"}})}
    response = client.post(section_url(submission), data)
    assert shows_the_login_page(response)
    assert login_form(response)["restore"] == ""  # more than a section form sends: nothing kept
    assert len(response.content) < 20_000
    assert session_rows() == 0


def test_what_the_login_page_carries_is_bounded(client, operator_a, sections):
    submission, questions = sections
    typed = {
        q: {"value": noise(5000, seed=i), "explanation": noise(4900, seed=10 + i)}
        for i, q in enumerate(questions["GOV"])
    }
    response = client.post(section_url(submission), section_post(submission, "X-GOV", typed))
    # About 40,000 characters of random text: within the bound, carried, and given back.
    assert 0 < len(login_form(response)["restore"]) <= restore.TOKEN_MAX_CHARS
    sign_in_again(client, response)
    assert noise(4900, seed=10) in client.get(section_url(submission)).content.decode()


def test_a_hundred_cookieless_posts_leave_no_session_row(client, submission, small):
    data = {**big_post(fields=8, chars=4900), **section_post(submission, "X-GOV", {small[2]: {"value": "x"}})}
    for _ in range(100):
        client.cookies.clear()
        assert client.post(section_url(submission), data).status_code == 200
    assert session_rows() == 0
