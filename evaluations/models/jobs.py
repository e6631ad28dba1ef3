"""Long work done off the request: one Job row per piece of work, whatever queue runs it.

The queue (Django's tasks API: the database backend by default, RQ in production) only carries
the job's id; the row is the truth. That makes every job safe to run twice and safe to lose:

- a worker claims a queued job with one conditional UPDATE (`claim`), so of two workers handed
  the same job only one runs it; a done job is never run again;
- while running, every step writes progress and a heartbeat, guarded by the attempt number the
  claim took, so a worker taken for dead cannot overwrite the attempt that replaced it;
- a running job whose heartbeat is older than settings.JOB_STALE_SECONDS is put back in the queue
  (`requeue_stale`): by the status page while someone waits for it, and by
  `manage.py requeue_stale_jobs` (cron, every minute) for everything else;
- a queued job the queue lost (its entry gone: Redis restarted empty, an enqueue that failed) is
  handed to the queue again by the same command; the claim keeps a job handed out twice to one run.

Uploads are queued apart from the short jobs (`queue_name`), and one person has at most
settings.JOB_MAX_ACTIVE_PER_USER of them waiting or running (`for_upload`): twelve files sent at
once cannot hold every worker while a coordinator waits for a two-second workbook.

Workers write a WorkerBeat row while they run or idle (`manage.py jobs_worker`), for the admin's
page of the queue's health.
"""

import uuid
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, models, transaction
from django.db.models import Count, F, Min
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..permissions import VIEW_ALL
from .periods import EvaluationPeriod
from .regions import region_scoped


def job_upload_to(instance, filename):
    """Under the region's prefix (a national job's under national/), so that a region's files can be
    listed, backed up or removed as one."""
    prefix = f"regions/{instance.region.code}" if instance.region_id else "national"
    return f"{prefix}/jobs/{instance.kind}/{uuid.uuid4().hex}-{filename}"


class JobQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A job is its requester's; a workbook, a report or an evidence package is the regency's, so
        everyone who may download them sees every such job (they are shared, see tasks.workbook_job)."""
        if user.has_perm(VIEW_ALL):
            return self.filter(models.Q(kind__in=Job.SHARED_KINDS) | models.Q(requested_by=user))
        return self.filter(requested_by=user)

    def stale(self, now=None):
        cutoff = (now or timezone.now()) - timedelta(seconds=settings.JOB_STALE_SECONDS)
        return self.filter(state=Job.State.RUNNING, heartbeat_at__lt=cutoff)

    def active(self):
        return self.filter(state__in=[Job.State.QUEUED, Job.State.RUNNING])

    def queued_before(self, seconds, now=None):
        """Queued, and not taken by any worker for `seconds`: lost by the queue, or no worker runs."""
        cutoff = (now or timezone.now()) - timedelta(seconds=seconds)
        return self.filter(state=Job.State.QUEUED, queued_at__lt=cutoff)

    def for_workers_page(self):
        """The queue's figures for the admin's page: per queue, how many jobs wait, since when the
        oldest and whether that is past JOB_QUEUE_WARN_SECONDS; then the running jobs with who
        asked. Two queries."""
        waiting = {queue: {"queue": queue, "count": 0, "oldest": None} for queue in Job.QUEUES}
        for row in self.filter(state=Job.State.QUEUED).values("kind").annotate(n=Count("pk"), oldest=Min("queued_at")):
            queue = waiting[Job.IMPORTS_QUEUE if row["kind"] in Job.IMPORT_KINDS else Job.DEFAULT_QUEUE]
            queue["count"] += row["n"]
            queue["oldest"] = min(filter(None, [queue["oldest"], row["oldest"]]))
        warn = timezone.now() - timedelta(seconds=settings.JOB_QUEUE_WARN_SECONDS)
        for queue in waiting.values():
            queue["too_long"] = queue["oldest"] is not None and queue["oldest"] < warn
        running = self.filter(state=Job.State.RUNNING).select_related("requested_by").order_by("started_at")
        return list(waiting.values()), list(running)


class Job(models.Model):
    # Two queues, so that short work never waits behind uploads: a worker listens to both, the
    # default first (README "Jobs").
    DEFAULT_QUEUE, IMPORTS_QUEUE = "default", "imports"
    QUEUES = (DEFAULT_QUEUE, IMPORTS_QUEUE)

    class Kind(models.TextChoices):
        WORKBOOK = "workbook", _("Workbook evaluasi")
        REPORT = "report", _("Laporan hasil evaluasi (PDF)")
        REMINDERS = "reminders", _("Pengingat")
        NOTIFICATION_EMAILS = "notification_emails", _("E-mail pemberitahuan")
        DATASET_IMPORT = "dataset_import", _("Unggahan data set")
        INSTRUMENT_IMPORT = "instrument_import", _("Impor instrumen")
        NATIONAL_TABLE = "national_table", _("Tabel wilayah")
        EVIDENCE_PACKAGE = "evidence_package", _("Paket bukti dukung (.zip)")

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
    # The region whose work the job does; empty for a national job (the national table).
    region = models.ForeignKey(
        "evaluations.Region",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("wilayah"),
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
    # When it was last put in the queue (created, retried, requeued): how long it has waited.
    queued_at = models.DateTimeField(_("diantrekan"), default=timezone.now)
    # The queue's id of its latest entry, to tell a job still waiting from one the queue lost.
    task_id = models.CharField(max_length=64, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = region_scoped("region", JobQuerySet)

    IMPORT_KINDS = (Kind.DATASET_IMPORT, Kind.INSTRUMENT_IMPORT)
    # The period's files everyone who views all agencies may download.
    SHARED_KINDS = (Kind.WORKBOOK, Kind.REPORT, Kind.EVIDENCE_PACKAGE)

    class Meta:
        verbose_name = _("pekerjaan")
        verbose_name_plural = _("pekerjaan")
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="job_kind_key_unique")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk} ({self.state})"

    def save(self, *args, **kwargs):
        # A period's job is its region's (its scope, its files' prefix).
        if self.region_id is None and self.period_id is not None:
            self.region_id = self.period.region_id
        super().save(*args, **kwargs)

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
        return self.kind in self.IMPORT_KINDS

    @property
    def queue_name(self):
        return self.IMPORTS_QUEUE if self.is_import else self.DEFAULT_QUEUE

    @property
    def waits_too_long(self):
        """Queued and not taken by a worker for JOB_QUEUE_WARN_SECONDS: its page says so."""
        waited = timezone.now() - self.queued_at
        return self.state == self.State.QUEUED and waited > timedelta(seconds=settings.JOB_QUEUE_WARN_SECONDS)

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
                state=cls.State.QUEUED, message="", queued_at=timezone.now(), **cls.NO_PROGRESS
            )
            job.refresh_from_db()
            return job, bool(retried)
        return job, False

    # What a job queued again shows: nothing of an earlier run's progress.
    NO_PROGRESS = {"progress_done": 0, "progress_total": 0, "step": ""}

    @classmethod
    def for_upload(cls, kind, uploaded_file, requested_by, **fields):
        """A queued job that reads `uploaded_file`: the request only stores the file (through the
        storage API, so any host's worker can read it) and leaves the reading to the worker. Every
        upload is its own job. When its requester already has JOB_MAX_ACTIVE_PER_USER uploads
        waiting or running, the upload is refused instead: a failed job saying so, the file not
        stored (the caller then queues nothing)."""
        limit = settings.JOB_MAX_ACTIVE_PER_USER
        with transaction.atomic():
            # The requester's row, locked: of twelve uploads sent at once, each counts the others.
            get_user_model().objects.select_for_update().filter(pk=requested_by.pk).first()
            busy = cls.objects.active().filter(requested_by=requested_by, kind__in=cls.IMPORT_KINDS).count()
            if busy >= limit:
                message = _(
                    "Anda masih memiliki %(n)s unggahan yang sedang menunggu atau diproses. Tunggu sampai salah "
                    "satunya selesai, lalu unggah berkas ini lagi."
                ) % {"n": busy}
                return cls.objects.create(
                    kind=kind,
                    key=uuid.uuid4().hex,
                    requested_by=requested_by,
                    state=cls.State.FAILED,
                    message=message,
                    finished_at=timezone.now(),
                    **fields,
                )
            return cls.objects.create(
                kind=kind, key=uuid.uuid4().hex, file=uploaded_file, requested_by=requested_by, **fields
            )

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
        """Put this job back in the queue if its worker stopped beating; True if this call did.
        Its page then says "waiting" again, without the dead run's progress."""
        requeued = (
            Job.objects.stale(now)
            .filter(pk=self.pk, attempt=self.attempt)
            .update(state=self.State.QUEUED, heartbeat_at=None, queued_at=timezone.now(), **self.NO_PROGRESS)
        )
        if requeued:
            self.refresh_from_db()
        return bool(requeued)

    def requeue_if_lost(self):
        """Mark this queued job as queued again now, if nobody did since this copy was read (the
        caller found its queue entry lost); True if this call did (the caller then enqueues it)."""
        unchanged = Job.objects.filter(
            pk=self.pk, state=self.State.QUEUED, task_id=self.task_id, queued_at=self.queued_at
        )
        return bool(unchanged.update(queued_at=timezone.now()))


class WorkerBeatQuerySet(models.QuerySet):
    def for_workers_page(self):
        """Running workers first, the most recently heard of first."""
        return self.order_by(F("stopped_at").asc(nulls_first=True), "-seen_at")

    def forget_before(self, seconds, now=None):
        """Delete the rows of workers not heard of for `seconds` (stopped or gone). Returns how many."""
        cutoff = (now or timezone.now()) - timedelta(seconds=seconds)
        return self.filter(seen_at__lt=cutoff).delete()[0]


class WorkerBeat(models.Model):
    """One worker process (`manage.py jobs_worker`), as it last reported itself: it writes this row
    every BEAT_SECONDS whether it runs a job or waits for one, and marks it stopped when it
    exits. A row whose `seen_at` grows old without `stopped_at` is a worker that died."""

    BEAT_SECONDS = 10

    name = models.CharField(_("nama"), max_length=120, unique=True)
    host = models.CharField(_("host"), max_length=100)
    pid = models.PositiveIntegerField()
    queues = models.CharField(_("antrean"), max_length=100)
    started_at = models.DateTimeField(_("mulai"))
    seen_at = models.DateTimeField(_("terakhir terdengar"))
    stopped_at = models.DateTimeField(_("berhenti"), null=True, blank=True)

    objects = WorkerBeatQuerySet.as_manager()

    class Meta:
        verbose_name = _("pekerja antrean")
        verbose_name_plural = _("pekerja antrean")

    def __str__(self):
        return self.name

    @classmethod
    def beat(cls, name, host, pid, queues, started_at, stopped=False):
        now = timezone.now()
        cls.objects.update_or_create(
            name=name,
            defaults={
                "host": host,
                "pid": pid,
                "queues": queues,
                "started_at": started_at,
                "seen_at": now,
                "stopped_at": now if stopped else None,
            },
        )

    @property
    def is_alive(self):
        """Heard of within three beats, and not stopped."""
        silent = timezone.now() - self.seen_at
        return self.stopped_at is None and silent <= timedelta(seconds=3 * self.BEAT_SECONDS)
