"""Pages and helpers every topic shares: the home page, the CSRF failure page, the period a page
shows, user text in flash messages, and the one way a file leaves the app (an attachment)."""

import os

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import redirect, render, resolve_url
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from .. import regions, roles, todo
from ..models import EvaluationPeriod, Question, Submission
from ..results import for_leader

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"
ZIP = "application/zip"
FLASH_TEXT_MAX_CHARS = 80


def home(request):
    """What this user can do next: their to-do list across every open period (todo.py), then the
    chosen period (the chooser keeps it while they move around), its dates and their next steps.
    Those above the regions with no region chosen start from every region side by side."""
    if request.region is None and (overview := regions.overview_url(request.user)):
        return redirect(overview)
    if roles.is_plan_reviewer(request.user) and not roles.is_operator(request.user):
        # A lead agency's reviewer who fills in nothing: their work is the queue.
        return redirect("evaluations:review_plan_queue")
    periods = visible_periods(request.user)
    period = chosen_period(request, among=periods)
    context = {
        "period": period,
        "periods": periods,
        "todo": todo.for_user(request.user, [p for p in reversed(periods) if p.is_open()]),
    }
    if period is not None:
        agency = roles.agency_of(request.user)
        if agency is not None:
            context["agency"] = agency
            context["question_count"] = Question.objects.assigned_to(agency, period).count()
            context["submission"] = Submission.objects.filter(period=period, agency=agency).with_started().first()
        if roles.is_coordinator(request.user):
            # The coordinator's first question every morning: what is waiting for me?
            context["awaiting_review"] = Submission.objects.for_period(period).awaiting_review().count()
        if roles.is_leader(request.user):
            context["leader"] = for_leader(period)
        elif roles.can_view_all(request.user):
            context["question_total"] = Question.objects.for_period(period).count()
            context["submission_count"] = Submission.objects.for_period(period).started().count()
            context["agencies_assigned"] = period.assignments.values("agency").distinct().count()
    return render(request, "evaluations/common/home.html", context)


# The period chosen on any page with a period chooser (?periode=), kept in the session so that
# every page showing one period shows the same one until the user chooses another.
PERIOD_SESSION_KEY = "periode"


def all_periods():
    """Every period, newest first. One query."""
    return list(EvaluationPeriod.objects.order_by("-year", "-stage"))


def visible_periods(user, periods=None):
    """The periods a chooser offers, newest first: a draft is the admin's work in progress.
    `periods`: all_periods(), when the page has read them already."""
    periods = all_periods() if periods is None else periods
    if roles.is_admin(user):
        return periods
    return [p for p in periods if not p.is_draft()]


def chosen_period(request, among=None, asked=None):
    """The period a page shows: the one asked for (?periode=, or `asked`), else the one chosen
    earlier in this session, else the open one (the newest open one when several are), else the
    most recent. A period asked for and found is remembered."""
    asked = str(asked if asked is not None else request.GET.get("periode", "")).strip()
    remembered = request.session.get(PERIOD_SESSION_KEY, "")
    period = EvaluationPeriod.objects.chosen(asked or remembered, among=among)
    if period is not None and asked == str(period.pk) and remembered != period.pk:
        request.session[PERIOD_SESSION_KEY] = period.pk
    return period


def period_or_404(request, among=None, asked=None):
    """chosen_period, or 404 while there is no period at all."""
    period = chosen_period(request, among=among, asked=asked)
    if period is None:
        raise Http404
    return period


def bad_request(request, exception):
    """Our page for a request the server refuses (a form with too many fields or too large), in the
    user's language, instead of Django's plain "Bad Request (400)"."""
    return render(request, "400.html", status=400)


@login_not_required
def csrf_failure(request, reason=""):
    """A clear page instead of Django's technical 403 when a form's security token is stale."""
    return render(
        request,
        "403_csrf.html",
        {"message": _("Formulir kedaluwarsa atau dibuka di tab lain. Muat ulang halaman, lalu kirim lagi.")},
        status=403,
    )


def shorten(text):
    """Text people typed (a name, a file name), as a flash message repeats it: cut to
    FLASH_TEXT_MAX_CHARS with an ellipsis, never in full."""
    return Truncator(str(text)).chars(FLASH_TEXT_MAX_CHARS)


def form_errors(form):
    """A form's errors in one line for a flash message (the messages are ours and repeat no value)."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def attachment(handle, filename, content_type=None):
    """Any file leaving the app: always a download, never rendered by the browser (nosniff).
    Every download view (evidence, quick-win evidence, data-set files, workbooks) answers with this."""
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def stored_file_attachment(field_file, filename, content_type=None):
    """A file from the private storage, or 404 when it is gone from the storage."""
    if not field_file:
        raise Http404
    try:
        handle = field_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    return attachment(handle, filename or os.path.basename(field_file.name), content_type)


def xlsx_attachment(handle, filename):
    """A workbook written to `handle` (a temporary file or a buffer), from its start."""
    handle.seek(0)
    return attachment(handle, filename, XLSX)


def upload_redirect(request, to, *args, **kwargs):
    """The redirect after an upload. The upload script (static/js/upload.js) posts with an XHR,
    which would follow a redirect itself and take the next page's flash message with it: it gets
    the address as JSON and goes there."""
    url = resolve_url(to, *args, **kwargs)
    if request.headers.get("X-Requested-With") == "XMLHttpRequest":
        return JsonResponse({"location": url})
    return redirect(url)
