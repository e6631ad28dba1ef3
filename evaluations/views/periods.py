"""Period management for the admin, in the app: list, a new period (a copy or empty), open /
close / reopen, the deadline, and the grid of which agency answers which pillar."""

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pillars.models import Pillar

from .. import access, todo
from ..forms.periods import (
    AssignmentFilterForm,
    AssignmentGridForm,
    BulkAssignForm,
    DeadlineForm,
    PeriodCreateForm,
    SecondSignoffForm,
)
from ..models import Agency, Assignment, AssignmentConflict, EvaluationPeriod, Question
from .common import shorten


def index(request):
    access.require_admin(request.user)
    periods = EvaluationPeriod.objects.annotate(
        dimension_count=Count("national__dimensions", distinct=True),
        agency_count=Count("assignments__agency", distinct=True),
        submission_count=Count("submissions", distinct=True),
    )
    return render(request, "evaluations/periods/index.html", {"periods": periods})


def _suggested(periods):
    """What a new period most likely is: the stage after the latest period, a copy of it."""
    today = timezone.localdate()
    initial = {"opens": today, "closes": today + timedelta(days=30)}
    if not periods:
        return {**initial, "year": today.year, "stage": EvaluationPeriod.Stage.FIRST}
    latest = periods[0]
    if latest.stage == EvaluationPeriod.Stage.FIRST:
        year, stage = latest.year, EvaluationPeriod.Stage.SECOND
    else:
        year, stage = latest.year + 1, EvaluationPeriod.Stage.FIRST
    # No name: the form makes it from the year and stage typed (forms.periods.standard_name).
    return {**initial, "year": year, "stage": stage, "source": latest.pk}


def create(request):
    access.require_national_manager(request.user)
    periods = list(EvaluationPeriod.objects.all())
    form = PeriodCreateForm(request.POST if request.method == "POST" else None, initial=_suggested(periods))
    if request.method == "POST":
        if form.is_valid():
            source = form.cleaned_data["source"]
            fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
            if source is None:
                period = EvaluationPeriod.objects.create_empty(request.region, **fields)  # a draft
                message = _("Periode %(period)s dibuat tanpa instrumen: impor instrumennya di halaman Instrumen.")
            else:
                period = EvaluationPeriod.objects.create_copy(source, **fields)
                message = _("Periode %(period)s dibuat sebagai salinan %(source)s: periksa instrumen dan penugasannya.")
            messages.success(request, message % {"period": shorten(period.name), "source": shorten(source or "")})
            return redirect("evaluations:periods_detail", pk=period.pk)
        messages.error(request, _("Periode belum dibuat. Periksa isian yang ditandai."))
    return render(request, "evaluations/periods/create.html", {"form": form}, status=400 if form.is_bound else 200)


def _detail(request, period, deadline_form=None, status=200):
    assignments = (
        Assignment.objects.filter(period=period)
        .select_related("agency", "pillar", "question")
        .order_by("agency__name", "pillar__order", "question__code")
    )
    agencies = {}
    for assignment in assignments:
        row = agencies.setdefault(assignment.agency_id, {"agency": assignment.agency, "pillars": [], "questions": []})
        if assignment.pillar_id:
            row["pillars"].append(assignment.pillar)
        else:
            row["questions"].append(assignment.question)
    return render(
        request,
        "evaluations/periods/detail.html",
        {
            "period": period,
            "open_errors": period.open_errors() if not period.is_open() else [],
            "deadline_form": deadline_form or DeadlineForm(instance=period),
            "signoff_form": SecondSignoffForm(instance=period),
            "agencies": agencies.values(),
            "submission_count": period.submissions.count(),
            # Opening while another period is open: the confirmation names it and what is open in it.
            "other_open": todo.open_work(besides=period) if period.is_draft() or period.is_closed() else [],
        },
        status=status,
    )


def detail(request, pk):
    return _detail(request, access.get_period_for_admin(request.user, pk))


def _change_status(request, pk, action, done, refused, period=None):
    period = period or access.get_period_for_admin(request.user, pk)
    name = shorten(period.name)
    try:
        getattr(period, action)(by=request.user)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        messages.error(request, refused % {"period": name})
    else:
        messages.success(request, done % {"period": name})
    return redirect("evaluations:periods_detail", pk=period.pk)


# The box an admin ticks to open a period while another is open (the form names that period).
CONFIRM_OTHER_OPEN = "periode_lain_dibuka"


