"""The coordinators' watch-and-clean pages of the impact survey (/survei-dampak/<period>/pantau/):
flags on constructed responses, counts per form, day, enumerator and profile computed by hand,
exclusion with a reason and its undo, who may see and act, and pinned query counts."""

import re
from datetime import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from evaluations.models import (
    Enumerator,
    Kecamatan,
    SurveyForm,
    SurveyResponse,
    SurveyResponseEvent,
    SurveyStatement,
    TransitionError,
)

from .factories import make_impact_survey, make_survey_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(period):
    return make_impact_survey(period, split=("ECO",))


def _form(survey, pillar, sub=None):
    return SurveyForm.objects.get(survey=survey, pillar__code=pillar, subdimension__code=sub)


@pytest.fixture
def gov(survey):
    return _form(survey, "GOV")


@pytest.fixture
def bra(survey):
    return _form(survey, "BRA")


@pytest.fixture
def eco_forms(survey):
    return list(SurveyForm.objects.filter(survey=survey, pillar__code="ECO").order_by("subdimension__order"))


def varied(form, **overrides):
    """Scores 0, 1, 2, 3, 4, 0, ... over the form's statements: no straight line."""
    statements = SurveyStatement.objects.filter(national_id=form.survey.period.national_id)
    statements = (
        statements.filter(subdimension=form.subdimension)
        if form.subdimension_id
        else statements.filter(subdimension__pillar=form.pillar)
    )
    scores = {s.code: n % 5 for n, s in enumerate(statements.order_by("code"))}
    scores.update(overrides)
    return scores


def clean(form, **kwargs):
    """A response that raises no flag."""
    kwargs.setdefault("scores", varied(form))
    return make_survey_response(form, **kwargs)


def flags_of(response):
    return {flag.code for flag in SurveyResponse.objects.with_flags().get(pk=response.pk).flags}


def _text(html):
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def row_text(response, attr, value):
    """The visible text of the table row marked data-<attr>="<value>"."""
    html = response.content.decode()
    match = re.search(rf'<tr[^>]*data-{attr}="{value}"[^>]*>(.*?)</tr>', html, re.S)
    assert match, f"no row data-{attr}={value}"
    return _text(match.group(1))


def local(year, month, day, hour=10, minute=0):
    return timezone.make_aware(datetime(year, month, day, hour, minute))


# --- Flags -------------------------------------------------------------------------------------


def test_a_clean_response_raises_no_flag(gov):
    assert flags_of(clean(gov)) == set()


def test_the_same_contact_in_another_pillar_flags_both_responses(gov, bra):
    first = clean(gov, contact_hash="h-ani")
    second = clean(bra, contact_hash="h-ani")
    other = clean(gov, contact_hash="h-budi")
    assert flags_of(first) == {"reuse"}
    assert flags_of(second) == {"reuse"}
    assert flags_of(other) == set()


def test_the_same_contact_in_two_forms_of_one_split_pillar_is_not_reuse(eco_forms):
    first = clean(eco_forms[0], contact_hash="h-ani")
    clean(eco_forms[1], contact_hash="h-ani")
    assert flags_of(first) == set()


def test_responses_without_contact_are_never_reuse(gov, bra):
    first = clean(gov)
    clean(bra)
    assert flags_of(first) == set()


def test_the_same_device_on_the_public_links_of_two_pillars_is_reuse(gov, bra):
    first = clean(gov, device_hash="d-1")
    clean(bra, device_hash="d-1")
    assert flags_of(first) == {"reuse"}


def test_an_enumerators_phone_used_for_two_pillars_is_not_reuse(gov, bra, agency_a):
    enumerator = Enumerator.objects.create(form=bra, agency=agency_a, name="Sari")
    first = clean(gov, device_hash="d-1")
    second = clean(bra, device_hash="d-1", enumerator=enumerator)
    assert flags_of(first) == set()
    assert flags_of(second) == set()


def test_reuse_is_gone_once_the_copy_in_the_other_pillar_is_excluded(gov, bra, coordinator):
    first = clean(gov, contact_hash="h-ani")
    copy = clean(bra, contact_hash="h-ani")
    copy.exclude(coordinator, "Responden sama dengan pilar GOV")
    assert flags_of(first) == set()
    assert flags_of(copy) == {"reuse"}


def test_a_programme_never_used_flags_the_response(gov):
    assert flags_of(clean(gov, frequency="never")) == {"not_used"}


