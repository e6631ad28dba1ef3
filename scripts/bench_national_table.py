#!/usr/bin/env python
"""Benchmark of the national table's workbook (the job behind "Unduh tabel (.xlsx)" on /nasional/),
on demand, not part of the test suite.

    DATABASE_URL=postgres://... .venv/bin/python scripts/bench_national_table.py [--repeat 3]

Against a database that already holds `seed_scale --regions N` (scripts/bench_regions.py leaves
one, r5_seeds_bench), for the newest national period and every evaluated region, it prints the
median (and range) of --repeat runs of:
- the job's work cold: every region period's figures computed (the cache cleared), then written;
- the job's work warm: the figures read from the cache (as after someone opened /nasional/);
- of the warm job, the writing alone (the rows given);
- a bare XlsxWriter constant-memory dump of the same cells (`write_row`, no styles), and the
  ratio of the warm job to it;
and the peak Python memory (tracemalloc) of a warm job and of the bare dump.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import django

    django.setup()
    import xlsxwriter
    from django.core.cache import cache
    from django_scopes import scopes_disabled

    from evaluations import national
    from evaluations.excel.national import write_national_table
    from evaluations.models import NationalPeriod, Region
    from pillars.models import Pillar

    with scopes_disabled():
        period = national.national_periods().first()
        if period is None:
            sys.exit("no national period with regions: run seed_scale --regions N first")
        regions = Region.objects.evaluated()
        pillars = list(Pillar.objects.all())

        def job(path):
            started = time.perf_counter()
            rows = national.region_rows(NationalPeriod.objects.get(pk=period.pk), regions)
            with open(path, "wb") as handle:
                write_national_table(period, rows, pillars, handle, "Nasional")
            return time.perf_counter() - started, rows

        def write_only(rows, path):
            started = time.perf_counter()
            with open(path, "wb") as handle:
                write_national_table(period, rows, pillars, handle, "Nasional")
            return time.perf_counter() - started

        def bare(rows, path):
            started = time.perf_counter()
            book = xlsxwriter.Workbook(path, {"constant_memory": True})
            sheet = book.add_worksheet("Wilayah")
            for number, row in enumerate(rows):
                sheet.write_row(
                    number,
                    0,
                    [
                        row.region.code,
                        row.region.name,
                        row.region.province.name if row.region.province_id else "",
                        row.official,
                        row.provisional,
                        row.coverage,
                        *(row.pillars.get(pillar.code) for pillar in pillars),
                        row.agencies,
                        row.handed_in,
                        row.approved,
                        row.days_left,
                        row.national_rank,
                        row.province_rank,
                    ],
                )
            book.close()
            return time.perf_counter() - started

        with tempfile.TemporaryDirectory() as folder:
            path = os.path.join(folder, "tabel.xlsx")
            cold, warm, writes, dumps = [], [], [], []
            for _ in range(args.repeat):
                cache.clear()
                seconds, rows = job(path)
                cold.append(seconds)
                warm.append(job(path)[0])
                writes.append(write_only(rows, path))
                dumps.append(bare(rows, path))
            tracemalloc.start()
            job(path)
            job_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.reset_peak()
            bare(rows, path)
            bare_peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()

    def show(values):
        return f"{statistics.median(values) * 1000:.0f} ms ({min(values) * 1000:.0f}-{max(values) * 1000:.0f})"

    print(f"national period {period} x {len(rows)} regions, median of {args.repeat}:")
    print(f"  job cold (figures computed): {show(cold)}")
    print(f"  job warm (figures cached):   {show(warm)}, peak {job_peak / 2**20:.1f} MB")
    print(f"  of which writing the sheet:  {show(writes)}")
    print(f"  bare XlsxWriter dump:        {show(dumps)}, peak {bare_peak / 2**20:.1f} MB")
    print(
        f"  warm / bare: {statistics.median(warm) / statistics.median(dumps):.2f}x; writing / bare: "
        f"{statistics.median(writes) / statistics.median(dumps):.2f}x"
    )


if __name__ == "__main__":
    main()
