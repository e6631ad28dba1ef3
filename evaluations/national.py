"""Every region side by side for one national period: the table of /nasional/ (the ministry) and
/provinsi/<kode>/ (a province), and of its workbook (tasks.build_national_table).

One row per region: the official and provisional indexes, the coverage (approved answers of the
assigned questions), the official index of each of the six pillars, the agencies that handed in or
were approved, the days to the region's own deadline, and the rank in the nation and in the
province. The figures are those of each region's results page (EvaluationPeriod.results).

Each region period's figures are kept in the shared cache under the stamp of their inputs
(results_cache.cached_per_period, the stamp the results page's figures use): a warm table is the
periods, one stamp query for all of them and one cache read, whatever the number of regions. The
figures of the region periods whose inputs changed (every one, cold) are computed together from
aggregates in seven queries whatever their number: the national instrument's questions, the
assignments (what is answered, how many agencies), the answers' tallies per region and question
(summed by the database), the weights, the submissions' progress and the pillars. An answer
changed in one region moves that region's stamp only: the other regions' figures stay cached.
"""

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from types import SimpleNamespace

from django.core.cache import cache
from django.db import models
from django.template.defaultfilters import floatformat
from django.template.defaultfilters import urlencode as urlquote
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django_scopes import scopes_disabled

from pillars.models import Pillar

from . import results_cache, scoring
from .models import Answer, Assignment, Dimension, EvaluationPeriod, NationalPeriod, Question, Submission
from .models.periods import CENT, answer_tallies
from .scoring import round_score

# The table's sortable columns: the query value (?urut=) and what a row is sorted by.
SORTS = {
    "wilayah": lambda row: row.region.name,
    "kode": lambda row: row.region.code,
    "resmi": lambda row: row.official,
    "sementara": lambda row: row.provisional,
    "cakupan": lambda row: row.coverage,
    "dikirim": lambda row: row.handed_in,
    "disetujui": lambda row: row.approved,
    "opd": lambda row: row.agencies,
    "tenggat": lambda row: row.days_left,
    "peringkat": lambda row: row.national_rank,
    "peringkat-provinsi": lambda row: row.province_rank,
}
DEFAULT_SORT = "peringkat"


def valid_sort(asked):
    """A column of SORTS or a pillar's ("pilar-GOV"); the national rank otherwise."""
    asked = str(asked or "")
    if asked in SORTS or (asked.startswith("pilar-") and asked[6:].isalnum()):
        return asked
    return DEFAULT_SORT


@dataclass
class RegionRow:
    region: object
    period: object
    official: Decimal | None = None  # None: nothing approved yet (unranked, never zero)
    provisional: Decimal | None = None
    coverage: Decimal | None = None  # % of the assigned questions with an approved answer
    pillars: dict = field(default_factory=dict)  # pillar code -> official index or None

    @property
    def pillar_values(self):
        """The pillars' official indexes in the pillars' order (the table's columns)."""
        return list(self.pillars.values())

    agencies: int = 0  # agencies that answer something
    handed_in: int = 0  # submitted or approved
    approved: int = 0
    days_left: int | None = None
    national_rank: int | None = None
    province_rank: int | None = None


def national_periods():
    """The national periods that some region evaluates, newest first."""
    return NationalPeriod.objects.filter(periods__isnull=False).distinct().order_by("-year", "-stage")


def region_rows(national, regions):
    """The table's rows for `national` (a NationalPeriod) and the regions of `regions` (a
    queryset), ranked; in the regions' code order. Each region period's figures are cached under
    the stamp of its inputs (results_cache.cached_per_period): with nothing changed, the periods,
    one stamp query for all of them and one cache read; the figures of the periods whose inputs
    changed (or all, cold) computed together in seven more queries (`_figures`) and a second stamp."""
    periods = _periods(national, regions)
    with scopes_disabled():
        figures = results_cache.cached_per_period(FIGURES_KIND, periods, _figures)
    return _rows(periods, figures)


def table(national, regions, sort, descending, columns):
    """(the number of rows, the table's body as HTML) of the page: kept in the cache under every
    region period's stamp, the regions' names and provinces, the order, the day (the days to each
    deadline) and the language, so a page asked again with nothing changed is the periods' ids and
    names, one stamp query and one cache read. Not kept when an input changed while the figures
    were computed."""
    # What the key needs, without building 241 periods with their regions (read in full on a miss).
    with scopes_disabled():  # the caller has checked which regions the reader may see
        shown_periods = [
            SimpleNamespace(pk=pk, national_id=national_id, shown=shown)
            for pk, national_id, *shown in EvaluationPeriod.objects.filter(national=national, region__in=regions)
            .order_by("pk")
            .values_list("pk", "national_id", "region__code", "region__name", "region__province_id")
        ]
        stamps = results_cache.input_stamps(shown_periods)
    shown = [sorted(stamps.items()), [p.shown for p in shown_periods], sort, descending, columns]
    shown.append(str(timezone.localdate()))
    digest = hashlib.sha256(json.dumps(shown).encode()).hexdigest()
    key = f"national-table:{results_cache.KEY_VERSION}:{get_language()}:{digest}"
    found = cache.get(key)
    if found is not None:
        return found
    periods = _periods(national, regions)
    if {period.pk for period in periods} != set(stamps):  # a region's period created meanwhile
        stamps = None
    with scopes_disabled():
        figures, settled = results_cache.cached_per_period_settled(FIGURES_KIND, periods, _figures, stamps)
    rows = sorted_rows(_rows(periods, figures), sort, descending)
    drawn = (len(rows), table_body(rows, columns))
    if settled:
        cache.set(key, drawn, results_cache.TIMEOUT)
    return drawn


