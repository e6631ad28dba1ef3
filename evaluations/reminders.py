"""Who gets a reminder e-mail and what it says.

Every operator with an e-mail address, of every assigned agency whose submission is not yet sent
(not started, being filled in, or returned for revision), gets one message listing what is still
missing. The daily command sends while the period is due: open, and its deadline at most
settings.REMINDER_DAYS_BEFORE days away (and not past); the dashboard's button whenever a
coordinator asks while the period is open. Either way an agency is reminded at most once a day:
a ReminderSent row is claimed before its e-mail goes out. Mail goes through Django's e-mail
settings (console by default, SMTP in production).
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.db.models import Prefetch
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from .models import Agency, AgencyMember, EvaluationPeriod, Question, ReminderSent, Submission

logger = logging.getLogger(__name__)
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
    skipped: int = 0  # agencies already reminded today
    failed: bool = False  # the mail server refused or did not answer; that agency's claim was released

    def add(self, other):
        self.messages += other.messages
        self.agencies += other.agencies
        self.skipped += other.skipped
        self.failed = self.failed or other.failed


def _claim(period, agency, today, job, messages):
    """Record that the agency is reminded today, unless someone already did. The unique
    constraint decides: of two simultaneous claims (two clicks, the button and the daily command,
    two schedulers on two hosts) one insert wins, the other waits for it on PostgreSQL and then fails."""
    try:
        with transaction.atomic():
            return ReminderSent.objects.create(period=period, agency=agency, date=today, job=job, messages=messages)
    except IntegrityError:
        return None


def send_reminders(period, today=None, dry_run=False, on_request=False, job=None, progress=None):
    """Send the period's reminders (in the site's language, Indonesian) in one SMTP connection, to
    the agencies not yet reminded today. The daily command sends only while the period is due;
    `on_request` (the dashboard's button) whenever the period is open.

    Each agency is claimed (a ReminderSent row) just before its e-mails go, one agency at a time, so
    a run stopped halfway (a killed worker) leaves the agencies it reached claimed and the others
    free: the job's next run sends the rest, and the counts of `job`'s earlier runs are its own.
    `progress(done, total, agency)` is called before each agency (a job's heartbeat)."""
    if not (period.is_open() if on_request else is_due(period, today)):
        return Sent()
    today = today or timezone.localdate()
    sent = Sent()
    with translation.override(settings.LANGUAGE_CODE):
        claims = {c.agency_id: c for c in ReminderSent.objects.filter(period=period, date=today)}
        pending = reminders_for(period)
        connection = None if dry_run or not pending else get_connection()
        if connection is not None:
            try:
                # One connection for the whole run; when the server cannot be reached nothing is claimed.
                connection.open()
            except Exception:  # noqa: BLE001  (any mail server failure: logged, caller told)
                logger.exception("Pengingat %s gagal dikirim", period)
                return Sent(failed=True)
        try:
            for done, reminder in enumerate(pending):
                if progress:
                    progress(done, len(pending), reminder.agency.abbreviation)
                earlier = claims.get(reminder.agency.pk)
                if earlier is not None and (job is None or earlier.job_id != job.pk):
                    sent.skipped += 1
                    continue
                if earlier is not None:  # this job's own earlier run reached it
                    sent.messages += earlier.messages
                    sent.agencies += 1
                    continue
                messages = reminder.message(today)
                if not dry_run:
                    claim = _claim(period, reminder.agency, today, job, len(messages))
                    if claim is None:
                        sent.skipped += 1
                        continue
                    try:
                        connection.send_messages(messages)
                    except Exception:  # noqa: BLE001  (any mail server failure: logged, claim released, caller told)
                        logger.exception("Pengingat %s untuk %s gagal dikirim", period, reminder.agency)
                        # Usually the server could not be reached and nothing went: let a later
                        # click or the next run send today (a failure halfway through one agency's
                        # messages may repeat some of them, rather than none).
                        claim.delete()
                        sent.failed = True
                        return sent
                sent.messages += len(messages)
                sent.agencies += 1
        finally:
            if connection is not None:
                connection.close()
    return sent
