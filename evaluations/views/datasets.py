"""The four supporting data sets: template, upload, page with filters and figures, history."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Sum
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import access, roles, tasks
from ..datasets import SPECS, get_spec
from ..excel.datasets import build_template
from ..forms.datasets import DatasetUploadForm
from ..models import DatasetKind, DatasetUpload, Kecamatan
from .common import XLSX, period_or_404, shorten, stored_file_attachment, upload_redirect, xlsx_attachment

ROWS_PER_PAGE = 100


def _spec_or_404(kind):
    if kind not in DatasetKind.values:
        raise Http404
    return get_spec(kind)


def _may_upload(user, period):
    return roles.is_operator(user) and period.accepts_edits()


def index(request):
    period = period_or_404()
    agency = roles.agency_of(request.user)
    own = {}
    if agency is not None:
        for upload in DatasetUpload.objects.filter(
            period=period, agency=agency, outcome=DatasetUpload.Outcome.ACCEPTED, deleted_at__isnull=True
        ):
            own.setdefault(upload.kind, upload)
    counts = {spec.kind: spec.model.objects.filter(period=period).count() for spec in SPECS.values()}
    return render(
        request,
        "evaluations/datasets/index.html",
        {
            "period": period,
            "datasets": [(spec, counts[spec.kind], own.get(spec.kind)) for spec in SPECS.values()],
            "agency": agency,
        },
    )


def _display(column, row):
    value = getattr(row, column.field)
    if column.type == "choice":
        return getattr(row, f"get_{column.field}_display")() if value else ""
    if column.type == "bool":
        return _("Ya") if value else _("Tidak")
    if column.type == "decimal":
        return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    if column.type == "int" and value is not None:
        return number_format(value, use_l10n=True, force_grouping=True)
    return "" if value is None else value


def page(request, kind):
    """The rows of every agency with filters, totals and derived figures: a fixed number of
    queries whatever the number of rows (one page of rows, aggregates for the rest)."""
    spec = _spec_or_404(kind)
    period = period_or_404()
    model = spec.model
    filters, selected = {}, {}
    kecamatan_list = list(Kecamatan.objects.all())
    filter_options = []
    for field_name, label in spec.filters:
        raw = request.GET.get(field_name, "")
        if field_name == "kecamatan":
            options = [(str(k.pk), k.name) for k in kecamatan_list]
        else:
            options = list(model._meta.get_field(field_name).choices)
        if raw and raw in {str(v) for v, _label in options}:
            filters[field_name] = raw
        selected[field_name] = raw
        filter_options.append(
            {"field": field_name, "label": label, "options": options, "selected": filters.get(field_name, "")}
        )
    rows = model.objects.for_page(period, filters)
    totals = rows.aggregate(**{name: Sum(name) for name in spec.numeric_totals})
    page = Paginator(rows.order_by("kecamatan__code", "agency__name", "row_number"), ROWS_PER_PAGE).get_page(
        request.GET.get("halaman")
    )
    table = [[_display(c, row) for c in spec.columns] for row in page.object_list]
    total_cells = [
        number_format(
            totals[c.field], decimal_pos=2 if c.type == "decimal" else None, use_l10n=True, force_grouping=True
        )
        if c.field in totals and totals[c.field] is not None
        else ""
        for c in spec.columns
    ]
    agency = roles.agency_of(request.user)
    history_agencies = access.visible_agencies(request.user)
    history = list(DatasetUpload.objects.history(period, spec.kind, history_agencies)[:20])
    current = DatasetUpload.objects.current(period, agency, spec.kind) if agency else None
    query = request.GET.copy()
    query.pop("halaman", None)
    return render(
        request,
        "evaluations/datasets/page.html",
        {
            "spec": spec,
            "period": period,
            "filters": filter_options,
            "page": page,
            "table": table,
            "total_cells": total_cells,
            "row_count": page.paginator.count,
            "figures": spec.figures(rows),
            "history": history,
            "current": current,
            "may_upload": _may_upload(request.user, period),
            "may_delete": roles.is_coordinator(request.user),
            "form": DatasetUploadForm(),
            "query": query.urlencode(),
        },
    )


def template(request, kind):
    spec = _spec_or_404(kind)
    return xlsx_attachment(io.BytesIO(build_template(spec)), spec.template_name)


@require_POST
def upload(request, kind):
    """Stores the file and queues its check and import (tasks.import_dataset: all rows or none);
    the job's page follows it and ends on the result (upload_result)."""
    spec = _spec_or_404(kind)
    period = period_or_404()
    agency = roles.agency_of(request.user)
    if agency is None or not roles.is_operator(request.user):
        raise PermissionDenied
    if not period.accepts_edits():
        messages.error(request, _("Periode sudah ditutup; data tidak dapat diunggah lagi."))
        return upload_redirect(request, "evaluations:datasets_page", kind=spec.kind)
    form = DatasetUploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Pilih berkas .xlsx yang akan diunggah."))
        return upload_redirect(request, "evaluations:datasets_page", kind=spec.kind)
    job = tasks.dataset_import_job(period, agency, spec.kind, form.cleaned_data["file"], request.user, get_language())
    return upload_redirect(request, "evaluations:jobs_detail", pk=job.pk)


def upload_result(request, job):
    """The page of a finished upload job: the data set with the saved-rows message, or the
    refused file's errors by row and column (None: the job page's own message says it)."""
    spec = get_spec(job.parameters["dataset"])
    if job.is_done:
        if job.result.get("replaced"):
            message = _("%(n)s baris %(dataset)s disimpan; data sebelumnya untuk periode ini diganti.")
        else:
            message = _("%(n)s baris %(dataset)s disimpan.")
        messages.success(request, message % {"n": job.result["rows"], "dataset": spec.label.lower()})
        return redirect("evaluations:datasets_page", kind=spec.kind)
    if "errors" not in job.result:
        return None
    return render(
        request,
        "evaluations/datasets/upload_errors.html",
        {
            "spec": spec,
            "period": job.period,
            "errors": job.result["errors"],
            "total": job.result["total"],
            "file_name": job.parameters.get("file_name", ""),
        },
    )


def upload_download(request, pk):
    upload = access.get_dataset_upload_for_user(request.user, pk)
    if upload.is_deleted():
        raise Http404
    return stored_file_attachment(upload.file, upload.original_name, XLSX)


@require_POST
def upload_delete(request, pk):
    upload = access.get_deletable_dataset_upload_for_user(request.user, pk)
    if upload.is_deleted():
        messages.info(request, _("Unggahan ini sudah dihapus."))
    else:
        upload.delete_by(request.user)
        messages.success(
            request, _("Unggahan %(name)s dihapus beserta barisnya.") % {"name": shorten(upload.original_name)}
        )
    return redirect("evaluations:datasets_page", kind=upload.kind)
