"""The coordinators' review of one submission: every answer with its evidence, history and the
agency's replies, the verified score, comments, revision marks, and the return / approve / reopen
actions. Approving shows what would refuse it (open marks) and asks to confirm that the agency's
own scores stand for answers without a verified score; the rules are Submission.approve's.

The page shows one section (dimension x pillar) at a time. The per-answer actions answer an htmx
request with the one answer card they changed (and the section navigator, out of band); a plain
POST (no JavaScript) gets the redirect back to the card, or the page drawn again at the card.

Leaders see the page but every POST gives them 403; operators get 403 on the page and 404 on the
actions (access.get_*review*_for_user)."""

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from .. import access, notifications, roles
from ..forms.review import ApproveForm, CommentForm, ReturnForm, RevisionForm, ScoreForm, TransitionForm
from ..models import Submission, TransitionError
from ..models.review_plan import ReviewScope
from ..models.review_sections import REVIEW_MARKED, REVIEW_UNVERIFIED, section_key

SHOW_CHOICES = (REVIEW_UNVERIFIED, REVIEW_MARKED)
# Answer cards per page of a section: the first view stays small whatever the instrument's shape.
CARDS_PER_PAGE = 25


def _answer_forms(question, answer, can_review, bound=None):
    """The forms of one answer card; `bound` replaces one of them with the form that failed.
    Unscored questions (text, date, numbers without score bands) get no score form. The comment
    form belongs to the history and comments, drawn when they are (_extras), not with each card."""
    bound = bound or {}
    forms = {}
    if can_review:
        if question.is_scorable:
            # Empty until a coordinator sets it: the agency's score is shown beside, never as the value.
            forms["score"] = ScoreForm(
                prefix=f"score-{answer.pk}",
                initial={
                    "verified_score": answer.verified_score,
                    "seen": "" if answer.verified_score is None else str(answer.verified_score),
                },
            )
        forms["revision"] = RevisionForm(
            prefix=f"rev-{answer.pk}",
            initial={
                "needs_revision": answer.needs_revision,
                "revision_note": answer.revision_note,
                "seen": answer.revision_seen(),
            },
        )
    forms.update(bound)
    return forms


def _place(request, section=None):
    """The query string that keeps the coordinator's place: the section and filter shown."""
    params = {"bagian": section or request.GET.get("bagian", "")}
    if request.GET.get("tampil") in SHOW_CHOICES:
        params["tampil"] = request.GET["tampil"]
    if _page(request) > 1:
        params["halaman"] = _page(request)
    params = {k: v for k, v in params.items() if v}
    return f"?{urlencode(params)}" if params else ""


def _page(request):
    page = request.GET.get("halaman", "")
    # ASCII digits only: str.isdigit() also accepts '²', which int() refuses.
    return int(page) if page.isascii() and page.isdigit() and 0 < int(page) < 10_000 else 1


def _scope(request, submission):
    """What the user may do on this submission's answers under the period's review plan."""
    return ReviewScope.of(request.user, submission)


def _only(request, submission):
    """The questions a reviewer of a lead agency sees (the plan's); None: every question."""
    if roles.can_view_all(request.user):
        return None
    return _scope(request, submission).questions_q()


def _items(request, submission, items, bound_answer=None, bound=None, expanded=False):
    may_review = roles.may_have_review_queue(request.user)
    can_review = may_review and submission.is_under_review()
    scope = _scope(request, submission)
    cards = []
    for question, answer in items:
        forms = None
        # The answers the plan gives another reviewer are read-only to this one.
        if answer is not None and may_review and scope.may_act(question):
            forms = _answer_forms(question, answer, can_review, bound if answer.pk == bound_answer else None)
        cards.append({"question": question, "answer": answer, "forms": forms, "expanded": expanded})
    return cards


