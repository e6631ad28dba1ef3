"""Impact survey setup (coordinators: dates, programmes, split, targets, public links) and the
enumerator links of the owning agencies (operators)."""

import re
from datetime import date

import pytest

from evaluations.models import Enumerator, ImpactSurvey, SurveyForm, SurveyProgramme, SurveySetupRefused
from pillars.models import Pillar, SubDimension

from .factories import make_agency, make_impact_survey, make_operator, make_quick_win, make_survey_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey(period, agency_a, agency_b):
    """Every programme is agency A's except Smart Economy's, which are agency B's."""
    survey = make_impact_survey(period, agency=agency_a)
    SurveyProgramme.objects.filter(survey=survey, subdimension__pillar__code="ECO").update(agency=agency_b)
    return survey


def form_of(survey, pillar):
    return survey.forms.get(pillar__code=pillar, subdimension__isnull=True)


def pillar_post(survey, pillar="GOV", **overrides):
    """The pillar page's fields as they stand, with `overrides` (field name -> value)."""
    data = {}
    for programme in SurveyProgramme.objects.filter(survey=survey, subdimension__pillar__code=pillar):
        prefix = programme.subdimension.code
        data[f"{prefix}-name"] = programme.name
        data[f"{prefix}-agency"] = str(programme.agency_id)
        data[f"{prefix}-quick_win"] = str(programme.quick_win_id or "")
    for form in SurveyForm.objects.filter(survey=survey, pillar__code=pillar):
        data[f"target-{form.pk}-target"] = str(form.target)
    data.update(overrides)
    return data


# --- creating the survey and its dates ----------------------------------------------------------
def test_a_coordinator_creates_the_survey_with_one_form_of_50_per_pillar(as_coordinator, period):
    response = as_coordinator.post(
        f"/survei-dampak/{period.pk}/atur/", {"opens": "2024-09-02", "closes": "2024-09-30"}, follow=True
    )
    survey = ImpactSurvey.objects.get(period=period)
    assert (survey.opens, survey.closes) == (date(2024, 9, 2), date(2024, 9, 30))
    forms = SurveyForm.objects.filter(survey=survey)
    assert sorted(forms.values_list("pillar__code", flat=True)) == ["BRA", "ECO", "ENV", "GOV", "LIV", "SOC"]
    assert set(forms.values_list("subdimension", "target")) == {(None, 50)}
    assert "Survei dampak dibuat" in response.content.decode()


def test_a_close_date_before_the_open_date_is_refused_in_indonesian(as_coordinator, period):
    response = as_coordinator.post(f"/survei-dampak/{period.pk}/atur/", {"opens": "2024-09-30", "closes": "2024-09-01"})
    assert response.status_code == 400
    assert "Tanggal ditutup tidak boleh sebelum tanggal dibuka." in response.content.decode()
    assert not ImpactSurvey.objects.filter(period=period).exists()


def test_a_coordinator_changes_the_dates_of_the_survey(as_coordinator, survey):
    response = as_coordinator.post(
        f"/survei-dampak/{survey.period_id}/atur/", {"opens": "2024-10-01", "closes": "2024-10-15"}
    )
    assert response.status_code == 302
    survey.refresh_from_db()
    assert (survey.opens, survey.closes) == (date(2024, 10, 1), date(2024, 10, 15))
    assert SurveyForm.objects.filter(survey=survey).count() == 6


def test_the_setup_page_shows_every_public_link_as_an_absolute_url_and_in_a_copy_box(as_coordinator, survey):
    html = as_coordinator.get(f"/survei-dampak/{survey.period_id}/atur/").content.decode()
    box = re.search(r'<textarea id="survey-links"[^>]*>(.*?)</textarea>', html, re.S).group(1)
    for form in SurveyForm.objects.filter(survey=survey):
        assert f'href="http://testserver/s/{form.token}/"' in html
        assert f"{form.pillar.name}: http://testserver/s/{form.token}/" in box
    assert len(box.strip().splitlines()) == 6


def test_a_leader_sees_the_setup_but_cannot_change_the_dates(client, leader, survey):
    client.force_login(leader)
    html = client.get(f"/survei-dampak/{survey.period_id}/atur/").content.decode()
    assert "Simpan tanggal" not in html and f"/s/{form_of(survey, 'GOV').token}/" in html
    response = client.post(f"/survei-dampak/{survey.period_id}/atur/", {"opens": "2024-10-01", "closes": "2024-10-15"})
    assert response.status_code == 403


