"""The results topic's figures computed once per change of what they are computed from.

    figures = cached_figures({period: ("results", "completion"), previous: ("results",)})
    figures[period.pk]["results"]       # period.results(), from the shared cache when unchanged

`period.results()` (the three indexes), `surveys.survey_results()` (the impact survey's means) and
`completion.agency_completion()` (the dashboard's agencies × pillars) are kept in Django's cache
(Redis in production, so every app host shares them) under a stamp of their inputs: one query,
whatever the number of periods asked for, reads a fingerprint of every row they are computed from
(RESULTS_ACTIVITY and RESULTS_SETUP below). A change to any of them gives a new stamp, hence a new
key: an old figure is never served, it is simply never asked for again and expires. A closed
period's figures are computed once (its stamp no longer moves); a page asking for the figures of
a period and of the one before pays one stamp query and one cache round trip when both are cached.

The stamp is the workbook's change stamp (results.period_change_stamp) over fewer tables: only
what the three computations read. tests/test_results_cache.py fails when one of them starts
reading a table that is not listed here, and changes each kind of input in turn.
"""

import functools
import hashlib
from collections import defaultdict

from django.core.cache import cache
from django.db import connection
from django.db.models import BigIntegerField, Count, F, Max, Sum, TextField, Value
from django.db.models.functions import Cast, JSONArray
from django.utils.translation import get_language
from django_scopes import scopes_disabled

from pillars.models import Pillar

from .completion import agency_completion
from .models import (
    EvaluationPeriod,
    InputCount,
    Submission,
    SurveyRating,
    SurveyResponse,
    SurveyResponseEvent,
)
from .surveys import survey_results

# Rows that grow with the work and stay few, one aggregate each (as results.ACTIVITY: each kind has
# one writer that moves these figures; a deletion moves the count).
RESULTS_ACTIVITY = [
    (Submission, "period", {"at": Max("updated_at")}),
    (
        SurveyResponse,
        "form__survey__period",
        {"at": Max("submitted_at"), "excluded": Max("excluded_at"), "excluded_n": Count("excluded_at")},
    ),
    (SurveyResponseEvent, "response__form__survey__period", {"at": Max("at")}),
    (SurveyRating, "response__form__survey__period", {}),
]
# The rest is counted by the database (evaluations/input_counts.py, models.InputCount): every
# insert, update and delete of a row adds one to its owner's count, so the stamp reads a few counts
# instead of every answer of the period (18,000 at the 60 x 300 scale; 523,000 for the national
# table of 241 regions) and every column of the instrument. Whose rows they are: SUBMISSION, a
# submission's (its answers and events, counted per submission so that agencies saving at once
# never wait for each other's count; path to the period); PERIOD, the period's own; NATIONAL, the
# national period's instrument, shared by each region's period of it; SHARED, every row counts for
# every period. The agencies count for each period of their region (region__periods).
# (model label, kind, path from a row to its owner, path to the period for a submission's count).
SUBMISSION, PERIOD, NATIONAL, SHARED = (kind.value for kind in InputCount.Kind)
RESULTS_COUNTED = [
    ("evaluations.Answer", SUBMISSION, "submission", "submission__period"),
    ("evaluations.SubmissionEvent", SUBMISSION, "submission", "submission__period"),
    ("evaluations.Dimension", NATIONAL, "national", None),
    ("evaluations.Indicator", NATIONAL, "dimension__national", None),
    ("evaluations.Question", NATIONAL, "indicator__dimension__national", None),
    ("evaluations.ScoreBand", NATIONAL, "question__indicator__dimension__national", None),
    ("evaluations.Assignment", PERIOD, "period", None),
    ("evaluations.ImpactSurvey", PERIOD, "period", None),
    ("evaluations.SurveyForm", PERIOD, "survey__period", None),
    ("evaluations.SurveyStatement", NATIONAL, "national", None),
    ("evaluations.Agency", PERIOD, "region__periods", None),
    ("pillars.Pillar", SHARED, None, None),
    ("pillars.SubDimension", SHARED, None, None),
]

# What can be asked for: name -> how it is computed from a period.
KINDS = {
    "results": lambda period: period.results(),
    "survey": survey_results,
    "completion": agency_completion,
    # What the dashboard labels its columns and filter with: every period's stamp reads the pillars.
    "pillars": lambda period: list(Pillar.objects.all()),
}
# A key holds its stamp, so an entry is never wrong, only unused once its inputs change: it may
# live long (a closed period's figures are asked for year after year) and is then dropped.
TIMEOUT = 30 * 24 * 3600
KEY_VERSION = 1  # bump when what KINDS return changes shape, so no process reads the old shape


