#!/usr/bin/env python
"""Benchmark of the region's report as a PDF (on demand, not part of the test suite).

    .venv/bin/python scripts/bench_report.py                      # demo and 60x300 on a fresh SQLite file
    DATABASE_URL=postgres://... .venv/bin/python scripts/bench_report.py --sizes demo,60x300

For the demo period (seed_demo's 2024 Tahap I) and each scale period (seed_scale: agencies x
questions, every agency answering every question, a quarter of the submissions approved, with
review comments and quick wins) it builds the report as the job does (report_data, then
write_report to a file) in a fresh child process per run, and prints:
- the wall time (best of --repeat runs), split into reading the data and laying out the PDF,
- the peak memory of that process (its maximum resident set: WeasyPrint's C libraries included,
  which tracemalloc would not see), and the growth over the process before the report started,
- the number of queries, of pages and the file's size.
The goal (issue 25) at 60 agencies x 300 questions: at most 20 s and 300 MB.
"""

import argparse
import io
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup_django(migrate=True):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")
    import django

    django.setup()
    if not migrate:
        return
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    fixtures = ["pillars", "kecamatan", "agencies", "instrument_2024_tahap1", "impact_statements_2024"]
    call_command("loaddata", *[str(ROOT / "fixtures" / f"{name}.json") for name in fixtures], verbosity=0)


def prepare(size):
    """Seed the period of `size` ("demo" or "AxQ"); returns its id."""
    from django.core.management import call_command

    from evaluations.models import EvaluationPeriod

    if size == "demo":
        call_command("seed_demo", stdout=io.StringIO())
        return EvaluationPeriod.objects.get(year=2024, stage="1").pk
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
    return EvaluationPeriod.objects.get(year=2099, stage="1").pk


def child(period_id, output):
    """One report, measured in this process; prints one JSON line."""
    setup_django(migrate=False)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from evaluations.models import EvaluationPeriod
    from evaluations.pdf.report import write_report
    from evaluations.reports import report_data

    period = EvaluationPeriod.objects.get(pk=period_id)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        data = report_data(period, generated_by="bench")
    read = time.perf_counter() - started
    pages = write_report(data, output)
    total = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(
        json.dumps(
            {
                "read": read,
                "total": total,
                "pages": pages,
                "queries": len(queries),
                "peak_mb": peak / 1024,
                "growth_mb": (peak - before) / 1024,
                "size_mb": Path(output).stat().st_size / 1e6,
                "questions": len(data["questions"]),
            }
        )
    )


def run_child(period_id, output):
    result = subprocess.run(
        [sys.executable, __file__, "--child", str(period_id), "--output", str(output)],
        capture_output=True,
        text=True,
        env=os.environ,
        check=False,
    )
    if result.returncode:
        sys.exit(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def bench(size, repeat, keep):
    period_id = prepare(size)
    with tempfile.TemporaryDirectory() as tmp:
        output = Path(tmp) / "laporan.pdf"
        runs = [run_child(period_id, output) for _ in range(repeat)]
        if keep:
            Path(keep).mkdir(parents=True, exist_ok=True)
            (Path(keep) / f"laporan-{size}.pdf").write_bytes(output.read_bytes())
    best = min(runs, key=lambda run: run["total"])
    peak = max(run["peak_mb"] for run in runs)
    growth = max(run["growth_mb"] for run in runs)
    times = ", ".join(f"{run['total']:.2f}" for run in runs)
    print(
        f"{size:>7}: {best['questions']} questions, {best['pages']} pages, {best['size_mb']:.2f} MB, "
        f"{best['queries']} queries | {best['total']:.2f} s (data {best['read']:.2f} s, PDF "
        f"{best['total'] - best['read']:.2f} s; runs: {times}) | "
        f"peak RSS {peak:.0f} MB (+{growth:.0f} MB for the report)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="demo,60x300", help="demo and/or agencies x questions, comma-separated")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--keep", default="", help="a folder to keep each size's PDF in")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--output", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.output)
        return
    if "DATABASE_URL" not in os.environ:
        handle, path = tempfile.mkstemp(suffix=".sqlite3", prefix="bench_report_")
        os.close(handle)
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    setup_django()
    from django.db import connection

    print(f"database: {connection.vendor}")
    for size in args.sizes.split(","):
        bench(size, args.repeat, args.keep)


if __name__ == "__main__":
    main()