def _common(request, submission):
    is_coordinator = roles.is_coordinator(request.user)
    may_review = roles.may_have_review_queue(request.user)
    return {
        "submission": submission,
        "period": submission.period,
        "is_coordinator": is_coordinator,
        "may_review": may_review,
        # A reviewer of a lead agency sees the answers the plan gives them, not the whole timeline.
        "sees_all": roles.can_view_all(request.user),
        "has_plan": _scope(request, submission).has_plan,
        "can_review": may_review and submission.is_under_review(),
        # The second sign-off is another coordinator's: the first signer sees that it waits.
        "can_confirm": is_coordinator
        and submission.is_awaiting_second_signoff()
        and submission.approved_by_id != request.user.pk,
        # Links carry the review page's own address: the page is also drawn at an action's address
        # (a refused approval), where "?bagian=..." would lead to that action.
        "review_url": reverse("evaluations:review_submission", args=[submission.pk]),
    }


def _actions(request, submission, transition_form=None, approve_form=None):
    """The actions box: what approving would meet, over every section (Submission.approve's rules;
    one query for both), with the forms. Drawn with the page and again after every in-place action,
    so that it never lists a mark just removed or misses an answer just scored."""
    # Each mark links to its card, in whichever section it is.
    marked, self_scored = submission.approval_checks()
    return {
        "marked": marked,
        "self_scored": self_scored,
        "can_reopen": roles.is_admin(request.user) and (submission.is_approved() or submission.is_locked()),
        # Built here even after a refused post: its confirmation counts the marks as they are now.
        "transition_form": ReturnForm(
            transition_form.data if isinstance(transition_form, ReturnForm) else None,
            submission=submission,
            marked=marked,
        ),
        # Built here even after a refused post: its label names the answers as they are now.
        "approve_form": ApproveForm(approve_form.data if approve_form else None, self_scored=self_scored),
    }


def _sections(submission, key, only=None):
    """The section navigator: every section with its counts, and the one shown (`key`, or the
    first); `only` as for Submission.review_sections."""
    sections = submission.review_sections(only)
    current = next((s for s in sections if s.key == key), sections[0] if sections else None)
    return sections, current


def _render(
    request,
    submission,
    bound_answer=None,
    bound=None,
    transition_form=None,
    approve_form=None,
    status=200,
    section=None,
):
    only = _only(request, submission)
    sections, current = _sections(submission, section or request.GET.get("bagian"), only)
    show = request.GET.get("tampil") if request.GET.get("tampil") in SHOW_CHOICES else ""
    page = _page(request)
    start = (page - 1) * CARDS_PER_PAGE
    # One card more than shown tells whether there is a next page.
    items = (
        submission.review_items(current.key, show, start=start, limit=CARDS_PER_PAGE + 1, only=only) if current else []
    )
    more = len(items) > CARDS_PER_PAGE
    items = items[:CARDS_PER_PAGE]
    keys = [s.key for s in sections]
    index = keys.index(current.key) if current else 0
    cards = _items(request, submission, items, bound_answer, bound)
    for card in cards:
        # A refused comment is shown in its form, with the history and comments it belongs to.
        if card["answer"] is not None and card["answer"].pk == bound_answer and "comment" in (bound or {}):
            card["expanded"] = True
            card.update(_extras(request, card["answer"], card["forms"]))
    return render(
        request,
        "evaluations/review/submission.html",
        {
            **_common(request, submission),
            "items": cards,
            "sections": sections,
            "section": current,
            "previous_section": sections[index - 1] if current and index > 0 else None,
            "next_section": sections[index + 1] if current and index + 1 < len(sections) else None,
            "show": show,
            "page": page,
            "previous_page": page - 1 if page > 1 else None,
            "next_page": page + 1 if more else None,
            "place": _place(request, current.key if current else ""),
            "bound_answer": bound_answer,
            "events": submission.timeline() if roles.can_view_all(request.user) else [],
            **_actions(request, submission, transition_form, approve_form),
        },
        status=status,
    )


def submission(request, pk):
    submission = access.get_review_submission_for_user(request.user, pk)
    return _render(request, submission)


