"""The --period and --region options shared by the commands that work on one region's period: a
period id, or YEAR/STAGE (2024/1) of the region --region (Kemendagri's code), which may be left out
where the deployment has a single region. The command then runs in that region's scope."""

import contextlib

from django.core.management.base import CommandError
from django_scopes import scopes_disabled

from ..models import EvaluationPeriod, Region
from ..regions import in_region, single_region


def add_period_argument(parser):
    parser.add_argument("--period", required=True, help="Id periode atau TAHUN/TAHAP, mis. 2024/1.")
    add_region_argument(parser)


def add_region_argument(parser):
    parser.add_argument(
        "--region", help="Kode Kemendagri wilayah, mis. 64.08 (tidak perlu bila hanya ada satu wilayah)."
    )


def get_region(code):
    """The region of --region, or the only one; a clear error otherwise."""
    if code:
        region = Region.objects.evaluated().filter(code=code.strip()).first()
        if region is None:
            raise CommandError(f"Wilayah {code!r} tidak ditemukan (kode Kemendagri kabupaten/kota, mis. 64.08).")
        return region
    region = single_region()
    if region is None:
        raise CommandError("Ada beberapa wilayah: sebutkan --region KODE (mis. 64.08).")
    return region


def get_period(value, region_code=None):
    value = (value or "").strip()
    with scopes_disabled():
        periods = EvaluationPeriod.objects.all()
        try:
            if "/" in value:
                year, stage = value.split("/", 1)
                return periods.get(region=get_region(region_code), year=int(year), stage=stage.strip())
            period = periods.get(pk=int(value))
        except (ValueError, EvaluationPeriod.DoesNotExist):
            raise CommandError(
                f"Periode {value!r} tidak ditemukan (gunakan id atau TAHUN/TAHAP, mis. 2024/1)."
            ) from None
    if region_code and period.region.code != region_code.strip():
        raise CommandError(f"Periode {value!r} bukan periode wilayah {region_code}.")
    return period


@contextlib.contextmanager
def period_in_scope(options):
    """The period of --period/--region, with its region's scope in force."""
    period = get_period(options["period"], options.get("region"))
    with in_region(period.region_id):
        yield period
