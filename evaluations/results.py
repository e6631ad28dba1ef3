"""The results topic's rules: what the results page, the coordinators' dashboard and the leader's
home show of a period (assembled here from period.results() and completion.agency_completion(), so
that the views only check access, read the filters and render), and the change stamp of what the
ministry's workbook shows.

The indexes are always labelled (DESIGN §2: never a bare number) and only the official index is
compared with the previous period's.
"""

import hashlib
import json
from collections import Counter
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import Count, F, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import JSONArray
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from pillars.models import Pillar, SubDimension

from . import charts, scoring
from .completion import NOT_STARTED, STATUS_CHOICES, AgencyShares
from .models import (
    Agency,
    Answer,
    AnswerChange,
    AnswerOption,
    Assignment,
    DatasetUpload,
    Dimension,
    Enumerator,
    EvaluationPeriod,
    Evidence,
    HealthFacility,
    ImpactSurvey,
    Indicator,
    Kecamatan,
    ProgrammeUse,
    Question,
    QuickWin,
    QuickWinEvidence,
    ReviewComment,
    RoadSegment,
    School,
    ScoreBand,
    Submission,
    SubmissionEvent,
    SurveyForm,
    SurveyProgramme,
    SurveyRating,
    SurveyResponse,
    SurveyResponseEvent,
    SurveyStatement,
    TransportFacility,
)
from .results_cache import cached_drawing, cached_figures
from .surveys import impact_questions

INDEX_LABELS = {
    "official": _lazy("Indeks resmi (disetujui, skor verifikasi)"),
    "provisional": _lazy("Indeks sementara (semua yang dikirim)"),
    "self": _lazy("Indeks penilaian mandiri"),
}


def index_cards(result, before=None, kinds=tuple(INDEX_LABELS)):
    """The indexes as every page labels them, for results/_index_card.html. Only the official
    index is compared with the previous period's result: last year's provisional or self-assessed
    number is no baseline to measure improvement by."""
    return [
        {
            "kind": kind,
            "label": INDEX_LABELS[kind],
            "final": getattr(result, kind).final,
            "change": (
                scoring.change(result.official.final, before.official.final)
                if kind == "official" and before is not None
                else None
            ),
        }
        for kind in kinds
    ]


# --- the coordinators' dashboard (the agencies' completion) -------------------------------------
STATUS_ORDER = [code for code, _label in STATUS_CHOICES]
SORT_KEYS = {
    "agency": lambda row: row.completion.agency.name.lower(),
    "percent": lambda row: (row.completion.percent, row.completion.agency.name.lower()),
    "status": lambda row: (STATUS_ORDER.index(row.completion.status), row.completion.agency.name.lower()),
    "late": lambda row: (row.days_late, row.completion.agency.name.lower()),
}


@dataclass
class Row:
    completion: object  # AgencyCompletion
    cells: list  # (pillar, PillarCompletion or None)
    days_late: int


def dashboard_figures(period, periods):
    """What the dashboard of `period` is drawn from, from the cache (results_cache.cached_figures,
    the stamp its only query when nothing changed): its completion and results, the previous
    period's results and the pillars, which the view needs for the filter form before
    for_dashboard."""
    previous = period.previous(among=periods)
    figures = cached_figures({period: ("results", "completion", "pillars"), previous: ("results",)})
    return {"period": period, "previous": previous, "figures": figures, "pillars": figures[period.pk]["pillars"]}


