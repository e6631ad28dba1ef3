"""Long work's progress: a job's status page (refreshes itself while the job runs, no JavaScript
needed), the result page a finished import ends on, the file a finished job made, and the admin's
page of the queue's health (its workers, what waits, what runs)."""

from django.conf import settings
from django.db.models import Max
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_safe

from .. import access, tasks
from ..evidence_package import package_filename
from ..excel.workbook import workbook_filename
from ..models import Job, WorkerBeat
from ..pdf.report import report_filename
from .common import PDF, XLSX, ZIP, stored_file_attachment

REFRESH_SECONDS = 2


# A job's pages take no post: a form posted here (its file and all) would be ignored and the page
# shown again as if nothing had been sent; 405 says so at once.
@require_safe
def detail(request, pk, result_pages=None):
    """`result_pages` (given by urls.py, which knows every topic's views): a finished job's page
    by kind, as view(request, job); a None from it leaves the job page to say it all."""
    job = access.get_job_for_user(request.user, pk)
    # The person waiting is the periodic check for their own job: a worker killed in the middle
    # leaves the heartbeat old, a queue that lost the job leaves it waiting; the next refresh
    # queues it again.
    tasks.requeue_if_stuck(job)
    if job.is_finished and job.kind in (result_pages or {}):
        response = result_pages[job.kind](request, job)
        if response is not None:
            return response
    return render(
        request,
        "evaluations/jobs/detail.html",
        {"job": job, "refresh": None if job.is_finished else REFRESH_SECONDS},
    )


@require_safe
def download(request, pk):
    job = access.get_job_for_user(request.user, pk)
    if not job.is_done or job.kind not in FILES:
        raise Http404
    filename, content_type = FILES[job.kind]
    # The regions' table has no period: it keeps the name it was stored under.
    name = filename(job.period) if filename else job.file.name.rsplit("/", 1)[-1].split("-", 1)[-1]
    return stored_file_attachment(job.file, name, content_type)


# The jobs whose result is a file to download: its name (from the job's period) and type.
FILES = {
    Job.Kind.WORKBOOK: (workbook_filename, XLSX),
    Job.Kind.REPORT: (report_filename, PDF),
    Job.Kind.NATIONAL_TABLE: (None, XLSX),
    Job.Kind.EVIDENCE_PACKAGE: (package_filename, ZIP),
}


def workers(request):
    """The queue's health for the admin: each worker's last heartbeat, the jobs waiting per queue
    and since when, the running jobs with their heartbeat's age."""
    access.require_admin(request.user)
    waiting, running = Job.objects.for_workers_page()
    return render(
        request,
        "evaluations/jobs/workers.html",
        {
            "workers": WorkerBeat.objects.for_workers_page(),
            "waiting": waiting,
            "running": running,
            "last_claimed": Job.objects.aggregate(at=Max("started_at"))["at"],
            "stale_seconds": settings.JOB_STALE_SECONDS,
            "warn_seconds": settings.JOB_QUEUE_WARN_SECONDS,
        },
    )
