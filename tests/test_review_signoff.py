"""The second sign-off (four eyes), switched on per period: an approval by one coordinator waits
for a different coordinator's confirmation before the submission counts as approved."""

import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.contrib.messages import get_messages

from evaluations import roles, todo
from evaluations.completion import agency_completion
from evaluations.models import Notification, Question, Submission, SubmissionEvent, TransitionError
from evaluations.results_cache import input_stamps

from .excel_helpers import header_index, sheet_rows
from .factories import make_answer, make_submission, make_user
from .test_excel_workbook import export

pytestmark = pytest.mark.django_db
S = Submission.Status


@pytest.fixture
def four_eyes(period):
    period.second_signoff = True
    period.save(update_fields=["second_signoff"])
    return period


@pytest.fixture
def submission(four_eyes, agency_a):
    submission = make_submission(four_eyes, agency_a, status=S.SUBMITTED)
    question = Question.objects.for_period(four_eyes).filter(answer_type="level").first()
    make_answer(submission, question, score=3, verified=3)
    return submission


@pytest.fixture
def second(db):
    return make_user("koordinator2", roles.COORDINATOR, first_name="Sari", last_name="Kedua")


@pytest.fixture
def first_approved(submission, coordinator):
    coordinator.first_name, coordinator.last_name = "Rina", "Pertama"
    coordinator.save()
    submission.approve(by=coordinator)
    return submission


def fresh(submission):
    return Submission.objects.get(pk=submission.pk)