def _periods(national, regions):
    with scopes_disabled():  # the caller has checked which regions the reader may see
        return list(
            EvaluationPeriod.objects.filter(national=national, region__in=regions).select_related("region__province")
        )


def _rows(periods, figures):
    today = timezone.localdate()
    rows = [_row(period, figures[period.pk], today) for period in sorted(periods, key=lambda p: p.region.code)]
    _rank(rows)
    return rows


# The cache's name of a region period's figures (bump results_cache.KEY_VERSION when
# RegionFigures changes shape).
FIGURES_KIND = "national-row"


@dataclass(frozen=True)
class RegionFigures:
    """What a region period's row shows that its inputs decide (the days to its deadline are the
    calendar's, worked out at each request)."""

    official: Decimal | None
    provisional: Decimal | None
    coverage: Decimal | None
    pillars: dict
    agencies: int
    handed_in: int
    approved: int


def _figures(periods):
    """{period id: RegionFigures} of `periods` (region periods of one national period), computed
    from aggregates in seven queries whatever their number: the national instrument's questions,
    the assignments (what is answered, how many agencies), the answers' tallies per region and
    question (summed by the database), the weights, the submissions' progress and the pillars."""
    national_id = periods[0].national_id
    questions = _questions(national_id)
    assigned = _assigned(periods)
    tallies = _tallies(periods)
    weights = dict(Dimension.objects.filter(national_id=national_id).values_list("code", "weight"))
    progress = _progress(periods)
    pillar_codes = list(Pillar.objects.values_list("code", flat=True))
    figures = {}
    for period in periods:
        pillars_of, questions_of, agencies = assigned.get(period.pk, (set(), set(), 0))
        infos = [
            scoring.QuestionInfo(**info, assigned=info["pillar"] in pillars_of or info["id"] in questions_of)
            for info in questions
        ]
        result = scoring.evaluate_tallies(infos, tallies.get(period.pk, {}), weights)
        total = result.coverage.total
        has_official = total.approved > 0
        figures[period.pk] = RegionFigures(
            official=result.official.final if has_official else None,
            provisional=result.provisional.final if total.answered > 0 else None,
            coverage=total.approved_percent,
            pillars={code: result.official.pillars.get(code) if has_official else None for code in pillar_codes},
            agencies=agencies,
            handed_in=progress.get(period.pk, {}).get("handed_in", 0),
            approved=progress.get(period.pk, {}).get("approved", 0),
        )
    return figures


def _questions(national_id):
    return [
        {
            "id": q["id"],
            "dimension": q["indicator__dimension__code"],
            "pillar": q["pillar__code"],
            "subdimension": q["subdimension__code"],
            "scorable": Question.type_is_scorable(q["answer_type"], q["band_count"]),
        }
        for q in Question.objects.for_national(national_id)
        .annotate(band_count=models.Count("bands"))
        .values("id", "indicator__dimension__code", "pillar__code", "subdimension__code", "answer_type", "band_count")
    ]


def _assigned(periods):
    """{period id: (pillar codes, question ids, agency count)} of the periods' assignments: who
    answers what as distinct rows (a few per region, not one per agency), the agencies counted by
    the database. Two queries."""
    assigned = {}
    rows = (
        Assignment.objects.filter(period__in=periods)
        .order_by()
        .values_list("period_id", "pillar__code", "question_id")
        .distinct()
    )
    for period_id, pillar, question_id in rows:
        pillars_of, questions_of, _count = assigned.setdefault(period_id, (set(), set(), 0))
        if pillar:
            pillars_of.add(pillar)
        if question_id:
            questions_of.add(question_id)
    counts = (
        Assignment.objects.filter(period__in=periods)
        .order_by()
        .values("period_id")
        .annotate(agencies=models.Count("agency_id", distinct=True))
    )
    for row in counts:
        pillars_of, questions_of, _count = assigned.get(row["period_id"], (set(), set(), 0))
        assigned[row["period_id"]] = (pillars_of, questions_of, row["agencies"])
    return assigned


