"""The jobs the queue runs, through Django's tasks API (django-tasks now, django.tasks from
Django 6: only the import changes). The queue carries a Job id and nothing else; `run_job` claims
the row, so a job handed out twice (a retry, two workers, a requeue after a killed worker) runs
once. See models/jobs.py for the life cycle.

    job = workbook_job(period, user)        # the period's workbook, reused while nothing changed
    job = report_job(period, user)          # the region's report (PDF), reused while nothing changed
    job = evidence_package_job(period, user)  # the workbook with its evidence files (.zip), likewise
    job = reminders_job(period, user)       # the dashboard's button; the daily command: on_request=False
    job = dataset_import_job(period, agency, kind, uploaded_file, user, language)
    job = instrument_import_job(period, uploaded_file, dry_run, user, language)

A rule below this module that queues work (notifications.notify: the e-mails of its notices)
writes its Job row and enqueues it through evaluations.jobs, which this module connects when
imported: nothing this module imports imports it back.

What a retried job does again is guarded row by row: a reminder by its ReminderSent claim, a
notice's e-mail by Notification.emailed_at, the workbook by Job.finish (one file per job), an
import by saving its rows in the same transaction as the job's outcome.
"""

import contextlib
import logging
import shutil
import tempfile
import uuid

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import TaskResultStatus, task
from django_tasks.exceptions import TaskResultDoesNotExist
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from pillars.models import Pillar

from . import jobs, notifications, regions, reminders
from . import national as national_rows
from .datasets import get_spec
from .evidence_package import package_filename, write_package
from .excel.datasets import DatasetFileError, read_upload
from .excel.instrument import InstrumentFileError
from .excel.instrument import read_instrument as read_instrument_file
from .excel.national import write_national_table
from .excel.workbook import export_period, workbook_filename
from .instrument import InstrumentImportRefused, can_apply, compare_instrument, fingerprint, import_instrument
from .models import Agency, DatasetUpload, Job, NationalPeriod, Region, ReportNote, TransitionError
from .pdf.report import report_filename, write_report
from .reports import report_data
from .results import period_change_stamp

logger = logging.getLogger(__name__)


class JobError(Exception):
    """A failure the user can act on; its text is shown on the job's page."""


@task()
def run_job(job_id):
    job = Job.objects.with_scopes_disabled().filter(pk=job_id).first()
    if job is None:
        return  # gone
    # The job works in its region (a national job in every region), whoever's worker runs it.
    with regions.in_region(job.region_id):
        _run(job)


def _run(job):
    # Done, failed or running elsewhere: running it again would change nothing more.
    if not job.claim():
        return
    # Messages a job writes for its page (a file's errors) are in the language of who asked.
    language = job.parameters.get("language")
    try:
        with translation.override(language) if language else contextlib.nullcontext():
            RUNNERS[job.kind](job)
    except Abandoned:
        pass  # another run owns the job now and writes its outcome
    except JobError as exc:
        job.fail(str(exc))
    except Exception:
        logger.exception("Job %s failed", job.pk)
        job.fail("")  # the page shows a general message; the details are in the log


# On a backend that orders by priority (the database queue), short work before uploads even for
# a worker listening to both queues; RQ has no priorities, its workers take the queues in order.
PRIORITY = {Job.DEFAULT_QUEUE: 10, Job.IMPORTS_QUEUE: 0}


def enqueue(job):
    """Hand the job to its queue (uploads to "imports", the rest to "default"), and note the
    queue's id for it so that `requeue_stale` can tell a job still waiting from one the queue lost."""
    backend = run_job.get_backend()
    # A backend configured with one queue (a test, an installation's own TASKS) runs all on it.
    queue = job.queue_name if not backend.queues or job.queue_name in backend.queues else Job.DEFAULT_QUEUE
    priority = PRIORITY[queue] if backend.supports_priority else run_job.priority
    try:
        result = run_job.using(queue_name=queue, priority=priority).enqueue(job.pk)
    except (RedisConnectionError, RedisTimeoutError) as error:
        # TASKS_BACKEND=rq with Redis away: the Job row is written and stays queued (requeue_stale
        # hands it to the queue once Redis is back: it has no queue entry), and whoever asked gets
        # its page ("Menunggu giliran…") instead of an error page.
        logger.warning("Job %s stays queued, not handed to the queue: Redis unreachable (%s).", job.pk, error)
        return job
    # The immediate backend (and a quick worker) may have finished it already.
    job.refresh_from_db()
    if not job.is_finished:
        Job.objects.filter(pk=job.pk).update(task_id=result.id)
        job.task_id = result.id
    return job


