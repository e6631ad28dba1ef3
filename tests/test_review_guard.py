"""The review workflow's guards on the models (issue 11, problem 2): approving is refused while an
answer is marked for revision and needs the coordinator's word that the agency's own scores stand
for answers without a verified score; a return note belongs to one round; a returned submission
goes back only when every marked answer was changed or answered with a reply."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from evaluations.answering import load_section, save_answers
from evaluations.forms.answering import section_forms
from evaluations.models import AnswerChange, Question, RevisionReply, Submission, SubmissionEvent, TransitionError

from .factories import assign, make_answer, make_period, make_question, make_submission, period_of

pytestmark = pytest.mark.django_db
T = Question.AnswerType


@pytest.fixture
def questions(agency_a):
    period = make_period(2032)
    assign(period, agency_a, "GOV")
    return [
        make_question(period, code="G.1", answer_type=T.LEVEL, order=1),
        make_question(period, code="G.2", answer_type=T.LEVEL, order=2),
        make_question(period, code="G.3", answer_type=T.TEXT, order=3),
    ]


@pytest.fixture
def submission(questions, agency_a):
    submission = make_submission(period_of(questions[0]), agency_a)
    make_answer(submission, questions[0], score=3)
    make_answer(submission, questions[1], score=2)
    make_answer(submission, questions[2], text_value="Sudah berjalan")  # unscored
    return make_submission(submission.period, agency_a, status=Submission.Status.SUBMITTED)


def answer_of(submission, code):
    return submission.answers.get(question__code=code)


def verify_all(submission, coordinator):
    for answer in submission.answers.filter(self_score__isnull=False):
        answer.set_verified_score(coordinator, answer.self_score)


def mark(submission, code, coordinator, note="Lampirkan SK yang disahkan."):
    answer = answer_of(submission, code)
    answer.mark_for_revision(coordinator, True, note)
    return answer


def returned(submission, coordinator, operator, note="Perbaiki G.1."):
    mark(submission, "G.1", coordinator)
    submission.return_for_revision(by=coordinator, note=note)
    return submission


def save(submission, operator, code, **typed):
    """Save one answer through the section form as the operator would (values as typed)."""
    page = load_section(submission, "X-GOV")
    question = next(q for q in page.section.questions if q.code == code)
    answer = page.answers.get(question.id)
    data = {}
    for form in section_forms(page):
        for name, field in form.fields.items():
            value = form.initial.get(name, field.initial)
            if value is not None and name != "remove_evidence":
                data[f"{form.prefix}-{name}"] = str(value)
    for name, value in typed.items():
        data[f"q{question.pk}-{name}"] = value
    forms = section_forms(page, data)
    assert all(form.is_valid() for form in forms), [form.errors for form in forms]
    return save_answers(submission, [form.to_input() for form in forms], operator), answer


# --- approving -----------------------------------------------------------------------------


def test_approving_is_refused_while_an_answer_is_marked_for_revision(submission, coordinator):
    # On main this approved the submission and silently dropped the mark.
    verify_all(submission, coordinator)
    mark(submission, "G.2", coordinator)
    with pytest.raises(TransitionError) as refused:
        submission.approve(by=coordinator, accept_self_scores=True)
    assert "Perlu perbaikan" in refused.value.message and "G.2" in refused.value.message
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED and submission.approved_at is None
    assert answer_of(submission, "G.2").needs_revision
    assert not submission.events.filter(kind=SubmissionEvent.Kind.STATUS).exists()


def test_approving_with_unverified_scores_is_refused_without_the_confirmation(submission, coordinator):
    answer_of(submission, "G.1").set_verified_score(coordinator, 3)
    with pytest.raises(TransitionError) as refused:
        submission.approve(by=coordinator)
    assert "1 jawaban" in refused.value.message and "G.2" in refused.value.message
    assert "G.1" not in refused.value.message and "G.3" not in refused.value.message  # verified, unscored
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED


def test_approving_with_the_confirmation_records_that_the_self_scores_stand(submission, coordinator):
    submission.approve(by=coordinator, note="Lengkap.", accept_self_scores=True)
    submission.refresh_from_db()
    assert submission.status == Submission.Status.APPROVED
    accepted = submission.events.get(kind=SubmissionEvent.Kind.SELF_SCORES)
    assert accepted.note == "Skor mandiri diterima untuk 2 jawaban: G.1, G.2"
    assert accepted.actor == coordinator
    assert submission.events.get(kind=SubmissionEvent.Kind.STATUS).note == "Lengkap."


def test_approving_when_every_scored_answer_is_verified_needs_no_confirmation(submission, coordinator):
    verify_all(submission, coordinator)
    submission.approve(by=coordinator)
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.APPROVED
    assert not submission.events.filter(kind=SubmissionEvent.Kind.SELF_SCORES).exists()


def test_the_answers_standing_on_their_self_score_are_the_scored_unverified_ones(submission, coordinator):
    answer_of(submission, "G.2").set_verified_score(coordinator, 1)
    assert [a.question.code for a in submission.self_scored_answers()] == ["G.1"]


# --- the return note belongs to one round ------------------------------------------------------


def test_the_return_note_is_current_until_the_next_submit_and_stays_in_the_timeline(
    submission, coordinator, operator_a
):
    returned(submission, coordinator, operator_a, note="Lengkapi SK.")
    assert Submission.objects.get(pk=submission.pk).review_note == "Lengkapi SK."
    save(submission, operator_a, "G.1", value=str(answer_of(submission, "G.1").question.options.get(value="2").pk))
    submission.submit(by=operator_a)
    submission.refresh_from_db()
    assert submission.review_note == ""
    assert submission.events.get(to_status=Submission.Status.RETURNED).note == "Lengkapi SK."


def test_reopening_drops_the_current_note(submission, coordinator, admin_user, operator_a):
    returned(submission, coordinator, operator_a, note="Lengkapi SK.")
    submission.period.close()
    submission.reopen(by=admin_user)
    assert Submission.objects.get(pk=submission.pk).review_note == ""


# --- resubmitting a returned submission -------------------------------------------------------


def test_resubmitting_without_touching_a_marked_answer_is_refused(submission, coordinator, operator_a):
    # On main a returned submission went straight back with the marked answer untouched.
    returned(submission, coordinator, operator_a)
    with pytest.raises(TransitionError) as refused:
        submission.submit(by=operator_a)
    assert [question.code for question, _reason in refused.value.missing] == ["G.1"]
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.RETURNED


def test_changing_the_marked_answer_after_the_return_allows_resubmitting(submission, coordinator, operator_a):
    returned(submission, coordinator, operator_a)
    save(submission, operator_a, "G.1", value=str(answer_of(submission, "G.1").question.options.get(value="2").pk))
    submission.submit(by=operator_a)
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.SUBMITTED


def test_adding_evidence_to_the_marked_answer_counts_as_changing_it(submission, coordinator, operator_a):
    returned(submission, coordinator, operator_a)
    save(submission, operator_a, "G.1", evidence_title="SK disahkan", evidence_url="https://jdih.example.go.id/sk")
    submission.submit(by=operator_a)
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.SUBMITTED


def test_a_change_made_before_the_return_does_not_count(submission, coordinator, operator_a):
    answer = answer_of(submission, "G.1")
    AnswerChange.objects.create(answer=answer, changed_by=operator_a, field="value", old_value="", new_value="x")
    AnswerChange.objects.filter(answer=answer).update(changed_at=timezone.now() - timedelta(minutes=5))
    returned(submission, coordinator, operator_a)
    assert [a.question.code for a in submission.untouched_revisions()] == ["G.1"]


def test_a_reply_to_the_coordinators_note_allows_resubmitting(submission, coordinator, operator_a):
    returned(submission, coordinator, operator_a)
    save(submission, operator_a, "G.1", reply="SK masih di bagian hukum; level 3 tetap.")
    reply = RevisionReply.objects.get()
    assert (reply.answer, reply.author, reply.body) == (
        answer_of(submission, "G.1"),
        operator_a,
        "SK masih di bagian hukum; level 3 tetap.",
    )
    submission.submit(by=operator_a)
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.SUBMITTED


def test_a_reply_from_an_earlier_round_does_not_count_for_the_next_return(submission, coordinator, operator_a):
    returned(submission, coordinator, operator_a)
    save(submission, operator_a, "G.1", reply="Sudah sesuai.")
    submission.submit(by=operator_a)
    submission.return_for_revision(by=coordinator, note="Masih kurang.")
    assert [a.question.code for a in submission.untouched_revisions()] == ["G.1"]


def test_only_the_agencys_operator_replies_and_only_to_a_marked_answer(submission, coordinator, operator_a, operator_b):
    returned(submission, coordinator, operator_a)
    with pytest.raises(PermissionDenied):
        answer_of(submission, "G.1").add_reply(operator_b, "Bukan OPD saya.")
    with pytest.raises(TransitionError):
        answer_of(submission, "G.2").add_reply(operator_a, "Tidak ditandai.")
    assert not RevisionReply.objects.exists()