def test_a_statement_rated_never_used_flags_the_response(gov):
    first = min(varied(gov))  # the form's first statement code (the shipped wording: GOV.1.1)
    response = clean(gov, scores=varied(gov, **{first: None}))
    assert flags_of(response) == {"not_used"}


def test_a_form_sent_faster_than_the_threshold_is_flagged(gov):
    # The GOV form has 9 statements: 3 s each is 27 s.
    assert flags_of(clean(gov, seconds=26)) == {"too_fast"}
    assert flags_of(clean(gov, seconds=27)) == set()


def test_the_threshold_follows_the_setting(gov, settings):
    settings.SURVEY_MIN_SECONDS_PER_STATEMENT = 10
    assert flags_of(clean(gov, seconds=89)) == {"too_fast"}
    assert flags_of(clean(gov, seconds=90)) == set()


def test_a_straight_line_is_flagged(gov):
    assert flags_of(make_survey_response(gov, scores=2)) == {"straight"}


def test_three_equal_ratings_of_a_sub_dimension_form_are_a_straight_line(eco_forms):
    form = eco_forms[0]
    codes = sorted(varied(form))
    assert flags_of(make_survey_response(form, scores=dict.fromkeys(codes, 4))) == {"straight"}


def test_fewer_than_three_rated_statements_are_no_straight_line(eco_forms):
    form = eco_forms[0]
    codes = sorted(varied(form))
    response = make_survey_response(form, scores={codes[0]: 4, codes[1]: 4, codes[2]: None})
    assert flags_of(response) == {"not_used"}


# --- The overview ------------------------------------------------------------------------------


def test_the_overview_counts_each_form_against_its_target(client, coordinator, period, gov, bra, eco_forms):
    gov.target = 4
    gov.save()
    clean(gov)
    clean(gov, frequency="never")  # flagged, still counted
    clean(gov, seconds=5).exclude(coordinator, "Uji coba")  # flagged and excluded
    clean(eco_forms[0])
    clean(eco_forms[1], contact_hash="h")
    clean(bra, contact_hash="h")  # reuse with ECO's second form
    client.force_login(coordinator)
    response = client.get(f"/survei-dampak/{period.pk}/pantau/")
    assert response.status_code == 200
    assert row_text(response, "row", gov.pk) == (
        "Smart Governance Dihitung / target: 2 / 4 (50%) 50% "
        "Semua respons: 3 Menunggu tinjauan: 0 Dikeluarkan: 1 Bertanda: 2 (1 masih dihitung)"
    )
    assert "1 / 50 (2%)" in row_text(response, "row", bra.pk)
    assert "Bertanda: 1" in row_text(response, "row", eco_forms[1].pk)
    assert "Bertanda: 0" in row_text(response, "row", eco_forms[2].pk)
    html = response.content.decode()
    # The split pillar's total row: 2 of 150.
    eco_total = re.search(r'<tr data-row="pillar"[^>]*>\s*<th scope="row">Smart Economy.*?</tr>', html, re.S)
    assert "2 / 150 (1%)" in _text(eco_total.group(0))
    assert "Responden dipakai ulang" in html and "Jawaban seragam" in html  # the legend


def test_the_overview_caps_the_bar_at_the_target_but_not_the_percentage(client, coordinator, period, gov):
    gov.target = 1
    gov.save()
    clean(gov)
    clean(gov)
    client.force_login(coordinator)
    response = client.get(f"/survei-dampak/{period.pk}/pantau/")
    assert "2 / 1 (200%)" in row_text(response, "row", gov.pk)
    assert 'max="1" value="1"' in response.content.decode()


# --- One form ----------------------------------------------------------------------------------


def test_responses_are_counted_per_local_day(client, coordinator, period, gov):
    clean(gov, submitted_at=local(2026, 10, 1, 7, 30))  # 23:30 UTC the day before: still 1 October here
    clean(gov, submitted_at=local(2026, 10, 1, 15))
    clean(gov, submitted_at=local(2026, 10, 3, 9)).exclude(coordinator, "Ganda")
    clean(gov, submitted_at=local(2026, 10, 3, 10))
    client.force_login(coordinator)
    response = client.get(f"/survei-dampak/{period.pk}/pantau/{gov.pk}/")
    assert row_text(response, "day", "2026-10-01").endswith("Masuk: 2 Dihitung: 2 Kumulatif dihitung: 2 2")
    assert row_text(response, "day", "2026-10-03").endswith("Masuk: 2 Dihitung: 1 Kumulatif dihitung: 3 2")
    assert 'data-day="2026-10-02"' not in response.content.decode()


