"""Load and concurrency benchmark: `make bench` (on demand, not part of the test suite).

Prepares everything itself, from a fresh clone:

1. drops and recreates a PostgreSQL database (default smartcity_bench on 127.0.0.1:5432);
2. starts gunicorn through scripts/serve.sh with production settings (DEBUG=0, --workers 4)
   on a free port of 127.0.0.1, loads the reference fixtures, opens the 2024 period and creates
   the bench accounts (operators spread over several agencies, a coordinator, and two operators
   of one more agency for the conflict check);
   With --scale (the default), `seed_scale` then adds its large closed period (60 agencies x
   300 questions, 18,000 answers; run with DEBUG=1 since it is a development command) and, with
   --regions N (default 241; 0 skips it), `seed_scale --regions N`: N generated regions of 35
   agencies each answering the shipped instrument (523,000 answers at 241) for the ministry's
   national table, /nasional/, read by a ministry account;
3. signs every simulated user in over HTTP; all open /opd/ at the same instant (the first visit
   creates the agency's submission, so operators of one agency race to create one row); measures
   one request of each page alone (median of a few, with its size in KB); then runs timed
   phases, each with all clients at once: a minimal signed-in page (the ceiling), the
   operator's home, the section page, the coordinators' dashboard, and with --scale the
   dashboard and results of the scale period and the review page of one of its submitted
   submissions (300 answers), and /nasional/ with --regions; then answer saves (each operator
   owns its own questions, so no save may conflict);
4. the conflict check: two operators save the SAME answer from the SAME version at the same
   moment, repeated (the first round races two creations, later rounds two updates) -> exactly
   one save and one 409 with the conflict message each time, and the winner's value is stored;
5. reads the database directly and verifies that every acknowledged save is there (its value,
   its explanation, one audit row per save, version = number of saves) and that no request got
   a 5xx, timed out or was refused;
6. prints requests per second and p50/p95 latency per endpoint, with ratios to the ceiling,
   then the goals' table (TABLE: each page's throughput ratio to the ceiling with its goal, the
   page alone in ms and its size), and always stops gunicorn. Exit code 1 if any check failed, 2 if it could not run.

Traffic goes only to 127.0.0.1 (gunicorn is bound there; the PostgreSQL URL must be local too).
Bounded: every phase has a fixed duration and a request cap, every request a timeout.

    .venv/bin/python scripts/bench_load.py [--clients 16] [--agencies 4] [--seconds 20]
"""

import argparse
import http.cookiejar
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from datetime import date, timedelta
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = [
    "fixtures/regions.json",
    "fixtures/pillars.json",
    "fixtures/kecamatan.json",
    "fixtures/agencies.json",
    "fixtures/instrument_2024_tahap1.json",
]
CEILING_PATH = "/akun/kata-sandi/selesai/"  # "password changed": base layout and menu, no data queries
DASHBOARD_PATH = "/koordinator/"
LOGIN_PATH = "/akun/masuk/"
FIRST_VISIT_PATH = "/opd/"
CONFLICT_MESSAGE = "sudah diubah orang lain"
LOCAL_HOSTS = {"127.0.0.1", "localhost", "::1", ""}
# The table `make bench` ends with (issue 26): each page's throughput under load as a ratio to the
# ceiling's in the same run, with its goal. A page is a row here and a phase in run_bench (the
# coordinator's pages are one entry each in `coordinator_pages`); a row whose phase did not run
# (--no-scale) is printed as not measured. To add a page: a phase, then its row here.
TABLE = [
    # (row, phase name, goal: rps ratio to the ceiling at least)
    ("operator home", "operator home /opd/", 0.5),
    ("section page (demo)", "section (GET)", 0.6),
    ("coordinator dashboard, demo period", "dashboard (GET, coordinator)", 0.5),
    ("dashboard, 60 agencies x 300 questions", "dashboard, scale period", 0.3),
    ("results, 60 x 300", "results, scale period", 0.4),
    ("review page, one 300-answer submission", "review, scale submission (300)", 0.25),
    ("/nasional/ at 241 regions (--regions)", "national table (ministry)", 0.3),
]
NATIONAL = "national table (ministry)"
MAX_CLIENTS = 64
MAX_SECONDS = 300
MAX_REQUESTS_PER_PHASE = 200_000


class BenchError(Exception):
    """The bench could not run (setup failed); not a finding about the app."""


# --- setup: database, server, accounts ------------------------------------------------------


def database_urls(admin_url, name):
    parts = urllib.parse.urlsplit(admin_url)
    if parts.hostname not in LOCAL_HOSTS:
        raise BenchError(f"the bench talks only to 127.0.0.1; {parts.hostname} is not local")
    return parts._replace(path="/" + name).geturl()


