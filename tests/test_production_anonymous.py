"""What someone without an account can do to a real server: gunicorn with production settings on
PostgreSQL and Redis, behind a pretend reverse proxy (BEHIND_PROXY=1) whose address is not the
test's, so every request here reaches the app port directly, as an outsider's would (issue 28).

- Cookie-less posts to a section (the session-expiry restore) leave the session store as it was,
  in PostgreSQL and in Redis, and an operator whose session expired still gets back what they typed.
- A forged X-Forwarded-For from a peer that is not the proxy neither escapes the login lockout nor
  the survey's rate limit; without PROXY_TRUSTED_IPS the server does not start at all.
- `manage.py unlock_user` lifts a lockout kept in Redis.
"""

import html as html_lib
import os
import random
import re
import secrets
import signal
import subprocess
import sys
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg2
import pytest
import redis

from .factories import FIXTURES, PASSWORD, subprocess_env
from .servers import Browser, csrf_token, free_port, manage_production, require, wait_until_up

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN_URL = os.environ.get("TEST_PG_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = f"smartcity_anon_test_{os.getpid()}"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
CACHE_KEY_PREFIX = f"anon-test-{os.getpid()}"
# The pretend proxy: a documentation address (RFC 5737) that never is the test's own.
PROXY = "192.0.2.1"
SURVEY_RATE_PER_IP = 5
STORE_BUDGET = 64 * 1024  # what 1,000 anonymous posts may add to the session store, in bytes


def _admin_sql(*statements):
    conn = psycopg2.connect(PG_ADMIN_URL)
    conn.autocommit = True
    with conn.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
    conn.close()


def _redis():
    return redis.Redis.from_url(REDIS_URL)


def _clear_redis():
    client = _redis()
    for key in client.scan_iter(f"{CACHE_KEY_PREFIX}:*"):
        client.delete(key)


def _environment(tmp_path_factory):
    env = subprocess_env(drop={"DEBUG"})
    env.update(
        DATABASE_URL=PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME,
        REDIS_URL=REDIS_URL,
        CACHE_KEY_PREFIX=CACHE_KEY_PREFIX,
        SECRET_KEY="anon-test-" + "k3y-" * 12,
        WORKERS="2",
        PY=sys.executable,
        PRIVATE_MEDIA_ROOT=str(tmp_path_factory.mktemp("uploads")),
        BEHIND_PROXY="1",
        PROXY_TRUSTED_IPS=PROXY,
        SURVEY_RATE_PER_IP=str(SURVEY_RATE_PER_IP),
        TASKS_BACKEND="immediate",
    )
    return env


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    require("PostgreSQL on 127.0.0.1:5432", lambda: _admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)"))
    require("Redis on 127.0.0.1:6379", _clear_redis)
    _admin_sql(f"CREATE DATABASE {DB_NAME}")
    env = _environment(tmp_path_factory)
    log_path = tmp_path_factory.mktemp("gunicorn") / "server.log"
    port = free_port()
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            ["bash", "scripts/serve.sh"],
            cwd=ROOT,
            env=dict(env, PORT=str(port)),
            stdout=log,
            stderr=log,
            start_new_session=True,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_up(base, process, log_path)
        manage_production(env, "loaddata", *FIXTURES)
        survey_token = manage_production(env, "shell", "-c", _SETUP).strip().splitlines()[-1]
        yield {"base": base, "env": env, "survey": f"/s/{survey_token}/", "section": _a_section(base)}
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        _admin_sql(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")
        _clear_redis()


_SETUP = f"""
from datetime import timedelta
from django.contrib.auth.models import Group, User
from django.utils import timezone
from evaluations.models import Agency, AgencyMember, EvaluationPeriod
from tests.factories import make_impact_survey
for name in ("op_anon", "op_locked", "op_unlock"):
    user = User.objects.create_user(name, password="{PASSWORD}")
    user.groups.add(Group.objects.get(name="Operator OPD"))
    AgencyMember.objects.create(user=user, agency=Agency.objects.get(abbreviation="DLH"))
period = EvaluationPeriod.objects.get(year=2024, stage="1")
period.closes = timezone.localdate() + timedelta(days=30)
period.save()
period.open()
print(make_impact_survey(period).forms.order_by("pk").first().token)
"""


def _a_section(base):
    """The operator's section with the most explanation fields, and those fields' names."""
    browser = Browser()
    browser.log_in(base, "op_anon", PASSWORD)
    _, _, home = browser.request(base + "/opd/")
    best = ("", [])
    for path in dict.fromkeys(re.findall(r'href="(/opd/pengisian/\d+/bagian/[^"]+/)"', home.decode())):
        _, _, page = browser.request(base + path)
        fields = re.findall(r'name="(q\d+-explanation)"', page.decode())
        if len(fields) > len(best[1]):
            best = (path, fields)
    assert best[1], "the operator has no section with an explanation field"
    return best


# --- what the server keeps -------------------------------------------------------------------------


def _session_store():
    """(rows, bytes) of django_session in PostgreSQL, and (keys, bytes) of the installation's
    Redis keys (MEMORY USAGE: the key, its value and Redis' overhead)."""
    conn = psycopg2.connect(PG_ADMIN_URL.rsplit("/", 1)[0] + "/" + DB_NAME)
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), coalesce(sum(octet_length(session_key) + octet_length(session_data)), 0)"
            " FROM django_session"
        )
        rows, row_bytes = cursor.fetchone()
    conn.close()
    client = _redis()
    keys = list(client.scan_iter(f"{CACHE_KEY_PREFIX}:*"))
    redis_bytes = sum(client.memory_usage(key) or 0 for key in keys)
    return {"rows": rows, "row_bytes": row_bytes, "redis_keys": len(keys), "redis_bytes": redis_bytes}