# The rules below the queue (notify's e-mails) enqueue through evaluations.jobs: give it the queue.
jobs.connect(enqueue)


def workbook_job(period, user):
    """The period's workbook job for the period as it is now: a finished one is reused while
    nothing the workbook shows has changed (period_change_stamp), so a second download is instant."""
    stamp = period_change_stamp(period)
    job, created = Job.get_or_create_for(
        Job.Kind.WORKBOOK,
        f"{period.pk}:{stamp}",
        period=period,
        requested_by=user,
        parameters={"period": period.pk, "stamp": stamp},
    )
    return enqueue(job) if created or _file_dropped(job) else job


def _file_dropped(job):
    """A done job whose file was dropped for a later state that has since been undone: queued
    again to build it anew. True if this call queued it."""
    if not (job.is_done and not job.file):
        return False
    return bool(
        Job.objects.filter(pk=job.pk, state=Job.State.DONE, file="").update(
            state=Job.State.QUEUED, queued_at=timezone.now(), **Job.NO_PROGRESS
        )
    )


def requeue_stale():
    """Queue again every running job whose worker stopped beating, and every job queued for more
    than JOB_STALE_SECONDS that the queue lost. Returns how many."""
    count = 0
    with regions.in_region(None):  # every region's jobs
        for job in Job.objects.stale():
            if job.requeue_if_stale():
                enqueue(job)
                count += 1
        for job in Job.objects.queued_before(settings.JOB_STALE_SECONDS):
            count += requeue_if_lost(job)
    return count


def requeue_if_stuck(job):
    """The check the page of a job makes for the person waiting on it: a running job whose worker
    stopped beating, or a job queued long ago that the queue lost, is queued again."""
    if job.looks_stale() and job.requeue_if_stale():
        enqueue(job)
    elif job.waits_too_long:
        requeue_if_lost(job)


def requeue_if_lost(job):
    """Queue again this queued job if its queue has no entry waiting for it (Redis restarted
    empty, an enqueue that failed, a task that ended or died without claiming it). Handed out
    twice, it still runs once: the claim. True if this call queued it."""
    if not _lost(job) or not job.requeue_if_lost():
        return False
    logger.warning("Job %s was lost by the queue (entry %r): queued again", job.pk, job.task_id)
    enqueue(job)
    return True


def _lost(job):
    if not job.task_id:
        return True
    backend = run_job.get_backend()
    if not backend.supports_get_result:
        return False
    try:
        status = backend.get_result(job.task_id).status
    except TaskResultDoesNotExist:
        return True
    except Exception:
        logger.exception("The queue cannot say what became of job %s", job.pk)
        return False
    # Finished, or taken by a worker long ago without the claim that run_job makes first (the
    # worker died in between): either way nothing will run it.
    return status != TaskResultStatus.READY


class Abandoned(Exception):
    """This run lost the job (taken for dead and queued again): stop without writing."""


def _reporter(job):
    def progress(done, total, step=""):
        if not job.report(done, total, step):
            raise Abandoned
        return True

    return progress


def build_workbook(job):
    period = job.period
    requester = job.requested_by
    by = (requester.get_full_name() or requester.get_username()) if requester else ""
    # Written to a temporary file, not memory: the workbook of a large period is several MB.
    with tempfile.TemporaryFile() as handle:
        try:
            export_period(period, handle, generated_by=by, progress=_reporter(job))
        except Abandoned:
            return
        handle.seek(0)
        name = job.file.storage.save(job.file.field.generate_filename(job, workbook_filename(period)), File(handle))
    if not job.finish(file_name=name):
        job.file.storage.delete(name)  # another run owns the job now; keep one file per job
        return
    # The period's older workbooks describe a state that is gone: keep the rows (who asked when),
    # not their files. Only older ones: a job asked for later may have finished first.
    older = Job.objects.filter(kind=Job.Kind.WORKBOOK, period=period, created_at__lt=job.created_at)
    for old in older.exclude(file=""):
        old.file.delete(save=False)
        Job.objects.filter(pk=old.pk).update(file="")


