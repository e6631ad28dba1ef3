"""Quick wins (program percepatan): at least one per pillar per period, taken from innovations
already running.

Life cycle (Python names in English, stored values and labels in Indonesian): an operator proposes
(PROPOSED, usulan) for their own agency; a coordinator establishes it (ESTABLISHED, ditetapkan) or
rejects it (REJECTED, ditolak) with a note; the owner may propose a rejected one again; an
established quick win then moves through RUNNING / CONTINUED / STOPPED (berjalan / dilanjutkan /
dihentikan; `move_status`). While it is under way, the owning agency reports its achievement as
often as needed (QuickWinReport) and finally asks for it to be marked COMPLETED (selesai) with its
date and final evidence; a coordinator confirms or declines that request.

Every transition is one method here that checks who may make it and writes a QuickWinChange (who,
when, what); the use cases that write more rows (proposing, an edit with its field history,
continuing into a later period, a report of achievement, a completion request) are in
evaluations/quickwins.py and use the same checks. Each first locks the quick win's row and reads
its status again (`lock`), so that of two people acting on it at the same moment the second waits
for the first and is then told that it was already dealt with.
"""

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist, PermissionDenied
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..permissions import REVIEW, VIEW_ALL
from .agencies import AgencyMember
from .audit import FieldChange
from .fields import limited_text
from .files import RemovableFile, RemovableFileQuerySet, quick_win_evidence_upload_to
from .periods import EvaluationPeriod
from .regions import region_scoped
from .submissions import TransitionError

PERCENT_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]
# The longest text people may type: the description, and every other text and note.
DESCRIPTION_MAX_LENGTH = 5000
NOTE_MAX_LENGTH = 2000


class QuickWinQuerySet(models.QuerySet):
    def established(self):
        return self.filter(status__in=QuickWin.ESTABLISHED_STATUSES)

    def visible_to(self, user):
        """Coordinators, admin and leaders see everything; an operator sees every established quick win
        and all of their own agency's (proposals and rejected ones included); nobody else sees
        another agency's proposals."""
        if user.has_perm(VIEW_ALL):
            return self
        agency = AgencyMember.objects.agency_of(user)
        if agency is None:
            return self.established()
        return self.filter(Q(status__in=QuickWin.ESTABLISHED_STATUSES) | Q(agency=agency))

    def for_list(self, period, user, pillar=None, agency=None, status=None, search=""):
        """The quick-win list: one query whatever the number of rows (supporting agencies in a
        second)."""
        qs = self.visible_to(user).filter(period=period)
        if pillar:
            qs = qs.filter(pillar=pillar)
        if agency:
            qs = qs.filter(Q(agency=agency) | Q(supporting_agencies=agency)).distinct()
        if status:
            qs = qs.filter(status=status)
        if search:
            qs = qs.filter(
                Q(name__icontains=search)
                | Q(description__icontains=search)
                | Q(partners__icontains=search)
                | Q(rpjmd_problem__icontains=search)
            )
        return qs.select_related("pillar", "subdimension", "agency").order_by("pillar__order", "name")

    def continuable_into(self, period):
        """Established quick wins of earlier periods that may still be carried into `period`."""
        return self.filter(status__in=QuickWin.CONTINUABLE_STATUSES).filter(
            Q(period__year__lt=period.year) | Q(period__year=period.year, period__stage__lt=period.stage)
        )

    def for_coverage(self, period):
        return self.filter(period=period, status__in=QuickWin.ESTABLISHED_STATUSES).select_related("agency")


