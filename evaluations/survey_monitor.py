"""The impact survey's monitor (survei dampak, /survei-dampak/<period>/pantau/), read only: each
form's responses against its target, a split pillar's total, and one form's days, enumerators,
profile mix and programme use, as plain rows for the pages. Excluding a response and its undo are
SurveyResponse.exclude and .include; the list of responses is SurveyResponse.objects.for_monitor.
The rest of the survey's rules are in surveys.py.
"""

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from .formats import whole_percent
from .models import Enumerator, ProgrammeUse, SurveyForm, SurveyResponse


def _percent(part, whole):
    """A count against its target as a whole-number percentage, rounded half up (5 of 30 is 17%,
    not the 16% a cut gives), never a premature 100% (formats.whole_percent)."""
    return whole_percent(part, whole)


def _share(part, whole):
    """A share of the respondents as a whole-number percentage, rounded half up (2 of 3 is 67%)."""
    return (part * 200 + whole) // (2 * whole) if whole else 0


def _count_row(label, target, counts, form=None, is_part=False):
    """One form's (or a split pillar's) counts: `excluded` by a coordinator, `held` for review by
    the burst rule; neither counts toward the target."""
    counts = counts or {}
    counted = counts.get("counted", 0)
    held = counts.get("held", 0)
    return {
        "label": label,
        "form": form,
        "is_part": is_part,
        "target": target,
        "total": counts.get("total", 0),
        "counted": counted,
        "held": held,
        "excluded": counts.get("total", 0) - counted - held,
        "flagged": counts.get("flagged", 0),
        "flagged_counted": counts.get("flagged_counted", 0),
        "percent": _percent(counted, target),
        "bar_value": min(counted, target),
    }


def monitor_rows(survey):
    """The monitor's table: every form of the survey (a pillar, or a sub-dimension of a split
    pillar) with its responses against the target, a split pillar's total before its parts. Two
    queries whatever the number of responses: the forms, the counts per form (flags included)."""
    forms = list(SurveyForm.objects.filter(survey=survey).select_related("pillar", "subdimension"))
    counts = SurveyResponse.objects.filter(form__survey=survey).counts_per_form()
    rows, by_pillar = [], {}
    for form in forms:
        by_pillar.setdefault(form.pillar, []).append(form)
    for pillar, pillar_forms in by_pillar.items():
        if len(pillar_forms) == 1 and pillar_forms[0].subdimension_id is None:
            form = pillar_forms[0]
            rows.append(_count_row(pillar.name, form.target, counts.get(form.pk), form=form))
            continue
        parts = [counts.get(form.pk, {}) for form in pillar_forms]
        keys = ("total", "counted", "held", "flagged", "flagged_counted")
        total = {key: sum(part.get(key, 0) for part in parts) for key in keys}
        rows.append(_count_row(pillar.name, sum(form.target for form in pillar_forms), total))
        rows.extend(
            _count_row(form.subdimension.name, form.target, counts.get(form.pk), form=form, is_part=True)
            for form in pillar_forms
        )
    return rows


def form_monitor(form):
    """One form's watch page, its list of responses aside: the counts against the target
    (summary), responses per day with a running total of those counted (days, peak), per
    enumerator and through the public link, and the profile mix and programme use of the
    responses that count. Eight queries whatever the number of responses."""
    responses = SurveyResponse.objects.filter(form=form)
    counted = responses.counted()
    summary = _count_row(str(form), form.target, responses.counts_per_form().get(form.pk))
    days = responses.per_day()
    running = 0
    for day in days:
        running += day["counted"]
        day["running"] = running
    kept = Q(responses__excluded_at__isnull=True)
    n = summary["counted"]
    return {
        "summary": summary,
        "days": days,
        "peak": max((day["total"] for day in days), default=0),
        "enumerators": list(
            Enumerator.objects.filter(form=form)
            .select_related("agency")
            .annotate(total=Count("responses"), counted=Count("responses", filter=kept))
        ),
        "public": responses.filter(enumerator__isnull=True).aggregate(
            total=Count("pk"), counted=Count("pk", filter=Q(excluded_at__isnull=True))
        ),
        "profile": [
            (_("Usia"), _share_rows(counted.profile_counts("age_band"), n, SurveyResponse.AgeBand.choices)),
            (_("Pekerjaan"), _share_rows(counted.profile_counts("occupation"), n, SurveyResponse.Occupation.choices)),
            (_("Kecamatan"), _share_rows(counted.profile_counts("kecamatan__name"), n)),
        ],
        "programme_use": _programme_use(form, n),
    }


def _share_rows(pairs, total, labels=None):
    """[(value, count)] as rows with a label and a percentage of `total`; with `labels` (choices in
    their order) every choice is listed, zeros included."""
    found = dict(pairs)
    if labels is not None:
        pairs = [(value, found.get(value, 0)) for value, _label in labels]
    names = dict(labels or [])
    return [
        {"label": names.get(value, value), "count": count, "percent": _share(count, total)} for value, count in pairs
    ]


def _programme_use(form, counted_total):
    """Per programme of the form, how many counted respondents use it how often (one query)."""
    rows = (
        ProgrammeUse.objects.filter(response__form=form, response__excluded_at__isnull=True)
        .order_by()
        .values_list("programme__subdimension__order", "programme__name", "frequency")
        .annotate(n=Count("pk"))
    )
    programmes = {}
    for order, name, frequency, n in sorted(rows):
        programmes.setdefault((order, name), {})[frequency] = n
    return [
        {
            "name": name,
            "cells": [
                {"label": label, "count": found.get(value, 0), "percent": _share(found.get(value, 0), counted_total)}
                for value, label in ProgrammeUse.Frequency.choices
            ],
        }
        for (_order, name), found in programmes.items()
    ]