def report_job(period, user):
    """The region's report of the period as it is now, prepared for `user` (named on its cover): a
    finished one is reused while nothing it shows has changed (the workbook's change stamp and the
    report's notes), so asking again downloads at once."""
    notes = ReportNote.objects.filter(period=period).aggregate(n=Count("pk"), last=Max("pk"))
    stamp = f"{period_change_stamp(period)}:{notes['n']}:{notes['last'] or 0}"
    job, created = Job.get_or_create_for(
        Job.Kind.REPORT,
        f"{period.pk}:{user.pk}:{stamp}",
        period=period,
        requested_by=user,
        parameters={"period": period.pk, "stamp": stamp},
    )
    return enqueue(job) if created or _file_dropped(job) else job


def build_report(job):
    period, requester = job.period, job.requested_by
    by = (requester.get_full_name() or requester.get_username()) if requester else ""
    progress = _reporter(job)
    # Written to a temporary file, not memory: the report of a large period runs to many pages.
    with tempfile.TemporaryFile() as handle:
        try:
            progress(0, 4, _("Membaca data periode"))
            data = report_data(period, generated_by=by)
            pages = write_report(data, handle, progress=lambda done, total, step: progress(done + 1, total + 1, step))
        except Abandoned:
            return
        handle.seek(0)
        name = job.file.storage.save(job.file.field.generate_filename(job, report_filename(period)), File(handle))
    if not job.finish(file_name=name, result={"pages": pages}):
        job.file.storage.delete(name)  # another run owns the job now; keep one file per job
        return
    # The same person's older reports of the period describe a state that is gone: keep the rows,
    # not their files.
    older = Job.objects.filter(
        kind=Job.Kind.REPORT, period=period, requested_by=requester, created_at__lt=job.created_at
    ).exclude(file="")
    for old in older:
        old.file.delete(save=False)
        Job.objects.filter(pk=old.pk).update(file="")


def evidence_package_job(period, user):
    """The period's evidence package (evidence_package.py) as the period is now: shared like the
    workbook, and reused while nothing it holds has changed (the workbook's change stamp counts
    evidence added and removed)."""
    stamp = period_change_stamp(period)
    job, created = Job.get_or_create_for(
        Job.Kind.EVIDENCE_PACKAGE,
        f"{period.pk}:{stamp}",
        period=period,
        requested_by=user,
        parameters={"period": period.pk, "stamp": stamp},
    )
    return enqueue(job) if created or _file_dropped(job) else job


def build_evidence_package(job):
    period, requester = job.period, job.requested_by
    by = (requester.get_full_name() or requester.get_username()) if requester else ""
    # Written to a temporary file: a period's evidence runs to gigabytes. The storage copies it
    # from there in chunks (S3: a multipart upload).
    with tempfile.TemporaryFile() as handle:
        try:
            package = write_package(period, handle, generated_by=by, progress=_reporter(job))
        except Abandoned:
            return
        handle.seek(0)
        name = job.file.storage.save(job.file.field.generate_filename(job, package_filename(period)), File(handle))
    if not job.finish(file_name=name, result=package.as_result()):
        job.file.storage.delete(name)  # another run owns the job now; keep one file per job
        return
    # The period's older packages describe a state that is gone, and are big: keep the rows, not
    # their files.
    older = Job.objects.filter(kind=Job.Kind.EVIDENCE_PACKAGE, period=period, created_at__lt=job.created_at)
    for old in older.exclude(file=""):
        old.file.delete(save=False)
        Job.objects.filter(pk=old.pk).update(file="")


def reminders_job(period, user=None, on_request=True):
    """Queue the period's reminders. Every request is a job of its own (a second click later in the
    day reaches an agency returned since); the ReminderSent claims keep each agency to one reminder
    a day whichever job, host or scheduler gets there first."""
    job = Job.objects.create(
        kind=Job.Kind.REMINDERS,
        key=uuid.uuid4().hex,
        period=period,
        requested_by=user,
        parameters={"period": period.pk, "on_request": on_request},
    )
    return enqueue(job)


