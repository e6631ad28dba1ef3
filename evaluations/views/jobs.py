"""Long work's progress: a job's status page (refreshes itself while the job runs, no JavaScript
needed), the result page a finished import ends on, and the file a finished job made."""

from django.http import Http404
from django.shortcuts import render

from .. import access, tasks
from ..excel.workbook import workbook_filename
from ..models import Job
from . import datasets, instrument
from .common import XLSX, stored_file_attachment

REFRESH_SECONDS = 2
# A finished import's page is its topic's result: the data set with its message, the refused
# file's errors, the dry run's difference. None from one of these: the job page says it all.
RESULT_PAGES = {
    Job.Kind.DATASET_IMPORT: datasets.upload_result,
    Job.Kind.INSTRUMENT_IMPORT: instrument.import_result,
}


def detail(request, pk):
    job = access.get_job_for_user(request.user, pk)
    # The person waiting is the periodic check for their own job: a worker killed in the middle
    # leaves the heartbeat old, and the next refresh queues the job again.
    if job.looks_stale() and job.requeue_if_stale():
        tasks.enqueue(job)
    if job.is_finished and job.kind in RESULT_PAGES:
        response = RESULT_PAGES[job.kind](request, job)
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
