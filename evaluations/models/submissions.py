"""One submission per agency per period, its answers, evidence, review and audit trail.

Life cycle: draft -> submitted -> returned -> submitted -> approved. Every transition is a method
here that checks who may do it and writes a SubmissionEvent (who, when, from, to, note). Each one,
like every save of answers, first locks the submission's row (Submission.lock), so that two people
acting on one submission at the same moment are served one after the other.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .agencies import AgencyMember
from .audit import FieldChange
from .fields import limited_text
from .files import RemovableFile, evidence_upload_to
from .instrument import Question, format_number, format_score, score_in_range, score_validators

# Permissions checked by the models; the role groups are granted them (evaluations.roles).
REVIEW = "evaluations.review_submission"
REOPEN = "evaluations.reopen_submission"

# The longest text people may type (the forms take these max_lengths from here).
ANSWER_TEXT_MAX_LENGTH = 5000  # a text answer, an explanation
REVISION_NOTE_MAX_LENGTH = 2000
COMMENT_MAX_LENGTH = 4000  # review comments, the note that goes with returning or approving
REPLY_MAX_LENGTH = 2000  # the agency's reply to a revision note
SCORE_NOTE_MAX_LENGTH = 500


class TransitionError(Exception):
    """A transition that the submission's state does not allow; the message is for the user."""

    def __init__(self, message, missing=None):
        super().__init__(message)
        self.message = message
        self.missing = missing or []


# An answer that counts with the agency's own score: scored, but not verified (the database side of
# Answer.stands_on_self_score).
SELF_SCORED = Q(self_score__isnull=False, verified_score__isnull=True)

# The AnswerChange fields by which an operator changes what a marked answer says.
REVISING_FIELDS = ("value", "explanation", "evidence")


def _codes(answers, limit=20):
    """ "A.1, A.2, … (dan 3 lainnya)": question codes for a message, at most `limit` of them."""
    codes = [answer.question.code for answer in answers]
    shown = ", ".join(codes[:limit])
    if len(codes) > limit:
        shown += " " + _("(dan %(n)s lainnya)") % {"n": len(codes) - limit}
    return shown


# An answer with a value (the database side of Answer.is_answered).
ANSWERED = (
    Q(option__isnull=False)
    | Q(bool_value__isnull=False)
    | Q(number_value__isnull=False)
    | ~Q(text_value="")
    | Q(date_value__isnull=False)
)


# The review page's sections are keyed like the answering sections: "<dimension>-<pillar>" (e.g.
# "A-GOV"), questions without a pillar under "<dimension>-UMUM".
NO_PILLAR = "UMUM"
# The review page's filters (?tampil=).
REVIEW_UNVERIFIED = "belum"
REVIEW_MARKED = "perbaikan"


def section_key(dimension_code, pillar_code):
    return f"{dimension_code}-{pillar_code or NO_PILLAR}"


class ReviewSection:
    """One section of the review page with its progress, counted in SQL (Submission.review_sections)."""

    def __init__(self, key, dimension, pillar, questions=0):
        self.key, self.dimension, self.pillar, self.questions = key, dimension, pillar, questions
        self.answered = self.scorable = self.verified = self.marked = 0

    @property
    def is_verified(self):
        return 0 < self.scorable <= self.verified


class SubmissionQuerySet(models.QuerySet):
    def for_period(self, period):
        return self.filter(period=period)

    def awaiting_review(self):
        return self.filter(status=Submission.Status.SUBMITTED)


