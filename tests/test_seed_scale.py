"""seed_scale --regions: the national scale for benchmarks (scripts/bench_regions.py), small here.
The single-period mode is tested in tests/test_commands_excel.py."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from evaluations import national
from evaluations.models import (
    Agency,
    Answer,
    Assignment,
    EvaluationPeriod,
    NationalPeriod,
    Question,
    Region,
    Submission,
)

pytestmark = pytest.mark.django_db


def _seed(*args):
    call_command("seed_scale", "--regions", "3", "--agencies", "2", *args, stdout=open("/dev/null", "w"))


def test_seed_scale_regions_builds_regions_that_answer_the_shipped_instrument(settings):
    settings.DEBUG = True
    _seed()
    scale = NationalPeriod.objects.get(year=2100)
    periods = list(EvaluationPeriod.objects.filter(national=scale).select_related("region__province"))
    # Spread over the provinces in turn, with Kemendagri-form codes and their province.
    assert sorted(p.region.code for p in periods) == ["11.01", "12.01", "13.01"]
    for period in periods:
        region = period.region
        region.full_clean()
        assert region.name == f"Kabupaten Uji {region.code}" and region.province.code == region.code[:2]
        assert period.accepts_edits() and period.closes <= scale.closes
        assert Agency.objects.filter(region=region).count() == 2
        assert Assignment.objects.filter(period=period).count() == 2 * 6
    assert Question.objects.for_national(scale).count() == 62  # a copy of the shipped instrument
    assert Submission.objects.filter(period__national=scale).count() == 3 * 2
    assert Answer.objects.filter(submission__period__national=scale).count() == 3 * 2 * 62
    assert Submission.objects.filter(period__national=scale, status="approved").exists()
    rows = national.region_rows(scale, Region.objects.evaluated())
    assert len(rows) == 3 and any(row.national_rank for row in rows)


def test_seed_scale_regions_refuses_an_existing_national_period_unless_asked_to_replace(settings):
    settings.DEBUG = True
    _seed()
    with pytest.raises(CommandError, match="sudah ada"):
        _seed()
    _seed("--replace")
    assert NationalPeriod.objects.filter(year=2100).count() == 1
    assert Region.objects.filter(name__startswith="Kabupaten Uji").count() == 3
    assert Answer.objects.filter(submission__period__national__year=2100).count() == 3 * 2 * 62


def test_seed_scale_regions_never_takes_a_real_regions_code(settings):
    settings.DEBUG = True
    real = Region.objects.create(
        code="11.01",
        name="Kabupaten Simeulue",
        kind="kabupaten",
        province=Region.objects.get_or_create(code="11", defaults={"name": "Aceh", "kind": "provinsi"})[0],
    )
    call_command("seed_scale", "--regions", "39", "--agencies", "1", stdout=open("/dev/null", "w"))
    codes = set(EvaluationPeriod.objects.filter(national__year=2100).values_list("region__code", flat=True))
    assert len(codes) == 39 and "11.01" not in codes and "11.02" in codes
    real.refresh_from_db()
    assert real.name == "Kabupaten Simeulue"


def test_seed_scale_regions_refuses_bad_counts(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="--regions"):
        call_command("seed_scale", "--regions", "0")
    assert not NationalPeriod.objects.filter(year=2100).exists()
