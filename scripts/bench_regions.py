"""Benchmark of the national scale (issue 23): on demand, not part of the test suite.

For each region count (default 1, then 241):

1. drops and recreates a PostgreSQL database (default r5_seeds_bench on 127.0.0.1:5432) and starts
   gunicorn through scripts/serve.sh with production settings (DEBUG=0, --workers 4) on a free port;
2. loads the reference fixtures and times `seed_scale --regions N` (35 agencies answering the
   shipped 62-question instrument per region: 523k answers at 241; run with DEBUG=1, it is a
   development command);
3. creates a ministry account and a coordinator of the first generated region (11.01), and picks a
   submitted submission of that region to review;
4. measures one request alone (median of 5 after a warm-up) of the trivial signed-in page, /nasional/
   (the ministry), and the region's /koordinator/, /hasil/ and /koordinator/pengisian/<id>/ (its
   coordinator); then the throughput of each with --clients clients at once for --seconds each.

Prints the seed time and a table per region count, then the region pages at N against 1 region.
Goals of the issue: /nasional/ <= 500 ms alone and >= 0.3x the trivial page's throughput; the region
pages the same within noise at 241 regions as at 1.

    .venv/bin/python scripts/bench_regions.py [--regions 241] [--clients 8] [--seconds 10]
"""

import argparse
import json
import os
import resource
import secrets
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_load import (  # noqa: E402  (the sibling script: its database, server and client helpers)
    CEILING_PATH,
    FIXTURES,
    ROOT,
    BenchError,
    Client,
    Recorder,
    database_urls,
    free_port,
    get_loop,
    manage,
    percentile,
    recreate_database,
    run_phase,
    server_env,
    single_requests,
    tail,
    wait_until_up,
)

SEED_TIMEOUT = 3600
# Run inside `manage.py shell` against the bench database: the accounts and the pages' ids.
SETUP_CODE = r"""
import json, os
from django.contrib.auth.models import Group, User
from django_scopes import scopes_disabled
from evaluations import roles
from evaluations.models import EvaluationPeriod, Region, RegionStaff, Submission

password = os.environ["BENCH_PASSWORD"]
with scopes_disabled():
    region = Region.objects.get(code="11.01")
    period = EvaluationPeriod.objects.get(region=region, year=2100, stage="1")
    review = Submission.objects.filter(period=period, status=Submission.Status.SUBMITTED).order_by("pk").first()
    ministry = User.objects.create_user("bench_kementerian", password=password)
    ministry.groups.add(Group.objects.get(name=roles.MINISTRY))
    coordinator = User.objects.create_user("bench_koordinator", password=password)
    coordinator.groups.add(Group.objects.get(name=roles.COORDINATOR))
    RegionStaff.objects.create(user=coordinator, region=region)
    print("BENCH_JSON " + json.dumps({"period": period.pk, "review": review.pk}))
"""


def seed(env, regions):
    """Times seed_scale --regions N (its own timeout: manage()'s five minutes are too short)."""
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "manage.py", "seed_scale", "--regions", str(regions)],
        cwd=ROOT,
        env=dict(env, DEBUG="1"),
        capture_output=True,
        text=True,
        timeout=SEED_TIMEOUT,
    )
    if result.returncode != 0:
        raise BenchError(f"seed_scale failed:\n{result.stderr[-3000:]}")
    seconds = time.perf_counter() - started
    # The largest child waited for so far: the seed (loaddata and the shell are smaller).
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, f"{result.stdout.strip().splitlines()[-1]} peak RSS {peak_mb:.0f} MB"


def pages(ids):
    return {
        "trivial page (ceiling)": ("ministry", CEILING_PATH),
        "/nasional/": ("ministry", "/nasional/"),
        "/koordinator/": ("coordinator", "/koordinator/"),
        "/hasil/": ("coordinator", f"/hasil/?periode={ids['period']}"),
        "/koordinator/pengisian/<id>/": ("coordinator", f"/koordinator/pengisian/{ids['review']}/"),
    }


def measure(args, base, password, ids):
    """{page: (alone seconds, KB, status, rps, p50 seconds)} for the scenario's pages."""
    signed_in = {}
    for who in ("ministry", "coordinator"):
        clients = [Client(base, args.timeout) for _ in range(args.clients)]
        for client in clients:
            client.log_in(f"bench_{'kementerian' if who == 'ministry' else 'koordinator'}", password)
        signed_in[who] = clients
    figures = {}
    recorder = Recorder()
    for name, (who, path) in pages(ids).items():
        first = signed_in[who][0]
        warm = first.request(path)
        if warm.status != 200:
            raise BenchError(f"{path} answered HTTP {warm.status} ({warm.error or ''})")
        alone, kb, status = single_requests(first, path)
        workers = [get_loop(name, client, [path], recorder) for client in signed_in[who]]
        run_phase(name, workers, args.seconds, recorder)
        samples = recorder.samples.get(name, [])
        figures[name] = (alone, kb, status, len(samples) / recorder.elapsed[name], percentile(samples, 0.5))
    if recorder.failures:
        raise BenchError(f"failed requests: {recorder.failures[:5]}")
    return figures


