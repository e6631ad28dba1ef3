"""The impact survey's public form under attack on a real gunicorn with production settings,
PostgreSQL and Redis (issue 28, item 3): junk posts from a few addresses must not block a link for
its real respondents. Behind a pretend proxy on 127.0.0.1 (BEHIND_PROXY=1, PROXY_TRUSTED_IPS), so
that each sender has its own address in X-Forwarded-For; the rate limits keep their defaults."""

import html as html_module
import json
import os
import re
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor

import psycopg2
import pytest
import redis

from .factories import FIXTURES, subprocess_env
from .servers import Browser, csrf_token, free_port, manage_production, require, wait_until_up

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = f"smartcity_survey_abuse_test_{os.getpid()}"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
CACHE_KEY_PREFIX = f"survey-abuse-test-{os.getpid()}"
JUNK_SENDERS, JUNK_EACH = 10, 30  # 300 junk posts, each sender just within its own limit (30)
REAL_RESPONDENTS = 20
# The rate counts live in fixed windows aligned on the clock (evaluations.ratelimit): a run that
# crossed a window's edge would find its senders' counts reset. A day's window for this server,
# and a run that starts too near its edge waits for the next one.
RATE_WINDOW, EDGE_MARGIN = 86_400, 120

# An open survey of the 2024 period (statements from the fixture), one programme per sub-dimension,
# one form per pillar, and an enumerator link on Smart Governance's form.
SETUP_CODE = r"""
import json
from datetime import timedelta
from django.utils import timezone
from evaluations.models import Agency, EvaluationPeriod, ImpactSurvey, SurveyForm, SurveyProgramme
from pillars.models import SubDimension

today = timezone.localdate()
period = EvaluationPeriod.objects.get(year=2024, stage="1")
survey = ImpactSurvey.create_for(period, today - timedelta(days=1), today + timedelta(days=14))
agency = Agency.objects.order_by("pk").first()
for sub in SubDimension.objects.all():
    SurveyProgramme.objects.create(survey=survey, subdimension=sub, name=f"Program {sub.name}", agency=agency)
form = SurveyForm.objects.get(survey=survey, pillar__code="GOV")
enumerator = form.add_enumerator(agency, "Rudi Petugas")
print("SETUP_JSON " + json.dumps({"path": enumerator.public_path()}))
"""


def _admin(statement):
    conn = psycopg2.connect(PG_ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(statement)
    conn.close()


def _recreate_database():
    _admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
    _admin(f"CREATE DATABASE {DB_NAME}")


def _clear_redis():
    client = redis.Redis.from_url(REDIS_URL)
    for key in client.scan_iter(f"{CACHE_KEY_PREFIX}:*"):
        client.delete(key)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require("PostgreSQL on 127.0.0.1:5432", _recreate_database)
    require("Redis on 127.0.0.1:6379", _clear_redis)
    port = free_port()
    env = subprocess_env(drop={"DEBUG"})
    env.update(
        DATABASE_URL=PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME,
        REDIS_URL=REDIS_URL,
        CACHE_KEY_PREFIX=CACHE_KEY_PREFIX,
        SECRET_KEY="survey-abuse-test-" + "k3y-" * 12,
        WORKERS="2",
        PORT=str(port),
        PY=sys.executable,
        BEHIND_PROXY="1",
        PROXY_TRUSTED_IPS="127.0.0.1",
        PRIVATE_MEDIA_ROOT=str(tmp_path_factory.mktemp("uploads")),
        SURVEY_RATE_WINDOW=str(RATE_WINDOW),
    )
    log_path = tmp_path_factory.mktemp("gunicorn") / "server.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            ["bash", "scripts/serve.sh"], cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, process, log_path)
        manage_production(env, "loaddata", *FIXTURES)
        output = manage_production(env, "shell", "-c", SETUP_CODE)
        setup = json.loads(re.search(r"SETUP_JSON (.*)", output).group(1))
        yield base, setup["path"]
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        _admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        _clear_redis()


def answered(html):
    """Every field of the loaded form answered (the first choice of each radio group, the first
    kecamatan), with its token and CSRF token."""
    data = {
        "csrfmiddlewaretoken": csrf_token(html),
        "token": re.search(rb'name="token" value="([^"]+)"', html).group(1).decode(),
        "contact": "",
    }
    for name, value in re.findall(rb'type="radio" name="([^"]+)" value="([^"]+)"', html):
        data.setdefault(name.decode(), html_module.unescape(value.decode()))  # "&lt;20" is "<20"
    data["kecamatan"] = re.search(rb'<option value="(\d+)"', html).group(1).decode()
    return data


def junk_sender(url, address):
    """One address sending JUNK_EACH posts with a made-up token (after one GET for the CSRF cookie,
    as a script would). Returns the status codes."""
    browser = Browser()
    headers = {"X-Forwarded-For": address}
    _status, _headers, html = browser.request(url, headers=headers)
    junk = {"csrfmiddlewaretoken": csrf_token(html), "token": "x"}
    return [browser.request(url, junk, {**headers, "Referer": url})[0] for _n in range(JUNK_EACH)]


def test_junk_from_ten_addresses_does_not_block_an_enumerator_link_for_its_respondents(server):
    base, path = server
    url = base + path
    left_in_window = RATE_WINDOW - time.time() % RATE_WINDOW
    if left_in_window < EDGE_MARGIN:
        time.sleep(left_in_window + 1)
    started = time.monotonic()
    with ThreadPoolExecutor(JUNK_SENDERS) as pool:
        junk = [
            s
            for statuses in pool.map(lambda n: junk_sender(url, f"198.51.100.{n + 1}"), range(JUNK_SENDERS))
            for s in statuses
        ]
    junk_seconds = time.monotonic() - started
    # The enumerator's phone: one address, one cookie jar, one respondent after the other.
    phone, headers = Browser(), {"X-Forwarded-For": "114.125.9.9"}
    real = []
    for _n in range(REAL_RESPONDENTS):
        _status, _headers, html = phone.request(url, headers=headers)
        real.append(phone.request(url, answered(html), {**headers, "Referer": url})[0])
    print(
        f"\n{len(junk)} junk posts from {JUNK_SENDERS} addresses in {junk_seconds:.1f} s "
        f"({junk.count(400)} answered 400, {junk.count(429)} 429); "
        f"real posts through afterwards: {real.count(302)} of {REAL_RESPONDENTS} (429: {real.count(429)})"
    )
    assert len(junk) == JUNK_SENDERS * JUNK_EACH
    assert real == [302] * REAL_RESPONDENTS
    # The junk cost its senders: one more post from any of them is over its own limit.
    browser = Browser()
    _status, _headers, html = browser.request(url, headers={"X-Forwarded-For": "198.51.100.1"})
    status, _headers, _body = browser.request(
        url,
        {"csrfmiddlewaretoken": csrf_token(html), "token": "x"},
        {"X-Forwarded-For": "198.51.100.1", "Referer": url},
    )
    assert status == 429