def send_reminders(job):
    sent = reminders.send_reminders(
        job.period, on_request=job.parameters.get("on_request", True), job=job, progress=_reporter(job)
    )
    result = {"messages": sent.messages, "agencies": sent.agencies, "skipped": sent.skipped}
    if sent.failed:
        Job.objects.filter(pk=job.pk).update(result=result)
        if sent.agencies:
            raise JobError(
                _(
                    "Server e-mail gagal di tengah pengiriman: %(n)s perangkat daerah sudah diingatkan, yang lain "
                    "belum. Kirim lagi nanti; yang sudah diingatkan hari ini tidak dikirimi lagi."
                )
                % {"n": sent.agencies}
            )
        raise JobError(_("Server e-mail gagal mengirim pengingat. Tidak ada yang terkirim; coba lagi nanti."))
    job.finish(result=result)


def send_notification_emails(job):
    """The e-mails of the notices a transition wrote (notifications.notify queued the job)."""
    sent, failed = notifications.send_emails(job.parameters["notices"], progress=_reporter(job))
    if failed:
        # Logged by send_emails; the transition stands and the notices are in the app. The ones not
        # sent stay unmarked, so queuing the job again (requeue) would send just those.
        raise JobError(_("Server e-mail gagal mengirim %(n)s e-mail pemberitahuan.") % {"n": failed})
    job.finish(result={"messages": sent})


def dataset_import_job(period, agency, kind, uploaded_file, user, language=""):
    """Store the upload and queue its check and import (import_dataset); nothing is read here.
    Refused (a failed job saying why, nothing stored) while `user` has JOB_MAX_ACTIVE_PER_USER
    uploads waiting or running."""
    job = Job.for_upload(
        Job.Kind.DATASET_IMPORT,
        uploaded_file,
        user,
        period=period,
        parameters={"dataset": kind, "agency": agency.pk, "file_name": uploaded_file.name, "language": language},
    )
    return job if job.is_failed else enqueue(job)


def instrument_import_job(period, uploaded_file, dry_run, user, language=""):
    """Store the instrument file and queue its dry run or import (import_instrument_file); refused
    like an upload past the limit."""
    job = Job.for_upload(
        Job.Kind.INSTRUMENT_IMPORT,
        uploaded_file,
        user,
        period=period,
        parameters={"dry_run": dry_run, "file_name": uploaded_file.name, "language": language},
    )
    return job if job.is_failed else enqueue(job)


@contextlib.contextmanager
def _stored_upload(job):
    """The job's stored upload as a local, seekable file under the name the person gave it (the
    readers check the extension and jump around the zip; an object-storage file does neither well)."""
    with job.file.open("rb") as stored, tempfile.TemporaryFile() as handle:
        shutil.copyfileobj(stored, handle)
        handle.seek(0)
        yield File(handle, name=job.parameters.get("file_name") or "")


def _done_with_upload(job):
    name = job.file.name
    if name:
        transaction.on_commit(lambda: job.file.storage.delete(name))
        Job.objects.filter(pk=job.pk).update(file="")


def import_dataset(job):
    """Check every cell of the stored file, then save all its rows or none (DESIGN §4). The upload
    row (accepted or refused) is written in one transaction with the job's outcome, guarded by the
    run's claim: a job run twice, or a worker killed after the rows were saved, saves them once."""
    params = job.parameters
    spec = get_spec(params["dataset"])
    period, by = job.period, job.requested_by
    agency = Agency.objects.get(pk=params["agency"])
    if not period.accepts_edits():
        _done_with_upload(job)
        raise JobError(_("Periode sudah ditutup; data tidak dapat diunggah lagi."))
    progress = _reporter(job)
    progress(0, 0)
    with _stored_upload(job) as uploaded:
        try:
            rows = read_upload(spec, uploaded, period=period, agency=agency, progress=progress)
        except DatasetFileError as error:
            result = {
                "errors": [{"row": e.row, "column": e.column, "message": e.message} for e in error.errors],
                "total": error.total,
            }
            with transaction.atomic():
                DatasetUpload.reject(period, agency, spec.kind, uploaded, by, error.total)
                _done_with_upload(job)
                if not job.fail(_("Berkas tidak disimpan."), result=result):
                    raise Abandoned from None
            return
        try:
            with transaction.atomic():
                upload = DatasetUpload.accept(period, agency, spec.kind, uploaded, by, rows)
                # The upload keeps its own copy of the file (datasets/<kind>/…); the job's goes.
                _done_with_upload(job)
                result = {"rows": len(rows), "replaced": bool(upload.replaced_rows), "upload": upload.pk}
                if not job.finish(result=result):
                    upload.file.delete(save=False)
                    raise Abandoned
        except TransitionError as error:
            with transaction.atomic():
                DatasetUpload.reject(period, agency, spec.kind, uploaded, by, error_count=1)
                _done_with_upload(job)
                if not job.fail(error.message):
                    raise Abandoned from None


