"""Who gets a reminder e-mail and what it says.

A period is due for reminders while it is open and its deadline is at most
settings.REMINDER_DAYS_BEFORE days away (and not past). Then every operator with an e-mail address,
of every assigned agency whose submission is not yet sent (not started, being filled in, or
returned for revision), gets one message listing what is still missing. Mail goes through Django's
e-mail settings (console by default, SMTP in production).
"""

from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Agency, AgencyMember, EvaluationPeriod, Question, ReminderDelivery, Submission

NEEDS_REMINDER = {Submission.Status.DRAFT, Submission.Status.RETURNED}


def is_due(period, today=None):
    if not period.is_open():
        return False
    return 0 <= period.days_left(today) <= settings.REMINDER_DAYS_BEFORE


def due_periods(today=None):
    return [p for p in EvaluationPeriod.objects.filter(status=EvaluationPeriod.Status.OPEN) if is_due(p, today)]


@dataclass
class Reminder:
    period: EvaluationPeriod
    agency: Agency
    submission: Submission | None
    recipients: list
    missing: list = field(default_factory=list)  # (question, reason)
    revision: list = field(default_factory=list)  # answers marked for revision

    def message(self, today=None):
        context = {
            "period": self.period,
            "agency": self.agency,
            "submission": self.submission,
            "missing": self.missing,
            "revision": self.revision,
            "days_left": self.period.days_left(today),
            "site_name": _("Evaluasi Smart City Kabupaten Kutai Timur"),
            # E-mail has no request to build an absolute address from; SITE_URL says where the app is.
            "agency_url": settings.SITE_URL.rstrip("/") + reverse("evaluations:answering_home")
            if settings.SITE_URL
            else "",
        }
        subject = _("Pengingat: %(agency)s, batas akhir %(period)s tinggal %(days)s hari") % {
            "agency": self.agency.abbreviation,
            "period": self.period.name,
            "days": context["days_left"],
        }
        body = render_to_string("email/reminder.txt", context)
        return [
            EmailMessage(subject=subject, body=body, from_email=settings.DEFAULT_FROM_EMAIL, to=[user.email])
            for user in self.recipients
        ]


def reminders_for(period):
    """A Reminder for every assigned agency whose submission is incomplete or returned and that
    has at least one operator with an e-mail address."""
    members = Prefetch(
        "members",
        queryset=AgencyMember.objects.select_related("user").filter(user__is_active=True).exclude(user__email=""),
    )
    agencies = Agency.objects.filter(assignments__period=period).distinct().order_by("name").prefetch_related(members)
    submissions = {s.agency_id: s for s in Submission.objects.filter(period=period).select_related("period", "agency")}
    reminders = []
    for agency in agencies:
        submission = submissions.get(agency.pk)
        if submission is not None and submission.status not in NEEDS_REMINDER:
            continue
        recipients = [member.user for member in agency.members.all()]
        if not recipients:
            continue
        if submission is None:
            questions = Question.objects.assigned_to(agency, period).in_form_order()
            missing = [(question, _("belum dijawab")) for question in questions]
            revision = []
        else:
            missing = submission.missing_items()
            revision = list(submission.answers.filter(needs_revision=True).select_related("question"))
        reminders.append(Reminder(period, agency, submission, recipients, missing, revision))
    return reminders


@dataclass
class Sent:
    messages: int = 0
    agencies: int = 0


def send_reminders(period, today=None, dry_run=False):
    """Send the period's reminders (in the site's language, Indonesian) in one SMTP connection."""
    if not is_due(period, today):
        return Sent()
    with translation.override(settings.LANGUAGE_CODE):
        reminders = reminders_for(period)
        messages = [message for reminder in reminders for message in reminder.message(today)]
    if messages and not dry_run:
        get_connection().send_messages(messages)
    return Sent(messages=len(messages), agencies=len(reminders))


def send_once_a_day(period, today=None, progress=None):
    """The reminders job: like send_reminders, but each agency's messages go out at most once per
    day however often it runs (a retried job, two schedulers). An agency is claimed (a row per
    period, agency and day), then sent, then marked sent: a run killed in between sends the
    claimed-but-unmarked agency again, so nobody is missed; only a kill between the SMTP server's
    answer and the mark could send one agency twice."""
    day = today or timezone.localdate()
    if not is_due(period, day):
        return Sent()
    sent = Sent()
    with translation.override(settings.LANGUAGE_CODE):
        pending = reminders_for(period)
        connection = get_connection()
        for done, reminder in enumerate(pending):
            if progress:
                progress(done, len(pending), reminder.agency.abbreviation)
            delivery, _created = ReminderDelivery.objects.get_or_create(period=period, agency=reminder.agency, day=day)
            if delivery.sent_at:
                continue
            messages = reminder.message(day)
            connection.send_messages(messages)
            ReminderDelivery.objects.filter(pk=delivery.pk).update(sent_at=timezone.now(), messages=len(messages))
            sent.messages += len(messages)
            sent.agencies += 1
    return sent
