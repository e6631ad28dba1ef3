"""The coordinators' review of one submission: every answer with its evidence, history and the
agency's replies, the verified score, comments, revision marks, and the return / approve / reopen
actions. Approving shows what would refuse it (open marks) and asks to confirm that the agency's
own scores stand for answers without a verified score; the rules are Submission.approve's.

Leaders see the page but every POST gives them 403; operators get 403 on the page and 404 on the
actions (access.get_*review*_for_user)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, notifications, roles
from ..forms.review import ApproveForm, CommentForm, RevisionForm, ScoreForm, TransitionForm
from ..models import Submission, TransitionError


def _answer_forms(answer, can_review, bound=None):
    """The forms under one answer; `bound` replaces one of them with the form that failed."""
    bound = bound or {}
    forms = {"comment": CommentForm(prefix=f"comment-{answer.pk}")}
    if can_review:
        default = answer.verified_score if answer.verified_score is not None else answer.self_score
        forms["score"] = ScoreForm(prefix=f"score-{answer.pk}", initial={"verified_score": default})
        forms["revision"] = RevisionForm(
            prefix=f"rev-{answer.pk}",
            initial={"needs_revision": answer.needs_revision, "revision_note": answer.revision_note},
        )
    forms.update(bound)
    return forms


def _render(request, submission, bound_answer=None, bound=None, transition_form=None, approve_form=None, status=200):
    is_coordinator = roles.is_coordinator(request.user)
    can_review = is_coordinator and submission.is_submitted()
    pillar = request.GET.get("pilar", "")
    items = []
    pillars = {}
    marked, self_scored = [], []
    for question, answer in submission.review_items():
        if answer is not None:
            if answer.needs_revision:
                marked.append(answer)
            if answer.stands_on_self_score:
                self_scored.append(answer)
        if question.pillar:
            pillars.setdefault(question.pillar.code, question.pillar)
        if pillar and (question.pillar is None or question.pillar.code != pillar):
            continue
        forms = None
        if answer is not None and is_coordinator:
            forms = _answer_forms(answer, can_review, bound if answer.pk == bound_answer else None)
        items.append({"question": question, "answer": answer, "forms": forms})
    events = submission.events.select_related("actor", "answer__question")
    return render(
        request,
        "evaluations/review/submission.html",
        {
            "submission": submission,
            "period": submission.period,
            "items": items,
            "pillars": pillars.values(),
            "pillar": pillar,
            "events": events,
            "is_coordinator": is_coordinator,
            "can_review": can_review,
            "can_reopen": roles.is_admin(request.user) and (submission.is_approved() or submission.is_locked()),
            "transition_form": transition_form or TransitionForm(),
            # Built here even after a refused post: its label names the answers as they are now.
            "approve_form": ApproveForm(approve_form.data if approve_form else None, self_scored=self_scored),
            "marked": marked,
            "self_scored": self_scored,
        },
        status=status,
    )


def submission(request, pk):
    submission = access.get_review_submission_for_user(request.user, pk)
    return _render(request, submission)


def _back(request, answer):
    """Back to the answer on the review page, keeping the pillar filter the coordinator was using."""
    pillar = request.GET.get("pilar", "")
    query = f"?{urlencode({'pilar': pillar})}" if pillar else ""
    return redirect(
        reverse("evaluations:review_submission", args=[answer.submission_id]) + f"{query}#jawaban-{answer.pk}"
    )


def _refused(request, answer, error):
    messages.error(request, error.message)
    return _back(request, answer)


@require_POST
def set_score(request, pk):
    answer = access.get_rw_review_answer_for_user(request.user, pk)
    form = ScoreForm(request.POST, prefix=f"score-{answer.pk}")
    if not form.is_valid():
        messages.error(request, _("Skor verifikasi %(code)s belum disimpan.") % {"code": answer.question.code})
        return _render(request, answer.submission, answer.pk, {"score": form}, status=400)
    try:
        changed = answer.set_verified_score(
            request.user, form.cleaned_data["verified_score"], form.cleaned_data["note"]
        )
    except TransitionError as error:
        return _refused(request, answer, error)
    if changed:
        messages.success(request, _("Skor verifikasi %(code)s disimpan.") % {"code": answer.question.code})
    else:
        messages.info(request, _("Skor verifikasi %(code)s tidak berubah.") % {"code": answer.question.code})
    return _back(request, answer)


@require_POST
def add_comment(request, pk):
    answer = access.get_rw_review_answer_for_user(request.user, pk)
    form = CommentForm(request.POST, prefix=f"comment-{answer.pk}")
    if not form.is_valid():
        messages.error(request, _("Komentar untuk %(code)s belum disimpan.") % {"code": answer.question.code})
        return _render(request, answer.submission, answer.pk, {"comment": form}, status=400)
    comment = answer.add_comment(request.user, form.cleaned_data["body"], form.cleaned_data["visibility"])
    if comment.is_internal:
        messages.success(request, _("Komentar internal disimpan: hanya terlihat oleh koordinator."))
    else:
        messages.success(request, _("Komentar disimpan dan terlihat oleh perangkat daerah."))
    return _back(request, answer)


@require_POST
def mark_revision(request, pk):
    answer = access.get_rw_review_answer_for_user(request.user, pk)
    form = RevisionForm(request.POST, prefix=f"rev-{answer.pk}")
    if not form.is_valid():
        messages.error(request, _("Tanda perbaikan %(code)s belum disimpan.") % {"code": answer.question.code})
        return _render(request, answer.submission, answer.pk, {"revision": form}, status=400)
    try:
        answer.mark_for_revision(request.user, form.cleaned_data["needs_revision"], form.cleaned_data["revision_note"])
    except TransitionError as error:
        return _refused(request, answer, error)
    if answer.needs_revision:
        messages.success(request, _("%(code)s ditandai perlu perbaikan.") % {"code": answer.question.code})
    else:
        messages.success(request, _("Tanda perbaikan %(code)s dihapus.") % {"code": answer.question.code})
    return _back(request, answer)


def _transition(request, pk, action, success, form_class=TransitionForm):
    """Return, approve or reopen: `action` is the Submission method, called with the form's data."""
    submission = access.get_rw_review_submission_for_user(request.user, pk)
    form = form_class(request.POST)
    bound = {"approve_form" if form_class is ApproveForm else "transition_form": form}
    if not form.is_valid():
        return _render(request, submission, status=400, **bound)
    try:
        action(submission, by=request.user, **form.cleaned_data)
    except (TransitionError, ValidationError) as error:
        messages.error(request, getattr(error, "message", str(error)))
        return _render(request, submission, status=400, **bound)
    notifications.submission_changed(submission, by=request.user, note=form.cleaned_data.get("note", ""))
    messages.success(request, success % {"agency": submission.agency.abbreviation})
    return redirect("evaluations:review_submission", pk=submission.pk)


@require_POST
def return_for_revision(request, pk):
    return _transition(
        request, pk, Submission.return_for_revision, _("Pengisian %(agency)s dikembalikan untuk diperbaiki.")
    )


@require_POST
def approve(request, pk):
    return _transition(request, pk, Submission.approve, _("Pengisian %(agency)s disetujui."), form_class=ApproveForm)


@require_POST
def reopen(request, pk):
    return _transition(
        request,
        pk,
        Submission.reopen,
        _("Pengisian %(agency)s dibuka kembali dan dapat diubah lagi oleh perangkat daerah."),
    )
