"""The workers and the admin's page of the queue's health /kelola/pekerja/: each worker's last
heartbeat (`manage.py jobs_worker` writes it, running or idle, and marks it stopped on exit), the
jobs waiting per queue with the oldest's age, the running jobs with their heartbeat's age."""

import os
import signal
import socket
import subprocess
import sys
import time
from datetime import timedelta
from io import StringIO
from pathlib import Path

import pytest
import redis
from django.core.management import call_command
from django.utils import timezone
from freezegun import freeze_time

from evaluations import tasks
from evaluations.models import Job, WorkerBeat

from .concurrency import reference_data  # noqa: F401  (a fixture)
from .factories import FIXTURES, ROAD_ROW, make_xlsx, subprocess_env
from .servers import manage

ROOT = Path(__file__).resolve().parent.parent


def beat(name, seconds_ago=0, stopped=False):
    now = timezone.now() - timedelta(seconds=seconds_ago)
    return WorkerBeat.objects.create(
        name=name,
        host=name.split(":")[0],
        pid=int(name.split(":")[1]),
        queues="default,imports",
        started_at=now - timedelta(hours=1),
        seen_at=now,
        stopped_at=now if stopped else None,
    )


def workers_page(client, user):
    client.force_login(user)
    response = client.get("/kelola/pekerja/")
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.django_db
def test_the_admin_sees_each_workers_last_heartbeat(client, admin_user):
    beat("app1:101", seconds_ago=3)
    beat("app2:202", seconds_ago=600)
    beat("app1:99", seconds_ago=900, stopped=True)
    html = workers_page(client, admin_user)
    assert '<tr data-alive="1">\n      <th scope="row">app1:101</th>' in html
    assert '<tr data-alive="0">\n      <th scope="row">app2:202</th>' in html
    assert "Tidak melapor" in html and "Berhenti" in html and "Aktif" in html
    assert "10\xa0menit yang lalu" in html


@pytest.mark.django_db
def test_with_no_worker_the_page_says_jobs_wait_forever(client, admin_user):
    html = workers_page(client, admin_user)
    assert "Belum ada pekerja yang melapor" in html
    assert "Belum ada pekerjaan yang pernah diambil pekerja" in html


@pytest.mark.django_db
def test_the_page_counts_waiting_jobs_per_queue_with_the_oldest_age(
    client, admin_user, period, agency_a, operator_a, settings
):
    settings.JOB_QUEUE_WARN_SECONDS = 120
    with freeze_time(timezone.now() - timedelta(minutes=7)):
        tasks.dataset_import_job(period, agency_a, "jalan", make_xlsx([ROAD_ROW]), operator_a)
    tasks.dataset_import_job(period, agency_a, "jalan", make_xlsx([ROAD_ROW]), operator_a)
    tasks.workbook_job(period, admin_user)
    html = workers_page(client, admin_user)
    imports = html.split('<tr data-queue="imports">')[1].split("</tr>")[0]
    default = html.split('<tr data-queue="default">')[1].split("</tr>")[0]
    assert '<td class="text-end">2</td>' in imports and "sejak 7\xa0menit yang lalu" in imports
    assert "terlalu lama" in imports
    assert '<td class="text-end">1</td>' in default and "terlalu lama" not in default


@pytest.mark.django_db
def test_the_page_lists_running_jobs_with_their_heartbeats_age(client, admin_user, period, coordinator, settings):
    settings.JOB_STALE_SECONDS = 60
    job = tasks.workbook_job(period, coordinator)
    job.claim()
    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=3))
    html = workers_page(client, admin_user)
    assert f'href="/pekerjaan/{job.pk}/">Workbook evaluasi #{job.pk}</a>' in html
    assert "3\xa0menit yang lalu" in html
    assert "macet: akan diantrekan ulang" in html


@pytest.mark.django_db
def test_the_page_runs_a_fixed_number_of_queries(client, admin_user, period, coordinator, django_assert_num_queries):
    client.force_login(admin_user)
    client.get("/kelola/pekerja/")
    for n in range(5):
        beat(f"host{n}:{n + 1}")
    job = tasks.workbook_job(period, coordinator)
    job.claim()
    # session, user (with their agency and region), permissions, the bell, workers, waiting,
    # running, last claim
    with django_assert_num_queries(8):
        client.get("/kelola/pekerja/")


