"""Load benchmark of the impact survey's public form: `make bench-survey` (on demand, not in the suite).

Issue 15 asks for 300 respondents submitting within 10 minutes from phones, on gunicorn + PostgreSQL,
with the p95 latency reported and nothing lost. The bench prepares everything itself:

1. drops and recreates a PostgreSQL database (default smartcity_bench_survey on 127.0.0.1:5432);
2. starts gunicorn through scripts/serve.sh with production settings (DEBUG=0, --workers 4) on a
   free port of 127.0.0.1, behind a pretend proxy (BEHIND_PROXY=1, PROXY_TRUSTED_IPS=127.0.0.1), so
   that every simulated phone has its own address in X-Forwarded-For and the rate limits per
   address and per link stay at their defaults; loads the reference fixtures and seeds an open
   survey: 54 statements, a programme per sub-dimension, one public form per pillar;
3. simulates the respondents (default 300, 50 per pillar form), each starting at a random moment of
   a shortened window (default 120 s; --window 600 for the issue's 10 minutes): loads the form
   (GET, gets the signed token and the device cookie), reads for a few seconds, then sends every
   answer (POST) like a phone's browser would; about half give a phone number as contact;
4. reads the database directly and checks that every response acknowledged with the redirect to the
   thank-you page is there (by the nonce inside its signed token) with its programme uses and
   ratings, and that no request failed, timed out or was refused;
5. prints p50 / p95 / max latency of GET and POST and always stops gunicorn.
   Exit code 1 if any check failed, 2 if it could not run.

Traffic goes only to 127.0.0.1 (gunicorn is bound there; the PostgreSQL URL must be local too).

    .venv/bin/python scripts/bench_survey.py [--respondents 300] [--window 120] [--workers 4]
"""

import argparse
import base64
import html as html_module
import http.cookiejar
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_load import (  # noqa: E402  (the sibling script: its database, server and report helpers)
    FIXTURES,
    LOCAL_HOSTS,
    ROOT,
    BenchError,
    NoRedirect,
    database_urls,
    free_port,
    manage,
    percentile,
    recreate_database,
    server_env,
    tail,
    wait_until_up,
)

MAX_RESPONDENTS = 5000
MAX_WINDOW = 3600

# Run inside `manage.py shell` against the bench database: an open survey of the 2024 period with
# 3 statements and one programme per sub-dimension and one public form per pillar.
SETUP_CODE = r"""
import json
from datetime import timedelta
from django.utils import timezone
from evaluations.models import Agency, EvaluationPeriod, ImpactSurvey, SurveyForm, SurveyProgramme, SurveyStatement
from pillars.models import Pillar, SubDimension

today = timezone.localdate()
period = EvaluationPeriod.objects.get(year=2024, stage="1")
survey = ImpactSurvey.objects.create(period=period, opens=today - timedelta(days=1), closes=today + timedelta(days=14))
agency = Agency.objects.order_by("pk").first()
for sub in SubDimension.objects.all():
    for n in range(1, 4):
        SurveyStatement.objects.get_or_create(
            national_id=period.national_id, code=f"{sub.code}.{n}",
            defaults={"subdimension": sub, "order": n, "text": (
                f"Program {sub.name} membuat layanan lebih mudah dijangkau, lebih cepat dan lebih murah ({n})."
            )},
        )
    SurveyProgramme.objects.create(survey=survey, subdimension=sub, name=f"Program unggulan {sub.name}", agency=agency)
forms = [SurveyForm.objects.create(survey=survey, pillar=pillar) for pillar in Pillar.objects.all()]
print("BENCH_JSON " + json.dumps({"forms": [{"pillar": f.pillar.code, "token": f.token} for f in forms]}))
"""


class Phone:
    """One respondent's browser: its own cookie jar (the CSRF and device cookies), its own address."""

    def __init__(self, base, address, timeout):
        self.base, self.address, self.timeout = base, address, timeout
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())

    def request(self, path, data=None):
        """(status, seconds, body); status None when the request failed (timeout, reset)."""
        headers = {"X-Forwarded-For": self.address, "User-Agent": "bench-survey (Android)"}
        body = None
        if data is not None:
            token = next((c.value for c in self.jar if c.name == "csrftoken"), "")
            body = urllib.parse.urlencode([*data, ("csrfmiddlewaretoken", token)]).encode()
            headers["Referer"] = self.base + path
        started = time.perf_counter()
        try:
            with self.opener.open(
                urllib.request.Request(self.base + path, data=body, headers=headers), timeout=self.timeout
            ) as r:
                return r.status, time.perf_counter() - started, r.read()
        except urllib.error.HTTPError as error:
            return error.code, time.perf_counter() - started, error.read()
        except (urllib.error.URLError, OSError):
            return None, time.perf_counter() - started, b""


