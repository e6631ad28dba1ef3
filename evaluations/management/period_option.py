"""The --period option shared by the Excel commands: a period id, or YEAR/STAGE (2024/1)."""

from django.core.management.base import CommandError

from ..models import EvaluationPeriod


def add_period_argument(parser):
    parser.add_argument("--period", required=True, help="Id periode atau TAHUN/TAHAP, mis. 2024/1.")


def get_period(value):
    value = (value or "").strip()
    try:
        if "/" in value:
            year, stage = value.split("/", 1)
            return EvaluationPeriod.objects.get(year=int(year), stage=stage.strip())
        return EvaluationPeriod.objects.get(pk=int(value))
    except (ValueError, EvaluationPeriod.DoesNotExist):
        raise CommandError(f"Periode {value!r} tidak ditemukan (gunakan id atau TAHUN/TAHAP, mis. 2024/1).") from None
