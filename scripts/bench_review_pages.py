"""Benchmark of the coordinators' pages at scale (run on demand, not in the test suite).

    DATABASE_URL=sqlite:////tmp/bench_review.sqlite3 .venv/bin/python scripts/bench_review_pages.py

Builds a fresh database: one period with 300 questions over the six pillars, 60 agencies each assigned
one pillar (and all its ~50 questions), every agency having answered everything, with evidence and a
comment on each answer; then times the dashboard, one review page and the results page through Django's
test client, with their query counts.
"""

import os
import sys
import time
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smartcity.settings")
os.environ.setdefault("DATABASE_URL", "sqlite:////tmp/bench_review.sqlite3")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth.models import Group, User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

N_AGENCIES, N_QUESTIONS = 60, 300


def build():
    from evaluations import roles
    from evaluations.models import (
        Agency,
        Answer,
        AnswerOption,
        Assignment,
        Dimension,
        EvaluationPeriod,
        Evidence,
        Indicator,
        Question,
        ReviewComment,
        Submission,
    )
    from pillars.models import Pillar

    db = settings.DATABASES["default"]["NAME"]
    if str(db).startswith("/tmp/") and os.path.exists(db):
        os.remove(db)
    call_command("migrate", verbosity=0)
    call_command("loaddata", "fixtures/regions.json", "fixtures/pillars.json", verbosity=0)
    today = timezone.localdate()
    period = EvaluationPeriod.objects.create(
        year=2099, stage="1", name="Benchmark", opens=today, closes=today, status="open"
    )
    pillars = list(Pillar.objects.prefetch_related("subdimensions"))
    dimensions = [
        Dimension.objects.create(
            national_id=period.national_id, code=c, name=f"Dimensi {c}", weight=Decimal(25), order=i
        )
        for i, c in enumerate("ABCD")
    ]
    indicators = [Indicator.objects.create(dimension=d, code=f"{d.code}.1", name="Indikator") for d in dimensions]
    questions = Question.objects.bulk_create(
        Question(
            indicator=indicators[i % 4],
            code=f"Q{i:03d}",
            text=f"Pertanyaan {i}?",
            answer_type="level",
            pillar=pillars[i % 6],
            subdimension=list(pillars[i % 6].subdimensions.all())[i % 3],
            order=i,
        )
        for i in range(N_QUESTIONS)
    )
    options = AnswerOption.objects.bulk_create(
        AnswerOption(question=q, value=str(s), label=f"Level {s}", score=Decimal(s), order=s)
        for q in questions
        for s in range(5)
    )
    option_of = {(o.question_id, int(o.score)): o for o in options}
    agencies = Agency.objects.bulk_create(Agency(name=f"Dinas {i}", abbreviation=f"D{i}") for i in range(N_AGENCIES))
    Assignment.objects.bulk_create(
        Assignment(period=period, agency=a, pillar=pillars[i % 6]) for i, a in enumerate(agencies)
    )
    submissions = Submission.objects.bulk_create(
        Submission(period=period, agency=a, status="submitted" if i % 2 else "draft") for i, a in enumerate(agencies)
    )
    answers = Answer.objects.bulk_create(
        Answer(submission=s, question=q, option=option_of[(q.id, (i + q.order) % 5)], self_score=(i + q.order) % 5)
        for i, s in enumerate(submissions)
        for q in questions
        if q.pillar_id == pillars[i % 6].id
    )
    Evidence.objects.bulk_create(Evidence(answer=a, title="Bukti", url="https://contoh.test/") for a in answers)
    ReviewComment.objects.bulk_create(ReviewComment(answer=a, body="Catatan", visibility="agency") for a in answers)
    user = User.objects.create_user("bench_koordinator", password="x")
    user.groups.add(Group.objects.get(name=roles.COORDINATOR))
    return period, submissions[1], user, len(answers)


def measure(client, path, runs=5):
    client.get(path)  # warm up
    best = None
    for _ in range(runs):
        with CaptureQueriesContext(connection) as ctx:
            start = time.perf_counter()
            response = client.get(path)
            elapsed = time.perf_counter() - start
        assert response.status_code == 200, (path, response.status_code)
        best = elapsed if best is None else min(best, elapsed)
    return best, len(ctx.captured_queries)


def main():
    setup_test_environment()
    started = time.perf_counter()
    period, submission, user, n_answers = build()
    took = time.perf_counter() - started
    print(f"built {N_AGENCIES} agencies × {N_QUESTIONS} questions, {n_answers} answers in {took:.1f}s")
    client = Client()
    client.force_login(user)
    for label, path in [
        ("dashboard", f"/koordinator/?periode={period.pk}"),
        ("review page (1 agency, its ~50 answers)", f"/koordinator/pengisian/{submission.pk}/"),
        ("results", f"/hasil/?periode={period.pk}"),
    ]:
        seconds, queries = measure(client, path)
        print(f"{label}: best of 5 {seconds * 1000:.0f} ms, {queries} queries")


if __name__ == "__main__":
    main()
