"""The impact survey's public form (/s/<token>/): what a respondent without an account sees and
sends, what is saved, and every abuse limit (rate limits, the signed token, duplicate device or
contact, a closed survey)."""

import re
import time
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from evaluations.forms.surveys import issue_token
from evaluations.models import (
    Agency,
    Enumerator,
    Kecamatan,
    ProgrammeUse,
    SurveyForm,
    SurveyRating,
    SurveyResponse,
    SurveyStatement,
)
from evaluations.survey_senders import keyed_hash
from evaluations.views.surveys import DEVICE_COOKIE

from .factories import make_impact_survey

pytestmark = pytest.mark.django_db

PHONE = "0812-3456-7890"
EMAIL = "Warga.Sangatta@Example.id"
PAGE_BUDGET = 30 * 1024  # HTML and CSS of the form, in bytes


@pytest.fixture(autouse=True)
def empty_rate_counts():
    """The rate counts live in the cache, which outlives a test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def survey(period):
    return make_impact_survey(period, split=("ECO",))


@pytest.fixture
def whole(survey):
    """Smart Governance: one form for the whole pillar, 3 programmes, 9 statements."""
    return SurveyForm.objects.get(survey=survey, pillar__code="GOV")


@pytest.fixture
def split(survey):
    """Smart Economy is split: this form has one programme and its 3 statements."""
    return SurveyForm.objects.filter(survey=survey, pillar__code="ECO").first()


@pytest.fixture
def enumerator(whole):
    return Enumerator.objects.create(form=whole, agency=Agency.objects.first(), name="Rudi Petugas")


def token_of(response):
    return re.search(r'name="token" value="([^"]+)"', response.content.decode()).group(1)


def programmes(form):
    subs = [form.subdimension] if form.subdimension_id else list(form.pillar.subdimensions.all())
    return list(form.survey.programmes.filter(subdimension__in=subs).order_by("subdimension__order"))


def statements(form, programme=None):
    subs = [form.subdimension] if form.subdimension_id else list(form.pillar.subdimensions.all())
    found = SurveyStatement.objects.filter(national_id=form.survey.period.national_id, subdimension__in=subs)
    if programme is not None:
        found = found.filter(subdimension=programme.subdimension)
    return list(found)


def answers(form, token, score="3", frequency="often", **changes):
    """What a respondent who answers everything sends; `changes` replace or (None) drop fields."""
    data = {
        "token": token,
        "age_band": "30-39",
        "occupation": "tani",
        "kecamatan": str(Kecamatan.objects.get(name="Sangatta Utara").pk),
        "contact": "",
    }
    data.update({f"u{p.pk}": frequency for p in programmes(form)})
    data.update({f"r{s.pk}": score for s in statements(form)})
    for name, value in changes.items():
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data


def url(form, enumerator=None):
    return f"/s/{form.token}/{enumerator.token}/" if enumerator else f"/s/{form.token}/"


def submit(client, form, enumerator=None, address="10.1.1.1", **changes):
    """Load the form, then send it as answered, from `address`."""
    loaded = client.get(url(form, enumerator), REMOTE_ADDR=address)
    assert loaded.status_code == 200
    return client.post(url(form, enumerator), answers(form, token_of(loaded), **changes), REMOTE_ADDR=address)


def every_stored_value():
    """Every column of every row the form writes, as text."""
    for model in (SurveyResponse, ProgrammeUse, SurveyRating):
        for row in model.objects.values():
            yield from (str(value) for value in row.values())


# --- the happy path --------------------------------------------------------------------------


def test_a_respondent_sends_the_form_and_the_response_its_uses_and_ratings_are_saved(client, whole):
    before = timezone.now()
    response = submit(client, whole)
    assert response.status_code == 302
    assert response["Location"] == f"/s/{whole.token}/terima-kasih/"
    saved = SurveyResponse.objects.get()
    assert (saved.form, saved.enumerator, saved.age_band, saved.occupation) == (whole, None, "30-39", "tani")
    assert saved.kecamatan.name == "Sangatta Utara"
    assert before - timedelta(seconds=2) <= saved.started_at <= saved.submitted_at
    assert saved.device_hash == keyed_hash("device", client.cookies[DEVICE_COOKIE].value)
    assert saved.contact_hash == ""
    assert sorted(u.frequency for u in saved.uses.all()) == ["often"] * 3
    assert {u.programme for u in saved.uses.all()} == set(programmes(whole))
    ratings = list(saved.ratings.all())
    assert len(ratings) == 9
    assert {(r.score, r.never_used) for r in ratings} == {(3, False)}


def test_the_thank_you_page_follows_the_form(client, whole):
    response = client.get(submit(client, whole)["Location"])
    assert response.status_code == 200
    assert "Terima kasih" in response.content.decode()
    assert "Jawaban Anda untuk survei Smart Governance sudah kami terima" in response.content.decode()


def test_statements_of_a_programme_never_used_are_recorded_as_never_used_even_when_rated(client, whole):
    unused = programmes(whole)[1]
    response = submit(client, whole, score="4", **{f"u{unused.pk}": "never"})
    assert response.status_code == 302
    saved = SurveyResponse.objects.get()
    assert saved.uses.get(programme=unused).frequency == "never"
    for rating in saved.ratings.select_related("statement"):
        if rating.statement.subdimension_id == unused.subdimension_id:
            assert (rating.score, rating.never_used) == (None, True)
        else:
            assert (rating.score, rating.never_used) == (4, False)


def test_statements_of_a_programme_never_used_may_be_left_unanswered(client, whole):
    unused = programmes(whole)[0]
    skipped = {f"r{s.pk}": None for s in statements(whole, unused)}
    assert submit(client, whole, **{f"u{unused.pk}": "never"}, **skipped).status_code == 302
    assert SurveyRating.objects.filter(never_used=True, score=None).count() == 3
    assert SurveyRating.objects.filter(never_used=False, score=3).count() == 6


def test_a_statement_answered_never_used_is_recorded_as_such(client, whole):
    statement = statements(whole)[4]
    assert submit(client, whole, **{f"r{statement.pk}": "n"}).status_code == 302
    rating = SurveyRating.objects.get(statement=statement)
    assert (rating.score, rating.never_used) == (None, True)
    assert SurveyRating.objects.filter(never_used=False).count() == 8


def test_an_enumerator_link_records_the_enumerator(client, whole, enumerator):
    response = submit(client, whole, enumerator)
    assert response.status_code == 302
    assert response["Location"] == f"/s/{whole.token}/terima-kasih/"
    assert SurveyResponse.objects.get().enumerator == enumerator


def test_the_enumerator_link_names_the_enumerator_on_the_form(client, whole, enumerator):
    assert "Dibantu oleh petugas: Rudi Petugas" in client.get(url(whole, enumerator)).content.decode()


def test_an_enumerator_token_of_another_form_is_not_found(client, whole, split, enumerator):
    response = client.get(f"/s/{split.token}/{enumerator.token}/")
    assert response.status_code == 404
    assert "Formulir tidak ditemukan" in response.content.decode()
    assert client.post(f"/s/{split.token}/{enumerator.token}/", {}).status_code == 404


def test_an_unknown_link_shows_a_public_not_found_page(client, survey):
    response = client.get("/s/bukan-token/")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Tautan ini tidak dikenal" in html
    # Its own style sheet and the site's icon (no 404 in the console, issue 24), nothing else.
    own = html.replace('href="/static/css/survey.css"', "").replace('href="/static/img/favicon.svg"', "")
    assert "href=" not in own


# --- field errors ----------------------------------------------------------------------------

FIELD_ERRORS = [
    ("age_band", None, "Pilih salah satu."),
    ("age_band", "99", "Pilih salah satu dari pilihan yang ada."),
    ("occupation", None, "Pilih salah satu."),
    ("kecamatan", None, "Pilih kecamatan Anda."),
    ("kecamatan", "99999", "Pilih kecamatan dari daftar."),
    ("contact", "0812abc", "Tulis nomor HP (mis. 0812 3456 7890) atau alamat e-mail, atau kosongkan."),
    ("contact", "warga@", "Alamat e-mail ini tidak valid."),
    ("contact", "0" * 101, "Terlalu panjang untuk nomor HP atau e-mail."),
]


@pytest.mark.parametrize(("name", "value", "message"), FIELD_ERRORS, ids=[f"{n}-{v}" for n, v, _m in FIELD_ERRORS])
def test_a_wrong_or_missing_field_is_refused_with_its_message_and_nothing_is_saved(client, whole, name, value, message):
    response = submit(client, whole, **{name: value})
    assert response.status_code == 400
    html = response.content.decode()
    assert f'<p class="err">{message}</p>' in html
    assert "Ada isian yang belum lengkap atau perlu diperbaiki" in html
    assert SurveyResponse.objects.count() == 0


def test_a_programme_use_left_unanswered_is_refused(client, whole):
    programme = programmes(whole)[2]
    response = submit(client, whole, **{f"u{programme.pk}": None})
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(rf"«{programme.name}»\?</legend>\s*<p class=\"err\">Pilih salah satu.</p>", html)
    assert SurveyResponse.objects.count() == 0


def test_a_statement_left_unanswered_of_a_programme_used_is_refused(client, whole):
    statement = statements(whole)[7]
    response = submit(client, whole, **{f"r{statement.pk}": None})
    assert response.status_code == 400
    html = response.content.decode()
    assert re.search(
        rf"<legend>{statement.text}</legend>\s*<p class=\"err\">Pilih salah satu \(atau “Belum pernah menggunakan",
        html,
    )
    assert html.count('<p class="err">') == 1
    assert SurveyResponse.objects.count() == 0


def test_a_refused_form_keeps_what_was_typed_and_its_token(client, whole):
    loaded = client.get(url(whole))
    token = token_of(loaded)
    statement = statements(whole)[0]
    data = answers(whole, token, score="2", contact="0812 999", **{f"r{statement.pk}": "n"})
    response = client.post(url(whole), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert token_of(response) == token
    assert 'value="0812 999"' in html
    assert re.search(r'value="tani"[^>]*checked', html)
    assert re.search(r'value="30-39"[^>]*checked', html)
    assert re.search(rf'<option value="{data["kecamatan"]}" selected>Sangatta Utara</option>', html)
    assert re.search(rf'name="r{statement.pk}" value="n"[^>]*checked', html)
    assert len(re.findall(r'value="2"[^>]*checked', html)) == 8
    # Corrected and sent again from the same page: saved.
    data["contact"] = "0812 9999 0000"
    assert client.post(url(whole), data).status_code == 302
    assert SurveyResponse.objects.count() == 1


# --- contact data ----------------------------------------------------------------------------


@pytest.mark.parametrize("contact", [PHONE, EMAIL])
def test_contact_data_is_never_stored_in_clear(client, whole, contact):
    assert submit(client, whole, contact=contact).status_code == 302
    saved = SurveyResponse.objects.get()
    assert saved.contact_hash == keyed_hash("contact", contact)
    digits = re.sub(r"\D", "", contact)
    written = {contact.lower(), contact.split("@")[0].lower()} if "@" in contact else {contact, digits, digits[1:]}
    values = [value.lower() for value in every_stored_value()]
    assert len(values) > 9 * 4  # the response's columns, the uses and ratings
    for clear in written:
        assert not [value for value in values if clear in value]


# --- abuse limits ----------------------------------------------------------------------------


def test_the_rate_limit_per_address_refuses_with_429_and_saves_nothing(client, whole, split, settings):
    settings.SURVEY_RATE_PER_IP = 2
    assert submit(client, whole, address="10.9.9.9").status_code == 302
    assert submit(Client(), split, address="10.9.9.9").status_code == 302
    third = submit(Client(), whole, address="10.9.9.9")
    assert third.status_code == 429
    assert "Terlalu banyak kiriman" in third.content.decode()
    assert SurveyResponse.objects.count() == 2
    # Another address is not held back.
    assert submit(Client(), whole, address="10.9.9.10").status_code == 302


def test_the_rate_limit_per_link_refuses_with_429_and_saves_nothing(client, whole, split, settings):
    settings.SURVEY_RATE_PER_LINK = 2
    assert submit(Client(), whole, address="10.0.0.1").status_code == 302
    assert submit(Client(), whole, address="10.0.0.2").status_code == 302
    assert submit(Client(), whole, address="10.0.0.3").status_code == 429
    assert SurveyResponse.objects.count() == 2
    # Another link is not held back.
    assert submit(Client(), split, address="10.0.0.4").status_code == 302


def test_a_forwarded_address_is_believed_only_behind_the_trusted_proxy(whole, settings):
    settings.SURVEY_RATE_PER_IP = 1

    def send(forwarded):
        browser = Client(HTTP_X_FORWARDED_FOR=forwarded)
        return submit(browser, whole, address="10.0.0.254").status_code

    assert send("203.0.113.1") == 302
    assert send("203.0.113.2") == 429  # the header is ignored: both came from 10.0.0.254
    cache.clear()
    settings.BEHIND_PROXY = True
    settings.PROXY_TRUSTED_IPS = ["10.0.0.254"]
    assert send("203.0.113.3") == 302
    assert send("203.0.113.4") == 302
    assert send("203.0.113.4") == 429


def test_a_replayed_token_is_refused_politely_without_saving(client, whole):
    loaded = client.get(url(whole))
    data = answers(whole, token_of(loaded))
    assert client.post(url(whole), data).status_code == 302
    client.cookies.pop(DEVICE_COOKIE)  # not the device check: the token alone
    again = client.post(url(whole), data)
    assert again.status_code == 409
    assert "Jawaban dari formulir ini sudah kami terima sebelumnya" in again.content.decode()
    assert SurveyResponse.objects.count() == 1


def test_a_tampered_token_is_refused_and_the_page_offers_a_fresh_one(client, whole):
    token = token_of(client.get(url(whole)))
    forged = token[:5] + ("A" if token[5] != "A" else "B") + token[6:]
    response = client.post(url(whole), answers(whole, forged, contact="0812 1111 2222"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "Formulir ini tidak sah. Muat ulang formulir" in html
    assert 'value="0812 1111 2222"' in html
    assert SurveyResponse.objects.count() == 0
    fresh = token_of(response)
    assert fresh not in (token, forged)
    assert client.post(url(whole), answers(whole, fresh)).status_code == 302


def test_an_overlong_token_is_refused_like_a_tampered_one(client, whole):
    token_of(client.get(url(whole)))
    response = client.post(url(whole), answers(whole, "x" * 5000))
    assert response.status_code == 400
    assert "Formulir ini tidak sah. Muat ulang formulir" in response.content.decode()
    assert SurveyResponse.objects.count() == 0


def test_a_token_of_another_form_is_refused(client, whole, split):
    token = token_of(client.get(url(split)))
    response = client.post(url(whole), answers(whole, token))
    assert response.status_code == 400
    assert "Formulir ini tidak sah. Muat ulang formulir" in response.content.decode()
    assert SurveyResponse.objects.count() == 0


def test_an_expired_token_is_refused(client, whole, monkeypatch, settings):
    real = time.time
    monkeypatch.setattr(time, "time", lambda: real() - settings.SURVEY_TOKEN_MAX_AGE - 60)
    old = issue_token(whole)
    monkeypatch.setattr(time, "time", real)
    client.get(url(whole))
    response = client.post(url(whole), answers(whole, old))
    assert response.status_code == 400
    assert "Formulir ini sudah terlalu lama terbuka. Muat ulang formulir" in response.content.decode()
    assert SurveyResponse.objects.count() == 0


def test_a_second_response_from_the_same_device_is_refused(client, whole):
    assert submit(client, whole).status_code == 302
    again = submit(client, whole, address="10.7.7.7")
    assert again.status_code == 409
    assert "Anda sudah mengisi formulir ini" in again.content.decode()
    assert SurveyResponse.objects.count() == 1


def test_the_same_device_may_answer_the_form_of_another_pillar(client, whole, split):
    assert submit(client, whole).status_code == 302
    assert submit(client, split).status_code == 302
    assert SurveyResponse.objects.count() == 2


def test_an_enumerator_phone_may_collect_many_respondents(client, whole, enumerator):
    assert submit(client, whole, enumerator).status_code == 302
    assert submit(client, whole, enumerator).status_code == 302
    assert SurveyResponse.objects.filter(enumerator=enumerator).count() == 2


def test_a_second_response_with_the_same_contact_is_refused(whole):
    assert submit(Client(), whole, contact=PHONE).status_code == 302
    again = submit(Client(), whole, contact="+62 812 3456 7890")  # the same number, written otherwise
    assert again.status_code == 409
    assert "Anda sudah mengisi formulir ini dengan kontak yang sama" in again.content.decode()
    assert SurveyResponse.objects.count() == 1


def test_the_same_contact_may_answer_another_pillar(whole, split):
    assert submit(Client(), whole, contact=EMAIL).status_code == 302
    assert submit(Client(), split, contact=EMAIL.upper()).status_code == 302
    assert set(SurveyResponse.objects.values_list("contact_hash", flat=True)) == {keyed_hash("contact", EMAIL)}


def test_a_survey_not_yet_open_says_when_it_opens_and_saves_nothing(client, whole):
    survey = whole.survey
    survey.opens = timezone.localdate() + timedelta(days=3)
    survey.closes = survey.opens + timedelta(days=10)
    survey.save()
    response = client.get(url(whole))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Survei belum dibuka" in html
    assert f"dapat diisi mulai {survey.opens.day} " in html
    assert "<form" not in html
    posted = client.post(url(whole), answers(whole, issue_token(whole)))
    assert posted.status_code == 200
    assert "Survei belum dibuka" in posted.content.decode()
    assert SurveyResponse.objects.count() == 0


def test_a_closed_survey_is_gone_and_saves_nothing(client, whole):
    token = token_of(client.get(url(whole)))
    survey = whole.survey
    survey.opens = timezone.localdate() - timedelta(days=20)
    survey.closes = timezone.localdate() - timedelta(days=1)
    survey.save()
    response = client.get(url(whole))
    assert response.status_code == 410
    assert "Survei sudah ditutup" in response.content.decode()
    posted = client.post(url(whole), answers(whole, token))
    assert posted.status_code == 410
    assert SurveyResponse.objects.count() == 0


# --- the page itself -------------------------------------------------------------------------


def test_the_page_is_small_and_exposes_nothing_of_the_app(client, whole, settings):
    for statement in SurveyStatement.objects.filter(national_id=whole.survey.period.national_id):
        statement.text = f"{statement.text}: " + "layanan lebih cepat, lebih murah dan lebih mudah dijangkau " * 2
        statement.save()
    response = client.get(url(whole))
    html = response.content.decode()
    css = client.get("/static/css/survey.css")
    css_bytes = b"".join(css.streaming_content) if css.streaming else css.content
    assert len(response.content) + len(css_bytes) < PAGE_BUDGET
    assert re.findall(r'(?:href|src|action)="([^"]*)"', html) == ["/static/img/favicon.svg", "/static/css/survey.css"]
    assert "<script" not in html
    assert "bootstrap" not in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"]  # each load has its own token
    for private in ("Diskominfo", "Keluar", "Masuk", "koordinator", "/opd/", "/akun/", "Notifikasi"):
        assert private not in html


def test_the_page_stays_in_indonesian_for_a_browser_switched_to_english(client, whole):
    client.cookies["django_language"] = "en"
    html = client.get(url(whole)).content.decode()
    assert '<html lang="id">' in html
    assert "Usia Anda" in html
    assert "Sangat setuju" in html


def test_a_signed_in_user_sees_the_same_public_page(client, whole, operator_a):
    client.force_login(operator_a)
    html = client.get(url(whole)).content.decode()
    assert "Keluar" not in html
    assert "operator_a" not in html


def test_the_device_cookie_is_set_once_and_kept(client, whole):
    first = client.get(url(whole))
    cookie = first.cookies[DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/s/"
    assert int(cookie["max-age"]) > 365 * 24 * 60 * 60
    assert DEVICE_COOKIE not in client.get(url(whole)).cookies


# --- queries ---------------------------------------------------------------------------------

# GET: the form with its survey (1), programmes (1), statements (1), kecamatan list (1).
GET_QUERIES = 4
# POST: the form (1), programmes and statements (2), kecamatan check (1), then one transaction:
# savepoint, form lock, duplicate check, burst count (public link), response, uses, ratings,
# release (8).
POST_QUERIES = 12


@pytest.mark.parametrize("which", ["split", "whole"])
def test_the_form_page_runs_a_fixed_number_of_queries(client, which, request, django_assert_num_queries):
    form = request.getfixturevalue(which)
    with django_assert_num_queries(GET_QUERIES):
        response = client.get(url(form))
    assert response.status_code == 200


@pytest.mark.parametrize("which", ["split", "whole"])
def test_sending_the_form_runs_a_fixed_number_of_queries(client, which, request, django_assert_num_queries):
    form = request.getfixturevalue(which)
    data = answers(form, token_of(client.get(url(form))))
    with django_assert_num_queries(POST_QUERIES):
        response = client.post(url(form), data)
    assert response.status_code == 302


def test_an_enumerator_link_costs_no_extra_query(client, whole, enumerator, django_assert_num_queries):
    with django_assert_num_queries(GET_QUERIES):
        assert client.get(url(whole, enumerator)).status_code == 200
