"""The impact survey (survei dampak) pages, one block per part: setup and enumerator links (staff),
the public respondent form (/s/, no account), filling the impact questions from the results, the
monitor. The rules and the pages' heavier reads are in evaluations/surveys.py and survey_monitor.py."""

import secrets
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.paginator import Paginator
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

from .. import access, regions, roles, survey_monitor, survey_senders, surveys
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
from ..models import EvaluationPeriod, ImpactSurvey, ProgrammeUse, SurveyResponse, SurveySetupRefused, TransitionError
from ..models.survey_responses import FLAGS_BY_CODE, RESPONSE_FLAGS, min_seconds_per_statement
from ..surveys import ENUMERATORS_ONLY, NOT_FOUND, NOT_READY, NOTICES, TOO_MANY, ResponseRefused, Sender
from .common import chosen_period

# --- setup: survey dates, programmes, split, targets, links; enumerator links (surveys-setup) ---
DEFAULT_SURVEY_DAYS = 30


def index(request):
    """The menu's entry: the chosen period's setup (common.chosen_period) for those who view all
    agencies, its enumerator links for operators."""
    period = chosen_period(request)
    if period is None:
        raise Http404
    if roles.can_view_all(request.user):
        return redirect("evaluations:surveys_setup", period.pk)
    access.survey_agency_of(request.user)
    return redirect("evaluations:surveys_enumerators", period.pk)


def _form_rows(request, forms):
    return [{"form": form, "url": request.build_absolute_uri(form.public_path())} for form in forms]


def _links_text(rows):
    """All live public links (forms whose programmes are chosen), one per line, to paste into a
    message to the agencies."""
    return "\n".join(
        f"{row['form'].pillar.name}{_label_suffix(row['form'])}: {row['url']}"
        for row in rows
        if getattr(row["form"], "ready", True)
    )


def _label_suffix(form):
    return f" / {form.subdimension.name}" if form.subdimension_id else ""


def setup(request, period_id):
    """Create the period's survey (one form per pillar) or change its dates; the overview of
    every pillar's programmes, forms, targets and public links. Six queries of its own whatever
    the number of forms and responses (tests/test_surveys_setup.py pins the page)."""
    period = access.get_survey_period_for_user(request.user, period_id, write=request.method == "POST")
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
        pillars, forms = surveys.setup_overview(survey)
        form_rows = _form_rows(request, forms)
        row_of = {row["form"].pk: row for row in form_rows}
        pillars = [{**entry, "forms": [row_of[form.pk] for form in entry["forms"]]} for entry in pillars]
        context.update(pillars=pillars, links_text=_links_text(form_rows))
    return render(request, "evaluations/surveys/setup.html", context, status=400 if form.is_bound else 200)


def setup_pillar(request, period_id, pillar_code):
    """One pillar: the programme per sub-dimension (from a quick win or typed) and the target of
    each of its forms, saved together; the split is its own small form (setup_split)."""
    survey = access.get_survey_for_user(request.user, period_id, write=request.method == "POST")
    pillar = get_object_or_404(Pillar.objects.prefetch_related("subdimensions"), code=pillar_code.upper())
    page = surveys.pillar_setup(survey, pillar)
    data = request.POST if request.method == "POST" else None
    programme_forms = [(sub, _programme_form(data, page, sub)) for sub in page.subdimensions]
    target_forms = [(form, TargetForm(data, instance=form, prefix=f"target-{form.pk}")) for form in page.forms]
    if data is not None and all([f.is_valid() for _row, f in programme_forms + target_forms]):
        surveys.save_pillar_setup(
            survey,
            programmes=[
                (sub, f.cleaned_data["name"], f.cleaned_data["agency"], f.cleaned_data["quick_win"])
                for sub, f in programme_forms
            ],
            targets=[(form, f.cleaned_data["target"], f.cleaned_data["enumerator_only"]) for form, f in target_forms],
        )
        messages.success(request, _("Program dan target pilar %(pillar)s disimpan.") % {"pillar": pillar.name})
        return redirect("evaluations:surveys_setup_pillar", survey.period_id, pillar.code)
    return render(
        request,
        "evaluations/surveys/setup_pillar.html",
        {
            "survey": survey,
            "period": survey.period,
            "pillar": pillar,
            "programme_forms": programme_forms,
            "target_forms": [
                (row, f) for row, (_form, f) in zip(_form_rows(request, page.forms), target_forms, strict=True)
            ],
            "split": page.split,
            "has_responses": page.has_responses,
            "split_form": SplitForm(initial={"split": "1" if page.split else "0"}),
            "can_change": roles.is_coordinator(request.user),
        },
        status=400 if data is not None else 200,
    )


def _programme_form(data, page, sub):
    programme = page.programmes.get(sub.pk)
    initial = (
        {"quick_win": programme.quick_win_id, "name": programme.name, "agency": programme.agency_id}
        if programme
        else {}
    )
    return ProgrammeForm(
        data,
        prefix=sub.code,
        initial=initial,
        subdimension=sub,
        quick_wins=page.quick_wins_for(sub),
        agencies=page.agencies,
    )


