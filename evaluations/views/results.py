"""How far along and how well: the coordinators' dashboard (the agencies' completion) with its
reminder button, the results page (the index as the ministry computes it), the workbook for the
ministry and its evidence package."""

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, tasks
from ..forms.results import DashboardFilterForm
from ..models import EvaluationPeriod
from ..results import dashboard_figures, for_dashboard, for_index
from .common import chosen_period


def dashboard(request):
    """The three indexes with their coverage, then agencies × pillars (results.for_dashboard).
    Filters and sorting are GET parameters; the chooser shows the period actually displayed."""
    access.require_viewer(request.user)
    periods = list(EvaluationPeriod.objects.all())
    period = chosen_period(request, among=periods)
    if period is None:
        return render(request, "evaluations/results/dashboard.html", {"period": None})
    figures = dashboard_figures(period, periods)
    data = request.GET.copy()
    data["periode"] = period.pk
    form = DashboardFilterForm(data, pillars=figures["pillars"], periods=periods)
    form.is_valid()  # invalid values are left out of cleaned_data: they filter nothing
    board = for_dashboard(figures, form.cleaned_data)
    return render(
        request,
        "evaluations/results/dashboard.html",
        {
            **board,
            "form": form,
            "sort_links": _sort_links(request, board["sort"]),
            "reminder_days": settings.REMINDER_DAYS_BEFORE,
        },
    )


def _sort_links(request, current):
    """For each sortable column, the query string that sorts by it (toggling the direction)."""
    links = {}
    query = request.GET.copy()  # one copy: each link sets the same key, in the same place
    for key in ("agency", "percent", "status", "late"):
        query["urut"] = f"-{key}" if current == key else key
        links[key] = "?" + query.urlencode()
    return links


@require_POST
def send_reminders(request):
    """The dashboard's button: the same reminders as `manage.py send_reminders`, for one period,
    whenever a coordinator asks (not only in the last days), once a day per agency. A job sends
    them; its page says queued, sending, then how many went and how many were skipped."""
    access.require_coordinator(request.user)
    period = get_object_or_404(EvaluationPeriod, pk=request.POST.get("periode") or 0)
    if not period.is_open():
        messages.error(request, _("Pengingat hanya dikirim untuk periode yang sedang dibuka."))
        return redirect(reverse("evaluations:results_dashboard") + f"?periode={period.pk}")
    job = tasks.reminders_job(period, request.user)
    return redirect("evaluations:jobs_detail", pk=job.pk)


def index(request):
    """The evaluation index as the ministry computes it, three times and always labelled
    (results.for_index), for the chosen period."""
    access.require_viewer(request.user)
    periods = list(EvaluationPeriod.objects.all())
    period = chosen_period(request, among=periods)
    if period is None:
        return render(request, "evaluations/results/index.html", {"period": None, "periods": periods})
    return render(request, "evaluations/results/index.html", {**for_index(period, periods), "periods": periods})


@require_POST
def export(request, period_id):
    """The evaluation workbook for the ministry (coordinators, admin, leaders), built by a job:
    the file of a finished job is reused while nothing in the period changed, so the download
    starts at once; otherwise the job's page shows progress until it is ready."""
    access.require_viewer(request.user)
    period = get_object_or_404(EvaluationPeriod, pk=period_id)
    job = tasks.workbook_job(period, request.user)
    if job.is_done:
        return redirect("evaluations:jobs_download", pk=job.pk)
    return redirect("evaluations:jobs_detail", pk=job.pk)


@require_POST
def evidence_package(request, period_id):
    """The workbook with every evidence file it lists, in one .zip (evidence_package.py), for
    whoever may download the workbook; built by a job and reused while nothing changed, like it."""
    access.require_viewer(request.user)
    period = get_object_or_404(EvaluationPeriod, pk=period_id)
    job = tasks.evidence_package_job(period, request.user)
    if job.is_done:
        return redirect("evaluations:jobs_download", pk=job.pk)
    return redirect("evaluations:jobs_detail", pk=job.pk)
