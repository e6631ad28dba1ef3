"""Concurrent answer saving: nothing lost, no request fails, no silent overwrite.

Run on demand against PostgreSQL (migrated, reference fixtures loaded):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smartcity_filling \
        .venv/bin/python scripts/bench_concurrent_saves.py [--operators 8] [--rounds 20]

It creates a throw-away period (year 2099) with one agency, `--operators` operators and as many
questions, then in each round:
  1. every operator saves a different answer at the same time  -> all must be saved;
  2. every operator saves the SAME answer from the same version -> exactly one is saved, every
     other gets the conflict page (409), and the stored value is the winner's.
Prints counts and timings, then deletes what it created.
"""

import argparse
import http.cookiejar
import logging
import os
import sys
import threading
import time
import types
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from evaluations.models import Agency, Answer, EvaluationPeriod, Question, Submission  # noqa: E402
from evaluations.models.answering import load_section, state_of  # noqa: E402
from tests.factories import PASSWORD, assign, make_agency, make_operator, make_period, make_question  # noqa: E402


def post_for(submission, question, text):
    page = load_section(submission, "X-GOV")
    data = {}
    for q in page.section.questions:
        answer = page.answers.get(q.id)
        data[f"q{q.pk}-version"] = answer.version if answer else 0
        data[f"q{q.pk}-seen"] = state_of(answer)
        data[f"q{q.pk}-value"] = answer.text_value if answer else ""
    data[f"q{question.pk}-value"] = text
    return data


class HttpClient:
    """A logged-in browser-like session against a real server (urllib; redirects not followed)."""

    def __init__(self, base, username):
        self.base = base.rstrip("/")
        self.jar = http.cookiejar.CookieJar()

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *args, **kwargs):
                return None

        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect)
        self.opener.open(self.base + "/akun/masuk/").read()
        status = self.post("/akun/masuk/", {"username": username, "password": PASSWORD}).status_code
        if status != 302:
            raise SystemExit(f"login of {username} failed ({status})")

    def post(self, path, data):
        token = next(c.value for c in self.jar if c.name == "csrftoken")
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(self.base + path, data=body, headers={"Referer": self.base + path})
        try:
            with self.opener.open(request, timeout=60) as response:
                response.read()
                status = response.status
        except urllib.error.HTTPError as error:
            error.read()
            status = error.code
        return types.SimpleNamespace(status_code=status)


def run_parallel(jobs):
    results = [None] * len(jobs)
    barrier = threading.Barrier(len(jobs))

    def worker(i, client, url, data):
        barrier.wait()
        try:
            results[i] = client.post(url, data).status_code
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, *job)) for i, job in enumerate(jobs)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, time.perf_counter() - started


def clean_up():
    # Answers protect their questions: remove submissions (and answers) first.
    Submission.objects.filter(period__year=2099).delete()
    EvaluationPeriod.objects.filter(year=2099).delete()
    User.objects.filter(username__startswith="bench_op_").delete()
    Agency.objects.filter(abbreviation="DUK-BENCH").delete()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--operators", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument(
        "--url", help="a running server on the same database (e.g. gunicorn), instead of in-process clients"
    )
    args = parser.parse_args()
    logging.getLogger("django.request").setLevel(logging.ERROR)  # 409s are expected here
    if connection.vendor != "postgresql":
        print("warning: not PostgreSQL; SQLite serialises writers, the figures mean little", file=sys.stderr)
    clean_up()
    agency = make_agency(name="Dinas Uji Konkurensi", abbreviation="DUK-BENCH")
    period = make_period(2099)
    assign(period, agency, "GOV")
    questions = [
        make_question(period, code=f"C.{i}", answer_type=Question.AnswerType.TEXT) for i in range(args.operators)
    ]
    operators = [make_operator(agency, f"bench_op_{i}") for i in range(args.operators)]
    clients = []
    for user in operators:
        if args.url:
            clients.append(HttpClient(args.url, user.username))
        else:
            client = Client()
            client.force_login(user)
            clients.append(client)
    submission = Submission.start(period, agency)
    url = f"/opd/pengisian/{submission.pk}/bagian/X-GOV/"
    totals = {"saved": 0, "conflict": 0, "failed": 0, "lost": 0, "overwritten": 0}
    timings = []
    try:
        for r in range(args.rounds):
            # 1. different answers at once: every one must be saved.
            jobs = [(clients[i], url, post_for(submission, questions[i], f"r{r}-op{i}")) for i in range(args.operators)]
            codes, took = run_parallel(jobs)
            timings.append(took)
            totals["failed"] += sum(1 for c in codes if c >= 500 or c not in (302, 409))
            stored = dict(Answer.objects.filter(submission=submission).values_list("question_id", "text_value"))
            # A 409 here is allowed only if the post carried stale versions of other answers; the
            # answer the operator changed must still be saved (other answers of a post still save).
            totals["lost"] += sum(1 for i, q in enumerate(questions) if stored.get(q.id) != f"r{r}-op{i}")
            # 2. the same answer from the same version: exactly one winner, the rest conflict.
            target = questions[0]
            jobs = [(clients[i], url, post_for(submission, target, f"same-r{r}-op{i}")) for i in range(args.operators)]
            codes, took = run_parallel(jobs)
            timings.append(took)
            winners = [i for i, c in enumerate(codes) if c == 302]
            totals["saved"] += len(winners)
            totals["conflict"] += sum(1 for c in codes if c == 409)
            totals["failed"] += sum(1 for c in codes if c not in (302, 409))
            value = Answer.objects.get(submission=submission, question=target).text_value
            if len(winners) != 1 or value != f"same-r{r}-op{winners[0]}":
                totals["overwritten"] += 1
        requests = 2 * args.rounds * args.operators
        print(
            f"{requests} concurrent saves by {args.operators} operators in {args.rounds} rounds "
            f"on {connection.vendor}: "
            f"different answers lost={totals['lost']}; same answer: saved={totals['saved']} "
            f"conflicts={totals['conflict']} rounds-with-overwrite={totals['overwritten']}; failed={totals['failed']}; "
            f"median burst {sorted(timings)[len(timings) // 2] * 1000:.0f} ms, max {max(timings) * 1000:.0f} ms"
        )
    finally:
        clean_up()


if __name__ == "__main__":
    main()
