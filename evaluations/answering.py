"""How an agency fills in its submission: sections, saving answers and evidence (carry forward
from the previous period: evaluations/carry_forward.py).

The rules live here so that views stay thin:

- A *section* is the agency's assigned questions of one evaluation dimension and one pillar,
  keyed "<dimension code>-<pillar code>" (e.g. "A-GOV"); questions without a pillar go to
  "<dimension code>-UMUM". Sections follow the form order of the instrument.
- Saving uses optimistic locking per answer: the form carries the version it was rendered from
  and a fingerprint of the values the operator saw. An answer whose values the operator did not
  touch is left alone; a changed answer is written with `UPDATE ... WHERE version = <seen>`, and
  if someone else saved it in between, that answer is refused (a conflict, showing the other
  person's value) while the other answers of the same post are saved. Evidence added or removed
  never overwrites anyone's work, so it is applied even when the answer's values conflict.
- Every changed field is written to AnswerChange (who, when, old, new).
- write_answer is the one writer of an answer's values, for saving, confirming and carrying
  forward here and for the impact survey's fill: it bumps the version, clears a verified score
  given to other values and writes the change rows.
- A save refused by the form checks keeps each file that passed its own checks: see
  evaluations.pending_uploads.
- On a returned submission, a reply to the coordinator's note of a marked answer is saved with the
  section (Answer.add_reply); a changed or replied answer no longer holds up resubmitting
  (Submission.untouched_revisions).
"""

import hashlib
from dataclasses import dataclass, field

from django.db import IntegrityError, models, transaction
from django.db.models import Exists, F, OuterRef, Prefetch
from django.utils import timezone
from django.utils.text import normalize_newlines
from django.utils.translation import gettext_lazy as _

from .models import (
    Answer,
    AnswerChange,
    AnswerOption,
    Evidence,
    Question,
    ReviewComment,
    RevisionReply,
    ScoreBand,
    TransitionError,
)
from .models.instrument import format_score
from .models.review_sections import section_key

VALUE_FIELDS = ("option_id", "bool_value", "number_value", "text_value", "date_value")


def empty_values():
    return {"option_id": None, "bool_value": None, "number_value": None, "text_value": "", "date_value": None}


def values_of(answer):
    if answer is None:
        return empty_values()
    return {name: getattr(answer, name) for name in VALUE_FIELDS}


def answer_state(values, explanation):
    """A fingerprint of what an operator sees of an answer, to tell whether they changed it."""
    number = values.get("number_value")
    parts = [
        str(values.get("option_id") or ""),
        "" if values.get("bool_value") is None else str(int(values["bool_value"])),
        "" if number is None else f"{number.normalize():f}",
        normalize_newlines(values.get("text_value") or "").strip(),
        values["date_value"].isoformat() if values.get("date_value") else "",
        normalize_newlines(explanation or "").strip(),
    ]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


def state_of(answer):
    return answer_state(values_of(answer), answer.explanation if answer else "")


def display_value(question, values):
    """The answer as a person reads it, from a values dict (options come prefetched)."""
    probe = Answer(question=question, **{k: v for k, v in values.items() if k != "option_id"})
    if values.get("option_id"):
        option = next((o for o in question.options.all() if o.pk == values["option_id"]), None)
        return option.label if option else ""
    return probe.value_display()


# --- sections ---------------------------------------------------------------------------


def section_key_of(question):
    return section_key(question.indicator.dimension.code, question.pillar.code if question.pillar_id else None)


@dataclass
class Section:
    key: str
    dimension: object
    pillar: object
    questions: list = field(default_factory=list)
    answered: int = 0
    evidence_missing: int = 0
    carried: int = 0
    revision: int = 0

    @property
    def total(self):
        return len(self.questions)

    @property
    def percent(self):
        return round(100 * self.answered / self.total) if self.total else 0

    @property
    def is_complete(self):
        return self.answered == self.total and not self.evidence_missing and not self.carried

    @property
    def title(self):
        pillar = self.pillar.name if self.pillar else _("Umum")
        return f"{self.dimension.code}. {self.dimension.name} · {pillar}"


def build_sections(questions):
    """Group questions (in form order) into sections, keeping the first-seen order."""
    sections = {}
    for question in questions:
        key = section_key_of(question)
        if key not in sections:
            sections[key] = Section(key=key, dimension=question.indicator.dimension, pillar=question.pillar)
        sections[key].questions.append(question)
    return list(sections.values())