def scenario(args, regions, workdir):
    """One fresh database with `regions` generated regions: (seed seconds, seed summary, figures)."""
    log_path = workdir / f"gunicorn-{regions}.log"
    db_url = database_urls(args.pg_url, args.database)
    print(f"\n== {regions} region(s): recreating {args.database} ...", flush=True)
    recreate_database(args.pg_url, args.database)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = server_env(args, db_url, port, workdir / "uploads")
    process = None
    try:
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                ["bash", "scripts/serve.sh"], cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
            )
        wait_until_up(base, process, log_path, timeout=900)  # migrate + collectstatic first
        manage(env, "loaddata", *FIXTURES, "-v0")
        print(f"seed_scale --regions {regions} ...", flush=True)
        seconds, summary = seed(env, regions)
        print(f"  {seconds:.1f} s: {summary}", flush=True)
        password = secrets.token_urlsafe(16)
        output = manage(dict(env, BENCH_PASSWORD=password), "shell", "-c", SETUP_CODE)
        ids = json.loads(next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))[11:])
        figures = measure(args, base, password, ids)
        print_figures(figures)
        return seconds, summary, figures
    except BenchError as error:
        raise BenchError(f"{error}\n{tail(log_path)}") from error
    finally:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def print_figures(figures):
    ceiling_rps = figures["trivial page (ceiling)"][3]
    print(f"{'page':<32}{'alone ms':>10}{'KB':>7}{'rps':>8}{'p50 ms':>9}{'rps/ceil':>10}")
    for name, (alone, kb, _status, rps, p50) in figures.items():
        print(f"{name:<32}{alone * 1000:>10.0f}{kb:>7.0f}{rps:>8.1f}{p50 * 1000:>9.0f}{rps / ceiling_rps:>10.2f}")


def compare(small, large, regions):
    print(f"\n== region pages: {regions} regions against 1 (ratio > 1: slower at {regions})")
    # The machine's load drifts between the two runs: each page is also compared as a multiple of
    # its own run's trivial page ("norm").
    print(
        f"{'page':<32}{'alone ms 1':>12}{f'alone ms {regions}':>14}{'ratio':>7}{'norm ratio':>11}"
        f"{'rps 1':>8}{f'rps {regions}':>9}"
    )
    ceiling = "trivial page (ceiling)"
    for name in (ceiling, "/koordinator/", "/hasil/", "/koordinator/pengisian/<id>/"):
        a, b = small[name], large[name]
        norm = (b[0] / large[ceiling][0]) / (a[0] / small[ceiling][0])
        print(
            f"{name:<32}{a[0] * 1000:>12.0f}{b[0] * 1000:>14.0f}{b[0] / a[0]:>7.2f}{norm:>11.2f}"
            f"{a[3]:>8.1f}{b[3]:>9.1f}"
        )
    alone, _kb, _status, rps, _p50 = large["/nasional/"]
    ratio = rps / large["trivial page (ceiling)"][3]
    print(
        f"\n/nasional/ at {regions} regions: {alone * 1000:.0f} ms alone (goal <= 500), "
        f"{ratio:.2f}x the trivial page's throughput (goal >= 0.3)"
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--regions", type=int, default=241, help="generated regions of the large run (default 241)")
    parser.add_argument("--clients", type=int, default=8, help="clients at once in the throughput phases (default 8)")
    parser.add_argument("--seconds", type=float, default=10, help="duration of each throughput phase (default 10)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--timeout", type=float, default=30, help="seconds before a request counts as failed")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a local PostgreSQL account that may create databases (env BENCH_PG_URL)",
    )
    parser.add_argument("--database", default="r5_seeds_bench", help="dropped and recreated (default r5_seeds_bench)")
    parser.add_argument(
        "--redis-url",
        default="",
        help="also use Redis for cache and sessions as production does, e.g. redis://127.0.0.1:6379/13 "
        "(without it each gunicorn process keeps its own cache)",
    )
    args = parser.parse_args()
    if not (1 <= args.clients <= 64 and 0 < args.seconds <= 300 and 1 <= args.regions <= 2660):
        parser.error("--clients must be 1..64, --seconds 0..300 and --regions 1..2660")
    if args.redis_url and urlsplit(args.redis_url).hostname not in {"127.0.0.1", "localhost"}:
        parser.error("--redis-url must point to 127.0.0.1")
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="smartcity-bench-regions-"))
    try:
        _seconds, _summary, small = scenario(args, 1, workdir)
        seconds, summary, large = scenario(args, args.regions, workdir)
    except BenchError as error:
        print(f"\nbench could not run: {error}", file=sys.stderr)
        return 2
    print(f"\nseed_scale --regions {args.regions}: {seconds:.1f} s ({summary})")
    compare(small, large, args.regions)
    return 0


if __name__ == "__main__":
    sys.exit(main())
