"""`make serve` for real: two gunicorn app servers with production settings and a job worker
(`manage.py db_worker`), sharing PostgreSQL and Redis, as behind a load balancer. Signs in over
real HTTP, loads the main pages, and has the worker build a workbook asked for on one server and
downloaded from the other."""

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psycopg2
import pytest
import redis

from .factories import FIXTURES, PASSWORD, subprocess_env
from .servers import Browser, free_port, manage_production, require, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
# Per process: several checkouts may run the suite at once on one machine.
DB_NAME = f"smartcity_serve_test_{os.getpid()}"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
CACHE_KEY_PREFIX = f"serve-test-{os.getpid()}"


def _recreate_database():
    conn = psycopg2.connect(PG_ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        cursor.execute(f"CREATE DATABASE {DB_NAME}")
    conn.close()


def _drop_database():
    conn = psycopg2.connect(PG_ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    conn.close()


def _clear_redis():
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{CACHE_KEY_PREFIX}:*"):
        client.delete(key)


@pytest.fixture(scope="module")
def servers(tmp_path_factory):
    require("PostgreSQL on 127.0.0.1:5432", _recreate_database)
    require("Redis on 127.0.0.1:6379", _clear_redis)
    env = subprocess_env(drop={"DEBUG"})
    env.update(
        DATABASE_URL=PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME,
        REDIS_URL=REDIS_URL,
        CACHE_KEY_PREFIX=CACHE_KEY_PREFIX,
        SECRET_KEY="serve-test-" + "k3y-" * 12,
        WORKERS="2",
        PY=sys.executable,
        PRIVATE_MEDIA_ROOT=str(tmp_path_factory.mktemp("uploads")),
    )
    logs = tmp_path_factory.mktemp("gunicorn")
    processes, bases = [], []
    try:
        for n in range(2):
            port = free_port()
            env_n = dict(env, PORT=str(port))
            log = open(logs / f"server{n}.log", "w")
            processes.append(
                subprocess.Popen(
                    ["bash", "scripts/serve.sh"], cwd=ROOT, env=env_n, stdout=log, stderr=log, start_new_session=True
                )
            )
            base = f"http://127.0.0.1:{port}"
            wait_until_up(base, processes[-1], logs / f"server{n}.log")
            bases.append(base)
            if n == 0:
                manage_production(env, "loaddata", *FIXTURES)
                manage_production(env, "shell", "-c", _CREATE_USERS)
        log = open(logs / "worker.log", "w")
        processes.append(
            subprocess.Popen(
                [sys.executable, "manage.py", "db_worker", "--interval", "0.2", "--no-startup-delay", "--no-reload"],
                cwd=ROOT,
                env=dict(env, DEBUG="0", ALLOWED_HOSTS="127.0.0.1"),
                stdout=log,
                stderr=log,
                start_new_session=True,
            )
        )
        yield bases
    finally:
        for process in processes:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
        _drop_database()
        _clear_redis()


_CREATE_USERS = f"""
from django.contrib.auth.models import Group, User
from evaluations.models import Agency, AgencyMember
user = User.objects.create_user("op_serve", password="{PASSWORD}")
user.groups.add(Group.objects.get(name="Operator OPD"))
AgencyMember.objects.create(user=user, agency=Agency.objects.get(abbreviation="DLH"))
coordinator = User.objects.create_user("koor_serve", password="{PASSWORD}")
coordinator.groups.add(Group.objects.get(name="Koordinator"))
reviewer = User.objects.create_user("koor_pages", password="{PASSWORD}")
reviewer.groups.add(Group.objects.get(name="Koordinator"))
from datetime import timedelta
from django.utils import timezone
from evaluations.models import EvaluationPeriod
period = EvaluationPeriod.objects.get(year=2024, stage="1")
period.closes = timezone.localdate() + timedelta(days=30)
period.save()
period.open()
"""


def test_an_operator_signs_in_on_one_server_and_continues_on_the_other(servers):
    first, second = servers
    browser = Browser()
    status, headers, _ = browser.log_in(first, "op_serve", PASSWORD)
    assert status == 302, headers
    for path in ["/", "/pilar/", "/pilar/ENV/"]:
        status, headers, html = browser.request(second + path)
        assert status == 200, path
        assert b"op_serve" in html
        assert "script-src 'self'" in headers["Content-Security-Policy"]
        assert headers["X-Content-Type-Options"] == "nosniff"


def test_the_operators_questionnaire_pages_load_over_http(servers):
    browser = Browser()
    browser.log_in(servers[0], "op_serve", PASSWORD)
    status, _, html = browser.request(servers[1] + "/opd/")
    assert status == 200
    sections = re.findall(rb'href="(/opd/pengisian/\d+/bagian/[^"]+/)"', html)
    assert sections, "the operator home lists no section"
    status, _, html = browser.request(servers[0] + sections[0].decode())
    assert status == 200
    assert b"Simpan draf" in html


def test_the_coordinators_pages_and_the_workbook_load_over_http(servers):
    browser = Browser()
    browser.log_in(servers[1], "koor_pages", PASSWORD)
    for path in ["/koordinator/", "/hasil/", "/quick-wins/", "/quick-wins/cakupan/", "/data/", "/data/jalan/"]:
        status, _, _ = browser.request(servers[0] + path)
        assert status == 200, path
    _, _, html = browser.request(servers[0] + "/")
    export = re.search(rb'<form method="post" action="(/ekspor/\d+/)">', html).group(1).decode()
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', html).group(1).decode()
    status, headers, _ = browser.request(
        servers[0] + export, {"csrfmiddlewaretoken": token}, {"Referer": servers[0] + "/"}
    )
    assert status == 302
    job_page = headers["Location"]
    assert re.fullmatch(r"/pekerjaan/\d+/", job_page)
    # The worker builds it; the other server shows the progress, then the link.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status, _, html = browser.request(servers[1] + job_page)
        assert status == 200
        if b'data-state="done"' in html:
            break
        assert b'http-equiv="refresh"' in html
        time.sleep(0.3)
    else:
        pytest.fail("the worker did not finish the workbook within 60 s")
    download = re.search(rb'href="(/pekerjaan/\d+/unduh/)"', html).group(1).decode()
    status, headers, content = browser.request(servers[0] + download)
    assert status == 200
    assert headers["Content-Disposition"].startswith("attachment")
    assert content[:2] == b"PK"
    # Asked again with nothing changed: straight to the same file, no new job.
    status, headers, _ = browser.request(
        servers[1] + export, {"csrfmiddlewaretoken": token}, {"Referer": servers[1] + "/"}
    )
    assert (status, headers["Location"]) == (302, download)


def test_static_files_are_hashed_and_compressed(servers):
    browser = Browser()
    _, _, html = browser.request(servers[0] + "/akun/masuk/")
    css = re.search(rb'href="(/static/css/app\.[0-9a-f]{12}\.css)"', html)
    assert css, "the stylesheet link is not a hashed file name"
    status, headers, _ = browser.request(servers[0] + css.group(1).decode(), headers={"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers.get("Content-Encoding") == "gzip"
    assert "max-age=315360000" in headers.get("Cache-Control", "")


def test_failed_logins_are_counted_across_servers_and_lock_the_account(servers):
    first, second = servers
    browser = Browser()
    for n in range(5):
        status, _, html = browser.log_in(servers[n % 2], "koor_serve", "salah-sandi")
    status, _, html = browser.log_in(second, "koor_serve", PASSWORD)
    assert status == 429
    assert b"Terlalu banyak percobaan masuk yang gagal" in html
    another_user = Browser()
    status, _, _ = another_user.log_in(first, "op_serve", PASSWORD)
    assert status == 302
