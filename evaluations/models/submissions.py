"""One submission per agency per period, its review pages and its timeline.

Life cycle: draft -> submitted -> returned -> submitted -> approved. Every transition is a method
here that checks who may do it and writes a SubmissionEvent (who, when, from, to, note). Each one,
like every save of answers, first locks the submission's row (Submission.lock), so that two people
acting on one submission at the same moment are served one after the other.

The answers and what hangs on them (evidence, history, comments, replies) are in answering.py.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..permissions import REOPEN, REVIEW
from .agencies import AgencyMember
from .answering import (
    COMMENT_MAX_LENGTH,
    REVISING_FIELDS,
    SELF_SCORED,
    Answer,
    AnswerChange,
    RevisionReply,
)
from .fields import limited_text
from .instrument import Question, format_score
from .regions import region_scoped
from .review_sections import ReviewPage, section_key
from .transitions import TransitionError

# The status of an agency that has saved nothing yet (no submission, or an empty draft).
NOT_STARTED = "not_started"
NOT_STARTED_LABEL = _("Belum mulai")


def _codes(answers, limit=20):
    """ "A.1, A.2, … (dan 3 lainnya)": question codes for a message, at most `limit` of them."""
    codes = [answer.question.code for answer in answers]
    shown = ", ".join(codes[:limit])
    if len(codes) > limit:
        shown += " " + _("(dan %(n)s lainnya)") % {"n": len(codes) - limit}
    return shown


def _person(user):
    return (user.get_full_name() or user.username) if user else "?"


# Started means something was saved (issue 24): an answer (a value, an explanation, evidence), or
# a step past the first draft. The empty draft that opening the questionnaire makes (its pages
# hang on its id) is not a start. The database side of Submission.is_started, usable in a filter
# and in an aggregate's filter alike. The outer query's submissions are its region's, so are their
# answers: no region filter (and its joins) in the subquery.
def has_saved_answers():
    return Exists(Answer.objects.with_scopes_disabled().filter(submission=OuterRef("pk")))


def started():
    return Q(has_saved_answers()) | ~Q(status=Submission.Status.DRAFT) | Q(reopened=True)


class SubmissionQuerySet(models.QuerySet):
    def for_period(self, period):
        return self.filter(period=period)

    def with_started(self):
        """Each submission knows whether it is started (is_started) without a query of its own."""
        return self.annotate(has_saved_answers=has_saved_answers())

    def started(self):
        return self.filter(started())

    def awaiting_review(self):
        return self.filter(status=Submission.Status.SUBMITTED)


class Submission(ReviewPage, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Sedang diisi")
        SUBMITTED = "submitted", _("Dikirim")
        RETURNED = "returned", _("Dikembalikan")
        APPROVED = "approved", _("Disetujui")

    period = models.ForeignKey(
        "evaluations.EvaluationPeriod", on_delete=models.CASCADE, related_name="submissions", verbose_name=_("periode")
    )
    agency = models.ForeignKey(
        "evaluations.Agency", on_delete=models.CASCADE, related_name="submissions", verbose_name=_("perangkat daerah")
    )
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.DRAFT)
    review_note = limited_text(_("catatan koordinator"), COMMENT_MAX_LENGTH, blank=True)
    reopened = models.BooleanField(
        _("dibuka kembali oleh admin"),
        default=False,
        help_text=_("Boleh diubah walaupun batas akhir periode sudah lewat."),
    )
    submitted_at = models.DateTimeField(_("dikirim pada"), null=True, blank=True)
    returned_at = models.DateTimeField(_("dikembalikan pada"), null=True, blank=True)
    approved_at = models.DateTimeField(_("disetujui pada"), null=True, blank=True)
    # Who approved; in a period with a second sign-off, the first signer, and the submission stays
    # Dikirim (so that every count of approved submissions leaves it out) until a different
    # coordinator confirms (second_approved_by) or returns it.
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("disetujui oleh"),
    )
    first_approved_at = models.DateTimeField(_("persetujuan pertama pada"), null=True, blank=True)
    second_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("persetujuan kedua oleh"),
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    objects = region_scoped("period__region", SubmissionQuerySet)

    class Meta:
        ordering = ["period", "agency__name"]
        verbose_name = _("pengisian")
        verbose_name_plural = _("pengisian")
        constraints = [
            models.UniqueConstraint(fields=["period", "agency"], name="submission_unique_agency_period"),
        ]
        permissions = [
            ("fill_submission", _("Mengisi kuesioner perangkat daerahnya")),
            ("review_submission", _("Memverifikasi, mengembalikan dan menyetujui pengisian")),
            ("reopen_submission", _("Membuka kembali pengisian yang disetujui atau terkunci")),
        ]

    def __str__(self):
        return f"{self.agency} – {self.period}"

    # --- predicates used by templates and views -------------------------------------
    def is_started(self):
        """Something was saved (STARTED): what "belum mulai" and "sudah mulai mengisi" mean on every page."""
        if self.status != self.Status.DRAFT or self.reopened:
            return True
        if not hasattr(self, "has_saved_answers"):
            self.has_saved_answers = self.answers.exists()
        return self.has_saved_answers

    def progress_status(self):
        """The status a person reads: "not_started" (Belum mulai) for a draft with nothing saved."""
        return self.status if self.is_started() else NOT_STARTED

    def get_progress_status_display(self):
        return self.get_status_display() if self.is_started() else NOT_STARTED_LABEL

    def is_locked(self, today=None):
        """Past the close date (or period closed), unless the admin reopened this one."""
        return not self.period.accepts_edits(today) and not self.reopened

    def is_editable(self, today=None):
        return self.status in {self.Status.DRAFT, self.Status.RETURNED} and not self.is_locked(today)

    def is_returned(self):
        return self.status == self.Status.RETURNED

    def is_submitted(self):
        return self.status == self.Status.SUBMITTED

    def is_approved(self):
        return self.status == self.Status.APPROVED

    def is_awaiting_second_signoff(self):
        """Approved by one coordinator, waiting for another's confirmation (still Dikirim)."""
        return self.status == self.Status.SUBMITTED and self.approved_by_id is not None

    def is_under_review(self):
        """Coordinators verify, mark and score its answers: handed in, not yet approved by anyone."""
        return self.is_submitted() and not self.is_awaiting_second_signoff()

    # --- what is still missing --------------------------------------------------------
    def questions(self):
        return Question.objects.assigned_to(self.agency, self.period)

    def answers_by_question(self):
        """{question id: answer} with `live_evidence_count` (evidence not removed). One query,
        without the region filter and the default ordering's joins: this submission is its region's,
        so are its answers."""
        answers = Answer.objects.with_scopes_disabled().filter(submission=self).order_by()
        by_question = {
            answer.question_id: answer
            for answer in answers.annotate(
                live_evidence_count=models.Count("evidence", filter=Q(evidence__removed_at__isnull=True))
            )
        }
        self.has_saved_answers = bool(by_question)  # every answer read: is_started needs no query of its own
        return by_question

    def missing_items(self):
        """(question, reason) for every assigned question that blocks submitting. Two queries."""
        questions = list(self.questions().filter(required=True).in_form_order())
        answers = self.answers_by_question()
        missing = []
        for question in questions:
            answer = answers.get(question.id)
            if answer is None or not answer.is_answered:
                missing.append((question, _("belum dijawab")))
            elif answer.carried_forward:
                missing.append((question, _("jawaban dari periode sebelumnya belum dikonfirmasi")))
            elif question.evidence_required and not answer.live_evidence_count:
                missing.append((question, _("bukti dukung belum dilampirkan")))
        listed = {question.id for question, _reason in missing}
        for answer in self.untouched_revisions():
            if answer.question_id not in listed:
                missing.append((answer.question, _("perlu perbaikan: belum diubah atau ditanggapi")))
        return missing

    def untouched_revisions(self):
        """Answers marked for revision that the agency has not dealt with since the last return,
        in form order. Dealt with means: an AnswerChange of its value, explanation or evidence
        (REVISING_FIELDS), or a RevisionReply, made after `returned_at`, the moment of the last
        return. Changes and replies of an earlier round, or made before the return, do not count;
        nor does confirming a carried-forward answer or a change of the verified score. A
        submission never returned has no untouched revisions: marks are made while it is under
        review, and only a return hands them to the agency. One query."""
        if self.returned_at is None:
            return Answer.objects.none()
        since = self.returned_at
        changed = AnswerChange.objects.filter(answer=OuterRef("pk"), field__in=REVISING_FIELDS, changed_at__gt=since)
        replied = RevisionReply.objects.filter(answer=OuterRef("pk"), created_at__gt=since)
        return (
            self.answers.filter(needs_revision=True)
            .exclude(Exists(changed))
            .exclude(Exists(replied))
            .select_related("question__indicator__dimension", "question__pillar")
            .order_by(
                "question__indicator__dimension__order",
                "question__indicator__order",
                "question__order",
                "question__code",
            )
        )

    def self_scored_answers(self):
        """Answers that count with the agency's own score (scored, no verified score), in code
        order: approving needs the coordinator's word that these scores stand. One query."""
        return self.answers.filter(SELF_SCORED).select_related("question").order_by("question__code")

    # --- the review page ----------------------------------------------------------------
    def marked_answers(self):
        """Answers marked for revision (what approving would meet), in code order, over every
        section; each knows the review section of its card (`review_key`). One query."""
        marked = list(
            self.answers.filter(needs_revision=True)
            .select_related("question__indicator__dimension", "question__pillar")
            .order_by("question__code")
        )
        for answer in marked:
            question = answer.question
            answer.review_key = section_key(
                question.indicator.dimension.code, question.pillar.code if question.pillar else None
            )
        return marked

    def timeline(self):
        """The submission's events with who made them and the answer a score change was of. This
        submission is its region's, so are its events: no region filter (and its joins) of their own."""
        return (
            SubmissionEvent.objects.with_scopes_disabled()
            .filter(submission=self)
            .select_related("actor", "answer__question")
        )

    # --- transitions ----------------------------------------------------------------
    STATE_FIELDS = (
        "status",
        "reopened",
        "review_note",
        "submitted_at",
        "returned_at",
        "approved_at",
        "approved_by",
        "first_approved_at",
        "second_approved_by",
    )

    def lock(self):
        """Lock this submission's row until the transaction ends and read its state again. Of two
        people acting on it at the same moment (approve and return, submit and a save), the second
        waits here for the first to commit and then sees what the first did: it is refused with
        TransitionError when the state changed since this copy was read, so the page they acted
        on was out of date. Call it inside transaction.atomic, before checking the state."""
        seen = (self.status, self.reopened)
        self.refresh_from_db(fields=self.STATE_FIELDS, from_queryset=Submission.objects.select_for_update(no_key=True))
        if (self.status, self.reopened) != seen:
            raise TransitionError(
                _(
                    "Pengisian ini sudah diproses oleh pengguna lain (statusnya sekarang %(status)s). "
                    "Muat ulang halaman untuk melihat keadaan terbaru."
                )
                % {"status": self.get_status_display()}
            )

    def _record(self, by, from_status, note="", kind=None):
        SubmissionEvent.objects.create(
            submission=self,
            actor=by,
            kind=kind or SubmissionEvent.Kind.STATUS,
            from_status=from_status,
            to_status=self.status,
            note=note,
        )

    def score_event(self, by, answer, old, new, note=""):
        """The timeline's row (unsaved) of a change of `answer`'s verified score
        (Answer.verified_score_change)."""
        return SubmissionEvent(
            submission=self,
            answer=answer,
            actor=by,
            kind=SubmissionEvent.Kind.SCORE,
            from_status="" if old is None else f"{Decimal(old):.2f}",
            to_status="" if new is None else f"{Decimal(new):.2f}",
            note=(note or "").strip(),
        )

    def can_edit(self, user):
        """The agency's own operators change answers while the submission is editable."""
        return self.is_editable() and AgencyMember.objects.agency_of(user) == self.agency

    def _check_operator(self, by):
        if AgencyMember.objects.agency_of(by) != self.agency and not by.has_perm(REOPEN):
            raise PermissionDenied

    def _check_coordinator(self, by):
        if not by.has_perm(REVIEW):
            raise PermissionDenied

    @transaction.atomic
    def submit(self, by):
        # Status and event change together, or neither does.
        self._check_operator(by)
        self.lock()
        if not self.is_editable():
            raise TransitionError(
                _("Pengisian ini tidak dapat dikirim: statusnya %(status)s atau periode sudah ditutup.")
                % {"status": self.get_status_display()}
            )
        missing = self.missing_items()
        if missing:
            raise TransitionError(_("Masih ada %(n)s isian yang kurang.") % {"n": len(missing)}, missing=missing)
        before = self.status
        self.status = self.Status.SUBMITTED
        self.submitted_at = timezone.now()
        # The coordinator's note belonged to the round that ends here; its return event keeps it.
        self.review_note = ""
        self.save(update_fields=["status", "submitted_at", "review_note", "updated_at"])
        self._record(by, before)

    @transaction.atomic
    def return_for_revision(self, by, note=""):
        self._check_coordinator(by)
        self.lock()
        if self.status != self.Status.SUBMITTED:
            raise TransitionError(_("Hanya pengisian berstatus Dikirim yang dapat dikembalikan."))
        note = (note or "").strip()
        if not note and not self.answers.filter(needs_revision=True).exists():
            raise TransitionError(_("Tandai minimal satu jawaban yang perlu diperbaiki atau tulis catatan."))
        before = self.status
        self.status = self.Status.RETURNED
        self.review_note = note
        self.returned_at = timezone.now()
        # A first approval waiting for its second sign-off ends here (the timeline keeps it).
        self.approved_by = None
        self.first_approved_at = None
        self.save(
            update_fields=["status", "review_note", "returned_at", "approved_by", "first_approved_at", "updated_at"]
        )
        self._record(by, before, note)

    @transaction.atomic
    def approve(self, by, note="", accept_self_scores=False):
        """Refused while any answer is marked for revision (the coordinator removes a mark once
        the fix is accepted, or returns the submission). Answers that would count with the
        agency's own score need `accept_self_scores`, the coordinator's word that those scores
        stand, which the timeline records (kind SELF_SCORES) next to the approval."""
        self._check_coordinator(by)
        self.lock()
        if self.status != self.Status.SUBMITTED:
            raise TransitionError(_("Hanya pengisian berstatus Dikirim yang dapat disetujui."))
        if self.is_awaiting_second_signoff():
            raise TransitionError(
                _("Pengisian ini sudah disetujui oleh %(name)s dan menunggu persetujuan kedua.")
                % {"name": _person(self.approved_by)}
            )
        marked = list(self.answers.filter(needs_revision=True).select_related("question").order_by("question__code"))
        if marked:
            raise TransitionError(
                _(
                    "Pengisian belum dapat disetujui: %(n)s jawaban masih bertanda Perlu perbaikan (%(codes)s). "
                    "Hapus tandanya bila perbaikannya sudah diterima, atau kembalikan pengisian."
                )
                % {"n": len(marked), "codes": _codes(marked)}
            )
        self_scored = list(self.self_scored_answers())
        if self_scored and not accept_self_scores:
            raise TransitionError(
                _(
                    "%(n)s jawaban belum diberi skor verifikasi (%(codes)s). Verifikasi dulu, atau centang "
                    "bahwa skor mandiri perangkat daerah berlaku untuk jawaban tersebut."
                )
                % {"n": len(self_scored), "codes": _codes(self_scored)}
            )
        before = self.status
        self.approved_by = by
        self.review_note = ""
        if self.period.second_signoff:
            # Four eyes: the status stays Dikirim until a different coordinator confirms.
            self.first_approved_at = timezone.now()
            self.save(update_fields=["approved_by", "first_approved_at", "review_note", "updated_at"])
            self._record(by, before, note, kind=SubmissionEvent.Kind.FIRST_APPROVAL)
        else:
            self.status = self.Status.APPROVED
            self.approved_at = timezone.now()
            self.save(update_fields=["status", "approved_at", "approved_by", "review_note", "updated_at"])
            self._record(by, before, note)
        if self_scored:
            accepted = _("Skor mandiri diterima untuk %(n)s jawaban: %(codes)s") % {
                "n": len(self_scored),
                "codes": ", ".join(answer.question.code for answer in self_scored),
            }
            self._record(by, before, accepted[:COMMENT_MAX_LENGTH], kind=SubmissionEvent.Kind.SELF_SCORES)

    @transaction.atomic
    def confirm_approval(self, by, note=""):
        """The second sign-off: a coordinator other than the first signer confirms the approval,
        and only now does the submission count as approved. Of two confirming at once, the second
        waits at the lock and is refused (the status changed)."""
        self._check_coordinator(by)
        self.lock()
        if not self.is_awaiting_second_signoff():
            raise TransitionError(_("Pengisian ini tidak sedang menunggu persetujuan kedua."))
        if self.approved_by_id == by.pk:
            raise TransitionError(
                _("Persetujuan kedua harus diberikan oleh koordinator lain, bukan oleh yang menyetujui pertama.")
            )
        before = self.status
        self.status = self.Status.APPROVED
        self.approved_at = timezone.now()
        self.second_approved_by = by
        self.save(update_fields=["status", "approved_at", "second_approved_by", "updated_at"])
        self._record(by, before, (note or "").strip())

    @transaction.atomic
    def reopen(self, by, note=""):
        """Admin only: an approved or locked submission becomes editable again."""
        if not by.has_perm(REOPEN):
            raise PermissionDenied
        self.lock()
        if not (self.is_approved() or self.is_locked()):
            raise TransitionError(_("Hanya pengisian yang disetujui atau terkunci yang dapat dibuka kembali."))
        before = self.status
        self.status = self.Status.DRAFT
        self.reopened = True
        self.approved_at = None
        self.approved_by = self.second_approved_by = None
        self.first_approved_at = None
        self.review_note = ""  # a note of a past round; the timeline keeps it
        self.save(
            update_fields=[
                "status",
                "reopened",
                "approved_at",
                "approved_by",
                "first_approved_at",
                "second_approved_by",
                "review_note",
                "updated_at",
            ]
        )
        self._record(by, before, note, kind=SubmissionEvent.Kind.REOPEN)

    @classmethod
    def start(cls, period, agency):
        """The agency's submission for the period: an empty draft made on the first visit, for its
        pages to hang on. Making it starts nothing (is_started): only saving does. Whether it is
        started comes with its answers (answers_by_question), else from is_started's own query."""
        submission = cls.objects.get_or_create(period=period, agency=agency)[0]
        submission.period, submission.agency = period, agency  # as the caller has them: no joins
        return submission


