"""A job's status page /pekerjaan/<id>/ and its file /pekerjaan/<id>/unduh/, and the export
button that creates the job. Here the queue is the database one with no worker running, so a job
stays where the test puts it."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from evaluations.models import Answer, Job, Submission

from .excel_helpers import answer_all, open_workbook

pytestmark = pytest.mark.django_db

# session, user, permissions, the job (with its period), the menu's agency, the bell's unread count;
# never more for a bigger job.
STATUS_PAGE_QUERIES = 5


def make_job(period, user, **fields):
    return Job.objects.create(
        kind=Job.Kind.WORKBOOK, key=f"{period.pk}:view", period=period, requested_by=user, **fields
    )


def test_the_export_button_queues_one_job_and_shows_its_page(client, period, coordinator):
    client.force_login(coordinator)
    response = client.post(f"/ekspor/{period.pk}/")
    job = Job.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/pekerjaan/{job.pk}/"
    assert (job.state, job.requested_by, job.period) == (Job.State.QUEUED, coordinator, period)
    assert DBTaskResult.objects.get().args_kwargs == {"args": [job.pk], "kwargs": {}}
    # Pressed again before the worker got to it: the same job, nothing queued twice.
    assert client.post(f"/ekspor/{period.pk}/")["Location"] == f"/pekerjaan/{job.pk}/"
    assert (Job.objects.count(), DBTaskResult.objects.count()) == (1, 1)


def test_a_queued_job_page_says_it_waits_and_refreshes_itself(client, period, coordinator):
    job = make_job(period, coordinator)
    client.force_login(coordinator)
    html = client.get(f"/pekerjaan/{job.pk}/").content.decode()
    assert "Menunggu giliran…" in html
    assert '<meta http-equiv="refresh" content="2">' in html


def test_a_running_job_page_shows_its_progress(client, period, coordinator):
    job = make_job(period, coordinator)
    job.claim()
    job.report(4, 10, "Jawaban per OPD")
    client.force_login(coordinator)
    html = client.get(f"/pekerjaan/{job.pk}/").content.decode()
    assert "Menyiapkan… 40%" in html
    assert '<progress class="w-100" max="100" value="40"' in html
    assert "Jawaban per OPD" in html
    assert '<meta http-equiv="refresh"' in html


def test_a_finished_job_page_offers_the_download_and_stops_refreshing(client, period, coordinator):
    job = make_job(period, coordinator, state=Job.State.DONE, file=SimpleUploadedFile("w.xlsx", b"PK"))
    client.force_login(coordinator)
    html = client.get(f"/pekerjaan/{job.pk}/").content.decode()
    assert f'href="/pekerjaan/{job.pk}/unduh/"' in html
    assert "http-equiv" not in html


def test_a_failed_job_page_shows_the_users_message(client, period, coordinator):
    job = make_job(period, coordinator, state=Job.State.FAILED, message="Berkas tidak dapat dibuat.")
    client.force_login(coordinator)
    html = client.get(f"/pekerjaan/{job.pk}/").content.decode()
    assert "Berkas tidak dapat dibuat." in html
    assert "http-equiv" not in html


def test_the_job_page_in_english(client, period, coordinator):
    job = make_job(period, coordinator)
    client.force_login(coordinator)
    client.cookies["django_language"] = "en"
    html = client.get(f"/pekerjaan/{job.pk}/").content.decode()
    assert "Waiting for its turn…" in html


def test_waiting_on_the_page_of_a_job_whose_worker_died_queues_it_again(client, period, coordinator, settings):
    settings.JOB_STALE_SECONDS = 60
    job = make_job(period, coordinator)
    job.claim()
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=90))
    client.force_login(coordinator)
    assert "Menunggu giliran…" in client.get(f"/pekerjaan/{job.pk}/").content.decode()
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED
    assert DBTaskResult.objects.filter(args_kwargs__args=[job.pk]).count() == 1


@pytest.mark.parametrize("state", ["queued", "running", "done", "failed"])
def test_the_job_page_runs_a_fixed_number_of_queries(client, period, coordinator, state, django_assert_num_queries):
    job = make_job(period, coordinator, state=state, progress_done=3, progress_total=11, heartbeat_at=timezone.now())
    client.force_login(coordinator)
    with django_assert_num_queries(STATUS_PAGE_QUERIES):
        assert client.get(f"/pekerjaan/{job.pk}/").status_code == 200


def test_operators_see_neither_the_workbook_job_nor_its_file(client_a, period, coordinator):
    job = make_job(period, coordinator, state=Job.State.DONE, file=SimpleUploadedFile("w.xlsx", b"PK"))
    assert client_a.get(f"/pekerjaan/{job.pk}/").status_code == 404
    assert client_a.get(f"/pekerjaan/{job.pk}/unduh/").status_code == 404
    assert client_a.post(f"/ekspor/{period.pk}/").status_code == 403
    assert Job.objects.count() == 1


def test_a_leader_downloads_the_workbook_a_coordinator_asked_for(client, period, coordinator, leader):
    job = make_job(period, coordinator, state=Job.State.DONE, file=SimpleUploadedFile("w.xlsx", b"PK workbook"))
    client.force_login(leader)
    response = client.get(f"/pekerjaan/{job.pk}/unduh/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"PK workbook"
    assert "evaluasi-smart-city-2024-tahap-1.xlsx" in response["Content-Disposition"]


def test_an_unfinished_job_has_no_file_yet(client, period, coordinator):
    job = make_job(period, coordinator)
    client.force_login(coordinator)
    assert client.get(f"/pekerjaan/{job.pk}/unduh/").status_code == 404


def test_the_second_download_of_an_unchanged_period_is_the_same_file_without_a_new_job(
    client, period, agency_a, coordinator, immediate_jobs
):
    submission = answer_all(period, agency_a, status=Submission.Status.SUBMITTED)
    client.force_login(coordinator)
    first = client.post(f"/ekspor/{period.pk}/", follow=True)
    job = Job.objects.get()
    assert first.redirect_chain[-1][0] == f"/pekerjaan/{job.pk}/unduh/"
    content = b"".join(first.streaming_content)
    second = client.post(f"/ekspor/{period.pk}/")
    assert second["Location"] == f"/pekerjaan/{job.pk}/unduh/"
    assert b"".join(client.get(second["Location"]).streaming_content) == content
    assert Job.objects.count() == 1

    answer = Answer.objects.filter(submission=submission).first()
    answer.explanation = "Penjelasan baru"
    answer.save()
    third = client.post(f"/ekspor/{period.pk}/", follow=True)
    assert Job.objects.count() == 2
    book = open_workbook(b"".join(third.streaming_content))
    assert "Penjelasan baru" in [cell.value for row in book["Jawaban per OPD"].iter_rows() for cell in row]