# --- programmes and targets of a pillar -----------------------------------------------------------
def test_choosing_a_quick_win_fills_the_programme_name_and_agency(as_coordinator, survey, agency_b):
    quick_win = make_quick_win(
        survey.period,
        agency_b,
        status="ditetapkan",
        pillar="GOV",
        subdimension=SubDimension.objects.get(code="GOV-1"),
        name="Mal Pelayanan Publik",
    )
    data = pillar_post(survey, **{"GOV-1-quick_win": str(quick_win.pk), "GOV-1-name": "", "GOV-1-agency": ""})
    response = as_coordinator.post(f"/survei-dampak/{survey.period_id}/atur/GOV/", data)
    assert response.status_code == 302
    programme = SurveyProgramme.objects.get(survey=survey, subdimension__code="GOV-1")
    assert (programme.name, programme.agency, programme.quick_win) == ("Mal Pelayanan Publik", agency_b, quick_win)


def test_the_pillar_page_offers_the_quick_wins_of_its_subdimension_but_not_rejected_ones(as_coordinator, survey):
    agency = survey.programmes.first().agency
    make_quick_win(survey.period, agency, status="ditetapkan", pillar="GOV", name="PBB Online")
    make_quick_win(survey.period, agency, status="ditolak", pillar="GOV", name="Ditolak Saja")
    make_quick_win(survey.period, agency, status="ditetapkan", pillar="ENV", name="Bank Sampah")
    html = as_coordinator.get(f"/survei-dampak/{survey.period_id}/atur/GOV/").content.decode()
    assert "PBB Online" in html
    assert "Ditolak Saja" not in html and "Bank Sampah" not in html


def test_a_programme_without_agency_is_refused_and_nothing_is_saved(as_coordinator, survey):
    data = pillar_post(survey, **{"GOV-2-name": "Musrenbang Online", "GOV-2-agency": ""})
    response = as_coordinator.post(f"/survei-dampak/{survey.period_id}/atur/GOV/", data)
    assert response.status_code == 400
    assert "Pilih perangkat daerah pemilik program." in response.content.decode()
    assert SurveyProgramme.objects.get(survey=survey, subdimension__code="GOV-2").name != "Musrenbang Online"


