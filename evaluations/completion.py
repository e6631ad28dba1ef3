"""The agencies' completion: how far each agency has got in filling in a period, per pillar and in
total, with its submission's status. Read by the coordinators' dashboard, the leaders' home and the
workbook's "Progres OPD" sheet."""

from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone

from .models import Answer, Assignment, Question, Submission
from .models.answering import ANSWERED
from .models.submissions import NOT_STARTED, NOT_STARTED_LABEL

# Statuses that still owe the coordinators a submission: late once the deadline has passed.
OVERDUE_STATUSES = {NOT_STARTED, Submission.Status.DRAFT, Submission.Status.RETURNED}
# Every status an agency's completion can have, in the order the dashboard sorts and totals them.
STATUS_CHOICES = [(NOT_STARTED, NOT_STARTED_LABEL), *Submission.Status.choices]


@dataclass
class PillarCompletion:
    assigned: int = 0
    answered: int = 0

    @property
    def percent(self):
        return round(100 * self.answered / self.assigned) if self.assigned else 0


@dataclass
class AgencyCompletion:
    """One agency's completion in a period: per pillar and in total, with its submission."""

    agency: object
    submission: object = None
    pillars: dict = field(default_factory=dict)  # pillar code -> PillarCompletion

    @property
    def assigned(self):
        return sum(p.assigned for p in self.pillars.values())

    @property
    def answered(self):
        return sum(p.answered for p in self.pillars.values())

    @property
    def percent(self):
        return round(100 * self.answered / self.assigned) if self.assigned else 0

    @property
    def status(self):
        """belum mulai (not_started) until something is saved (Submission.is_started), else the
        submission's status."""
        if self.submission is None:
            return NOT_STARTED
        return self.submission.progress_status()

    def is_overdue(self, period, today=None):
        """Past the deadline and not handed in (or handed back and not resubmitted)."""
        return period.is_past_deadline(today) and self.status in OVERDUE_STATUSES

    def needs_attention(self, period, today=None):
        """What a leader asks about: late, or returned for revision (whatever the date)."""
        return self.status == Submission.Status.RETURNED or self.is_overdue(period, today)

    def days_late(self, period, today=None):
        """Days past the deadline: when it was submitted, or until today if it is still open."""
        if self.submission is not None and self.submission.submitted_at is not None:
            done = timezone.localdate(self.submission.submitted_at)
        elif self.status == Submission.Status.APPROVED:
            return 0
        else:
            done = today or timezone.localdate()
        return max(0, (done - period.closes).days)


@dataclass
class AgencyShares:
    """How many of the assigned agencies have handed in (submitted or approved: sent and not sent
    back) and how many are approved."""

    assigned: int = 0
    submitted: int = 0
    approved: int = 0

    @classmethod
    def of(cls, rows):
        statuses = [row.status for row in rows]
        handed_in = {Submission.Status.SUBMITTED, Submission.Status.APPROVED}
        return cls(
            assigned=len(statuses),
            submitted=sum(status in handed_in for status in statuses),
            approved=statuses.count(Submission.Status.APPROVED),
        )

    @property
    def submitted_percent(self):
        return round(100 * self.submitted / self.assigned) if self.assigned else 0

    @property
    def approved_percent(self):
        return round(100 * self.approved / self.assigned) if self.assigned else 0


def agency_completion(period):
    """[AgencyCompletion] for every agency assigned in the period, by agency name, in four
    queries whatever the number of agencies, questions and answers."""
    question_counts = dict(
        Question.objects.for_period(period)
        .values("pillar__code")
        .annotate(n=models.Count("id"))
        .values_list("pillar__code", "n")
    )
    rows = {}
    for assignment in Assignment.objects.filter(period=period).select_related("agency", "pillar", "question__pillar"):
        row = rows.setdefault(assignment.agency_id, AgencyCompletion(agency=assignment.agency))
        if assignment.pillar is not None:
            code, n = assignment.pillar.code, question_counts.get(assignment.pillar.code, 0)
        else:
            code, n = (assignment.question.pillar.code if assignment.question.pillar else ""), 1
        row.pillars.setdefault(code, PillarCompletion()).assigned += n
    answered = (
        Answer.objects.filter(submission__period=period)
        .values("submission__agency_id", "question__pillar__code")
        .annotate(n=models.Count("id", filter=ANSWERED))
    )
    for item in answered:
        row = rows.get(item["submission__agency_id"])
        pillar = row.pillars.get(item["question__pillar__code"] or "") if row else None
        if pillar is not None:
            pillar.answered += item["n"]
    for submission in Submission.objects.filter(period=period).with_started():
        if submission.agency_id in rows:
            rows[submission.agency_id].submission = submission
    return sorted(rows.values(), key=lambda row: row.agency.name)