class QuickWin(models.Model):
    class Status(models.TextChoices):
        PROPOSED = "usulan", _("Usulan")
        REJECTED = "ditolak", _("Ditolak")
        ESTABLISHED = "ditetapkan", _("Ditetapkan")
        RUNNING = "berjalan", _("Berjalan")
        CONTINUED = "dilanjutkan", _("Dilanjutkan")
        STOPPED = "dihentikan", _("Dihentikan")
        COMPLETED = "selesai", _("Selesai")

    class BudgetSource(models.TextChoices):
        APBD = "apbd", _("APBD")
        NON_APBD = "non_apbd", _("Non-APBD")
        CSR = "csr", _("CSR")

    # Fields an edit never changes (the life cycle and the record keeping do), left out of its history.
    NOT_EDITED = (
        "period",
        "status",
        "status_note",
        "continued_from",
        "created_by",
        "completed_on",
        "completion_requested_at",
        "completion_note",
    )
    # Statuses of an established quick win (the regency has agreed on it): visible to every
    # signed-in user and counted in the pillar coverage.
    ESTABLISHED_STATUSES = (Status.ESTABLISHED, Status.RUNNING, Status.CONTINUED, Status.STOPPED, Status.COMPLETED)
    # An established quick win still under way: its agency reports its achievement and may ask to
    # complete it.
    UNDER_WAY_STATUSES = (Status.ESTABLISHED, Status.RUNNING, Status.CONTINUED)
    # Carried into a later period: a running one or a completed one (its next phase); a stopped
    # one is not carried (it is proposed again if it restarts).
    CONTINUABLE_STATUSES = (*UNDER_WAY_STATUSES, Status.COMPLETED)
    # Where an established quick win may move next (coordinator or the owning agency). COMPLETED is
    # not here: it is reached only through a completion request confirmed by a coordinator.
    STATUS_MOVES = {
        Status.ESTABLISHED: {Status.RUNNING, Status.CONTINUED, Status.STOPPED},
        Status.RUNNING: {Status.CONTINUED, Status.STOPPED},
        Status.CONTINUED: {Status.RUNNING, Status.STOPPED},
        Status.STOPPED: set(),
        Status.COMPLETED: set(),
    }

    period = models.ForeignKey(
        "evaluations.EvaluationPeriod", on_delete=models.CASCADE, related_name="quick_wins", verbose_name=_("periode")
    )
    pillar = models.ForeignKey(
        "pillars.Pillar", on_delete=models.PROTECT, related_name="quick_wins", verbose_name=_("pilar")
    )
    subdimension = models.ForeignKey(
        "pillars.SubDimension",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="quick_wins",
        verbose_name=_("sub-dimensi"),
    )
    name = models.CharField(_("nama program"), max_length=200)
    description = limited_text(_("deskripsi"), DESCRIPTION_MAX_LENGTH, blank=True)
    rpjmd_problem = limited_text(_("permasalahan RPJMD yang dijawab"), NOTE_MAX_LENGTH, blank=True)
    agency = models.ForeignKey(
        "evaluations.Agency",
        on_delete=models.PROTECT,
        related_name="quick_wins",
        verbose_name=_("perangkat daerah pemilik"),
    )
    supporting_agencies = models.ManyToManyField(
        "evaluations.Agency",
        blank=True,
        related_name="supported_quick_wins",
        verbose_name=_("perangkat daerah pendukung"),
    )
    start_year = models.PositiveSmallIntegerField(
        _("tahun mulai"), null=True, blank=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    is_new = models.BooleanField(_("baru tahun ini"), default=True, help_text=_("Kosongkan bila program lanjutan."))
    target_pct = models.DecimalField(
        _("target (%)"), max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT_VALIDATORS
    )
    achievement_pct = models.DecimalField(
        _("capaian (%)"), max_digits=5, decimal_places=2, null=True, blank=True, validators=PERCENT_VALIDATORS
    )
    budget = models.DecimalField(
        _("anggaran (Rp)"), max_digits=16, decimal_places=0, null=True, blank=True, validators=[MinValueValidator(0)]
    )
    budget_source = models.CharField(_("sumber anggaran"), max_length=10, choices=BudgetSource.choices, blank=True)
    partners = limited_text(_("mitra"), NOTE_MAX_LENGTH, blank=True)
    users_reached = models.PositiveIntegerField(_("jumlah pengguna/penerima manfaat"), null=True, blank=True)
    url = models.URLField(_("tautan"), blank=True, max_length=500)
    risks = limited_text(_("risiko"), NOTE_MAX_LENGTH, blank=True)
    mitigation = limited_text(_("mitigasi risiko"), NOTE_MAX_LENGTH, blank=True)
    sustainability_plan = limited_text(_("rencana keberlanjutan"), NOTE_MAX_LENGTH, blank=True)
    assessor_notes = limited_text(_("catatan penilai"), NOTE_MAX_LENGTH, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=Status.choices, default=Status.PROPOSED)
    status_note = limited_text(_("catatan status"), NOTE_MAX_LENGTH, blank=True)
    continued_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="continuations",
        verbose_name=_("lanjutan dari"),
    )
    # The completion the agency asked for (pending while completion_requested_at is set), and the
    # date it finished once a coordinator confirmed it.
    completed_on = models.DateField(_("tanggal selesai"), null=True, blank=True)
    completion_requested_at = models.DateTimeField(_("penyelesaian diajukan"), null=True, blank=True)
    completion_note = limited_text(_("catatan penyelesaian"), NOTE_MAX_LENGTH, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("dibuat oleh")
    )
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    updated_at = models.DateTimeField(_("diubah"), auto_now=True)

    objects = region_scoped("period__region", QuickWinQuerySet)

    class Meta:
        ordering = ["period", "pillar__order", "name"]
        verbose_name = _("quick win")
        verbose_name_plural = _("quick win")
        constraints = [
            models.UniqueConstraint(
                fields=["period", "continued_from"],
                condition=Q(continued_from__isnull=False),
                name="quickwin_continued_once_per_period",
            ),
        ]

    def __str__(self):
        return self.name

    # --- predicates used by templates and views -------------------------------------
    def is_established(self):
        return self.status in self.ESTABLISHED_STATUSES

    def is_proposal(self):
        return self.status == self.Status.PROPOSED

    def is_rejected(self):
        return self.status == self.Status.REJECTED

    def is_under_way(self):
        return self.status in self.UNDER_WAY_STATUSES

    def is_stopped(self):
        return self.status == self.Status.STOPPED

    def is_completed(self):
        return self.status == self.Status.COMPLETED

    def has_completion_request(self):
        return self.completion_requested_at is not None

    def badge_class(self):
        return {
            self.Status.PROPOSED: "text-bg-warning",
            self.Status.REJECTED: "text-bg-danger",
            self.Status.STOPPED: "text-bg-secondary",
            self.Status.COMPLETED: "text-bg-primary",
        }.get(self.status, "text-bg-success")

    def next_statuses(self):
        return [s for s in self.Status if s in self.STATUS_MOVES.get(self.status, set())]

    def is_owned_by(self, user):
        agency = AgencyMember.objects.agency_of(user)
        return agency is not None and agency.pk == self.agency_id

    def can_edit(self, user):
        """Coordinators edit any quick win; the owning agency edits its own until it is established."""
        if user.has_perm(REVIEW):
            return True
        return (
            self.is_owned_by(user)
            and self.status in {self.Status.PROPOSED, self.Status.REJECTED}
            and self.period.accepts_edits()
        )

    def check_period_open(self):
        """Agencies propose and fix quick wins only while the period is open (like their answers)."""
        if not self.period.accepts_edits():
            raise TransitionError(
                _("Periode %(period)s sudah ditutup: quick win tidak dapat diusulkan atau diubah lagi.")
                % {"period": self.period}
            )

    def can_review(self, user):
        return user.has_perm(REVIEW) and self.is_proposal()

    def can_move_status(self, user):
        return bool(self.next_statuses()) and (user.has_perm(REVIEW) or self.is_owned_by(user))

    def can_resubmit(self, user):
        return self.is_rejected() and self.is_owned_by(user)

    def can_report(self, user):
        """Only the owning agency reports its achievement, and only while the quick win is under way. The
        period's close date does not stop it: programmes run all year, after the evaluation stage."""
        return self.is_under_way() and self.is_owned_by(user)

    def can_request_completion(self, user):
        return self.can_report(user) and not self.has_completion_request()

    def can_decide_completion(self, user):
        return user.has_perm(REVIEW) and self.is_under_way() and self.has_completion_request()

    def can_attach(self, user):
        return self.can_edit(user) or self.is_owned_by(user)

    def can_remove_evidence(self, user):
        """While the quick win can still be changed: coordinators always; the owning agency while it
        may edit the proposal or while the established quick win is under way, and not the final evidence of a
        completion it asked for (the coordinator decides on that file)."""
        if user.has_perm(REVIEW):
            return True
        return self.can_edit(user) or (self.can_report(user) and not self.has_completion_request())

    # --- changes ----------------------------------------------------------------------
    def already_processed(self, status):
        """The refusal of a change made on a copy whose status someone else has since changed."""
        return TransitionError(
            _(
                "Quick win ini sudah diproses oleh pengguna lain (statusnya sekarang %(status)s). "
                "Muat ulang halaman untuk melihat keadaan terbaru."
            )
            % {"status": self.Status(status).label}
        )

    def lock(self):
        """Lock the row until the transaction ends and read its status again; refused when it
        changed since this copy was read (see Submission.lock)."""
        seen = self.status
        self.refresh_from_db(
            fields=["status", "status_note"], from_queryset=QuickWin.objects.select_for_update(no_key=True)
        )
        if self.status != seen:
            raise self.already_processed(self.status)

    def record(self, by, kind, from_status="", note="", fields=()):
        return QuickWinChange.objects.create(
            quick_win=self,
            actor=by,
            kind=kind,
            from_status=from_status,
            to_status=self.status,
            note=note,
            fields=", ".join(fields),
        )

    def _move(self, by, to_status, note=""):
        before = self.status
        self.status = to_status
        self.status_note = note
        self.save(update_fields=["status", "status_note", "updated_at"])
        self.record(by, QuickWinChange.Kind.STATUS, before, note)

    @transaction.atomic
    def establish(self, by, note=""):
        if not by.has_perm(REVIEW):
            raise PermissionDenied
        self.lock()
        if not self.is_proposal():
            raise TransitionError(_("Hanya quick win berstatus Usulan yang dapat ditetapkan."))
        self._move(by, self.Status.ESTABLISHED, (note or "").strip())

    @transaction.atomic
    def reject(self, by, note):
        if not by.has_perm(REVIEW):
            raise PermissionDenied
        self.lock()
        if not self.is_proposal():
            raise TransitionError(_("Hanya quick win berstatus Usulan yang dapat ditolak."))
        note = (note or "").strip()
        if not note:
            raise TransitionError(_("Tulis alasan penolakan agar perangkat daerah dapat memperbaikinya."))
        self._move(by, self.Status.REJECTED, note)

    @transaction.atomic
    def resubmit(self, by, note=""):
        """The owning agency proposes a rejected quick win again after fixing it."""
        if not self.is_owned_by(by):
            raise PermissionDenied
        self.check_period_open()
        self.lock()
        if not self.is_rejected():
            raise TransitionError(_("Hanya quick win yang ditolak yang dapat diusulkan kembali."))
        self._move(by, self.Status.PROPOSED, (note or "").strip())

    @transaction.atomic
    def move_status(self, by, status, note=""):
        """ESTABLISHED → RUNNING / CONTINUED / STOPPED, RUNNING ↔ CONTINUED, either → STOPPED
        (STATUS_MOVES), by a coordinator or the owner."""
        if not (by.has_perm(REVIEW) or self.is_owned_by(by)):
            raise PermissionDenied
        self.lock()
        if status not in self.STATUS_MOVES.get(self.status, set()):
            raise TransitionError(
                _("Status %(from)s tidak dapat diubah menjadi %(to)s.")
                % {
                    "from": self.get_status_display(),
                    "to": self.Status(status).label if status in self.Status else status,
                }
            )
        self._move(by, status, (note or "").strip())

    def is_before(self, period):
        return (self.period.year, self.period.stage) < (period.year, period.stage)

    def can_continue_into(self, period, user):
        return (
            self.status in self.CONTINUABLE_STATUSES
            and self.is_before(period)
            and not period.status == period.Status.CLOSED
            and (user.has_perm(REVIEW) or self.is_owned_by(user))
        )

    def continuation_targets(self, user):
        """The later periods this quick win can be carried into, newest last, each with the copy
        already made there (or None): two queries."""
        if not (self.status in self.CONTINUABLE_STATUSES and (user.has_perm(REVIEW) or self.is_owned_by(user))):
            return []
        later = [
            p
            for p in EvaluationPeriod.objects.exclude(status=EvaluationPeriod.Status.CLOSED).order_by("year", "stage")
            if self.is_before(p)
        ]
        copies = {q.period_id: q for q in QuickWin.objects.filter(continued_from=self, period__in=later)}
        return [(p, copies.get(p.pk)) for p in later]

    def lock_and_refresh(self):
        """Lock the row and read every field again: a report or a completion decision depends on
        the completion request and the status, which a colleague may have just changed."""
        self.refresh_from_db(from_queryset=QuickWin.objects.select_for_update(no_key=True))

    @transaction.atomic
    def confirm_completion(self, by, note=""):
        if not by.has_perm(REVIEW):
            raise PermissionDenied
        self.lock_and_refresh()
        if not self.can_decide_completion(by):
            raise TransitionError(_("Tidak ada pengajuan selesai yang menunggu keputusan untuk quick win ini."))
        self.completion_requested_at = None
        self.save(update_fields=["completion_requested_at"])
        self._move(by, self.Status.COMPLETED, (note or "").strip())

    @transaction.atomic
    def decline_completion(self, by, note):
        """Back to running: the request is withdrawn and its file stays as ordinary evidence."""
        if not by.has_perm(REVIEW):
            raise PermissionDenied
        note = (note or "").strip()
        if not note:
            raise TransitionError(_("Tulis alasan penolakan agar perangkat daerah dapat melengkapinya."))
        self.lock_and_refresh()
        if not self.can_decide_completion(by):
            raise TransitionError(_("Tidak ada pengajuan selesai yang menunggu keputusan untuk quick win ini."))
        self.evidence.filter(final=True).update(final=False)
        self.completed_on = None
        self.completion_requested_at = None
        self.status_note = note
        self.save(update_fields=["completed_on", "completion_requested_at", "status_note", "updated_at"])
        self.record(by, QuickWinChange.Kind.COMPLETION_DECLINED, self.status, note=note)