def _other_open_unconfirmed(request, period):
    """Opening while another period is open, without the admin's tick: back to the period's page
    with a message naming the other period and what is still open in it."""
    others = todo.open_work(besides=period)
    if not others or request.POST.get(CONFIRM_OTHER_OPEN):
        return None
    for other in others:
        messages.error(request, other.text() + ".")
    messages.error(request, _("Centang konfirmasi bahwa periode lain tetap dibuka, lalu buka periode ini lagi."))
    return redirect("evaluations:periods_detail", pk=period.pk)


@require_POST
def open_period(request, pk):
    period = access.get_period_for_admin(request.user, pk)
    return _other_open_unconfirmed(request, period) or _change_status(
        request, pk, "open", _("Periode %(period)s dibuka."), _("Periode %(period)s belum dapat dibuka."), period
    )


@require_POST
def close_period(request, pk):
    return _change_status(
        request,
        pk,
        "close",
        _("Periode %(period)s ditutup: semua pengisian terkunci."),
        _("Periode %(period)s tidak ditutup."),
    )


@require_POST
def reopen_period(request, pk):
    period = access.get_period_for_admin(request.user, pk)
    return _other_open_unconfirmed(request, period) or _change_status(
        request,
        pk,
        "reopen",
        _("Periode %(period)s dibuka kembali."),
        _("Periode %(period)s belum dapat dibuka kembali."),
        period,
    )


@require_POST
def change_deadline(request, pk):
    period = access.get_period_for_admin(request.user, pk)
    form = DeadlineForm(request.POST, instance=period)
    if not form.is_valid():
        messages.error(request, _("Batas akhir belum diubah."))
        # The form's instance was changed by validation: show the saved period, not the bad date.
        return _detail(request, EvaluationPeriod.objects.get(pk=pk), deadline_form=form, status=400)
    form.save()
    messages.success(
        request,
        _("Batas akhir %(period)s diubah menjadi %(date)s.")
        % {"period": shorten(period.name), "date": date_format(period.closes, "j F Y")},
    )
    return redirect("evaluations:periods_detail", pk=period.pk)


@require_POST
def change_second_signoff(request, pk):
    """Switch the second sign-off on or off. A submission already waiting for its second sign-off
    keeps waiting: switching off does not approve it behind the coordinators' backs."""
    period = access.get_period_for_admin(request.user, pk)
    form = SecondSignoffForm(request.POST, instance=period)
    form.is_valid()  # a checkbox: always valid
    form.save()
    if period.second_signoff:
        message = _("Persetujuan kedua diwajibkan untuk %(period)s.")
    else:
        message = _("Persetujuan kedua tidak lagi diwajibkan untuk %(period)s.")
    messages.success(request, message % {"period": shorten(period.name)})
    return redirect("evaluations:periods_detail", pk=period.pk)


# --- the assignments grid --------------------------------------------------------------------
def _grid_data(request, period):
    """What the grid is drawn from and posted against: the agencies of the chosen kind (?jenis=;
    active ones, and inactive ones still assigned), the pillars, the stored assignments and the
    period's question codes. Four queries."""
    filter_form = AssignmentFilterForm(request.GET)
    kind = filter_form.cleaned_data["jenis"] if filter_form.is_valid() else ""
    stored = list(Assignment.objects.filter(period=period).values_list("agency_id", "pillar_id", "question__code"))
    assigned_agencies = {agency_id for agency_id, _pillar, _code in stored}
    agencies = [
        a for a in Agency.objects.all() if (a.active or a.pk in assigned_agencies) and (not kind or a.kind == kind)
    ]
    return {
        "filter_form": filter_form,
        "kind": kind,
        "pillars": list(Pillar.objects.all()),
        "stored": stored,
        "assigned_agencies": assigned_agencies,
        "agencies": agencies,
        "question_ids": dict(Question.objects.for_period(period).values_list("code", "id")),
    }


def _grid_form(data, grid, period):
    return AssignmentGridForm(
        data,
        initial=None if data else _grid_initial(grid, period),
        agencies=grid["agencies"],
        pillars=grid["pillars"],
        question_ids=grid["question_ids"],
    )


