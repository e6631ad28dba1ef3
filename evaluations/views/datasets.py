"""The four supporting data sets: template, upload, page with filters and figures, history."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from .. import access, roles, tasks
from ..datasets import SPECS, for_page, get_spec
from ..excel.datasets import build_template
from ..forms.datasets import DatasetUploadForm
from ..models import DatasetKind, DatasetUpload
from .common import XLSX, form_errors, period_or_404, shorten, stored_file_attachment, upload_redirect, xlsx_attachment


def _spec_or_404(kind):
    if kind not in DatasetKind.values:
        raise Http404
    return get_spec(kind)


def _may_upload(user, period):
    return roles.is_operator(user) and period.accepts_edits()


def index(request):
    period = period_or_404(request)
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


def page(request, kind):
    """The rows of every agency with filters, totals and derived figures (datasets.for_page), the
    upload history and what this user may do with it."""
    spec = _spec_or_404(kind)
    period = period_or_404(request)
    agency = roles.agency_of(request.user)
    history = DatasetUpload.objects.history(period, spec.kind, access.visible_agencies(request.user))
    current = DatasetUpload.objects.current(period, agency, spec.kind) if agency else None
    query = request.GET.copy()
    query.pop("halaman", None)
    return render(
        request,
        "evaluations/datasets/page.html",
        {
            **for_page(spec, period, request.GET),
            "spec": spec,
            "period": period,
            "history": list(history[:20]),
            "current": current,
            "may_upload": _may_upload(request.user, period),
            "may_delete": roles.is_coordinator(request.user),
            "form": DatasetUploadForm(current=current, spec=spec),
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
    # The period the page showed (its hidden field), not whatever another tab chose since.
    period = period_or_404(request, asked=request.POST.get("periode", ""))
    agency = roles.agency_of(request.user)
    if agency is None or not roles.is_operator(request.user):
        raise PermissionDenied
    if not period.accepts_edits():
        messages.error(request, _("Periode sudah ditutup; data tidak dapat diunggah lagi."))
        return upload_redirect(request, "evaluations:datasets_page", kind=spec.kind)
    current = DatasetUpload.objects.current(period, agency, spec.kind)
    form = DatasetUploadForm(request.POST, request.FILES, current=current, spec=spec)
    if not form.is_valid():
        if "file" in form.errors:
            messages.error(request, _("Pilih berkas .xlsx yang akan diunggah."))
        else:  # the replacement was not confirmed, or the rows it replaces changed meanwhile
            messages.error(request, form_errors(form))
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


@require_http_methods(["GET", "POST"])
def upload_delete(request, pk):
    """GET: the confirmation, naming the file, its agency and the rows that go with it (it works
    without JavaScript; issue 24). POST: the deletion."""
    upload = access.get_deletable_dataset_upload_for_user(request.user, pk)
    if request.method == "GET":
        return render(
            request,
            "evaluations/datasets/delete.html",
            {
                "upload": upload,
                "spec": get_spec(upload.kind),
                "rows": upload.row_model.objects.filter(upload=upload).count(),
            },
        )
    if upload.is_deleted():
        messages.info(request, _("Unggahan ini sudah dihapus."))
    else:
        upload.delete_by(request.user)
        messages.success(
            request, _("Unggahan %(name)s dihapus beserta barisnya.") % {"name": shorten(upload.original_name)}
        )
    return redirect("evaluations:datasets_page", kind=upload.kind)
