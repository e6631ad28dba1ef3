import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from evaluations import roles
from evaluations.management.commands.seed_demo import DEMO_PASSWORD
from evaluations.models import (
    DatasetUpload,
    Enumerator,
    EvaluationPeriod,
    ImpactSurvey,
    QuickWin,
    RoadSegment,
    Submission,
    SurveyProgramme,
)

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