def _card(request, answer, bound=None, message=None, level="success", status=200, expanded=False):
    """One answer card, for htmx to swap in place of the old one, with the section navigator's
    new counts swapped out of band."""
    submission = answer.submission
    [item] = _items(
        request, submission, submission.review_items(question=answer.question_id), answer.pk, bound, expanded
    )
    if expanded:
        item.update(_extras(request, item["answer"], item["forms"]))
    sections, current = _sections(submission, request.GET.get("bagian"), _only(request, submission))
    context = {
        **_common(request, submission),
        "item": item,
        "place": _place(request),
        "bound_answer": answer.pk if bound else None,
        "card_message": message,
        "card_level": level,
        "sections": sections,
        "section": current,
        "show": request.GET.get("tampil") if request.GET.get("tampil") in SHOW_CHOICES else "",
    }
    html = render_to_string("evaluations/review/_answer.html", context, request)
    html += render_to_string("evaluations/review/_sections.html", {**context, "oob": True}, request)
    if context["is_coordinator"]:
        actions = {**context, **_actions(request, submission), "oob": True}
        html += render_to_string("evaluations/review/_actions.html", actions, request)
    # A refused value (400) or a conflict (409) is an answer the card shows like any other: sent
    # as 200 (a 4xx is logged by the browser as a failed load, a console error) with the outcome
    # in a header.
    response = HttpResponse(html)
    if status >= 400:
        response["HX-Refused"] = str(status)
    return response


def _extras(request, answer, forms=None):
    """What loads on demand under an answer: its history and its comments (and the comment form)."""
    return {
        "changes": answer.history(),
        "comments": answer.review_comments(),
        "comment_form": (forms or {}).get("comment")
        or (
            CommentForm(prefix=f"comment-{answer.pk}")
            if roles.may_have_review_queue(request.user) and _scope(request, answer.submission).may_act(answer.question)
            else None
        ),
    }


def _section_of(answer):
    question = answer.question
    return section_key(question.indicator.dimension.code, question.pillar.code if question.pillar_id else None)


@require_GET
def answer(request, pk):
    """An answer's history and comments: the fragment a card's details element fetches with htmx,
    or (without JavaScript) a page with the whole card."""
    answer = access.get_review_answer_for_user(request.user, pk)
    if request.htmx:
        context = {"answer": answer, "place": _place(request), **_extras(request, answer)}
        return render(request, "evaluations/review/_answer_extras.html", context)
    submission = answer.submission
    [item] = _items(request, submission, submission.review_items(question=answer.question_id), expanded=True)
    item.update(_extras(request, item["answer"], item["forms"]))
    key = _section_of(item["answer"])
    return render(
        request,
        "evaluations/review/answer.html",
        {**_common(request, submission), "item": item, "place": _place(request, key)},
    )


def _back(request, answer):
    """Back to the answer on the review page, in the section and filter the coordinator was using."""
    return redirect(
        reverse("evaluations:review_submission", args=[answer.submission_id]) + f"{_place(request)}#jawaban-{answer.pk}"
    )


def _refused(request, answer, error):
    if request.htmx:
        return _card(request, answer, message=error.message, level="danger", status=409)
    messages.error(request, error.message)
    return _back(request, answer)


def _invalid(request, answer, name, form, message):
    """A refused value: its reason stays at the field, in the card where the coordinator was.
    Without JavaScript the page is drawn again at that card (the form's address ends with the
    card's anchor), status 400. Either way the refused field takes the focus."""
    field = next((f for f in form.errors if f in form.fields), None)
    if field:
        form.fields[field].widget.attrs["autofocus"] = True
    if request.htmx:
        return _card(request, answer, {name: form}, message, level="danger", status=400)
    messages.error(request, message)
    return _render(request, answer.submission, answer.pk, {name: form}, status=400, section=_section_of(answer))


def _saved(request, answer, message, level="success", expanded=False):
    if request.htmx:
        return _card(request, answer, message=message, level=level, expanded=expanded)
    getattr(messages, level)(request, message)
    return _back(request, answer)


@require_POST
def set_score(request, pk):
    answer = access.get_rw_review_answer_for_user(request.user, pk)
    form = ScoreForm(request.POST, prefix=f"score-{answer.pk}", self_score=answer.self_score)
    code = answer.question.code
    if not form.is_valid():
        return _invalid(request, answer, "score", form, _("Skor verifikasi %(code)s belum disimpan.") % {"code": code})
    try:
        sent, seen = form.seen_score()
        changed = answer.set_verified_score(
            request.user,
            form.cleaned_data["verified_score"],
            form.cleaned_data["note"],
            **({"seen": seen} if sent else {}),
        )
    except TransitionError as error:
        return _refused(request, answer, error)
    if changed:
        return _saved(request, answer, _("Skor verifikasi %(code)s disimpan.") % {"code": code})
    return _saved(request, answer, _("Skor verifikasi %(code)s tidak berubah.") % {"code": code}, level="info")


