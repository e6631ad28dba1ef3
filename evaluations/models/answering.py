"""An agency's answers and what hangs on each: evidence, the change history, the coordinators'
comments and the agency's replies to a revision note.

Rows and single-row transitions only. Whatever writes an answer's values (saving a section,
carrying forward, the impact survey's fill) goes through evaluations.answering.write_answer, the
one writer that bumps the version, clears a stale verified score and writes the change rows.
The submission these rows belong to is in submissions.py, which builds on this module.
"""

import hashlib
import secrets
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files import File
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..permissions import REVIEW, REVIEW_ASSIGNED
from .agencies import AgencyMember
from .audit import FieldChange
from .fields import limited_text
from .files import RemovableFile, RemovableFileQuerySet, StoredFile, evidence_upload_to, pending_evidence_upload_to
from .instrument import Question, format_number, score_in_range, score_validators
from .regions import region_scoped
from .transitions import TransitionError

# The longest text people may type (the forms take these max_lengths from here).
ANSWER_TEXT_MAX_LENGTH = 5000  # a text answer, an explanation
REVISION_NOTE_MAX_LENGTH = 2000
COMMENT_MAX_LENGTH = 4000  # review comments, the note that goes with returning or approving
REPLY_MAX_LENGTH = 2000  # the agency's reply to a revision note
SCORE_NOTE_MAX_LENGTH = 500

# An answer that counts with the agency's own score: scored, but not verified (the database side of
# Answer.stands_on_self_score).
SELF_SCORED = Q(self_score__isnull=False, verified_score__isnull=True)


def answered_q(prefix=""):
    """An answer with a value (the database side of Answer.is_answered), for `prefix` (e.g.
    "answers__") answers."""
    return (
        Q(**{f"{prefix}option__isnull": False})
        | Q(**{f"{prefix}bool_value__isnull": False})
        | Q(**{f"{prefix}number_value__isnull": False})
        | ~Q(**{f"{prefix}text_value": ""})
        | Q(**{f"{prefix}date_value__isnull": False})
    )


ANSWERED = answered_q()

# The AnswerChange fields by which an operator changes what a marked answer says.
REVISING_FIELDS = ("value", "explanation", "evidence")


# Answer.set_verified_score called without the score the page showed (a command, an older page).
UNSEEN = object()


def _same_score(a, b):
    return (a is None and b is None) or (a is not None and b is not None and Decimal(a) == Decimal(b))


