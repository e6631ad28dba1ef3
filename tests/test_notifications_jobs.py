"""Notification e-mails as a job: queued only once the transition commits, sent by the worker (the
request never waits for the mail server), each notice's e-mail once however often the job runs,
and a run killed halfway finished by the next one. The queue is the database one with no worker:
the test runs the job (`run_job.call`) as a worker would."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from evaluations import jobs, notifications, tasks
from evaluations.models import Job, Notification, Submission

from .factories import make_operator, make_submission

pytestmark = pytest.mark.django_db


@pytest.fixture
def approved(client, coordinator, period, agency_a, operator_a, django_capture_on_commit_callbacks):
    """A coordinator approved agency A's submission (two operators with an address); the
    transaction committed. Returns the e-mail job."""
    make_operator(agency_a, "operator_a2")
    submission = make_submission(period, agency_a, status=Submission.Status.SUBMITTED)
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/koordinator/pengisian/{submission.pk}/setujui/", {"note": ""})
    assert response.status_code == 302
    return Job.objects.get(kind=Job.Kind.NOTIFICATION_EMAILS)


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_the_request_only_queues_the_emails(approved, coordinator):
    assert mail.outbox == []
    assert (approved.state, approved.requested_by) == (Job.State.QUEUED, coordinator)
    assert DBTaskResult.objects.get().args_kwargs["args"] == [approved.pk]
    assert Notification.objects.count() == 2  # the notices are there at once
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()


def test_the_worker_sends_one_email_per_notice_and_marks_them(approved):
    tasks.run_job.call(approved.pk)
    assert recipients() == ["operator_a2@example.go.id", "operator_a@example.go.id"]
    assert all("disetujui" in message.body for message in mail.outbox)
    approved.refresh_from_db()
    assert (approved.state, approved.result) == (Job.State.DONE, {"messages": 2})
    assert not Notification.objects.filter(emailed_at=None).exists()


def test_running_the_job_twice_sends_nothing_more(approved):
    tasks.run_job.call(approved.pk)
    Job.objects.filter(pk=approved.pk).update(state=Job.State.QUEUED)  # handed out again by the queue
    tasks.run_job.call(approved.pk)
    assert len(mail.outbox) == 2


def test_a_run_killed_halfway_is_finished_by_the_next_run_sending_each_email_once(approved, monkeypatch, settings):
    report = Job.report

    def killed_before_the_second_email(self, done, total, step=""):
        if done == 1 and self.attempt == 1:
            raise KeyboardInterrupt  # not an Exception: nothing in the job catches it, like SIGKILL
        return report(self, done, total, step)

    monkeypatch.setattr(Job, "report", killed_before_the_second_email)
    with pytest.raises(KeyboardInterrupt):
        tasks.run_job.call(approved.pk)
    assert len(mail.outbox) == 1
    settings.JOB_STALE_SECONDS = 60
    Job.objects.filter(pk=approved.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=61))
    assert tasks.requeue_stale() == 1
    tasks.run_job.call(approved.pk)
    assert recipients() == ["operator_a2@example.go.id", "operator_a@example.go.id"]
    approved.refresh_from_db()
    assert (approved.state, approved.attempt) == (Job.State.DONE, 2)


def test_a_failing_mail_server_fails_the_job_and_leaves_the_notices_unsent(approved, monkeypatch):
    def refuse(self, messages):
        raise OSError("connection refused")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    tasks.run_job.call(approved.pk)
    approved.refresh_from_db()
    assert approved.state == Job.State.FAILED
    assert approved.message == "Server e-mail gagal mengirim 2 e-mail pemberitahuan."
    assert Notification.objects.filter(emailed_at=None).count() == 2


def test_no_job_when_nobody_has_an_address(client, coordinator, period, agency_a, django_capture_on_commit_callbacks):
    silent = make_operator(agency_a, "tanpa_email")
    silent.email = ""
    silent.save()
    submission = make_submission(period, agency_a, status=Submission.Status.SUBMITTED)
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/koordinator/pengisian/{submission.pk}/setujui/", {"note": ""})
    assert Notification.objects.count() == 1
    assert not Job.objects.exists()


def test_notices_reach_the_queue_through_the_seam_that_tasks_connects():
    # notifications.py may not import tasks.py (tasks imports it): the app's ready() loads tasks,
    # which gives the seam its enqueue.
    assert jobs._queue["enqueue"] is tasks.enqueue
    assert not hasattr(notifications, "tasks")


def test_the_seam_refuses_loudly_when_no_queue_is_connected(monkeypatch, period):
    monkeypatch.setattr(jobs, "_queue", {})
    job = Job.objects.create(kind=Job.Kind.REMINDERS, key="x", period=period)
    with pytest.raises(ImproperlyConfigured):
        jobs.enqueue_on_commit(job)
