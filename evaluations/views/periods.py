"""Period management for the admin, in the app: list, open, change the deadline, close, and the
period's agency assignments."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access
from ..forms.periods import DeadlineForm
from ..models import Assignment, EvaluationPeriod
from .common import shorten


def index(request):
    access.require_admin(request.user)
    periods = EvaluationPeriod.objects.annotate(
        dimension_count=Count("dimensions", distinct=True),
        agency_count=Count("assignments__agency", distinct=True),
        submission_count=Count("submissions", distinct=True),
    )
    return render(request, "evaluations/periods/list.html", {"periods": periods})


def _detail(request, period, deadline_form=None, status=200):
    assignments = (
        Assignment.objects.filter(period=period)
        .select_related("agency", "pillar", "question")
        .order_by("agency__name", "pillar__order", "question__code")
    )
    agencies = {}
    for assignment in assignments:
        row = agencies.setdefault(assignment.agency_id, {"agency": assignment.agency, "pillars": [], "questions": []})
        if assignment.pillar_id:
            row["pillars"].append(assignment.pillar)
        else:
            row["questions"].append(assignment.question)
    return render(
        request,
        "evaluations/periods/detail.html",
        {
            "period": period,
            "weight_errors": period.weight_errors() if not period.is_open() else [],
            "deadline_form": deadline_form or DeadlineForm(instance=period),
            "agencies": agencies.values(),
            "submission_count": period.submissions.count(),
        },
        status=status,
    )


def detail(request, pk):
    access.require_admin(request.user)
    return _detail(request, get_object_or_404(EvaluationPeriod, pk=pk))


@require_POST
def open_period(request, pk):
    access.require_admin(request.user)
    period = get_object_or_404(EvaluationPeriod, pk=pk)
    if period.is_open():
        messages.info(request, _("Periode %(period)s sudah dibuka.") % {"period": shorten(period.name)})
        return redirect("evaluations:periods_detail", pk=period.pk)
    try:
        period.open()
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        messages.error(request, _("Periode %(period)s belum dapat dibuka.") % {"period": shorten(period.name)})
        return redirect("evaluations:periods_detail", pk=period.pk)
    messages.success(request, _("Periode %(period)s dibuka.") % {"period": shorten(period.name)})
    return redirect("evaluations:periods_detail", pk=period.pk)


@require_POST
def change_deadline(request, pk):
    access.require_admin(request.user)
    period = get_object_or_404(EvaluationPeriod, pk=pk)
    form = DeadlineForm(request.POST, instance=period)
    if not form.is_valid():
        messages.error(request, _("Batas akhir belum diubah."))
        # The form's instance was changed by validation: show the saved period, not the bad date.
        return _detail(request, EvaluationPeriod.objects.get(pk=pk), deadline_form=form, status=400)
    form.save()
    messages.success(
        request,
        _("Batas akhir %(period)s diubah menjadi %(date)s.")
        % {"period": shorten(period.name), "date": date_format(period.closes, "j F Y")},
    )
    return redirect("evaluations:periods_detail", pk=period.pk)


@require_POST
def close_period(request, pk):
    access.require_admin(request.user)
    period = get_object_or_404(EvaluationPeriod, pk=pk)
    period.close()
    messages.success(
        request, _("Periode %(period)s ditutup: semua pengisian terkunci.") % {"period": shorten(period.name)}
    )
    return redirect("evaluations:periods_detail", pk=period.pk)
