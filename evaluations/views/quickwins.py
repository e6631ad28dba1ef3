"""Quick wins: the register per period, its life cycle, continuation, coverage and evidence."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pillars.models import Pillar, SubDimension

from .. import access, notifications, quickwins, roles
from ..forms.quickwins import (
    CompletionRequestForm,
    NoteForm,
    QuickWinEvidenceForm,
    QuickWinForm,
    QuickWinReportForm,
    RejectForm,
    StatusMoveForm,
)
from ..models import Agency, EvaluationPeriod, Notification, QuickWin, QuickWinChange, QuickWinEvidence, TransitionError
from .common import chosen_period, form_errors, period_or_404, shorten, stored_file_attachment


def _may_propose(user):
    return roles.is_coordinator(user) or roles.is_operator(user)


def index(request):
    period = period_or_404(request)
    pillars = list(Pillar.objects.all())
    agencies = list(Agency.objects.filter(active=True))
    pillar = next((p for p in pillars if p.code == request.GET.get("pilar")), None)
    agency = next((a for a in agencies if str(a.pk) == request.GET.get("opd")), None)
    status = request.GET.get("status") if request.GET.get("status") in QuickWin.Status.values else ""
    search = request.GET.get("q", "").strip()[:100]
    quick_wins = QuickWin.objects.for_list(
        period, request.user, pillar=pillar, agency=agency, status=status, search=search
    )
    return render(
        request,
        "evaluations/quickwins/index.html",
        {
            "period": period,
            "periods": EvaluationPeriod.objects.all(),
            "quick_wins": quick_wins,
            "pillars": pillars,
            "agencies": agencies,
            "statuses": QuickWin.Status.choices,
            "selected": {"pillar": pillar, "agency": agency, "status": status, "q": search},
            "may_propose": _may_propose(request.user),
            "previous": period.previous(),
        },
    )


def coverage(request):
    """Each pillar and sub-dimension with its established quick wins; a pillar without one is flagged."""
    period = period_or_404(request)
    established = list(QuickWin.objects.for_coverage(period))
    subdimensions = list(SubDimension.objects.all())
    pillars = []
    for pillar in Pillar.objects.all():
        items = [q for q in established if q.pillar_id == pillar.pk]
        pillars.append(
            {
                "pillar": pillar,
                "count": len(items),
                "subdimensions": [
                    {"subdimension": s, "quick_wins": [q for q in items if q.subdimension_id == s.pk]}
                    for s in subdimensions
                    if s.pillar_id == pillar.pk
                ],
                "without_subdimension": [q for q in items if q.subdimension_id is None],
            }
        )
    return render(
        request,
        "evaluations/quickwins/coverage.html",
        {
            "period": period,
            "periods": EvaluationPeriod.objects.all(),
            "pillars": pillars,
            "uncovered": [p["pillar"] for p in pillars if not p["count"]],
        },
    )


# Prefixes of the forms that share the detail page with others of the same field names.
REPORT_PREFIX, COMPLETION_PREFIX, CONFIRM_PREFIX, DECLINE_PREFIX = "laporan", "selesai", "konfirmasi", "tolak-selesai"


def _detail_context(user, quick_win, report_form=None, completion_form=None):
    """Everything the quick-win page shows, in a fixed number of queries whatever the number of
    changes, reports, evidence files and later periods."""
    return {
        "quick_win": quick_win,
        "supporting": quick_win.supporting_agencies.all(),
        "changes": QuickWinChange.objects.filter(quick_win=quick_win)
        .select_related("actor")
        .prefetch_related("field_changes"),
        "reports": quick_win.reports.select_related("reported_by", "evidence"),
        "evidence": quick_win.evidence.live(),
        "can_edit": quick_win.can_edit(user),
        "can_review": quick_win.can_review(user),
        "can_move_status": quick_win.can_move_status(user),
        "can_resubmit": quick_win.can_resubmit(user),
        "can_attach": quick_win.can_attach(user),
        "can_remove_evidence": quick_win.can_remove_evidence(user),
        "can_report": quick_win.can_report(user),
        "can_request_completion": quick_win.can_request_completion(user),
        "can_decide_completion": quick_win.can_decide_completion(user),
        # Confirming "selesai" below the target (or with no achievement reported) is allowed, but said.
        "short_of_target": quick_win.target_pct is not None
        and (quick_win.achievement_pct is None or quick_win.achievement_pct < quick_win.target_pct),
        "continuation_targets": quick_win.continuation_targets(user),
        "note_form": NoteForm(),
        "reject_form": RejectForm(),
        "status_form": StatusMoveForm(quick_win=quick_win),
        "evidence_form": QuickWinEvidenceForm(),
        "report_form": report_form or QuickWinReportForm(prefix=REPORT_PREFIX),
        "completion_form": completion_form or CompletionRequestForm(prefix=COMPLETION_PREFIX),
        "confirm_form": NoteForm(prefix=CONFIRM_PREFIX),
        "decline_form": RejectForm(prefix=DECLINE_PREFIX),
    }


def detail(request, pk):
    quick_win = access.get_quick_win_for_user(request.user, pk)
    return render(request, "evaluations/quickwins/detail.html", _detail_context(request.user, quick_win))


def create(request):
    if not _may_propose(request.user):
        raise PermissionDenied
    period = period_or_404(request)
    initial = {"pillar": Pillar.objects.filter(code=request.GET.get("pilar")).first()}
    if "pilih_pilar" in request.POST:
        form = QuickWinForm.redrawn(request.POST, user=request.user)
        return render(request, "evaluations/quickwins/form.html", {"form": form, "period": period})
    form = QuickWinForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "supporting_agencies"}
        fields.setdefault("agency", roles.agency_of(request.user))
        try:
            quick_win = quickwins.propose(
                request.user, period=period, supporting_agencies=form.cleaned_data["supporting_agencies"], **fields
            )
        except TransitionError as error:
            messages.error(request, error.message)
            return redirect("evaluations:quickwins_index")
        notifications.quick_win_changed(quick_win, by=request.user)
        messages.success(request, _('Quick win "%(name)s" diusulkan.') % {"name": shorten(quick_win.name)})
        return redirect("evaluations:quickwins_detail", pk=quick_win.pk)
    return render(request, "evaluations/quickwins/form.html", {"form": form, "period": period})


def edit(request, pk):
    quick_win = access.get_rw_quick_win_for_user(request.user, pk)
    if "pilih_pilar" in request.POST:
        form = QuickWinForm.redrawn(request.POST, instance=quick_win, user=request.user)
        context = {"form": form, "quick_win": quick_win, "period": quick_win.period}
        return render(request, "evaluations/quickwins/form.html", context)
    form = QuickWinForm(request.POST or None, instance=quick_win, user=request.user)
    if request.method == "POST" and form.is_valid():
        quick_win = form.save(commit=False)
        try:
            quickwins.save_edit(quick_win, request.user, supporting_agencies=form.cleaned_data["supporting_agencies"])
        except TransitionError as error:
            messages.error(request, error.message)
            return redirect("evaluations:quickwins_detail", pk=quick_win.pk)
        messages.success(request, _("Perubahan disimpan."))
        return redirect("evaluations:quickwins_detail", pk=quick_win.pk)
    return render(
        request, "evaluations/quickwins/form.html", {"form": form, "quick_win": quick_win, "period": quick_win.period}
    )


def _transition(request, quick_win, form, action, success, notice=None):
    """Establish, reject, resubmit or move the status: `action` is the QuickWin method, called with the form's
    cleaned data as its keyword arguments; `notice`: the notification's kind when the status alone
    does not say it."""
    if not form.is_valid():
        messages.error(
            request,
            _("Periksa isian: %(errors)s") % {"errors": form_errors(form)},
        )
        return redirect("evaluations:quickwins_detail", pk=quick_win.pk)
    try:
        action(quick_win, request.user, **form.cleaned_data)
    except TransitionError as error:
        messages.error(request, error.message)
    else:
        notifications.quick_win_changed(quick_win, by=request.user, note=form.cleaned_data.get("note", ""), kind=notice)
        messages.success(request, success)
    return redirect("evaluations:quickwins_detail", pk=quick_win.pk)


@require_POST
def establish(request, pk):
    quick_win = access.get_quick_win_for_user(request.user, pk)
    return _transition(request, quick_win, NoteForm(request.POST), QuickWin.establish, _("Quick win ditetapkan."))


@require_POST
def reject(request, pk):
    quick_win = access.get_quick_win_for_user(request.user, pk)
    return _transition(request, quick_win, RejectForm(request.POST), QuickWin.reject, _("Usulan quick win ditolak."))


@require_POST
def resubmit(request, pk):
    quick_win = access.get_quick_win_for_user(request.user, pk)
    return _transition(request, quick_win, NoteForm(request.POST), QuickWin.resubmit, _("Quick win diusulkan kembali."))


@require_POST
def move_status(request, pk):
    quick_win = access.get_quick_win_for_user(request.user, pk)
    form = StatusMoveForm(request.POST, quick_win=quick_win)
    return _transition(request, quick_win, form, QuickWin.move_status, _("Status quick win diubah."))


@require_POST
def continue_into(request, pk):
    """Carry a quick win into a later period (the one chosen on its page, else the current one)
    as "dilanjutkan"."""
    quick_win = access.get_quick_win_for_user(request.user, pk)
    if not (roles.is_coordinator(request.user) or quick_win.is_owned_by(request.user)):
        raise PermissionDenied
    chosen = request.POST.get("periode", "")
    period = get_object_or_404(EvaluationPeriod, pk=chosen) if chosen.isdigit() else period_or_404(request)
    try:
        new = quickwins.continue_into(quick_win, period, request.user)
    except (TransitionError, IntegrityError) as error:
        messages.error(request, getattr(error, "message", _("Quick win ini sudah dilanjutkan ke periode ini.")))
        return redirect("evaluations:quickwins_detail", pk=pk)
    messages.success(request, _("Quick win dilanjutkan ke periode %(period)s.") % {"period": shorten(period)})
    return redirect("evaluations:quickwins_detail", pk=new.pk)


def continuation(request):
    """Last period's quick wins that this user may carry into the current period."""
    if not _may_propose(request.user):
        raise PermissionDenied
    period = chosen_period(request)
    previous = period.previous() if period else None
    candidates = []
    if previous is not None:
        qs = QuickWin.objects.filter(period=previous, status__in=QuickWin.ESTABLISHED_STATUSES).exclude(
            status=QuickWin.Status.STOPPED
        )
        if not roles.is_coordinator(request.user):
            qs = qs.filter(agency=roles.agency_of(request.user))
        carried = set(
            QuickWin.objects.filter(period=period, continued_from__isnull=False).values_list(
                "continued_from", flat=True
            )
        )
        candidates = [
            (q, q.pk in carried)
            for q in qs.select_related("pillar", "agency").prefetch_related(Prefetch("supporting_agencies"))
        ]
    return render(
        request,
        "evaluations/quickwins/continuation.html",
        {"period": period, "previous": previous, "candidates": candidates},
    )