class Answer(models.Model):
    submission = models.ForeignKey(
        "evaluations.Submission", on_delete=models.CASCADE, related_name="answers", verbose_name=_("pengisian")
    )
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="answers", verbose_name=_("pertanyaan")
    )
    option = models.ForeignKey(
        "evaluations.AnswerOption", on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("opsi")
    )
    bool_value = models.BooleanField(_("ya/tidak"), null=True, blank=True)
    number_value = models.DecimalField(_("angka"), max_digits=14, decimal_places=2, null=True, blank=True)
    text_value = limited_text(_("teks"), ANSWER_TEXT_MAX_LENGTH, blank=True)
    date_value = models.DateField(_("tanggal"), null=True, blank=True)
    explanation = limited_text(_("penjelasan"), ANSWER_TEXT_MAX_LENGTH, blank=True)

    self_score = models.DecimalField(
        _("skor mandiri"), max_digits=4, decimal_places=2, null=True, blank=True, validators=score_validators
    )
    verified_score = models.DecimalField(
        _("skor verifikasi"), max_digits=4, decimal_places=2, null=True, blank=True, validators=score_validators
    )
    needs_revision = models.BooleanField(_("perlu perbaikan"), default=False)
    revision_note = limited_text(_("catatan perbaikan"), REVISION_NOTE_MAX_LENGTH, blank=True)
    carried_forward = models.BooleanField(
        _("dari periode sebelumnya"),
        default=False,
        help_text=_("Disalin dari periode sebelumnya dan belum dikonfirmasi operator."),
    )

    version = models.PositiveIntegerField(_("versi"), default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diubah oleh"),
    )
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    objects = region_scoped("submission__period__region")

    class Meta:
        ordering = ["submission", "question__order"]
        verbose_name = _("jawaban")
        verbose_name_plural = _("jawaban")
        constraints = [
            models.UniqueConstraint(fields=["submission", "question"], name="answer_unique_question_in_submission"),
            score_in_range("self_score", "answer_self_score_0_4"),
            score_in_range("verified_score", "answer_verified_score_0_4"),
        ]

    def __str__(self):
        return f"{self.submission.agency} · {self.question.code}"

    @property
    def is_answered(self):
        return (
            self.option_id is not None
            or self.bool_value is not None
            or self.number_value is not None
            or bool(self.text_value.strip())
            or self.date_value is not None
        )

    @property
    def stands_on_self_score(self):
        """Counts with the agency's own score (see SELF_SCORED)."""
        return self.self_score is not None and self.verified_score is None

    @property
    def review_stamp(self):
        """What a page drawn now knows of this answer: its version (bumped by every change of its
        values) and its last write (every review decision too). A bulk action carries it in its
        form and skips an answer whose stamp moved since (evaluations.review_bulk)."""
        return f"{self.version}.{round(self.updated_at.timestamp() * 1_000_000)}"

    def value_display(self):
        """The answer as a person reads it (used on pages, in history and in the export)."""
        if self.option_id is not None:
            return self.option.label
        if self.bool_value is not None:
            return str(_("Ya") if self.bool_value else _("Tidak"))
        if self.number_value is not None:
            # A level answer holding a number is an impact question's survey mean (surveys.fill_impact_answers).
            units = {Question.AnswerType.NUMBER: self.question.unit, Question.AnswerType.PERCENT: "%"}
            unit = units.get(self.question.answer_type, "")
            return f"{format_number(self.number_value)} {unit}".strip()
        if self.date_value is not None:
            return self.date_value.isoformat()
        return self.text_value

    def derive_self_score(self, bands=None):
        """Skor mandiri from the answer: level/choice → the option's score; yes/no → 4 or 0;
        number/percentage → the matching score band, if the instrument defines bands; text and
        date are unscored. `bands` may be passed in to avoid a query per answer."""
        kind = self.question.answer_type
        T = Question.AnswerType
        if kind in {T.LEVEL, T.CHOICE}:
            return self.option.score if self.option_id is not None else None
        if kind == T.YES_NO:
            return None if self.bool_value is None else (4 if self.bool_value else 0)
        if kind in {T.NUMBER, T.PERCENT} and self.number_value is not None:
            bands = self.question.bands.all() if bands is None else bands
            for band in bands:
                if band.contains(self.number_value):
                    return band.score
        return None

    def history(self):
        """The answer's change rows (newest first) with who made each."""
        return self.changes.select_related("changed_by")

    def review_comments(self):
        """Every comment on the answer, the coordinators' internal ones too, with their authors:
        the review page's thread (agency pages go through ReviewComment.objects.visible_to_agency)."""
        return self.comments.select_related("author")

    # --- review by coordinators -------------------------------------------------------
    def _check_may_review(self, by):
        """Coordinators, or the reviewers the period's review plan gives this answer to, never
        the agency's own people (ReviewAssignment.may_act_on; reached through the registry, as
        review.py builds on this module)."""
        if not (by.has_perm(REVIEW) or by.has_perm(REVIEW_ASSIGNED)):
            raise PermissionDenied
        if not self._meta.apps.get_model("evaluations", "ReviewAssignment").may_act_on(by, self):
            raise TransitionError(
                _("%(code)s bukan bagian Anda dalam rencana peninjauan periode ini: hanya dapat dilihat.")
                % {"code": self.question.code}
            )

    def _check_reviewable(self, by):
        """Inside a transaction: the submission locked and still under review, the review fields
        of this answer as they are now (another coordinator may have just changed them)."""
        self._check_may_review(by)
        self.submission.lock()
        if not self.submission.is_submitted():
            raise TransitionError(_("Jawaban hanya dapat diverifikasi selama pengisian berstatus Dikirim."))
        if self.submission.is_awaiting_second_signoff():
            raise TransitionError(
                _("Pengisian ini menunggu persetujuan kedua: kembalikan dulu bila jawabannya perlu diubah.")
            )
        self.refresh_from_db(fields=["verified_score", "needs_revision", "revision_note"])

    # The rules of one review decision, shared by the single-answer actions below and the bulk
    # actions (evaluations.review_bulk): each sets the answer's fields and returns the unsaved
    # audit row the decision writes; the caller saves both (one by one or in bulk).
    def verified_score_change(self, by, score, note=""):
        """Set the verified score; the timeline's SCORE event (unsaved), or None if unchanged."""
        old = self.verified_score
        if (old is None and score is None) or (
            old is not None and score is not None and Decimal(old) == Decimal(score)
        ):
            return None
        self.verified_score = score
        return self.submission.score_event(by, self, old, score, note)

    def revision_mark_change(self, by, needs_revision, note=""):
        """Set (or remove) the revision mark; its history row (unsaved), or None if unchanged.
        A mark needs a note: the agency must know what to fix."""
        note = (note or "").strip()
        if needs_revision and not note:
            raise TransitionError(_("Tulis catatan perbaikan agar perangkat daerah tahu apa yang harus diperbaiki."))
        old = self.revision_note if self.needs_revision else ""
        new = note if needs_revision else ""
        if self.needs_revision == needs_revision and old == new:
            return None
        self.needs_revision = needs_revision
        self.revision_note = new
        return AnswerChange(answer=self, changed_by=by, field="revision", old_value=old, new_value=new)

    @transaction.atomic
    def set_verified_score(self, by, score, note="", seen=UNSEEN):
        """The coordinator's skor verifikasi; a change is written to the submission's timeline
        (kind SCORE, from/to the old and new score). Returns False when nothing changed. `seen`,
        the score the reviewer's page showed: when another reviewer changed it since, refused."""
        self._check_reviewable(by)
        if seen is not UNSEEN and not _same_score(seen, self.verified_score):
            raise TransitionError(
                _(
                    "Skor verifikasi %(code)s baru saja diubah oleh peninjau lain menjadi %(score)s. "
                    "Periksa skornya, lalu simpan lagi bila perlu."
                )
                % {
                    "code": self.question.code,
                    "score": "–" if self.verified_score is None else format_number(self.verified_score),
                }
            )
        question = self.question
        if score is not None and not Question.type_is_scorable(question.answer_type, question.bands.count()):
            raise TransitionError(
                _("Pertanyaan %(code)s tidak diberi skor (jawabannya teks, tanggal atau angka tanpa rentang skor).")
                % {"code": question.code}
            )
        event = self.verified_score_change(by, score, note)
        if event is None:
            return False
        self.save(update_fields=["verified_score", "updated_at"])
        event.save()
        return True

    def revision_seen(self):
        """The revision mark as a page shows it, short enough for the page's form to carry back
        ("" when unmarked): a mark posted from a page that showed another is refused."""
        if not self.needs_revision:
            return ""
        return hashlib.sha256(self.revision_note.encode()).hexdigest()[:16]

    @transaction.atomic
    def mark_for_revision(self, by, needs_revision, note="", seen=UNSEEN):
        """Mark (or unmark) the answer for the agency to fix; the note tells them what. `seen`, the
        mark the reviewer's page showed (revision_seen): when another reviewer changed it since,
        refused, so that nobody's note silently replaces a colleague's."""
        self._check_reviewable(by)
        if seen is not UNSEEN and seen != self.revision_seen():
            raise TransitionError(
                _(
                    "Tanda perbaikan %(code)s baru saja diubah oleh peninjau lain. "
                    "Periksa tanda dan catatannya, lalu simpan lagi bila perlu."
                )
                % {"code": self.question.code}
            )
        change = self.revision_mark_change(by, needs_revision, note)
        if change is None:
            return
        self.save(update_fields=["needs_revision", "revision_note", "updated_at"])
        change.save()

    def add_reply(self, by, body):
        """The agency's reply ("tanggapan") to the coordinator's revision note, for when the answer
        stands as it is: it counts as dealing with the mark (Submission.untouched_revisions).
        Called while saving the section, with the submission locked and editable."""
        if AgencyMember.objects.agency_of(by) != self.submission.agency:
            raise PermissionDenied
        if not self.needs_revision:
            raise TransitionError(_("Tanggapan hanya untuk jawaban yang ditandai perlu perbaikan."))
        return RevisionReply.objects.create(answer=self, author=by, body=body.strip())

    def add_comment(self, by, body, visibility):
        """A reviewer's comment: visible to the agency or internal to coordinators."""
        self._check_may_review(by)
        return ReviewComment.objects.create(answer=self, author=by, body=body.strip(), visibility=visibility)


