"""Reminder e-mails (evaluations.reminders and `manage.py send_reminders`): who gets one, and what
it says. Django's outbox for the rules; one end-to-end run through a real SMTP server."""

import socket
from datetime import timedelta
from email import message_from_bytes
from email.header import decode_header, make_header
from io import StringIO

import pytest
from aiosmtpd.controller import Controller
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from evaluations import reminders
from evaluations.models import EvaluationPeriod, Evidence, Question, ReminderSent, Submission

from .factories import make_answer, make_operator, make_submission, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_jobs")]


@pytest.fixture
def due(period):
    """The shipped period with its deadline three days away (inside REMINDER_DAYS_BEFORE = 7)."""
    period.closes = timezone.localdate() + timedelta(days=3)
    period.save()
    return period


def _send(period):
    return reminders.send_reminders(period)


def _to(address):
    return [m for m in mail.outbox if m.to == [address]]


@pytest.mark.parametrize("days,expected", [(0, True), (3, True), (7, True), (8, False), (-1, False)])
def test_a_period_is_due_from_n_days_before_the_deadline_until_the_deadline(period, days, expected, settings):
    settings.REMINDER_DAYS_BEFORE = 7
    period.closes = timezone.localdate() + timedelta(days=days)
    assert reminders.is_due(period) is expected


def test_a_period_that_is_not_open_is_never_due(due):
    due.status = EvaluationPeriod.Status.CLOSED
    assert not reminders.is_due(due)


def test_nothing_is_sent_when_the_deadline_is_still_far(period, operator_a):
    assert _send(period).messages == 0
    assert mail.outbox == []


def test_operators_of_agencies_that_have_not_started_are_reminded(due, operator_a, operator_b):
    sent = _send(due)
    assert _to(operator_a.email) and _to(operator_b.email)
    assert sent.agencies == sent.messages == 2


def test_operators_of_submitted_and_approved_agencies_get_nothing(due, agency_a, agency_b, operator_a, operator_b):
    make_submission(due, agency_a, status=Submission.Status.SUBMITTED)
    make_submission(due, agency_b, status=Submission.Status.APPROVED)
    _send(due)
    assert mail.outbox == []


def test_coordinators_leaders_and_operators_without_an_email_get_nothing(due, agency_a, coordinator, leader):
    silent = make_operator(agency_a, "tanpa_email")
    silent.email = ""
    silent.save()
    gone = make_operator(agency_a, "nonaktif")
    gone.is_active = False
    gone.save()
    _send(due)
    recipients = {address for m in mail.outbox for address in m.to}
    assert recipients.isdisjoint({coordinator.email, leader.email, gone.email, ""})


def test_each_operator_gets_their_own_message(due, agency_a, operator_a):
    second = make_operator(agency_a, "operator_a2")
    _send(due)
    assert len(_to(operator_a.email)) == len(_to(second.email)) == 1


def test_the_message_is_in_indonesian_and_lists_every_unanswered_question(due, agency_a, operator_a):
    _send(due)
    message = _to(operator_a.email)[0]
    assert message.subject == f"Pengingat: Diskominfo Staper, batas akhir {due.name} tinggal 3 hari"
    assert f"Yth. operator {agency_a.name}" in message.body
    assert "Yang masih kurang" in message.body
    for question in Question.objects.assigned_to(agency_a, due):
        assert f"- {question.code} " in message.body


def test_the_message_links_to_the_operators_page_at_the_site_url(due, agency_a, operator_a, settings):
    settings.SITE_URL = "https://smartcity.kutaitimurkab.go.id/"
    _send(due)
    assert "https://smartcity.kutaitimurkab.go.id/opd/" in _to(operator_a.email)[0].body


def test_a_draft_lists_only_what_is_still_missing(due, agency_a, operator_a):
    questions = list(Question.objects.assigned_to(agency_a, due).filter(required=True).in_form_order())
    first = next(q for q in questions if q.uses_options)
    answer = make_answer(make_submission(due, agency_a), first, score=2)
    Evidence.objects.create(answer=answer, title="SK", url="https://jdih.kutaitimurkab.go.id/sk")
    _send(due)
    body = _to(operator_a.email)[0].body
    assert f"- {first.code} " not in body
    assert f"- {questions[-1].code} " in body
    assert "(belum dijawab)" in body