def submission_sections(submission):
    """Every section of the submission with how many of its questions are answered. Two queries."""
    sections = build_sections(submission.questions().in_sections())
    answers = submission.answers_by_question()
    for section in sections:
        for question in section.questions:
            answer = answers.get(question.id)
            if answer is None or not answer.is_answered:
                continue
            section.answered += 1
            if question.evidence_required and not answer.live_evidence_count:
                section.evidence_missing += 1
            if answer.carried_forward:
                section.carried += 1
            if answer.needs_revision:
                section.revision += 1
    return sections


@dataclass
class SectionPage:
    """What the section page shows: the section, its neighbours, questions and answers."""

    section: Section
    previous: Section | None
    next: Section | None
    sections: list
    answers: dict


def load_section(submission, key):
    """The section page's data in a fixed number of queries, whatever the number of questions.
    Returns None when the submission has no such section."""
    sections = build_sections(submission.questions().in_sections())
    index = next((i for i, s in enumerate(sections) if s.key == key), None)
    if index is None:
        return None
    section = sections[index]
    _prefetch_choices(section.questions)
    answers = _section_answers(submission, section.questions)
    for question in section.questions:
        answer = answers.get(question.id)
        if answer is not None:
            answer.question = question  # value_display without another query
            if answer.is_answered:
                section.answered += 1
    return SectionPage(
        section=section,
        previous=sections[index - 1] if index > 0 else None,
        next=sections[index + 1] if index + 1 < len(sections) else None,
        sections=sections,
        answers=answers,
    )


def _prefetch_choices(questions):
    """The options of the questions answered by choosing one and the score bands of those scored
    by bands (the form's choices, the self score when saving): a query for each kind the section
    has, none for a section without them. In their own order, without the joins of the models'
    default ordering (the question's form order)."""
    with_options = [q for q in questions if q.uses_options]
    if with_options:
        models.prefetch_related_objects(
            with_options, Prefetch("options", queryset=AnswerOption.objects.order_by("order", "value"))
        )
    with_bands = [q for q in questions if q.uses_bands]
    if with_bands:
        models.prefetch_related_objects(with_bands, Prefetch("bands", queryset=ScoreBand.objects.order_by("min_value")))


def _section_answers(submission, questions):
    """{question id: answer} of these questions with their live evidence, the comments the agency
    may read and its replies to revision notes. The submission was looked up in its region's
    scope, so its answers and what hangs on them are that region's: no region filter (and its
    joins) of their own. Comments and replies are rare (a reviewed answer's): each answer says
    whether it has any, and only those are fetched."""
    comments = ReviewComment.objects.with_scopes_disabled().visible_to_agency()
    replies = RevisionReply.objects.with_scopes_disabled()
    answers = list(
        Answer.objects.with_scopes_disabled()
        .filter(submission=submission, question__in=[q.id for q in questions])
        .annotate(
            has_comments=Exists(comments.filter(answer=OuterRef("pk"))),
            has_replies=Exists(replies.filter(answer=OuterRef("pk"))),
        )
        .order_by()
        .select_related("updated_by")
        .prefetch_related(
            Prefetch(
                "evidence",
                queryset=Evidence.objects.with_scopes_disabled().live().order_by("uploaded_at", "pk"),
                to_attr="live_evidence",
            )
        )
    )
    models.prefetch_related_objects(
        [a for a in answers if a.has_comments],
        Prefetch("comments", queryset=comments.select_related("author"), to_attr="agency_comments"),
    )
    models.prefetch_related_objects(
        [a for a in answers if a.has_replies],
        Prefetch("replies", queryset=replies.select_related("author"), to_attr="revision_replies"),
    )
    for answer in answers:
        if not answer.has_comments:
            answer.agency_comments = []
        if not answer.has_replies:
            answer.revision_replies = []
    return {answer.question_id: answer for answer in answers}


# --- saving -----------------------------------------------------------------------------


@dataclass
class AnswerInput:
    """One question's part of a posted section form, already validated by the form."""

    question: Question
    answer: Answer | None
    seen_version: int
    seen_state: str
    values: dict
    explanation: str
    new_evidence: list = field(default_factory=list)  # [(title, uploaded_file or None, url)]
    remove_evidence: list = field(default_factory=list)  # Evidence ids
    confirm: bool = False
    reply: str = ""  # to the coordinator's note on an answer marked for revision

    @property
    def values_changed(self):
        return answer_state(self.values, self.explanation) != self.seen_state


