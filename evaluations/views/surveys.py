"""The impact survey (survei dampak) pages, one block per part: setup and enumerator links (staff),
the public respondent form (/s/, no account), filling the impact questions from the results."""

import secrets
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from pillars.models import Pillar
from smartcity.client_ip import client_ip

from .. import access, ratelimit, roles
from ..forms.surveys import (
    EnumeratorForm,
    ExclusionForm,
    InclusionForm,
    ProgrammeForm,
    SplitForm,
    SurveyDatesForm,
    SurveyResponseForm,
    TargetForm,
    form_groups,
    issue_token,
)
from ..models import (
    Agency,
    Enumerator,
    EvaluationPeriod,
    ImpactSurvey,
    ProgrammeUse,
    QuickWin,
    SurveyForm,
    SurveyProgramme,
    SurveyResponse,
    SurveySetupRefused,
    TransitionError,
)
from ..models.surveys import (
    FLAGS_BY_CODE,
    RESPONSE_FLAGS,
    ResponseRefused,
    keyed_hash,
    min_seconds_per_statement,
    record_response,
)
from ..models.surveys import fill_impact_answers as fill_answers

# --- setup: survey dates, programmes, split, targets, links; enumerator links (surveys-setup) ---
DEFAULT_SURVEY_DAYS = 30


def index(request):
    """The menu's entry: the current period's setup for those who view all agencies, its
    enumerator links for operators."""
    period = EvaluationPeriod.objects.current()
    if period is None:
        raise Http404
    if roles.can_view_all(request.user):
        return redirect("evaluations:surveys_setup", period.pk)
    access.survey_agency_of(request.user)
    return redirect("evaluations:surveys_enumerators", period.pk)


def _form_rows(request, forms):
    return [{"form": form, "url": request.build_absolute_uri(form.public_path())} for form in forms]


def _links_text(rows):
    """All public links, one per line, to paste into a message to the agencies."""
    return "\n".join(f"{row['form'].pillar.name}{_label_suffix(row['form'])}: {row['url']}" for row in rows)


def _label_suffix(form):
    return f" / {form.subdimension.name}" if form.subdimension_id else ""


def setup(request, period_pk):
    """Create the period's survey (one form per pillar) or change its dates; the overview of
    every pillar's programmes, forms, targets and public links. Six queries of its own whatever
    the number of forms and responses (tests/test_surveys_setup.py pins the page)."""
    period = access.get_survey_period_for_user(request.user, period_pk, write=request.method == "POST")
    survey = ImpactSurvey.objects.filter(period=period).first()
    today = timezone.localdate()
    initial = {"opens": today, "closes": today + timedelta(days=DEFAULT_SURVEY_DAYS)}
    form = SurveyDatesForm(request.POST or None, instance=survey, initial=None if survey else initial)
    if request.method == "POST" and form.is_valid():
        if survey is None:
            ImpactSurvey.create_for(period, form.cleaned_data["opens"], form.cleaned_data["closes"])
            messages.success(request, _("Survei dampak dibuat dengan satu formulir per pilar. Tentukan programnya."))
        else:
            form.save()
            messages.success(request, _("Tanggal survei dampak disimpan."))
        return redirect("evaluations:surveys_setup", period.pk)
    context = {"period": period, "survey": survey, "form": form, "can_change": roles.is_coordinator(request.user)}
    if survey is not None:
        programmes = {
            p.subdimension_id: p for p in SurveyProgramme.objects.filter(survey=survey).select_related("agency")
        }
        forms = SurveyForm.objects.filter(survey=survey).select_related("pillar", "subdimension")
        form_rows = _form_rows(request, forms.annotate(response_count=Count("responses")))
        pillars = []
        for pillar in Pillar.objects.prefetch_related("subdimensions"):
            rows = [row for row in form_rows if row["form"].pillar_id == pillar.pk]
            subdimensions = [(sub, programmes.get(sub.pk)) for sub in pillar.subdimensions.all()]
            pillars.append(
                {
                    "pillar": pillar,
                    "subdimensions": subdimensions,
                    "forms": rows,
                    "split": any(row["form"].subdimension_id for row in rows),
                    "missing": sum(1 for _sub, programme in subdimensions if programme is None),
                }
            )
        context.update(pillars=pillars, links_text=_links_text(form_rows))
    return render(request, "evaluations/surveys/setup.html", context, status=400 if form.is_bound else 200)