def recreate_database(admin_url, name):
    try:
        import psycopg2
    except ImportError as error:
        raise BenchError("psycopg2 is missing: run `make setup` first") from error
    try:
        conn = psycopg2.connect(admin_url, connect_timeout=5)
    except psycopg2.OperationalError as error:
        raise BenchError(
            f"PostgreSQL is not reachable at {admin_url} ({str(error).strip()}).\n"
            "Start it (README, 'Production server') or pass --pg-url postgres://USER@127.0.0.1:5432/postgres"
        ) from error
    conn.autocommit = True
    with conn.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    conn.close()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(args, db_url, port, uploads):
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}}
    env.update(
        DEBUG="0",
        DATABASE_URL=db_url,
        SECRET_KEY="bench-" + secrets.token_urlsafe(48),
        ALLOWED_HOSTS="127.0.0.1",
        HOST="127.0.0.1",
        PORT=str(port),
        WORKERS=str(args.workers),
        PY=sys.executable,
        PRIVATE_MEDIA_ROOT=str(uploads),
        LOG_LEVEL="ERROR",
    )
    if args.redis_url:
        env["REDIS_URL"] = args.redis_url
        # Each run starts with an empty cache of its own, whoever else uses this Redis.
        env["CACHE_KEY_PREFIX"] = "bench-" + secrets.token_hex(4)
    return env


def wait_until_up(base, process, log_path, timeout=120):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"gunicorn exited early:\n{tail(log_path)}")
        try:
            urllib.request.urlopen(base + LOGIN_PATH, timeout=2).read()
            return
        except (urllib.error.URLError, ConnectionError, OSError):
            time.sleep(0.5)
    raise BenchError(f"gunicorn did not answer within {timeout}s:\n{tail(log_path)}")


def tail(path, lines=40):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def manage(env, *args, stdin=None, timeout=300):
    result = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    if result.returncode != 0:
        raise BenchError(f"manage.py {' '.join(args[:1])} failed:\n{result.stderr[-3000:]}")
    return result.stdout


# Run inside `manage.py shell` against the bench database (production settings: no demo command).
SETUP_CODE = r"""
import json, os
from datetime import timedelta
from django.contrib.auth.models import Group, User
from django.db.models import Count
from django.utils import timezone
from evaluations import roles
from evaluations.models import Agency, AgencyMember, EvaluationPeriod, Submission
from evaluations.answering import build_sections
from evaluations.models import NationalPeriod, Region, RegionStaff
from django.conf import settings
from django_scopes import scopes_disabled

# A shell has no region in force (django-scopes): the bench's rows are all the installation region's.
with scopes_disabled():
    params = json.loads(os.environ["BENCH_SETUP"])
    password = params["password"]
    today = timezone.localdate()
    period = EvaluationPeriod.objects.get(year=2024, stage="1")
    period.opens, period.closes = today - timedelta(days=7), today + timedelta(days=14)
    period.status = EvaluationPeriod.Status.OPEN
    period.save()

    agencies = []
    for agency in Agency.objects.filter(active=True).order_by("pk"):
        questions = list(Submission(period=period, agency=agency).questions().in_form_order())
        if questions:
            agencies.append((len(questions), agency.pk, agency, questions))
    agencies.sort(key=lambda row: (-row[0], row[1]))
    wanted = params["agencies"] + 1  # the last one is kept for the conflict check
    if len(agencies) < wanted:
        raise SystemExit(f"only {len(agencies)} agencies have questions, {wanted} needed")

    def make(username, group, agency=None):
        user = User.objects.create_user(username, password=password, email=f"{username}@example.go.id")
        user.groups.add(Group.objects.get(name=group))
        if agency is not None:
            AgencyMember.objects.create(user=user, agency=agency)
        else:  # a region role: the installation's region
            RegionStaff.objects.create(user=user, region=Region.objects.get(code=settings.REGION_CODE))
        return username

    out = {"agencies": [], "operators": [], "duel": None}
    for _count, _pk, agency, questions in agencies[:wanted]:
        sections = [
            {"key": s.key, "questions": [{"id": q.pk, "type": q.answer_type} for q in s.questions]}
            for s in build_sections(questions)
        ]
        out["agencies"].append({"name": agency.abbreviation, "submission": None, "sections": sections})
    duel = out["agencies"].pop()
    for i in range(params["clients"]):
        index = i % params["agencies"]
        agency = Agency.objects.get(abbreviation=out["agencies"][index]["name"])
        out["operators"].append({"username": make(f"bench_op_{i:02d}", roles.OPERATOR, agency), "agency": index})
    duel_agency = Agency.objects.get(abbreviation=duel["name"])
    duel["usernames"] = [make(f"bench_duel_{n}", roles.OPERATOR, duel_agency) for n in range(1, params["duel"] + 1)]
    out["duel"] = duel
    out["coordinator"] = make("bench_koordinator", roles.COORDINATOR)
    # The seed_scale period, when it was seeded: its id and one submitted submission to review.
    # (Not one of seed_scale --regions' periods, which end the same: they are other regions'.)
    scale = EvaluationPeriod.objects.filter(name__endswith="(seed_scale)", region__code=settings.REGION_CODE).first()
    if scale is not None:
        review = Submission.objects.filter(period=scale, status=Submission.Status.SUBMITTED).order_by("pk").first()
        out["scale"] = {"period": scale.pk, "review": review.pk}
    # seed_scale --regions' national period, when it was seeded: the ministry reads its table.
    national = NationalPeriod.objects.filter(name__endswith="(seed_scale)").first()
    if national is not None:
        ministry = User.objects.create_user("bench_kementerian", password=password)
        ministry.groups.add(Group.objects.get(name=roles.MINISTRY))
        out["national"] = {"period": national.pk, "regions": national.periods.count(), "user": ministry.username}
    print("BENCH_JSON " + json.dumps(out))
"""


