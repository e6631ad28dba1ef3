"""Operators fill in their agency's submission: home with sections, section pages, evidence,
carry forward and submitting. Coordinators, admin and leaders may look at any section read-only.

Every view looks the submission up through evaluations.access (outsiders 404, look-only 403 on
changes); the rules (saving, locking, carry forward) live in evaluations.answering, transitions on the models.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, notifications, restore, roles
from ..answering import (
    answer_state,
    load_section,
    save_answers,
    section_key_of,
    state_of,
    submission_sections,
)
from ..carry_forward import can_carry_forward, carry_forward
from ..forms.accounts import LoginForm
from ..forms.answering import RESTORABLE, restorable_fields, section_forms
from ..models import Submission, TransitionError
from ..pending_uploads import discard_used_uploads, keep_refused_uploads, pending_uploads
from .common import all_periods, chosen_period, stored_file_attachment, visible_periods


def _section_url(submission, key):
    return reverse("evaluations:answering_section", args=[submission.pk, key])


def _overview(request, submission, periods=None):
    """`periods`: all_periods(), when the page has read them (the operator's own home)."""
    sections = submission_sections(submission)
    return render(
        request,
        "evaluations/answering/overview.html",
        {
            "submission": submission,
            "period": submission.period,
            "sections": sections,
            "answered": sum(s.answered for s in sections),
            "total": sum(s.total for s in sections),
            "can_edit": submission.can_edit(request.user),
            "can_carry_forward": can_carry_forward(submission, among=periods),
            # The operator's way to another period's submission (the chooser of /opd/).
            "periods": (
                visible_periods(request.user, periods) if submission.agency == roles.agency_of(request.user) else None
            ),
        },
    )


def home(request):
    """The operator's own agency in the chosen period (common.chosen_period: the one chosen on
    any page, else the open one); the submission starts on the first visit."""
    agency = roles.agency_of(request.user)
    if agency is None:
        raise Http404
    periods = all_periods()
    period = chosen_period(request, among=visible_periods(request.user, periods))
    if period is None:
        messages.info(request, _("Belum ada periode evaluasi."))
        return redirect("evaluations:common_home")
    return _overview(request, Submission.start(period, agency), periods=periods)


def submission(request, pk):
    return _overview(request, access.get_submission_for_user(request.user, pk))


def _render_section(request, submission, page, forms, status=200, restored=False):
    can_edit = submission.can_edit(request.user)
    rows = [(form, page.answers.get(form.question.id)) for form in forms]
    return render(
        request,
        "evaluations/answering/section.html",
        {
            "submission": submission,
            "period": submission.period,
            "page": page,
            "section": page.section,
            "rows": rows,
            "invalid": [form.question for form in forms if form.is_bound and form.errors],
            "can_edit": can_edit,
            "restored": restored,
            "max_bytes": settings.EVIDENCE_MAX_BYTES,
        },
        status=status,
    )


def _login_keeping_post(request):
    """A post whose session expired gets the login page, its form carrying what was typed (not the
    files): after logging in the operator finds it back on the same page instead of losing it
    (evaluations.restore). Nothing is stored on the server and nothing is looked up, so an anonymous
    visitor can neither fill the session store nor learn whether the section exists."""
    form = LoginForm(request, initial={restore.FIELD: restore.seal(request.path, request.POST, RESTORABLE)})
    response = render(request, "registration/login.html", {"form": form, "next": request.path})
    add_never_cache_headers(response)  # what was typed stays out of every cache
    return response


@login_not_required
def section(request, pk, key):
    """One section's questions. Anonymous posts (session expired) are kept in the login form, not lost."""
    if not request.user.is_authenticated:
        if request.method == "POST":
            return _login_keeping_post(request)
        return redirect_to_login(request.get_full_path())
    if request.method == "POST":
        return _save_section(request, pk, key)
    submission = access.get_submission_for_user(request.user, pk)
    page = load_section(submission, key)
    if page is None:
        raise Http404
    can_edit = submission.can_edit(request.user)
    fields = restorable_fields(page.section.questions)
    restored = restore.pop(request.session, request.path, request.user, fields) if can_edit else None
    if restored is not None:
        messages.warning(
            request,
            _(
                "Isian yang Anda ketik sebelum sesi berakhir dikembalikan di bawah ini. "
                "Belum tersimpan: tekan Simpan draf."
            ),
        )
    forms = section_forms(page, data=restored, read_only=not can_edit)
    return _render_section(request, submission, page, forms, restored=restored is not None)


def _save_section(request, pk, key):
    submission = access.get_rw_submission_for_user(request.user, pk)
    page = load_section(submission, key)
    if page is None:
        raise Http404
    if not submission.is_editable():
        messages.error(request, _("Pengisian ini tidak dapat diubah: sudah dikirim atau periode sudah ditutup."))
        return redirect(_section_url(submission, key))
    data = request.POST.copy()
    pending = pending_uploads(submission, request.user, data)
    forms = section_forms(page, data, request.FILES, pending=pending)
    if not all([form.is_valid() for form in forms]):  # a list: validate every form, show every error
        message = _("Ada isian yang perlu diperbaiki (lihat tanda merah). Belum ada yang disimpan.")
        if keep_refused_uploads(submission, forms, request.user):
            message += " " + _("Berkas yang sudah dipilih diterima: tidak perlu dipilih lagi.")
        messages.error(request, message)
        return _render_section(request, submission, page, forms, status=422)
    confirm = request.POST.get("konfirmasi", "")
    items = [form.to_input(confirm=confirm == str(form.question.pk)) for form in forms]
    try:
        result = save_answers(submission, items, request.user)
    except TransitionError as exc:
        messages.error(request, exc.message)
        return redirect(_section_url(submission, key))
    discard_used_uploads(pending, result.saved)
    if result.conflicts:
        return _render_conflicts(request, submission, key, data, forms, items, result)
    if result.saved:
        messages.success(request, _("Draf tersimpan (%(n)s jawaban).") % {"n": len(result.saved)})
    else:
        messages.info(request, _("Tidak ada perubahan untuk disimpan."))
    if request.POST.get("action") == "next" and page.next is not None:
        return redirect(_section_url(submission, page.next.key))
    return redirect(_section_url(submission, key))


def _render_conflicts(request, submission, key, data, forms, items, result):
    """Show the page again with what the operator typed. Saved answers get their new version;
    each conflicting answer shows the other person's value and now carries the current version,
    so saving again overwrites it knowingly, never silently."""
    for form, item in zip(forms, items, strict=True):
        prefix = form.prefix
        for name in ("evidence_title", "evidence_url", "remove_evidence"):
            data.pop(f"{prefix}-{name}", None)
        if item.question.id in result.versions:
            data[f"{prefix}-version"] = result.versions[item.question.id]
            data[f"{prefix}-seen"] = answer_state(item.values, item.explanation)
    conflicts = {c.question.id: c.current for c in result.conflicts}
    for form in forms:
        current = conflicts.get(form.question.id)
        if current is not None:
            data[f"{form.prefix}-version"] = current.version
            data[f"{form.prefix}-seen"] = state_of(current)
    page = load_section(submission, key)
    forms = section_forms(page, data)
    for form in forms:
        current = conflicts.get(form.question.id)
        if current is None:
            continue
        who = current.updated_by.get_full_name() or current.updated_by.username if current.updated_by else "?"
        form.conflict = {
            "who": who,
            "value": current.value_display() or "—",
            "explanation": current.explanation,
            "at": current.updated_at,
        }
    if result.saved:
        messages.success(request, _("%(n)s jawaban lain tersimpan.") % {"n": len(result.saved)})
    messages.error(
        request,
        _(
            "%(n)s jawaban sudah diubah orang lain sejak halaman ini Anda buka, jadi perubahan Anda "
            "untuk jawaban itu belum disimpan. Bandingkan, lalu simpan lagi bila perlu."
        )
        % {"n": len(result.conflicts)},
    )
    return _render_section(request, submission, page, forms, status=409)


def submit(request, pk):
    """GET: what is still missing, or a confirmation. POST: send it for verification."""
    if request.method == "POST":
        submission = access.get_rw_submission_for_user(request.user, pk)
        try:
            submission.submit(by=request.user)
        except TransitionError as exc:
            messages.error(request, exc.message)
            return _render_submit(request, submission, exc.missing, status=422)
        notifications.submission_changed(submission, by=request.user)
        messages.success(request, _("Pengisian terkirim untuk verifikasi. Isian kini hanya dapat dibaca."))
        return redirect("evaluations:answering_submission", submission.pk)
    submission = access.get_submission_for_user(request.user, pk)
    return _render_submit(request, submission, submission.missing_items())


def _render_submit(request, submission, missing, status=200):
    rows = [
        (question, reason, _section_url(submission, section_key_of(question)) + f"#q-{question.pk}")
        for question, reason in missing
    ]
    return render(
        request,
        "evaluations/answering/submit.html",
        {
            "submission": submission,
            "period": submission.period,
            "missing": rows,
            "can_edit": submission.can_edit(request.user),
        },
        status=status,
    )


@require_POST
def copy_previous(request, pk):
    submission = access.get_rw_submission_for_user(request.user, pk)
    try:
        copied = carry_forward(submission, by=request.user)
    except TransitionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "%(n)s jawaban disalin dari periode sebelumnya. Periksa dan tekan Konfirmasi "
                "pada setiap jawaban yang masih berlaku."
            )
            % {"n": copied},
        )
    return redirect("evaluations:answering_submission", submission.pk)


def evidence_download(request, pk):
    """Streams an evidence file to those who may see the answer, always as a download."""
    evidence = access.get_evidence_for_user(request.user, pk)
    return stored_file_attachment(evidence.file, evidence.original_name)