class SubmissionEvent(models.Model):
    """The submission's timeline: status transitions, reopenings and score changes."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Perubahan status")
        REOPEN = "reopen", _("Dibuka kembali")
        SCORE = "score", _("Perubahan skor verifikasi")
        SELF_SCORES = "selfscore", _("Skor mandiri diterima")
        FIRST_APPROVAL = "approval1", _("Persetujuan pertama, menunggu persetujuan kedua")

    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="events", verbose_name=_("pengisian")
    )
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="events")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("oleh")
    )
    kind = models.CharField(_("jenis"), max_length=10, choices=Kind.choices, default=Kind.STATUS)
    from_status = models.CharField(_("dari"), max_length=20, blank=True)
    to_status = models.CharField(_("menjadi"), max_length=20, blank=True)
    note = limited_text(_("catatan"), COMMENT_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)

    objects = region_scoped("submission__period__region")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("riwayat pengisian")
        verbose_name_plural = _("riwayat pengisian")

    def __str__(self):
        return f"{self.submission}: {self.from_status} → {self.to_status}"

    def _display(self, value):
        if self.kind == self.Kind.SCORE:
            return format_score(value)
        return str(Submission.Status(value).label) if value in Submission.Status.values else value

    def from_display(self):
        return self._display(self.from_status)

    def to_display(self):
        return self._display(self.to_status)