class QuickWinChange(models.Model):
    """The history of a quick win: who changed what, when."""

    class Kind(models.TextChoices):
        CREATED = "created", _("Diusulkan")
        EDITED = "edited", _("Diubah")
        STATUS = "status", _("Status diubah")
        CONTINUED = "continued", _("Dilanjutkan dari periode sebelumnya")
        EVIDENCE = "evidence", _("Bukti dukung diunggah")
        EVIDENCE_REMOVED = "evidence_removed", _("Bukti dukung dihapus")
        REPORT = "report", _("Capaian dilaporkan")
        COMPLETION_REQUESTED = "completion_requested", _("Diajukan selesai")
        COMPLETION_DECLINED = "completion_declined", _("Pengajuan selesai ditolak")

    quick_win = models.ForeignKey(
        QuickWin, on_delete=models.CASCADE, related_name="changes", verbose_name=_("quick win")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("oleh")
    )
    at = models.DateTimeField(_("waktu"), auto_now_add=True)
    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    from_status = models.CharField(_("dari status"), max_length=12, choices=QuickWin.Status.choices, blank=True)
    to_status = models.CharField(_("ke status"), max_length=12, choices=QuickWin.Status.choices, blank=True)
    fields = models.TextField(_("isian yang diubah"), blank=True)
    note = limited_text(_("catatan"), NOTE_MAX_LENGTH, blank=True)

    objects = region_scoped("quick_win__period__region")

    class Meta:
        ordering = ["quick_win", "at", "pk"]
        verbose_name = _("riwayat quick win")
        verbose_name_plural = _("riwayat quick win")

    def __str__(self):
        return f"{self.quick_win} – {self.get_kind_display()}"