@dataclass
class Conflict:
    question: Question
    current: Answer


@dataclass
class SaveResult:
    saved: list = field(default_factory=list)  # questions whose answer was written
    versions: dict = field(default_factory=dict)  # question id -> version now in the database
    conflicts: list = field(default_factory=list)


def _audit(answer, by, name, old, new):
    if old != new:
        return AnswerChange(answer=answer, changed_by=by, field=name, old_value=old, new_value=new)
    return None


def _self_score(question, values):
    probe = Answer(question=question, **{k: v for k, v in values.items() if k != "option_id"})
    if values.get("option_id"):
        probe.option = next((o for o in question.options.all() if o.pk == values["option_id"]), None)
        probe.option_id = values["option_id"]
    return probe.derive_self_score(bands=list(question.bands.all()) if question.uses_bands else [])


def _reload(submission, question):
    return Answer.objects.select_related("updated_by", "option", "question").get(
        submission=submission, question=question
    )


# --- the one writer of answers ----------------------------------------------------------

DERIVED = object()  # write_answer's self score: derived from the values (Answer.derive_self_score)


def write_answer(
    submission,
    question,
    answer,
    values,
    by,
    *,
    changes,
    self_score=DERIVED,
    explanation=None,
    carried_forward=False,
    seen_version=None,
    source=None,
):
    """Create or update the answer to `question` with `values` (a dict of VALUE_FIELDS): the one
    writer of an answer's values. Saving a section, confirming, carrying forward and the impact
    survey's fill all write through here, so that these rules are written once:

    - the version goes up by one. With `seen_version` (the version the operator's form was
      rendered from) the write is optimistic: when someone else saved the answer since, or created
      it meanwhile, nothing is written and None is returned;
    - a verified score given to other values is cleared: until the coordinator looks again the
      answer counts with the agency's own score, never with a score given to something else;
    - the change rows are appended to `changes` for the caller to bulk-create: the cleared verified
      score, a carried-forward copy no longer carried, then either what a person changed (value,
      explanation) or, with `source` = (field, text), one row saying where the values came from
      (carried forward, the impact survey) with the value as it read before.

    `self_score` is derived from the values unless given; `explanation` is kept when None.
    Call it in a transaction with the submission locked. Returns the answer as written."""
    fields = {
        **values,
        "self_score": _self_score(question, values) if self_score is DERIVED else self_score,
        "carried_forward": carried_forward,
    }
    if explanation is not None:
        fields["explanation"] = explanation
    before = _snapshot(answer)
    if answer is None:
        answer = _create_answer(submission, question, by, fields, optimistic=seen_version is not None)
    else:
        if answer.verified_score is not None and values_of(answer) != values:
            fields["verified_score"] = None  # the coordinator verified other values: theirs no longer
        if not _update_answer(answer, by, fields, seen_version):
            return None
    if answer is not None:
        changes.extend(_change_rows(question, before, answer, by, source))
    return answer


def _snapshot(answer):
    """What the change rows compare: the values, explanation, carried flag and verified score."""
    if answer is None:
        return {**empty_values(), "explanation": "", "carried_forward": False, "verified_score": None}
    return {
        **values_of(answer),
        "explanation": answer.explanation,
        "carried_forward": answer.carried_forward,
        "verified_score": answer.verified_score,
    }


def _change_rows(question, before, answer, by, source):
    """The AnswerChange rows of one write (see write_answer), `before` its _snapshot."""
    old_values = {name: before[name] for name in VALUE_FIELDS}
    rows = []
    if before["verified_score"] is not None and answer.verified_score is None:
        rows.append(_audit(answer, by, "verified_score", format_score(before["verified_score"]), ""))
    if before["carried_forward"] and not answer.carried_forward:
        rows.append(_audit(answer, by, "carried_forward", str(_("ya")), str(_("tidak"))))
    if source is None:
        new_value = display_value(question, values_of(answer))
        rows.append(_audit(answer, by, "value", display_value(question, old_values), new_value))
        rows.append(_audit(answer, by, "explanation", before["explanation"], answer.explanation))
    else:
        name, text = source
        old_value = display_value(question, old_values) if Answer(**old_values).is_answered else ""
        rows.append(AnswerChange(answer=answer, changed_by=by, field=name, old_value=old_value, new_value=text))
    return [row for row in rows if row is not None]


