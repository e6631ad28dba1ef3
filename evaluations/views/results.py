"""How far along and how well: the coordinators' progress dashboard with its reminder button, the
results page (the index as the ministry computes it) and the workbook for the ministry."""

from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pillars.models import Pillar, SubDimension

from .. import access, charts, scoring, tasks
from ..forms.results import STATUS_CHOICES, DashboardFilterForm
from ..models import Dimension, EvaluationPeriod
from ..progress import agency_progress
from ..surveys import impact_questions, survey_results
from .common import index_cards

STATUS_ORDER = [code for code, _label in STATUS_CHOICES]
SORT_KEYS = {
    "agency": lambda row: row.progress.agency.name.lower(),
    "percent": lambda row: (row.progress.percent, row.progress.agency.name.lower()),
    "status": lambda row: (STATUS_ORDER.index(row.progress.status), row.progress.agency.name.lower()),
    "late": lambda row: (row.days_late, row.progress.agency.name.lower()),
}


@dataclass
class Row:
    progress: object  # AgencyProgress
    cells: list  # (pillar, PillarProgress or None)
    days_late: int


def dashboard(request):
    """The three indexes with their coverage (as on the results page), then agencies × pillars:
    % answered and status, totals by status, overdue agencies. Filters and sorting are GET
    parameters, applied in Python to the rows read by progress.agency_progress (a fixed number of
    queries whatever the number of agencies)."""
    access.require_viewer(request.user)
    periods = list(EvaluationPeriod.objects.all())
    pillars = list(Pillar.objects.all())
    period = EvaluationPeriod.objects.chosen(request.GET.get("periode"), among=periods)
    if period is None:
        return render(request, "evaluations/results/dashboard.html", {"period": None})
    data = request.GET.copy()
    data["periode"] = period.pk  # the chooser shows the period actually displayed
    form = DashboardFilterForm(data, pillars=pillars, periods=periods)
    form.is_valid()
    params = form.cleaned_data  # invalid values are left out: they filter nothing

    progress = agency_progress(period)
    # The same three indexes and coverage as the results page, from the same period.results().
    result = period.results()
    previous = period.previous(among=periods)
    before = previous.results() if previous else None
    pillar_code = params.get("pilar") or ""
    columns = [p for p in pillars if not pillar_code or p.code == pillar_code]
    rows = [
        Row(progress=p, cells=[(c, p.pillars.get(c.code)) for c in columns], days_late=p.days_late(period))
        for p in progress
    ]
    totals = Counter(row.progress.status for row in rows)
    overdue = [r for r in rows if r.progress.is_overdue(period)]

    if pillar_code:
        rows = [r for r in rows if pillar_code in r.progress.pillars]
    if params.get("status"):
        rows = [r for r in rows if r.progress.status == params["status"]]
    if params.get("q"):
        needle = params["q"].lower()
        rows = [r for r in rows if needle in f"{r.progress.agency.name} {r.progress.agency.abbreviation}".lower()]
    sort = params.get("urut") or "agency"
    rows.sort(key=SORT_KEYS[sort.lstrip("-")], reverse=sort.startswith("-"))

    return render(
        request,
        "evaluations/results/dashboard.html",
        {
            "form": form,
            "period": period,
            "previous": previous,
            "before": before,
            "indexes": index_cards(result, before),
            "coverage": result.coverage.total,
            "columns": columns,
            "rows": rows,
            "totals": [(code, label, totals.get(code, 0)) for code, label in STATUS_CHOICES],
            "agency_count": len(progress),
            "overdue": overdue,
            "sort": sort,
            "sort_links": _sort_links(request, sort),
            "reminder_days": settings.REMINDER_DAYS_BEFORE,
        },
    )