def answers(html, rng, contact):
    """What a respondent sends: every choice of the page, picked at random (a few programmes never
    used, a few statements "never used")."""
    token = re.search(r'name="token" value="([^"]+)"', html).group(1)
    kecamatan = re.findall(r'<option value="(\d+)"', html)
    radios = {}
    for name, value in re.findall(r'type="radio" name="([^"]+)" value="([^"]+)"', html):
        radios.setdefault(name, []).append(html_module.unescape(value))
    data = [("token", token), ("kecamatan", rng.choice(kecamatan)), ("contact", contact)]
    for name, values in radios.items():
        if name.startswith("u"):
            data.append((name, rng.choices(values, weights=[1, 3, 6, 6])[0]))
        elif name.startswith("r"):
            data.append((name, rng.choices(values, weights=[1, 2, 4, 8, 6, 1])[0]))
        else:
            data.append((name, rng.choice(values)))
    return token, data


def nonce_of(token):
    """The nonce inside a signed token (django.core.signing: base64 JSON, then the signature)."""
    payload = token.split(":")[0]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))["n"]


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.get, self.post = [], []
        self.failures = []  # (what, status)
        self.saved_nonces = []

    def add(self, kind, seconds, ok, what):
        with self.lock:
            (self.get if kind == "GET" else self.post).append(seconds)
            if not ok:
                self.failures.append(what)


def respondent(n, base, form, start_at, args, tally, seed):
    rng = random.Random(seed + n)
    phone = Phone(base, f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256 or 1}", args.timeout)
    time.sleep(max(0.0, start_at - time.monotonic()))
    path = f"/s/{form['token']}/"
    status, seconds, body = phone.request(path)
    tally.add("GET", seconds, status == 200, f"GET #{n}: {status}")
    if status != 200:
        return
    contact = f"0812{n:08d}" if n % 2 else ""
    token, data = answers(body.decode(), rng, contact)
    time.sleep(rng.uniform(args.think / 2, args.think * 1.5))  # reading and tapping
    status, seconds, body = phone.request(path, data)
    ok = status == 302
    refusal = re.search(rb'<p class="(?:note bad|err)"[^>]*>([^<]*)', body) if not ok else None
    tally.add("POST", seconds, ok, f"POST #{n}: {status} {refusal.group(1).decode() if refusal else ''}".strip())
    if ok:
        with tally.lock:
            tally.saved_nonces.append(nonce_of(token))