class Submission(models.Model):
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
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    objects = SubmissionQuerySet.as_manager()

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

    # --- what is still missing --------------------------------------------------------
    def questions(self):
        return Question.objects.assigned_to(self.agency, self.period)

    def answers_by_question(self):
        """{question id: answer} with `live_evidence_count` (evidence not removed). One query."""
        return {
            answer.question_id: answer
            for answer in self.answers.annotate(
                live_evidence_count=models.Count("evidence", filter=Q(evidence__removed_at__isnull=True))
            )
        }

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
    def _review_questions(self):
        """The assigned questions plus any question answered here that is no longer assigned
        (its answer is still under review)."""
        assigned = self.questions().values("pk")
        return Question.objects.filter(Q(pk__in=assigned) | Q(pk__in=self.answers.values("question_id")))

    def review_sections(self):
        """The review page's sections (dimension x pillar, in form order), each with how many
        questions, answers, scored answers, verified and marked answers it has. Two aggregate
        queries whatever the number of answers: the page never loads every answer to count."""
        rows = (
            self._review_questions()
            .values("indicator__dimension__code", "indicator__dimension__name", "pillar__code", "pillar__name")
            .annotate(questions=models.Count("pk"), first=models.Min("indicator__order"))
            .order_by("indicator__dimension__order", "first", "pillar__order", "pillar__code")
        )
        sections = {}
        for row in rows:
            key = section_key(row["indicator__dimension__code"], row["pillar__code"])
            sections[key] = ReviewSection(
                key, row["indicator__dimension__name"], row["pillar__name"] or "", questions=row["questions"]
            )
        counts = (
            self.answers.values("question__indicator__dimension__code", "question__pillar__code")
            .annotate(
                answered=models.Count("pk", filter=ANSWERED),
                scorable=models.Count("pk", filter=ANSWERED & Question.scorable_q("question__")),
                verified=models.Count("pk", filter=Q(verified_score__isnull=False)),
                marked=models.Count("pk", filter=Q(needs_revision=True)),
            )
            .order_by()
        )
        for row in counts:
            section = sections.get(
                section_key(row["question__indicator__dimension__code"], row["question__pillar__code"])
            )
            if section is not None:
                section.answered, section.scorable = row["answered"], row["scorable"]
                section.verified, section.marked = row["verified"], row["marked"]
        return list(sections.values())

    def review_items(self, section_key=None, show="", question=None, start=0, limit=None):
        """[(question, answer or None)] of one section (all sections when `section_key` is None)
        in form order, from `start`, at most `limit`; `show` narrows them to answers "belum"
        (scored, not yet verified) or "perbaikan" (marked for revision), `question` (an id) to
        that one question. Each answer comes with its live evidence, the agency's replies and how
        many comments and history rows it has (those load on demand). Four queries whatever the
        number of questions and answers."""
        questions = self._review_questions().with_scorable()
        if question is not None:  # one answer's card, re-rendered after an action
            questions = questions.filter(pk=question)
        if section_key:
            dimension, _sep, pillar = section_key.partition("-")
            questions = questions.filter(indicator__dimension__code=dimension)
            if pillar == NO_PILLAR:
                questions = questions.filter(pillar__isnull=True)
            else:
                questions = questions.filter(pillar__code=pillar)
        answers = self.answers.all()
        if show == REVIEW_UNVERIFIED:
            answers = answers.filter(ANSWERED, Question.scorable_q("question__"), verified_score__isnull=True)
        elif show == REVIEW_MARKED:
            answers = answers.filter(needs_revision=True)
        if show:
            questions = questions.filter(pk__in=answers.values("question_id"))
        questions = questions.in_form_order()
        questions = list(questions[start : start + limit] if limit else questions)
        answers = {
            a.question_id: a
            for a in answers.filter(question__in=[q.pk for q in questions])
            .select_related("option")
            .annotate(
                comment_count=models.Count("comments", distinct=True),
                change_count=models.Count("changes", distinct=True),
            )
            .prefetch_related(
                models.Prefetch(
                    "evidence",
                    queryset=Evidence.objects.live().select_related("uploaded_by"),
                    to_attr="live_evidence",
                ),
                models.Prefetch("replies", queryset=RevisionReply.objects.select_related("author")),
            )
        }
        items = []
        for question in questions:
            answer = answers.get(question.id)
            if answer is not None:
                answer.question = question
            items.append((question, answer))
        return items

    # --- transitions ----------------------------------------------------------------
    STATE_FIELDS = ("status", "reopened", "review_note", "submitted_at", "returned_at", "approved_at")

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
        self.save(update_fields=["status", "review_note", "returned_at", "updated_at"])
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
        self.status = self.Status.APPROVED
        self.approved_at = timezone.now()
        self.review_note = ""
        self.save(update_fields=["status", "approved_at", "review_note", "updated_at"])
        self._record(by, before, note)
        if self_scored:
            accepted = _("Skor mandiri diterima untuk %(n)s jawaban: %(codes)s") % {
                "n": len(self_scored),
                "codes": ", ".join(answer.question.code for answer in self_scored),
            }
            self._record(by, before, accepted[:COMMENT_MAX_LENGTH], kind=SubmissionEvent.Kind.SELF_SCORES)

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
        self.review_note = ""  # a note of a past round; the timeline keeps it
        self.save(update_fields=["status", "reopened", "approved_at", "review_note", "updated_at"])
        self._record(by, before, note, kind=SubmissionEvent.Kind.REOPEN)

    @classmethod
    def start(cls, period, agency):
        """The agency's submission for the period, created on its first visit."""
        return cls.objects.select_related("period", "agency").get_or_create(period=period, agency=agency)[0]