def _tallies(periods):
    """{period id: {question id: Tally}} of the periods' handed-in answers."""
    tallies = {}
    answers = Answer.objects.filter(submission__period__in=periods)
    for row in answer_tallies(answers, "submission__period_id", "question_id"):
        period_id, question_id = row.pop("submission__period_id"), row.pop("question_id")
        for name in ("official_sum", "provisional_sum", "self_sum"):
            row[name] = row[name].quantize(CENT)  # SQLite's float sums, as in results()
        tallies.setdefault(period_id, {})[question_id] = scoring.Tally(**row)
    return tallies


def _progress(periods):
    status = Submission.Status
    return {
        row["period_id"]: row
        for row in Submission.objects.filter(period__in=periods)
        .values("period_id")
        .order_by()
        .annotate(
            handed_in=models.Count("id", filter=models.Q(status__in=(status.SUBMITTED, status.APPROVED))),
            approved=models.Count("id", filter=models.Q(status=status.APPROVED)),
        )
    }


def _row(period, figures, today):
    return RegionRow(
        region=period.region,
        period=period,
        official=figures.official,
        provisional=figures.provisional,
        coverage=figures.coverage,
        pillars=dict(figures.pillars),
        agencies=figures.agencies,
        handed_in=figures.handed_in,
        approved=figures.approved,
        days_left=(period.closes - today).days if not period.is_closed() else None,
    )


def _rank(rows):
    """Competition ranks ("1, 2, 2, 4") on the official index as shown (2 decimals), in the nation
    and within each province; a region without an official index has no rank."""
    ranked = [row for row in rows if row.official is not None]

    def assign(group, attribute):
        ordered = sorted(group, key=lambda row: round_score(row.official), reverse=True)
        for position, row in enumerate(ordered):
            previous = ordered[position - 1] if position else None
            if previous is not None and round_score(previous.official) == round_score(row.official):
                setattr(row, attribute, getattr(previous, attribute))
            else:
                setattr(row, attribute, position + 1)

    assign(ranked, "national_rank")
    provinces = {}
    for row in ranked:
        provinces.setdefault(row.region.province_id, []).append(row)
    for group in provinces.values():
        assign(group, "province_rank")


def table_body(rows, columns):
    """The table's rows as HTML, written here rather than in the template: 241 regions by 17
    columns are some 4,000 cells, and the template's lookups and localised number formats cost
    most of the page. The markup is the one the template had (tests/test_national.py renders both)."""
    if not rows:
        return mark_safe(f'<tr><td colspan="{columns}">{escape(_("Tidak ada wilayah."))}</td></tr>')  # noqa: S308
    results, closed = reverse("evaluations:results_index"), escape(_("ditutup"))
    separator = formats.get_format("DECIMAL_SEPARATOR")

    def score(value):  # as format_score: half up to 2 decimals, the language's separator
        return "–" if value is None else f"{round_score(value):.2f}".replace(".", separator)

    def rank(value):
        return "–" if value is None else value

    parts = []
    for row in rows:
        code, period = escape(row.region.code), row.period.pk
        coverage = "–" if row.coverage is None else f"{floatformat(row.coverage, 0)}%"
        pillars = "".join(f'<td class="text-end pillar">{score(value)}</td>' for value in row.pillar_values)
        days = closed if row.days_left is None else row.days_left
        parts.append(
            f'\n    <tr data-region="{code}">\n      <td>{code}</td>\n      <th scope="row"><a href="{results}?wilayah='
            f'{escape(urlquote(row.region.code))}&amp;periode={period}">{escape(row.region.name)}</a></th>\n'
            f'      <td class="text-end official">{score(row.official)}</td>\n'
            f'      <td class="text-end provisional">{score(row.provisional)}</td>\n'
            f'      <td class="text-end coverage">{coverage}</td>\n      {pillars}\n'
            f'      <td class="text-end">{row.agencies}</td>\n'
            f'      <td class="text-end handed-in">{row.handed_in}</td>\n'
            f'      <td class="text-end approved">{row.approved}</td>\n'
            f'      <td class="text-end days-left">{days}</td>\n'
            f'      <td class="text-end national-rank">{rank(row.national_rank)}</td>\n'
            f'      <td class="text-end province-rank">{rank(row.province_rank)}</td>\n    </tr>\n  '
        )
    return mark_safe("".join(parts))  # noqa: S308 - every value above is escaped or a number


def sorted_rows(rows, sort, descending):
    """Rows sorted by a column of SORTS; rows without a value always last."""
    if sort.startswith("pilar-"):
        code = sort[6:]

        def key(row):
            return row.pillars.get(code)
    else:
        key = SORTS.get(sort, SORTS[DEFAULT_SORT])
    present = [row for row in rows if key(row) is not None]
    missing = [row for row in rows if key(row) is None]
    return sorted(present, key=key, reverse=descending) + missing