def verify(db_url, tally, respondents, forms):
    import psycopg2  # noqa: PLC0415  (installed with the app's requirements; bench_load checked it)

    problems = []
    with psycopg2.connect(db_url) as conn, conn.cursor() as cursor:
        cursor.execute("SELECT nonce FROM evaluations_surveyresponse")
        stored = {row[0] for row in cursor.fetchall()}
        cursor.execute(
            "SELECT count(*) FROM evaluations_programmeuse u JOIN evaluations_surveyresponse r ON r.id = u.response_id"
        )
        uses = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM evaluations_surveyrating")
        ratings = cursor.fetchone()[0]
        cursor.execute(
            "SELECT count(*) FROM evaluations_surveyresponse "
            "WHERE contact_hash <> '' AND contact_hash !~ '^[0-9a-f]{64}$'"
        )
        clear_contacts = cursor.fetchone()[0]
    lost = [nonce for nonce in tally.saved_nonces if nonce not in stored]
    if lost:
        problems.append(f"{len(lost)} acknowledged responses missing from the database")
    if len(stored) != respondents:
        problems.append(f"{len(stored)} responses stored, {respondents} expected")
    if uses != 3 * len(stored) or ratings != 9 * len(stored):
        problems.append(f"{uses} programme uses and {ratings} ratings for {len(stored)} responses (3 and 9 each)")
    if clear_contacts:
        problems.append(f"{clear_contacts} contacts stored in clear")
    if tally.failures:
        problems.append(f"{len(tally.failures)} failed requests, e.g. {tally.failures[:5]}")
    return stored, uses, ratings, problems


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--respondents", type=int, default=300, help="simulated phones (default 300)")
    parser.add_argument("--window", type=float, default=120, help="seconds over which they start (default 120)")
    parser.add_argument("--think", type=float, default=4, help="mean seconds between GET and POST (default 4)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers (default 4)")
    parser.add_argument("--timeout", type=float, default=30, help="seconds before a request counts as failed")
    parser.add_argument("--seed", type=int, default=15, help="random seed of the answers and start times")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"),
        help="a local PostgreSQL account that may create databases (env BENCH_PG_URL)",
    )
    parser.add_argument("--database", default="smartcity_bench_survey", help="dropped and recreated")
    parser.add_argument(
        "--redis-url", default="", help="shared cache for the rate counts, e.g. redis://127.0.0.1:6379/13"
    )
    args = parser.parse_args()
    if not (1 <= args.respondents <= MAX_RESPONDENTS and 0 < args.window <= MAX_WINDOW and 0 <= args.think <= 60):
        parser.error(f"--respondents 1..{MAX_RESPONDENTS}, --window 0..{MAX_WINDOW}, --think 0..60")
    if args.redis_url and urllib.parse.urlsplit(args.redis_url).hostname not in LOCAL_HOSTS:
        parser.error("--redis-url must point to 127.0.0.1")

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    workdir = Path(tempfile.mkdtemp(prefix="smartcity-bench-survey-"))
    log_path = workdir / "gunicorn.log"
    process = None
    try:
        db_url = database_urls(args.pg_url, args.database)
        print(f"PostgreSQL: recreating {args.database} ...", flush=True)
        recreate_database(args.pg_url, args.database)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        # Behind a pretend proxy on 127.0.0.1: each phone's X-Forwarded-For is its address.
        env = dict(server_env(args, db_url, port, workdir / "uploads"), BEHIND_PROXY="1", PROXY_TRUSTED_IPS="127.0.0.1")
        print(f"gunicorn: {args.workers} workers, production settings, {base} ...", flush=True)
        with open(log_path, "w") as log:
            process = subprocess.Popen(
                ["bash", "scripts/serve.sh"], cwd=ROOT, env=env, stdout=log, stderr=log, start_new_session=True
            )
        wait_until_up(base, process, log_path)
        manage(env, "loaddata", *FIXTURES, "-v0")
        output = manage(env, "shell", "-c", SETUP_CODE)
        forms = json.loads(next(line for line in output.splitlines() if line.startswith("BENCH_JSON "))[11:])["forms"]
        status = run(args, base, forms, db_url)
        if status:
            print(f"gunicorn log (last lines):\n{tail(log_path)}")
        return status
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


def run(args, base, forms, db_url):
    rng = random.Random(args.seed)
    tally = Tally()
    begin = time.monotonic() + 1
    starts = sorted(begin + rng.uniform(0, args.window) for _ in range(args.respondents))
    print(
        f"{args.respondents} respondents over {len(forms)} pillar forms, starting within {args.window:.0f} s, "
        f"~{args.think:.0f} s between loading and sending ...",
        flush=True,
    )
    threads = [
        threading.Thread(
            target=respondent, args=(n, base, forms[n % len(forms)], start, args, tally, args.seed), daemon=True
        )
        for n, start in enumerate(starts)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=args.window + args.think * 2 + 4 * args.timeout)
    elapsed = time.monotonic() - begin
    stored, uses, ratings, problems = verify(db_url, tally, args.respondents, forms)
    print(f"\ndone in {elapsed:.0f} s: {len(stored)} responses stored ({uses} programme uses, {ratings} ratings)")
    print(f"{'request':<8}{'count':>7}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}")
    for name, samples in (("GET", tally.get), ("POST", tally.post)):
        print(
            f"{name:<8}{len(samples):>7}{percentile(samples, 0.5) * 1000:>9.0f}"
            f"{percentile(samples, 0.95) * 1000:>9.0f}{max(samples, default=float('nan')) * 1000:>9.0f}"
        )
    for problem in problems:
        print(f"FAILED: {problem}")
    if not problems:
        print(f"OK: all {args.respondents} acknowledged responses saved, no request failed.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
