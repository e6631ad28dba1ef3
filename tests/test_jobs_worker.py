"""A real `manage.py db_worker` process on the development default (SQLite, the database queue,
local storage), as `make run` starts it: a workbook job queued by another process is claimed,
built and stored once. (tests/test_production_server.py does the same on PostgreSQL behind two
app servers.) One slow test: migrating a fresh database takes most of its time."""

import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from .factories import FIXTURES, subprocess_env

ROOT = Path(__file__).resolve().parent.parent

QUEUE_A_WORKBOOK = """
from django.contrib.auth.models import Group, User
from evaluations import tasks
from evaluations.models import EvaluationPeriod
user = User.objects.create_user("koor_worker")
user.groups.add(Group.objects.get(name="Koordinator"))
print(tasks.workbook_job(EvaluationPeriod.objects.get(year=2024, stage="1"), user).pk)
"""


def _manage(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_db_worker_process_builds_a_queued_workbook_once(tmp_path):
    database, uploads = tmp_path / "db.sqlite3", tmp_path / "uploads"
    env = subprocess_env(
        drop={"DATABASE_URL", "TASKS_BACKEND", "S3_BUCKET", "REDIS_URL"},
        DATABASE_URL=f"sqlite:///{database}",
        PRIVATE_MEDIA_ROOT=str(uploads),
    )
    _manage(env, "migrate", "-v0")
    _manage(env, "loaddata", "-v0", *FIXTURES)
    job_id = int(_manage(env, "shell", "-c", QUEUE_A_WORKBOOK).strip().splitlines()[-1])

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
            with sqlite3.connect(database, timeout=20) as db:
                state, attempt, file_name = db.execute(
                    "SELECT state, attempt, file FROM evaluations_job WHERE id = ?", [job_id]
                ).fetchone()
            if state in ("done", "failed"):
                break
            time.sleep(0.3)
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=30)[0]
    assert (state, attempt) == ("done", 1), output
    book = openpyxl.load_workbook(uploads / file_name, read_only=True)
    assert book.sheetnames[0] == "Ringkasan"
    assert [p.name for p in (uploads / "jobs" / "workbook").iterdir()] == [Path(file_name).name]
