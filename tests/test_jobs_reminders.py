"""Reminders as a job: the dashboard's button and the daily command queue one job per period and
day, and each agency gets its reminders at most once a day, whoever asks and however often."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from evaluations import reminders, tasks
from evaluations.models import Job, ReminderDelivery

pytestmark = pytest.mark.django_db


@pytest.fixture
def due(period):
    period.closes = timezone.localdate() + timedelta(days=3)
    period.save()
    return period


def test_the_daily_command_run_twice_reminds_each_agency_once(due, operator_a, operator_b, immediate_jobs):
    out = StringIO()
    call_command("send_reminders", stdout=out)
    call_command("send_reminders", stdout=out)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([operator_a.email, operator_b.email])
    assert "send_reminders: 0 e-mail dikirim ke operator 0 perangkat daerah (1 periode)." in out.getvalue()
    assert Job.objects.filter(kind=Job.Kind.REMINDERS).count() == 1


def test_two_schedulers_on_one_day_share_one_job(due, operator_a):
    first, created_first = tasks.reminders_job(due)
    second, created_second = tasks.reminders_job(due)
    assert (first.pk, created_first, created_second) == (second.pk, True, False)


def test_without_a_worker_the_command_only_queues_the_job(due, operator_a):
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert mail.outbox == []
    assert "1 pekerjaan menunggu worker" in out.getvalue()
    assert Job.objects.get().state == Job.State.QUEUED


def test_a_run_killed_after_claiming_an_agency_sends_that_agency_on_the_retry(
    due, agency_a, agency_b, operator_a, operator_b
):
    today = timezone.localdate()
    # The killed run had claimed agency A but not marked it sent, and had finished agency B.
    ReminderDelivery.objects.create(period=due, agency=agency_a, day=today)
    ReminderDelivery.objects.create(period=due, agency=agency_b, day=today, sent_at=timezone.now(), messages=1)
    sent = reminders.send_once_a_day(due, today)
    assert [m.to for m in mail.outbox] == [[operator_a.email]]
    assert sent.agencies == 1
    assert ReminderDelivery.objects.get(agency=agency_a, day=today).sent_at is not None


def test_the_next_day_reminds_again(due, operator_a):
    today = timezone.localdate()
    reminders.send_once_a_day(due, today)
    reminders.send_once_a_day(due, today)
    reminders.send_once_a_day(due, today + timedelta(days=1))
    assert len(mail.outbox) == 2


def test_the_button_pressed_twice_in_a_day_sends_once_and_says_so(client, coordinator, due, operator_a, immediate_jobs):
    client.force_login(coordinator)
    first = client.post("/koordinator/pengingat/", {"periode": due.pk}, follow=True)
    assert "1 e-mail pengingat dikirim ke operator 1 perangkat daerah." in first.content.decode()
    second = client.post("/koordinator/pengingat/", {"periode": due.pk}, follow=True)
    assert len(mail.outbox) == 1
    assert "sudah diminta hari ini" in second.content.decode()
    assert second.redirect_chain[-1][0] == first.redirect_chain[-1][0]
