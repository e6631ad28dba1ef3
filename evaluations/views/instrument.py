"""The instrument as a spreadsheet (admin only): import with a dry run that shows the difference
against the period's instrument, the history of changes, and download."""

import tempfile

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ..access import require_admin
from ..excel.instrument import InstrumentImportRefused, compare_instrument, import_instrument, write_instrument
from ..forms.instrument import InstrumentImportForm
from ..models import EvaluationPeriod, InstrumentChange
from .common import shorten, xlsx_attachment

HISTORY_ROWS = 20


def index(request):
    """The dry run always runs, on any period: it compares the file with the period's instrument
    and lists what answers forbid. Without the dry run the same comparison is made again inside
    the import's transaction, and the file is applied or refused as a whole."""
    require_admin(request.user)
    form = InstrumentImportForm(request.POST or None, request.FILES or None)
    diff = None
    if request.method == "POST" and form.is_valid():
        period = form.cleaned_data["period"]
        if form.cleaned_data["dry_run"]:
            diff = compare_instrument(form.plan, period)
        else:
            try:
                diff = import_instrument(form.plan, period, by=request.user, file_name=form.cleaned_data["file"].name)
            except InstrumentImportRefused as exc:
                diff = exc.diff
                form.add_error(None, exc.message)
            else:
                if diff.is_empty:
                    message = _("Tidak ada perubahan: berkas sama dengan instrumen %(period)s.")
                    messages.info(request, message % {"period": shorten(period)})
                else:
                    messages.success(
                        request,
                        _("Instrumen %(period)s diperbarui: %(changes)s.")
                        % {"period": shorten(period), "changes": diff.headline()},
                    )
                return redirect("evaluations:instrument_index")
    periods = EvaluationPeriod.objects.annotate(question_count=Count("dimensions__indicators__questions"))
    return render(
        request,
        "evaluations/instrument/index.html",
        {
            "form": form,
            "plan": form.plan,
            "diff": diff,
            "periods": periods,
            "history": InstrumentChange.objects.for_page()[:HISTORY_ROWS],
        },
    )


def download(request, period_id):
    require_admin(request.user)
    period = get_object_or_404(EvaluationPeriod, pk=period_id)
    handle = tempfile.TemporaryFile()
    write_instrument(period, handle)
    return xlsx_attachment(handle, f"instrumen-{period.year}-tahap-{period.stage}.xlsx")