def _noise(chars):
    """Random text, which no store can compress."""
    return secrets.token_urlsafe(chars)[:chars]


def test_a_thousand_cookieless_posts_to_a_section_leave_the_session_store_as_it_was(server):
    base, (section, fields) = server["base"], server["section"]
    # One CSRF token for every post: the csrftoken cookie is the client's, nothing on the server.
    browser = Browser()
    _, _, login_page = browser.request(base + "/akun/masuk/")
    token = csrf_token(login_page)
    cookie = next(c for c in browser.jar if c.name == "csrftoken")
    headers = {"Cookie": f"csrftoken={cookie.value}"}
    data = {"csrfmiddlewaretoken": token, **{name: _noise(4900) for name in fields[:8]}}

    def post(_n):
        status, response_headers, page = Browser().request(base + section, data, headers)
        return status, "sessionid" in response_headers.get("Set-Cookie", ""), len(page)

    before = _session_store()
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(post, range(1000)))
    after = _session_store()
    grown = {name: after[name] - before[name] for name in before}
    print(
        f"\n1,000 cookie-less posts of {len(data) - 1} x 4,900 characters to {section}: {before} -> {after};"
        f" largest answer {max(size for _, _, size in answers):,} bytes"
    )
    assert {status for status, _, _ in answers} == {200}
    assert not any(sets_session for _, sets_session, _ in answers)
    assert grown["rows"] == 0, grown
    assert grown["row_bytes"] < STORE_BUDGET, grown
    assert grown["redis_bytes"] < STORE_BUDGET, grown


def _form_fields(page):
    """The hidden inputs of the login form on the page, as a browser sends them."""
    forms = re.findall(r"<form[^>]*>(.*?)</form>", page, re.S)
    form = next((f for f in forms if 'name="username"' in f), None)
    assert form is not None, "no login form on the page"
    found = {}
    for tag in re.findall(r'<input type="hidden"[^>]*>', form):  # Django leaves out an empty value
        name, value = re.search(r'name="([^"]*)"', tag), re.search(r'value="([^"]*)"', tag)
        found[html_lib.unescape(name.group(1))] = html_lib.unescape(value.group(1)) if value else ""
    return found