@require_POST
def evidence_upload(request, pk):
    quick_win = access.get_quick_win_for_user(request.user, pk)
    if not quick_win.can_attach(request.user):
        raise PermissionDenied
    form = QuickWinEvidenceForm(request.POST, request.FILES)
    if form.is_valid():
        QuickWinEvidence.attach(quick_win, request.user, form.cleaned_data["title"], form.cleaned_data["file"])
        messages.success(request, _("Bukti dukung diunggah."))
    else:
        messages.error(request, form_errors(form))
    return redirect("evaluations:quickwins_detail", pk=pk)


def evidence_download(request, pk):
    evidence = access.get_quick_win_evidence_for_user(request.user, pk)
    return stored_file_attachment(evidence.file, evidence.original_name)


def evidence_remove(request, pk):
    """Remove an evidence file (a duplicate, a wrong one): GET asks for confirmation, POST removes."""
    evidence = access.get_removable_quick_win_evidence_for_user(request.user, pk)
    quick_win = evidence.quick_win
    if request.method == "POST":
        try:
            evidence.remove(request.user)
        except TransitionError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _('Bukti dukung "%(title)s" dihapus.') % {"title": shorten(evidence.title)})
        return redirect("evaluations:quickwins_detail", pk=quick_win.pk)
    return render(request, "evaluations/quickwins/evidence_remove.html", {"evidence": evidence, "quick_win": quick_win})


