"""Two reviewers of one pillar (primary and secondary, models/review_plan.py) scoring the same
answer at the same moment, or one's bulk action from the queue (review_bulk) crossing the other's
single edit: one score stands, the other reviewer is told it was just changed (or the bulk action
skips the answer and says why); the timeline holds one change."""

from decimal import Decimal

import pytest

from evaluations import review_bulk, roles
from evaluations.models import Answer, AnswerChange, Question, Submission, SubmissionEvent, TransitionError
from evaluations.models.review_plan import reviewer_answers

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


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_reviewers_marking_one_answer_at_once_keep_one_note_and_the_other_is_told(
    reference_data,  # noqa: F811
    period,
    agency_a,
    agency_b,
):
    answer, primary, secondary = _world(period, agency_a, agency_b)
    first, second = page_copy(answer), page_copy(answer)
    seen = first.revision_seen()  # both pages showed the answer unmarked
    outcomes = at_once(
        lambda: first.mark_for_revision(primary, True, "Lampirkan SK yang sah", seen=seen),
        lambda: second.mark_for_revision(secondary, True, "Tanggal SK salah", seen=seen),
    )
    errors = [error for _result, error in outcomes if error is not None]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], TransitionError) and JUST_CHANGED in errors[0].message
    winner = "Lampirkan SK yang sah" if outcomes[0][1] is None else "Tanggal SK salah"
    assert page_copy(answer).revision_note == winner
    assert list(AnswerChange.objects.filter(answer=answer, field="revision").values_list("new_value", flat=True)) == [
        winner
    ]


# --- a reviewer's bulk action crossing another reviewer's single edit (issue 27) -----------------

CHANGED = "diubah orang lain sejak halaman dimuat"


def _bulk_world(period, agency_a, agency_b):
    """Three GOV answers of agency A under review; Bappeda's reviewer (primary) accepts them in bulk
    from the queue, while the secondary reviewer scores the first in place."""
    answer, primary, secondary = _world(period, agency_a, agency_b)
    questions = Question.objects.for_period(period).filter(pillar__code="GOV", answer_type="level").order_by("code")
    more = [make_answer(answer.submission, q, score=3) for q in questions.exclude(pk=answer.question_id)[:2]]
    answers = [answer, *more]
    seen = {a.pk: a.review_stamp for a in answers}  # the queue as the primary reviewer's page drew it
    return answers, seen, primary, secondary


def _queue(primary, period):
    return reviewer_answers(primary, period)


def _score_events(answer):
    return list(SubmissionEvent.objects.filter(answer=answer, kind=SubmissionEvent.Kind.SCORE))


@pytest.mark.django_db
def test_a_single_edit_after_a_bulk_acceptance_is_refused_with_a_message(period, agency_a, agency_b):
    answers, seen, primary, secondary = _bulk_world(period, agency_a, agency_b)
    card = page_copy(answers[0])  # the secondary reviewer's card, drawn before the bulk action
    review_bulk.accept_self_scores(_queue(primary, period), seen, by=primary)
    with pytest.raises(TransitionError, match=JUST_CHANGED):
        card.set_verified_score(secondary, Decimal(1), seen=None)
    assert page_copy(answers[0]).verified_score == Decimal(3)
    assert len(_score_events(answers[0])) == 1


@pytest.mark.django_db
def test_a_bulk_acceptance_after_a_single_edit_skips_that_answer_and_says_why(period, agency_a, agency_b):
    answers, seen, primary, secondary = _bulk_world(period, agency_a, agency_b)
    page_copy(answers[0]).set_verified_score(secondary, Decimal(1), seen=None)
    outcome = review_bulk.accept_self_scores(_queue(primary, period), seen, by=primary)
    assert [(pk, reason) for _a, pk, reason in outcome.skipped] == [(answers[0].pk, CHANGED)]
    assert page_copy(answers[0]).verified_score == Decimal(1)
    assert len(outcome.applied) == 2


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_reviewers_bulk_action_crossing_another_reviewers_edit_ends_with_one_outcome_and_a_message(
    reference_data,  # noqa: F811
    period,
    agency_a,
    agency_b,
):
    answers, seen, primary, secondary = _bulk_world(period, agency_a, agency_b)
    card = page_copy(answers[0])
    outcomes = at_once(
        lambda: card.set_verified_score(secondary, Decimal(1), seen=None),
        lambda: review_bulk.accept_self_scores(_queue(primary, period), seen, by=primary),
    )
    (_edited, edit_error), (bulk, bulk_error) = outcomes
    assert bulk_error is None, outcomes
    skipped = [(pk, reason) for _a, pk, reason in bulk.skipped]
    if edit_error is None:
        # The edit first: the bulk action skips that answer and says why.
        assert skipped == [(answers[0].pk, CHANGED)]
        assert page_copy(answers[0]).verified_score == Decimal(1)
    else:
        # The bulk action first: the edit is refused with the reviewer's message.
        assert isinstance(edit_error, TransitionError) and JUST_CHANGED in edit_error.message
        assert skipped == []
        assert page_copy(answers[0]).verified_score == Decimal(3)
    assert len(_score_events(answers[0])) == 1  # one outcome, never both
    assert {page_copy(a).verified_score for a in answers[1:]} == {Decimal(3)}
