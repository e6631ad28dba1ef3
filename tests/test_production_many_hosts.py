"""The production topology for real: two app hosts (gunicorn, A and B) and two RQ workers on
PostgreSQL, Redis and an S3-compatible object store (moto's server), every process with
TASKS_BACKEND=rq, as README "Production topology" describes. Nothing is shared but those three
services: evidence uploaded on A downloads from B; a workbook asked for on A is built by a worker
and downloaded from B; a worker killed (SIGKILL, its whole process group) in the middle of a
workbook leaves the job to the other worker and the user gets one workbook; two schedulers and
both hosts asking for reminders on one day remind each agency once. E-mail goes to files
(EMAIL_BACKEND filebased) so the test can count what every worker sent."""

import email
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from email.header import decode_header, make_header
from pathlib import Path

import psycopg2
import pytest
import redis
from rq import Worker

from .factories import FIXTURES, PASSWORD, subprocess_env
from .filling import PDF
from .s3 import CREDENTIALS, REGION, bucket_keys, s3_client, s3_server  # noqa: F401  (a fixture)
from .servers import Browser, csrf_token, free_port, manage, require, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = f"smartcity_hosts_test_{os.getpid()}"
DB_URL = PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME
# A Redis database of its own (queue, cache, sessions), emptied before and after.
REDIS_URL = os.environ.get("TEST_HOSTS_REDIS_URL", "redis://127.0.0.1:6379/11")
STALE_SECONDS = 4
OPERATORS = 4  # agencies with an operator who has an e-mail address

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="the many-hosts test runs on PostgreSQL only (SQLite is one host's file): "
    "run it with DATABASE_URL=postgres://…, as .ci/run's second pass does",
)

SET_UP = f"""
from datetime import timedelta
from django.contrib.auth.models import Group, User
from django.utils import timezone
from evaluations.models import Agency, AgencyMember, EvaluationPeriod
period = EvaluationPeriod.objects.get(year=2024, stage="1")
period.closes = timezone.localdate() + timedelta(days=30)
period.save()
period.open()
coordinator = User.objects.create_user("koor_hosts", password="{PASSWORD}")
coordinator.groups.add(Group.objects.get(name="Koordinator"))
agencies = Agency.objects.filter(assignments__period=period).distinct().order_by("name")[:{OPERATORS}]
for n, agency in enumerate(agencies):
    user = User.objects.create_user(f"op_hosts{{n}}", email=f"op_hosts{{n}}@example.go.id", password="{PASSWORD}")
    user.groups.add(Group.objects.get(name="Operator OPD"))
    AgencyMember.objects.create(user=user, agency=agency)
print("period", period.pk)
"""
CHANGE_AN_ANSWER = """
from evaluations.models import Agency, EvaluationPeriod
from tests.excel_helpers import answer_all
answer_all(EvaluationPeriod.objects.get(year=2024, stage="1"), Agency.objects.order_by("pk").first())
"""