@pytest.mark.django_db
def test_the_periodic_command_forgets_workers_not_heard_of_for_a_day(period):
    beat("old:1", seconds_ago=2 * 24 * 3600, stopped=True)
    beat("new:2", seconds_ago=5)
    out = StringIO()
    call_command("requeue_stale_jobs", stdout=out)
    assert list(WorkerBeat.objects.values_list("name", flat=True)) == ["new:2"]
    assert "1 pekerja lama dilupakan" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_worker_runs_both_queues_and_leaves_its_heartbeat_stopped(reference_data, period, coordinator):  # noqa: F811
    job = tasks.workbook_job(period, coordinator)
    out = StringIO()
    call_command("jobs_worker", "--batch", stdout=out)
    job.refresh_from_db()
    assert job.state == Job.State.DONE
    worker = WorkerBeat.objects.get()
    assert worker.name == f"{socket.gethostname()}:{os.getpid()}"
    assert (worker.queues, worker.stopped_at is not None) == ("default,imports", True)
    assert f"jobs_worker: {worker.name} stopped" in out.getvalue()


# --- a real worker process beating while idle, and a queue (Redis) that loses its jobs ---------
QUEUE_A_WORKBOOK = """
from django.contrib.auth.models import Group, User
from evaluations import tasks
from evaluations.models import EvaluationPeriod
user = User.objects.create_user("koor_lost")
user.groups.add(Group.objects.get(name="Koordinator"))
print("job", tasks.workbook_job(EvaluationPeriod.objects.get(year=2024, stage="1"), user).pk)
"""
READ = "from evaluations.models import Job; print(*Job.objects.values_list('state', 'attempt').get())"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def own_redis():
    """A Redis of this test's own (never the shared one: this test empties it)."""
    port = _free_port()
    try:
        server = subprocess.Popen(
            ["redis-server", "--port", str(port), "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        if os.environ.get("CI") == "true":
            pytest.fail("redis-server is not installed")
        pytest.skip("redis-server is not installed")
    client = redis.Redis(port=port)
    for _ in range(50):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.1)
    yield f"redis://127.0.0.1:{port}/0", client
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=10)


@pytest.fixture(scope="module")
def site(tmp_path_factory, own_redis):
    folder = tmp_path_factory.mktemp("lost")
    env = subprocess_env(
        drop={"DATABASE_URL", "TASKS_BACKEND", "S3_BUCKET", "REDIS_URL"},
        DATABASE_URL=f"sqlite:///{folder / 'db.sqlite3'}",
        PRIVATE_MEDIA_ROOT=str(folder / "uploads"),
        TASKS_BACKEND="rq",
        REDIS_URL=own_redis[0],
        JOB_STALE_SECONDS="1",
    )
    manage(env, "migrate", "-v0")
    manage(env, "loaddata", "-v0", *FIXTURES)
    return env


def test_a_workbook_queued_before_redis_lost_everything_is_queued_again_and_built_once(site, own_redis):
    job_id = int(manage(site, "shell", "-v0", "-c", QUEUE_A_WORKBOOK).split()[-1])
    own_redis[1].flushall()  # Redis restarted without its data: the queue no longer knows the job
    time.sleep(1.5)  # longer than JOB_STALE_SECONDS
    assert "1 pekerjaan diantrekan ulang" in manage(site, "requeue_stale_jobs")
    manage(site, "jobs_worker", "--batch")
    assert manage(site, "shell", "-v0", "-c", READ).split() == ["done", "1"], job_id


def test_an_idle_worker_process_keeps_beating_and_says_when_it_stopped(site):
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "jobs_worker"], cwd=ROOT, env=site, stdout=subprocess.PIPE, text=True
    )
    seen = (
        "from evaluations.models import WorkerBeat; w = WorkerBeat.objects.get(pid={pid}); "
        "print(w.seen_at.timestamp(), w.stopped_at)"
    )
    try:
        time.sleep(3)
        first = manage(site, "shell", "-v0", "-c", seen.format(pid=worker.pid)).split()
        time.sleep(11)  # more than one beat, with nothing to do
        second = manage(site, "shell", "-v0", "-c", seen.format(pid=worker.pid)).split()
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.communicate(timeout=30)
    assert float(second[0]) > float(first[0]) and first[1] == second[1] == "None"
    stopped = manage(site, "shell", "-v0", "-c", seen.format(pid=worker.pid)).split()
    assert stopped[1] != "None"