def setup_pillar(request, period_pk, pillar_code):
    """One pillar: the programme per sub-dimension (from a quick win or typed) and the target of
    each of its forms, saved together; the split is its own small form (setup_split)."""
    survey = access.get_survey_for_user(request.user, period_pk, write=request.method == "POST")
    pillar = get_object_or_404(Pillar.objects.prefetch_related("subdimensions"), code=pillar_code.upper())
    subdimensions = list(pillar.subdimensions.all())
    programmes = {
        p.subdimension_id: p
        for p in SurveyProgramme.objects.filter(survey=survey, subdimension__pillar=pillar).select_related("quick_win")
    }
    forms = list(
        SurveyForm.objects.filter(survey=survey, pillar=pillar)
        .select_related("pillar", "subdimension")
        .annotate(response_count=Count("responses"))
    )
    quick_wins = list(
        QuickWin.objects.filter(period=survey.period, pillar=pillar)
        .exclude(status=QuickWin.Status.DITOLAK)
        .select_related("agency")
        .order_by("name")
    )
    agencies = list(Agency.objects.order_by("abbreviation"))
    data = request.POST if request.method == "POST" else None
    programme_forms = []
    for sub in subdimensions:
        programme = programmes.get(sub.pk)
        initial = (
            {"quick_win": programme.quick_win_id, "name": programme.name, "agency": programme.agency_id}
            if programme
            else {}
        )
        choices = [qw for qw in quick_wins if qw.subdimension_id in (None, sub.pk)]
        programme_forms.append(
            (
                sub,
                ProgrammeForm(
                    data, prefix=sub.code, initial=initial, subdimension=sub, quick_wins=choices, agencies=agencies
                ),
            )
        )
    target_forms = [(form, TargetForm(data, instance=form, prefix=f"target-{form.pk}")) for form in forms]
    if data is not None:
        bound = [f for _sub, f in programme_forms] + [f for _form, f in target_forms]
        if all([f.is_valid() for f in bound]):
            # One transaction: the pillar's programmes and targets are saved together or not at all.
            with transaction.atomic():
                for sub, f in programme_forms:
                    survey.set_programme(
                        sub, f.cleaned_data["name"], f.cleaned_data["agency"], f.cleaned_data["quick_win"]
                    )
                for form, f in target_forms:
                    # An update, never an insert: a form removed meanwhile (split) stays removed.
                    SurveyForm.objects.filter(pk=form.pk).update(target=f.cleaned_data["target"])
            messages.success(request, _("Program dan target pilar %(pillar)s disimpan.") % {"pillar": pillar.name})
            return redirect("evaluations:surveys_setup_pillar", survey.period_id, pillar.code)
    split = any(form.subdimension_id for form in forms)
    return render(
        request,
        "evaluations/surveys/setup_pillar.html",
        {
            "survey": survey,
            "period": survey.period,
            "pillar": pillar,
            "programme_forms": programme_forms,
            "target_forms": [
                (row, f) for row, (_form, f) in zip(_form_rows(request, forms), target_forms, strict=True)
            ],
            "split": split,
            "has_responses": any(form.response_count for form in forms),
            "split_form": SplitForm(initial={"split": "1" if split else "0"}),
            "can_change": roles.is_coordinator(request.user),
        },
        status=400 if data is not None else 200,
    )


