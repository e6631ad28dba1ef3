"""The instrument as a spreadsheet (admin only): import with a dry run that shows the difference
against the period's instrument, the history of changes, and download."""

import tempfile

from django.contrib import messages
from django.db.models import Count
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import instrument, tasks
from ..access import get_job_for_user, require_admin, require_national_manager
from ..excel.instrument_export import write_instrument
from ..forms.instrument import InstrumentImportForm
from ..models import EvaluationPeriod, InstrumentChange, Job
from .common import shorten, upload_redirect, xlsx_attachment

HISTORY_ROWS = 20


def index(request):
    """The import form; a posted file is stored and read by a job (tasks.import_instrument_file).
    The dry run always runs, on any period: it compares the file with the period's instrument
    and lists what answers forbid. Without the dry run the same comparison is made again inside
    the import's transaction, and the file is applied or refused as a whole. The instrument is
    every region's: only the ministry, or a single region's admin, changes it."""
    require_national_manager(request.user)
    form = InstrumentImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = tasks.instrument_import_job(
            form.cleaned_data["period"],
            form.cleaned_data["file"],
            form.cleaned_data["dry_run"],
            request.user,
            get_language(),
        )
        return upload_redirect(request, "evaluations:jobs_detail", pk=job.pk)
    return _page(request, form)


def _page(request, form, job=None):
    periods = EvaluationPeriod.objects.annotate(question_count=Count("national__dimensions__indicators__questions"))
    context = {"form": form, "periods": periods, "history": InstrumentChange.objects.for_page()[:HISTORY_ROWS]}
    if job is not None:
        context.update(
            job=job,
            plan=job.result.get("plan"),
            diff=job.result.get("diff"),
            # A dry run that kept its file can be applied from here (apply below).
            applicable=job.is_done and job.parameters.get("dry_run") and bool(job.file),
        )
    return render(request, "evaluations/instrument/index.html", context)


def import_result(request, job):
    """The page of a finished import job: an applied file goes back to the instrument page with
    what changed; a dry run or a refused file shows the instrument page with the difference and
    the errors under the form, ready for the corrected file."""
    diff = job.result.get("diff")
    period = shorten(job.period)
    if job.is_done and not job.parameters.get("dry_run"):
        if diff["is_empty"]:
            message = _("Tidak ada perubahan: berkas sama dengan instrumen %(period)s.")
            messages.info(request, message % {"period": period})
        else:
            messages.success(
                request,
                _("Instrumen %(period)s diperbarui: %(changes)s.") % {"period": period, "changes": diff["headline"]},
            )
        return redirect("evaluations:instrument_index")
    form = InstrumentImportForm(initial={"period": job.period_id, "dry_run": job.parameters.get("dry_run")})
    return _page(request, form, job)


@require_POST
def apply(request, pk):
    """Apply the very file a dry run checked ("Terapkan perubahan ini" on its result page): a new
    import job, which applies it only if it still changes exactly what the dry run showed."""
    require_national_manager(request.user)
    dry_run = get_job_for_user(request.user, pk)
    if dry_run.kind != Job.Kind.INSTRUMENT_IMPORT:
        raise Http404
    if request.POST.get("konfirmasi") != "ya":
        # The box that names what changes is the confirmation (a browser without JavaScript too).
        messages.error(request, _("Centang konfirmasi yang menyebut perubahannya, lalu tekan Terapkan lagi."))
        return redirect("evaluations:jobs_detail", pk=dry_run.pk)
    job = instrument.apply_dry_run(dry_run, by=request.user)
    if job is None:
        messages.error(
            request,
            _(
                "Uji coba ini sudah diterapkan atau tidak dapat diterapkan. Untuk menerapkan berkas lain, "
                "unggah berkas itu di bawah."
            ),
        )
        return redirect("evaluations:instrument_index")
    return redirect("evaluations:jobs_detail", pk=job.pk)


def download(request, period_id):
    require_admin(request.user)
    period = get_object_or_404(EvaluationPeriod, pk=period_id)
    handle = tempfile.TemporaryFile()
    write_instrument(period, handle)
    return xlsx_attachment(handle, f"instrumen-{period.year}-tahap-{period.stage}.xlsx")