def texts(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_without_the_second_signoff_an_approval_approves_as_before(period, agency_a, coordinator):
    submission = make_submission(period, agency_a, status=S.SUBMITTED)
    submission.approve(by=coordinator)
    assert fresh(submission).status == S.APPROVED and fresh(submission).approved_by == coordinator


def test_a_first_approval_leaves_the_submission_waiting_and_not_approved(first_approved, coordinator):
    submission = fresh(first_approved)
    assert submission.status == S.SUBMITTED and submission.is_awaiting_second_signoff()
    assert submission.approved_by == coordinator and submission.approved_at is None
    [row] = [r for r in agency_completion(submission.period) if r.agency == submission.agency]
    assert row.status == S.SUBMITTED


def test_the_official_index_leaves_out_a_submission_waiting_for_its_second_signoff(first_approved, second):
    assert first_approved.period.results().coverage.total.approved == 0
    fresh(first_approved).confirm_approval(by=second)
    assert first_approved.period.results().coverage.total.approved == 1


def test_the_first_approver_may_not_give_the_second_signoff(first_approved, coordinator):
    with pytest.raises(TransitionError, match="koordinator lain"):
        fresh(first_approved).confirm_approval(by=coordinator)
    assert fresh(first_approved).status == S.SUBMITTED


def test_another_coordinator_confirms_and_both_names_are_kept(first_approved, coordinator, second):
    fresh(first_approved).confirm_approval(by=second)
    submission = fresh(first_approved)
    assert submission.status == S.APPROVED and submission.approved_at is not None
    assert (submission.approved_by, submission.second_approved_by) == (coordinator, second)
    events = [(e.kind, e.actor, e.to_status) for e in submission.timeline()]
    assert events == [
        (SubmissionEvent.Kind.FIRST_APPROVAL, coordinator, S.SUBMITTED),
        (SubmissionEvent.Kind.STATUS, second, S.APPROVED),
    ]


def test_approving_again_while_waiting_is_refused(first_approved, second):
    with pytest.raises(TransitionError, match="menunggu persetujuan kedua"):
        fresh(first_approved).approve(by=second)


def test_returning_a_waiting_submission_ends_its_first_approval(first_approved, second):
    fresh(first_approved).return_for_revision(by=second, note="Bukti kurang.")
    submission = fresh(first_approved)
    assert submission.status == S.RETURNED and submission.approved_by is None
    assert not submission.is_awaiting_second_signoff()


def test_answers_cannot_be_scored_while_waiting(first_approved, second):
    answer = first_approved.answers.get()
    with pytest.raises(TransitionError, match="menunggu persetujuan kedua"):
        answer.set_verified_score(second, Decimal(1))


def test_reopening_clears_both_signers(first_approved, second, admin_user):
    fresh(first_approved).confirm_approval(by=second)
    fresh(first_approved).reopen(by=admin_user)
    submission = fresh(first_approved)
    assert (submission.approved_by, submission.second_approved_by) == (None, None)


# --- pages ------------------------------------------------------------------------------


def url(submission, action=""):
    return f"/koordinator/pengisian/{submission.pk}/{action}"


def test_the_review_page_says_it_waits_and_whose_approval_it_was(client, first_approved, second):
    client.force_login(second)
    html = client.get(url(first_approved)).content.decode()
    assert "Menunggu persetujuan kedua" in html
    assert "Disetujui oleh Rina Pertama" in html
    assert "Berikan persetujuan kedua" in html
    assert "Setujui pengisian" not in html


def test_the_first_approver_sees_no_confirm_button(as_coordinator, first_approved):
    html = as_coordinator.get(url(first_approved)).content.decode()
    assert "Menunggu koordinator lain memberikan persetujuan kedua." in html
    assert "Berikan persetujuan kedua" not in html


def test_the_first_approver_posting_the_confirmation_is_refused_with_a_message(as_coordinator, first_approved):
    response = as_coordinator.post(url(first_approved, "setujui-kedua/"))
    assert response.status_code == 400
    assert "harus diberikan oleh koordinator lain" in response.content.decode()
    assert fresh(first_approved).status == S.SUBMITTED


def test_a_second_coordinator_confirms_and_the_timeline_names_both(client, first_approved, second):
    client.force_login(second)
    response = client.post(url(first_approved, "setujui-kedua/"))
    assert response.status_code == 302
    agency = first_approved.agency.abbreviation
    assert texts(response) == [f"Persetujuan kedua diberikan: pengisian {agency} disetujui."]
    html = client.get(url(first_approved)).content.decode()
    assert 'disetujui oleh <span class="approved-by">Rina Pertama dan Sari Kedua</span>' in html
    assert "Persetujuan pertama, menunggu persetujuan kedua" in html


def test_approving_in_a_four_eyes_period_says_it_waits(as_coordinator, submission):
    response = as_coordinator.post(url(submission, "setujui/"))
    assert texts(response) == [
        f"Pengisian {submission.agency.abbreviation} disetujui dan menunggu persetujuan kedua oleh koordinator lain."
    ]


def test_the_admin_switches_the_second_signoff_on_the_periods_page(as_admin, period):
    html = as_admin.get(f"/kelola/periode/{period.pk}/").content.decode()
    assert 'name="second_signoff"' in html
    response = as_admin.post(f"/kelola/periode/{period.pk}/persetujuan-kedua/", {"second_signoff": "on"})
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.second_signoff
    as_admin.post(f"/kelola/periode/{period.pk}/persetujuan-kedua/", {})
    period.refresh_from_db()
    assert not period.second_signoff


# --- notices, to-do, workbook, cache ----------------------------------------------------


def test_the_other_coordinators_are_told_that_a_submission_waits(as_coordinator, submission, second, operator_a):
    as_coordinator.post(url(submission, "setujui/"))
    notices = Notification.objects.filter(kind=Notification.Kind.AWAITING_SECOND_SIGNOFF)
    recipients = {n.recipient for n in notices}
    assert second in recipients
    assert not recipients & {submission.approved_by, operator_a}
    assert not Notification.objects.filter(recipient=operator_a).exists()


def test_the_todo_list_shows_the_second_signoff_to_other_coordinators_only(first_approved, coordinator, second):
    period = first_approved.period
    period.status = period.Status.OPEN
    period.save(update_fields=["status"])
    assert [i.kind for i in todo.for_user(second) if i.url == url(first_approved)] == ["signoff"]
    assert [i for i in todo.for_user(coordinator) if i.url == url(first_approved)] == []


def test_the_workbook_names_both_signers(first_approved, second):
    fresh(first_approved).confirm_approval(by=second)
    sheet = export(first_approved.period)["Progres OPD"]
    columns = header_index(sheet)
    [row] = [r for r in sheet_rows(sheet)[2:] if r[0] == first_approved.agency.name]
    assert row[columns["Disetujui oleh"]] == "Rina Pertama"
    assert row[columns["Persetujuan kedua oleh"]] == "Sari Kedua"


def test_the_results_stamp_changes_on_confirmation(first_approved, second):
    period = first_approved.period
    before = input_stamps([period])[period.pk]
    fresh(first_approved).confirm_approval(by=second)
    assert input_stamps([period])[period.pk] != before


def test_the_migration_names_the_approver_of_submissions_approved_before_it(period, agency_a, coordinator):
    submission = make_submission(period, agency_a, status=S.SUBMITTED)
    submission.approve(by=coordinator)
    Submission.objects.filter(pk=submission.pk).update(approved_by=None)
    migration = importlib.import_module("evaluations.migrations.0026_second_signoff")
    migration.approvers_from_timeline(django_apps, None)
    assert fresh(submission).approved_by == coordinator