# --- a browser-like HTTP client ---------------------------------------------------------


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Result:
    __slots__ = ("status", "seconds", "body", "error")

    def __init__(self, status, seconds, body=b"", error=None):
        self.status, self.seconds, self.body, self.error = status, seconds, body, error


class Client:
    """A cookie jar and a urllib opener that does not follow redirects, like one browser tab."""

    def __init__(self, base, timeout):
        self.base = base
        self.timeout = timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def request(self, path, data=None):
        body = None
        headers = {}
        if data is not None:
            token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
            body = urllib.parse.urlencode([*data, ("csrfmiddlewaretoken", token)], doseq=True).encode()
            headers["Referer"] = self.base + path
        req = urllib.request.Request(self.base + path, data=body, headers=headers)
        started = time.perf_counter()
        try:
            with self.opener.open(req, timeout=self.timeout) as response:
                content = response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            content = error.read()
            status = error.code
        except (urllib.error.URLError, OSError) as error:  # timeout, reset, refused
            return Result(None, time.perf_counter() - started, error=repr(error))
        return Result(status, time.perf_counter() - started, content)

    def log_in(self, username, password):
        self.request(LOGIN_PATH)
        result = self.request(LOGIN_PATH, [("username", username), ("password", password)])
        if result.status != 302:
            raise BenchError(f"{username} could not sign in (HTTP {result.status}, {result.error or ''})")

    def share_session_of(self, other):
        for cookie in other.jar:
            self.jar.set_cookie(cookie)


