"""Benchmark (run on demand, not part of the test suite): how long a coordinator waits for the
workbook when one operator has just sent a burst of valid uploads (issue 28, item 8).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sc_bench_fair python scripts/bench_job_fairness.py \
        [--uploads 12] [--rows 13000] [--workers 2] [--split]

Run from a checkout's root: it measures the code of the checkout it is run in. It migrates the
scratch database named by DATABASE_URL (the database queue, TASKS_BACKEND=database), loads the
reference fixtures, opens the 2024 period, starts `--workers` worker processes (`jobs_worker` where
the checkout has it, else `db_worker`; with --split the first listens to the default queue only),
then: the coordinator's workbook on an idle queue (the reference), the operator's burst of uploads
of an N-row road file (about 1 MB at 13,000 rows) through Django's test client, and at once the
coordinator's workbook again (after a change, so that it is built anew). It prints the workbook's
latency from the request to the finished file, and what became of the uploads.
"""

import argparse
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, os.getcwd())
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")
os.environ["TASKS_BACKEND"] = "database"

import django  # noqa: E402

django.setup()

from bench_dataset_upload import FIXTURES, road_rows  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.core.management import call_command, get_commands  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from evaluations import models, roles  # noqa: E402
from evaluations.datasets import get_spec  # noqa: E402
from evaluations.excel.datasets import rows_to_xlsx  # noqa: E402


def start_workers(count, split):
    if "jobs_worker" in get_commands():
        commands = [["jobs_worker", "--interval", "0.2"] for _ in range(count)]
        if split:
            commands[0] += ["--queues", "default"]
    else:
        commands = [["db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"] for _ in range(count)]
    return [
        subprocess.Popen([sys.executable, "manage.py", *command], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        for command in commands
    ]


def wait_for(job_ids, timeout=900):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        states = dict(models.Job.objects.filter(pk__in=job_ids).values_list("pk", "state"))
        if all(state in ("done", "failed") for state in states.values()):
            return time.monotonic()
        time.sleep(0.1)
    raise TimeoutError(f"jobs {job_ids} not finished")


def workbook(client, period):
    start = time.monotonic()
    response = client.post(f"/ekspor/{period.pk}/")
    job_id = int(response["Location"].rstrip("/").split("/")[-1])
    return start, job_id


def setup():
    call_command("migrate", verbosity=0)
    call_command("loaddata", *FIXTURES, verbosity=0)
    models.Job.objects.all().delete()
    period = models.EvaluationPeriod.objects.get(year=2024, stage="1")
    today = timezone.localdate()
    period.opens, period.closes, period.status = today - timedelta(days=7), today + timedelta(days=14), "open"
    period.save()
    operator, _ = User.objects.get_or_create(username="bench_operator")
    operator.groups.add(Group.objects.get(name=roles.OPERATOR))
    models.AgencyMember.objects.update_or_create(
        user=operator, defaults={"agency": models.Agency.objects.get(abbreviation="Dinas PU")}
    )
    coordinator, _ = User.objects.get_or_create(username="bench_coordinator")
    coordinator.groups.add(Group.objects.get(name=roles.COORDINATOR))
    return period, operator, coordinator


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--uploads", type=int, default=12)
    parser.add_argument("--rows", type=int, default=13000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--split", action="store_true", help="the first worker listens to the default queue only")
    args = parser.parse_args()

    period, operator, coordinator = setup()
    content = rows_to_xlsx(get_spec("jalan"), road_rows(args.rows))
    size = len(content) / 1e6
    print(f"road file: {args.rows} rows, {size:.2f} MB; {args.workers} workers; {django.db.connection.vendor}")
    workers = start_workers(args.workers, args.split)
    time.sleep(5)  # the workers' start-up is not the workbook's latency
    try:
        boss, op = Client(), Client()
        boss.force_login(coordinator)
        op.force_login(operator)
        start, job_id = workbook(boss, period)
        idle = wait_for([job_id]) - start
        print(f"workbook on an idle queue: {idle:.1f} s")
        period.name += " (ulang)"  # something the workbook shows: a new workbook is built
        period.save()

        first = models.Job.objects.order_by("-pk").values_list("pk", flat=True).first()
        burst = time.monotonic()
        for n in range(args.uploads):
            op.post("/data/jalan/unggah/", {"file": SimpleUploadedFile(f"jalan{n}.xlsx", content)})
        sent = time.monotonic() - burst
        start, job_id = workbook(boss, period)
        latency = wait_for([job_id]) - start
        uploads = list(models.Job.objects.filter(pk__gt=first, kind="dataset_import").values_list("pk", flat=True))
        refused = models.Job.objects.filter(pk__in=uploads, state="failed", file="").count()
        drained = wait_for(uploads) - burst
        print(f"{args.uploads} uploads sent in {sent:.1f} s: {len(uploads) - refused} queued, {refused} refused")
        print(f"workbook behind the burst: {latency:.1f} s from the request to the file")
        print(f"all uploads finished {drained:.1f} s after the burst")
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=60)


if __name__ == "__main__":
    main()
