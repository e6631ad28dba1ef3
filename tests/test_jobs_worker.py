"""Real worker processes on a fresh SQLite database with local storage: `manage.py db_worker` (the
development default, as `make run` starts it) and `manage.py rqworker` (production's RQ on Redis).
Each builds a workbook job queued by another process, once. (tests/test_production_server.py has a
db_worker do it on PostgreSQL behind two app servers.) Migrating the database, once for the
module, takes most of the time."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
import redis

from .factories import FIXTURES, subprocess_env
from .servers import manage

ROOT = Path(__file__).resolve().parent.parent
# A Redis database of its own: the RQ queue's keys are not prefixed like the cache's.
RQ_REDIS_URL = os.environ.get("TEST_RQ_REDIS_URL", "redis://127.0.0.1:6379/12")

QUEUE_A_WORKBOOK = """
from django.contrib.auth.models import Group, User
from evaluations import tasks
from evaluations.models import EvaluationPeriod
user = User.objects.create_user("{username}")
user.groups.add(Group.objects.get(name="Koordinator"))
print("job", tasks.workbook_job(EvaluationPeriod.objects.get(year=2024, stage="1"), user).pk)
"""
CHANGE_AN_ANSWER = """
from evaluations.models import Agency, EvaluationPeriod
from tests.excel_helpers import answer_all
answer_all(EvaluationPeriod.objects.get(year=2024, stage="1"), Agency.objects.order_by("pk").first())
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A migrated database with the reference data, and the environment to reach it."""
    folder = tmp_path_factory.mktemp("worker")
    database, uploads = folder / "db.sqlite3", folder / "uploads"
    env = subprocess_env(
        drop={"DATABASE_URL", "TASKS_BACKEND", "S3_BUCKET", "REDIS_URL"},
        DATABASE_URL=f"sqlite:///{database}",
        PRIVATE_MEDIA_ROOT=str(uploads),
    )
    manage(env, "migrate", "-v0")
    manage(env, "loaddata", "-v0", *FIXTURES)
    return database, uploads, env


def _queue_a_workbook(env, username):
    output = manage(env, "shell", "-c", QUEUE_A_WORKBOOK.replace("{username}", username))
    return int(next(line for line in output.splitlines() if line.startswith("job ")).split()[1])


def _job(database, job_id):
    with sqlite3.connect(database, timeout=20) as db:
        return db.execute("SELECT state, attempt, file FROM evaluations_job WHERE id = ?", [job_id]).fetchone()


def _check_workbook(uploads, file_name):
    book = openpyxl.load_workbook(uploads / file_name, read_only=True)
    assert book.sheetnames[0] == "Ringkasan"
    # One file per workbook job: the previous workbook of the period (if any) is deleted.
    assert [p.name for p in (uploads / "regions" / "64.08" / "jobs" / "workbook").iterdir()] == [Path(file_name).name]


def test_a_db_worker_process_builds_a_queued_workbook_once(site):
    database, uploads, env = site
    job_id = _queue_a_workbook(env, "koor_worker")
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            state, attempt, file_name = _job(database, job_id)
            if state in ("done", "failed"):
                break
            time.sleep(0.3)
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=30)[0]
    assert (state, attempt) == ("done", 1), output
    _check_workbook(uploads, file_name)


def test_an_rq_worker_builds_a_queued_workbook_once(site):
    database, uploads, env = site
    try:
        redis.Redis.from_url(RQ_REDIS_URL).delete("rq:queue:default")  # nothing left from an aborted run
    except redis.ConnectionError as error:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Redis is not reachable: {error}")
        pytest.skip(f"Redis is not reachable: {error}")
    env = dict(env, TASKS_BACKEND="rq", REDIS_URL=RQ_REDIS_URL, CACHE_KEY_PREFIX=f"rq-test-{os.getpid()}")
    manage(env, "shell", "-c", CHANGE_AN_ANSWER)  # a new workbook, not the one the other test built
    job_id = _queue_a_workbook(env, "koor_rq")
    assert _job(database, job_id)[0] == "queued"
    # --burst: run what is queued, then exit.
    manage(env, "rqworker", "--burst", "--job-class", "django_tasks_rq.Job", "default")
    state, attempt, file_name = _job(database, job_id)
    assert (state, attempt) == ("done", 1)
    _check_workbook(uploads, file_name)