def _owner_action(request, quick_win, form, form_name, act, success, refused, notice=None):
    """A form of the owning agency on the quick-win page (a report of achievement, a completion request):
    `act(data)` on a valid form, then back to the page; an invalid form redraws the page with it.
    `notice`: the kind of notification the coordinators get."""
    if form.is_valid():
        try:
            act(form.cleaned_data)
        except TransitionError as error:
            messages.error(request, error.message)
        else:
            if notice:
                notifications.quick_win_changed(quick_win, by=request.user, kind=notice)
            messages.success(request, success)
        return redirect("evaluations:quickwins_detail", pk=quick_win.pk)
    messages.error(request, refused)
    return render(
        request, "evaluations/quickwins/detail.html", _detail_context(request.user, quick_win, **{form_name: form})
    )


@require_POST
def report(request, pk):
    """The owning agency reports its achievement; a refused report shows the page again with its errors."""
    quick_win = access.get_reporting_quick_win_for_user(request.user, pk)
    form = QuickWinReportForm(request.POST, request.FILES, prefix=REPORT_PREFIX)
    return _owner_action(
        request,
        quick_win,
        form,
        "report_form",
        lambda data: quickwins.report(
            quick_win,
            request.user,
            achievement_pct=data["achievement_pct"],
            reported_on=data["reported_on"],
            note=data["note"],
            evidence_file=data["file"],
            evidence_title=_("Bukti laporan capaian %(date)s") % {"date": data["reported_on"].isoformat()},
        ),
        _("Laporan capaian disimpan."),
        _("Laporan capaian belum disimpan: periksa isian yang ditandai."),
    )


