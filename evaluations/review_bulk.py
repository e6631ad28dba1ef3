"""Review decisions over many answers at once (issue 27): accept the agencies' self-scores of a
filtered set, or mark a filtered set for revision with one note.

    outcome = review_bulk.accept_self_scores(answers, stamps, by=coordinator)
    outcome.applied   # the answers changed
    outcome.skipped   # [(answer or None, pk, reason)] the answers left as they were, and why

`answers` is any queryset of answers (the coordinators' bulk page passes the period's filtered
set; a reviewer's queue passes the answers the plan gives them); `stamps` is {answer pk: the
answer's review_stamp as the page showed it}. Only answers both in `answers` and in `stamps` are
touched: what the person saw and confirmed, nothing that entered the filter since.

Each decision is the single-answer action's own rule (Answer.verified_score_change,
Answer.revision_mark_change) and writes the same audit row; here the rows are written with one
bulk_update and one bulk_create, in ONE transaction: all of it or none of it. Like every write
of answers, it first locks the submissions' rows (in primary-key order, so that two bulk actions
never wait on each other crosswise), so a single edit under way finishes first and then shows up
here as a moved stamp: that answer is skipped, never overwritten. Under a review plan each
answer is the single actions' rule's (ReviewScope.refusal): one the plan gives to another
reviewer, or of the actor's own agency, is skipped with that reason.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Answer, AnswerChange, RevisionReply, Submission, SubmissionEvent
from .models.answering import SELF_SCORED
from .models.review_plan import ReviewScope, actionable_q, is_reviewer
from .models.transitions import TransitionError


@dataclass
class Outcome:
    applied: list = field(default_factory=list)
    skipped: list = field(default_factory=list)  # (answer or None, pk, reason)

    def skipped_by_reason(self):
        """{reason: [question codes or ids]}, for the message that lists what was left."""
        reasons = {}
        for answer, pk, reason in self.skipped:
            name = f"{answer.submission.agency.abbreviation} {answer.question.code}" if answer else f"#{pk}"
            reasons.setdefault(reason, []).append(name)
        return reasons


def _changed():
    return _("diubah orang lain sejak halaman dimuat")


def _locked_answers(answers, stamps, by):
    """The answers in both `answers` and `stamps`, read after locking their submissions."""
    pks = list(stamps)
    submission_ids = answers.filter(pk__in=pks).values("submission_id")
    # Locked in one statement, in pk order: the order every bulk action takes them in.
    locked = Submission.objects.filter(pk__in=submission_ids).order_by("pk")
    locked = locked.select_related("period", "agency").select_for_update(no_key=True, of=("self",))
    submissions = {s.pk: s for s in locked}
    # Who may act on which answer: the single actions' rule (ReviewScope), the plans read once.
    ReviewScope.of_many(by, submissions.values())
    rows = list(
        answers.filter(pk__in=pks)
        .select_related("question", "submission__agency")
        .order_by("submission__agency__name", "question__code", "pk")
    )
    for answer in rows:
        # The locked copy: its status is the one that holds until this transaction ends.
        answer.submission = submissions[answer.submission_id]
    return rows


def _screen(answers, stamps, by, applies, outcome):
    """The answers this action may change; the others go to outcome.skipped with their reason.
    `applies(answer)` returns None or the reason the action does not apply to the answer."""
    found = {answer.pk for answer in answers}
    for pk in stamps:
        if pk not in found:
            outcome.skipped.append((None, pk, _("tidak lagi termasuk saringan ini")))
    ready = []
    for answer in answers:
        submission = answer.submission
        # The review plan first: an answer given to another reviewer (or of the actor's own
        # agency) is not theirs, whatever else is true of it (Answer._check_may_review's rule).
        refusal = ReviewScope.of(by, submission).refusal(answer.question)
        if refusal:
            reason = str(refusal)
        elif answer.review_stamp != stamps[answer.pk]:
            reason = _changed()
        elif not submission.is_under_review():
            if submission.is_awaiting_second_signoff():
                reason = _("pengisiannya menunggu persetujuan kedua")
            else:
                reason = _("pengisiannya tidak sedang diverifikasi (status %(status)s)") % {
                    "status": submission.get_status_display()
                }
        else:
            reason = applies(answer)
        if reason:
            outcome.skipped.append((answer, answer.pk, reason))
        else:
            ready.append(answer)
    return ready


def _check(by):
    """Coordinators and the plan's reviewers (a lead agency's reviewer acts on the answers the plan
    gives them: each answer is screened by ReviewScope)."""
    if not is_reviewer(by):
        raise PermissionDenied


@transaction.atomic
def accept_self_scores(answers, stamps, by):
    """The verified score of each self-scored, not yet verified answer becomes its self-score:
    one SCORE event per answer on its submission's timeline, as Answer.set_verified_score writes."""
    _check(by)
    outcome = Outcome()
    rows = _locked_answers(answers, stamps, by)

    def applies(answer):
        if answer.self_score is None:
            return _("tidak ada skor mandiri")
        if answer.verified_score is not None:
            return _("sudah diverifikasi")
        return None

    now = timezone.now()
    events = []
    for answer in _screen(rows, stamps, by, applies, outcome):
        events.append(answer.verified_score_change(by, answer.self_score))
        answer.updated_at = now  # bulk_update does not apply auto_now
        outcome.applied.append(answer)
    Answer.objects.bulk_update(outcome.applied, ["verified_score", "updated_at"])
    SubmissionEvent.objects.bulk_create(events)
    return outcome


