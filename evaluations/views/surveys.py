"""The impact survey's staff pages under /survei-dampak/ (issue 15). Each part of the survey keeps
its views in its own block below."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import access, roles
from ..forms.surveys import ExclusionForm, InclusionForm
from ..models import Enumerator, ProgrammeUse, SurveyForm, SurveyResponse, TransitionError
from ..models.surveys import FLAGS_BY_CODE, RESPONSE_FLAGS, min_seconds_per_statement

# =============================================================================================
# Monitor (surveys-monitor): /survei-dampak/<period>/pantau/. Coordinators watch the responses
# come in against the targets, check the flags and exclude what should not count (with a reason;
# the response is kept). Leaders look; operators and others get 404 (access.get_monitored_*).
# =============================================================================================

RESPONSES_PER_PAGE = 50
# The list's filter (?tampil=): every response, the flagged ones, the excluded ones, those counted.
SHOW_FLAGGED, SHOW_EXCLUDED, SHOW_COUNTED = "bermasalah", "dikeluarkan", "dihitung"


def _percent(part, whole):
    """Progress against a target as a whole-number percentage, rounded down: 49.5 of 50 never
    shows a premature 100%."""
    return part * 100 // whole if whole else 0


def _share(part, whole):
    """A share of the respondents as a whole-number percentage, rounded half up (2 of 3 is 67%)."""
    return (part * 200 + whole) // (2 * whole) if whole else 0


def _count_row(label, target, counts, form=None, is_part=False):
    counts = counts or {}
    counted = counts.get("counted", 0)
    return {
        "label": label,
        "form": form,
        "is_part": is_part,
        "target": target,
        "total": counts.get("total", 0),
        "counted": counted,
        "excluded": counts.get("total", 0) - counted,
        "flagged": counts.get("flagged", 0),
        "flagged_counted": counts.get("flagged_counted", 0),
        "percent": _percent(counted, target),
        "bar_value": min(counted, target),
    }


@require_GET
def monitor(request, period_id):
    """Every form of the survey (a pillar, or a sub-dimension of a split pillar) with its responses
    against the target, and a split pillar's total. Three queries whatever the number of responses:
    the survey, its forms, the counts per form (flags included)."""
    survey = access.get_monitored_survey_for_user(request.user, period_id)
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
        total = {key: sum(part.get(key, 0) for part in parts) for key in ("total", "counted", "flagged")}
        total["flagged_counted"] = sum(part.get("flagged_counted", 0) for part in parts)
        rows.append(_count_row(pillar.name, sum(form.target for form in pillar_forms), total))
        rows.extend(
            _count_row(form.subdimension.name, form.target, counts.get(form.pk), form=form, is_part=True)
            for form in pillar_forms
        )
    return render(
        request,
        "evaluations/surveys/monitor.html",
        {"survey": survey, "period": survey.period, "rows": rows, "flags": _flag_legend()},
    )


def _flag_legend():
    return [{"flag": flag, "text": flag.describe()} for flag in RESPONSE_FLAGS]


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


@require_GET
def monitor_form(request, period_id, form_id):
    """One form: responses per day and per enumerator, the profile mix of the responses that count,
    and the list of responses with their flags, 50 a page. A fixed number of queries whatever the
    number of responses (pinned in tests/test_surveys_monitor.py)."""
    form = access.get_monitored_form_for_user(request.user, period_id, form_id)
    responses = SurveyResponse.objects.filter(form=form)
    counted = responses.counted()
    summary = _count_row(str(form), form.target, responses.counts_per_form().get(form.pk))
    days = responses.per_day()
    running, peak = 0, max((day["total"] for day in days), default=0)
    for day in days:
        running += day["counted"]
        day["running"] = running
    enumerators = list(
        Enumerator.objects.filter(form=form)
        .select_related("agency")
        .annotate(total=Count("responses"), counted=Count("responses", filter=Q(responses__excluded_at__isnull=True)))
    )
    public = responses.filter(enumerator__isnull=True).aggregate(
        total=Count("pk"), counted=Count("pk", filter=Q(excluded_at__isnull=True))
    )
    n = summary["counted"]
    profile = [
        (_("Usia"), _share_rows(counted.profile_counts("age_band"), n, SurveyResponse.AgeBand.choices)),
        (_("Pekerjaan"), _share_rows(counted.profile_counts("occupation"), n, SurveyResponse.Occupation.choices)),
        (_("Kecamatan"), _share_rows(counted.profile_counts("kecamatan__name"), n)),
    ]
    show = request.GET.get("tampil", "")
    flag = FLAGS_BY_CODE.get(request.GET.get("tanda", ""))
    listed = responses.with_flags()
    if show == SHOW_FLAGGED:
        listed = listed.flagged()
    elif show == SHOW_EXCLUDED:
        listed = listed.excluded()
    elif show == SHOW_COUNTED:
        listed = listed.counted()
    else:
        show = ""
    if flag:
        listed = listed.flagged(flag.code)
    listed = listed.select_related("enumerator", "kecamatan").order_by("-submitted_at", "-pk")
    page = Paginator(listed, RESPONSES_PER_PAGE).get_page(request.GET.get("halaman"))
    return render(
        request,
        "evaluations/surveys/monitor_form.html",
        {
            "form": form,
            "survey": form.survey,
            "period": form.survey.period,
            "summary": summary,
            "days": days,
            "peak": peak,
            "enumerators": enumerators,
            "public": public,
            "profile": profile,
            "programme_use": _programme_use(form, n),
            "frequencies": ProgrammeUse.Frequency.choices,
            "page": page,
            "show": show,
            "flag": flag,
            "shows": [
                ("", _("Semua")),
                (SHOW_FLAGGED, _("Bermasalah")),
                (SHOW_EXCLUDED, _("Dikeluarkan")),
                (SHOW_COUNTED, _("Dihitung")),
            ],
            "flags": _flag_legend(),
            "min_seconds": min_seconds_per_statement(),
        },
    )


def _response_page(request, period_id, pk, status=200, **forms):
    response = access.get_monitored_response_for_user(request.user, period_id, pk)
    same_person = SurveyResponse.objects.none()
    match = Q()
    if response.contact_hash:
        match |= Q(contact_hash=response.contact_hash)
    if response.device_hash:
        match |= Q(device_hash=response.device_hash)
    if match:
        same_person = (
            SurveyResponse.objects.filter(match, form__survey=response.form.survey_id)
            .exclude(pk=response.pk)
            .select_related("form__pillar", "form__subdimension", "enumerator")
            .order_by("submitted_at", "pk")
        )
    may_act = roles.is_coordinator(request.user)
    context = {
        "response": response,
        "form": response.form,
        "period": response.form.survey.period,
        "uses": response.uses.select_related("programme"),
        "ratings": response.ratings.select_related("statement__subdimension").order_by(
            "statement__subdimension__order", "statement__order", "statement__code"
        ),
        "same_person": same_person,
        "events": response.events.select_related("actor"),
        "raised": [{"flag": flag, "text": flag.describe()} for flag in response.flags],
        "may_act": may_act,
        "exclusion_form": forms.get("exclusion_form") or ExclusionForm(),
        "inclusion_form": forms.get("inclusion_form") or InclusionForm(),
    }
    return render(request, "evaluations/surveys/monitor_response.html", context, status=status)


@require_GET
def monitor_response(request, period_id, pk):
    """One response: profile, programme use, ratings, flags, the same respondent elsewhere in the
    survey, and the exclusion history; coordinators exclude or include it here."""
    return _response_page(request, period_id, pk)


def _act(request, period_id, pk, form_class, form_key, action, success):
    response = access.get_rw_monitored_response_for_user(request.user, period_id, pk)
    form = form_class(request.POST)
    if not form.is_valid():
        return _response_page(request, period_id, pk, status=400, **{form_key: form})
    try:
        action(response, by=request.user, **form.cleaned_data)
    except TransitionError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, success % {"id": response.pk})
    return redirect("evaluations:surveys_monitor_response", period_id=period_id, pk=response.pk)


@require_POST
def monitor_exclude(request, period_id, pk):
    return _act(
        request,
        period_id,
        pk,
        ExclusionForm,
        "exclusion_form",
        SurveyResponse.exclude,
        _("Respons #%(id)s dikeluarkan: tidak dihitung lagi, tetapi tetap tersimpan."),
    )


@require_POST
def monitor_include(request, period_id, pk):
    return _act(
        request,
        period_id,
        pk,
        InclusionForm,
        "inclusion_form",
        SurveyResponse.include,
        _("Respons #%(id)s dihitung kembali."),
    )