class Evidence(RemovableFile):
    """A file or a link supporting an answer. Removing it keeps the row (removed_at/by)."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("jawaban"))
    title = models.CharField(_("judul"), max_length=200)
    file = models.FileField(_("berkas"), upload_to=evidence_upload_to, blank=True, max_length=255)
    url = models.URLField(_("tautan"), blank=True, max_length=500)
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("dari periode sebelumnya"),
    )

    objects = region_scoped("answer__submission__period__region", RemovableFileQuerySet)

    class Meta:
        ordering = ["answer", "uploaded_at"]
        verbose_name = _("bukti dukung")
        verbose_name_plural = _("bukti dukung")
        constraints = [
            models.CheckConstraint(condition=~Q(file="") | ~Q(url=""), name="evidence_file_or_url"),
        ]

    def __str__(self):
        return self.title


# How long a file kept from a refused section save waits for the save that uses it.
PENDING_EVIDENCE_LIFETIME = timedelta(days=1)


def _pending_token():
    return secrets.token_urlsafe(24)


class PendingEvidenceQuerySet(models.QuerySet):
    def expired(self, now=None):
        return self.filter(uploaded_at__lt=(now or timezone.now()) - PENDING_EVIDENCE_LIFETIME)

    def discard(self):
        """Delete the rows and their stored files (a row's file is its own: never shared)."""
        for pending in self:
            pending.file.delete(save=False)
        self.delete()


class PendingEvidence(StoredFile):
    """A file chosen for an answer in a section save that was refused (a missing title, a value
    to fix), kept so that the operator need not choose it again (issue 24). The section page
    carries its random `token` in a hidden field; only the same person's post to the same
    submission and question can use it (evaluations.pending_uploads.pending_uploads). It is copied
    into ordinary Evidence when used, and deleted when used, replaced or PENDING_EVIDENCE_LIFETIME old."""

    submission = models.ForeignKey(
        "evaluations.Submission", on_delete=models.CASCADE, related_name="+", verbose_name=_("pengisian")
    )
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="+", verbose_name=_("pertanyaan"))
    token = models.CharField(max_length=40, unique=True, default=_pending_token, editable=False)
    file = models.FileField(_("berkas"), upload_to=pending_evidence_upload_to, max_length=255)

    objects = region_scoped("submission__period__region", PendingEvidenceQuerySet)

    class Meta:
        verbose_name = _("bukti dukung tertunda")
        verbose_name_plural = _("bukti dukung tertunda")

    def __str__(self):
        return self.original_name

    def as_upload(self):
        """The kept file as an upload that Evidence.take stores under a name of its own."""
        upload = File(self.file.open("rb"), name=self.original_name)
        upload.size = self.size
        return upload