@require_POST
def setup_split(request, period_pk, pillar_code):
    survey = access.get_survey_for_user(request.user, period_pk, write=True)
    pillar = get_object_or_404(Pillar, code=pillar_code.upper())
    form = SplitForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Pilih satu formulir atau tiga formulir."))
    else:
        try:
            changed = survey.set_split(pillar, form.cleaned_data["split"])
        except SurveySetupRefused as exc:
            messages.error(request, exc.message)
        else:
            if not changed:
                messages.info(request, _("Tidak ada perubahan."))
            elif form.cleaned_data["split"]:
                messages.success(
                    request,
                    _("Pilar %(pillar)s kini memiliki tiga formulir, satu per sub-dimensi.") % {"pillar": pillar.name},
                )
            else:
                messages.success(request, _("Pilar %(pillar)s kini memiliki satu formulir.") % {"pillar": pillar.name})
    return redirect("evaluations:surveys_setup_pillar", survey.period_id, pillar.code)


def enumerators(request, period_pk):
    return _enumerators_page(request, period_pk, access.survey_agency_of(request.user))


def _enumerators_page(request, period_pk, agency, bound=None, status=200):
    """An operator sees the forms of their agency's programmes and their agency's links only;
    those who view all agencies see every form and link. Response counts per link come from one
    aggregate query: four queries of its own whatever the number of forms and links."""
    survey = ImpactSurvey.objects.select_related("period").filter(period_id=period_pk).first()
    if survey is None:
        period = get_object_or_404(EvaluationPeriod, pk=period_pk)
        return render(request, "evaluations/surveys/enumerators.html", {"period": period, "survey": None})
    forms = SurveyForm.objects.filter(survey=survey).select_related("pillar", "subdimension")
    links = (
        Enumerator.objects.filter(form__survey=survey)
        .select_related("agency")
        .annotate(response_count=Count("responses"))
    )
    if agency is not None:
        forms, links = forms.owned_by(agency), links.filter(agency=agency)
    links = list(links.order_by("agency__abbreviation", "name"))
    programmes = list(SurveyProgramme.objects.filter(survey=survey).select_related("agency", "subdimension"))
    can_add = agency is not None or roles.is_coordinator(request.user)
    rows = []
    for row in _form_rows(request, forms):
        form = row["form"]
        own = [
            p
            for p in programmes
            if (
                p.subdimension_id == form.subdimension_id
                if form.subdimension_id
                else p.subdimension.pillar_id == form.pillar_id
            )
        ]
        owners = [agency] if agency is not None else list({p.agency_id: p.agency for p in own}.values())
        if bound is not None and bound.survey_form.pk == form.pk:
            add_form = bound
        elif can_add:
            add_form = EnumeratorForm(prefix=f"enum-{form.pk}", form=form, agencies=owners)
        else:
            add_form = None
        form_links = []
        for enumerator in links:
            if enumerator.form_id == form.pk:
                enumerator.form = form  # read already: public_path() needs its token
                form_links.append(
                    {"enumerator": enumerator, "url": request.build_absolute_uri(enumerator.public_path())}
                )
        rows.append({**row, "programmes": own, "links": form_links, "add_form": add_form})
    return render(
        request,
        "evaluations/surveys/enumerators.html",
        {"period": survey.period, "survey": survey, "rows": rows, "agency": agency},
        status=status,
    )


@require_POST
def enumerator_add(request, period_pk, form_pk):
    survey_form = access.get_survey_form_for_operator(request.user, period_pk, form_pk)
    agency = access.survey_agency_of(request.user)
    owners = (
        [agency]
        if agency is not None
        else list({p.agency_id: p.agency for p in survey_form.programmes().select_related("agency")}.values())
    )
    form = EnumeratorForm(request.POST, prefix=f"enum-{survey_form.pk}", form=survey_form, agencies=owners)
    if not form.is_valid():
        return _enumerators_page(request, period_pk, agency, bound=form, status=400)
    enumerator = survey_form.add_enumerator(form.cleaned_data["agency"], form.cleaned_data["name"], by=request.user)
    enumerator.form = survey_form
    messages.success(
        request,
        _("Tautan untuk %(name)s dibuat: %(url)s")
        % {"name": enumerator.name, "url": request.build_absolute_uri(enumerator.public_path())},
    )
    return redirect("evaluations:surveys_enumerators", period_pk)