class SectionForm(HTMLParser):
    """The fields a browser would post from the section form, and the choices of each control."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.fields = {}  # name -> list of values
        self.choices = {}  # name -> option/radio values
        self._textarea = None
        self._select = None
        self._select_value = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "section-form" in (attrs.get("class") or ""):
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = (attrs.get("type") or "text").lower()
            if kind in {"submit", "button", "file", "image", "reset"}:
                return
            if kind in {"radio", "checkbox"}:
                self.choices.setdefault(name, []).append(attrs.get("value", "on"))
                self.fields.setdefault(name, [])
                if "checked" in attrs:
                    self.fields[name].append(attrs.get("value", "on"))
            else:
                self.fields.setdefault(name, []).append(attrs.get("value") or "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields.setdefault(name, []).append("")
        elif tag == "select" and name:
            self._select, self._select_value = name, None
            self.choices[name] = []
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            self.choices[self._select].append(value)
            if "selected" in attrs or self._select_value is None:
                self._select_value = value

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside = False
        elif tag == "textarea":
            if self._textarea and self.fields[self._textarea][-1].startswith("\n"):
                self.fields[self._textarea][-1] = self.fields[self._textarea][-1][1:]
            self._textarea = None
        elif tag == "select" and self._select:
            self.fields[self._select] = [self._select_value] if self._select_value is not None else []
            self._select = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea][-1] += data


def parse_form(html):
    parser = SectionForm()
    parser.feed(html.decode("utf-8", errors="replace"))
    if not parser.fields:
        raise BenchError("the section page has no section form")
    return parser


def section_path(submission, key):
    return f"/opd/pengisian/{submission}/bagian/{key}/"


def new_value(kind, choices, client, seq):
    """A value for the question and how it must be stored: (posted text, column, expected)."""
    if kind in {"level", "choice"}:
        options = [c for c in choices if c]
        option = options[seq % len(options)]
        return option, "option_id", int(option)
    if kind == "yesno":
        return ("1", "bool_value", True) if seq % 2 else ("0", "bool_value", False)
    if kind == "number":
        number = seq * 100 + client
        return str(number), "number_value", Decimal(number)
    if kind == "percent":
        return str(seq % 101), "number_value", Decimal(seq % 101)
    if kind == "date":
        day = date(2024, 1, 1) + timedelta(days=seq % 365)
        return day.isoformat(), "date_value", day
    text = f"teks c{client} s{seq}"
    return text, "text_value", text


# --- phases -------------------------------------------------------------------------------


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples = {}  # endpoint -> [seconds]
        self.statuses = {}  # endpoint -> {status: count}
        self.failures = []  # (endpoint, status or error)
        self.elapsed = {}  # endpoint -> phase duration

    def add(self, endpoint, result, ok):
        with self.lock:
            self.samples.setdefault(endpoint, []).append(result.seconds)
            key = result.status if result.status is not None else "error"
            counts = self.statuses.setdefault(endpoint, {})
            counts[key] = counts.get(key, 0) + 1
            if not ok:
                self.failures.append((endpoint, result.status or result.error))


def run_phase(name, workers, seconds, recorder):
    """Run each worker(stop_at, budget) in its own thread, all starting together."""
    barrier = threading.Barrier(len(workers) + 1)
    budget = threading.Semaphore(MAX_REQUESTS_PER_PHASE)
    errors = []

    def run(worker):
        barrier.wait()
        try:
            worker(stop_at, budget)
        except Exception as error:  # noqa: BLE001 - reported as a failed check, never silently
            errors.append(repr(error))

    threads = [threading.Thread(target=run, args=(w,), daemon=True) for w in workers]
    for t in threads:
        t.start()
    stop_at = time.monotonic() + seconds
    started = time.perf_counter()
    barrier.wait()
    for t in threads:
        t.join()
    recorder.elapsed[name] = time.perf_counter() - started
    for error in errors:
        recorder.failures.append((name, error))


def single_requests(client, path, repeat=5):
    """A page requested alone, `repeat` times: (median seconds, KB of the last body, status)."""
    results = [client.request(path) for _ in range(repeat)]
    seconds = sorted(r.seconds for r in results)[len(results) // 2]
    return seconds, len(results[-1].body or b"") / 1024, results[-1].status


def get_loop(name, client, paths, recorder):
    def worker(stop_at, budget):
        i = 0
        while time.monotonic() < stop_at and budget.acquire(blocking=False):
            result = client.request(paths[i % len(paths)])
            recorder.add(name, result, result.status == 200)
            i += 1

    return worker


class Operator:
    """One simulated operator: their client, the questions they own and what they saved."""

    def __init__(self, number, client, agency):
        self.number = number
        self.client = client
        self.agency = agency
        self.owned = []  # (section key, question dict)
        self.forms = {}  # section key -> SectionForm as first loaded
        self.versions = {}  # question id -> version the operator last saw
        self.acks = []  # (question id, explanation, column, expected)
        self.seq = 0

    def load(self, key, recorder=None):
        result = self.client.request(section_path(self.agency["submission"], key))
        if result.status != 200:
            if recorder is not None:
                recorder.add("section (GET)", result, False)
                return None
            raise BenchError(f"section page {key} answered HTTP {result.status} ({result.error or ''})")
        form = parse_form(result.body)
        self.forms[key] = form
        for key2, question in self.owned:
            if key2 == key:
                self.versions[question["id"]] = int(form.fields.get(f"q{question['id']}-version", ["0"])[0] or 0)
        return form

    def save_loop(self, recorder):
        def worker(stop_at, budget):
            i = 0
            while time.monotonic() < stop_at and budget.acquire(blocking=False):
                key, question = self.owned[i % len(self.owned)]
                i += 1
                self.save_once(key, question, recorder)

        return worker

    def save_once(self, key, question, recorder):
        self.seq += 1
        prefix = f"q{question['id']}"
        form = self.forms[key]
        posted, column, expected = new_value(
            question["type"], form.choices.get(f"{prefix}-value", []), self.number, self.seq
        )
        explanation = f"bench c{self.number} s{self.seq}"
        data = {name: list(values) for name, values in form.fields.items()}
        data[f"{prefix}-value"] = [posted]
        data[f"{prefix}-explanation"] = [explanation]
        data[f"{prefix}-version"] = [str(self.versions[question["id"]])]
        # No fingerprint for the answer being changed: the server compares with what it stores.
        # Every other answer is posted exactly as first loaded, with the fingerprint of that
        # page, so the server leaves it alone (its owner may have changed it since).
        data[f"{prefix}-seen"] = [""]
        data["action"] = ["save"]
        fields = [(name, value) for name, values in data.items() for value in values]
        result = self.client.request(section_path(self.agency["submission"], key), fields)
        ok = result.status == 302
        recorder.add("save (POST)", result, ok)
        if ok:
            self.versions[question["id"]] += 1
            self.acks.append((question["id"], explanation, column, expected))
        else:
            self.load(key, recorder)  # start again from what the server has


def send_together(clients, path, bodies=None):
    """Each client sends its request (a POST of its body, or a GET); all are released at the
    same instant by a barrier."""
    results = [None] * len(clients)
    barrier = threading.Barrier(len(clients))

    def send(n):
        barrier.wait()
        results[n] = clients[n].request(path, bodies[n] if bodies else None)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def first_visit(clients, agencies, recorder):
    """Everyone opens their agency's home at the same moment: the first visit creates the
    agency's submission, so operators of one agency race to create the same row. Every visit
    must succeed and all operators of an agency must land on the same submission."""
    results = send_together(clients, FIRST_VISIT_PATH)
    for agency, result in zip(agencies, results, strict=True):
        found = re.search(rb"/opd/pengisian/(\d+)/", result.body or b"")
        recorder.add("first visit (GET /opd/)", result, result.status == 200 and found is not None)
        if found is None:
            continue
        submission = int(found.group(1))
        if agency["submission"] is None:
            agency["submission"] = submission
        elif agency["submission"] != submission:
            recorder.failures.append(("first visit", f"{agency['name']}: two submissions"))
    for agency in agencies:
        if agency["submission"] is None:
            raise BenchError(f"the first visit of {agency['name']} showed no submission")


def conflict_duel(base, timeout, duel, password, rounds, recorder):
    """Several operators (two by default) save the same answer from the same version at the
    same moment: exactly one save, every other one a 409 with the conflict message."""
    clients = []
    for username in duel["usernames"]:
        client = Client(base, timeout)
        client.log_in(username, password)
        clients.append(client)
    first_visit(clients, [duel] * len(clients), recorder)
    section = duel["sections"][0]
    question = next(q for q in section["questions"] if q["type"] in {"text", "number", "level", "choice"})
    prefix = f"q{question['id']}"
    path = section_path(duel["submission"], section["key"])
    report = {"rounds": rounds, "saved": 0, "conflicts": 0, "bad_rounds": [], "question": question["id"]}
    winners = []
    for r in range(rounds):
        pages = [client.request(path) for client in clients]
        if any(p.status != 200 for p in pages):
            report["bad_rounds"].append((r, "section page", [p.status for p in pages]))
            continue
        forms = [parse_form(p.body) for p in pages]
        versions = {f.fields[f"{prefix}-version"][0] for f in forms}
        if len(versions) != 1:
            report["bad_rounds"].append((r, "versions differ", sorted(versions)))
            continue
        posts = []
        for n, form in enumerate(forms):
            choices = form.choices.get(f"{prefix}-value", [])
            posted, column, expected = new_value(question["type"], choices, n, len(forms) * r + n)
            explanation = f"duel r{r} client {n + 1}"
            data = {name: list(values) for name, values in form.fields.items()}
            data[f"{prefix}-value"] = [posted]
            data[f"{prefix}-explanation"] = [explanation]
            data["action"] = ["save"]
            posts.append(([(k, v) for k, vs in data.items() for v in vs], column, expected, explanation))
        results = send_together(clients, path, [post[0] for post in posts])
        for result in results:
            recorder.add("duel save (POST)", result, result.status in {302, 409})
        statuses = [res.status or 0 for res in results]
        saved = statuses.count(302)
        conflicts = [res for res in results if res.status == 409]
        with_message = sum(1 for res in conflicts if CONFLICT_MESSAGE in res.body.decode("utf-8", "replace"))
        report["saved"] += saved
        report["conflicts"] += with_message
        if saved != 1 or with_message != len(clients) - 1:
            report["bad_rounds"].append((r, "statuses", sorted(statuses)))
            continue
        winner = statuses.index(302)
        winners.append((r, *posts[winner][1:]))
    report["winners"] = winners
    return report


# --- verification ---------------------------------------------------------------------------


def verify(db_url, operators, duel_report, duel_submission):
    import psycopg2

    conn = psycopg2.connect(db_url)
    with conn.cursor() as cursor:
        cursor.execute(
            "SELECT a.submission_id, a.question_id, a.explanation, a.version, a.option_id, a.bool_value, "
            "a.number_value, a.text_value, a.date_value, a.id FROM evaluations_answer a"
        )
        rows = {}
        for sub, qid, explanation, version, option_id, bool_value, number_value, text_value, date_value, pk in cursor:
            rows[(sub, qid)] = {
                "explanation": explanation,
                "version": version,
                "option_id": option_id,
                "bool_value": bool_value,
                "number_value": number_value,
                "text_value": text_value,
                "date_value": date_value,
                "id": pk,
            }
        cursor.execute("SELECT answer_id, new_value FROM evaluations_answerchange WHERE field = 'explanation'")
        audit = {}
        for answer_id, new_value in cursor:
            audit.setdefault(answer_id, set()).add(new_value)
    conn.close()

    problems = []
    acknowledged = verified = 0
    for op in operators:
        submission = op.agency["submission"]
        by_question = {}
        for qid, explanation, column, expected in op.acks:
            by_question.setdefault(qid, []).append((explanation, column, expected))
        for qid, acks in by_question.items():
            acknowledged += len(acks)
            row = rows.get((submission, qid))
            if row is None:
                problems.append(
                    f"answer of question {qid} (submission {submission}) is missing: {len(acks)} saves lost"
                )
                continue
            logged = audit.get(row["id"], set())
            found = sum(1 for explanation, _c, _e in acks if explanation in logged)
            verified += found
            if found != len(acks):
                problems.append(f"question {qid}: {len(acks) - found} acknowledged saves have no audit row")
            explanation, column, expected = acks[-1]
            if row["explanation"] != explanation or row[column] != expected:
                problems.append(
                    f"question {qid}: stored {row[column]!r}/{row['explanation']!r}, "
                    f"last acknowledged {expected!r}/{explanation!r}"
                )
            if row["version"] != len(acks):
                problems.append(f"question {qid}: version {row['version']} after {len(acks)} acknowledged saves")
    if duel_report["winners"]:
        r, column, expected, explanation = duel_report["winners"][-1]
        row = rows.get((duel_submission, duel_report["question"]))
        if row is None or row["explanation"] != explanation or row[column] != expected:
            problems.append(f"conflict check: stored answer is not the last winner's ({explanation})")
        elif row["version"] != len(duel_report["winners"]):
            problems.append(f"conflict check: version {row['version']} after {duel_report['saved']} winning saves")
    return acknowledged, verified, problems


# --- report ---------------------------------------------------------------------------------


def percentile(values, fraction):
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


def print_table(recorder, phases, ceiling, singles):
    """Throughput under load and, from `singles` ({name: (seconds, KB, status)}), one request
    alone with its size; then the goals' table (TABLE)."""
    ceiling_rps = len(recorder.samples.get(ceiling, [])) / recorder.elapsed[ceiling]
    ceiling_p50 = percentile(recorder.samples.get(ceiling, []), 0.5)
    ceiling_single = singles.get(ceiling, (float("nan"),))[0]
    print(
        f"\n{'endpoint':<40}{'requests':>9}{'rps':>8}{'p50 ms':>9}{'p95 ms':>9}{'rps/ceil':>10}{'p50/ceil':>10}"
        f"{'alone ms':>10}{'alone/ceil':>11}{'KB':>7}"
    )
    for name in phases:
        samples = recorder.samples.get(name, [])
        rps = len(samples) / recorder.elapsed[name]
        p50, p95 = percentile(samples, 0.5), percentile(samples, 0.95)
        alone, kb, _status = singles.get(name, (float("nan"), float("nan"), None))
        print(
            f"{name:<40}{len(samples):>9}{rps:>8.1f}{p50 * 1000:>9.0f}{p95 * 1000:>9.0f}"
            f"{rps / ceiling_rps:>10.2f}{p50 / ceiling_p50:>10.2f}"
            f"{alone * 1000:>10.0f}{alone / ceiling_single:>11.2f}{kb:>7.0f}"
        )
    print(f"\n{'page':<42}{'ratio':>7}{'goal':>8}{'':>6}{'alone ms':>10}{'KB':>6}")
    print(
        f"{'trivial signed-in page (the ceiling)':<42}{1:>7.2f}{'':>8}{'':>6}{ceiling_single * 1000:>10.0f}"
        f"{singles.get(ceiling, (0, 0))[1]:>6.0f}"
    )
    for row, name, goal in TABLE:
        if name not in recorder.elapsed:
            print(f"{row:<42}{'not measured':>21}")
            continue
        ratio = len(recorder.samples.get(name, [])) / recorder.elapsed[name] / ceiling_rps
        alone, kb, _status = singles.get(name, (float("nan"), float("nan"), None))
        verdict = "ok" if ratio >= goal else "miss"
        print(f"{row:<42}{ratio:>7.2f}{'>= ' + format(goal, '.2f'):>8}{verdict:>6}{alone * 1000:>10.0f}{kb:>6.0f}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=16, help="simulated operators at once (default 16)")
    parser.add_argument("--agencies", type=int, default=4, help="agencies the operators are spread over (default 4)")
    parser.add_argument("--seconds", type=float, default=20, help="duration of the save phase (default 20)")
    parser.add_argument("--get-seconds", type=float, default=10, help="duration of each page phase (default 10)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--timeout", type=float, default=30, help="seconds before a request counts as failed")
    parser.add_argument("--conflict-rounds", type=int, default=10, help="rounds of the same-answer check")
    parser.add_argument("--duel-clients", type=int, default=2, help="operators saving the same answer at once")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a local PostgreSQL account that may create databases (env BENCH_PG_URL)",
    )
    parser.add_argument("--database", default="smartcity_bench", help="dropped and recreated (default smartcity_bench)")
    parser.add_argument(
        "--redis-url", default="", help="also use Redis for cache and sessions, e.g. redis://127.0.0.1:6379/13"
    )
    parser.add_argument("--keep-log", action="store_true", help="print where the gunicorn log is kept")
    parser.add_argument(
        "--no-scale",
        dest="scale",
        action="store_false",
        help="skip seed_scale (60 agencies x 300 questions) and the pages of its period",
    )
    parser.add_argument(
        "--regions",
        type=int,
        default=241,
        help="regions of seed_scale --regions for the national table's row (default 241, two minutes or so "
        "of seeding; 0 skips the row)",
    )
    args = parser.parse_args()
    if not (1 <= args.clients <= MAX_CLIENTS and 1 <= args.agencies <= args.clients):
        parser.error(f"--clients must be 1..{MAX_CLIENTS} and --agencies 1..clients")
    if not (2 <= args.duel_clients <= MAX_CLIENTS and 1 <= args.conflict_rounds <= 1000):
        parser.error(f"--duel-clients must be 2..{MAX_CLIENTS} and --conflict-rounds 1..1000")
    if not (0 < args.seconds <= MAX_SECONDS and 0 < args.get_seconds <= MAX_SECONDS):
        parser.error(f"durations must be in 0..{MAX_SECONDS} seconds")
    if args.redis_url and urllib.parse.urlsplit(args.redis_url).hostname not in LOCAL_HOSTS:
        parser.error("--redis-url must point to 127.0.0.1")

    # Make SIGTERM unwind through `finally` like Ctrl-C does, so gunicorn is always stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="smartcity-bench-"))
    log_path = workdir / "gunicorn.log"
    process = None
    try:
        db_url = database_urls(args.pg_url, args.database)
        print(f"PostgreSQL: recreating {args.database} ...", flush=True)
        recreate_database(args.pg_url, args.database)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = server_env(args, db_url, port, workdir / "uploads")
        print(
            f"gunicorn: {args.workers} workers, production settings, {base} (migrate + collectstatic) ...", flush=True
        )
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                ["bash", "scripts/serve.sh"], cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
            )
        wait_until_up(base, process, log_path)
        password = secrets.token_urlsafe(16)
        manage(env, "loaddata", *FIXTURES, "-v0")
        if args.scale:
            print("seed_scale: 60 agencies x 300 questions (a minute or two) ...", flush=True)
            # A development command (it refuses DEBUG=0); it only writes to the bench database.
            manage(dict(env, DEBUG="1"), "seed_scale")
        if args.regions:
            print(f"seed_scale --regions {args.regions}: the national table (a few minutes) ...", flush=True)
            manage(dict(env, DEBUG="1"), "seed_scale", "--regions", str(args.regions), timeout=3600)
        setup_env = dict(
            env,
            BENCH_SETUP=json.dumps(
                {"password": password, "clients": args.clients, "agencies": args.agencies, "duel": args.duel_clients}
            ),
        )
        output = manage(setup_env, "shell", "-c", SETUP_CODE)
        data = json.loads(next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))[11:])
        return run_bench(args, base, data, password, db_url)
    except BenchError as error:
        print(f"\nbench could not run: {error}", file=sys.stderr)
        return 2
    finally:
        if process is not None and process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            print("gunicorn stopped.")
        if args.keep_log:
            print(f"gunicorn log: {log_path}")


