"""Period management for the admin (/kelola/periode/...): list, open, deadline, close, assignments."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from evaluations.models import Dimension, EvaluationPeriod, Submission

from .factories import assign, make_agency, make_period, make_question, make_submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft():
    return make_period(year=2030, status=EvaluationPeriod.Status.DRAFT)


def test_the_list_shows_every_period_with_its_status(as_admin, period, draft):
    html = as_admin.get("/kelola/periode/").content.decode()
    assert period.name in html
    assert draft.name in html
    assert "Draf" in html and "Dibuka" in html


@pytest.mark.parametrize("who", ["coordinator", "leader", "operator_a"])
def test_only_the_admin_manages_periods(client, period, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/kelola/periode/").status_code == 403
    assert client.get(f"/kelola/periode/{period.pk}/").status_code == 403
    assert client.post(f"/kelola/periode/{period.pk}/tutup/").status_code == 403
    period.refresh_from_db()
    assert period.is_open()


def test_the_detail_page_shows_the_agency_assignments(as_admin, period):
    html = as_admin.get(f"/kelola/periode/{period.pk}/").content.decode()
    assert "Penugasan perangkat daerah" in html
    assert "Dinas Perhubungan (Dishub)" in html or "Dishub" in html
    assert "Smart Living" in html


def test_the_detail_page_explains_why_a_period_cannot_open(as_admin, draft):
    Dimension.objects.create(national_id=draft.national_id, code="A", name="Kebijakan", weight=Decimal(60))
    html = as_admin.get(f"/kelola/periode/{draft.pk}/").content.decode()
    assert "Jumlah bobot dimensi harus 100, sekarang 60." in html
    assert "Periode belum memiliki pertanyaan." in html


def test_opening_a_period_whose_weights_are_wrong_shows_the_errors_and_keeps_it_closed(as_admin, draft):
    Dimension.objects.create(national_id=draft.national_id, code="A", name="Kebijakan", weight=Decimal(60))
    make_question(draft, dimension=Dimension.objects.get(national_id=draft.national_id, code="A"))
    response = as_admin.post(f"/kelola/periode/{draft.pk}/buka/", follow=True)
    html = response.content.decode()
    assert "Jumlah bobot dimensi harus 100, sekarang 60." in html
    assert "belum dapat dibuka" in html
    draft.refresh_from_db()
    assert draft.status == EvaluationPeriod.Status.DRAFT


def test_opening_a_ready_period(as_admin, draft):
    make_question(draft)
    assign(draft, make_agency(), "GOV")
    response = as_admin.post(f"/kelola/periode/{draft.pk}/buka/", follow=True)
    assert f"Periode {draft.name} dibuka." in response.content.decode()
    draft.refresh_from_db()
    assert draft.is_open()


def test_changing_the_deadline(as_admin, period):
    new = timezone.localdate() + timedelta(days=30)
    response = as_admin.post(f"/kelola/periode/{period.pk}/batas-akhir/", {"closes": new.isoformat()}, follow=True)
    period.refresh_from_db()
    assert period.closes == new
    assert "Batas akhir" in response.content.decode()


def test_a_deadline_before_the_opening_date_is_refused(as_admin, period):
    before = period.closes
    bad = period.opens - timedelta(days=1)
    response = as_admin.post(f"/kelola/periode/{period.pk}/batas-akhir/", {"closes": bad.isoformat()})
    assert response.status_code == 400
    assert "Batas akhir tidak boleh sebelum tanggal dibuka." in response.content.decode()
    period.refresh_from_db()
    assert period.closes == before


@pytest.mark.parametrize("value", ["", "besok", "2024-02-30"])
def test_an_invalid_deadline_is_refused(as_admin, period, value):
    before = period.closes
    response = as_admin.post(f"/kelola/periode/{period.pk}/batas-akhir/", {"closes": value})
    assert response.status_code == 400
    period.refresh_from_db()
    assert period.closes == before


def test_closing_a_period_locks_every_submission_even_a_reopened_one(as_admin, period, agency_a, agency_b):
    reopened = make_submission(period, agency_a, reopened=True)
    draft = make_submission(period, agency_b)
    response = as_admin.post(f"/kelola/periode/{period.pk}/tutup/", follow=True)
    assert "semua pengisian terkunci" in response.content.decode()
    period.refresh_from_db()
    assert period.status == EvaluationPeriod.Status.CLOSED
    for submission in (reopened, draft):
        submission = Submission.objects.select_related("period").get(pk=submission.pk)
        assert submission.is_locked()
        assert not submission.is_editable()


@pytest.mark.parametrize("action", ["buka/", "batas-akhir/", "tutup/"])
def test_period_actions_reject_get(as_admin, period, action):
    assert as_admin.get(f"/kelola/periode/{period.pk}/{action}").status_code == 405


def test_an_unknown_period_is_404(as_admin):
    assert as_admin.get("/kelola/periode/999999/").status_code == 404
