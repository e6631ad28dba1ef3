"""Abuse of the impact survey's public form (/s/<token>/) by someone without an account (issue 28):
one person stuffing a form from one network, junk posts blocking a link for everyone, and one
contact written several ways counting as several people."""

import hashlib
import hmac
import re
import secrets
import time

import pytest
from django.conf import settings as django_settings
from django.core import signing
from django.core.cache import cache
from django.test import Client

from evaluations.forms.surveys import TOKEN_SALT
from evaluations.models import Agency, Enumerator, SurveyForm, SurveyResponse
from evaluations.survey_senders import keyed_hash
from evaluations.views.surveys import DEVICE_COOKIE

from .factories import make_impact_survey, make_survey_response
from .test_surveys_form import answers, statements, token_of, url
from .test_surveys_setup import pillar_post

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_rate_counts():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def whole(period):
    """Smart Governance, one form for the pillar: 3 programmes, 9 statements, target 50."""
    return SurveyForm.objects.get(survey=make_impact_survey(period), pillar__code="GOV")


@pytest.fixture
def enumerator(whole):
    return Enumerator.objects.create(form=whole, agency=Agency.objects.first(), name="Rudi Petugas")


def waited_token(form, seconds=120):
    """The token of a form loaded `seconds` ago: a script that waits past the "too fast" threshold."""
    payload = {"f": form.pk, "n": secrets.token_hex(16), "t": int(time.time()) - seconds}
    return signing.dumps(payload, salt=TOKEN_SALT)


def varied_answers(form, n, token, **changes):
    """Ratings that differ from one response to the next and inside one: no straight line."""
    ratings = {f"r{s.pk}": str((n + i) % 5) for i, s in enumerate(statements(form))}
    return answers(form, token, **ratings, **changes)


def script_posts(form, count, address, keep_cookie=False):
    """A script that loads the form `count` times and sends it back with varied ratings, waiting
    past the "too fast" threshold; it sends no device cookie, or (`keep_cookie`) the fresh one the
    page it loaded just set. Returns the status codes."""
    statuses = []
    for n in range(count):
        browser = Client()
        browser.get(url(form), REMOTE_ADDR=address)
        if not keep_cookie:
            browser.cookies.pop(DEVICE_COOKIE)
        statuses.append(
            browser.post(url(form), varied_answers(form, n, waited_token(form)), REMOTE_ADDR=address).status_code
        )
    return statuses


def row_text(html, row):
    """The visible text of the monitor's row of one form."""
    match = re.search(rf'<tr data-row="{row}">(.*?)</tr>', html, re.S)
    return " ".join(re.sub(r"<[^>]+>", " ", match.group(1)).split())


def flagged_burst():
    return SurveyResponse.objects.flagged("burst")


# --- Item 2: one person stuffing a form from one network --------------------------------------


def test_a_script_sending_25_forms_from_one_address_is_held_for_review(whole):
    assert script_posts(whole, 25, "36.80.1.2") == [302] * 25
    assert SurveyResponse.objects.count() == 25  # stored, for the coordinator to see
    assert flagged_burst().count() == 25
    assert SurveyResponse.objects.counted().count() == 0  # none counts toward the target


def test_a_script_keeping_each_fresh_device_cookie_is_held_as_well(whole):
    assert script_posts(whole, 10, "36.80.1.2", keep_cookie=True) == [302] * 10
    assert flagged_burst().count() == 10
    assert SurveyResponse.objects.counted().count() == 0


def test_the_monitor_shows_the_burst_and_counts_none_of_it(client, coordinator, period, whole):
    script_posts(whole, 6, "36.80.1.2")
    client.force_login(coordinator)
    overview = client.get(f"/survei-dampak/{period.pk}/pantau/").content.decode()
    assert "Dihitung / target: 0 / 50 (0%)" in row_text(overview, whole.pk)
    assert "Menunggu tinjauan: 6 Dikeluarkan: 0 Bertanda: 6" in row_text(overview, whole.pk)
    assert "Kiriman beruntun dari satu jaringan" in overview  # the legend explains the new flag
    page = client.get(f"/survei-dampak/{period.pk}/pantau/{whole.pk}/?tampil=ditinjau").content.decode()
    assert page.count("<tr data-response=") == 6
    assert page.count("Menunggu tinjauan</span>") == 6


def test_three_respondents_sharing_one_address_are_counted(whole):
    assert script_posts(whole, 3, "36.80.1.2") == [302] * 3
    assert flagged_burst().count() == 0
    assert SurveyResponse.objects.counted().count() == 3


def test_other_addresses_are_not_held_with_the_burst(whole):
    script_posts(whole, 5, "36.80.1.2")
    script_posts(whole, 1, "36.80.1.3")
    assert set(SurveyResponse.objects.counted().values_list("pk", flat=True)) == {
        SurveyResponse.objects.latest("pk").pk
    }


