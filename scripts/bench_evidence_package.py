#!/usr/bin/env python
"""Benchmark of the evidence package (on demand, not part of the test suite).

    .venv/bin/python scripts/bench_evidence_package.py               # demo, then 1,000 files of 1 MB
    .venv/bin/python scripts/bench_evidence_package.py --files 2000 --megabytes 1 --repeat 3
    DATABASE_URL=postgres://... .venv/bin/python scripts/bench_evidence_package.py

Everything happens in a fresh SQLite file (unless DATABASE_URL is set) and a temporary private
media folder (PRIVATE_MEDIA_ROOT), removed at the end. Two periods:
- "demo": seed_demo's 2024 Tahap I as it is (its evidence is links, so the package is the workbook);
- "files": a scale period (seed_scale, --agencies x --questions) whose handed-in answers get
  --files evidence files of --megabytes MB of random bytes (incompressible, like a scanned PDF),
  one per answer, so in as many folders, each with a hostile upload name.
Each run builds the package as the worker does (tasks.run_job: the query, the zip in a temporary
file, the workbook inside, the copy into the storage) in a fresh child process, and prints:
- the wall time (best of --repeat runs) and the throughput in MB/s of evidence;
- the peak memory of that process (its maximum resident set, every library included) and the
  growth over the process before the job started; on Linux also the peak during the job alone
  (the peak is reset when the job starts) and its growth over the resident set at that moment;
- the peak of Python's own allocations during the job (tracemalloc, in one extra run: tracing
  slows Python down, so its time is not counted);
- the package's size, files, and the queries the job made.
Flat memory is the goal: the peak does not grow with the evidence's size (a file is copied in
1 MB chunks, the zip is written to a temporary file, never held in memory).
"""

import argparse
import io
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HOSTILE_NAMES = ["../../etc/passwd", "C:\\Users\\rina\\SK Tim {n}.pdf", "laporan/2024/akhir {n}.pdf", "Ñoño №{n}.pdf"]


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


def prepare(size, args):
    """Seed the period of `size` ("demo" or "files"); returns its id."""
    from django.core.management import call_command

    from evaluations import regions
    from evaluations.models import EvaluationPeriod

    if size == "demo":
        call_command("seed_demo", stdout=io.StringIO())
        with regions.in_region(None):
            return EvaluationPeriod.objects.get(year=2024, stage="1").pk
    call_command(
        "seed_scale",
        "--agencies",
        args.agencies,
        "--questions",
        args.questions,
        "--replace",
        "--year",
        2099,
        stdout=io.StringIO(),
    )
    with regions.in_region(None):
        period = EvaluationPeriod.objects.get(year=2099, stage="1")
        add_evidence_files(period, args.files, args.megabytes)
        return period.pk


def add_evidence_files(period, count, megabytes):
    """`count` evidence files of random bytes, one per handed-in answer (cycling when there are
    fewer answers), written straight into the storage's folder."""
    from django.conf import settings

    from evaluations.excel.workbook import HANDED_IN
    from evaluations.models import Answer, Evidence

    answers = list(
        Answer.objects.filter(submission__period=period, submission__status__in=HANDED_IN)
        .order_by("submission__agency__abbreviation", "question__code")
        .values_list("pk", flat=True)
    )
    if not answers:
        sys.exit("The scale period has no handed-in answers: raise --agencies or --questions.")
    folder = Path(settings.PRIVATE_MEDIA_ROOT) / "evidence"
    folder.mkdir(parents=True, exist_ok=True)
    size = int(megabytes * 1024 * 1024)
    rows = []
    for n in range(count):
        name = f"evidence/bench-{n:06}.pdf"
        with open(Path(settings.PRIVATE_MEDIA_ROOT) / name, "wb") as handle:
            handle.write(os.urandom(size))
        rows.append(
            Evidence(
                answer_id=answers[n % len(answers)],
                title=f"Dokumen {n}",
                file=name,
                original_name=HOSTILE_NAMES[n % len(HOSTILE_NAMES)].format(n=n),
                size=size,
            )
        )
    Evidence.objects.bulk_create(rows, batch_size=500)
    print(f"  files: {count} x {megabytes:g} MB over {min(count, len(answers))} answers")


