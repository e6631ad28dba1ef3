"""The coordinators' bulk review page of a period: the answers under review filtered by pillar,
agency and state, and two actions over all of them: accept their self-scores, or mark them for
revision with one note. The first post asks to confirm (naming N and the filter), the second
applies; the rules are evaluations.review_bulk's.

Coordinators and admin; leaders 403, operators 404 (access.get_review_bulk_period_for_user).
A reviewer's queue offers the same actions over its own filtered set (`queue`)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from .. import access, review_bulk
from ..forms.review_bulk import ACCEPT, BulkActionForm, BulkFilterForm
from ..forms.review_plan import QueueFilterForm
from ..models import Answer, TransitionError
from ..models.review_plan import reviewer_answers
from .common import chosen_period, visible_periods


def _filter_query(filter_form):
    pillar, agency, state = filter_form.filters()
    params = {"pilar": pillar.code if pillar else "", "opd": agency.pk if agency else "", "keadaan": state}
    return urlencode({k: v for k, v in params.items() if v})


def _page(request, period, filter_form, action_form=None, status=200):
    pillar, agency, state = filter_form.filters()
    answers = list(
        review_bulk.answers_in_review(period, pillar.code if pillar else None, agency, state, user=request.user)[
            : review_bulk.LIMIT + 1
        ]
    )
    too_many = len(answers) > review_bulk.LIMIT
    return render(
        request,
        "evaluations/review_bulk/page.html",
        {
            "period": period,
            "filter_form": filter_form,
            "filter_words": filter_form.describe(),
            "query": _filter_query(filter_form),
            "answers": answers[: review_bulk.LIMIT],
            "too_many": too_many,
            "limit": review_bulk.LIMIT,
            "can_accept": state == review_bulk.UNVERIFIED,
            "action_form": action_form or BulkActionForm(),
        },
        status=status,
    )


def _report(request, outcome, action):
    n = len(outcome.applied)
    if action == ACCEPT:
        text = ngettext(
            "Skor mandiri %(n)s jawaban diterima sebagai skor verifikasi.",
            "Skor mandiri %(n)s jawaban diterima sebagai skor verifikasi.",
            n,
        )
    else:
        text = ngettext("%(n)s jawaban ditandai perlu perbaikan.", "%(n)s jawaban ditandai perlu perbaikan.", n)
    (messages.success if n else messages.info)(request, text % {"n": n})
    for reason, names in outcome.skipped_by_reason().items():
        messages.warning(
            request,
            _("%(n)s jawaban dilewati (%(reason)s): %(names)s")
            % {"n": len(names), "reason": reason, "names": ", ".join(names[:20]) + (" …" if len(names) > 20 else "")},
        )


def _confirm(request, period, form, filter_words, back_url):
    """The confirmation step, the same for the coordinators' page and a reviewer's queue: N and the
    filter in words; the posted list goes back with "Ya, jalankan" (to the same address)."""
    data = form.cleaned_data
    return render(
        request,
        "evaluations/review_bulk/confirm.html",
        {
            "period": period,
            "form": form,
            "n": len(data["jawaban"]),
            "stamps": [f"{pk}:{stamp}" for pk, stamp in data["jawaban"].items()],
            "filter_words": filter_words,
            "back_url": back_url,
            "accept": data["action"] == ACCEPT,
        },
    )


def _apply(request, answers, form):
    """Run the confirmed action over `answers` and report what it did and skipped; False (the error
    given as a message) when refused as a whole."""
    data = form.cleaned_data
    try:
        if data["action"] == ACCEPT:
            outcome = review_bulk.accept_self_scores(answers, data["jawaban"], by=request.user)
        else:
            outcome = review_bulk.mark_for_revision(answers, data["jawaban"], by=request.user, note=data["note"])
    except TransitionError as error:
        messages.error(request, error.message)
        return False
    _report(request, outcome, data["action"])
    return True


def page(request, period_id):
    period = access.get_review_bulk_period_for_user(request.user, period_id)
    filter_form = BulkFilterForm(request.GET)
    if request.method != "POST":
        return _page(request, period, filter_form)
    form = BulkActionForm(request.POST)
    if not form.is_valid():
        return _page(request, period, filter_form, form, status=400)
    query = _filter_query(filter_form)
    back_url = reverse("evaluations:review_bulk", args=[period.pk]) + (f"?{query}" if query else "")
    if not form.cleaned_data["confirmed"]:
        return _confirm(request, period, form, filter_form.describe(), back_url)
    pillar, agency, _state = filter_form.filters()
    # Every answer of the period in the pillar and agency shown: one that left the state filter
    # since the page was drawn has a moved stamp, and is reported as changed.
    answers = Answer.objects.filter(submission__period=period)
    if pillar:
        answers = answers.filter(question__pillar=pillar)
    if agency:
        answers = answers.filter(submission__agency=agency)
    if not _apply(request, answers, form):
        return _page(request, period, filter_form, form, status=400)
    return redirect(back_url)


@require_POST
def queue(request):
    """The bulk actions of a reviewer's queue (views/review_plan.queue): over the answers the plan
    gives them, as the queue's filter narrows them; the same confirmation and rules as the
    coordinators' page. A lead agency's reviewer may use it: review_bulk screens every answer by
    the plan (returning and approving stay with coordinators)."""
    access.require_review_queue(request.user)
    period = chosen_period(request, among=visible_periods(request.user))
    if period is None:
        raise Http404
    filter_form = QueueFilterForm(request.GET)
    back_url = reverse("evaluations:review_plan_queue") + "?" + filter_form.query(period)
    form = BulkActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect(back_url)
    if not form.cleaned_data["confirmed"]:
        return _confirm(request, period, form, filter_form.describe(), back_url)
    pillar, agency, _state = filter_form.filters()
    # Every answer the plan gives them in the pillar and agency shown, whatever its state: one that
    # left the queue since the page was drawn has a moved stamp, and is reported as changed.
    _apply(request, reviewer_answers(request.user, period, pillar and pillar.pk, agency and agency.pk), form)
    return redirect(back_url)
