"""A job nobody runs: its page says so instead of "it keeps running", a job queued again shows no
progress of the run that died, and a queued job the queue lost is handed to it again (by
`manage.py requeue_stale_jobs` and by its page), still run once. The queue is the database one
with no worker; time passes with freezegun."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from freezegun import freeze_time

from evaluations import tasks
from evaluations.models import Job

pytestmark = pytest.mark.django_db


@pytest.fixture
def thresholds(settings):
    settings.JOB_QUEUE_WARN_SECONDS = 120
    settings.JOB_STALE_SECONDS = 60


def later(seconds):
    return freeze_time(timezone.now() + timedelta(seconds=seconds))


def page(client, user, job):
    client.force_login(user)
    return client.get(f"/pekerjaan/{job.pk}/").content.decode()


def test_a_job_no_worker_took_for_a_while_says_so_and_asks_for_the_admin(client, period, coordinator, thresholds):
    job = tasks.workbook_job(period, coordinator)
    with later(300):
        html = page(client, coordinator, job)
    assert "Menunggu giliran…" in html
    assert "Belum ada pekerja yang mengambil pekerjaan ini sejak" in html
    assert "Hubungi admin" in html
    assert "pekerjaan tetap berjalan" not in html


def test_a_job_queued_a_moment_ago_still_says_it_keeps_running(client, period, coordinator, thresholds):
    job = tasks.workbook_job(period, coordinator)
    with later(30):
        html = page(client, coordinator, job)
    assert "pekerjaan tetap berjalan" in html
    assert "Belum ada pekerja" not in html


def test_the_warning_is_in_english_for_an_english_reader(client, period, coordinator, thresholds):
    job = tasks.workbook_job(period, coordinator)
    client.cookies["django_language"] = "en"
    with later(300):
        html = page(client, coordinator, job)
    assert "No worker has taken this job since" in html


def test_a_job_queued_again_after_its_worker_died_shows_no_progress_of_that_run(
    client, period, coordinator, thresholds
):
    job = tasks.workbook_job(period, coordinator)
    job.claim()
    job.report(7, 10, "Jawaban per OPD")
    with later(90):  # the worker died: its heartbeat is 90 s old
        html = page(client, coordinator, job)
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED
    assert "Menunggu giliran…" in html
    assert 'value="70"' not in html and "Jawaban per OPD" not in html
    assert (job.progress_done, job.progress_total, job.step) == (0, 0, "")


def lose(job):
    """The queue forgets the job (Redis restarted empty, an entry deleted)."""
    DBTaskResult.objects.filter(args_kwargs__args=[job.pk]).delete()


def test_the_periodic_command_queues_again_a_queued_job_the_queue_lost(period, coordinator, thresholds):
    job = tasks.workbook_job(period, coordinator)
    lose(job)
    with later(90):
        out = StringIO()
        call_command("requeue_stale_jobs", stdout=out)
    assert "requeue_stale_jobs: 1 pekerjaan diantrekan ulang" in out.getvalue()
    assert DBTaskResult.objects.filter(args_kwargs__args=[job.pk]).count() == 1
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED


def test_a_job_still_waiting_in_the_queue_is_not_queued_twice(period, coordinator, thresholds):
    job = tasks.workbook_job(period, coordinator)
    with later(600):  # a long queue, not a lost job
        call_command("requeue_stale_jobs", stdout=StringIO())
    assert DBTaskResult.objects.filter(args_kwargs__args=[job.pk]).count() == 1


# The task failed before run_job claimed the job, ended without claiming it, or its worker died
# between taking the task and the claim.
@pytest.mark.parametrize("status", [TaskResultStatus.FAILED, TaskResultStatus.SUCCESSFUL, TaskResultStatus.RUNNING])
def test_a_job_whose_task_ended_or_died_before_claiming_it_is_queued_again(period, coordinator, thresholds, status):
    job = tasks.workbook_job(period, coordinator)
    DBTaskResult.objects.filter(args_kwargs__args=[job.pk]).update(status=status)
    with later(90):
        call_command("requeue_stale_jobs", stdout=StringIO())
    assert DBTaskResult.objects.filter(args_kwargs__args=[job.pk], status=TaskResultStatus.READY).count() == 1


def test_a_lost_job_is_not_queued_again_before_the_threshold(period, coordinator, thresholds):
    job = tasks.workbook_job(period, coordinator)
    lose(job)
    with later(30):
        call_command("requeue_stale_jobs", stdout=StringIO())
    assert DBTaskResult.objects.filter(args_kwargs__args=[job.pk]).count() == 0


def test_waiting_on_the_page_of_a_lost_job_queues_it_again(client, period, coordinator, thresholds):
    job = tasks.workbook_job(period, coordinator)
    lose(job)
    with later(300):
        page(client, coordinator, job)
        page(client, coordinator, job)  # the second refresh finds it in the queue again
    assert DBTaskResult.objects.filter(args_kwargs__args=[job.pk]).count() == 1


def test_a_lost_job_queued_again_and_handed_out_twice_runs_once(period, coordinator, thresholds):
    job = tasks.workbook_job(period, coordinator)
    DBTaskResult.objects.filter(args_kwargs__args=[job.pk]).update(status=TaskResultStatus.FAILED)
    with later(90):
        call_command("requeue_stale_jobs", stdout=StringIO())
    # The failed entry and the new one both reach a worker.
    tasks.run_job.call(job.pk)
    tasks.run_job.call(job.pk)
    job.refresh_from_db()
    assert (job.state, job.attempt) == (Job.State.DONE, 1)