def _sort_links(request, current):
    """For each sortable column, the query string that sorts by it (toggling the direction)."""
    links = {}
    for key in ("agency", "percent", "status", "late"):
        query = request.GET.copy()
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
    """The evaluation index as the ministry computes it, three times and always labelled (DESIGN §2):
    the official index (approved answers, verified scores), the provisional one (every handed-in
    answer) and the self-assessment one, each with its coverage; a bar per evaluation dimension, a
    radar of the six pillars and the weakest sub-dimensions; the comparison with the previous
    period uses the official index."""
    access.require_viewer(request.user)
    periods = list(EvaluationPeriod.objects.all())
    period = EvaluationPeriod.objects.chosen(request.GET.get("periode"), among=periods)
    if period is None:
        return render(request, "evaluations/results/index.html", {"period": None, "periods": periods})
    previous = period.previous(among=periods)
    result = period.results()
    before = previous.results() if previous else None

    dimensions = list(Dimension.objects.filter(period=period))
    pillars = list(Pillar.objects.all())
    subdimensions = {s.code: s for s in SubDimension.objects.select_related("pillar")}

    def scores(kind, code):
        return {
            "official": getattr(result.official, kind).get(code),
            "provisional": getattr(result.provisional, kind).get(code),
            "self": getattr(result.self, kind).get(code),
            "coverage": getattr(result.coverage, kind).get(code) or scoring.Coverage(),
            "previous": getattr(before.official, kind).get(code) if before else None,
        }

    dimension_rows = [{"dimension": d, **scores("dimensions", d.code)} for d in dimensions]
    pillar_rows = [{"pillar": p, **scores("pillars", p.code)} for p in pillars]
    for row in pillar_rows:
        row["change"] = scoring.change(row["official"], row["previous"]) if before else None
    weakest = [
        {
            "subdimension": subdimensions.get(code),
            "code": code,
            "official": value,
            "self": result.self.subdimensions.get(code),
        }
        for code, value in scoring.weakest(result.official.subdimensions, n=5)
    ]
    series_names = [_("Indeks resmi"), _("Indeks sementara"), _("Penilaian mandiri")]
    bar_series = [
        charts.Series(series_names[0], [r["official"] for r in dimension_rows]),
        charts.Series(series_names[1], [r["provisional"] for r in dimension_rows]),
        charts.Series(series_names[2], [r["self"] for r in dimension_rows]),
    ]
    survey = survey_results(period)
    radar_series = [charts.Series(series_names[0], [r["official"] for r in pillar_rows])]
    if before:
        label = _("Resmi %(period)s") % {"period": previous.name}
        bar_series.append(charts.Series(label, [r["previous"] for r in dimension_rows]))
        radar_series.append(charts.Series(label, [r["previous"] for r in pillar_rows]))

    return render(
        request,
        "evaluations/results/index.html",
        {
            "period": period,
            "periods": periods,
            "previous": previous,
            "result": result,
            "before": before,
            "indexes": index_cards(result, before),
            "coverage": result.coverage.total,
            "dimension_rows": dimension_rows,
            "pillar_rows": pillar_rows,
            "weakest": weakest,
            "survey": survey,
            "survey_rows": _survey_rows(survey, result, pillars, subdimensions),
            "impact_questions": impact_questions(period) if survey.exists else [],
            "bar_chart": charts.bar_chart(
                [f"{d.code}. {d.name}" for d in dimensions], bar_series, title=_("Skor per dimensi evaluasi")
            ),
            "radar_chart": charts.radar_chart(
                [p.name for p in pillars], radar_series, title=_("Indeks resmi per pilar")
            ),
        },
    )


def _survey_rows(survey, result, pillars, subdimensions):
    """The impact survey's table: each pillar with a form, then its sub-dimensions, each with the
    survey mean and respondents beside the official and self-assessed scores of the same pillar or
    sub-dimension."""
    rows = []
    for pillar in pillars:
        group = survey.pillars.get(pillar.code)
        if group is None:
            continue
        rows.append(
            {
                "level": "pillar",
                "name": pillar.name,
                "group": group,
                "official": result.official.pillars.get(pillar.code),
                "self": result.self.pillars.get(pillar.code),
            }
        )
        for sub in group.subdimensions:
            rows.append(
                {
                    "level": "subdimension",
                    "name": subdimensions[sub.code].name if sub.code in subdimensions else sub.name,
                    "group": sub,
                    "official": result.official.subdimensions.get(sub.code),
                    "self": result.self.subdimensions.get(sub.code),
                }
            )
    return rows


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