def test_responses_are_counted_per_enumerator_and_public_link(client, coordinator, period, gov, agency_a):
    sari = Enumerator.objects.create(form=gov, agency=agency_a, name="Sari")
    idle = Enumerator.objects.create(form=gov, agency=agency_a, name="Udin")
    clean(gov, enumerator=sari)
    clean(gov, enumerator=sari).exclude(coordinator, "Salah formulir")
    clean(gov)
    client.force_login(coordinator)
    response = client.get(f"/survei-dampak/{period.pk}/pantau/{gov.pk}/")
    assert row_text(response, "enumerator", sari.pk) == "Sari Diskominfo Staper Masuk: 2 Dihitung: 1"
    assert row_text(response, "enumerator", idle.pk) == "Udin Diskominfo Staper Masuk: 0 Dihitung: 0"
    assert row_text(response, "enumerator", "none") == "Tanpa enumerator (tautan publik) Masuk: 1 Dihitung: 1"


def test_the_profile_mix_counts_responses_that_count(client, coordinator, period, gov):
    sangatta = Kecamatan.objects.get(name="Sangatta Utara")
    busang = Kecamatan.objects.get(name="Busang")
    clean(gov, age_band="20-29", occupation="tani", kecamatan=sangatta)
    clean(gov, age_band="20-29", occupation="asn", kecamatan=sangatta, frequency="some")
    clean(gov, age_band="40-49", occupation="asn", kecamatan=busang, frequency="never")
    clean(gov, age_band="60+", occupation="tani", kecamatan=busang).exclude(coordinator, "Bukan warga")
    client.force_login(coordinator)
    text = _text(client.get(f"/survei-dampak/{period.pk}/pantau/{gov.pk}/").content.decode())
    assert "Dari 3 respons yang dihitung." in text
    assert "20–29 tahun 2 67%" in text
    assert "40–49 tahun 1 33%" in text
    assert "60 tahun ke atas 0 0%" in text  # the excluded respondent is left out
    assert "ASN / TNI / Polri 2 67%" in text
    assert "Petani / pekebun / nelayan / peternak 1 33%" in text
    assert "Sangatta Utara 2 67%" in text
    assert "Busang 1 33%" in text
    # Every GOV programme: used often by 1, some times by 1, never by 1.
    assert text.count("Belum pernah: 1 (33%) Sekali: 0 (0%) Beberapa kali: 1 (33%) Sering / rutin: 1 (33%)") == 3


def test_the_list_filters_flagged_and_excluded_responses(client, coordinator, period, gov):
    ok = clean(gov)
    fast = clean(gov, seconds=3)
    gone = clean(gov)
    gone.exclude(coordinator, "Responden fiktif")
    client.force_login(coordinator)
    url = f"/survei-dampak/{period.pk}/pantau/{gov.pk}/"

    def listed(query):
        html = client.get(url + query).content.decode()
        return set(map(int, re.findall(r'<tr data-response="(\d+)"', html)))

    assert listed("") == {ok.pk, fast.pk, gone.pk}
    assert listed("?tampil=bermasalah") == {fast.pk}
    assert listed("?tampil=dikeluarkan") == {gone.pk}
    assert listed("?tampil=dihitung") == {ok.pk, fast.pk}
    assert listed("?tanda=too_fast") == {fast.pk}
    response = client.get(url)
    assert "Terlalu cepat" in row_text(response, "response", fast.pk)
    assert "Dikeluarkan Responden fiktif" in row_text(response, "response", gone.pk)


def test_the_list_shows_fifty_responses_a_page(client, coordinator, period, gov):
    for _n in range(51):
        clean(gov)
    client.force_login(coordinator)
    url = f"/survei-dampak/{period.pk}/pantau/{gov.pk}/"
    first = client.get(url).content.decode()
    assert first.count("<tr data-response=") == 50
    assert "Halaman 1 dari 2" in first
    assert client.get(url + "?halaman=2").content.decode().count("<tr data-response=") == 1


# --- Excluding and including ---------------------------------------------------------------------


def test_a_coordinator_excludes_a_response_with_a_reason(client, coordinator, period, gov):
    response = clean(gov)
    client.force_login(coordinator)
    url = f"/survei-dampak/{period.pk}/pantau/respons/{response.pk}/"
    answer = client.post(url + "keluarkan/", {"reason": "Bukan pengguna program"}, follow=True)
    assert answer.redirect_chain == [(url, 302)]
    assert f"Respons #{response.pk} dikeluarkan" in answer.content.decode()
    response.refresh_from_db()
    assert response.is_excluded and response.excluded_by == coordinator
    assert response.exclusion_reason == "Bukan pengguna program"
    assert SurveyResponse.objects.filter(pk=response.pk).exists()  # kept
    event = SurveyResponseEvent.objects.get(response=response)
    assert (event.action, event.actor, event.note) == ("excluded", coordinator, "Bukan pengguna program")
    assert SurveyResponse.objects.filter(form=gov).counts_per_form()[gov.pk]["counted"] == 0


