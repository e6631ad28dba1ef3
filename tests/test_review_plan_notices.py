"""Notices of the review plan (evaluations/notifications.py): a reviewer hears when the answers the
plan gives them are handed in, or when the agency replied to their revision marks; a coordinator
told as a reviewer is not told twice; without a plan nothing changes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from evaluations import notifications, roles
from evaluations.models import Notification, Question, RevisionReply, Submission

from .factories import make_answer, make_reviewer, make_submission, make_user, plan_review

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_jobs")]
Kind = Notification.Kind


def question_of(period, pillar):
    return Question.objects.for_period(period).filter(pillar__code=pillar, answer_type="level").order_by("code").first()


@pytest.fixture
def handed_in(period, agency_a):
    """Agency A's submission, just sent, with a GOV answer."""
    submission = make_submission(period, agency_a, status=Submission.Status.SUBMITTED)
    make_answer(submission, question_of(period, "GOV"), score=3)
    return submission


def kinds(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_a_reviewer_hears_that_answers_of_their_pillar_were_handed_in(handed_in, period, agency_b, operator_a):
    reviewer = make_reviewer(agency_b, "peninjau_gov")
    plan_review(period, reviewer, "GOV")
    notifications.submission_changed(handed_in, by=operator_a)
    notice = Notification.objects.get(recipient=reviewer)
    assert notice.kind == Kind.REVIEW_SUBMITTED
    assert "mengirim 1 jawaban di bagian Anda (GOV) untuk ditinjau" in notice.message
    assert notice.link.startswith("/koordinator/antrean/?periode=")


def test_a_reviewer_of_another_pillar_hears_nothing(handed_in, period, agency_b, operator_a):
    reviewer = make_reviewer(agency_b, "peninjau_liv")
    plan_review(period, reviewer, "LIV")
    notifications.submission_changed(handed_in, by=operator_a)
    assert kinds(reviewer) == []


def test_a_coordinator_reviewer_gets_the_reviewers_notice_instead_of_the_general_one(
    handed_in, period, coordinator, operator_a
):
    other = make_user("koordinator_lain", roles.COORDINATOR)
    plan_review(period, coordinator, "GOV")
    notifications.submission_changed(handed_in, by=operator_a)
    assert kinds(coordinator) == [Kind.REVIEW_SUBMITTED]
    assert kinds(other) == [Kind.SUBMITTED]


def test_a_reviewer_hears_of_the_agencys_replies_to_their_marks(handed_in, period, agency_b, operator_a):
    reviewer = make_reviewer(agency_b, "peninjau_gov")
    plan_review(period, reviewer, "GOV")
    Submission.objects.filter(pk=handed_in.pk).update(returned_at=timezone.now() - timedelta(hours=1))
    handed_in.refresh_from_db()
    answer = handed_in.answers.get()
    answer.needs_revision, answer.revision_note = True, "Lampirkan SK"
    answer.save()
    RevisionReply.objects.create(answer=answer, author=operator_a, body="Sudah.")
    notifications.submission_changed(handed_in, by=operator_a)
    notice = Notification.objects.get(recipient=reviewer)
    assert notice.kind == Kind.REVIEW_REPLIED
    assert "menanggapi 1 tanda perbaikan" in notice.message
    assert "status=ditanggapi" in notice.link


def test_the_agencys_own_reviewer_is_not_told_of_its_own_submission(period, agency_b, operator_b):
    submission = make_submission(period, agency_b, status=Submission.Status.SUBMITTED)
    make_answer(submission, question_of(period, "GOV"), score=3)
    reviewer = make_reviewer(agency_b, "peninjau_gov")
    plan_review(period, reviewer, "GOV")
    notifications.submission_changed(submission, by=operator_b)
    assert kinds(reviewer) == []


def test_without_a_plan_the_coordinators_are_told_as_before(handed_in, coordinator, operator_a):
    notifications.submission_changed(handed_in, by=operator_a)
    assert kinds(coordinator) == [Kind.SUBMITTED]