def child(period_id, trace):
    """One package, built by the job's runner in this process; prints one JSON line."""
    setup_django(migrate=False)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from evaluations import regions, tasks
    from evaluations.models import EvaluationPeriod, Job

    with regions.in_region(None):
        period = EvaluationPeriod.objects.get(pk=period_id)
        job = Job.objects.create(kind=Job.Kind.EVIDENCE_PACKAGE, key=f"bench-{time.time_ns()}", period=period)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start_rss = reset_peak_rss()
    if trace:
        tracemalloc.start()
    started = time.perf_counter()
    with CaptureQueriesContext(connection) as queries:
        tasks.run_job.call(job.pk)
    seconds = time.perf_counter() - started
    traced = tracemalloc.get_traced_memory()[1] if trace else 0
    tracemalloc.stop()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    job_peak = status_kib("VmHWM")
    with regions.in_region(None):
        job.refresh_from_db()
        if not job.is_done:
            sys.exit(f"job {job.state}: {job.message}")
        size = job.file.size
        job.file.delete(save=False)
    print(
        json.dumps(
            {
                "seconds": seconds,
                "files": job.result["files"],
                "evidence_mb": job.result["bytes"] / 1024 / 1024,
                "zip_mb": size / 1024 / 1024,
                "queries": len(queries),
                "peak_mb": peak / 1024,
                "before_mb": before / 1024,
                "start_rss_mb": start_rss / 1024 if start_rss else None,
                "job_peak_mb": job_peak / 1024 if start_rss else None,
                "growth_mb": (peak - before) / 1024,
                "traced_mb": traced / 1024 / 1024,
            }
        )
    )


def status_kib(field):
    """A figure of /proc/self/status in KiB (Linux), or None."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(f"{field}:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def reset_peak_rss():
    """Reset the process's peak resident set to what it holds now (Linux: "5" into clear_refs), so
    that the peak read after the job is the job's own, not the imports'. Returns the resident set
    now in KiB, or None where the peak cannot be reset (then only ru_maxrss is reported)."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return None
    return status_kib("VmRSS")


def run_child(period_id, trace=False):
    command = [sys.executable, __file__, "--child", str(period_id)] + (["--trace"] if trace else [])
    result = subprocess.run(command, capture_output=True, text=True, env=os.environ, check=False)
    if result.returncode:
        sys.exit(result.stderr[-3000:])
    return json.loads(result.stdout.strip().splitlines()[-1])


def bench(size, args):
    period_id = prepare(size, args)
    runs = [run_child(period_id) for _ in range(args.repeat)]
    traced = run_child(period_id, trace=True)
    best = min(runs, key=lambda run: run["seconds"])
    times = ", ".join(f"{run['seconds']:.2f}" for run in runs)
    before, growth = max(run["before_mb"] for run in runs), max(run["growth_mb"] for run in runs)
    if best["job_peak_mb"] is not None:
        job_peak = max(run["job_peak_mb"] for run in runs)
        job_growth = max(run["job_peak_mb"] - run["start_rss_mb"] for run in runs)
        during = f"; during the job {job_peak:.0f} MB, +{job_growth:.0f} MB over its start"
    else:
        during = ""
    rate = best["evidence_mb"] / best["seconds"] if best["seconds"] else 0
    print(
        f"{size:>6}: {best['files']} files ({best['evidence_mb']:.0f} MB), package {best['zip_mb']:.2f} MB, "
        f"{best['queries']} queries | {best['seconds']:.2f} s (runs: {times}; {rate:.0f} MB/s) | "
        f"peak RSS {max(run['peak_mb'] for run in runs):.0f} MB "
        f"({before:.0f} MB before the job: +{growth:.0f} MB{during}) | "
        f"Python allocations peak {traced['traced_mb']:.1f} MB (tracemalloc)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="demo,files", help="demo and/or files, comma-separated")
    parser.add_argument("--files", type=int, default=1000, help="evidence files of the 'files' period")
    parser.add_argument("--megabytes", type=float, default=1, help="size of each evidence file")
    parser.add_argument("--agencies", type=int, default=30, help="agencies of the 'files' period")
    parser.add_argument("--questions", type=int, default=100, help="questions of the 'files' period")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--trace", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.trace)
        return
    media = tempfile.mkdtemp(prefix="bench_evidence_media_")
    os.environ["PRIVATE_MEDIA_ROOT"] = media
    database = None
    if "DATABASE_URL" not in os.environ:
        handle, database = tempfile.mkstemp(suffix=".sqlite3", prefix="bench_evidence_")
        os.close(handle)
        os.environ["DATABASE_URL"] = f"sqlite:///{database}"
    try:
        setup_django()
        from django.db import connection

        print(f"database: {connection.vendor}, media: {media}")
        for size in args.sizes.split(","):
            bench(size, args)
    finally:
        shutil.rmtree(media, ignore_errors=True)
        if database:
            os.unlink(database)


if __name__ == "__main__":
    main()
