"""The job life cycle (evaluations/models/jobs.py, evaluations/tasks.py): claimed once, run once,
reused while the period is unchanged, queued again when its worker stops beating."""

from datetime import timedelta

import pytest
from django.utils import timezone

from evaluations import tasks
from evaluations.models import Answer, Job
from evaluations.results import period_change_stamp

from .excel_helpers import answer_all, open_workbook

pytestmark = pytest.mark.django_db


def make_job(period, **fields):
    return Job.objects.create(kind=Job.Kind.WORKBOOK, key=f"{period.pk}:test", period=period, **fields)


def test_a_workbook_job_goes_from_queued_to_done_with_its_file(period, coordinator):
    job = make_job(period, requested_by=coordinator)
    assert job.state == Job.State.QUEUED
    tasks.run_job.call(job.pk)
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    assert job.percent == 100
    assert job.attempt == 1
    assert job.started_at <= job.finished_at
    with job.file.open("rb") as handle:
        assert "Ringkasan" in open_workbook(handle.read()).sheetnames


def test_running_a_done_job_again_changes_nothing(period, coordinator):
    job = make_job(period, requested_by=coordinator)
    tasks.run_job.call(job.pk)
    job.refresh_from_db()
    first = (job.file.name, job.finished_at, job.attempt)
    tasks.run_job.call(job.pk)
    job.refresh_from_db()
    assert (job.file.name, job.finished_at, job.attempt) == first


def test_of_two_claims_of_one_queued_job_only_one_wins(period):
    job = make_job(period)
    first, second = Job.objects.get(pk=job.pk), Job.objects.get(pk=job.pk)
    assert [first.claim(), second.claim()] == [True, False]
    job.refresh_from_db()
    assert (job.state, job.attempt) == (Job.State.RUNNING, 1)


def test_a_job_whose_worker_stopped_beating_is_queued_again_and_completes_once(period, settings):
    settings.JOB_STALE_SECONDS = 60
    job = make_job(period)
    dead = Job.objects.get(pk=job.pk)
    assert dead.claim()  # a worker took it, then was killed: its heartbeat stays old
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=61))
    assert tasks.requeue_stale() == 1  # queued again, waiting in the database queue for a worker
    job.refresh_from_db()
    assert job.state == Job.State.QUEUED
    tasks.run_job.call(job.pk)
    job.refresh_from_db()
    assert (job.state, job.attempt) == (Job.State.DONE, 2)
    # The killed worker's run, were it only slow, can no longer write anything.
    assert dead.report(1, 2) is False
    assert dead.finish(file_name="jobs/other.xlsx") is False
    job.refresh_from_db()
    assert job.file.name != "jobs/other.xlsx"


def test_a_running_job_with_a_fresh_heartbeat_is_left_alone(period, settings):
    settings.JOB_STALE_SECONDS = 60
    job = make_job(period)
    job.claim()
    assert tasks.requeue_stale() == 0
    job.refresh_from_db()
    assert job.state == Job.State.RUNNING


def test_a_job_that_fails_records_a_message_and_is_retried_on_the_next_request(period, coordinator, monkeypatch):
    def broken(job):
        raise tasks.JobError("Berkas tidak dapat dibuat.")

    monkeypatch.setitem(tasks.RUNNERS, Job.Kind.WORKBOOK, broken)
    job = make_job(period, requested_by=coordinator)
    tasks.run_job.call(job.pk)
    job.refresh_from_db()
    assert (job.state, job.message, job.file.name) == (Job.State.FAILED, "Berkas tidak dapat dibuat.", "")
    again, needs_enqueue = Job.get_or_create_for(Job.Kind.WORKBOOK, job.key)
    assert (again.pk, again.state, again.message, needs_enqueue) == (job.pk, Job.State.QUEUED, "", True)


def test_the_change_stamp_moves_with_an_answer_and_not_without(period, agency_a):
    submission = answer_all(period, agency_a)
    before = period_change_stamp(period)
    assert period_change_stamp(period) == before
    answer = Answer.objects.filter(submission=submission).first()
    answer.explanation = "Diubah"
    answer.save()
    assert period_change_stamp(period) != before


def test_the_change_stamp_moves_when_an_answer_is_deleted(period, agency_a):
    submission = answer_all(period, agency_a)
    before = period_change_stamp(period)
    Answer.objects.filter(submission=submission).order_by("-updated_at").first().delete()
    assert period_change_stamp(period) != before


def test_the_change_stamp_is_one_query(period, django_assert_num_queries):
    with django_assert_num_queries(1):
        period_change_stamp(period)


def test_a_second_request_for_an_unchanged_period_reuses_the_workbook(period, agency_a, coordinator, immediate_jobs):
    answer_all(period, agency_a)
    first = tasks.workbook_job(period, coordinator)
    second = tasks.workbook_job(period, coordinator)
    assert first.pk == second.pk
    assert second.file.name == first.file.name
    assert Job.objects.count() == 1


def test_a_changed_answer_makes_a_new_workbook_and_drops_the_old_file(period, agency_a, coordinator, immediate_jobs):
    submission = answer_all(period, agency_a)
    first = tasks.workbook_job(period, coordinator)
    storage, old_name = first.file.storage, first.file.name
    answer = Answer.objects.filter(submission=submission).first()
    answer.explanation = "Diubah"
    answer.save()
    second = tasks.workbook_job(period, coordinator)
    assert second.pk != first.pk and second.is_done
    assert not storage.exists(old_name)
    first.refresh_from_db()
    assert first.file.name == ""


def test_a_workbook_finishing_late_keeps_the_newer_one(period, coordinator):
    older = Job.objects.create(kind=Job.Kind.WORKBOOK, key="old", period=period, requested_by=coordinator)
    newer = Job.objects.create(kind=Job.Kind.WORKBOOK, key="new", period=period, requested_by=coordinator)
    tasks.run_job.call(newer.pk)
    tasks.run_job.call(older.pk)
    newer.refresh_from_db()
    assert newer.file and newer.file.storage.exists(newer.file.name)


def test_a_state_seen_before_whose_file_was_dropped_is_built_again(period, coordinator, immediate_jobs):
    first = tasks.workbook_job(period, coordinator)
    first.file.delete(save=False)
    Job.objects.filter(pk=first.pk).update(file="")
    again = tasks.workbook_job(period, coordinator)
    assert again.pk == first.pk and again.is_done
    assert again.file.storage.exists(again.file.name)