@require_POST
def add_comment(request, pk):
    answer = access.get_rw_review_answer_for_user(request.user, pk)
    form = CommentForm(request.POST, prefix=f"comment-{answer.pk}")
    if not form.is_valid():
        message = _("Komentar untuk %(code)s belum disimpan.") % {"code": answer.question.code}
        if request.htmx:
            form.fields["body"].widget.attrs["autofocus"] = True
            return _card(request, answer, {"comment": form}, message, level="danger", status=400, expanded=True)
        return _invalid(request, answer, "comment", form, message)
    try:
        comment = answer.add_comment(request.user, form.cleaned_data["body"], form.cleaned_data["visibility"])
    except TransitionError as error:
        return _refused(request, answer, error)
    if comment.is_internal:
        message = _("Komentar internal disimpan: hanya terlihat oleh koordinator.")
    else:
        message = _("Komentar disimpan dan terlihat oleh perangkat daerah.")
    return _saved(request, answer, message, expanded=True)


@require_POST
def mark_revision(request, pk):
    answer = access.get_rw_review_answer_for_user(request.user, pk)
    form = RevisionForm(request.POST, prefix=f"rev-{answer.pk}")
    code = answer.question.code
    if not form.is_valid():
        return _invalid(
            request, answer, "revision", form, _("Tanda perbaikan %(code)s belum disimpan.") % {"code": code}
        )
    try:
        sent, seen = form.seen_mark()
        answer.mark_for_revision(
            request.user,
            form.cleaned_data["needs_revision"],
            form.cleaned_data["revision_note"],
            **({"seen": seen} if sent else {}),
        )
    except TransitionError as error:
        return _refused(request, answer, error)
    if answer.needs_revision:
        return _saved(request, answer, _("%(code)s ditandai perlu perbaikan.") % {"code": code})
    return _saved(request, answer, _("Tanda perbaikan %(code)s dihapus.") % {"code": code})


def _transition(request, pk, action, success, form_class=TransitionForm):
    """Return, approve or reopen: `action` is the Submission method, called with the form's data."""
    submission = access.get_rw_review_submission_for_user(request.user, pk)
    form = form_class(request.POST, **({"submission": submission} if form_class is ReturnForm else {}))
    bound = {"approve_form" if form_class is ApproveForm else "transition_form": form}
    if not form.is_valid():
        return _render(request, submission, status=400, **bound)
    arguments = form.transition_data() if form_class is ReturnForm else form.cleaned_data
    try:
        action(submission, by=request.user, **arguments)
    except (TransitionError, ValidationError) as error:
        messages.error(request, getattr(error, "message", str(error)))
        return _render(request, submission, status=400, **bound)
    notifications.submission_changed(submission, by=request.user, note=form.cleaned_data.get("note", ""))
    if submission.is_awaiting_second_signoff():
        success = _("Pengisian %(agency)s disetujui dan menunggu persetujuan kedua oleh koordinator lain.")
    messages.success(request, success % {"agency": submission.agency.abbreviation})
    return redirect("evaluations:review_submission", pk=submission.pk)


@require_POST
def return_for_revision(request, pk):
    return _transition(
        request,
        pk,
        Submission.return_for_revision,
        _("Pengisian %(agency)s dikembalikan untuk diperbaiki."),
        form_class=ReturnForm,
    )


@require_POST
def approve(request, pk):
    return _transition(request, pk, Submission.approve, _("Pengisian %(agency)s disetujui."), form_class=ApproveForm)


@require_POST
def confirm_approval(request, pk):
    return _transition(
        request,
        pk,
        Submission.confirm_approval,
        _("Persetujuan kedua diberikan: pengisian %(agency)s disetujui."),
    )


@require_POST
def reopen(request, pk):
    return _transition(
        request,
        pk,
        Submission.reopen,
        _("Pengisian %(agency)s dibuka kembali dan dapat diubah lagi oleh perangkat daerah."),
    )
