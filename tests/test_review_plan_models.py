"""The review plan's rules on the models (models/review_plan.py, Answer's review methods): who acts
on an answer with and without a plan, refused in the model whatever page or command calls it."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from evaluations import roles
from evaluations.models import Question, ReviewAssignment, ReviewComment, Submission, TransitionError

from .factories import make_answer, make_reviewer, make_submission, make_user, plan_review

pytestmark = pytest.mark.django_db


@pytest.fixture
def answer(period, agency_a):
    submission = make_submission(period, agency_a, status=Submission.Status.SUBMITTED)
    question = Question.objects.for_period(period).filter(pillar__code="GOV", answer_type="level").first()
    return make_answer(submission, question, score=3)


def test_without_a_plan_every_coordinator_scores(answer, coordinator):
    assert answer.set_verified_score(coordinator, Decimal(2))


def test_with_a_plan_another_coordinator_is_refused_with_a_message(answer, period, coordinator):
    plan_review(period, make_user("koordinator_gov", roles.COORDINATOR), "GOV")
    with pytest.raises(TransitionError, match="bukan bagian Anda dalam rencana peninjauan"):
        answer.set_verified_score(coordinator, Decimal(2))
    with pytest.raises(TransitionError):
        answer.add_comment(coordinator, "Lampirkan SK", ReviewComment.Visibility.AGENCY)


def test_the_admin_acts_whatever_the_plan(answer, period, admin_user):
    plan_review(period, make_user("koordinator_gov", roles.COORDINATOR), "GOV")
    assert answer.set_verified_score(admin_user, Decimal(2))


def test_a_plan_of_another_pillar_leaves_the_answer_with_every_coordinator(answer, period, coordinator):
    plan_review(period, make_user("koordinator_liv", roles.COORDINATOR), "LIV")
    assert answer.set_verified_score(coordinator, Decimal(2))


def test_a_reviewer_of_one_agency_does_not_act_on_anothers(answer, period, agency_b):
    reviewer = make_reviewer(agency_b)
    plan_review(period, reviewer, "GOV", agency=agency_b)  # Bappeda's GOV only (refused by clean(), not here)
    with pytest.raises(TransitionError):
        answer.mark_for_revision(reviewer, True, "Perbaiki")


def test_a_reviewer_never_acts_on_their_own_agencys_answer(period, agency_a):
    submission = make_submission(period, agency_a, status=Submission.Status.SUBMITTED)
    question = Question.objects.for_period(period).filter(pillar__code="GOV", answer_type="level").first()
    own = make_answer(submission, question, score=3)
    reviewer = make_reviewer(agency_a)
    plan_review(period, reviewer, "GOV")
    with pytest.raises(TransitionError):
        own.set_verified_score(reviewer, Decimal(2))


def test_an_operator_without_the_reviewer_role_is_refused_outright(answer, period, operator_b):
    plan_review(period, operator_b, "GOV")
    with pytest.raises(PermissionDenied):
        answer.set_verified_score(operator_b, Decimal(2))


def test_a_row_for_the_reviewers_own_agency_does_not_validate(period, agency_b):
    reviewer = make_reviewer(agency_b)
    row = ReviewAssignment(period=period, pillar_id=1, agency=agency_b, reviewer=reviewer)
    with pytest.raises(ValidationError) as refused:
        row.full_clean()
    assert "tidak boleh meninjau jawaban perangkat daerahnya sendiri" in str(refused.value)