def test_an_operator_whose_session_expired_gets_back_what_they_typed(server):
    base, (section, fields) = server["base"], server["section"]
    browser = Browser()
    browser.log_in(base, "op_anon", PASSWORD)
    _, _, page = browser.request(base + section)
    typed = "Ditulis sebelum sesi habis " + secrets.token_hex(8)
    data = {"csrfmiddlewaretoken": csrf_token(page), fields[0]: typed}
    # The session expires while the operator types: the server no longer knows the cookie.
    for cookie in [c for c in browser.jar if c.name == "sessionid"]:
        browser.jar.clear(cookie.domain, cookie.path, cookie.name)
    status, headers, page = browser.request(base + section, data)
    assert status == 200 and "sessionid" not in headers.get("Set-Cookie", "")
    assert "Sesi Anda sudah berakhir" in page.decode()  # the login page, in place, keeping the text
    login = {**_form_fields(page.decode()), "username": "op_anon", "password": PASSWORD}
    status, headers, _ = browser.request(base + "/akun/masuk/", login)
    assert status == 302 and urllib.parse.urlparse(headers["Location"]).path == section
    _, _, page = browser.request(base + section)
    assert typed in page.decode() and "Belum tersimpan" in page.decode()
    _, _, page = browser.request(base + section)
    assert typed not in page.decode()  # given back once


# --- the client's address behind the proxy ---------------------------------------------------------


def _forged():
    return {"X-Forwarded-For": f"{random.randint(1, 223)}.{random.randint(0, 255)}.{random.randint(0, 255)}.7"}


def test_a_forged_forwarded_address_does_not_escape_the_login_lockout(server):
    base = server["base"]
    answers = []
    for _ in range(12):
        browser = Browser()
        _, _, page = browser.request(base + "/akun/masuk/", headers=_forged())
        form = {"csrfmiddlewaretoken": csrf_token(page), "username": "op_locked", "password": "salah-sandi"}
        answers.append(browser.request(base + "/akun/masuk/", form, _forged())[0])
    print(f"\n12 wrong passwords, each with a forged X-Forwarded-For: {answers}")
    assert answers[:4] == [200] * 4 and set(answers[5:]) == {429}
    status, _, _ = Browser().log_in(base, "op_locked", PASSWORD)
    assert status == 429  # the real password does not get through either: locked


def _survey_answers(page):
    """What a respondent who picks an answer for every question sends."""
    data = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page))
    for name in dict.fromkeys(re.findall(r'<input type="radio" name="([^"]+)"', page)):
        values = re.findall(rf'<input type="radio" name="{re.escape(name)}" value="([^"]*)"', page)
        data[name] = next((v for v in ("3", "often") if v in values), values[0])
    for name, options in re.findall(r'<select name="([^"]+)"[^>]*>(.*?)</select>', page, re.S):
        data[name] = next(v for v in re.findall(r'<option value="([^"]*)"', options) if v)
    return {name: html_lib.unescape(value) for name, value in data.items()}


def test_a_forged_forwarded_address_does_not_escape_the_survey_rate_limit(server):
    base, survey = server["base"], server["survey"]
    answers = []
    for _ in range(SURVEY_RATE_PER_IP + 5):
        browser = Browser()  # no device cookie either
        _, _, page = browser.request(base + survey, headers=_forged())
        answers.append(browser.request(base + survey, _survey_answers(page.decode()), _forged())[0])
    print(f"\n{len(answers)} survey posts, each with a forged X-Forwarded-For: {answers}")
    assert answers == [302] * SURVEY_RATE_PER_IP + [429] * 5


def test_without_trusted_proxy_addresses_the_server_does_not_start(server, tmp_path):
    env = dict(server["env"], PORT=str(free_port()))
    del env["PROXY_TRUSTED_IPS"]
    with open(tmp_path / "server.log", "w") as log:
        process = subprocess.Popen(
            ["bash", "scripts/serve.sh"], cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
        )
    try:
        returncode = process.wait(timeout=60)
    except subprocess.TimeoutExpired:
        returncode = None  # still serving: it started
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=30)
    assert returncode not in (None, 0), "the server started behind a proxy it cannot tell from anyone else"
    assert "PROXY_TRUSTED_IPS" in (tmp_path / "server.log").read_text()


# --- unlocking with the lockout in Redis -----------------------------------------------------------


def test_unlock_user_lifts_a_lockout_kept_in_redis(server):
    base = server["base"]
    for _ in range(5):
        Browser().log_in(base, "op_unlock", "salah-sandi")
    assert Browser().log_in(base, "op_unlock", PASSWORD)[0] == 429
    out = manage_production(server["env"], "unlock_user", "op_unlock")
    assert "op_unlock" in out
    assert Browser().log_in(base, "op_unlock", PASSWORD)[0] == 302
