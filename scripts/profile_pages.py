#!/usr/bin/env python
"""Where a page's time goes (on demand, not part of the test suite).

    DATABASE_URL=postgres://... .venv/bin/python scripts/profile_pages.py [--top 25] [PATH_AS_USER ...]

Against an existing database (`make run`'s demo data plus `manage.py seed_scale`), each page is
requested through Django's test client (the settings' cache): once to warm up, then --repeat
times for the median wall time and CPU time of this process (the database's work not included,
and less disturbed by a busy machine), the query count and size, then once under cProfile, whose
--top functions by own time and by cumulative time are printed. A page is given as
USER:PATH, e.g. koordinator:/koordinator/?periode=2; without any, the issue 26 table's pages.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")


def default_pages():
    from evaluations.models import EvaluationPeriod, Submission

    demo = EvaluationPeriod.objects.filter(year__lt=2099).order_by("-year", "-stage").first()
    scale = EvaluationPeriod.objects.filter(year=2099).first()
    section = Submission.objects.filter(period=demo, agency__abbreviation="Bappeda").first()
    pages = [
        ("op_bappeda", "/akun/kata-sandi/selesai/"),
        ("op_bappeda", "/opd/"),
        ("op_bappeda", f"/opd/pengisian/{section.pk}/bagian/A-GOV/"),
        ("koordinator", "/koordinator/"),
    ]
    if scale:
        review = Submission.objects.filter(period=scale, status=Submission.Status.SUBMITTED).first()
        pages += [
            ("koordinator", f"/koordinator/?periode={scale.pk}"),
            ("koordinator", f"/hasil/?periode={scale.pk}"),
            ("koordinator", f"/koordinator/pengisian/{review.pk}/"),
        ]
    return pages


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pages", nargs="*", help="USER:PATH")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--top", type=int, default=20)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--queries", type=int, default=5, help="print the N slowest queries of the last request")
    args = parser.parse_args()
    import django

    django.setup()
    from django.contrib.auth.models import User
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, setup_test_environment

    setup_test_environment()
    from django_scopes import scopes_disabled

    # Only the set-up reads across regions; each request runs in its own region's scope.
    with scopes_disabled():
        pages = [tuple(p.split(":", 1)) for p in args.pages] or default_pages()
    clients = {}
    for username, path in pages:
        if username not in clients:
            clients[username] = Client()
            with scopes_disabled():
                clients[username].force_login(User.objects.get(username=username))
        client = clients[username]
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        times, cpu = [], []
        for _ in range(args.repeat):
            with CaptureQueriesContext(connection) as queries:
                started, started_cpu = time.perf_counter(), time.process_time()
                response = client.get(path)
                times.append(time.perf_counter() - started)
                cpu.append(time.process_time() - started_cpu)
        print(
            f"\n=== {username} {path}: median {statistics.median(times) * 1000:.0f} ms "
            f"(min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f}), this process's CPU "
            f"{statistics.median(cpu) * 1000:.0f} ms, {len(queries)} queries, "
            f"{len(response.content) / 1024:.0f} KB"
        )
        for query in sorted(queries.captured_queries, key=lambda q: -float(q["time"]))[: args.queries]:
            print(f"  {float(query['time']) * 1000:6.1f} ms  {query['sql'][:150]}")
        if args.no_profile:
            continue
        profile = cProfile.Profile()
        profile.enable()
        client.get(path)
        profile.disable()
        for order in ("tottime", "cumulative"):
            out = io.StringIO()
            pstats.Stats(profile, stream=out).sort_stats(order).print_stats(args.top)
            text = out.getvalue()
            print(text[text.find("   ncalls") :])


if __name__ == "__main__":
    main()
