import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from evaluations import kemendagri, national, roles
from evaluations.management.commands.seed_demo import DEMO_PASSWORD
from evaluations.models import (
    Agency,
    Answer,
    Assignment,
    DatasetUpload,
    Enumerator,
    EvaluationPeriod,
    Evidence,
    ImpactSurvey,
    QuickWin,
    Region,
    RegionStaff,
    ReviewAssignment,
    RoadSegment,
    Submission,
    SurveyProgramme,
)
from evaluations.models.review_plan import queue_answers

pytestmark = pytest.mark.django_db


def test_seed_demo_creates_accounts_that_log_in_and_opens_the_period(client, settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    response = client.post("/akun/masuk/", {"username": "koordinator", "password": DEMO_PASSWORD})
    assert response.status_code == 302
    operators = User.objects.filter(groups__name=roles.OPERATOR)
    assert operators.values("agency_member__agency").distinct().count() >= 4
    period = EvaluationPeriod.objects.get(year=2024, stage="1")
    assert period.accepts_edits()


def test_seed_demo_can_run_twice(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert User.objects.filter(username="admin").count() == 1


def test_seed_demo_adds_quick_wins_and_a_file_per_data_set(settings, tmp_path):
    settings.DEBUG = True
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    assert QuickWin.objects.count() == 6
    assert QuickWin.objects.established().count() == 4
    assert DatasetUpload.objects.filter(outcome="accepted").values("kind").distinct().count() == 4
    assert RoadSegment.objects.count() == 4


def test_seed_demo_gives_bappeda_a_half_filled_draft_and_dinkes_a_submitted_one(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    bappeda = Submission.objects.get(agency__abbreviation="Bappeda")
    dinkes = Submission.objects.get(agency__abbreviation="Dinkes")
    assert bappeda.status == Submission.Status.DRAFT
    assert 0 < bappeda.answers.count() < bappeda.questions().count()
    assert dinkes.status == Submission.Status.SUBMITTED
    assert dinkes.answers.count() == dinkes.questions().count()


def test_seed_demo_splits_the_pillars_between_two_reviewers_once(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    rows = ReviewAssignment.objects.values_list("reviewer__username", "pillar__code")
    assert sorted(rows) == sorted(
        [("peninjau_bappeda", code) for code in ("LIV", "SOC", "ENV")]
        + [("koordinator", code) for code in ("GOV", "BRA", "ECO")]
    )
    reviewer = User.objects.get(username="peninjau_bappeda")
    assert roles.role_label(reviewer) == "Peninjau"
    period = EvaluationPeriod.objects.get(year=2024, stage="1")
    # Dinkes's submitted LIV answers wait on Bappeda's reviewer.
    assert queue_answers(reviewer, period).filter(submission__agency__abbreviation="Dinkes").exists()


def test_seed_demo_opens_an_impact_survey_with_the_demo_quick_wins_as_programmes(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    survey = ImpactSurvey.objects.get(period__year=2024, period__stage="1")
    assert survey.is_open() and survey.forms.count() == 6
    programmes = SurveyProgramme.objects.filter(survey=survey)
    assert programmes.count() == 18
    linked = programmes.filter(quick_win__isnull=False).values_list("subdimension__code", "name")
    assert ("GOV-3", "Portal Satu Data Kutai Timur") in linked and (
        "SOC-2",
        "Cap Jempol (Jemput Bola Warga Belajar)",
    ) in linked
    assert not programmes.filter(quick_win__status="ditolak").exists()
    enumerator = Enumerator.objects.get()
    assert (enumerator.agency.abbreviation, enumerator.form.pillar.code) == ("Diskominfo Staper", "GOV")


def test_seed_demo_gives_the_region_staff_kutai_timur_and_keeps_the_deadline_in_the_national_window(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    staff = RegionStaff.objects.filter(user__username__in=["admin", "koordinator", "pimpinan"])
    assert sorted(staff.values_list("region__code", flat=True)) == ["64.08"] * 3
    assert not RegionStaff.objects.filter(user__username__startswith="op_").exists()
    period = EvaluationPeriod.objects.get(region__code="64.08", year=2024, stage="1")
    assert period.national.opens <= period.opens <= period.closes <= period.national.closes
    period.full_clean()  # the region's deadline does not pass the national one


def _seed_province():
    call_command("seed_demo", "--province", stdout=open("/dev/null", "w"))


def _counts():
    return {
        model.__name__: model.objects.count()
        for model in (Region, EvaluationPeriod, Agency, Assignment, Submission, Answer, Evidence, User, RegionStaff)
    }


def test_seed_demo_province_adds_the_other_nine_regencies_of_kalimantan_timur(settings):
    settings.DEBUG = True
    _seed_province()
    evaluated = Region.objects.evaluated().filter(province__code="64")
    assert dict(evaluated.values_list("code", "name")) == kemendagri.KALIMANTAN_TIMUR
    assert set(evaluated.filter(kind="kota").values_list("code", flat=True)) == {"64.71", "64.72", "64.74"}
    kutim = EvaluationPeriod.objects.get(region__code="64.08", year=2024, stage="1")
    periods = EvaluationPeriod.objects.filter(national=kutim.national).select_related("region", "national")
    assert periods.count() == 10
    kutim_agencies = Agency.objects.filter(region__code="64.08").exclude(kind="kecamatan").count()
    kutim_assignments = Assignment.objects.filter(period=kutim).count()
    for period in periods:
        assert period.accepts_edits(), period.region
        assert period.national.opens <= period.opens and period.closes <= period.national.closes
        if period.region.code != "64.08":
            assert Agency.objects.filter(region=period.region).count() == kutim_agencies
            assert Assignment.objects.filter(period=period).count() == kutim_assignments
    statuses = {
        code: set(Submission.objects.filter(period__region__code=code).values_list("status", flat=True))
        for code in kemendagri.KALIMANTAN_TIMUR
    }
    assert statuses["64.11"] == set()
    assert statuses["64.74"] == {"draft"}
    assert statuses["64.07"] == {"submitted"}
    assert statuses["64.71"] == {"approved"}
    assert statuses["64.01"] == {"draft", "submitted", "returned", "approved"}
    # Approved answers carry the coordinator's verified score; drafts are half filled.
    assert not Answer.objects.filter(submission__status="approved", self_score__isnull=False, verified_score=None)
    draft = Submission.objects.filter(period__region__code="64.74").first()
    assert 0 < draft.answers.count() < draft.questions().count()


def test_seed_demo_province_can_run_twice_without_changing_anything(settings):
    settings.DEBUG = True
    _seed_province()
    before = _counts()
    closes = dict(EvaluationPeriod.objects.values_list("region__code", "closes"))
    _seed_province()
    assert _counts() == before
    assert dict(EvaluationPeriod.objects.values_list("region__code", "closes")) == closes


def test_the_province_and_ministry_accounts_sign_in_and_read_the_tables(client, settings):
    settings.DEBUG = True
    _seed_province()
    province = User.objects.get(username="provinsi_kaltim")
    assert province.region_staff.region.code == "64" and province.groups.get().name == roles.PROVINCE
    ministry = User.objects.get(username="kementerian")
    assert not RegionStaff.objects.filter(user=ministry) and ministry.groups.get().name == roles.MINISTRY

    assert client.post("/akun/masuk/", {"username": "kementerian", "password": DEMO_PASSWORD}).status_code == 302
    response = client.get("/nasional/")
    html = response.content.decode()
    assert html.count("<tr data-region=") == 10 and "10 wilayah." in html
    # The figures behind the page's rows (the page writes them as HTML: national.table).
    rows = {row.region.code: row for row in national.region_rows(response.context["period"], Region.objects.all())}
    assert len(rows) == 10
    ranked = {code: row.national_rank for code, row in rows.items() if row.national_rank}
    assert set(ranked) == {"64.01", "64.02", "64.03", "64.09", "64.71", "64.72"}
    assert ranked["64.03"] == ranked["64.09"]  # the same answers share a rank
    assert rows["64.07"].official is None and rows["64.07"].provisional is not None
    assert rows["64.74"].provisional is None and rows["64.11"].handed_in == 0
    assert "Kota Balikpapan" in html and "Kabupaten Mahakam Ulu" in html

    client.logout()
    assert client.post("/akun/masuk/", {"username": "provinsi_kaltim", "password": DEMO_PASSWORD}).status_code == 302
    assert client.get("/provinsi/64/").content.decode().count("<tr data-region=") == 10
    assert client.get("/nasional/").status_code == 404
