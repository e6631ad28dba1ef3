"""The coordinators' bulk review page of a period: the answers under review filtered by pillar,
agency and state, and two actions over all of them: accept their self-scores, or mark them for
revision with one note. The first post asks to confirm (naming N and the filter), the second
applies; the rules are evaluations.review_bulk's.

Coordinators and admin; leaders 403, operators 404 (access.get_review_bulk_period_for_user)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .. import access, review_bulk
from ..forms.review_bulk import ACCEPT, BulkActionForm, BulkFilterForm
from ..models import Answer, TransitionError


def _filter_query(filter_form):
    pillar, agency, state = filter_form.filters()
    params = {"pilar": pillar.code if pillar else "", "opd": agency.pk if agency else "", "keadaan": state}
    return urlencode({k: v for k, v in params.items() if v})


def _page(request, period, filter_form, action_form=None, status=200):
    pillar, agency, state = filter_form.filters()
    answers = list(
        review_bulk.answers_in_review(period, pillar.code if pillar else None, agency, state)[: review_bulk.LIMIT + 1]
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


def page(request, period_id):
    period = access.get_review_bulk_period_for_user(request.user, period_id)
    filter_form = BulkFilterForm(request.GET)
    if request.method != "POST":
        return _page(request, period, filter_form)
    form = BulkActionForm(request.POST)
    if not form.is_valid():
        return _page(request, period, filter_form, form, status=400)
    data = form.cleaned_data
    if not data["confirmed"]:
        return render(
            request,
            "evaluations/review_bulk/confirm.html",
            {
                "period": period,
                "form": form,
                "n": len(data["jawaban"]),
                "stamps": [f"{pk}:{stamp}" for pk, stamp in data["jawaban"].items()],
                "filter_words": filter_form.describe(),
                "query": _filter_query(filter_form),
                "accept": data["action"] == ACCEPT,
            },
        )
    pillar, agency, _state = filter_form.filters()
    # Every answer of the period in the pillar and agency shown: one that left the state filter
    # since the page was drawn has a moved stamp, and is reported as changed.
    answers = Answer.objects.filter(submission__period=period)
    if pillar:
        answers = answers.filter(question__pillar=pillar)
    if agency:
        answers = answers.filter(submission__agency=agency)
    try:
        if data["action"] == ACCEPT:
            outcome = review_bulk.accept_self_scores(answers, data["jawaban"], by=request.user)
        else:
            outcome = review_bulk.mark_for_revision(answers, data["jawaban"], by=request.user, note=data["note"])
    except TransitionError as error:
        messages.error(request, error.message)
        return _page(request, period, filter_form, form, status=400)
    _report(request, outcome, data["action"])
    query = _filter_query(filter_form)
    return redirect(reverse("evaluations:review_bulk", args=[period.pk]) + (f"?{query}" if query else ""))