class Answer(models.Model):
    submission = models.ForeignKey(
        Submission, on_delete=models.CASCADE, related_name="answers", verbose_name=_("pengisian")
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

    # --- review by coordinators -------------------------------------------------------
    def _check_reviewable(self, by):
        """Inside a transaction: the submission locked and still under review, the review fields
        of this answer as they are now (another coordinator may have just changed them)."""
        if not by.has_perm(REVIEW):
            raise PermissionDenied
        self.submission.lock()
        if not self.submission.is_submitted():
            raise TransitionError(_("Jawaban hanya dapat diverifikasi selama pengisian berstatus Dikirim."))
        self.refresh_from_db(fields=["verified_score", "needs_revision", "revision_note"])

    @transaction.atomic
    def set_verified_score(self, by, score, note=""):
        """The coordinator's skor verifikasi; a change is written to the submission's timeline
        (kind SCORE, from/to the old and new score). Returns False when nothing changed."""
        self._check_reviewable(by)
        question = self.question
        if score is not None and not Question.type_is_scorable(question.answer_type, question.bands.count()):
            raise TransitionError(
                _("Pertanyaan %(code)s tidak diberi skor (jawabannya teks, tanggal atau angka tanpa rentang skor).")
                % {"code": question.code}
            )
        old = self.verified_score
        if (old is None and score is None) or (
            old is not None and score is not None and Decimal(old) == Decimal(score)
        ):
            return False
        self.verified_score = score
        self.save(update_fields=["verified_score", "updated_at"])
        SubmissionEvent.objects.create(
            submission=self.submission,
            answer=self,
            actor=by,
            kind=SubmissionEvent.Kind.SCORE,
            from_status="" if old is None else f"{Decimal(old):.2f}",
            to_status="" if score is None else f"{Decimal(score):.2f}",
            note=(note or "").strip(),
        )
        return True

    @transaction.atomic
    def mark_for_revision(self, by, needs_revision, note=""):
        """Mark (or unmark) the answer for the agency to fix; the note tells them what."""
        self._check_reviewable(by)
        note = (note or "").strip()
        if needs_revision and not note:
            raise TransitionError(_("Tulis catatan perbaikan agar perangkat daerah tahu apa yang harus diperbaiki."))
        self.needs_revision = needs_revision
        self.revision_note = note if needs_revision else ""
        self.save(update_fields=["needs_revision", "revision_note", "updated_at"])

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
        """A coordinator's comment: visible to the agency or internal to coordinators."""
        if not by.has_perm(REVIEW):
            raise PermissionDenied
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

    class Meta:
        ordering = ["answer", "uploaded_at"]
        verbose_name = _("bukti dukung")
        verbose_name_plural = _("bukti dukung")
        constraints = [
            models.CheckConstraint(condition=~Q(file="") | ~Q(url=""), name="evidence_file_or_url"),
        ]

    def __str__(self):
        return self.title


class AnswerChange(FieldChange):
    """Every change to an answer: who, when, which field, old and new value."""

    FIELD_LABELS = {
        "value": _("Jawaban"),
        "explanation": _("Penjelasan"),
        "evidence": _("Bukti dukung"),
        "carried_forward": _("Dari periode sebelumnya"),
        "verified_score": _("Skor verifikasi"),
        "impact_survey": _("Diisi dari survei dampak"),
    }

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="changes", verbose_name=_("jawaban"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("oleh")
    )
    changed_at = models.DateTimeField(_("waktu"), auto_now_add=True)

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

    objects = ReviewCommentQuerySet.as_manager()

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

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("tanggapan perangkat daerah")
        verbose_name_plural = _("tanggapan perangkat daerah")

    def __str__(self):
        return self.body[:60]


class SubmissionEvent(models.Model):
    """The submission's timeline: status transitions, reopenings and score changes."""

    class Kind(models.TextChoices):
        STATUS = "status", _("Perubahan status")
        REOPEN = "reopen", _("Dibuka kembali")
        SCORE = "score", _("Perubahan skor verifikasi")
        SELF_SCORES = "selfscore", _("Skor mandiri diterima")

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
