"""Regions as data (models/regions.py) and their isolation (evaluations/regions.py): a query on a
region's data with no region in force fails, a scope shows one region's rows, bad region input is
refused with a clear message, a user works in one region only, and a survey link of one region
never takes a response meant for another region's form."""

import pytest
from django.core.exceptions import ValidationError
from django_scopes import ScopeError

from evaluations import notifications, roles
from evaluations.models import Agency, AgencyMember, EvaluationPeriod, Region, RegionStaff, Submission, SurveyResponse
from evaluations.regions import in_region, no_region

from .factories import make_agency, make_impact_survey, make_period, make_region, make_submission, make_user
from .test_surveys_form import answers, token_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def samarinda():
    return make_region("64.72", "Kota Samarinda")


def test_a_query_on_a_regions_data_with_no_region_in_force_fails():
    with no_region(), pytest.raises(ScopeError):
        list(Submission.objects.all())
    with no_region(), pytest.raises(ScopeError):
        Agency.objects.count()


def test_a_scope_shows_its_regions_rows_only(samarinda, period):
    theirs = make_agency("Dinas Kominfo Samarinda", "Diskominfo", region=samarinda)
    kutim = Region.objects.default()
    with in_region(samarinda):
        assert list(Agency.objects.all()) == [theirs]
        assert not EvaluationPeriod.objects.exists()
    with in_region(kutim):
        assert theirs not in Agency.objects.all()
        assert Agency.objects.filter(abbreviation="Diskominfo Staper").exists()
    with in_region(None):
        assert {a.region_id for a in Agency.objects.all()} == {kutim.pk, samarinda.pk}


@pytest.mark.parametrize(
    ("code", "kind", "message"),
    [
        ("64-08", Region.Kind.KABUPATEN, "dua angka, titik, dua angka"),
        ("6408", Region.Kind.KABUPATEN, "dua angka, titik, dua angka"),
        ("65.08", Region.Kind.KABUPATEN, "tidak berada di provinsi 64"),
        ("64.72", Region.Kind.KABUPATEN, "adalah kota"),
        ("64.09", Region.Kind.KOTA, "adalah kabupaten"),
    ],
)
def test_a_region_code_not_in_kemendagris_form_is_refused(code, kind, message):
    region = Region(code=code, name="Uji", kind=kind, province=Region.objects.get(code="64"))
    with pytest.raises(ValidationError) as refused:
        region.full_clean()
    assert message in str(refused.value)
    assert not Region.objects.filter(code=code).exists()


def test_a_province_code_is_two_digits():
    with pytest.raises(ValidationError) as refused:
        Region(code="640", name="Uji", kind=Region.Kind.PROVINCE).full_clean()
    assert "dua angka" in str(refused.value)


def test_a_second_region_with_the_same_code_is_refused():
    with pytest.raises(ValidationError) as refused:
        Region(
            code="64.08", name="Kutai Timur lagi", kind=Region.Kind.KABUPATEN, province=Region.objects.get(code="64")
        ).full_clean()
    assert "Sudah ada wilayah dengan kode Kemendagri ini." in str(refused.value)


def test_a_user_works_in_one_region_only(samarinda, agency_a):
    operator = make_user("op_dua_wilayah", roles.OPERATOR, agency=agency_a)
    staff = RegionStaff(user=operator, region=samarinda)
    with pytest.raises(ValidationError) as refused:
        staff.full_clean()
    assert "satu pengguna hanya di satu wilayah" in str(refused.value)
    coordinator = make_user("koor_samarinda", roles.COORDINATOR, region=samarinda)
    member = AgencyMember(user=coordinator, agency=agency_a)
    with pytest.raises(ValidationError) as refused:
        member.full_clean()
    assert "satu pengguna hanya di satu wilayah" in str(refused.value)


def test_the_same_agency_name_may_exist_in_two_regions_but_not_twice_in_one(samarinda):
    make_agency("Bappeda", "Bappeda", region=samarinda)  # Kutai Timur has its own Bappeda
    with pytest.raises(ValidationError) as refused:
        Agency(name="Bappeda", abbreviation="Bappeda", region=samarinda).full_clean()
    assert "di wilayah ini" in str(refused.value)


def test_a_survey_token_of_one_regions_form_is_refused_on_another_regions_link(client, period, samarinda):
    form_a = make_impact_survey(period).forms.get(pillar__code="GOV")
    period_b = make_period(year=period.year, stage=period.stage, region=samarinda)
    agency_b = make_agency(region=samarinda)
    form_b = make_impact_survey(period_b, agency=agency_b).forms.get(pillar__code="GOV")
    token_b = token_of(client.get(f"/s/{form_b.token}/"))
    response = client.post(f"/s/{form_a.token}/", answers(form_a, token_b), REMOTE_ADDR="10.2.2.2")
    assert response.status_code == 400
    assert "Formulir ini tidak sah." in response.content.decode()
    assert not SurveyResponse.objects.exists()


def test_a_coordinator_of_another_region_is_never_told_of_a_submission(samarinda, period, agency_a):
    theirs = make_user("koor_samarinda", roles.COORDINATOR, region=samarinda)
    ours = make_user("koor_kutim", roles.COORDINATOR)
    submission = make_submission(period, agency_a, status=Submission.Status.SUBMITTED)
    notifications.submission_changed(submission, by=None)
    assert ours.notifications.count() == 1
    assert theirs.notifications.count() == 0
