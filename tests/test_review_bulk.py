"""The rules of the bulk review actions (evaluations/review_bulk.py): what each applies to, the
rows it writes (the single-answer actions' own), and what it skips and why."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations import review_bulk, roles
from evaluations.models import AgencyMember, Answer, AnswerChange, Question, RevisionReply, Submission, SubmissionEvent
from evaluations.models.transitions import TransitionError

from .factories import make_answer, make_reviewer, make_submission, make_user, plan_review

pytestmark = pytest.mark.django_db
S = Submission.Status


@pytest.fixture
def questions(period):
    return list(Question.objects.for_period(period).filter(answer_type="level").order_by("code"))


@pytest.fixture
def submission(period, agency_a):
    return make_submission(period, agency_a, status=S.SUBMITTED)


@pytest.fixture
def answers(submission, questions):
    return [make_answer(submission, question, score=3) for question in questions[:3]]


def stamps(answers):
    return {answer.pk: answer.review_stamp for answer in answers}


def fresh(answer):
    return Answer.objects.get(pk=answer.pk)


def of_period(period):
    return Answer.objects.filter(submission__period=period)


def test_accepting_sets_each_verified_score_to_the_self_score(period, answers, coordinator):
    outcome = review_bulk.accept_self_scores(of_period(period), stamps(answers), by=coordinator)
    assert len(outcome.applied) == 3 and outcome.skipped == []
    assert [fresh(a).verified_score for a in answers] == [Decimal(3)] * 3


def test_accepting_writes_the_score_event_the_single_action_writes(period, answers, coordinator):
    review_bulk.accept_self_scores(of_period(period), stamps(answers[:1]), by=coordinator)
    answers[1].set_verified_score(coordinator, answers[1].self_score)
    bulk, single = (SubmissionEvent.objects.get(answer=a) for a in answers[:2])
    fields = ("kind", "from_status", "to_status", "note", "actor_id", "submission_id")
    assert [getattr(bulk, f) for f in fields] == [getattr(single, f) for f in fields]


def test_an_answer_changed_since_the_page_was_drawn_is_skipped_not_overwritten(period, answers, coordinator):
    seen = stamps(answers)
    answers[0].set_verified_score(coordinator, Decimal(1))
    outcome = review_bulk.accept_self_scores(of_period(period), seen, by=coordinator)
    assert fresh(answers[0]).verified_score == Decimal(1)
    assert [(pk, reason) for _a, pk, reason in outcome.skipped] == [
        (answers[0].pk, "diubah orang lain sejak halaman dimuat")
    ]
    assert len(outcome.applied) == 2


def test_an_answer_whose_value_the_agency_changed_is_skipped(period, answers, coordinator):
    seen = stamps(answers)
    Answer.objects.filter(pk=answers[0].pk).update(version=2)
    outcome = review_bulk.accept_self_scores(of_period(period), seen, by=coordinator)
    assert fresh(answers[0]).verified_score is None
    assert outcome.skipped[0][2] == "diubah orang lain sejak halaman dimuat"


def test_accepting_skips_verified_answers_and_answers_without_a_self_score(period, submission, questions, coordinator):
    verified = make_answer(submission, questions[0], score=3, verified=2)
    unscored = make_answer(submission, questions[1], text_value="Teks")
    outcome = review_bulk.accept_self_scores(of_period(period), stamps([verified, unscored]), by=coordinator)
    assert outcome.applied == []
    assert sorted(reason for _a, _pk, reason in outcome.skipped) == ["sudah diverifikasi", "tidak ada skor mandiri"]
    assert fresh(verified).verified_score == Decimal(2)


def test_answers_of_a_submission_not_under_review_are_skipped(period, answers, submission, coordinator):
    seen = stamps(answers)
    Submission.objects.filter(pk=submission.pk).update(status=S.RETURNED)
    outcome = review_bulk.accept_self_scores(of_period(period), seen, by=coordinator)
    assert outcome.applied == []
    assert {reason for _a, _pk, reason in outcome.skipped} == {
        "pengisiannya tidak sedang diverifikasi (status Dikembalikan)"
    }


def test_answers_of_a_submission_awaiting_its_second_signoff_are_skipped(period, answers, submission, coordinator):
    seen = stamps(answers)
    Submission.objects.filter(pk=submission.pk).update(approved_by=coordinator)
    outcome = review_bulk.accept_self_scores(of_period(period), seen, by=coordinator)
    assert outcome.applied == []
    assert {reason for _a, _pk, reason in outcome.skipped} == {"pengisiannya menunggu persetujuan kedua"}


def test_only_the_answers_the_page_showed_are_touched(period, answers, coordinator):
    review_bulk.accept_self_scores(of_period(period), stamps(answers[:2]), by=coordinator)
    assert fresh(answers[2]).verified_score is None


def test_an_answer_outside_the_set_given_is_skipped(period, answers, coordinator):
    others = of_period(period).exclude(pk=answers[0].pk)
    outcome = review_bulk.accept_self_scores(others, stamps(answers), by=coordinator)
    assert fresh(answers[0]).verified_score is None
    assert (None, answers[0].pk, "tidak lagi termasuk saringan ini") in outcome.skipped


def test_an_operator_may_not_use_the_bulk_actions(period, answers, operator_a):
    with pytest.raises(PermissionDenied):
        review_bulk.accept_self_scores(of_period(period), stamps(answers), by=operator_a)
    assert fresh(answers[0]).verified_score is None


def test_marking_writes_the_note_and_one_history_row_per_answer(period, answers, coordinator):
    outcome = review_bulk.mark_for_revision(of_period(period), stamps(answers), by=coordinator, note="Lampirkan SK.")
    assert len(outcome.applied) == 3
    assert all(fresh(a).needs_revision and fresh(a).revision_note == "Lampirkan SK." for a in answers)
    rows = AnswerChange.objects.filter(answer__in=answers, field="revision")
    assert sorted((r.answer_id, r.old_value, r.new_value, r.changed_by_id) for r in rows) == sorted(
        (a.pk, "", "Lampirkan SK.", coordinator.pk) for a in answers
    )


def test_marking_writes_the_history_row_the_single_action_writes(period, answers, coordinator):
    review_bulk.mark_for_revision(of_period(period), stamps(answers[:1]), by=coordinator, note="Lampirkan SK.")
    answers[1].mark_for_revision(coordinator, True, "Lampirkan SK.")
    bulk, single = (AnswerChange.objects.get(answer=a) for a in answers[:2])
    fields = ("field", "old_value", "new_value", "changed_by_id")
    assert [getattr(bulk, f) for f in fields] == [getattr(single, f) for f in fields]


def test_marking_skips_answers_already_marked(period, answers, coordinator):
    answers[0].mark_for_revision(coordinator, True, "Catatan lama.")
    answers[0].refresh_from_db()
    outcome = review_bulk.mark_for_revision(of_period(period), stamps(answers), by=coordinator, note="Baru.")
    assert fresh(answers[0]).revision_note == "Catatan lama."
    assert [(pk, reason) for _a, pk, reason in outcome.skipped] == [(answers[0].pk, "sudah ditandai perlu perbaikan")]


def test_marking_without_a_note_is_refused_and_changes_nothing(period, answers, coordinator):
    with pytest.raises(TransitionError, match="catatan perbaikan"):
        review_bulk.mark_for_revision(of_period(period), stamps(answers), by=coordinator, note="  ")
    assert not Answer.objects.filter(needs_revision=True).exists()


def test_a_bulk_action_over_many_answers_takes_a_fixed_number_of_queries(period, submission, questions, coordinator):
    one = [make_answer(submission, questions[0], score=2)]
    coordinator.has_perm("evaluations.review_submission")  # the user's permissions, read once per request
    AgencyMember.objects.agency_of(coordinator)  # the user's agency, read once per request
    with CaptureQueriesContext(connection) as small:
        review_bulk.accept_self_scores(of_period(period), stamps(one), by=coordinator)
    many = [make_answer(submission, q, score=2) for q in questions[1:30]]
    with CaptureQueriesContext(connection) as large:
        review_bulk.accept_self_scores(of_period(period), stamps(many), by=coordinator)
    assert len(small) == len(large), [q["sql"] for q in small.captured_queries]
    # the submissions locked, the plans' rows, the answers, the bulk update (a savepoint and the
    # UPDATE), the events
    assert len(small) == 7


# --- the page's filter ------------------------------------------------------------------


def test_the_filter_finds_self_scored_answers_of_submissions_under_review(period, answers, agency_b, questions):
    returned = make_submission(period, agency_b, status=S.RETURNED)
    make_answer(returned, questions[0], score=2)
    assert set(review_bulk.answers_in_review(period)) == set(answers)


def test_the_filter_narrows_to_a_pillar_and_an_agency(period, answers, agency_a, agency_b):
    pillar = answers[0].question.pillar.code
    assert set(review_bulk.answers_in_review(period, pillar=pillar, agency=agency_a)) == {
        a for a in answers if a.question.pillar.code == pillar
    }
    assert list(review_bulk.answers_in_review(period, agency=agency_b)) == []


def test_the_filter_tells_marked_answers_from_replied_ones(period, answers, submission, coordinator, operator_a):
    for answer in answers[:2]:
        answer.mark_for_revision(coordinator, True, "Perbaiki.")
    submission.return_for_revision(coordinator)
    RevisionReply.objects.create(answer=answers[0], author=operator_a, body="Sudah sesuai.")
    Submission.objects.filter(pk=submission.pk).update(status=S.SUBMITTED)
    assert list(review_bulk.answers_in_review(period, state=review_bulk.REPLIED)) == [answers[0]]
    assert list(review_bulk.answers_in_review(period, state=review_bulk.MARKED)) == [answers[1]]


# --- under a review plan (models/review_plan.ReviewScope: the single actions' rule) -----------


def reasons(outcome):
    return {pk: reason for _a, pk, reason in outcome.skipped}


def test_with_a_plan_an_answer_given_to_another_reviewer_is_skipped_with_that_reason(period, answers, coordinator):
    gov = [a for a in answers if a.question.pillar.code == "GOV"] or answers[:1]
    plan_review(period, make_user("koordinator_lain", roles.COORDINATOR), gov[0].question.pillar)
    outcome = review_bulk.accept_self_scores(of_period(period), stamps(answers), by=coordinator)
    given = {a.pk for a in answers if a.question.pillar_id == gov[0].question.pillar_id}
    assert {pk: "diberikan kepada peninjau lain" for pk in given} == reasons(outcome)
    assert all(fresh(a).verified_score is None for a in answers if a.pk in given)
    assert len(outcome.applied) == len(answers) - len(given)


def test_a_lead_agencys_reviewer_accepts_the_answers_the_plan_gives_them_only(period, answers, agency_b):
    reviewer = make_reviewer(agency_b)
    mine = answers[0].question.pillar
    plan_review(period, reviewer, mine)
    outcome = review_bulk.accept_self_scores(of_period(period), stamps(answers), by=reviewer)
    assert {a.pk for a in outcome.applied} == {a.pk for a in answers if a.question.pillar_id == mine.pk}
    others = [a for a in answers if a.question.pillar_id != mine.pk]
    assert reasons(outcome) == {a.pk: "bukan bagian Anda dalam rencana peninjauan" for a in others}


def test_a_reviewers_own_agencys_answers_are_skipped_with_that_reason(period, answers, agency_a):
    reviewer = make_reviewer(agency_a)
    plan_review(period, reviewer, answers[0].question.pillar)
    outcome = review_bulk.mark_for_revision(of_period(period), stamps(answers[:1]), by=reviewer, note="Perbaiki.")
    assert outcome.applied == []
    assert reasons(outcome) == {answers[0].pk: "jawaban perangkat daerah Anda sendiri"}
    assert not fresh(answers[0]).needs_revision


def test_a_reviewer_of_another_agency_only_skips_that_agencys_answers(period, answers, agency_b):
    reviewer = make_reviewer(agency_b)
    plan_review(period, reviewer, answers[0].question.pillar, agency=answers[0].submission.agency)
    other = make_user("koordinator_lain", roles.COORDINATOR)
    outcome = review_bulk.accept_self_scores(of_period(period), stamps(answers[:1]), by=other)
    assert reasons(outcome) == {answers[0].pk: "diberikan kepada peninjau lain"}


def test_without_a_plan_the_coordinator_acts_on_every_answer_as_before(period, answers, coordinator):
    outcome = review_bulk.accept_self_scores(of_period(period), stamps(answers), by=coordinator)
    assert outcome.skipped == [] and len(outcome.applied) == len(answers)


def test_a_reviewers_bulk_action_takes_a_fixed_number_of_queries(period, submission, questions, agency_b):
    reviewer = make_reviewer(agency_b)
    for pillar in {q.pillar_id for q in questions}:
        plan_review(period, reviewer, questions[0].pillar.__class__.objects.get(pk=pillar))
    reviewer.has_perm("evaluations.review_submission")
    AgencyMember.objects.agency_of(reviewer)
    one = [make_answer(submission, questions[0], score=2)]
    with CaptureQueriesContext(connection) as small:
        assert len(review_bulk.accept_self_scores(of_period(period), stamps(one), by=reviewer).applied) == 1
    many = [make_answer(submission, q, score=2) for q in questions[1:30]]
    with CaptureQueriesContext(connection) as large:
        assert len(review_bulk.accept_self_scores(of_period(period), stamps(many), by=reviewer).applied) == len(many)
    assert len(small) == len(large) == 7
