"""The instrument as a spreadsheet (admin only): import with a dry run, and download."""

import tempfile

from django.contrib import messages
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from ..access import require_admin
from ..excel.instrument import InstrumentImportRefused, existing_question_count, import_instrument, write_instrument
from ..forms.instrument import InstrumentImportForm
from ..models import EvaluationPeriod
from .common import shorten, xlsx_attachment


def index(request):
    require_admin(request.user)
    form = InstrumentImportForm(request.POST or None, request.FILES or None)
    preview = None
    if request.method == "POST" and form.is_valid():
        period = form.cleaned_data["period"]
        if form.cleaned_data["dry_run"]:
            preview = {"period": period, "replaced": existing_question_count(period)}
        else:
            try:
                counts = import_instrument(form.plan, period)
            except InstrumentImportRefused as exc:
                form.add_error("period", exc.message)
            else:
                messages.success(
                    request,
                    _("Instrumen %(period)s diimpor: %(d)s dimensi, %(i)s indikator, %(q)s pertanyaan, %(o)s opsi.")
                    % {
                        "period": shorten(period),
                        "d": counts["dimensi"],
                        "i": counts["indikator"],
                        "q": counts["pertanyaan"],
                        "o": counts["opsi"],
                    },
                )
                return redirect("evaluations:instrument_index")
    periods = EvaluationPeriod.objects.annotate(question_count=Count("dimensions__indicators__questions"))
    return render(
        request,
        "evaluations/instrument/index.html",
        {"form": form, "plan": form.plan, "preview": preview, "periods": periods},
    )


def download(request, period_id):
    require_admin(request.user)
    period = get_object_or_404(EvaluationPeriod, pk=period_id)
    handle = tempfile.TemporaryFile()
    write_instrument(period, handle)
    return xlsx_attachment(handle, f"instrumen-{period.year}-tahap-{period.stage}.xlsx")