@require_POST
def setup_split(request, period_id, pillar_code):
    survey = access.get_survey_for_user(request.user, period_id, write=True)
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


def enumerators(request, period_id):
    return _enumerators_page(request, period_id, access.survey_agency_of(request.user))


def _enumerators_page(request, period_id, agency, bound=None, status=200):
    """An operator sees the forms of their agency's programmes and their agency's links only;
    those who view all agencies see every form and link. Response counts per link come from one
    aggregate query: four queries of its own whatever the number of forms and links."""
    survey = ImpactSurvey.objects.select_related("period").filter(period_id=period_id).first()
    if survey is None:
        period = get_object_or_404(EvaluationPeriod, pk=period_id)
        return render(request, "evaluations/surveys/enumerators.html", {"period": period, "survey": None})
    can_add = agency is not None or roles.is_coordinator(request.user)
    rows = []
    for entry in surveys.enumerator_overview(survey, agency):
        form = entry["form"]
        if bound is not None and bound.survey_form.pk == form.pk:
            add_form = bound
        elif can_add:
            add_form = EnumeratorForm(prefix=f"enum-{form.pk}", form=form, agencies=entry["owners"])
        else:
            add_form = None
        links = [
            {"enumerator": enumerator, "url": request.build_absolute_uri(enumerator.public_path())}
            for enumerator in entry["links"]
        ]
        rows.append(
            {
                "form": form,
                "url": request.build_absolute_uri(form.public_path()),
                "programmes": entry["programmes"],
                "links": links,
                "add_form": add_form,
            }
        )
    return render(
        request,
        "evaluations/surveys/enumerators.html",
        {"period": survey.period, "survey": survey, "rows": rows, "agency": agency},
        status=status,
    )


@require_POST
def enumerator_add(request, period_id, pk):
    survey_form = access.get_survey_form_for_operator(request.user, period_id, pk)
    agency = access.survey_agency_of(request.user)
    owners = [agency] if agency is not None else survey_form.owning_agencies()
    form = EnumeratorForm(request.POST, prefix=f"enum-{survey_form.pk}", form=survey_form, agencies=owners)
    if not form.is_valid():
        return _enumerators_page(request, period_id, agency, bound=form, status=400)
    enumerator = survey_form.add_enumerator(form.cleaned_data["agency"], form.cleaned_data["name"], by=request.user)
    enumerator.form = survey_form
    messages.success(
        request,
        _("Tautan untuk %(name)s dibuat: %(url)s")
        % {"name": enumerator.name, "url": request.build_absolute_uri(enumerator.public_path())},
    )
    return redirect("evaluations:surveys_enumerators", period_id)


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