@pytest.mark.parametrize(
    ("target", "message"),
    [("0", "Target paling sedikit 1 responden."), ("1001", "Target paling banyak 1000 responden.")],
)
def test_a_target_outside_1_to_1000_is_refused(as_coordinator, survey, target, message):
    form = form_of(survey, "GOV")
    response = as_coordinator.post(
        f"/survei-dampak/{survey.period_id}/atur/GOV/", pillar_post(survey, **{f"target-{form.pk}-target": target})
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    form.refresh_from_db()
    assert form.target == 50


def test_programmes_and_targets_are_saved_together(as_coordinator, survey, agency_b):
    form = form_of(survey, "GOV")
    data = pillar_post(
        survey, **{"GOV-3-name": "SRIKANDI", "GOV-3-agency": str(agency_b.pk), f"target-{form.pk}-target": "75"}
    )
    assert as_coordinator.post(f"/survei-dampak/{survey.period_id}/atur/GOV/", data).status_code == 302
    form.refresh_from_db()
    programme = SurveyProgramme.objects.get(survey=survey, subdimension__code="GOV-3")
    assert (form.target, programme.name, programme.agency) == (75, "SRIKANDI", agency_b)


# --- splitting a pillar -------------------------------------------------------------------------
def test_splitting_a_pillar_makes_one_form_per_subdimension_and_joining_makes_one_again(as_coordinator, survey):
    old = form_of(survey, "LIV")
    as_coordinator.post(f"/survei-dampak/{survey.period_id}/atur/LIV/pecah/", {"split": "1"})
    forms = SurveyForm.objects.filter(survey=survey, pillar__code="LIV")
    assert sorted(forms.values_list("subdimension__code", flat=True)) == ["LIV-1", "LIV-2", "LIV-3"]
    assert not SurveyForm.objects.filter(pk=old.pk).exists()
    as_coordinator.post(f"/survei-dampak/{survey.period_id}/atur/LIV/pecah/", {"split": "0"})
    assert list(forms.values_list("subdimension", flat=True)) == [None]


def test_splitting_a_pillar_with_responses_is_refused_with_a_clear_message(as_coordinator, survey):
    form = form_of(survey, "GOV")
    make_survey_response(form)
    response = as_coordinator.post(f"/survei-dampak/{survey.period_id}/atur/GOV/pecah/", {"split": "1"}, follow=True)
    html = response.content.decode()
    assert "Pembagian formulir pilar Smart Governance tidak dapat diubah karena sudah ada respons." in html
    assert list(SurveyForm.objects.filter(survey=survey, pillar__code="GOV")) == [form]


def test_another_pillar_can_still_be_split_when_one_has_responses(survey):
    make_survey_response(form_of(survey, "GOV"))
    assert survey.set_split(Pillar.objects.get(code="ENV"), True) is True
    with pytest.raises(SurveySetupRefused):
        survey.set_split(Pillar.objects.get(code="GOV"), True)
    assert survey.set_split(Pillar.objects.get(code="GOV"), False) is False  # already one form


# --- enumerator links ---------------------------------------------------------------------------
def test_an_operator_sees_only_the_forms_of_their_agencys_programmes(client_a, survey):
    html = client_a.get(f"/survei-dampak/{survey.period_id}/enumerator/").content.decode()
    for code in ["GOV", "BRA", "LIV", "SOC", "ENV"]:
        assert f"/s/{form_of(survey, code).token}/" in html
    assert form_of(survey, "ECO").token not in html


def test_an_operator_adds_an_enumerator_and_gets_a_tagged_link(client_a, survey, agency_a):
    form = form_of(survey, "GOV")
    response = client_a.post(
        f"/survei-dampak/{survey.period_id}/enumerator/{form.pk}/tambah/", {f"enum-{form.pk}-name": "Siti"}, follow=True
    )
    enumerator = Enumerator.objects.get(form=form)
    assert (enumerator.name, enumerator.agency) == ("Siti", agency_a)
    link = f"http://testserver/s/{form.token}/{enumerator.token}/"
    assert f"Tautan untuk Siti dibuat: {link}" in response.content.decode()
    assert f'value="{link}"' in response.content.decode()


def test_a_duplicate_or_empty_enumerator_name_is_refused_in_indonesian(client_a, survey, agency_a):
    form = form_of(survey, "GOV")
    form.add_enumerator(agency_a, "Siti")
    url = f"/survei-dampak/{survey.period_id}/enumerator/{form.pk}/tambah/"
    response = client_a.post(url, {f"enum-{form.pk}-name": "siti"})
    assert response.status_code == 400
    assert "Enumerator bernama siti sudah ada di formulir ini." in response.content.decode()
    assert "Isi nama enumerator." in client_a.post(url, {f"enum-{form.pk}-name": ""}).content.decode()
    assert Enumerator.objects.filter(form=form).count() == 1


def test_each_link_shows_its_response_count(client_a, survey, agency_a):
    form = form_of(survey, "GOV")
    siti, budi = form.add_enumerator(agency_a, "Siti"), form.add_enumerator(agency_a, "Budi")
    for _n in range(3):
        make_survey_response(form, enumerator=siti)
    make_survey_response(form)  # the untagged link: no enumerator's
    html = client_a.get(f"/survei-dampak/{survey.period_id}/enumerator/").content.decode()
    counts = dict(re.findall(r"<tr><td>(\w+)</td>.*?<td class=\"text-end\">(\d+)</td></tr>", html, re.S))
    assert counts == {"Budi": "0", "Siti": "3"}
    assert budi.token in html


def test_another_agencys_operator_gets_404_and_never_sees_its_links_or_counts(client, survey, agency_a, agency_b):
    gov = form_of(survey, "GOV")
    siti = gov.add_enumerator(agency_a, "Siti")
    make_survey_response(gov, enumerator=siti)
    client.force_login(make_operator(agency_b, "operator_eco"))
    response = client.post(
        f"/survei-dampak/{survey.period_id}/enumerator/{gov.pk}/tambah/", {f"enum-{gov.pk}-name": "X"}
    )
    assert response.status_code == 404
    html = client.get(f"/survei-dampak/{survey.period_id}/enumerator/").content.decode()
    assert siti.token not in html and gov.token not in html and "Siti" not in html
    assert f"/s/{form_of(survey, 'ECO').token}/" in html
    assert not Enumerator.objects.filter(name="X").exists()


def test_an_operator_of_a_shared_form_sees_only_their_own_agencys_links(client, survey, agency_a, agency_b):
    SurveyProgramme.objects.filter(survey=survey, subdimension__code="GOV-2").update(agency=agency_b)
    gov = form_of(survey, "GOV")
    gov.add_enumerator(agency_a, "Siti")
    gov.add_enumerator(agency_b, "Bayu")
    client.force_login(make_operator(agency_b, "operator_gov2"))
    html = client.get(f"/survei-dampak/{survey.period_id}/enumerator/").content.decode()
    assert "Bayu" in html and "Siti" not in html


def test_a_coordinator_sees_every_agencys_links_and_chooses_the_agency_of_a_new_one(
    as_coordinator, survey, agency_a, agency_b
):
    SurveyProgramme.objects.filter(survey=survey, subdimension__code="GOV-2").update(agency=agency_b)
    gov = form_of(survey, "GOV")
    gov.add_enumerator(agency_a, "Siti")
    form_of(survey, "ECO").add_enumerator(agency_b, "Bayu")
    html = as_coordinator.get(f"/survei-dampak/{survey.period_id}/enumerator/").content.decode()
    assert "Siti" in html and "Bayu" in html
    url = f"/survei-dampak/{survey.period_id}/enumerator/{gov.pk}/tambah/"
    assert "Pilih perangkat daerah." in as_coordinator.post(url, {f"enum-{gov.pk}-name": "Rina"}).content.decode()
    as_coordinator.post(url, {f"enum-{gov.pk}-name": "Rina", f"enum-{gov.pk}-agency": str(agency_b.pk)})
    assert Enumerator.objects.get(name="Rina").agency == agency_b


def test_an_operator_whose_agency_owns_no_programme_sees_an_explanation(client, survey):
    client.force_login(make_operator(make_agency(), "operator_lain"))
    html = client.get(f"/survei-dampak/{survey.period_id}/enumerator/").content.decode()
    assert "belum memiliki program dalam survei dampak" in html
    assert "/s/" not in html


def test_the_menu_entry_leads_coordinators_to_the_setup_and_operators_to_their_links(
    client, coordinator, operator_a, period
):
    client.force_login(coordinator)
    assert "Survei dampak" in client.get("/").content.decode()
    assert client.get("/survei-dampak/")["Location"] == f"/survei-dampak/{period.pk}/atur/"
    client.force_login(operator_a)
    assert client.get("/survei-dampak/")["Location"] == f"/survei-dampak/{period.pk}/enumerator/"


# --- queries do not grow with the data ----------------------------------------------------------
def _links_everywhere(survey, agency, forms):
    for form in SurveyForm.objects.filter(survey=survey).order_by("pillar__order")[:forms]:
        for name in ("Siti", "Budi"):
            enumerator = form.add_enumerator(agency, name)
            make_survey_response(form, enumerator=enumerator)


@pytest.mark.parametrize("forms", [1, 6])
def test_the_operator_page_takes_the_same_queries_for_one_or_six_pillars_of_links(
    client_a, period, agency_a, forms, django_assert_num_queries
):
    survey = make_impact_survey(period, agency=agency_a)
    _links_everywhere(survey, agency_a, forms)
    # session, user, permissions, agency, survey, forms, links with counts, programmes, bell
    with django_assert_num_queries(8):
        html = client_a.get(f"/survei-dampak/{period.pk}/enumerator/").content.decode()
    assert html.count("<tr><td>Siti</td>") == forms


@pytest.mark.parametrize("split", [(), ("GOV", "BRA", "ECO", "LIV", "SOC", "ENV")])
def test_the_setup_page_takes_the_same_queries_with_one_or_three_forms_per_pillar(
    as_coordinator, period, agency_a, split, django_assert_num_queries
):
    survey = make_impact_survey(period, split=split, agency=agency_a)
    for form in survey.forms.all():
        make_survey_response(form)
    # session, user, permissions, period, survey, programmes, forms with counts, pillars and
    # their sub-dimensions, the menu's agency look-up, bell
    with django_assert_num_queries(10):
        html = as_coordinator.get(f"/survei-dampak/{period.pk}/atur/").content.decode()
    assert html.count('class="survey-link"') == (18 if split else 6)


@pytest.mark.parametrize("split", [False, True])
def test_the_pillar_page_takes_the_same_queries_split_or_not(
    as_coordinator, period, agency_a, split, django_assert_num_queries
):
    make_impact_survey(period, split=("GOV",) if split else (), agency=agency_a)
    make_quick_win(period, agency_a, status="ditetapkan", pillar="GOV")
    # session, user, permissions, survey, pillar and its sub-dimensions, programmes, forms with
    # counts, quick wins, agencies, the menu's agency look-up, bell
    with django_assert_num_queries(11):
        html = as_coordinator.get(f"/survei-dampak/{period.pk}/atur/GOV/").content.decode()
    assert html.count("survey-form-target") == (3 if split else 1)