def import_instrument_file(job):
    """Read and check the stored instrument file; a dry run records the difference with the
    period's instrument, an import applies it (all or nothing) in one transaction with the job's
    outcome, so that a run repeated after a killed worker applies it once. A dry run that found
    changes it could apply keeps the file, with the difference's fingerprint, so that its page can
    apply that very file (instrument.apply_dry_run) without a second upload."""
    params = job.parameters
    period = job.period
    progress = _reporter(job)
    progress(0, 0)
    try:
        with _stored_upload(job) as uploaded:
            plan = read_instrument_file(uploaded)
    except InstrumentFileError as exc:
        _done_with_upload(job)
        raise JobError(str(exc)) from None
    progress(1, 2)
    with transaction.atomic():
        if not plan.is_valid:
            _done_with_upload(job)
            message = _("Berkas memuat %(n)s kesalahan; tidak ada yang disimpan. Lihat daftar di bawah.") % {
                "n": len(plan.errors)
            }
            finished = job.fail(message, result={"plan": plan.as_result()})
        elif params.get("dry_run"):
            diff = compare_instrument(plan, period)
            kept = job.file.name if can_apply(diff) else ""
            if kept:
                Job.objects.filter(pk=job.pk).update(parameters={**params, "expected": fingerprint(diff)})
            else:
                _done_with_upload(job)
            finished = job.finish(file_name=kept, result={"plan": plan.as_result(), "diff": diff.as_result()})
        else:
            _done_with_upload(job)
            try:
                with transaction.atomic():
                    diff = import_instrument(
                        plan,
                        period,
                        by=job.requested_by,
                        file_name=params.get("file_name", ""),
                        expected=params.get("expected") if params.get("from_dry_run") else None,
                    )
                    finished = job.finish(result={"plan": plan.as_result(), "diff": diff.as_result()})
                    if not finished:
                        raise Abandoned
            except InstrumentImportRefused as exc:
                finished = job.fail(exc.message, result={"plan": plan.as_result(), "diff": exc.diff.as_result()})
        if not finished:
            raise Abandoned


def national_table_job(national, regions, user, title, language=""):
    """The regions' table as an .xlsx, for its reader (a national job: no region of its own)."""
    job, _created = Job.get_or_create_for(
        Job.Kind.NATIONAL_TABLE,
        uuid.uuid4().hex,
        requested_by=user,
        parameters={
            "national": national.pk,
            "regions": list(regions.values_list("pk", flat=True)),
            "title": str(title),
            "language": language,
        },
    )
    return enqueue(job)


def build_national_table(job):
    national = NationalPeriod.objects.get(pk=job.parameters["national"])
    rows = national_rows.region_rows(national, Region.objects.filter(pk__in=job.parameters["regions"]))
    with tempfile.TemporaryFile() as handle:
        write_national_table(national, rows, list(Pillar.objects.all()), handle, job.parameters["title"])
        handle.seek(0)
        name = f"tabel-wilayah-{national.year}-tahap-{national.stage}.xlsx"
        name = job.file.storage.save(job.file.field.generate_filename(job, name), File(handle))
    if not job.finish(file_name=name):
        job.file.storage.delete(name)


RUNNERS = {
    Job.Kind.WORKBOOK: build_workbook,
    Job.Kind.REPORT: build_report,
    Job.Kind.REMINDERS: send_reminders,
    Job.Kind.NOTIFICATION_EMAILS: send_notification_emails,
    Job.Kind.DATASET_IMPORT: import_dataset,
    Job.Kind.INSTRUMENT_IMPORT: import_instrument_file,
    Job.Kind.NATIONAL_TABLE: build_national_table,
    Job.Kind.EVIDENCE_PACKAGE: build_evidence_package,
}

__all__ = [
    "JobError",
    "dataset_import_job",
    "enqueue",
    "evidence_package_job",
    "instrument_import_job",
    "reminders_job",
    "report_job",
    "requeue_if_lost",
    "requeue_if_stuck",
    "requeue_stale",
    "run_job",
    "workbook_job",
]
