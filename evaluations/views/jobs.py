"""Long work's progress: a job's status page (refreshes itself while the job runs, no JavaScript
needed), the result page a finished import ends on, and the file a finished job made."""

from django.http import Http404
from django.shortcuts import render

from .. import access, tasks
from ..excel.workbook import workbook_filename
from ..models import Job
from .common import XLSX, stored_file_attachment

REFRESH_SECONDS = 2


def detail(request, pk, result_pages=None):
    """`result_pages` (given by urls.py, which knows every topic's views): a finished job's page
    by kind, as view(request, job); a None from it leaves the job page to say it all."""
    job = access.get_job_for_user(request.user, pk)
    # The person waiting is the periodic check for their own job: a worker killed in the middle
    # leaves the heartbeat old, and the next refresh queues the job again.
    if job.looks_stale() and job.requeue_if_stale():
        tasks.enqueue(job)
    if job.is_finished and job.kind in (result_pages or {}):
        response = result_pages[job.kind](request, job)
        if response is not None:
            return response
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
