"""Benchmark (run on demand, not part of the test suite): how long the data-set upload request
holds a web worker, and how long the job then takes, for an N-row road file.

    DATABASE_URL=sqlite:////tmp/bench-upload.sqlite3 python scripts/bench_upload_job.py [--rows 5000]

Run from a checkout's root: it benchmarks the code of the checkout it is run in (on a checkout
where the upload is still synchronous it times the request only). It migrates the scratch
database named by DATABASE_URL, loads the reference fixtures, opens the 2024 period, then posts
the file as the Dinas PU operator through Django's test client (the time to the response's first
byte, which a redirect makes the whole response) and, when the post queued a job, runs the job as
a worker would (run_job) and times that.
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, os.getcwd())
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")
os.environ.setdefault("TASKS_BACKEND", "database")  # the default: the request only queues

import django  # noqa: E402

django.setup()

from bench_dataset_upload import FIXTURES, road_rows  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from evaluations import models, roles  # noqa: E402
from evaluations.datasets import get_spec  # noqa: E402
from evaluations.excel.datasets import rows_to_xlsx  # noqa: E402


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    call_command("loaddata", *FIXTURES, verbosity=0)
    period = models.EvaluationPeriod.objects.get(year=2024, stage="1")
    today = timezone.localdate()
    period.opens, period.closes, period.status = today - timedelta(days=7), today + timedelta(days=14), "open"
    period.save()
    agency = models.Agency.objects.get(abbreviation="Dinas PU")
    user, _ = User.objects.get_or_create(username="bench_operator")
    user.groups.add(Group.objects.get(name=roles.OPERATOR))
    models.AgencyMember.objects.update_or_create(user=user, defaults={"agency": agency})
    client = Client()
    client.force_login(user)

    content = rows_to_xlsx(get_spec("jalan"), road_rows(args.rows))
    print(f"road file: {args.rows} rows, {len(content) / 1024:.0f} KiB, database {django.db.connection.vendor}")
    has_jobs = hasattr(models, "Job") and hasattr(models.Job.Kind, "DATASET_IMPORT")
    if has_jobs:
        from evaluations import tasks  # noqa: PLC0415  (only on a checkout that has import jobs)

    posts, runs = [], []
    for _ in range(args.repeat):
        upload = SimpleUploadedFile("jalan.xlsx", content)
        start = time.perf_counter()
        response = client.post("/data/jalan/unggah/", {"file": upload})
        posts.append(time.perf_counter() - start)
        assert response.status_code == 302, response.status_code
        if has_jobs:
            job = models.Job.objects.latest("pk")
            start = time.perf_counter()
            tasks.run_job.call(job.pk)
            runs.append(time.perf_counter() - start)
            job.refresh_from_db()
            assert job.state == "done", (job.state, job.message)
        assert models.RoadSegment.objects.filter(period=period, agency=agency).count() == args.rows

    print(f"upload POST, time to first byte: median {statistics.median(posts):.3f} s  (runs {posts})")
    if runs:
        print(f"import job (check + save {args.rows} rows): median {statistics.median(runs):.2f} s  (runs {runs})")
        total = [p + r for p, r in zip(posts, runs, strict=True)]
        print(f"end to end (post + job, without queue wait): median {statistics.median(total):.2f} s")


if __name__ == "__main__":
    main()
