"""Benchmark (run on demand, not part of the test suite): how long a worker is tied up, and how
much memory it takes, before a heavy spreadsheet is refused.

    DATABASE_URL=sqlite:////tmp/bench_bad.sqlite3 python scripts/bench_bad_files.py [--case NAME]

It migrates the database named by DATABASE_URL (a scratch one), loads the reference fixtures and
generates each file (tests/excel_helpers.py):
  - road-1m-rows:      the road data-set template headers, then 1,000,000 one-cell rows (5 MB packed)
  - road-huge-cell:    the road template with one cell holding 150 MiB of text (154 KB packed)
  - instrument-1m-rows and instrument-huge-cell: the same in the 'pertanyaan' sheet of a valid
    instrument file (a 90 MiB cell there: the instrument's unpacked-size limit is 100 MB)
  - road-20000-valid:  a valid road file at the row limit (the cost of the checks on a good file)
Each case runs in a fresh child process: the wall time of reading the upload (read_upload or
read_instrument) until it is refused or accepted, the rise of the process's peak resident memory
(resource.getrusage ru_maxrss) over the child's baseline, and in a second run the peak of Python
allocations (tracemalloc, which slows Python code, so its run is not timed).
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")

import django  # noqa: E402

django.setup()

from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402

from evaluations.datasets import get_spec  # noqa: E402
from evaluations.excel.datasets import DatasetFileError, read_upload, rows_to_xlsx  # noqa: E402
from evaluations.excel.instrument import InstrumentFileError, read_instrument  # noqa: E402
from tests.excel_helpers import huge_cell, instrument_file, million_rows  # noqa: E402

FIXTURES = [
    "fixtures/regions.json",
    "fixtures/pillars.json",
    "fixtures/kecamatan.json",
    "fixtures/agencies.json",
    "fixtures/instrument_2024_tahap1.json",
]
QUESTIONS_SHEET = "xl/worksheets/sheet3.xml"  # 'pertanyaan', the third sheet of instrument_file()
CASES = ["road-1m-rows", "road-huge-cell", "instrument-1m-rows", "instrument-huge-cell", "road-20000-valid"]


def road_template():
    return rows_to_xlsx(get_spec("jalan"), [])


def make_file(case):
    if case == "road-1m-rows":
        return "jalan.xlsx", million_rows(road_template())
    if case == "road-huge-cell":
        return "jalan.xlsx", huge_cell(road_template())
    if case == "instrument-1m-rows":
        return "instrumen.xlsx", million_rows(instrument_file().getvalue(), QUESTIONS_SHEET)
    if case == "instrument-huge-cell":
        # 90 MiB: under the instrument's unpacked-size limit (20 x 5 MB), as 150 MiB is under the data sets'.
        return "instrumen.xlsx", huge_cell(instrument_file().getvalue(), QUESTIONS_SHEET, megabytes=90)
    row = ["001", "Jl. Uji", "Sangatta Utara", "Kabupaten", "Lokal", 10, 6, 8, 0, 2, 0, 0, 6, 2, 1.5, 0.5]
    return "jalan.xlsx", rows_to_xlsx(get_spec("jalan"), [[f"{n:05d}", *row[1:]] for n in range(20_000)])


def read(case, name, content):
    """What the upload page does with the file; returns the outcome in words."""
    upload = SimpleUploadedFile(name, content)
    try:
        if case.startswith("instrument"):
            plan = read_instrument(upload)
            return f"plan with {len(plan.errors)} errors: {plan.errors[0] if plan.errors else ''}"[:160]
        rows = read_upload(get_spec("jalan"), upload)
        return f"accepted, {len(rows)} rows"
    except (DatasetFileError, InstrumentFileError) as error:
        return f"refused: {error.errors[0]}"[:160]


def max_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_case(case):
    """In the child: generate, then time and measure one read."""
    name, content = make_file(case)
    baseline = max_rss_mib()
    start = time.perf_counter()
    outcome = read(case, name, content)
    elapsed = time.perf_counter() - start
    rss_rise = max_rss_mib() - baseline
    tracemalloc.start()
    read(case, name, content)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(
        json.dumps(
            {
                "case": case,
                "size_kib": len(content) / 1024,
                "seconds": elapsed,
                "rss_rise_mib": rss_rise,
                "traced_peak_mib": peak / 1024 / 1024,
                "outcome": outcome,
            }
        )
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--case", choices=CASES, help="run one case in this process (used by the parent)")
    args = parser.parse_args()
    if args.case:
        run_case(args.case)
        return
    call_command("migrate", verbosity=0)
    call_command("loaddata", *FIXTURES, verbosity=0)
    print(f"{'case':<22} {'file':>9} {'time':>8} {'peak RSS rise':>14} {'traced peak':>12}  outcome")
    for case in CASES:
        child = subprocess.run(
            [sys.executable, __file__, "--case", case], capture_output=True, text=True, check=False, cwd=ROOT
        )
        if child.returncode:
            print(f"{case:<22} failed:\n{child.stderr[-2000:]}")
            continue
        result = json.loads(child.stdout.strip().splitlines()[-1])
        print(
            f"{case:<22} {result['size_kib']:>6.0f} KiB {result['seconds']:>7.3f} s {result['rss_rise_mib']:>10.1f} MiB"
            f" {result['traced_peak_mib']:>8.1f} MiB  {result['outcome']}"
        )


if __name__ == "__main__":
    main()
