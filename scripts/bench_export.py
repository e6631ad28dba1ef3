#!/usr/bin/env python
"""Benchmark of the evaluation workbook export (on demand, not part of the test suite).

    .venv/bin/python scripts/bench_export.py                 # 30x150 and 60x300 on a fresh SQLite file
    DATABASE_URL=postgres://... .venv/bin/python scripts/bench_export.py --sizes 60x300

For each size (agencies x questions, every agency answering every question) it runs seed_scale,
then prints:
- the export's wall time (load + all sheets, written to a temporary file; best of --repeat runs),
- its peak Python memory (tracemalloc, a separate run, since tracing slows everything down),
- the time of a bare XlsxWriter constant-memory dump of the same cells (values read back from the
  exported file beforehand, so only the writing is timed; `write_row`, no styles, no widths,
  filters or frozen panes) and the ratio export / bare dump, and the bare dump's peak memory.
Times are the median of --repeat runs (interleaved with the bare dump's) with their range.
"""

import argparse
import io
import os
import statistics
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
    import xlsxwriter

    from evaluations.excel.writer import WorkbookWriter

    started = time.perf_counter()
    book = xlsxwriter.Workbook(str(path), WorkbookWriter.OPTIONS)
    for name, rows in rows_by_sheet.items():
        sheet = book.add_worksheet(name)
        for index, row in enumerate(rows):
            sheet.write_row(index, 0, row)
    book.close()
    return time.perf_counter() - started


def spread(times):
    return f"{statistics.median(times):6.2f} s ({min(times):.2f}–{max(times):.2f})"


def traced_peak(run):
    tracemalloc.start()
    run()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


def bench(size, repeat, top=0, reuse=False):
    import openpyxl
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from evaluations.models import Answer, EvaluationPeriod

    agencies, questions = (int(n) for n in size.lower().split("x"))
    seeded = EvaluationPeriod.objects.filter(year=2099, stage="1").first()
    if reuse and seeded and seeded.submissions.count() == agencies:
        pass
    else:
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
        bare_peak = traced_peak(lambda: bare_dump(rows_by_sheet, Path(tmp) / "bare.xlsx"))
        # Interleaved: on a shared machine the load drifts between runs.
        export_times, bare_times = [], []
        for _ in range(repeat):
            export_times.append(export_once(period, path))
            bare_times.append(bare_dump(rows_by_sheet, Path(tmp) / "bare.xlsx"))
        size_mb = path.stat().st_size / 1e6
    ratios = sorted(e / b for e, b in zip(export_times, bare_times, strict=True))
    print(
        f"{agencies:>3} agencies x {questions:>3} questions = {answers:>6} answers, {cells:>7} cells, "
        f"{size_mb:5.1f} MB, {query_count} queries\n"
        f"    export (load + sheets) {spread(export_times)}, peak {peak / 1e6:6.1f} MB\n"
        f"    bare XlsxWriter dump   {spread(bare_times)}, peak {bare_peak / 1e6:6.1f} MB\n"
        f"    ratio export / bare {statistics.median(ratios):4.2f}x ({ratios[0]:.2f}–{ratios[-1]:.2f})"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="30x150,60x300", help="agencies x questions, comma-separated")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--top", type=int, default=0, help="also print the N largest allocation sites")
    parser.add_argument(
        "--reuse", action="store_true", help="keep an existing seed_scale period of the same number of agencies"
    )
    args = parser.parse_args()
    setup_django()
    from django.db import connection

    print(f"database: {connection.vendor}")
    for size in args.sizes.split(","):
        bench(size, args.repeat, args.top, args.reuse)


if __name__ == "__main__":
    main()