def cached_figures(wanted):
    """{period.pk: {kind: value, "stamp": its inputs' stamp, None when they changed while the
    figures were computed}} for `wanted`, {period: (kind, ...)}
    (None periods are skipped): one stamp query for all the periods and one cache read; when
    something was missing, its computation and a second stamp query, then one cache write."""
    wanted = {period: kinds for period, kinds in wanted.items() if period is not None}
    stamps = input_stamps(list(wanted))
    keys = {
        _key(period.pk, stamps[period.pk], kind): (period, kind) for period, kinds in wanted.items() for kind in kinds
    }
    found = cache.get_many(list(keys))
    missing = {key: KINDS[kind](period) for key, (period, kind) in keys.items() if key not in found}
    if missing:
        # Computed after the stamp was read: a change committed meanwhile may be in them. Kept only
        # under a stamp that still holds once they are computed, else a later change back to the
        # first state (a weight typed wrong and corrected) would find them.
        after = input_stamps(list(wanted))
        moved = {pk for pk, stamp in stamps.items() if after[pk] != stamp}
        cache.set_many({key: value for key, value in missing.items() if keys[key][0].pk not in moved}, timeout=TIMEOUT)
        stamps = {pk: None if pk in moved else stamp for pk, stamp in stamps.items()}
    figures = {period.pk: {"stamp": stamps[period.pk]} for period in wanted}
    for key, (period, kind) in keys.items():
        figures[period.pk][kind] = found[key] if key in found else missing[key]
    return figures


def cached_per_period(kind, periods, compute):
    values, _settled = cached_per_period_settled(kind, periods, compute)
    return values


def cached_per_period_settled(kind, periods, compute, stamps=None):
    """{period.pk: value} of `kind` for each of `periods`, cached per period under its own stamp,
    for pages that show many periods at once (every region's period of a national period).
    `compute(periods)` gives {period.pk: value} for the periods it is given in a fixed number of
    queries, whatever their number; it is called once, with the periods whose entry is missing
    (all of them cold, only those whose inputs changed since). One stamp query for all the periods
    and one cache read; when something was missing, its computation, a second stamp query (over
    those periods only) and one cache write. A change in one period's inputs moves that period's
    stamp only: the other periods' entries are still read.

    Returns the values and whether they all hold under `stamps` (read here unless given): False when
    an input of a period computed here changed meanwhile, so what is drawn from them is not to be kept."""
    stamps = stamps or input_stamps(periods)
    keys = {_key(period.pk, stamps[period.pk], kind): period for period in periods}
    found = cache.get_many(list(keys))
    missing = [period for key, period in keys.items() if key not in found]
    computed = compute(missing) if missing else {}
    settled = True
    if missing:
        # As in cached_figures: kept only under a stamp that still holds once they are computed.
        after = input_stamps(missing)
        held = [period for period in missing if after[period.pk] == stamps[period.pk]]
        settled = len(held) == len(missing)
        cache.set_many({_key(period.pk, stamps[period.pk], kind): computed[period.pk] for period in held}, TIMEOUT)
    values = {period.pk: found[key] if key in found else computed[period.pk] for key, period in keys.items()}
    return values, settled


def cached_drawing(name, stamps, draw):
    """A drawing (a chart's SVG) made from figures with these `stamps`, in the active language:
    drawn once per change of the figures, then read from the cache (never kept when a stamp is
    None: the figures changed while they were computed)."""
    if None in stamps:
        return draw()
    key = f"drawing:{KEY_VERSION}:{name}:{get_language()}:{':'.join(stamps)}"
    drawing = cache.get(key)
    if drawing is None:
        drawing = draw()
        cache.set(key, drawing, timeout=TIMEOUT)
    return drawing


def _key(pk, stamp, kind):
    return f"figures:{KEY_VERSION}:{pk}:{stamp}:{kind}"


def input_stamps(periods):
    """{period.pk: a short fingerprint of every row the KINDS read for it}. One query whatever the
    number of periods and rows: each period's row, its RESULTS_ACTIVITY figures (one grouped
    aggregate per table for all the periods), and every row of the RESULTS_SETUP tables tagged
    with whose it is (the period's, its national period's, everyone's), united. On PostgreSQL the
    database folds each owner's rows into one digest, so a few hundred short rows travel instead
    of every row of every table (at 241 regions: 60,000 rows, a second); elsewhere the rows are
    hashed here. A period's stamp hashes its own digest, its national period's and the shared one."""
    if not periods:
        return {}
    pks = [period.pk for period in periods]
    sql, params = _stamp_query(connection.vendor, len(pks))
    by_sentinel = dict(zip(_sentinels(len(pks)), pks, strict=True))
    texts = defaultdict(list)
    with connection.cursor() as cursor:
        cursor.execute(sql, [pks if param is PERIOD_IDS else by_sentinel.get(param, param) for param in params])
        for scope, owner, text in cursor.fetchall():
            texts[scope, owner].append(text)
    digests = {owner: hashlib.sha256("\n".join(sorted(rows)).encode()).hexdigest() for owner, rows in texts.items()}
    shared = digests.get((SHARED, None), "")
    stamps = {}
    for period in periods:
        own, instrument = digests.get((PERIOD, period.pk), ""), digests.get((NATIONAL, period.national_id), "")
        stamps[period.pk] = hashlib.sha256(f"{own}:{instrument}:{shared}".encode()).hexdigest()[:20]
    return stamps


def _sentinels(count):
    return [-(10**9) - i for i in range(count)]


