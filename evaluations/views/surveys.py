"""The impact survey (survei dampak) pages."""

import secrets
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from smartcity.client_ip import client_ip

from .. import access, ratelimit
from ..forms.surveys import SurveyResponseForm, form_groups, issue_token
from ..models.surveys import ResponseRefused, keyed_hash, record_response

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