def for_dashboard(board, params):
    """The dashboard of the period of `board` (dashboard_figures): the three indexes with their
    coverage (as on the results page, from the same period.results()), then agencies × pillars
    (% answered and status), totals by status and the overdue agencies. `params` are the filter
    form's cleaned data (pilar, status, q, urut; an invalid value was left out and filters
    nothing), applied in Python to the rows read by completion.agency_completion: a fixed number
    of queries whatever the number of agencies."""
    period, previous, figures, pillars = board["period"], board["previous"], board["figures"], board["pillars"]
    completion, result = figures[period.pk]["completion"], figures[period.pk]["results"]
    before = figures[previous.pk]["results"] if previous else None
    indexes = {"indexes": index_cards(result, before), "coverage": result.coverage.total, "previous": previous}
    pillar_code = params.get("pilar") or ""
    columns = [p for p in pillars if not pillar_code or p.code == pillar_code]
    today = timezone.localdate()
    rows = [
        Row(
            completion=c,
            cells=[(col, c.pillars.get(col.code)) for col in columns],
            days_late=c.days_late(period, today),
        )
        for c in completion
    ]
    totals = Counter(row.completion.status for row in rows)
    overdue = [r for r in rows if r.completion.is_overdue(period, today)]
    rows = _filtered(rows, params)
    sort = params.get("urut") or "agency"
    rows.sort(key=SORT_KEYS[sort.lstrip("-")], reverse=sort.startswith("-"))
    return {
        "period": period,
        "previous": previous,
        "before": before,
        **indexes,
        # The three index cards drawn once per change of the figures (and of the previous period,
        # whose name they show: its row is in its stamp), as the matrix is.
        "indexes_html": cached_drawing(
            f"dashboard_indexes:{previous.pk if previous else ''}",
            [figures[p.pk]["stamp"] for p in (period, previous) if p is not None],
            lambda: render_to_string("evaluations/results/_indexes.html", indexes),
        ),
        "columns": columns,
        "rows": rows,
        # Written once per change of the figures for each filter and sort asked (and day: the days
        # late move at midnight), as the charts are.
        "matrix_body": cached_drawing(
            "matrix:" + _digest([pillar_code, params.get("status"), params.get("q"), sort, str(today)]),
            [figures[period.pk]["stamp"]],
            lambda: matrix_body(rows, columns),
        ),
        "totals": [(code, label, totals.get(code, 0)) for code, label in STATUS_CHOICES],
        "agency_count": len(completion),
        "overdue": overdue,
        "sort": sort,
    }


