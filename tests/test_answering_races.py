"""An operator saving or submitting while a colleague submits the same submission
(evaluations/answering.py save_answers, Submission.submit): nothing lands in a submission that was
sent meanwhile, and the second person is told."""

import pytest

from evaluations.answering import AnswerInput, empty_values, save_answers, state_of
from evaluations.models import Answer, Question, Submission, SubmissionEvent, TransitionError

from .factories import assign, make_answer, make_operator, make_period, make_question

pytestmark = pytest.mark.django_db
ALREADY = "sudah diproses"


@pytest.fixture
def ready(agency_a):
    """A draft whose one question is answered: ready to be sent."""
    period = make_period(2032)
    assign(period, agency_a, "GOV")
    question = make_question(period, answer_type=Question.AnswerType.TEXT)
    submission = Submission.start(period, agency_a)
    make_answer(submission, question, text_value="Sudah ada.")
    return submission, question


def typed(answer, text):
    """The question's part of a posted section form, changed to `text`."""
    return AnswerInput(
        question=answer.question,
        answer=answer,
        seen_version=answer.version,
        seen_state=state_of(answer),
        values={**empty_values(), "text_value": text},
        explanation="",
    )


def test_a_save_from_a_page_opened_before_the_submission_was_sent_is_refused(ready, operator_a, agency_a):
    submission, question = ready
    stale = Submission.objects.get(pk=submission.pk)
    answer = Answer.objects.select_related("question").get(question=question)
    submission.submit(by=operator_a)
    with pytest.raises(TransitionError, match=ALREADY):
        save_answers(stale, [typed(answer, "Diubah setelah dikirim.")], by=make_operator(agency_a))
    assert Answer.objects.get(pk=answer.pk).text_value == "Sudah ada."


def test_sending_from_a_page_opened_before_a_colleague_sent_it_is_refused(ready, operator_a, agency_a):
    submission, _question = ready
    stale = Submission.objects.get(pk=submission.pk)
    submission.submit(by=operator_a)
    with pytest.raises(TransitionError, match=ALREADY):
        stale.submit(by=make_operator(agency_a))
    assert SubmissionEvent.objects.filter(submission=submission).count() == 1