def test_a_reason_is_required(client, coordinator, period, gov):
    response = clean(gov)
    client.force_login(coordinator)
    answer = client.post(f"/survei-dampak/{period.pk}/pantau/respons/{response.pk}/keluarkan/", {"reason": "  "})
    assert answer.status_code == 400
    assert "Tulis alasan mengeluarkan respons ini." in answer.content.decode()
    response.refresh_from_db()
    assert not response.is_excluded and not SurveyResponseEvent.objects.exists()


def test_a_reason_longer_than_500_characters_is_refused(client, coordinator, period, gov):
    response = clean(gov)
    client.force_login(coordinator)
    answer = client.post(f"/survei-dampak/{period.pk}/pantau/respons/{response.pk}/keluarkan/", {"reason": "x" * 501})
    assert answer.status_code == 400
    response.refresh_from_db()
    assert not response.is_excluded


def test_the_second_coordinator_excluding_the_same_response_is_told(client, coordinator, admin_user, period, gov):
    response = clean(gov)
    stale = SurveyResponse.objects.get(pk=response.pk)  # the page the second one still has open
    response.exclude(admin_user, "Ganda")
    with pytest.raises(TransitionError, match="sudah dikeluarkan oleh admin"):
        stale.exclude(coordinator, "Responden fiktif")
    client.force_login(coordinator)
    url = f"/survei-dampak/{period.pk}/pantau/respons/{response.pk}/"
    answer = client.post(url + "keluarkan/", {"reason": "Responden fiktif"}, follow=True)
    assert "sudah dikeluarkan oleh admin" in answer.content.decode()
    response.refresh_from_db()
    assert response.exclusion_reason == "Ganda" and response.excluded_by == admin_user
    assert SurveyResponseEvent.objects.count() == 1


def test_including_a_response_again_is_recorded(client, coordinator, period, gov):
    response = clean(gov)
    response.exclude(coordinator, "Ganda")
    client.force_login(coordinator)
    url = f"/survei-dampak/{period.pk}/pantau/respons/{response.pk}/"
    answer = client.post(url + "kembalikan/", {"note": "Ternyata bukan ganda"}, follow=True)
    assert f"Respons #{response.pk} dihitung kembali." in answer.content.decode()
    response.refresh_from_db()
    assert not response.is_excluded and response.exclusion_reason == "" and response.excluded_by is None
    actions = list(SurveyResponseEvent.objects.filter(response=response).order_by("pk").values_list("action", "note"))
    assert actions == [("excluded", "Ganda"), ("included", "Ternyata bukan ganda")]
    history = _text(answer.content.decode())
    assert "Dihitung kembali · koordinator" in history and "Dikeluarkan · koordinator" in history
    # Including twice: the second is told.
    again = client.post(url + "kembalikan/", {}, follow=True)
    assert "sudah dihitung kembali" in again.content.decode()
    assert SurveyResponseEvent.objects.filter(response=response).count() == 2


def test_the_model_refuses_an_operator_and_a_leader(gov, operator_a, leader):
    response = clean(gov)
    for user in (operator_a, leader):
        with pytest.raises(PermissionDenied):
            response.exclude(user, "Ganda")
    response.refresh_from_db()
    assert not response.is_excluded


def test_the_response_page_shows_flags_and_the_same_respondent_elsewhere(client, coordinator, period, gov, bra):
    response = clean(gov, contact_hash="h-ani", frequency="never")
    copy = clean(bra, contact_hash="h-ani")
    client.force_login(coordinator)
    html = client.get(f"/survei-dampak/{period.pk}/pantau/respons/{response.pk}/").content.decode()
    text = _text(html)
    assert "Responden dipakai ulang" in text and "Belum pernah memakai" in text
    assert "Terlalu cepat" not in text
    assert f"#{copy.pk} · Smart Branding" in text and "kontak sama" in text
    assert "h-ani" not in html  # the hash itself is never shown


