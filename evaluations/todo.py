"""One to-do list per person, across every open period (the home page, issue 24): opening next
year while this year is still open must not hide this year's work.

- a coordinator: each submission waiting for verification (or for their second sign-off, unless
  they gave the first), each quick-win proposal and completion
  request, each survey form with responses held for review (a burst from one network);
- a reviewer of the review plan (a coordinator, or a lead agency's reviewer who is also an
  operator: one who is not starts from the queue): the answers waiting on them, per submission and
  pillar with a count, each linked to their queue filtered to that agency and pillar;
- an operator: each of their agency's submissions not yet sent (not started, being filled in,
  returned), each of their agency's quick wins that waits on them (refused: propose it again).

Each item is a direct link to the thing itself, labelled with its period. A fixed number of
queries whatever the number of periods and items (four for a coordinator, four for an operator;
a reviewer's answers add one, and one more when the plan gives them any).
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import roles
from .models import Assignment, EvaluationPeriod, QuickWin, Submission, SurveyForm
from .models.review_plan import waiting_per_submission
from .models.submissions import started
from .models.survey_responses import HELD


@dataclass(frozen=True)
class Item:
    period: object
    kind: str  # a CSS hook and the test's handle: review, quickwin, completion, survey, submission
    label: str
    url: str


def open_periods():
    return [p for p in EvaluationPeriod.objects.filter(status=EvaluationPeriod.Status.OPEN).order_by("year", "stage")]


def for_user(user, periods=None):
    """The user's items, oldest period first (the work that is due first); [] for a leader.
    `periods`: the open periods, oldest first, when the caller has read them already."""
    if not (roles.is_coordinator(user) or roles.is_operator(user) or roles.may_have_review_queue(user)):
        return []
    periods = open_periods() if periods is None else periods
    if not periods:
        return []
    items = []
    if roles.is_coordinator(user):
        items += _coordinator_items(periods, user)
    if roles.may_have_review_queue(user):
        items += _reviewer_items(periods, user)
    agency = roles.agency_of(user)
    if agency is not None and roles.is_operator(user):
        items += _operator_items(agency, periods)
    order = {p.pk: n for n, p in enumerate(periods)}
    return sorted(items, key=lambda item: order[item.period.pk])


def _coordinator_items(periods, user):
    by_pk = {p.pk: p for p in periods}
    items = []
    waiting = Submission.objects.filter(period__in=periods, status=Submission.Status.SUBMITTED)
    for submission in waiting.select_related("agency").order_by("submitted_at", "pk"):
        if submission.is_awaiting_second_signoff():
            if submission.approved_by_id == user.pk:
                continue  # the second sign-off is someone else's
            kind, text = "signoff", _("Berikan persetujuan kedua untuk pengisian %(agency)s")
        else:
            kind, text = "review", _("Verifikasi pengisian %(agency)s")
        items.append(
            Item(
                by_pk[submission.period_id],
                kind,
                text % {"agency": submission.agency.name},
                reverse("evaluations:review_submission", args=[submission.pk]),
            )
        )
    quick_wins = QuickWin.objects.filter(period__in=periods).filter(
        Q(status=QuickWin.Status.PROPOSED) | Q(completion_requested_at__isnull=False)
    )
    for quick_win in quick_wins.select_related("agency").order_by("pk"):
        if quick_win.status == QuickWin.Status.PROPOSED:
            kind, text = "quickwin", _("Tetapkan atau tolak usulan quick win %(name)s (%(agency)s)")
        else:
            kind, text = "completion", _("Putuskan permintaan selesai quick win %(name)s (%(agency)s)")
        items.append(
            Item(
                by_pk[quick_win.period_id],
                kind,
                text % {"name": quick_win.name, "agency": quick_win.agency.abbreviation},
                reverse("evaluations:quickwins_detail", args=[quick_win.pk]),
            )
        )
    forms = (
        SurveyForm.objects.filter(survey__period__in=periods)
        .annotate(held=Count("responses", filter=Q(**{f"responses__{k}": v for k, v in HELD.children})))
        .filter(held__gt=0)
        .select_related("survey", "pillar", "subdimension")
        .order_by("pk")
    )
    for form in forms:
        name = form.pillar.name + (f" / {form.subdimension.name}" if form.subdimension_id else "")
        items.append(
            Item(
                by_pk[form.survey.period_id],
                "survey",
                _("Tinjau %(n)s tanggapan survei yang ditahan: %(form)s") % {"n": form.held, "form": name},
                reverse("evaluations:surveys_monitor_form", args=[form.survey.period_id, form.pk]),
            )
        )
    return items


def _reviewer_items(periods, user):
    """The answers the review plan gives `user` that wait on them (their queue's), one item per
    submission and pillar with the count, linked to the queue filtered to that agency and pillar."""
    by_pk = {p.pk: p for p in periods}
    items = []
    for row in waiting_per_submission(user, periods):
        query = urlencode({"periode": row["period"], "opd": row["agency"], "pilar": row["pillar"] or ""})
        label = ngettext(
            "Tinjau %(n)s jawaban %(agency)s di pilar %(pillar)s",
            "Tinjau %(n)s jawaban %(agency)s di pilar %(pillar)s",
            row["n"],
        ) % {"n": row["n"], "agency": row["agency_name"], "pillar": row["pillar_name"] or _("Umum")}
        items.append(
            Item(by_pk[row["period"]], "answers", label, reverse("evaluations:review_plan_queue") + f"?{query}")
        )
    return items


def _operator_items(agency, periods):
    by_pk = {p.pk: p for p in periods}
    items = []
    assigned = set(Assignment.objects.filter(agency=agency, period__in=periods).values_list("period_id", flat=True))
    submissions = {s.period_id: s for s in Submission.objects.filter(agency=agency, period__in=periods).with_started()}
    for period in periods:
        submission = submissions.get(period.pk)
        if submission is None or not submission.is_started():
            if period.pk in assigned:
                url = reverse("evaluations:answering_home") + f"?periode={period.pk}"
                items.append(Item(period, "submission", _("Mulai pengisian kuesioner"), url))
            continue
        if submission.status == Submission.Status.RETURNED:
            label = _("Perbaiki jawaban yang dikembalikan koordinator, lalu kirim lagi")
        elif submission.status == Submission.Status.DRAFT:
            label = _("Lengkapi dan kirim kuesioner")
        else:
            continue
        items.append(
            Item(period, "submission", label, reverse("evaluations:answering_submission", args=[submission.pk]))
        )
    refused = QuickWin.objects.filter(agency=agency, period__in=periods, status=QuickWin.Status.REJECTED)
    for quick_win in refused.order_by("pk"):
        items.append(
            Item(
                by_pk[quick_win.period_id],
                "quickwin",
                _("Quick win %(name)s ditolak: perbaiki dan usulkan lagi") % {"name": quick_win.name},
                reverse("evaluations:quickwins_detail", args=[quick_win.pk]),
            )
        )
    return items


@dataclass(frozen=True)
class OpenWork:
    """What is still open in an open period: the admin's confirmation before opening another."""

    period: object
    not_sent: int  # submissions being filled in or returned
    awaiting_review: int
    proposals: int  # quick wins proposed or asking to be confirmed complete

    def text(self):
        return _(
            "%(period)s masih dibuka: %(not_sent)s pengisian belum dikirim, %(waiting)s menunggu verifikasi, "
            "%(proposals)s quick win menunggu keputusan"
        ) % {
            "period": self.period.name,
            "not_sent": self.not_sent,
            "waiting": self.awaiting_review,
            "proposals": self.proposals,
        }


def open_work(besides):
    """Each open period other than `besides`, with what is still open in it. Three queries."""
    periods = [p for p in open_periods() if p.pk != besides.pk]
    if not periods:
        return []
    S = Submission.Status
    submissions = dict.fromkeys((p.pk for p in periods), None)
    counts = (
        Submission.objects.filter(period__in=periods)
        .values("period")
        .annotate(
            # An empty draft (the questionnaire only opened) is not a submission being filled in.
            not_sent=Count("pk", filter=Q(status__in=[S.DRAFT, S.RETURNED]) & started()),
            waiting=Count("pk", filter=Q(status=S.SUBMITTED)),
        )
    )
    for row in counts:
        submissions[row["period"]] = row
    proposals = dict(
        QuickWin.objects.filter(period__in=periods)
        .filter(Q(status=QuickWin.Status.PROPOSED) | Q(completion_requested_at__isnull=False))
        .values("period")
        .annotate(n=Count("pk"))
        .values_list("period", "n")
    )
    return [
        OpenWork(
            p,
            (submissions[p.pk] or {}).get("not_sent", 0),
            (submissions[p.pk] or {}).get("waiting", 0),
            proposals.get(p.pk, 0),
        )
        for p in periods
    ]
