"""The pillar pages: the six pillars (index) and one pillar with its sub-dimensions and agencies
(detail), counted for the current period."""

from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, render

from evaluations.models import Assignment, EvaluationPeriod

from .models import Pillar, SubDimension


def _question_filter(period, prefix=""):
    return Q(**{f"{prefix}questions__indicator__dimension__national_id": period.national_id if period else None})


def index(request):
    period = EvaluationPeriod.objects.current()
    pillars = Pillar.objects.prefetch_related("subdimensions").annotate(
        question_count=Count("questions", filter=_question_filter(period)),
        agency_count=Count("assignments__agency", filter=Q(assignments__period=period), distinct=True),
    )
    return render(request, "pillars/index.html", {"pillars": pillars, "period": period})


def detail(request, code):
    """A pillar's sub-dimensions with question counts and the agencies assigned this period.
    A fixed number of queries whatever the number of agencies."""
    period = EvaluationPeriod.objects.current()
    pillar = get_object_or_404(
        Pillar.objects.annotate(question_count=Count("questions", filter=_question_filter(period))), code=code
    )
    subdimensions = SubDimension.objects.filter(pillar=pillar).annotate(
        question_count=Count("questions", filter=_question_filter(period))
    )
    assignments = (
        Assignment.objects.filter(period=period, pillar=pillar).select_related("agency").order_by("agency__name")
    )
    return render(
        request,
        "pillars/detail.html",
        {
            "pillar": pillar,
            "period": period,
            "subdimensions": subdimensions,
            "agencies": [a.agency for a in assignments],
            "pillars": Pillar.objects.all(),
        },
    )