def test_a_leader_sees_the_response_but_no_exclusion_form(client, leader, period, gov):
    response = clean(gov)
    client.force_login(leader)
    page = client.get(f"/survei-dampak/{period.pk}/pantau/respons/{response.pk}/")
    assert page.status_code == 200
    assert "keluarkan/" not in page.content.decode()
    posted = client.post(f"/survei-dampak/{period.pk}/pantau/respons/{response.pk}/keluarkan/", {"reason": "x"})
    assert posted.status_code == 403


# --- Access ------------------------------------------------------------------------------------


def test_operators_get_404_on_every_monitor_page(client, operator_a, period, gov, agency_a):
    # Even an operator whose agency owns the programmes and collected the response.
    enumerator = Enumerator.objects.create(form=gov, agency=agency_a, name="Sari")
    response = clean(gov, enumerator=enumerator)
    client.force_login(operator_a)
    base = f"/survei-dampak/{period.pk}/pantau/"
    for url in (base, f"{base}{gov.pk}/", f"{base}respons/{response.pk}/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"{base}respons/{response.pk}/keluarkan/", {"reason": "x"}).status_code == 404
    response.refresh_from_db()
    assert not response.is_excluded


def test_a_form_or_response_of_another_period_is_404(client, coordinator, period, gov):
    response = clean(gov)
    client.force_login(coordinator)
    other = period.pk + 1000
    assert client.get(f"/survei-dampak/{other}/pantau/").status_code == 404
    assert client.get(f"/survei-dampak/{other}/pantau/{gov.pk}/").status_code == 404
    assert client.get(f"/survei-dampak/{other}/pantau/respons/{response.pk}/").status_code == 404
    assert (
        client.post(f"/survei-dampak/{other}/pantau/respons/{response.pk}/keluarkan/", {"reason": "x"}).status_code
        == 404
    )


def test_a_period_without_a_survey_has_no_monitor(client, coordinator, period):
    client.force_login(coordinator)
    assert client.get(f"/survei-dampak/{period.pk}/pantau/").status_code == 404


# --- Query counts ------------------------------------------------------------------------------


def _fill(survey, gov, bra, n, agency):
    enumerator = Enumerator.objects.create(form=gov, agency=agency, name=f"E{n}")
    for i in range(n):
        clean(gov, enumerator=enumerator if i % 2 else None, contact_hash=f"h{i}", seconds=10 if i % 3 else 300)
        if i % 4 == 0:
            clean(bra, contact_hash=f"h{i}")


@pytest.mark.parametrize("n", [5, 60])
def test_the_overview_runs_a_fixed_number_of_queries(
    client, coordinator, period, survey, gov, bra, agency_a, n, django_assert_num_queries
):
    _fill(survey, gov, bra, n, agency_a)
    client.force_login(coordinator)
    # session, user, permissions, agency of the user (header), the bell; survey, forms, counts.
    with django_assert_num_queries(7):
        assert client.get(f"/survei-dampak/{period.pk}/pantau/").status_code == 200


@pytest.mark.parametrize("n", [5, 60])
def test_the_form_page_runs_a_fixed_number_of_queries(
    client, coordinator, period, survey, gov, bra, agency_a, n, django_assert_num_queries
):
    _fill(survey, gov, bra, n, agency_a)
    client.force_login(coordinator)
    # header 5; form, counts, days, enumerators, public link, 3 profile fields, programme use,
    # the page's count and rows.
    with django_assert_num_queries(15):
        assert client.get(f"/survei-dampak/{period.pk}/pantau/{gov.pk}/").status_code == 200


@pytest.mark.parametrize("n", [5, 60])
def test_the_response_page_runs_a_fixed_number_of_queries(
    client, coordinator, period, survey, gov, bra, agency_a, n, django_assert_num_queries
):
    _fill(survey, gov, bra, n, agency_a)
    response = SurveyResponse.objects.filter(form=gov, contact_hash="h0").get()
    response.exclude(coordinator, "Uji")
    client.force_login(coordinator)
    with django_assert_num_queries(9):
        assert client.get(f"/survei-dampak/{period.pk}/pantau/respons/{response.pk}/").status_code == 200


def test_the_monitor_speaks_english_after_the_switch(client, coordinator, period, gov):
    clean(gov, seconds=5)
    client.force_login(coordinator)
    client.post("/i18n/setlang/", {"language": "en"})
    text = _text(client.get(f"/survei-dampak/{period.pk}/pantau/{gov.pk}/").content.decode())
    assert "Responses per day" in text and "No enumerator (public link)" in text
    assert "Too fast" in text and "less than 3 seconds a statement" in text
