"""Two coordinators acting on one submission at the same moment (evaluations/models/submissions.py, answering.py):
the second is told the submission was already dealt with; nothing is done twice."""

from decimal import Decimal

import pytest

from evaluations import review_bulk, roles
from evaluations.models import Answer, Question, Submission, SubmissionEvent, TransitionError

from .concurrency import at_once, needs_postgresql, reference_data  # noqa: F401  (a fixture)
from .factories import make_answer, make_submission, make_user

S = Submission.Status
ALREADY = "sudah diproses"


@pytest.fixture
def submitted(period, agency_a):
    return make_submission(period, agency_a, status=S.SUBMITTED)


def another_copy(submission):
    """The submission as a second coordinator's page read it."""
    return Submission.objects.get(pk=submission.pk)


@pytest.mark.django_db
def test_returning_a_submission_approved_meanwhile_is_refused_as_already_processed(submitted, coordinator, admin_user):
    stale = another_copy(submitted)
    submitted.approve(by=coordinator)
    with pytest.raises(TransitionError, match=ALREADY):
        stale.return_for_revision(by=admin_user, note="Perbaiki bukti.")
    assert another_copy(submitted).status == S.APPROVED
    assert SubmissionEvent.objects.filter(submission=submitted).count() == 1


@pytest.mark.django_db
def test_approving_a_submission_returned_meanwhile_is_refused_as_already_processed(submitted, coordinator, admin_user):
    stale = another_copy(submitted)
    submitted.return_for_revision(by=coordinator, note="Perbaiki bukti.")
    with pytest.raises(TransitionError, match=ALREADY):
        stale.approve(by=admin_user)
    assert another_copy(submitted).status == S.RETURNED


@pytest.mark.django_db
def test_reopening_from_a_page_opened_before_another_reopening_is_refused(submitted, coordinator, admin_user):
    submitted.approve(by=coordinator)
    stale = another_copy(submitted)
    submitted.reopen(by=admin_user)
    with pytest.raises(TransitionError, match=ALREADY):
        stale.reopen(by=admin_user)
    assert SubmissionEvent.objects.filter(submission=submitted, kind=SubmissionEvent.Kind.REOPEN).count() == 1


@pytest.mark.django_db
def test_a_verified_score_from_a_page_opened_before_approval_is_refused(submitted, coordinator, admin_user):
    question = Question.objects.for_period(submitted.period).filter(answer_type="level").first()
    answer = make_answer(submitted, question, score=3)
    stale = Answer.objects.select_related("submission").get(pk=answer.pk)
    submitted.approve(by=coordinator, accept_self_scores=True)
    with pytest.raises(TransitionError, match=ALREADY):
        stale.set_verified_score(admin_user, Decimal(1))
    assert Answer.objects.get(pk=answer.pk).verified_score is None


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_approve_and_return_at_the_same_moment_one_succeeds_and_the_other_is_told(
    reference_data,  # noqa: F811
    period,
    agency_a,
    coordinator,
    admin_user,
):
    submission = make_submission(period, agency_a, status=S.SUBMITTED)
    first, second = another_copy(submission), another_copy(submission)
    outcomes = at_once(
        lambda: first.approve(by=coordinator),
        lambda: second.return_for_revision(by=admin_user, note="Perbaiki bukti."),
    )
    errors = [error for _result, error in outcomes if error is not None]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], TransitionError) and ALREADY in errors[0].message
    winner = S.APPROVED if outcomes[0][1] is None else S.RETURNED
    assert another_copy(submission).status == winner
    events = SubmissionEvent.objects.filter(submission=submission)
    assert [(e.from_status, e.to_status) for e in events] == [(S.SUBMITTED, winner)]


# --- bulk actions and the second sign-off (issue 27) -------------------------------------


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_bulk_acceptance_crossing_a_single_edit_never_overwrites_it(
    reference_data,  # noqa: F811
    period,
    agency_a,
    coordinator,
    admin_user,
):
    submission = make_submission(period, agency_a, status=S.SUBMITTED)
    questions = Question.objects.for_period(period).filter(answer_type="level").order_by("code")[:3]
    answers = [make_answer(submission, question, score=3) for question in questions]
    seen = {answer.pk: answer.review_stamp for answer in answers}  # the bulk page as drawn
    edited = Answer.objects.select_related("submission").get(pk=answers[0].pk)  # the card as drawn
    everything = Answer.objects.filter(submission__period=period)
    outcomes = at_once(
        lambda: edited.set_verified_score(coordinator, Decimal(1)),
        lambda: review_bulk.accept_self_scores(everything, seen, by=admin_user),
    )
    assert [error for _result, error in outcomes] == [None, None], outcomes
    bulk = outcomes[1][0]
    # Whichever came first, the coordinator's own score for that answer is the one that stands.
    assert Answer.objects.get(pk=answers[0].pk).verified_score == Decimal(1)
    scores = list(SubmissionEvent.objects.filter(answer=answers[0]).values_list("to_status", flat=True))
    if answers[0].pk in {a.pk for a in bulk.applied}:
        assert scores == ["3.00", "1.00"]  # the bulk first, then the edit: both in the timeline
    else:
        assert scores == ["1.00"]
        assert [(pk, reason) for _a, pk, reason in bulk.skipped] == [
            (answers[0].pk, "diubah orang lain sejak halaman dimuat")
        ]
    assert {a.verified_score for a in Answer.objects.filter(pk__in=[a.pk for a in answers[1:]])} == {Decimal(3)}


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_confirming_a_second_signoff_at_once_confirm_it_once(
    reference_data,  # noqa: F811
    period,
    agency_a,
    coordinator,
    admin_user,
):
    period.second_signoff = True
    period.save(update_fields=["second_signoff"])
    submission = make_submission(period, agency_a, status=S.SUBMITTED)
    submission.approve(by=make_user("koordinator2", roles.COORDINATOR))
    first, second = another_copy(submission), another_copy(submission)
    outcomes = at_once(lambda: first.confirm_approval(by=coordinator), lambda: second.confirm_approval(by=admin_user))
    errors = [error for _result, error in outcomes if error is not None]
    assert len(errors) == 1, outcomes
    assert isinstance(errors[0], TransitionError) and ALREADY in errors[0].message
    confirmed = another_copy(submission)
    assert confirmed.status == S.APPROVED
    assert confirmed.second_approved_by == (coordinator if outcomes[0][1] is None else admin_user)
    assert SubmissionEvent.objects.filter(submission=submission, to_status=S.APPROVED).count() == 1