@functools.cache
def _stamp_query(vendor, count):
    """The stamp's SQL for `count` periods, compiled once per process (building and compiling the
    union of a dozen querysets cost more than running it). It is compiled for sentinel period ids
    (negative, no row has them) which the caller swaps for the real ones: the only integers among
    the parameters are the period ids, the rest are the tables' labels."""
    pks = _sentinels(count)
    with scopes_disabled():  # the period ids are the region's: no region filter of its own
        sql, params = _compile(pks)
    if vendor == "postgresql":
        sql, params = _as_arrays(sql, params, pks)
        # One digest per owner, computed where the rows are: the count of its rows and the sum of
        # their 64-bit hashes, which needs no sort (sorting some 60,000 texts at 241 regions cost
        # as much as reading them); a changed row changes the sum unless its two hashes collide.
        sql = (
            "SELECT scope, owner, count(*) || ':' || sum(hashtextextended(t, 0)) "
            f"FROM ({sql}) AS stamp_rows (scope, owner, t) GROUP BY scope, owner"
        )
    return sql, params


# In a PostgreSQL stamp query's parameters: the list of the period ids, as one array.
PERIOD_IDS = object()


def _as_arrays(sql, params, pks):
    """Each `IN (%s, …)` of the period ids as `= ANY(%s)` with one array: at 241 regions the eight
    lists of 241 parameters took as long to pass and plan (10 ms) as the query took to run."""
    group = "IN (" + ", ".join(["%s"] * len(pks)) + ")"
    pieces = sql.split(group)
    arrays, taken = [], 0
    for piece in pieces[:-1]:
        taken += piece.count("%s")
        if list(params[taken : taken + len(pks)]) != pks:
            raise ValueError("a list of the stamp query's parameters is not the period ids")
        arrays.append(taken)
        taken += len(pks)
    out, start = [], 0
    for at in arrays:
        out += [*params[start:at], PERIOD_IDS]
        start = at + len(pks)
    out += params[start:]
    return "= ANY(%s)".join(pieces), tuple(out)


def _compile(pks):
    periods = EvaluationPeriod.objects.filter(pk__in=pks)
    counts = InputCount.objects.order_by()
    label = Value("counted")
    parts = [
        _period_rows(pks),
        *_activity(pks),
        # A submission's counts, summed per period (how many submissions have one, and their sum).
        counts.filter(kind=SUBMISSION, period__in=pks)
        .values("period")
        .values_list(_scope(PERIOD), "period", _text(label, Count("pk"), Sum("changes"))),
        counts.filter(kind=PERIOD, owner__in=pks).values_list(_scope(PERIOD), "owner", _text(label, "changes")),
        counts.filter(kind=NATIONAL, owner__in=periods.values("national_id")).values_list(
            _scope(NATIONAL), "owner", _text(label, "changes")
        ),
        counts.filter(kind=SHARED).values_list(
            _scope(SHARED), Value(None, output_field=BigIntegerField()), _text(label, "changes")
        ),
    ]
    sql, params = parts[0].union(*parts[1:], all=True).query.sql_with_params()
    if any(isinstance(param, int) and param not in pks for param in params):
        raise ValueError("the stamp query has integer parameters other than the period ids")
    return sql, tuple(params)


def _scope(scope):
    return Value(scope, output_field=TextField())


def _text(*values):
    """The values as one JSON array's text, as the database writes it (hashed as it comes)."""
    return Cast(_JSONArray(*values), TextField())


class _JSONArray(JSONArray):
    """JSONArray built as PostgreSQL's json type (json_build_array), not jsonb as Django builds it:
    jsonb converts every value to its binary form, only for the stamp to turn it back into text;
    over the 60,000 rows of 241 regions' stamp that took three times as long."""

    def as_postgresql(self, compiler, connection, **extra_context):
        typed = self.copy()
        typed.set_source_expressions(
            [
                value if isinstance(value, Cast) else Cast(value, value.output_field)
                for value in typed.get_source_expressions()
            ]
        )
        return typed.as_sql(compiler, connection, function="JSON_BUILD_ARRAY", **extra_context)


def columns(model):
    return [F(field.attname) for field in model._meta.concrete_fields]


def as_arrays(model_or_values):
    """A row's values as JSON arrays of at most 50 (a database function takes at most 100
    arguments on PostgreSQL)."""
    values = columns(model_or_values) if isinstance(model_or_values, type) else model_or_values
    return [_JSONArray(*values[i : i + 50]) for i in range(0, len(values), 50)]


def _period_rows(pks):
    """Each period's own row."""
    return (
        EvaluationPeriod.objects.filter(pk__in=pks)
        .order_by()
        .values_list(_scope(PERIOD), "pk", _text(Value("period"), *as_arrays(EvaluationPeriod)))
    )


def _activity(pks):
    """Each period's RESULTS_ACTIVITY figures: one grouped aggregate per table for all the periods
    (one scan of the table, not one subquery per period)."""
    parts = []
    for model, path, named in RESULTS_ACTIVITY:
        label = Value(model._meta.label)
        parts.append(
            model.objects.filter(**{f"{path}__in": pks})
            .order_by()
            .values(path)
            .values_list(_scope(PERIOD), path, _text(label, Count("pk"), *named.values()))
        )
    return parts
