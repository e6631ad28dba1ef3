"""The review plan of a period (who reviews which pillar, with its history) and a reviewer's queue:
what waits on them across agencies in the pillars the plan gives them. The rules are
models/review_plan.py's; the actions on an answer stay on the review page (views/review.py)."""

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import access, roles
from ..forms.review_bulk import BulkActionForm
from ..forms.review_plan import QueueFilterForm, ReviewAssignmentForm
from ..models import ReviewAssignment, ReviewPlanChange
from ..models.review_plan import QUEUE_LIMIT, QUEUE_UNVERIFIED, queue_answers, queue_submissions_ready, unverified_q
from ..models.review_sections import REVIEW_MARKED, REVIEW_UNVERIFIED, section_key
from ..review_bulk import LIMIT
from .common import chosen_period, visible_periods

# How many lines of the plan's history its page shows.
HISTORY_SHOWN = 50


def _plan_page(request, period, form, status=200):
    return render(
        request,
        "evaluations/review_plan/index.html",
        {
            "period": period,
            "form": form,
            "rows": ReviewAssignment.objects.for_period(period).in_plan_order(),
            "history": ReviewPlanChange.objects.filter(period=period).select_related("changed_by")[:HISTORY_SHOWN],
        },
        status=status,
    )


def index(request, pk):
    """The plan's rows, the form that adds one, and the history of who changed it."""
    period = access.get_review_plan_period_for_user(request.user, pk)
    reviewers = roles.reviewers(period.region_id)
    if request.method != "POST":
        return _plan_page(request, period, ReviewAssignmentForm(period=period, reviewers=reviewers))
    form = ReviewAssignmentForm(request.POST, period=period, reviewers=reviewers)
    if not form.is_valid():
        messages.error(request, _("Peninjau belum ditambahkan. Periksa isian yang ditandai."))
        return _plan_page(request, period, form, status=400)
    form.instance.add(request.user)
    messages.success(request, _("%(row)s ditambahkan ke rencana peninjauan.") % {"row": form.instance})
    return redirect("evaluations:review_plan_index", pk=period.pk)


@require_POST
def remove(request, period_id, pk):
    row = access.get_review_assignment_for_user(request.user, period_id, pk)
    text = str(row)
    row.remove(request.user)
    messages.success(request, _("%(row)s dihapus dari rencana peninjauan.") % {"row": text})
    return redirect("evaluations:review_plan_index", pk=period_id)


def _link(answer):
    """The answer's card in place on the review page, in its section, filtered to what it waits for."""
    question = answer.question
    key = section_key(question.indicator.dimension.code, question.pillar.code if question.pillar_id else None)
    show = REVIEW_MARKED if answer.needs_revision else REVIEW_UNVERIFIED
    url = reverse("evaluations:review_submission", args=[answer.submission_id])
    return f"{url}?bagian={key}&tampil={show}#jawaban-{answer.pk}"


def _counts(answers):
    """The waiting answers per pillar and per agency, from one grouped query."""
    rows = list(
        answers.values(
            "question__pillar_id", "question__pillar__name", "submission__agency_id", "submission__agency__abbreviation"
        )
        .annotate(n=Count("pk"))
        .order_by("question__pillar__order", "submission__agency__abbreviation")
    )
    pillars, agencies = {}, {}
    for row in rows:
        pillar = pillars.setdefault(
            row["question__pillar_id"],
            {"id": row["question__pillar_id"], "name": row["question__pillar__name"], "n": 0},
        )
        pillar["n"] += row["n"]
        agency = agencies.setdefault(
            row["submission__agency_id"],
            {"id": row["submission__agency_id"], "name": row["submission__agency__abbreviation"], "n": 0},
        )
        agency["n"] += row["n"]
    return {
        "by_pillar": list(pillars.values()),
        "by_agency": sorted(agencies.values(), key=lambda a: a["name"]),
        "total": sum(row["n"] for row in rows),
    }


def _bulk(answers, form, period, state):
    """The queue's bulk actions (views/review_bulk.queue) over the filtered answers not yet verified,
    each carried with its stamp as the page shows it. One query (none with the replied filter)."""
    if state not in ("", QUEUE_UNVERIFIED):
        return {"bulk": []}
    bulk = list(answers.filter(unverified_q()).only("pk", "version", "updated_at").order_by("pk")[: LIMIT + 1])
    return {
        "bulk": bulk[:LIMIT],
        "bulk_too_many": len(bulk) > LIMIT,
        "bulk_limit": LIMIT,
        "bulk_query": form.query(period),
        "bulk_filter": form.describe(),
        "action_form": BulkActionForm(),
    }


@require_GET
def queue(request):
    """What waits on the signed-in reviewer in the chosen period: answers not yet verified, answers
    the agency replied to after a revision mark, submissions ready for approval; counts per pillar
    and agency; filters by GET. A fixed number of queries whatever the number of agencies."""
    access.require_review_queue(request.user)
    periods = visible_periods(request.user)
    period = chosen_period(request, among=periods)
    context = {"period": period, "periods": periods, "is_coordinator": roles.is_coordinator(request.user)}
    if period is None:
        return render(request, "evaluations/review_plan/queue.html", context)
    form = QueueFilterForm(request.GET)
    form.is_valid()  # an unknown value is left out of cleaned_data: it filters nothing
    chosen = form.cleaned_data
    answers = queue_answers(
        request.user,
        period,
        pillar=chosen.get("pilar") and chosen["pilar"].pk,
        agency=chosen.get("opd") and chosen["opd"].pk,
        state=chosen.get("status", ""),
    )
    items = list(
        answers.select_related("submission__agency", "question__pillar", "question__indicator__dimension").order_by(
            "submission__agency__name", "question__code"
        )[:QUEUE_LIMIT]
    )
    for answer in items:
        answer.queue_link = _link(answer)
    mine = list(ReviewAssignment.objects.for_period(period).of_reviewer(request.user).in_plan_order())
    context.update(
        {
            **_bulk(answers, form, period, chosen.get("status", "")),
            "form": form,
            "items": items,
            "limit": QUEUE_LIMIT,
            "mine": mine,
            "ready": list(queue_submissions_ready(request.user, period)) if mine else [],
            **_counts(answers),
        }
    )
    return render(request, "evaluations/review_plan/queue.html", context)