def matrix_body(rows, columns):
    """The rows of the dashboard's agencies × pillars table as HTML, written here rather than in
    the template: a table of 60 agencies has some 600 cells, and template tags (a URL reversed and
    numbers localised per cell) made the page cost 4 times what its data did. The markup is the
    one the template had (each value labelled for the phone's cards, screen-reader text)."""
    if not rows:
        empty = escape(_("Tidak ada perangkat daerah yang cocok dengan saringan."))
        return mark_safe(f'<tr><td colspan="{len(columns) + 4}">{empty}</td></tr>')  # noqa: S308 - escaped above
    unassigned = escape(_("tidak ditugaskan"))
    total, status_word, late_word = escape(_("Total")), escape(_("Status")), escape(_("Terlambat (hari)"))
    not_started = escape(_("Belum mulai"))
    parts = []
    for row in rows:
        completion = row.completion
        submission = completion.submission
        name = escape(completion.agency.name)
        url = reverse("evaluations:review_submission", args=[submission.pk]) if submission else None
        parts.append(f'<tr data-agency="{escape(completion.agency.abbreviation)}">')
        parts.append(f'<th scope="row"><a href="{url}">{name}</a></th>' if url else f'<th scope="row">{name}</th>')
        for pillar, cell in row.cells:
            code = escape(pillar.code)
            if cell is None:
                parts.append(
                    f'<td class="text-center cell-unassigned" data-pillar="{code}"><span class="text-muted" '
                    f'aria-hidden="true">·</span><span class="visually-hidden">{unassigned}</span></td>'
                )
                continue
            percent = f'<a href="{url}?pilar={code}">{cell.percent}%</a>' if url else f"{cell.percent}%"
            parts.append(
                f'<td class="text-center" data-pillar="{code}"><span class="card-label">{code}: </span>{percent} '
                f'<span class="visually-hidden">({cell.answered}/{cell.assigned})</span></td>'
            )
        status = completion.status
        label = escape(submission.get_status_display()) if submission and status != NOT_STARTED else not_started
        days = f'<span class="text-danger">{row.days_late}</span>' if row.days_late else "0"
        parts.append(
            f'<td class="text-end"><span class="card-label">{total}: </span>{completion.percent}% '
            f'<small class="text-muted">({completion.answered}/{completion.assigned})</small></td>'
            f'<td><span class="card-label">{status_word}: </span><span class="badge status-{escape(status)}">'
            f"{label}</span></td>"
            f'<td class="text-end"><span class="card-label">{late_word}: </span>{days}</td></tr>'
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or a number


def _digest(values):
    return hashlib.sha256(json.dumps(values).encode()).hexdigest()[:24]


def _filtered(rows, params):
    """The rows the filters keep: the chosen pillar assigned, the status, the name or abbreviation."""
    if params.get("pilar"):
        rows = [r for r in rows if params["pilar"] in r.completion.pillars]
    if params.get("status"):
        rows = [r for r in rows if r.completion.status == params["status"]]
    if params.get("q"):
        needle = params["q"].lower()
        rows = [r for r in rows if needle in f"{r.completion.agency.name} {r.completion.agency.abbreviation}".lower()]
    return rows


# --- the results page -------------------------------------------------------------------------
def for_index(period, periods):
    """The evaluation index as the ministry computes it, three times and always labelled: the
    official index (approved answers, verified scores), the provisional one (every handed-in
    answer) and the self-assessment one, each with its coverage; a bar per evaluation dimension, a
    radar of the six pillars, the weakest sub-dimensions and the impact survey's means; the
    comparison with the previous period uses the official index."""
    previous = period.previous(among=periods)
    figures = cached_figures({period: ("results", "survey"), previous: ("results",)})
    result, survey = figures[period.pk]["results"], figures[period.pk]["survey"]
    before = figures[previous.pk]["results"] if previous else None
    stamps = [figures[p.pk]["stamp"] for p in (period, previous) if p is not None]

    def drawn():
        dimensions = list(Dimension.objects.filter(national_id=period.national_id))
        pillars = list(Pillar.objects.all())
        subdimensions = {s.code: s for s in SubDimension.objects.select_related("pillar")}
        dimension_rows = [{"dimension": d, **_scores(result, before, "dimensions", d.code)} for d in dimensions]
        pillar_rows = [{"pillar": p, **_scores(result, before, "pillars", p.code)} for p in pillars]
        for row in pillar_rows:
            row["change"] = scoring.change(row["official"], row["previous"]) if before else None
        return {
            "dimension_rows": dimension_rows,
            "pillar_rows": pillar_rows,
            "weakest": _weakest(result, subdimensions),
            "survey_rows": _survey_rows(survey, result, pillars, subdimensions),
            "impact_questions": impact_questions(period) if survey.exists else [],
            **_index_charts(dimensions, pillars, dimension_rows, pillar_rows, previous if before else None),
        }

    return {
        "period": period,
        "previous": previous,
        "result": result,
        "before": before,
        "indexes": index_cards(result, before),
        "coverage": result.coverage.total,
        "survey": survey,
        # Drawn from the figures and what they are labelled with (the instrument's dimensions, the
        # pillars, the impact questions: all read by the stamps), once per change of either.
        **cached_drawing("results_index", stamps, drawn),
    }


def _scores(result, before, kind, code):
    """One dimension's or pillar's figures: the three indexes, the coverage, last period's official."""
    return {
        "official": getattr(result.official, kind).get(code),
        "provisional": getattr(result.provisional, kind).get(code),
        "self": getattr(result.self, kind).get(code),
        "coverage": getattr(result.coverage, kind).get(code) or scoring.Coverage(),
        "previous": getattr(before.official, kind).get(code) if before else None,
    }


def _weakest(result, subdimensions):
    """The five sub-dimensions with the lowest official score, beside their self-assessed one."""
    return [
        {
            "subdimension": subdimensions.get(code),
            "code": code,
            "official": value,
            "self": result.self.subdimensions.get(code),
        }
        for code, value in scoring.weakest(result.official.subdimensions, n=5)
    ]


def _index_charts(dimensions, pillars, dimension_rows, pillar_rows, previous):
    """The bar per evaluation dimension (three indexes) and the radar of the pillars (official),
    each with last period's official index when `previous` has results."""
    series_names = [_("Indeks resmi"), _("Indeks sementara"), _("Penilaian mandiri")]
    bar_series = [
        charts.Series(series_names[0], [r["official"] for r in dimension_rows]),
        charts.Series(series_names[1], [r["provisional"] for r in dimension_rows]),
        charts.Series(series_names[2], [r["self"] for r in dimension_rows]),
    ]
    radar_series = [charts.Series(series_names[0], [r["official"] for r in pillar_rows])]
    if previous is not None:
        label = _("Resmi %(period)s") % {"period": previous.name}
        bar_series.append(charts.Series(label, [r["previous"] for r in dimension_rows]))
        radar_series.append(charts.Series(label, [r["previous"] for r in pillar_rows]))
    return {
        "bar_chart": charts.bar_chart(
            [f"{d.code}. {d.name}" for d in dimensions], bar_series, title=_("Skor per dimensi evaluasi")
        ),
        "radar_chart": charts.radar_chart([p.name for p in pillars], radar_series, title=_("Indeks resmi per pilar")),
    }


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


# --- the leader's home ------------------------------------------------------------------------
def for_leader(period):
    """The leader's panel: the period's indexes with their coverage, the six pillars, how many
    agencies handed in, and who is late or returned, from period.results() and
    completion.agency_completion() (a fixed number of queries whatever the number of agencies)."""
    figures = cached_figures({period: ("results", "completion")})[period.pk]
    result, completion = figures["results"], figures["completion"]
    days_left = period.days_left()
    pillars = list(Pillar.objects.all())
    pillar_rows = [
        {
            "pillar": pillar,
            "official": result.official.pillars.get(pillar.code),
            "provisional": result.provisional.pillars.get(pillar.code),
            "coverage": result.coverage.pillars.get(pillar.code) or scoring.Coverage(),
        }
        for pillar in pillars
    ]
    return {
        "indexes": index_cards(result, kinds=("official", "provisional")),
        "coverage": result.coverage.total,
        "pillar_rows": pillar_rows,
        "pillar_chart": cached_drawing(
            "leader_pillars",
            [figures["stamp"]],
            lambda: charts.bar_chart(
                [pillar.name for pillar in pillars],
                [
                    charts.Series(_("Indeks resmi"), [row["official"] for row in pillar_rows]),
                    charts.Series(_("Indeks sementara"), [row["provisional"] for row in pillar_rows]),
                ],
                title=_("Indeks resmi dan sementara per pilar"),
            ),
        ),
        "shares": AgencyShares.of(completion),
        "days_left": days_left,
        "days_past": -days_left,
        # The latest first: those are the ones to call.
        "attention": sorted(
            (
                {"completion": row, "days_late": row.days_late(period)}
                for row in completion
                if row.needs_attention(period)
            ),
            key=lambda item: -item["days_late"],
        ),
    }


# --- the workbook's change stamp --------------------------------------------------------------
# What the ministry's workbook (this topic's export, excel/workbook*.py) shows of a period, in two
# kinds of rows. A table the workbook starts reading must be added to one of the two lists:
# tests/test_jobs_change_stamp.py fails until it is, and changes each thing a sheet shows in turn.
#
# The period's work, rows that grow with it (answers, responses, data-set uploads): each kind is
# written by one writer that moves a figure below (an answer's version and time, a removal's,
# deletion's or exclusion's time, a transition's event row), and a deletion moves no time forward,
# so each is counted as well. One query whatever the size of the period.
_REMOVED = {"removed_at": Max("removed_at"), "removed_n": Count("removed_at")}
ACTIVITY = [
    (Answer, "submission__period", {"at": Max("updated_at"), "versions": Sum("version")}),
    (AnswerChange, "answer__submission__period", {"at": Max("changed_at")}),
    (Evidence, "answer__submission__period", {"at": Max("uploaded_at"), **_REMOVED}),
    (ReviewComment, "answer__submission__period", {"at": Max("created_at")}),
    (Submission, "period", {"at": Max("updated_at")}),
    (SubmissionEvent, "submission__period", {"at": Max("created_at")}),
    (QuickWinEvidence, "quick_win__period", {"at": Max("uploaded_at"), **_REMOVED}),
    # The data sets' rows are written only with their upload's row (DatasetUpload.accept replaces
    # them, delete_by removes them): the uploads stand for them (UPLOADED_ROWS), and the stamp
    # never waits on a data set's table.
    (
        DatasetUpload,
        "period",
        {"at": Max("uploaded_at"), "deleted": Max("deleted_at"), "deleted_n": Count("deleted_at")},
    ),
    (
        SurveyResponse,
        "form__survey__period",
        {"at": Max("submitted_at"), "excluded": Max("excluded_at"), "excluded_n": Count("excluded_at")},
    ),
    (SurveyResponseEvent, "response__form__survey__period", {"at": Max("at")}),
    (SurveyRating, "response__form__survey__period", {}),
    (ProgrammeUse, "response__form__survey__period", {}),
]
UPLOADED_ROWS = (RoadSegment, School, HealthFacility, TransportFacility)
# What people set up and name (the instrument, assignments, quick wins, the survey's statements,
# programmes and enumerators, agencies, pillars, kecamatan): few rows, edited in place by forms and
# the admin without a trace the stamp could count, so every column of every row is read and hashed.
# None: the table is nobody's own (pillars), all its rows count.
# The instrument is the national period's: its tables are read by the period's national_id, the
# region's agencies and kecamatan by its region_id.
SETUP = [
    (Dimension, "national_id"),
    (Indicator, "dimension__national_id"),
    (Question, "indicator__dimension__national_id"),
    (AnswerOption, "question__indicator__dimension__national_id"),
    (ScoreBand, "question__indicator__dimension__national_id"),
    (Assignment, "period"),
    (QuickWin, "period"),
    (QuickWin.supporting_agencies.through, "quickwin__period"),
    (ImpactSurvey, "period"),
    (SurveyForm, "survey__period"),
    (SurveyStatement, "national_id"),
    (SurveyProgramme, "survey__period"),
    (Enumerator, "form__survey__period"),
    (Agency, "region_id"),
    (Kecamatan, "region_id"),
    (Pillar, None),
    (SubDimension, None),
]


def period_change_stamp(period):
    """A short fingerprint of everything the workbook shows for `period`: it changes when anything
    a sheet shows changes (the lists above), so that a workbook job keyed by it is built again.
    One query whatever the size of the period: the period's row with the ACTIVITY figures, and
    every row of the SETUP tables, each as one JSON array, united.

    It lives with the results, not with the Job row (models/jobs.py) that carries it as a key: a
    job knows nothing of what it builds."""
    parts = [_activity(period)]
    for model, path in SETUP:
        if path is None:
            rows = model.objects.all()
        elif path.endswith("_id"):  # the period's national period or region
            rows = model.objects.filter(**{path: getattr(period, path.rpartition("__")[2])})
        else:
            rows = model.objects.filter(**{path: period})
        parts.append(rows.order_by().values_list(_as_array(model._meta.label, _columns(model))))
    parts.append(_signers(period))
    texts = sorted(json.dumps(row, sort_keys=True, default=str) for (row,) in parts[0].union(*parts[1:], all=True))
    return hashlib.sha256("\n".join(texts).encode()).hexdigest()[:16]


def _signers(period):
    """The names of those who signed the period's approvals (Progres OPD shows them): only these
    columns of only these users, not a login's time or a password."""
    submissions = Submission.objects.filter(period=period)
    users = get_user_model().objects.filter(
        Q(pk__in=submissions.values("approved_by")) | Q(pk__in=submissions.values("second_approved_by"))
    )
    return users.order_by().values_list(_as_array("signers", [F("pk"), F("username"), F("first_name"), F("last_name")]))


def _columns(model):
    return [F(field.attname) for field in model._meta.concrete_fields]


def _as_array(label, values):
    """A row as one JSON array: the table's label, then its values, in arrays of at most 50 (a
    database function takes at most 100 arguments on PostgreSQL)."""
    return JSONArray(Value(label), *(JSONArray(*values[i : i + 50]) for i in range(0, len(values), 50)))


def _activity(period):
    """The period's own row and its ACTIVITY figures (one subquery, one scan, per table)."""

    def figures(model, path, named):
        # Grouped by the period itself, so the subquery gives one row: that period's figures.
        rows = model.objects.filter(**{path: OuterRef("pk")}).order_by().values(path)
        return Subquery(rows.annotate(v=JSONArray(Count("pk"), *named.values())).values("v")[:1])

    row = _as_array("period", [*_columns(EvaluationPeriod), *(figures(*entry) for entry in ACTIVITY)])
    return EvaluationPeriod.objects.filter(pk=period.pk).order_by().values_list(row)