# The public pages' notices: (title, message, status), by the reasons of ResponseRefused and the
# view's own refusals.
def _public_page(request, template, context=None, status=200):
    with translation.override("id"):
        response = render(request, PUBLIC + template, context or {}, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _notice(request, reason):
    title, message, status = NOTICES[reason]
    return _public_page(request, "message.html", {"title": title, "message": message}, status=status)


def _closed(request, survey):
    with translation.override("id"):
        if timezone.localdate() < survey.opens:
            return _public_page(request, "closed.html", {"survey": survey, "not_yet": True})
        # 410 Gone: the form will not come back.
        return _public_page(request, "closed.html", {"survey": survey}, status=410)


def _record(request, form, survey_form, enumerator, device):
    """Save the valid respondent's form (surveys.record_response); raises ResponseRefused."""
    contact = form.cleaned_data["contact"]
    surveys.record_response(
        survey_form,
        nonce=form.token_payload["n"],
        started_at=datetime.fromtimestamp(form.token_payload["t"], tz=UTC),
        profile=form.profile(),
        uses=form.uses(),
        ratings=form.ratings(),
        enumerator=enumerator,
        sender=Sender(
            contact_hash=survey_senders.keyed_hash("contact", contact),
            legacy_contact_hash=survey_senders.legacy_contact_hash(contact),
            device_hash=survey_senders.keyed_hash("device", device),
            network_hash=survey_senders.network_hash(client_ip(request)),
        ),
    )


def _set_device_cookie(response):
    response.set_cookie(
        DEVICE_COOKIE,
        secrets.token_urlsafe(16),
        max_age=DEVICE_COOKIE_AGE,
        path="/s/",
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def public_form(request, token, enumerator_token=None):
    """The respondent's form: GET shows it with a fresh signed token; POST saves the response,
    its programme uses and ratings at once, or nothing. Every post counts against its sender's
    network; only a valid one (signed token checked) counts toward the link (survey_senders).
    4 queries for GET and 12 for POST, with one programme or three (tests/test_surveys_form.py)."""
    try:
        survey_form, enumerator = access.get_public_survey_form(token, enumerator_token)
    except Http404:
        return _notice(request, NOT_FOUND)
    with regions.in_region(survey_form.survey.period.region_id):
        return _public_form(request, survey_form, enumerator, token, enumerator_token)


def _public_form(request, survey_form, enumerator, token, enumerator_token):
    survey = survey_form.survey
    if not survey.is_open():
        return _closed(request, survey)
    if survey_form.enumerator_only and enumerator is None:
        return _notice(request, ENUMERATORS_ONLY)
    if request.method == "POST" and survey_senders.sender_over_limit(client_ip(request)):
        return _notice(request, TOO_MANY)
    groups = form_groups(survey_form)
    if any(group.programme is None for group in groups):
        return _notice(request, NOT_READY)
    device = request.COOKIES.get(DEVICE_COOKIE, "")
    status = 200
    if request.method == "POST":
        form = SurveyResponseForm(request.POST, survey_form=survey_form, groups=groups)
        if form.is_valid():
            if survey_senders.link_over_limit(enumerator_token or token, form.token_payload["n"]):
                return _notice(request, TOO_MANY)
            try:
                _record(request, form, survey_form, enumerator, device)
            except ResponseRefused as refused:
                return _notice(request, refused.reason)
            return redirect("evaluations:surveys_public_thanks", token)
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
        _set_device_cookie(response)
    return response


@login_not_required
@require_GET
def public_thanks(request, token):
    try:
        survey_form, _enumerator = access.get_public_survey_form(token)
    except Http404:
        return _notice(request, NOT_FOUND)
    with regions.in_region(survey_form.survey.period.region_id):
        return _public_page(request, "thanks.html", {"survey_form": survey_form})


# --- Results: filling the impact questions' answers from the survey (helper surveys-results) ----
# The survey's means are shown on the results page (views.results.index, results/_survey.html).


@require_POST
def fill_answers(request, period_id):
    """The results page's coordinator action: the impact questions' answers of every agency that
    answers them become the survey mean (surveys.fill_impact_answers)."""
    period = access.get_period_for_coordinator(request.user, period_id)
    url = reverse("evaluations:results_index") + f"?periode={period.pk}#survei-dampak"
    try:
        fill = surveys.fill_impact_answers(period, by=request.user)
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


# --- Monitor (surveys-monitor): /survei-dampak/<period>/pantau/ -----------------------------------
# Coordinators watch the responses come in against the targets, check the flags, count again what
# the burst rule held for review and exclude what should not count (with a reason; the response
# is kept). Leaders look; operators and others get 404 (access.get_monitored_*).

RESPONSES_PER_PAGE = 50
# The list's filter (?tampil=): its label, and what it stands for in SurveyResponse.objects.for_monitor().
SHOWS = {
    "": (_lazy("Semua"), None),
    "bermasalah": (_lazy("Bermasalah"), "flagged"),
    "ditinjau": (_lazy("Menunggu tinjauan"), "held"),
    "dikeluarkan": (_lazy("Dikeluarkan"), "excluded"),
    "dihitung": (_lazy("Dihitung"), "counted"),
}


@require_GET
def monitor(request, period_id):
    """Every form of the survey (a pillar, or a sub-dimension of a split pillar) with its responses
    against the target, and a split pillar's total. Three queries whatever the number of responses:
    the survey, its forms, the counts per form (flags included)."""
    survey = access.get_monitored_survey_for_user(request.user, period_id)
    return render(
        request,
        "evaluations/surveys/monitor.html",
        {
            "survey": survey,
            "period": survey.period,
            "rows": survey_monitor.monitor_rows(survey),
            "flags": _flag_legend(),
        },
    )


def _flag_legend():
    return [{"flag": flag, "text": flag.describe()} for flag in RESPONSE_FLAGS]


@require_GET
def monitor_form(request, period_id, pk):
    """One form: responses per day and per enumerator, the profile mix of the responses that count,
    and the list of responses with their flags, 50 a page. A fixed number of queries whatever the
    number of responses (pinned in tests/test_surveys_monitor.py)."""
    form = access.get_monitored_form_for_user(request.user, period_id, pk)
    show = request.GET.get("tampil", "")
    if show not in SHOWS:
        show = ""
    flag = FLAGS_BY_CODE.get(request.GET.get("tanda", ""))
    listed = SurveyResponse.objects.filter(form=form).for_monitor(SHOWS[show][1], flag)
    page = Paginator(listed, RESPONSES_PER_PAGE).get_page(request.GET.get("halaman"))
    return render(
        request,
        "evaluations/surveys/monitor_form.html",
        {
            "form": form,
            "survey": form.survey,
            "period": form.survey.period,
            **survey_monitor.form_monitor(form),
            "frequencies": ProgrammeUse.Frequency.choices,
            "page": page,
            "show": show,
            "flag": flag,
            "shows": [(value, label) for value, (label, _state) in SHOWS.items()],
            "flags": _flag_legend(),
            "min_seconds": min_seconds_per_statement(),
        },
    )


def _response_page(request, period_id, pk, status=200, **forms):
    response = access.get_monitored_response_for_user(request.user, period_id, pk)
    may_act = roles.is_coordinator(request.user)
    context = {
        "response": response,
        "form": response.form,
        "period": response.form.survey.period,
        "uses": response.uses.select_related("programme"),
        "ratings": response.ratings.select_related("statement__subdimension").order_by(
            "statement__subdimension__order", "statement__order", "statement__code"
        ),
        "same_person": SurveyResponse.objects.same_respondent_as(response),
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
