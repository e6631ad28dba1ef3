"""Two reviewers of one pillar (primary and secondary, models/review_plan.py) scoring the same
answer at the same moment: one score stands, the other reviewer is told it was just changed; the
timeline holds one change."""

from decimal import Decimal

import pytest

from evaluations import roles
from evaluations.models import Answer, Question, Submission, SubmissionEvent, TransitionError

from .concurrency import at_once, needs_postgresql, reference_data  # noqa: F401  (a fixture)
from .factories import make_answer, make_reviewer, make_submission, make_user, plan_review

JUST_CHANGED = "baru saja diubah oleh peninjau lain"


def _world(period, agency_a, agency_b):
    submission = make_submission(period, agency_a, status=Submission.Status.SUBMITTED)
    question = Question.objects.for_period(period).filter(pillar__code="GOV", answer_type="level").first()
    answer = make_answer(submission, question, score=3)
    primary = make_reviewer(agency_b, "peninjau_utama")
    secondary = make_user("koordinator_pendamping", roles.COORDINATOR)
    plan_review(period, primary, "GOV")
    plan_review(period, secondary, "GOV", role="secondary")
    return answer, primary, secondary


def page_copy(answer):
    """The answer as one reviewer's page read it."""
    return Answer.objects.select_related("submission", "question").get(pk=answer.pk)


@pytest.mark.django_db
def test_a_score_typed_over_another_reviewers_newer_one_is_refused(period, agency_a, agency_b):
    answer, primary, secondary = _world(period, agency_a, agency_b)
    stale = page_copy(answer)
    page_copy(answer).set_verified_score(primary, Decimal(2), seen=None)
    with pytest.raises(TransitionError, match=JUST_CHANGED):
        stale.set_verified_score(secondary, Decimal(4), seen=None)
    assert page_copy(answer).verified_score == Decimal(2)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_scoring_one_answer_at_once_end_with_one_score_and_a_message(
    reference_data,  # noqa: F811
    period,
    agency_a,
    agency_b,
):
    answer, primary, secondary = _world(period, agency_a, agency_b)
    first, second = page_copy(answer), page_copy(answer)
    outcomes = at_once(
        lambda: first.set_verified_score(primary, Decimal(2), seen=None),
        lambda: second.set_verified_score(secondary, Decimal(4), seen=None),
    )
    errors = [error for _result, error in outcomes if error is not None]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], TransitionError) and JUST_CHANGED in errors[0].message
    winner = Decimal(2) if outcomes[0][1] is None else Decimal(4)
    assert page_copy(answer).verified_score == winner
    events = SubmissionEvent.objects.filter(answer=answer, kind=SubmissionEvent.Kind.SCORE)
    assert [Decimal(e.to_status) for e in events] == [winner]