class QuickWinFieldChange(FieldChange):
    """One field of a quick-win edit: old and new value as a person reads them (as AnswerChange
    keeps them for answers). Edits recorded before these existed name their fields only
    (QuickWinChange.fields)."""

    change = models.ForeignKey(
        QuickWinChange, on_delete=models.CASCADE, related_name="field_changes", verbose_name=_("riwayat")
    )

    objects = region_scoped("change__quick_win__period__region")

    class Meta:
        ordering = ["change", "pk"]
        verbose_name = _("perubahan isian quick win")
        verbose_name_plural = _("perubahan isian quick win")

    def __str__(self):
        return f"{self.change} · {self.field}"

    def field_label(self):
        try:
            return capfirst(QuickWin._meta.get_field(self.field).verbose_name)
        except FieldDoesNotExist:
            return self.field


class QuickWinEvidence(RemovableFile):
    """A file supporting a quick win. Removing it keeps the row (removed_at/by), as for answers."""

    quick_win = models.ForeignKey(
        QuickWin, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("quick win")
    )
    title = models.CharField(_("judul"), max_length=200)
    file = models.FileField(_("berkas"), upload_to=quick_win_evidence_upload_to, max_length=255)
    final = models.BooleanField(_("bukti akhir"), default=False, help_text=_("Bukti penyelesaian quick win."))

    objects = region_scoped("quick_win__period__region", RemovableFileQuerySet)

    class Meta:
        ordering = ["quick_win", "uploaded_at"]
        verbose_name = _("bukti dukung quick win")
        verbose_name_plural = _("bukti dukung quick win")

    def __str__(self):
        return self.title

    @classmethod
    @transaction.atomic
    def attach(cls, quick_win, by, title, uploaded_file):
        """Store a validated file on a quick win and note it in the history."""
        if not quick_win.can_attach(by):
            raise PermissionDenied
        evidence = cls(quick_win=quick_win, title=title, uploaded_by=by)
        evidence.take(uploaded_file)
        evidence.save()
        quick_win.record(by, QuickWinChange.Kind.EVIDENCE, quick_win.status, note=title)
        return evidence

    @transaction.atomic
    def remove(self, by):
        """Take the file off the quick win (e.g. a duplicate). The row and the stored file are
        kept for the record, as with answer evidence; downloads of it answer 404 from now on."""
        if not self.quick_win.can_remove_evidence(by):
            raise PermissionDenied
        updated = QuickWinEvidence.objects.live().filter(pk=self.pk).update(removed_at=timezone.now(), removed_by=by)
        if not updated:
            raise TransitionError(_("Bukti dukung ini sudah dihapus."))
        self.quick_win.record(by, QuickWinChange.Kind.EVIDENCE_REMOVED, self.quick_win.status, note=self.title)


