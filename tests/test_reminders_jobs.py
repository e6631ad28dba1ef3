"""Reminders as a job: the dashboard's button and `manage.py send_reminders` queue it, its page
says queued, sending, then what went; run twice it sends nothing more, and a run killed halfway is
finished by the next run without reminding anyone twice. The queue is the database one with no
worker, so a job waits until the test runs it (`run_job.call`), as a worker would."""

import io
from datetime import timedelta

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from evaluations import tasks
from evaluations.models import Job, ReminderSent

pytestmark = pytest.mark.django_db


@pytest.fixture
def button(client, coordinator, period, operator_a, operator_b):
    """The coordinator has pressed Kirim pengingat; returns the job's page address."""
    client.force_login(coordinator)
    response = client.post("/koordinator/pengingat/", {"periode": period.pk})
    assert response.status_code == 302
    return response["Location"]


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_the_button_queues_a_job_and_its_page_says_it_waits(client, button, coordinator):
    job = Job.objects.get()
    assert button == f"/pekerjaan/{job.pk}/"
    assert (job.kind, job.state, job.requested_by) == (Job.Kind.REMINDERS, Job.State.QUEUED, coordinator)
    assert DBTaskResult.objects.get().args_kwargs["args"] == [job.pk]
    assert mail.outbox == []
    html = client.get(button).content.decode()
    assert "Menunggu giliran…" in html and 'http-equiv="refresh"' in html


def test_the_worker_sends_them_and_the_page_says_how_many(client, button, operator_a, operator_b):
    tasks.run_job.call(Job.objects.get().pk)
    assert recipients() == sorted([operator_a.email, operator_b.email])
    html = client.get(button).content.decode()
    assert 'data-state="done"' in html
    assert "2 e-mail pengingat dikirim ke operator 2 perangkat daerah." in html
    assert 'http-equiv="refresh"' not in html


def test_a_sending_job_shows_its_progress(client, button):
    job = Job.objects.get()
    job.claim()
    job.report(1, 4, "DLH")
    html = client.get(button).content.decode()
    assert "Mengirim… 25%" in html


def test_running_the_job_twice_sends_nothing_more(button):
    job = Job.objects.get()
    tasks.run_job.call(job.pk)
    Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED)  # handed out again by the queue
    tasks.run_job.call(job.pk)
    assert len(mail.outbox) == 2
    assert ReminderSent.objects.count() == 2
    job.refresh_from_db()
    assert job.result == {"messages": 2, "agencies": 2, "skipped": 0}


def test_a_run_killed_halfway_is_finished_by_the_next_run_reminding_each_agency_once(
    client, button, operator_a, operator_b, monkeypatch, settings
):
    job = Job.objects.get()
    report = Job.report
    calls = []

    def killed_before_the_second_agency(self, done, total, step=""):
        calls.append(done)
        if done == 1 and len(calls) == 2:
            raise KeyboardInterrupt  # not an Exception: nothing in the job catches it, like SIGKILL
        return report(self, done, total, step)

    monkeypatch.setattr(Job, "report", killed_before_the_second_agency)
    with pytest.raises(KeyboardInterrupt):
        tasks.run_job.call(job.pk)
    assert len(mail.outbox) == 1
    job.refresh_from_db()
    assert job.state == Job.State.RUNNING
    # The worker is gone: its heartbeat ages, the periodic check queues the job again.
    settings.JOB_STALE_SECONDS = 60
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=61))
    assert tasks.requeue_stale() == 1
    tasks.run_job.call(job.pk)
    assert recipients() == sorted([operator_a.email, operator_b.email])
    job.refresh_from_db()
    assert (job.state, job.attempt) == (Job.State.DONE, 2)
    # The page counts what the first run sent too.
    assert job.result == {"messages": 2, "agencies": 2, "skipped": 0}
    assert "2 e-mail pengingat dikirim ke operator 2 perangkat daerah." in client.get(button).content.decode()


def test_a_failing_mail_server_fails_the_job_with_the_users_message_and_releases_the_claim(client, button, monkeypatch):
    def refuse(self, messages):
        raise OSError("connection refused")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    tasks.run_job.call(Job.objects.get().pk)
    html = client.get(button).content.decode()
    assert 'data-state="failed"' in html
    assert "Server e-mail gagal mengirim pengingat. Tidak ada yang terkirim; coba lagi nanti." in html
    assert not ReminderSent.objects.exists()


def test_the_daily_command_queues_a_job_per_due_period_and_says_so(period, operator_a):
    period.closes = timezone.localdate() + timedelta(days=3)
    period.save()
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    job = Job.objects.get()
    assert (job.kind, job.period, job.parameters["on_request"]) == (Job.Kind.REMINDERS, period, False)
    assert out.getvalue() == (
        f"send_reminders: 1 pekerjaan pengingat diantrekan (#{job.pk}) untuk 1 periode; worker mengirimnya.\n"
    )
    assert mail.outbox == []
    tasks.run_job.call(job.pk)
    assert recipients() == [operator_a.email]


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_the_command_waits_with_a_progress_bar_on_a_terminal(period, operator_a, operator_b, immediate_jobs):
    period.closes = timezone.localdate() + timedelta(days=3)
    period.save()
    terminal = Terminal()
    call_command("send_reminders", "--wait", stdout=terminal)
    frames = terminal.getvalue().split("\r")
    assert "] 2/2" in frames[-1]
    assert "send_reminders: 2 e-mail dikirim ke operator 2 perangkat daerah" in frames[-1]