# --- The public respondent form (helper surveys-form) ------------------------------------------
#
# Respondents have no account and often a cheap phone on a slow line: the pages stand alone
# (templates/evaluations/surveys/public/, no navigation, no link into the app, no JavaScript, one
# small stylesheet), always in Indonesian, and kept out of search engines and caches.

PUBLIC = "evaluations/surveys/public/"
# A random value per browser, so a second response from the same phone can be recognised; only
# its keyed hash is stored with the response.
DEVICE_COOKIE = "survei_perangkat"
DEVICE_COOKIE_AGE = 2 * 365 * 24 * 60 * 60
REFUSALS = {
    ResponseRefused.REPLAYED: (
        _lazy("Jawaban sudah terkirim"),
        _lazy("Jawaban dari formulir ini sudah kami terima sebelumnya. Terima kasih, Anda tidak perlu mengirim lagi."),
    ),
    ResponseRefused.SAME_DEVICE: (
        _lazy("Anda sudah mengisi formulir ini"),
        _lazy(
            "Anda sudah mengisi formulir ini dari perangkat ini. Setiap orang cukup mengisi satu kali. Terima kasih."
        ),
    ),
    ResponseRefused.SAME_CONTACT: (
        _lazy("Anda sudah mengisi formulir ini"),
        _lazy(
            "Anda sudah mengisi formulir ini dengan kontak yang sama. "
            "Setiap orang cukup mengisi satu kali. Terima kasih."
        ),
    ),
}