class QuickWinReport(models.Model):
    """One report of achievement of an established quick win by its agency: achievement, date, note,
    evidence."""

    quick_win = models.ForeignKey(
        QuickWin, on_delete=models.CASCADE, related_name="reports", verbose_name=_("quick win")
    )
    achievement_pct = models.DecimalField(
        _("capaian (%)"), max_digits=5, decimal_places=2, validators=PERCENT_VALIDATORS
    )
    reported_on = models.DateField(_("tanggal"))
    note = limited_text(_("catatan perkembangan"), NOTE_MAX_LENGTH)
    evidence = models.ForeignKey(
        QuickWinEvidence,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bukti dukung"),
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("oleh")
    )
    reported_at = models.DateTimeField(_("dilaporkan"), auto_now_add=True)

    objects = region_scoped("quick_win__period__region")

    class Meta:
        ordering = ["quick_win", "-reported_on", "-pk"]
        verbose_name = _("laporan capaian quick win")
        verbose_name_plural = _("laporan capaian quick win")
        constraints = [
            models.CheckConstraint(
                condition=Q(achievement_pct__gte=0) & Q(achievement_pct__lte=100), name="quickwin_report_pct_0_100"
            ),
        ]

    def __str__(self):
        return f"{self.quick_win} · {self.reported_on} · {self.achievement_pct}%"