def test_a_returned_submission_lists_the_answers_to_fix_and_the_coordinators_note(due, agency_a, operator_a):
    submission = make_submission(
        due, agency_a, status=Submission.Status.RETURNED, review_note="Lengkapi bukti dukung GOV."
    )
    question = Question.objects.assigned_to(agency_a, due).filter(answer_type="level").first()
    make_answer(submission, question, score=2, needs_revision=True, revision_note="SK belum ditandatangani")
    _send(due)
    body = _to(operator_a.email)[0].body
    assert "dikembalikan oleh koordinator" in body
    assert "Lengkapi bukti dukung GOV." in body
    assert "Jawaban yang perlu diperbaiki" in body
    assert "SK belum ditandatangani" in body


def test_the_command_sends_for_every_due_period_and_prints_a_summary(due, operator_a, operator_b):
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert len(mail.outbox) == 2
    assert (
        "send_reminders: 2 e-mail dikirim ke operator 2 perangkat daerah "
        "(1 periode; 0 perangkat daerah sudah diingatkan hari ini)." in out.getvalue()
    )


def test_the_command_dry_run_sends_nothing(due, operator_a):
    out = StringIO()
    call_command("send_reminders", "--dry-run", stdout=out)
    assert mail.outbox == []
    assert "1 e-mail akan dikirim" in out.getvalue()


def test_the_command_refuses_an_unknown_period(period):
    with pytest.raises(CommandError):
        call_command("send_reminders", "--period", "999999", stdout=StringIO())


def test_a_user_who_is_not_an_agency_member_is_never_reminded(due, operator_a):
    make_user("tamu")
    _send(due)
    assert {a for m in mail.outbox for a in m.to} == {operator_a.email}


# --- end to end through a real SMTP server ----------------------------------------------------


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server():
    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):
            self.messages.append(envelope)
            return "250 Message accepted for delivery"

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    try:
        yield controller, inbox
    finally:
        controller.stop()


def test_a_reminder_travels_through_a_real_smtp_server(due, agency_a, operator_a, smtp_server, settings):
    controller, inbox = smtp_server
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert "1 e-mail dikirim" in out.getvalue()
    [envelope] = inbox.messages
    assert envelope.rcpt_tos == [operator_a.email]
    message = message_from_bytes(envelope.content)
    assert str(make_header(decode_header(message["Subject"]))).startswith("Pengingat: Diskominfo Staper")
    body = message.get_payload(decode=True).decode(message.get_content_charset())
    assert f"Yth. operator {agency_a.name}" in body
    assert "Yang masih kurang" in body


# --- once a day per agency ----------------------------------------------------------------------


def test_sending_twice_on_one_day_reminds_each_agency_once(due, operator_a, operator_b):
    first = _send(due)
    second = _send(due)
    assert len(mail.outbox) == 2
    assert (first.agencies, first.skipped) == (2, 0)
    assert (second.messages, second.agencies, second.skipped) == (0, 0, 2)
    assert ReminderSent.objects.filter(period=due, date=timezone.localdate()).count() == 2


def test_the_daily_command_skips_agencies_the_button_reminded_today(client, coordinator, due, operator_a, operator_b):
    client.force_login(coordinator)
    client.post("/koordinator/pengingat/", {"periode": due.pk})
    out = StringIO()
    call_command("send_reminders", stdout=out)
    assert sorted(address for m in mail.outbox for address in m.to) == sorted([operator_a.email, operator_b.email])
    assert "0 e-mail dikirim ke operator 0 perangkat daerah (1 periode; 2 perangkat daerah sudah diingatkan" in (
        out.getvalue()
    )


def test_an_agency_reminded_yesterday_is_reminded_again_today(due, operator_a):
    reminders.send_reminders(due, today=timezone.localdate() - timedelta(days=1))
    reminders.send_reminders(due)
    assert len(_to(operator_a.email)) == 2


def test_the_daily_command_still_waits_for_the_last_days(period, operator_a):
    call_command("send_reminders", stdout=StringIO())
    assert mail.outbox == []
    assert not ReminderSent.objects.exists()


def test_a_dry_run_claims_nothing(due, operator_a):
    call_command("send_reminders", "--dry-run", stdout=StringIO())
    assert not ReminderSent.objects.exists()
    _send(due)
    assert len(_to(operator_a.email)) == 1


def test_a_failing_mail_server_releases_the_claims_so_a_later_try_sends(due, operator_a, monkeypatch):
    def refuse(self, messages):
        raise OSError("connection refused")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    assert _send(due).failed
    assert not ReminderSent.objects.exists()
    monkeypatch.undo()
    assert _send(due).messages == 1
    assert len(_to(operator_a.email)) == 1