@require_POST
def request_completion(request, pk):
    """The owning agency asks for "selesai" with the date and the final evidence."""
    quick_win = access.get_reporting_quick_win_for_user(request.user, pk)
    form = CompletionRequestForm(request.POST, request.FILES, prefix=COMPLETION_PREFIX)
    return _owner_action(
        request,
        quick_win,
        form,
        "completion_form",
        lambda data: quickwins.request_completion(
            quick_win,
            request.user,
            completed_on=data["completed_on"],
            note=data["note"],
            evidence_file=data["file"],
            evidence_title=data["title"],
        ),
        _("Penyelesaian diajukan; koordinator akan mengonfirmasi."),
        _("Pengajuan selesai belum dikirim: periksa isian yang ditandai."),
        notice=Notification.Kind.QUICK_WIN_COMPLETION_REQUESTED,
    )


@require_POST
def confirm_completion(request, pk):
    quick_win = access.get_quick_win_for_user(request.user, pk)
    form = NoteForm(request.POST, prefix=CONFIRM_PREFIX)
    return _transition(request, quick_win, form, QuickWin.confirm_completion, _("Quick win ditandai selesai."))


@require_POST
def decline_completion(request, pk):
    quick_win = access.get_quick_win_for_user(request.user, pk)
    form = RejectForm(request.POST, prefix=DECLINE_PREFIX)
    return _transition(
        request,
        quick_win,
        form,
        QuickWin.decline_completion,
        _("Pengajuan selesai ditolak."),
        notice=Notification.Kind.QUICK_WIN_COMPLETION_DECLINED,
    )
