"""What people are told: in-app notices (the bell and /notifikasi/) and the record of the reminders
sent, which keeps an agency from being reminded twice on one day.

Who is told of what, and the e-mail that goes with a notice, is evaluations/notifications.py.
"""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .answering import COMMENT_MAX_LENGTH
from .fields import limited_text
from .regions import region_scoped


class NotificationQuerySet(models.QuerySet):
    def for_user(self, user):
        return self.filter(recipient=user)

    def unread(self):
        return self.filter(read_at__isnull=True)

    def mark_read(self):
        """Mark these as read now; already read ones keep the time they were first read."""
        return self.unread().update(read_at=timezone.now())


class Notification(models.Model):
    """One notice to one user. The text is stored as its kind and parameters, so that it is shown
    in the language of whoever reads it, whichever language the actor was using."""

    class Kind(models.TextChoices):
        SUBMITTED = "submitted", _("Pengisian dikirim")
        RETURNED = "returned", _("Pengisian dikembalikan")
        APPROVED = "approved", _("Pengisian disetujui")
        REOPENED = "reopened", _("Pengisian dibuka kembali")
        AWAITING_SECOND_SIGNOFF = "approval2", _("Menunggu persetujuan kedua")
        QUICK_WIN_ESTABLISHED = "qw_set", _("Quick win ditetapkan")
        QUICK_WIN_REJECTED = "qw_rejected", _("Quick win ditolak")
        QUICK_WIN_PROPOSED = "qw_proposed", _("Quick win diusulkan")
        QUICK_WIN_COMPLETION_REQUESTED = "qw_done_ask", _("Quick win diajukan selesai")
        QUICK_WIN_COMPLETED = "qw_done", _("Quick win dikonfirmasi selesai")
        QUICK_WIN_COMPLETION_DECLINED = "qw_done_no", _("Pengajuan selesai quick win ditolak")
        REVIEW_SUBMITTED = "rv_submitted", _("Jawaban untuk Anda tinjau")
        REVIEW_REPLIED = "rv_replied", _("Tanggapan atas tanda perbaikan")

    MESSAGES = {
        Kind.SUBMITTED: _("%(agency)s mengirim pengisian %(period)s untuk diverifikasi."),
        Kind.RETURNED: _("Pengisian %(period)s dikembalikan oleh koordinator untuk diperbaiki."),
        Kind.APPROVED: _("Pengisian %(period)s disetujui oleh koordinator."),
        Kind.REOPENED: _("Pengisian %(period)s dibuka kembali oleh admin dan dapat diubah lagi."),
        Kind.AWAITING_SECOND_SIGNOFF: _(
            "Pengisian %(agency)s (%(period)s) disetujui oleh %(approver)s dan menunggu persetujuan kedua."
        ),
        Kind.QUICK_WIN_ESTABLISHED: _('Quick win "%(name)s" ditetapkan oleh koordinator.'),
        Kind.QUICK_WIN_REJECTED: _('Usulan quick win "%(name)s" ditolak oleh koordinator.'),
        Kind.QUICK_WIN_PROPOSED: _('%(agency)s mengusulkan quick win "%(name)s" (%(period)s) untuk ditetapkan.'),
        Kind.QUICK_WIN_COMPLETION_REQUESTED: _(
            '%(agency)s mengajukan quick win "%(name)s" selesai; mohon dikonfirmasi.'
        ),
        Kind.QUICK_WIN_COMPLETED: _('Quick win "%(name)s" dikonfirmasi selesai oleh koordinator.'),
        Kind.QUICK_WIN_COMPLETION_DECLINED: _('Pengajuan selesai quick win "%(name)s" ditolak oleh koordinator.'),
        Kind.REVIEW_SUBMITTED: _("%(agency)s mengirim %(n)s jawaban di bagian Anda (%(pillars)s) untuk ditinjau."),
        Kind.REVIEW_REPLIED: _("%(agency)s menanggapi %(n)s tanda perbaikan di bagian Anda (%(pillars)s)."),
    }

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("penerima")
    )
    # The region whose work the notice is about: a notice is never shown under another region.
    region = models.ForeignKey(
        "evaluations.Region", on_delete=models.CASCADE, related_name="+", verbose_name=_("wilayah")
    )
    kind = models.CharField(_("jenis"), max_length=12, choices=Kind.choices)
    # The names the message mentions (agency, period, quick win), as they were at the time.
    params = models.JSONField(_("parameter"), default=dict, blank=True)
    # A copy of the note that came with the action (a return or rejection note), shown as typed;
    # the longest such note is a return note.
    note = limited_text(_("catatan"), COMMENT_MAX_LENGTH, blank=True)
    link = models.CharField(_("tautan"), max_length=300)
    created_at = models.DateTimeField(_("dibuat"), default=timezone.now)
    read_at = models.DateTimeField(_("dibaca"), null=True, blank=True)
    # Set by the job that e-mails the notice, by a conditional UPDATE just before the message goes
    # to the mail server: a retried job (a worker killed halfway) skips what already went.
    emailed_at = models.DateTimeField(_("dikirim lewat e-mail"), null=True, blank=True)

    objects = region_scoped("region", NotificationQuerySet)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notifikasi")
        verbose_name_plural = _("notifikasi")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.message

    @property
    def message(self):
        return str(self.MESSAGES[self.kind]) % self.params

    def is_unread(self):
        return self.read_at is None

    def claim_email(self):
        """Take this notice's e-mail for sending; False if a run of the job already sent it."""
        return bool(Notification.objects.filter(pk=self.pk, emailed_at=None).update(emailed_at=timezone.now()))

    def release_email(self):
        """The mail server refused it: a later run may try again."""
        Notification.objects.filter(pk=self.pk).update(emailed_at=None)


class ReminderSent(models.Model):
    """An agency was reminded of a period on a date. The row is written (claimed) before the
    e-mail goes out, and the unique constraint lets only one writer claim a day: two clicks on
    the dashboard's button, or the button and the daily command, remind an agency once."""

    period = models.ForeignKey(
        "evaluations.EvaluationPeriod", on_delete=models.CASCADE, related_name="+", verbose_name=_("periode")
    )
    agency = models.ForeignKey(
        "evaluations.Agency", on_delete=models.CASCADE, related_name="+", verbose_name=_("perangkat daerah")
    )
    date = models.DateField(_("tanggal"))
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    # The reminders job that claimed the day (none for a direct call), and how many e-mails it sent:
    # a job retried after its worker was killed counts what its earlier run sent as its own.
    job = models.ForeignKey(
        "evaluations.Job",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pekerjaan"),
    )
    messages = models.PositiveIntegerField(_("e-mail"), default=0)

    objects = region_scoped("period__region")

    class Meta:
        verbose_name = _("pengingat terkirim")
        verbose_name_plural = _("pengingat terkirim")
        constraints = [
            models.UniqueConstraint(fields=["period", "agency", "date"], name="reminder_once_a_day_per_agency"),
        ]

    def __str__(self):
        return f"{self.agency} · {self.period} · {self.date}"