def _create_answer(submission, question, by, fields, optimistic):
    """A new answer row. Optimistic (an operator's save): when a colleague created it meanwhile,
    None, so that the caller reports a conflict instead of failing the whole save."""
    if not optimistic:
        return Answer.objects.create(submission=submission, question=question, updated_by=by, version=1, **fields)
    try:
        with transaction.atomic():  # a savepoint: a concurrent creator wins, we report it
            return Answer.objects.create(submission=submission, question=question, updated_by=by, version=1, **fields)
    except IntegrityError:
        return None


def _update_answer(answer, by, fields, seen_version):
    """UPDATE the answer's row, version + 1 (only if still at `seen_version`, when given); the
    copy in memory follows. False when someone else saved it first."""
    if seen_version is not None and seen_version != answer.version:
        return False
    rows = Answer.objects.filter(pk=answer.pk)
    if seen_version is not None:
        rows = rows.filter(version=seen_version)
    if not rows.update(**fields, version=F("version") + 1, updated_by=by, updated_at=timezone.now()):
        return False
    answer.version += 1
    for name, value in fields.items():
        setattr(answer, name, value)
    return True


# --- saving -----------------------------------------------------------------------------


def _write_values(submission, item, by, result, changes):
    """Apply one answer's values with the version check; returns the answer row or None."""
    question, answer = item.question, item.answer
    # An impact question's score is the survey's (surveys.fill_impact_answers), never
    # derived from its value (a level answer holding the mean has no option to read a score from).
    keep_score = question.from_impact_survey and answer is not None
    return _record(
        submission,
        item,
        result,
        write_answer(
            submission,
            question,
            answer,
            dict(item.values),
            by,
            changes=changes,
            self_score=answer.self_score if keep_score else DERIVED,
            explanation=item.explanation,
            seen_version=item.seen_version,
        ),
    )


def _confirm(submission, item, by, result, changes):
    """Confirm a carried-forward answer without changing its values."""
    answer = item.answer
    if answer is None or not answer.carried_forward:
        return answer
    return _record(
        submission,
        item,
        result,
        write_answer(
            submission,
            item.question,
            answer,
            values_of(answer),
            by,
            changes=changes,
            self_score=answer.self_score,
            seen_version=item.seen_version,
        ),
    )


def _record(submission, item, result, answer):
    """Note a written answer (its new version) in `result`, or the conflict when it was not written."""
    if answer is None:
        result.conflicts.append(Conflict(item.question, _reload(submission, item.question)))
        return None
    result.saved.append(item.question)
    result.versions[item.question.id] = answer.version
    return answer


@transaction.atomic
def save_answers(submission, items, by):
    """Save a posted section: all answers, their evidence and the audit rows, in one transaction
    so that a failure leaves nothing half-written. Conflicting answers are reported, not raised.
    The submission's row is locked first: a colleague sending it meanwhile either waits for this
    save or is waited for, and then this save is refused."""
    submission.lock()
    if not submission.is_editable():
        raise TransitionError(_("Pengisian ini tidak dapat diubah lagi."))
    result = SaveResult()
    changes = []
    now = timezone.now()
    for item in items:
        answer = item.answer
        if item.values_changed:
            answer = _write_values(submission, item, by, result, changes) or answer
        elif item.confirm:
            answer = _confirm(submission, item, by, result, changes) or answer
        if item.reply and answer is not None:
            answer.add_reply(by, item.reply)
            if item.question not in result.saved:
                result.saved.append(item.question)
        if not (item.new_evidence or item.remove_evidence):
            continue
        if answer is None:
            answer, _created = Answer.objects.get_or_create(
                submission=submission, question=item.question, defaults={"updated_by": by}
            )
        if item.remove_evidence:
            removed = list(Evidence.objects.live().filter(answer=answer, pk__in=item.remove_evidence))
            Evidence.objects.filter(pk__in=[e.pk for e in removed]).update(removed_at=now, removed_by=by)
            changes.extend(_audit(answer, by, "evidence", e.title, "") for e in removed)
        for title, uploaded, url in item.new_evidence:
            evidence = Evidence(answer=answer, title=title, url=url or "", uploaded_by=by)
            if uploaded is not None:
                evidence.take(uploaded)
            evidence.save()
            changes.append(_audit(answer, by, "evidence", "", title))
        if item.question not in result.saved:
            result.saved.append(item.question)
    AnswerChange.objects.bulk_create([c for c in changes if c is not None])
    return result
