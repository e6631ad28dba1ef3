"""Long work's progress: a job's status page (refreshes itself while the job runs, no JavaScript
needed) and the file a finished job made."""

from django.http import Http404
from django.shortcuts import render

from .. import access, tasks
from ..excel.workbook import workbook_filename
from ..models import Job
from .common import XLSX, stored_file_attachment

REFRESH_SECONDS = 2


def detail(request, pk):
    job = access.get_job_for_user(request.user, pk)
    # The person waiting is the periodic check for their own job: a worker killed in the middle
    # leaves the heartbeat old, and the next refresh queues the job again.
    if job.looks_stale() and job.requeue_if_stale():
        tasks.enqueue(job)
    return render(
        request,
        "evaluations/jobs/detail.html",
        {"job": job, "refresh": None if job.is_finished else REFRESH_SECONDS},
    )


def download(request, pk):
    job = access.get_job_for_user(request.user, pk)
    if not job.is_done or job.kind != Job.Kind.WORKBOOK:
        raise Http404
    return stored_file_attachment(job.file, workbook_filename(job.period), XLSX)