class AnswerChange(FieldChange):
    """Every change to an answer: who, when, which field, old and new value."""

    FIELD_LABELS = {
        "value": _("Jawaban"),
        "explanation": _("Penjelasan"),
        "evidence": _("Bukti dukung"),
        "carried_forward": _("Dari periode sebelumnya"),
        "verified_score": _("Skor verifikasi"),
        "impact_survey": _("Diisi dari survei dampak"),
        "revision": _("Catatan perbaikan"),
    }

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="changes", verbose_name=_("jawaban"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("oleh")
    )
    changed_at = models.DateTimeField(_("waktu"), auto_now_add=True)

    objects = region_scoped("answer__submission__period__region")

    class Meta:
        ordering = ["-changed_at", "-id"]
        verbose_name = _("riwayat jawaban")
        verbose_name_plural = _("riwayat jawaban")

    def __str__(self):
        return f"{self.answer} {self.field}"

    def field_label(self):
        return self.FIELD_LABELS.get(self.field, self.field)


class ReviewCommentQuerySet(models.QuerySet):
    def visible_to_agency(self):
        """Comments the agency may read: never the coordinators' internal ones. Every agency page
        and export that shows comments goes through this."""
        return self.filter(visibility=ReviewComment.Visibility.AGENCY)


class ReviewComment(models.Model):
    class Visibility(models.TextChoices):
        AGENCY = "agency", _("Terlihat oleh perangkat daerah")
        INTERNAL = "internal", _("Internal koordinator")

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="comments", verbose_name=_("jawaban"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("penulis")
    )
    body = limited_text(_("komentar"), COMMENT_MAX_LENGTH)
    visibility = models.CharField(
        _("visibilitas"), max_length=10, choices=Visibility.choices, default=Visibility.AGENCY
    )
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)

    objects = region_scoped("answer__submission__period__region", ReviewCommentQuerySet)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("komentar verifikasi")
        verbose_name_plural = _("komentar verifikasi")

    def __str__(self):
        return self.body[:60]

    @property
    def is_internal(self):
        return self.visibility == self.Visibility.INTERNAL


class RevisionReply(models.Model):
    """The agency's reply to the coordinator's revision note of one answer; kept for every round."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="replies", verbose_name=_("jawaban"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("penulis")
    )
    body = limited_text(_("tanggapan"), REPLY_MAX_LENGTH)
    created_at = models.DateTimeField(_("waktu"), auto_now_add=True)

    objects = region_scoped("answer__submission__period__region")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("tanggapan perangkat daerah")
        verbose_name_plural = _("tanggapan perangkat daerah")

    def __str__(self):
        return self.body[:60]