def _admin(sql):
    conn = psycopg2.connect(PG_ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(sql)
    conn.close()


def _query(sql, params=()):
    with psycopg2.connect(DB_URL) as conn, conn.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    conn.close()
    return rows


class Site:
    def __init__(self, env, hosts, workers, mail_dir, bucket, endpoint, period):
        self.env, self.hosts, self.workers = env, hosts, workers
        self.mail_dir, self.bucket, self.endpoint, self.period = mail_dir, bucket, endpoint, period

    def signed_in(self, host, username):
        browser = Browser()
        status, _, _ = browser.log_in(host, username, PASSWORD)
        assert status == 302
        return browser


@pytest.fixture(scope="module")
def site(tmp_path_factory, s3_server):  # noqa: F811
    require("PostgreSQL on 127.0.0.1:5432", lambda: _admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"))
    require("Redis on 127.0.0.1:6379", lambda: redis.Redis.from_url(REDIS_URL).flushdb())
    _admin(f"CREATE DATABASE {DB_NAME}")
    bucket = f"smartcity-hosts-{uuid.uuid4().hex[:8]}"
    s3_client(s3_server).create_bucket(Bucket=bucket)
    folder = tmp_path_factory.mktemp("hosts")
    mail_dir = folder / "mail"
    env = subprocess_env(
        drop={"DEBUG", "PRIVATE_MEDIA_ROOT"},
        DEBUG="0",
        SECRET_KEY="hosts-test-" + "k3y-" * 12,
        ALLOWED_HOSTS="127.0.0.1",
        SECURE_SSL_REDIRECT="0",
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        SECURE_HSTS_SECONDS="0",
        DATABASE_URL=DB_URL,
        REDIS_URL=REDIS_URL,
        TASKS_BACKEND="rq",
        JOB_STALE_SECONDS=str(STALE_SECONDS),
        S3_BUCKET=bucket,
        S3_ENDPOINT_URL=s3_server,
        S3_REGION=REGION,
        S3_ACCESS_KEY_ID=CREDENTIALS["aws_access_key_id"],
        S3_SECRET_ACCESS_KEY=CREDENTIALS["aws_secret_access_key"],
        S3_ADDRESSING_STYLE="path",
        # Nothing on a local disk but what each process throws away: this folder must stay empty.
        PRIVATE_MEDIA_ROOT=str(folder / "uploads-never-used"),
        STATIC_ROOT=str(folder / "static"),
        EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
        EMAIL_FILE_PATH=str(mail_dir),
        REMINDER_DAYS_BEFORE="60",
        SITE_URL="https://smartcity.example.go.id",
    )
    # Static files (compressed by whitenoise: slow) while the database is set up.
    static = subprocess.Popen([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=ROOT, env=env)
    manage(env, "migrate", "-v0")
    manage(env, "loaddata", "-v0", *FIXTURES)
    period = int(manage(env, "shell", "-c", SET_UP).split()[-1])
    assert static.wait(timeout=180) == 0
    processes, hosts, workers = [], [], []
    try:
        for n in range(2):
            port = free_port()
            log = open(folder / f"host{n}.log", "w")
            command = [
                str(Path(sys.executable).parent / "gunicorn"),
                "smartcity.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "2",
            ]
            processes.append(subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log))
            hosts.append(f"http://127.0.0.1:{port}")
        for n in range(2):
            log = open(folder / f"worker{n}.log", "w")
            command = [sys.executable, "manage.py", "rqworker", "--job-class", "django_tasks_rq.Job", "default"]
            worker = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)
            processes.append(worker)
            workers.append(worker)
        for n, host in enumerate(hosts):
            wait_until_up(host, processes[n], folder / f"host{n}.log")
        connection = redis.Redis.from_url(REDIS_URL)
        deadline = time.monotonic() + 60
        while len(Worker.all(connection=connection)) < 2:
            assert time.monotonic() < deadline, "the RQ workers did not register within 60 s"
            time.sleep(0.2)
        yield Site(env, hosts, workers, mail_dir, bucket, s3_server, period)
        assert not (folder / "uploads-never-used").exists()
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in processes:
            try:
                process.wait(timeout=5)
            except subprocess.TimeoutExpired:
                process.kill()
        _admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        redis.Redis.from_url(REDIS_URL).flushdb()


def _children(pid):
    """The processes whose parent is `pid` (Linux /proc)."""
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if int(fields[1]) == pid:
            children.append(int(stat.parent.name))
    return children


def _job_page_until_finished(browser, url, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        status, _, html = browser.request(url)
        assert status == 200
        if b'data-state="done"' in html or b'data-state="failed"' in html:
            return html
        time.sleep(0.3)
    pytest.fail(f"{url} did not finish within {timeout} s")


def _export(browser, host, period):
    _, _, html = browser.request(host + "/")
    status, headers, _ = browser.request(
        host + f"/ekspor/{period}/", {"csrfmiddlewaretoken": csrf_token(html)}, {"Referer": host + "/"}
    )
    assert status == 302
    return headers["Location"]


def test_evidence_uploaded_on_host_a_downloads_from_host_b(site):
    host_a, host_b = site.hosts
    browser = site.signed_in(host_a, "op_hosts0")
    _, _, home = browser.request(host_a + "/opd/")
    section = re.search(rb'href="(/opd/pengisian/\d+/bagian/[^"]+/)"', home).group(1).decode()
    _, _, html = browser.request(host_a + section)
    fields = dict(re.findall(rb'<input type="hidden" name="(q\d+-(?:version|seen))" value="([^"]*)"', html))
    fields = {name.decode(): value.decode() for name, value in fields.items()}
    question = sorted(fields)[0].split("-")[0]
    content = PDF + uuid.uuid4().bytes  # bytes no other test uploads
    status, headers, _ = browser.request(
        host_a + section,
        {**fields, "csrfmiddlewaretoken": csrf_token(html), f"{question}-evidence_title": "SK Tim Smart City"},
        {"Referer": host_a + section},
        files={f"{question}-evidence_file": ("sk-tim.pdf", content)},
    )
    assert status == 302, headers
    _, _, html = browser.request(host_b + section)
    download = re.search(rb'href="(/opd/bukti/\d+/unduh/)"', html).group(1).decode()
    status, headers, body = browser.request(host_b + download)
    assert status == 200
    assert body == content
    assert [key for key in bucket_keys(site.endpoint, site.bucket) if key.startswith("evidence/")]


def test_a_workbook_asked_for_on_host_a_is_built_by_a_worker_and_downloaded_from_host_b(site):
    host_a, host_b = site.hosts
    browser = site.signed_in(host_a, "koor_hosts")
    job_page = _export(browser, host_a, site.period)
    html = _job_page_until_finished(browser, host_b + job_page)
    assert b'data-state="done"' in html
    download = re.search(rb'href="(/pekerjaan/\d+/unduh/)"', html).group(1).decode()
    status, headers, content = browser.request(host_b + download)
    assert status == 200 and content[:2] == b"PK"
    assert headers["Content-Disposition"].startswith("attachment")
    assert (
        len([key for key in bucket_keys(site.endpoint, site.bucket) if key.startswith("regions/64.08/jobs/workbook/")])
        == 1
    )


def _reminder_messages(mail_dir):
    messages = []
    for path in sorted(mail_dir.glob("*.log")) if mail_dir.exists() else []:
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                message = email.message_from_bytes(chunk)
                if str(make_header(decode_header(message["Subject"]))).startswith("Pengingat:"):
                    messages.append(message["To"])
    return sorted(messages)


def test_two_schedulers_and_both_hosts_remind_each_agency_once_a_day(site):
    host_a, host_b = site.hosts
    schedulers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "send_reminders"], cwd=ROOT, env=site.env, stdout=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    for host in (host_a, host_b):
        browser = site.signed_in(host, "koor_hosts")
        _, _, html = browser.request(host + "/koordinator/")
        status, headers, _ = browser.request(
            host + "/koordinator/pengingat/",
            {"csrfmiddlewaretoken": csrf_token(html), "periode": site.period},
            {"Referer": host + "/koordinator/"},
        )
        assert status == 302 and re.fullmatch(r"/pekerjaan/\d+/", headers["Location"])
    for scheduler in schedulers:
        output = scheduler.communicate(timeout=60)[0]
        assert scheduler.returncode == 0
        assert "1 pekerjaan pengingat diantrekan" in output
    deadline = time.monotonic() + 60
    while _query("SELECT count(*) FROM evaluations_job WHERE kind = 'reminders' AND state IN ('queued', 'running')")[0][
        0
    ]:
        assert time.monotonic() < deadline, "the reminders jobs did not finish within 60 s"
        time.sleep(0.3)
    states = _query("SELECT state, result FROM evaluations_job WHERE kind = 'reminders'")
    assert [state for state, _ in states] == ["done"] * 4
    # Each agency was reminded by exactly one of the four jobs, whichever got there first.
    assert sum(result["agencies"] for _, result in states) == OPERATORS
    assert sum(result["skipped"] for _, result in states) == 3 * OPERATORS
    assert _reminder_messages(site.mail_dir) == sorted(f"op_hosts{n}@example.go.id" for n in range(OPERATORS))
    assert _query("SELECT count(*) FROM evaluations_remindersent")[0][0] == OPERATORS


def test_a_worker_killed_during_a_workbook_leaves_it_to_the_other_and_the_user_gets_one(site):
    host_a, host_b = site.hosts
    manage(site.env, "shell", "-c", CHANGE_AN_ANSWER)  # a new state of the period: a new workbook
    browser = site.signed_in(host_a, "koor_hosts")
    # Hold the road table: the worker stops at the Kondisi Jalan sheet, halfway through the job,
    # while the pages (which never read road rows) keep answering.
    blocker = psycopg2.connect(DB_URL)
    cursor = blocker.cursor()
    cursor.execute("LOCK TABLE evaluations_roadsegment IN ACCESS EXCLUSIVE MODE")
    try:
        job_page = _export(browser, host_a, site.period)
        job_id = int(job_page.strip("/").split("/")[-1])
        deadline = time.monotonic() + 30
        while _query("SELECT step FROM evaluations_job WHERE id = %s", [job_id])[0][0] != "Kondisi Jalan":
            assert time.monotonic() < deadline, "no worker reached the Kondisi Jalan sheet within 30 s"
            time.sleep(0.1)
        _, _, html = browser.request(host_b + job_page)
        # Halfway or so: the percentage moves with the number of sheets before Kondisi Jalan.
        percent = re.search(r"Menyiapkan… (\d+)%", html.decode())
        assert percent and 0 < int(percent.group(1)) < 100
        busy = [w.pid for w in Worker.all(connection=redis.Redis.from_url(REDIS_URL)) if w.get_current_job_id()]
        [victim] = [worker for worker in site.workers if worker.pid in busy]
        # RQ runs each job in a forked "work horse" in a session of its own: kill it and the worker,
        # as when the host dies.
        for pid in [*_children(victim.pid), victim.pid]:
            os.kill(pid, signal.SIGKILL)
        victim.wait(timeout=10)
    finally:
        blocker.rollback()
        blocker.close()
    # The cron's periodic check, once the heartbeat is older than JOB_STALE_SECONDS.
    time.sleep(STALE_SECONDS + 0.5)
    requeued = manage(site.env, "requeue_stale_jobs")
    row = _query("SELECT state, attempt, heartbeat_at, now(), step FROM evaluations_job WHERE id = %s", [job_id])
    assert "1 pekerjaan diantrekan ulang" in requeued, row
    html = _job_page_until_finished(browser, host_b + job_page)
    assert b'data-state="done"' in html
    [(state, attempt)] = _query("SELECT state, attempt FROM evaluations_job WHERE id = %s", [job_id])
    assert (state, attempt) == ("done", 2)
    download = re.search(rb'href="(/pekerjaan/\d+/unduh/)"', html).group(1).decode()
    status, _, content = browser.request(host_a + download)
    assert status == 200 and content[:2] == b"PK"
    # One workbook: the killed run never stored a file, and the period's older workbook is dropped.
    assert (
        len([key for key in bucket_keys(site.endpoint, site.bucket) if key.startswith("regions/64.08/jobs/workbook/")])
        == 1
    )
    done = _query("SELECT count(*) FROM evaluations_job WHERE kind = 'workbook' AND state = 'done' AND file <> ''")
    assert done == [(1,)]
