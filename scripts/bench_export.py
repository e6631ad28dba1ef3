#!/usr/bin/env python
"""Benchmark of the evaluation workbook export (on demand, not part of the test suite).

    .venv/bin/python scripts/bench_export.py                 # 30x150 and 60x300 on a fresh SQLite file
    DATABASE_URL=postgres://... .venv/bin/python scripts/bench_export.py --sizes 60x300

For each size (agencies x questions, every agency answering every question) it runs seed_scale,
then prints:
- the export's wall time (load + all sheets, written to a temporary file; best of --repeat runs),
- its peak Python memory (tracemalloc, a separate run, since tracing slows everything down),
- the time of a bare openpyxl write-only dump of the same cells (values read back from the
  exported file beforehand, so only the writing is timed) and the ratio export / bare dump.
"""

import argparse
import io
import os
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django():
    if "DATABASE_URL" not in os.environ:
        handle, path = tempfile.mkstemp(suffix=".sqlite3", prefix="bench_export_")
        os.close(handle)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    fixtures = ["pillars", "kecamatan", "agencies", "instrument_2024_tahap1"]
    call_command("loaddata", *[str(ROOT / "fixtures" / f"{name}.json") for name in fixtures], verbosity=0)


def export_once(period, path):
    from evaluations.excel.workbook import export_period

    started = time.perf_counter()
    export_period(period, path, generated_by="bench")
    return time.perf_counter() - started


def bare_dump(rows_by_sheet, path):
    from openpyxl import Workbook

    started = time.perf_counter()
    book = Workbook(write_only=True)
    for name, rows in rows_by_sheet.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return time.perf_counter() - started


def bench(size, repeat, top=0):
    import openpyxl
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from evaluations.models import Answer, EvaluationPeriod

    agencies, questions = (int(n) for n in size.lower().split("x"))
    call_command(
        "seed_scale",
        "--agencies",
        agencies,
        "--questions",
        questions,
        "--replace",
        "--year",
        2099,
        stdout=io.StringIO(),
    )
    period = EvaluationPeriod.objects.get(year=2099, stage="1")
    answers = Answer.objects.filter(submission__period=period).count()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.xlsx"
        with CaptureQueriesContext(connection) as captured:
            export_once(period, path)
        query_count = len(captured)

        tracemalloc.start()
        export_once(period, path)
        _current, peak = tracemalloc.get_traced_memory()
        if top:
            for stat in tracemalloc.take_snapshot().statistics("lineno")[:top]:
                print(f"    {stat}")
        tracemalloc.stop()
        reset_queries()

        book = openpyxl.load_workbook(path, read_only=True)
        rows_by_sheet = {sheet.title: [list(row) for row in sheet.iter_rows(values_only=True)] for sheet in book}
        book.close()
        cells = sum(len(row) for rows in rows_by_sheet.values() for row in rows)
        # Interleaved, best of each: on a shared machine the load drifts between runs.
        export_times, bare_times = [], []
        for _ in range(repeat):
            export_times.append(export_once(period, path))
            bare_times.append(bare_dump(rows_by_sheet, Path(tmp) / "bare.xlsx"))
        export_time, bare_time = min(export_times), min(bare_times)
        size_mb = path.stat().st_size / 1e6
    print(
        f"{agencies:>3} agencies x {questions:>3} questions = {answers:>6} answers, {cells:>7} cells, "
        f"{size_mb:5.1f} MB, {query_count} queries | export {export_time:6.2f} s, peak {peak / 1e6:6.1f} MB | "
        f"bare dump {bare_time:6.2f} s | ratio {export_time / bare_time:4.2f}x"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="30x150,60x300", help="agencies x questions, comma-separated")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--top", type=int, default=0, help="also print the N largest allocation sites")
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    print(f"database: {connection.vendor}")
    for size in args.sizes.split(","):
        bench(size, args.repeat, args.top)


if __name__ == "__main__":
    main()
