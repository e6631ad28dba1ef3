"""Carry forward: the previous period's answers copied into this period's submission, for the
questions with the same code not answered yet, through answering.write_answer (so each copy has
its version, its change rows and stays marked `carried_forward` until the operator confirms it)."""

from django.db import transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _

from .answering import values_of, write_answer
from .models import AnswerChange, Evidence, Submission, TransitionError


@transaction.atomic
def carry_forward(submission, by):
    """Copy the previous period's answers into this submission for questions with the same code
    that are not answered yet. Evidence is carried as references to the same stored files.
    Copied answers stay marked `carried_forward` until the operator confirms or edits them.
    One transaction: either every copy is made or none. Returns the number of answers copied."""
    submission.lock()
    if not submission.is_editable():
        raise TransitionError(_("Pengisian ini tidak dapat diubah lagi."))
    previous = _previous_submission(submission)
    if previous is None:
        raise TransitionError(_("Tidak ada pengisian periode sebelumnya untuk perangkat daerah ini."))
    questions = {q.code: q for q in submission.questions().prefetch_related("options", "bands")}
    existing = {a.question_id: a for a in submission.answers.all()}
    old_answers = previous.answers.select_related("question", "option").prefetch_related(
        Prefetch("evidence", queryset=Evidence.objects.live(), to_attr="live_evidence")
    )
    copied = 0
    changes = []
    evidence_rows = []
    for old in old_answers:
        question = questions.get(old.question.code)
        current = existing.get(question.id) if question is not None else None
        if question is None or not old.is_answered or (current is not None and current.is_answered):
            continue
        values = _carried_values(old, question)
        if values is None:
            continue
        source = _("dari %(period)s: %(value)s") % {"period": previous.period, "value": old.value_display()}
        current = write_answer(
            submission,
            question,
            current,
            values,
            by,
            changes=changes,
            # An explanation the operator already wrote for this period is never replaced.
            explanation=(current.explanation if current is not None else "") or old.explanation,
            carried_forward=True,
            source=("carried_forward", str(source)),
        )
        evidence_rows.extend(_carried_evidence(old, current, by))
        copied += 1
    Evidence.objects.bulk_create(evidence_rows)
    AnswerChange.objects.bulk_create(changes)
    return copied


def _carried_values(old, question):
    """The previous period's answer as values of this period's question, or None when its option
    has no match here (options belong to each period's question: they are matched by value)."""
    values = values_of(old)
    if old.option_id is not None:
        option = next((o for o in question.options.all() if o.value == old.option.value), None)
        if option is None:
            return None
        values["option_id"] = option.pk
    return values


def _carried_evidence(old, answer, by):
    """Unsaved copies of the old answer's live evidence for `answer`, pointing at the same files."""
    return [
        Evidence(
            answer=answer,
            title=e.title,
            file=e.file.name,
            original_name=e.original_name,
            size=e.size,
            url=e.url,
            carried_from=e,
            uploaded_by=by,
        )
        for e in old.live_evidence
    ]


def _previous_submission(submission):
    """This agency's submission of the previous period, or None."""
    previous_period = submission.period.previous()
    if previous_period is None:
        return None
    return Submission.objects.filter(period=previous_period, agency=submission.agency).first()


def can_carry_forward(submission, among=None):
    """There is a previous-period submission of this agency to copy from. `among`: every period,
    when the page has read them (EvaluationPeriod.previous)."""
    previous_period = submission.period.previous(among)
    return (
        previous_period is not None
        and Submission.objects.filter(period=previous_period, agency=submission.agency).exists()
    )