@transaction.atomic
def mark_for_revision(answers, stamps, by, note):
    """Mark each answer not yet marked for revision, with `note`: one history row per answer, as
    Answer.mark_for_revision writes. Refused as a whole (TransitionError) without a note."""
    _check(by)
    if not (note or "").strip():
        raise TransitionError(_("Tulis catatan perbaikan agar perangkat daerah tahu apa yang harus diperbaiki."))
    outcome = Outcome()
    rows = _locked_answers(answers, stamps, by)

    def applies(answer):
        return _("sudah ditandai perlu perbaikan") if answer.needs_revision else None

    now = timezone.now()
    changes = []
    for answer in _screen(rows, stamps, by, applies, outcome):
        changes.append(answer.revision_mark_change(by, True, note))
        answer.updated_at = now
        outcome.applied.append(answer)
    Answer.objects.bulk_update(outcome.applied, ["needs_revision", "revision_note", "updated_at"])
    AnswerChange.objects.bulk_create(changes)
    return outcome


# The bulk page's filter on the state of an answer (?keadaan=).
UNVERIFIED = "belum"  # scored by the agency, not yet verified
MARKED = "perbaikan"  # marked for revision, the agency has not replied in this round
REPLIED = "ditanggapi"  # marked for revision, the agency replied since the last return
STATES = (UNVERIFIED, MARKED, REPLIED)
# The most answers one bulk action takes: the page lists each with its stamp, and a bigger set
# is narrowed by the filter first.
LIMIT = 500


def answers_in_review(period, pillar=None, agency=None, state=UNVERIFIED, user=None):
    """The bulk page's answers: those of `period`'s submissions under review (handed in, not yet
    approved by anyone), of `pillar` (code) and `agency` if given, in `state`, and that `user` (if
    given) may act on under the period's review plan; with what the list shows (question, agency,
    option). One query, and one for the plan when `user` is given."""
    # Replied in this round: after the last return (Submission.untouched_revisions' rule).
    replied = RevisionReply.objects.filter(answer=OuterRef("pk"), created_at__gt=OuterRef("submission__returned_at"))
    answers = Answer.objects.filter(
        submission__period=period,
        submission__status=Submission.Status.SUBMITTED,
        submission__approved_by__isnull=True,
    )
    if pillar:
        answers = answers.filter(question__pillar__code=pillar)
    if agency:
        answers = answers.filter(submission__agency=agency)
    if user is not None:
        answers = answers.filter(actionable_q(user, period))
    if state == UNVERIFIED:
        answers = answers.filter(SELF_SCORED)
    elif state == MARKED:
        answers = answers.filter(needs_revision=True).exclude(Exists(replied))
    elif state == REPLIED:
        answers = answers.filter(needs_revision=True).filter(Exists(replied))
    return answers.select_related("question__pillar", "submission__agency", "option").order_by(
        "submission__agency__name", "question__code", "pk"
    )