def _public_page(request, template, context=None, status=200):
    with translation.override("id"):
        response = render(request, PUBLIC + template, context or {}, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _message(request, title, message, status):
    return _public_page(request, "message.html", {"title": title, "message": message}, status=status)


def _not_found(request):
    # Not the app's 404 page: that one links into the app.
    with translation.override("id"):
        return _message(
            request,
            _("Formulir tidak ditemukan"),
            _("Tautan ini tidak dikenal. Periksa kembali tautan yang Anda terima."),
            404,
        )


def _closed(request, survey):
    with translation.override("id"):
        if timezone.localdate() < survey.opens:
            return _public_page(request, "closed.html", {"survey": survey, "not_yet": True})
        # 410 Gone: the form will not come back.
        return _public_page(request, "closed.html", {"survey": survey}, status=410)


def _rate_limited(request, link_token):
    """Over the limit per client address or per link in the current window (settings SURVEY_RATE_*)."""
    window = settings.SURVEY_RATE_WINDOW
    by_address = ratelimit.hit("survey-ip", client_ip(request), settings.SURVEY_RATE_PER_IP, window)
    by_link = ratelimit.hit("survey-link", link_token, settings.SURVEY_RATE_PER_LINK, window)
    return by_address or by_link


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def public_form(request, token, enumerator_token=None):
    """The respondent's form: GET shows it with a fresh signed token; POST saves the response,
    its programme uses and ratings at once, or nothing. 4 queries for GET and 11 for POST, with one
    programme or three (pinned in tests/test_surveys_form.py)."""
    try:
        survey_form, enumerator = access.get_public_survey_form(token, enumerator_token)
    except Http404:
        return _not_found(request)
    survey = survey_form.survey
    if not survey.is_open():
        return _closed(request, survey)
    if request.method == "POST" and _rate_limited(request, enumerator_token or token):
        with translation.override("id"):
            return _message(
                request,
                _("Terlalu banyak kiriman"),
                _(
                    "Terlalu banyak kiriman dari jaringan atau tautan ini dalam waktu singkat. "
                    "Tunggu beberapa menit, lalu coba lagi."
                ),
                429,
            )
    groups = form_groups(survey_form)
    device = request.COOKIES.get(DEVICE_COOKIE, "")
    status = 200
    if request.method == "POST":
        form = SurveyResponseForm(request.POST, survey_form=survey_form, groups=groups)
        if form.is_valid():
            try:
                record_response(
                    survey_form,
                    nonce=form.token_payload["n"],
                    started_at=datetime.fromtimestamp(form.token_payload["t"], tz=UTC),
                    profile=form.profile(),
                    uses=form.uses(),
                    ratings=form.ratings(),
                    enumerator=enumerator,
                    contact_hash=keyed_hash("contact", form.cleaned_data["contact"]),
                    device_hash=keyed_hash("device", device),
                )
            except ResponseRefused as refused:
                with translation.override("id"):
                    title, message = REFUSALS[refused.reason]
                    return _message(request, title, message, 409)
            return redirect("evaluations:survey_form_thanks", token)
        status = 400
        # A form with a good token keeps it (the same load, the same nonce); a stale or forged one
        # gets a fresh token, so that pressing "Kirim" again on the page with the answers works.
        form_token = form.data["token"] if form.token_payload else issue_token(survey_form)
    else:
        form = SurveyResponseForm(survey_form=survey_form, groups=groups)
        form_token = issue_token(survey_form)
    response = _public_page(
        request,
        "form.html",
        {"survey_form": survey_form, "enumerator": enumerator, "form": form, "form_token": form_token},
        status=status,
    )
    if not device:
        response.set_cookie(
            DEVICE_COOKIE,
            secrets.token_urlsafe(16),
            max_age=DEVICE_COOKIE_AGE,
            path="/s/",
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Lax",
        )
    return response


@login_not_required
@require_GET
def public_thanks(request, token):
    try:
        survey_form, _enumerator = access.get_public_survey_form(token)
    except Http404:
        return _not_found(request)
    return _public_page(request, "thanks.html", {"survey_form": survey_form})


# --- Results: filling the impact questions' answers from the survey (helper surveys-results) ----
# The survey's means are shown on the results page (views.results.index, results/_survey.html).


@require_POST
def fill_impact_answers(request, period_pk):
    """The results page's coordinator action: the impact questions' answers of every agency that
    answers them become the survey mean (models.surveys.fill_impact_answers)."""
    period = access.get_period_for_coordinator(request.user, period_pk)
    url = reverse("evaluations:results_index") + f"?periode={period.pk}#survei-dampak"
    try:
        fill = fill_answers(period, by=request.user)
    except TransitionError as error:
        messages.error(request, error.message)
        return redirect(url)
    if fill.written:
        messages.success(
            request,
            ngettext(
                "%(n)s jawaban pertanyaan dampak diisi dengan rata-rata survei dampak.",
                "%(n)s jawaban pertanyaan dampak diisi dengan rata-rata survei dampak.",
                len(fill.written),
            )
            % {"n": len(fill.written)},
        )
    if fill.unchanged:
        messages.info(
            request,
            ngettext(
                "%(n)s jawaban sudah sama dengan rata-rata survei dan tidak diubah.",
                "%(n)s jawaban sudah sama dengan rata-rata survei dan tidak diubah.",
                fill.unchanged,
            )
            % {"n": fill.unchanged},
        )
    if fill.refused:
        listed = ", ".join(f"{agency.abbreviation} ({code})" for agency, code in fill.refused)
        messages.warning(
            request,
            _(
                "Pengisian yang sudah disetujui tidak diubah: %(answers)s. Minta admin membuka kembali "
                "pengisian tersebut bila jawabannya perlu mengikuti survei."
            )
            % {"answers": listed},
        )
    for code, reason in fill.skipped:
        messages.warning(request, _("Pertanyaan %(code)s tidak diisi: %(reason)s.") % {"code": code, "reason": reason})
    if not (fill.written or fill.unchanged or fill.refused or fill.skipped):
        messages.info(request, _("Tidak ada perangkat daerah yang ditugaskan menjawab pertanyaan dampak."))
    return redirect(url)


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