def test_ipv6_addresses_of_one_64_prefix_are_one_network(whole):
    for n in range(4):
        browser = Client()
        browser.get(url(whole), REMOTE_ADDR=f"2001:db8:1:2::{n + 1}")
        browser.post(url(whole), varied_answers(whole, n, waited_token(whole)), REMOTE_ADDR=f"2001:db8:1:2::{n + 1}")
    assert flagged_burst().count() == 4
    browser = Client()
    browser.get(url(whole), REMOTE_ADDR="2001:db8:1:3::1")
    browser.post(url(whole), varied_answers(whole, 9, waited_token(whole)), REMOTE_ADDR="2001:db8:1:3::1")
    assert SurveyResponse.objects.counted().count() == 1  # another /64


def test_only_a_keyed_hash_of_the_network_is_stored(whole):
    script_posts(whole, 1, "2001:db8:1:2::7")
    saved = SurveyResponse.objects.get()
    assert saved.network_hash == keyed_hash("network", "2001:db8:1:2::/64")
    for row in SurveyResponse.objects.values():
        assert not [value for value in map(str, row.values()) if "2001:db8" in value]


def test_an_enumerator_with_20_respondents_on_one_phone_and_network_gets_them_all_counted(client, whole, enumerator):
    for n in range(20):
        loaded = client.get(url(whole, enumerator), REMOTE_ADDR="114.125.9.9")  # one phone: one cookie
        data = varied_answers(whole, n, token_of(loaded))
        assert client.post(url(whole, enumerator), data, REMOTE_ADDR="114.125.9.9").status_code == 302
    assert SurveyResponse.objects.filter(enumerator=enumerator).count() == 20
    assert flagged_burst().count() == 0
    assert SurveyResponse.objects.counted().count() == 20


def test_a_coordinator_counts_a_held_response_after_review(client, coordinator, period, whole):
    script_posts(whole, 4, "36.80.1.2")
    held = SurveyResponse.objects.earliest("pk")
    client.force_login(coordinator)
    page = client.get(f"/survei-dampak/{period.pk}/pantau/respons/{held.pk}/").content.decode()
    assert "Menunggu tinjauan" in page and "Kiriman beruntun dari satu jaringan" in page
    response = client.post(f"/survei-dampak/{period.pk}/pantau/respons/{held.pk}/kembalikan/", {"note": "Kantor desa"})
    assert response.status_code == 302
    assert SurveyResponse.objects.counted().get() == held
    # Still flagged (the fact stays), and a later response of the burst does not hold it again.
    assert flagged_burst().filter(pk=held.pk).exists()
    script_posts(whole, 1, "36.80.1.2")
    assert SurveyResponse.objects.counted().get() == held


def test_a_coordinator_excludes_a_held_response_with_a_reason(client, coordinator, period, whole):
    script_posts(whole, 4, "36.80.1.2")
    held = SurveyResponse.objects.earliest("pk")
    client.force_login(coordinator)
    client.post(f"/survei-dampak/{period.pk}/pantau/respons/{held.pk}/keluarkan/", {"reason": "Isian robot"})
    held.refresh_from_db()
    assert (held.excluded_by, held.exclusion_reason) == (coordinator, "Isian robot")
    assert not held.is_held


# --- Item 2: a form for enumerator links only --------------------------------------------------


def test_a_form_for_enumerator_links_only_refuses_the_public_link(client, whole, enumerator):
    token = token_of(client.get(url(whole)))
    SurveyForm.objects.filter(pk=whole.pk).update(enumerator_only=True)
    page = client.get(url(whole))
    assert page.status_code == 403
    assert "hanya dapat diisi melalui petugas (enumerator)" in page.content.decode()
    assert client.post(url(whole), answers(whole, token)).status_code == 403
    assert SurveyResponse.objects.count() == 0
    loaded = client.get(url(whole, enumerator))
    assert client.post(url(whole, enumerator), answers(whole, token_of(loaded))).status_code == 302


def test_a_coordinator_switches_a_form_to_enumerator_links_only(client, coordinator, whole):
    client.force_login(coordinator)
    data = pillar_post(whole.survey, **{f"target-{whole.pk}-enumerator_only": "on"})
    response = client.post(f"/survei-dampak/{whole.survey.period_id}/atur/GOV/", data)
    assert response.status_code == 302
    whole.refresh_from_db()
    assert whole.enumerator_only
    overview = client.get(f"/survei-dampak/{whole.survey.period_id}/atur/").content.decode()
    assert overview.count('class="badge text-bg-secondary enumerator-only"') == 1


# --- Item 3: junk must cost the sender, not the link --------------------------------------------


def test_junk_posts_from_ten_addresses_do_not_block_the_link_for_real_respondents(whole, settings):
    assert (settings.SURVEY_RATE_PER_IP, settings.SURVEY_RATE_PER_LINK) == (30, 300)
    for n in range(300):
        junk = Client().post(url(whole), {"token": "x"}, REMOTE_ADDR=f"10.66.0.{n % 10}")
        assert junk.status_code == 400
    real = []
    for n in range(20):
        browser = Client()
        loaded = browser.get(url(whole), REMOTE_ADDR=f"10.77.0.{n}")
        real.append(browser.post(url(whole), answers(whole, token_of(loaded)), REMOTE_ADDR=f"10.77.0.{n}").status_code)
    assert real == [302] * 20


