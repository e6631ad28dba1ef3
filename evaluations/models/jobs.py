"""Long work done off the request: one Job row per piece of work, whatever queue runs it.

The queue (Django's tasks API: the database backend by default, RQ in production) only carries
the job's id; the row is the truth. That makes every job safe to run twice and safe to lose:

- a worker claims a queued job with one conditional UPDATE (`claim`), so of two workers handed
  the same job only one runs it; a done job is never run again;
- while running, every step writes progress and a heartbeat, guarded by the attempt number the
  claim took, so a worker taken for dead cannot overwrite the attempt that replaced it;
- a running job whose heartbeat is older than settings.JOB_STALE_SECONDS is put back in the queue
  (`requeue_stale`): by the status page while someone waits for it, and by
  `manage.py requeue_stale_jobs` (cron, every minute) for everything else.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..permissions import VIEW_ALL
from .periods import EvaluationPeriod


def job_upload_to(instance, filename):
    return f"jobs/{instance.kind}/{uuid.uuid4().hex}-{filename}"


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A job is its requester's; a workbook is the regency's, so everyone who may download
        workbooks sees every workbook job (they are shared, see `for_workbook`)."""
        if user.has_perm(VIEW_ALL):
            return self.filter(models.Q(kind=Job.Kind.WORKBOOK) | models.Q(requested_by=user))
        return self.filter(requested_by=user)

    def stale(self, now=None):
        cutoff = (now or timezone.now()) - timedelta(seconds=settings.JOB_STALE_SECONDS)
        return self.filter(state=Job.State.RUNNING, heartbeat_at__lt=cutoff)


class Job(models.Model):
    class Kind(models.TextChoices):
        WORKBOOK = "workbook", _("Workbook evaluasi")
        REMINDERS = "reminders", _("Pengingat")
        NOTIFICATION_EMAILS = "notification_emails", _("E-mail pemberitahuan")
        DATASET_IMPORT = "dataset_import", _("Unggahan data set")
        INSTRUMENT_IMPORT = "instrument_import", _("Impor instrumen")

    class State(models.TextChoices):
        QUEUED = "queued", _("menunggu giliran")
        RUNNING = "running", _("sedang berjalan")
        DONE = "done", _("selesai")
        FAILED = "failed", _("gagal")

    kind = models.CharField(_("jenis"), max_length=20, choices=Kind.choices)
    # What makes two requests the same job (e.g. a period and its change stamp): the unique
    # constraint below turns a second request into the first one's job.
    key = models.CharField(_("kunci"), max_length=200)
    period = models.ForeignKey(
        EvaluationPeriod,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("periode"),
    )
    parameters = models.JSONField(_("parameter"), default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("diminta oleh"),
    )
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.QUEUED)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    step = models.CharField(_("langkah"), max_length=200, blank=True)
    message = models.CharField(_("pesan"), max_length=1000, blank=True)
    result = models.JSONField(_("hasil"), default=dict, blank=True)
    file = models.FileField(_("berkas"), upload_to=job_upload_to, blank=True, max_length=300)
    attempt = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(_("dibuat"), auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        verbose_name = _("pekerjaan")
        verbose_name_plural = _("pekerjaan")
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="job_kind_key_unique")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.state})"

    @property
    def is_finished(self):
        return self.state in (self.State.DONE, self.State.FAILED)

    @property
    def is_done(self):
        return self.state == self.State.DONE

    @property
    def is_failed(self):
        return self.state == self.State.FAILED

    @property
    def is_import(self):
        return self.kind in (self.Kind.DATASET_IMPORT, self.Kind.INSTRUMENT_IMPORT)

    @property
    def percent(self):
        if self.is_done:
            return 100
        if not self.progress_total:
            return 0
        return min(100, self.progress_done * 100 // self.progress_total)

    @classmethod
    def get_or_create_for(cls, kind, key, **fields):
        """The job for (kind, key), created queued if there is none; a failed one is queued again.
        Returns (job, needs_enqueue). Two simultaneous requests land on one row."""
        try:
            with transaction.atomic():
                return cls.objects.create(kind=kind, key=key, **fields), True
        except IntegrityError:
            job = cls.objects.get(kind=kind, key=key)
        if job.is_failed:
            retried = cls.objects.filter(pk=job.pk, state=cls.State.FAILED).update(
                state=cls.State.QUEUED, message="", progress_done=0, step=""
            )
            job.refresh_from_db()
            return job, bool(retried)
        return job, False

    @classmethod
    def for_upload(cls, kind, uploaded_file, **fields):
        """A queued job that reads `uploaded_file`: the request only stores the file (through the
        storage API, so any host's worker can read it) and leaves the reading to the worker. Every
        upload is its own job."""
        return cls.objects.create(kind=kind, key=uuid.uuid4().hex, file=uploaded_file, **fields)

    def discard_file(self):
        """The stored upload is read and done with: the data set keeps its own copy, a refused or
        instrument file is not kept."""
        if self.file:
            self.file.storage.delete(self.file.name)
            Job.objects.filter(pk=self.pk).update(file="")
            self.file = ""

    def claim(self):
        """Take this queued job for one run; False if another worker has it or it is finished.
        The attempt number taken guards every later write of this run."""
        now = timezone.now()
        claimed = Job.objects.filter(pk=self.pk, state=self.State.QUEUED).update(
            state=self.State.RUNNING, attempt=F("attempt") + 1, started_at=now, heartbeat_at=now
        )
        self.refresh_from_db()
        return bool(claimed)

    def _mine(self):
        return Job.objects.filter(pk=self.pk, state=self.State.RUNNING, attempt=self.attempt)

    def report(self, done, total, step=""):
        """Progress and heartbeat. False when this run no longer owns the job (it was taken for
        dead and queued again): the caller should stop."""
        self.progress_done, self.progress_total, self.step = done, total, step[:200]
        return bool(
            self._mine().update(progress_done=done, progress_total=total, step=self.step, heartbeat_at=timezone.now())
        )

    def finish(self, file_name="", result=None):
        now = timezone.now()
        updated = self._mine().update(
            state=self.State.DONE,
            file=file_name,
            result=result or {},
            progress_done=F("progress_total"),
            finished_at=now,
            heartbeat_at=now,
        )
        self.refresh_from_db()
        return bool(updated)

    def fail(self, message, result=None):
        updated = self._mine().update(
            state=self.State.FAILED, message=message[:1000], result=result or {}, finished_at=timezone.now()
        )
        self.refresh_from_db()
        return bool(updated)

    def looks_stale(self, now=None):
        """The check without a query: this copy says running with an old heartbeat."""
        cutoff = (now or timezone.now()) - timedelta(seconds=settings.JOB_STALE_SECONDS)
        return self.state == self.State.RUNNING and (self.heartbeat_at is None or self.heartbeat_at < cutoff)

    def requeue_if_stale(self, now=None):
        """Put this job back in the queue if its worker stopped beating; True if this call did."""
        requeued = (
            Job.objects.stale(now)
            .filter(pk=self.pk, attempt=self.attempt)
            .update(state=self.State.QUEUED, heartbeat_at=None)
        )
        if requeued:
            self.refresh_from_db()
        return bool(requeued)
