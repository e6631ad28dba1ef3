"""Started means something was saved (issue 24, item 16): opening the operator's questionnaire
and its section pages changes nothing that anybody sees. The operator's page, the home pages,
the coordinators' dashboard and the workbook's progress sheet all call the agency not started
until an answer is saved, and all call it started from then on."""

import re

import pytest

from evaluations import todo
from evaluations.answering import submission_sections
from evaluations.completion import NOT_STARTED, agency_completion
from evaluations.models import EvaluationPeriod, Question, Submission, SubmissionEvent

from .factories import make_period
from .filling import section_post

pytestmark = [pytest.mark.django_db]


def _text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def _open_everything(client, period, agency):
    assert client.get("/opd/").status_code == 200
    submission = Submission.objects.get(period=period, agency=agency)
    for section in submission_sections(submission):
        assert client.get(f"/opd/pengisian/{submission.pk}/bagian/{section.key}/").status_code == 200
    assert client.get(f"/opd/pengisian/{submission.pk}/").status_code == 200
    return submission


def _the_coordinator_reads(client, coordinator):
    client.force_login(coordinator)
    home = _text(client.get("/"))
    dashboard = client.get("/koordinator/").content.decode()
    return home, dashboard


def test_opening_the_questionnaire_and_its_sections_starts_nothing(client, operator_a, coordinator, period, agency_a):
    client.force_login(operator_a)
    submission = _open_everything(client, period, agency_a)
    before = Submission.objects.values().get(pk=submission.pk)
    _open_everything(client, period, agency_a)  # and again: nothing moves on a second visit either

    assert Submission.objects.values().get(pk=submission.pk) == before
    assert not SubmissionEvent.objects.filter(submission=submission).exists()
    assert "Belum mulai" in _text(client.get("/opd/")) and "Sedang diisi" not in _text(client.get("/opd/"))
    assert "Status pengisian: Belum mulai" in _text(client.get("/"))
    assert [item.label for item in todo.for_user(operator_a, [period])] == ["Mulai pengisian kuesioner"]

    home, dashboard = _the_coordinator_reads(client, coordinator)
    assert "Perangkat daerah yang sudah mulai mengisi: 0." in home
    assert 'data-status="draft">Sedang diisi <span class="badge text-bg-secondary">0<' in dashboard
    row = next(r for r in agency_completion(period) if r.agency == agency_a)
    assert row.status == NOT_STARTED


def test_an_explanation_saved_alone_starts_the_agency_everywhere(client, operator_a, coordinator, period, agency_a):
    client.force_login(operator_a)
    submission = _open_everything(client, period, agency_a)
    question = Question.objects.assigned_to(agency_a, period).order_by("code").first()
    key = next(s.key for s in submission_sections(submission) if question in s.questions)
    data = section_post(submission, key, {question: {"explanation": "Masih dikumpulkan"}})
    assert client.post(f"/opd/pengisian/{submission.pk}/bagian/{key}/", data).status_code == 302

    assert "Sedang diisi" in _text(client.get("/opd/"))
    assert "Status pengisian: Sedang diisi" in _text(client.get("/"))
    assert [item.label for item in todo.for_user(operator_a, [period])] == ["Lengkapi dan kirim kuesioner"]
    home, dashboard = _the_coordinator_reads(client, coordinator)
    assert "Perangkat daerah yang sudah mulai mengisi: 1." in home
    assert 'data-status="draft">Sedang diisi <span class="badge text-bg-secondary">1<' in dashboard
    row = next(r for r in agency_completion(period) if r.agency == agency_a)
    assert row.status == Submission.Status.DRAFT


def test_the_admin_is_not_told_of_an_unsent_submission_that_was_only_opened(client, operator_a, period, agency_a):
    """Opening another period asks for a confirmation that counts what is still open here."""
    client.force_login(operator_a)
    _open_everything(client, period, agency_a)
    upcoming = make_period(2031, status=EvaluationPeriod.Status.DRAFT)
    [work] = todo.open_work(besides=upcoming)
    assert (work.period, work.not_sent) == (period, 0)