def _grid_initial(grid, period):
    initial = {"version": period.assignments_version, "shown": [a.pk for a in grid["agencies"]]}
    codes = {}
    for agency_id, pillar_id, code in grid["stored"]:
        if pillar_id:
            initial.setdefault(f"pilar-{agency_id}", []).append(pillar_id)
        else:
            codes.setdefault(f"pertanyaan-{agency_id}", []).append(code)
    return {**initial, **{name: ", ".join(sorted(values)) for name, values in codes.items()}}


def _assignments_page(request, period, grid, grid_form=None, bulk_form=None, status=200):
    """The grid with counts per pillar and warnings: seven queries (besides the session's)
    whatever the number of agencies and assignments."""
    pillars = grid["pillars"]
    agency_counts = {p.pk: 0 for p in pillars}
    for _agency, pillar_id, _code in grid["stored"]:
        if pillar_id:
            agency_counts[pillar_id] += 1
    question_counts = dict(Question.objects.for_period(period).order_by().values_list("pillar").annotate(n=Count("id")))
    bulk_form = bulk_form or BulkAssignForm(
        initial={"version": period.assignments_version, "kind": grid["kind"] or Agency.Kind.DINAS}, pillars=pillars
    )
    return render(
        request,
        "evaluations/periods/assignments.html",
        {
            "period": period,
            "filter_form": grid["filter_form"],
            "kind": grid["kind"],
            "kind_label": Agency.Kind(grid["kind"]).label if grid["kind"] else "",
            "form": grid_form or _grid_form(None, grid, period),
            "bulk_form": bulk_form,
            "pillar_counts": [
                {"pillar": p, "agencies": agency_counts[p.pk], "questions": question_counts.get(p.pk, 0)}
                for p in pillars
            ],
            "unanswered_pillars": [p for p in pillars if question_counts.get(p.pk) and not agency_counts[p.pk]],
            "idle_agencies": [a for a in grid["agencies"] if a.pk not in grid["assigned_agencies"]],
            "unassigned_questions": period.unassigned_questions(),
        },
        status=status,
    )


def _assignments_url(period, kind):
    url = reverse("evaluations:periods_assignments", args=[period.pk])
    return f"{url}?{urlencode({'jenis': kind})}" if kind else url


def assignments(request, pk):
    period = access.get_period_for_admin(request.user, pk)
    grid = _grid_data(request, period)
    if request.method != "POST":
        return _assignments_page(request, period, grid)
    form = _grid_form(request.POST, grid, period)
    kind = grid["kind"]
    if not form.is_valid():
        messages.error(request, _("Penugasan belum disimpan. Periksa isian yang ditandai."))
        return _assignments_page(request, period, grid, grid_form=form, status=400)
    try:
        added, removed = period.replace_assignments(form.rows(), form.cleaned_data["version"])
    except AssignmentConflict:
        messages.error(
            request,
            _(
                "Penugasan tidak disimpan: admin lain mengubahnya sejak halaman ini dibuka. "
                "Berikut penugasan terbaru; ulangi perubahan Anda."
            ),
        )
        period.refresh_from_db(fields=["assignments_version"])
        return _assignments_page(request, period, _grid_data(request, period), status=409)
    if added or removed:
        messages.success(
            request,
            _("Penugasan disimpan: %(added)s ditambah, %(removed)s dihapus.") % {"added": added, "removed": removed},
        )
    else:
        messages.info(request, _("Tidak ada perubahan penugasan."))
    return redirect(_assignments_url(period, kind))


@require_POST
def assignments_bulk(request, pk):
    period = access.get_period_for_admin(request.user, pk)
    grid = _grid_data(request, period)
    form = BulkAssignForm(request.POST, pillars=grid["pillars"])
    if not form.is_valid():
        messages.error(request, _("Penugasan massal belum disimpan. Periksa isian yang ditandai."))
        return _assignments_page(request, period, grid, bulk_form=form, status=400)
    kind, pillar = form.cleaned_data["kind"], form.cleaned_data["pillar"]
    try:
        added = period.assign_kind_to_pillar(kind, pillar, form.cleaned_data["version"])
    except AssignmentConflict:
        messages.error(
            request,
            _("Penugasan massal tidak disimpan: admin lain mengubah penugasan sejak halaman ini dibuka. Ulangi."),
        )
        return redirect(_assignments_url(period, kind))
    messages.success(
        request,
        _("%(count)s perangkat daerah berjenis %(kind)s ditugaskan ke %(pillar)s.")
        % {"count": added, "kind": Agency.Kind(kind).label, "pillar": pillar.name},
    )
    return redirect(_assignments_url(period, kind))