def test_junk_counts_against_its_sender(whole):
    for _n in range(30):
        Client().post(url(whole), {"token": "x"}, REMOTE_ADDR="10.66.0.1")
    assert Client().post(url(whole), {"token": "x"}, REMOTE_ADDR="10.66.0.1").status_code == 429


def test_a_valid_form_replayed_from_many_addresses_counts_once_toward_the_link(client, whole, settings):
    settings.SURVEY_RATE_PER_LINK = 2
    data = answers(whole, token_of(client.get(url(whole))))
    assert client.post(url(whole), data).status_code == 302
    for n in range(5):
        assert Client().post(url(whole), data, REMOTE_ADDR=f"10.66.1.{n}").status_code == 409
    browser = Client()
    loaded = browser.get(url(whole), REMOTE_ADDR="10.77.1.1")
    assert browser.post(url(whole), answers(whole, token_of(loaded)), REMOTE_ADDR="10.77.1.1").status_code == 302


def test_the_link_limit_still_holds_for_real_submissions(whole, settings):
    settings.SURVEY_RATE_PER_LINK = 2
    statuses = []
    for n in range(3):
        browser = Client()
        loaded = browser.get(url(whole), REMOTE_ADDR=f"10.77.2.{n}")
        statuses.append(
            browser.post(url(whole), answers(whole, token_of(loaded)), REMOTE_ADDR=f"10.77.2.{n}").status_code
        )
    assert statuses == [302, 302, 429]
    assert SurveyResponse.objects.count() == 2


# --- Item 11: one contact written several ways is one person ----------------------------------

SAME_PHONE = [
    "0812-3456-7890",
    "00812 3456 7890",
    "0812 3456 7890",
    "0812.3456.7890",
    "(0812) 3456-7890",
    "+62 812 3456 7890",
    "+62 (0)812 3456 7890",
    "62 812 3456 7890",
    "0062 812 3456 7890",
    "81234567890",
]
SAME_EMAIL = ["orang@example.com", "orang+1@example.com", "Orang+survei@Example.COM", " ORANG@example.com "]
SAME_GMAIL = ["orang.baik@gmail.com", "orangbaik@gmail.com", "O.Rang.Baik+2@googlemail.com"]


@pytest.mark.parametrize("written", SAME_PHONE)
def test_a_phone_number_written_otherwise_hashes_alike(written):
    assert keyed_hash("contact", written) == keyed_hash("contact", SAME_PHONE[0])


@pytest.mark.parametrize("written", SAME_EMAIL)
def test_an_email_address_with_another_case_or_a_sub_address_hashes_alike(written):
    assert keyed_hash("contact", written) == keyed_hash("contact", SAME_EMAIL[0])


@pytest.mark.parametrize("written", SAME_GMAIL)
def test_a_gmail_address_hashes_alike_whatever_its_dots(written):
    assert keyed_hash("contact", written) == keyed_hash("contact", SAME_GMAIL[0])


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("0812 3456 7890", "0812 3456 7891"),
        ("0549 21234", "0621 21234"),  # Sangatta's area code and another (not a country code)
        ("orang.baik@example.com", "orangbaik@example.com"),  # dots count outside gmail
        ("orang@example.com", "orang@example.co.id"),
    ],
)
def test_different_contacts_stay_different(one, other):
    assert keyed_hash("contact", one) != keyed_hash("contact", other)


@pytest.mark.parametrize(
    ("first", "second"), [("00812 3456 7890", "0812-3456-7890"), ("orang+1@example.com", "orang@example.com")]
)
def test_the_second_response_of_a_contact_written_otherwise_is_refused(whole, first, second):
    browser = Client()
    assert browser.post(url(whole), answers(whole, token_of(browser.get(url(whole))), contact=first)).status_code == 302
    browser = Client()
    again = browser.post(url(whole), answers(whole, token_of(browser.get(url(whole))), contact=second))
    assert again.status_code == 409
    assert "Anda sudah mengisi formulir ini dengan kontak yang sama" in again.content.decode()


def legacy_hash(key):
    """A contact hash stored before normalisation changed (the key as the old rule made it)."""
    return hmac.new(django_settings.SECRET_KEY.encode(), f"contact:{key}".encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize(
    ("typed", "old_key"),
    [("orang+1@example.com", "orang+1@example.com"), ("00812 3456 7890", "081234567890")],
)
def test_a_contact_stored_under_the_old_rule_is_still_recognised(client, whole, typed, old_key):
    make_survey_response(whole, contact_hash=legacy_hash(old_key))
    again = client.post(url(whole), answers(whole, token_of(client.get(url(whole))), contact=typed))
    assert again.status_code == 409
    assert SurveyResponse.objects.count() == 1


def test_the_old_rule_is_what_the_stored_hashes_were_made_with():
    # Unchanged forms keep their hash: only the forms the old rule missed change.
    assert keyed_hash("contact", "0812-3456-7890") == legacy_hash("81234567890")
    assert keyed_hash("contact", "Warga@Example.id") == legacy_hash("warga@example.id")
    assert re.fullmatch(r"[0-9a-f]{64}", keyed_hash("device", "perangkat"))
