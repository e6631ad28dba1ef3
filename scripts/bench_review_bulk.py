"""Benchmark of the bulk review actions (issue 27; run on demand, not in the test suite).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_bulk \
        .venv/bin/python scripts/bench_review_bulk.py [--answers 300]

Makes a scratch test database (test_<name>, dropped at the end) with the reference data, then
N self-scored answers under review, spread over agencies of 30 answers each, and measures (wall
time and query count):
  - the bulk page listing them (GET, through Django's test client, as a coordinator);
  - accepting their self-scores through the page (the confirmed POST);
  - marking them for revision with one note (evaluations.review_bulk.mark_for_revision);
  - for comparison, the single-answer path (Answer.set_verified_score) once per answer.
Each measurement starts from answers not yet verified nor marked.
"""

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django_scopes import scopes_disabled  # noqa: E402

from evaluations import review_bulk, roles  # noqa: E402
from evaluations.models import Answer, AnswerChange, EvaluationPeriod, Question, Submission, SubmissionEvent  # noqa: E402
from tests.factories import (  # noqa: E402
    load_reference_data,
    make_agency,
    make_answer,
    make_submission,
    make_user,
    open_period,
)

PER_AGENCY = 30


def build(n):
    load_reference_data()
    period = open_period(EvaluationPeriod.objects.get(year=2024, stage="1"))
    questions = list(Question.objects.for_period(period).filter(answer_type="level").order_by("code"))[:PER_AGENCY]
    answers = []
    for i in range((n + PER_AGENCY - 1) // PER_AGENCY):
        submission = make_submission(period, make_agency(f"Dinas Bench {i}", f"DB{i}"), status="submitted")
        for question in questions[: min(PER_AGENCY, n - len(answers))]:
            answers.append(make_answer(submission, question, score=3))
    return period, answers, make_user("bench_koordinator", roles.COORDINATOR)


def reset(period):
    answers = Answer.objects.filter(submission__period=period)
    answers.update(verified_score=None, needs_revision=False, revision_note="")
    SubmissionEvent.objects.filter(submission__period=period).delete()
    AnswerChange.objects.filter(answer__submission__period=period).delete()
    return {a.pk: a.review_stamp for a in answers}


def timed(label, action, n):
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = action()
        elapsed = time.perf_counter() - start
    print(f"{label}: {elapsed * 1000:.0f} ms, {len(queries)} queries ({n} answers)")
    return result


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--answers", type=int, default=300)
    n = parser.parse_args().answers
    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, keepdb=False)
    try:
        with scopes_disabled():
            run(n)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def run(n):
    period, answers, user = build(n)
    print(f"{connection.vendor}: {len(answers)} self-scored answers in {Submission.objects.count()} submissions")
    client = Client()
    client.force_login(user)
    url = f"/koordinator/periode/{period.pk}/verifikasi-massal/"
    client.get(url)  # the session, the user's permissions

    def page():
        response = client.get(url)
        assert response.status_code == 200 and f"{n} jawaban" in response.content.decode()

    timed("bulk page (GET)", page, n)

    stamps = reset(period)
    data = {"action": "terima", "jawaban": [f"{pk}:{s}" for pk, s in stamps.items()], "confirmed": "1"}
    timed("accept self-scores through the page (confirmed POST)", lambda: client.post(url, data), n)
    assert Answer.objects.filter(submission__period=period, verified_score__isnull=False).count() == n

    stamps = reset(period)
    everything = Answer.objects.filter(submission__period=period)
    outcome = timed(
        "accept self-scores (review_bulk.accept_self_scores)",
        lambda: review_bulk.accept_self_scores(everything, stamps, by=user),
        n,
    )
    assert len(outcome.applied) == n

    stamps = reset(period)
    outcome = timed(
        "mark for revision (review_bulk.mark_for_revision)",
        lambda: review_bulk.mark_for_revision(everything, stamps, by=user, note="Lampirkan SK."),
        n,
    )
    assert len(outcome.applied) == n

    reset(period)
    rows = list(Answer.objects.filter(submission__period=period).select_related("submission", "question"))
    timed(
        "single path, one set_verified_score per answer",
        lambda: [a.set_verified_score(user, a.self_score) for a in rows],
        n,
    )


if __name__ == "__main__":
    main()
