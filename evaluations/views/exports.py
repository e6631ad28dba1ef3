"""The evaluation workbook download (coordinators, admin, leaders)."""

import tempfile

from django.shortcuts import get_object_or_404

from ..access import require_viewer
from ..excel.evaluation import export_period
from ..models import EvaluationPeriod
from .common import attachment

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(handle, filename):
    handle.seek(0)
    return attachment(handle, filename, XLSX)


def export_evaluation(request, period_id):
    require_viewer(request.user)
    period = get_object_or_404(EvaluationPeriod, pk=period_id)
    # Written to a temporary file, not memory: the workbook of a large period is several MB.
    handle = tempfile.TemporaryFile()
    export_period(period, handle, generated_by=request.user.get_full_name() or request.user.get_username())
    return xlsx_response(handle, f"evaluasi-smart-city-{period.year}-tahap-{period.stage}.xlsx")
