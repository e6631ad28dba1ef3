"""The agencies' completion per agency and pillar (evaluations.completion), as the dashboard, the leaders'
home and the workbook read it."""

import pytest

from evaluations.completion import agency_completion
from evaluations.models import Answer, Submission

from .factories import assign, make_agency, make_period, make_question

pytestmark = pytest.mark.django_db


def test_completion_counts_assigned_and_answered_questions_per_agency_and_pillar(agency_a, agency_b):
    period = make_period()
    q1, q2 = make_question(period, pillar="GOV"), make_question(period, pillar="GOV")
    make_question(period, pillar="ENV")
    assign(period, agency_a, "GOV")
    assign(period, agency_a, "ENV")
    assign(period, agency_b, "GOV")
    submission = Submission.objects.create(period=period, agency=agency_a)
    Answer.objects.create(submission=submission, question=q1, option=q1.options.first())
    Answer.objects.create(submission=submission, question=q2, explanation="belum dijawab, hanya penjelasan")
    rows = {row.agency: row for row in agency_completion(period)}
    assert (rows[agency_a].assigned, rows[agency_a].answered, rows[agency_a].percent) == (3, 1, 33)
    assert rows[agency_a].pillars["GOV"].percent == 50
    assert rows[agency_a].status == Submission.Status.DRAFT
    assert (rows[agency_b].assigned, rows[agency_b].answered, rows[agency_b].status) == (2, 0, "not_started")


def test_completion_takes_four_queries_whatever_the_number_of_agencies(django_assert_num_queries):
    period = make_period()
    make_question(period)
    for _ in range(3):
        assign(period, make_agency())
    with django_assert_num_queries(4):
        agency_completion(period)
    for _ in range(30):
        assign(period, make_agency())
    with django_assert_num_queries(4):
        assert len(agency_completion(period)) == 33