def run_bench(args, base, data, password, db_url):
    recorder = Recorder()
    print(
        f"accounts: {args.clients} operators over {args.agencies} agencies "
        f"({', '.join(a['name'] for a in data['agencies'])}), one coordinator; signing in ...",
        flush=True,
    )
    operators = []
    for n, op in enumerate(data["operators"]):
        client = Client(base, args.timeout)
        client.log_in(op["username"], password)
        operators.append(Operator(n, client, data["agencies"][op["agency"]]))
    coordinator = Client(base, args.timeout)
    coordinator.log_in(data["coordinator"], password)
    first_visit([op.client for op in operators], [op.agency for op in operators], recorder)

    # Each agency's questions are dealt out to its operators: nobody else saves them.
    for agency in data["agencies"]:
        team = [op for op in operators if op.agency is agency]
        pairs = [(s["key"], q) for s in agency["sections"] for q in s["questions"]]
        for i, pair in enumerate(pairs):
            team[i % len(team)].owned.append(pair)
    for op in operators:
        for key in dict.fromkeys(key for key, _q in op.owned):
            op.load(key)

    ceiling = "ceiling " + CEILING_PATH
    section = "section (GET)"
    # Coordinator pages: name -> path.
    coordinator_pages = {"dashboard (GET, coordinator)": DASHBOARD_PATH}
    scale = data.get("scale")
    if scale:
        coordinator_pages.update(
            {
                "dashboard, scale period": f"{DASHBOARD_PATH}?periode={scale['period']}",
                "results, scale period": f"/hasil/?periode={scale['period']}",
                "review, scale submission (300)": f"/koordinator/pengisian/{scale['review']}/",
            }
        )
    first_section = section_path(operators[0].agency["submission"], operators[0].owned[0][0])
    singles = {
        ceiling: single_requests(operators[0].client, CEILING_PATH),
        "operator home /opd/": single_requests(operators[0].client, FIRST_VISIT_PATH),
        section: single_requests(operators[0].client, first_section),
    }
    for name, path in coordinator_pages.items():
        singles[name] = single_requests(coordinator, path)
    national = data.get("national")
    if national:
        ministry = Client(base, args.timeout)
        ministry.log_in(national["user"], password)
        # The ministry's own first request computes every region's figures (kept, then read).
        national_page = f"/nasional/?periode={national['period']}"
        singles[NATIONAL] = single_requests(ministry, national_page)
    for name, (_seconds, _kb, status) in singles.items():
        if status != 200:
            recorder.failures.append((f"{name} (alone)", status))

    national_phase = [NATIONAL] if national else []
    phases = [ceiling, "operator home /opd/", section, *coordinator_pages, *national_phase, "save (POST)"]
    print(
        f"phases: {len(phases) - 1} x {args.get_seconds:g} s of page loads, {args.seconds:g} s of saves; "
        f"{args.clients} clients each"
    )
    run_phase(
        ceiling,
        [get_loop(ceiling, op.client, [CEILING_PATH], recorder) for op in operators],
        args.get_seconds,
        recorder,
    )
    run_phase(
        "operator home /opd/",
        [get_loop("operator home /opd/", op.client, [FIRST_VISIT_PATH], recorder) for op in operators],
        args.get_seconds,
        recorder,
    )
    run_phase(
        section,
        [
            get_loop(
                section,
                op.client,
                [section_path(op.agency["submission"], k) for k in dict.fromkeys(k for k, _q in op.owned)],
                recorder,
            )
            for op in operators
        ],
        args.get_seconds,
        recorder,
    )
    for name, path in coordinator_pages.items():
        viewers = []
        for _ in operators:
            viewer = Client(base, args.timeout)
            viewer.share_session_of(coordinator)
            viewers.append(get_loop(name, viewer, [path], recorder))
        run_phase(name, viewers, args.get_seconds, recorder)
    if national:
        viewers = []
        for _ in operators:
            viewer = Client(base, args.timeout)
            viewer.share_session_of(ministry)
            viewers.append(get_loop(NATIONAL, viewer, [national_page], recorder))
        run_phase(NATIONAL, viewers, args.get_seconds, recorder)
    run_phase("save (POST)", [op.save_loop(recorder) for op in operators], args.seconds, recorder)

    print(
        f"conflict check: {args.conflict_rounds} rounds of {args.duel_clients} simultaneous saves of one answer ...",
        flush=True,
    )
    duel = conflict_duel(base, args.timeout, data["duel"], password, args.conflict_rounds, recorder)
    acknowledged, verified, problems = verify(db_url, operators, duel, data["duel"]["submission"])

    print_table(recorder, phases, ceiling, singles)
    statuses = {name: dict(sorted(counts.items(), key=str)) for name, counts in recorder.statuses.items()}
    print(f"\nstatus codes: {json.dumps(statuses)}")
    server_errors = sum(
        n for counts in recorder.statuses.values() for s, n in counts.items() if s == "error" or s >= 500
    )
    print(f"saves acknowledged (302): {acknowledged}; verified in the database: {verified}")
    print(
        f"conflict check: {duel['rounds']} rounds x {args.duel_clients} clients -> {duel['saved']} saved, "
        f"{duel['conflicts']} conflicts (409 with the message); rounds wrong: {len(duel['bad_rounds'])}"
    )
    checks = {
        "every acknowledged save is stored with its value": not problems and verified == acknowledged,
        "no 5xx, timeout or refused connection": server_errors == 0,
        "no unexpected status (pages 200, saves 302, duel 302+409, one submission per agency)": not recorder.failures,
        "exactly one save, the rest conflicts, in every duel round": not duel["bad_rounds"],
        "some saves were made": acknowledged > 0,
    }
    for problem in problems[:20]:
        print(f"  lost/wrong: {problem}")
    for failure in recorder.failures[:20]:
        print(f"  failed request: {failure}")
    for bad in duel["bad_rounds"][:10]:
        print(f"  duel round: {bad}")
    print()
    for name, ok in checks.items():
        print(f"{'PASS' if ok else 'FAIL'}  {name}")
    return 0 if all(checks.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
