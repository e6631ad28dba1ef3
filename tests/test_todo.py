"""The home page's to-do list of a reviewer (evaluations/todo.py, issue 27): the answers the review
plan gives them that wait on them, per submission and pillar with a count, linked to their queue
filtered; the second sign-off's items stay."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations import roles, todo
from evaluations.models import Question, Submission

from .factories import make_agency, make_answer, make_reviewer, make_submission, make_user, plan_review

pytestmark = pytest.mark.django_db
S = Submission.Status


def questions_of(period, pillar):
    return list(Question.objects.for_period(period).filter(pillar__code=pillar, answer_type="level").order_by("code"))


@pytest.fixture
def coordinator_gov(db):
    return make_user("koordinator_gov", roles.COORDINATOR)


@pytest.fixture
def submitted(period, agency_a):
    """Agency A's submission under review with two GOV answers and one LIV answer, unverified."""
    submission = make_submission(period, agency_a, status=S.SUBMITTED)
    for question in questions_of(period, "GOV")[:2] + questions_of(period, "LIV")[:1]:
        make_answer(submission, question, score=3)
    return submission


def items_of(user, kind="answers"):
    return [item for item in todo.for_user(user) if item.kind == kind]


def test_a_reviewer_sees_the_answers_waiting_on_them_per_submission_and_pillar(
    period, submitted, agency_a, coordinator_gov
):
    plan_review(period, coordinator_gov, "GOV")
    [item] = items_of(coordinator_gov)
    assert item.label == f"Tinjau 2 jawaban {agency_a.name} di pilar Smart Governance"
    gov = questions_of(period, "GOV")[0].pillar_id
    assert item.url == f"/koordinator/antrean/?periode={period.pk}&opd={agency_a.pk}&pilar={gov}"
    assert item.period == period


def test_the_home_page_links_the_item_to_the_filtered_queue(client, period, submitted, agency_a, coordinator_gov):
    plan_review(period, coordinator_gov, "GOV")
    client.force_login(coordinator_gov)
    html = client.get("/").content.decode()
    assert 'class="mb-2 todo-answers"' in html
    assert f"Tinjau 2 jawaban {agency_a.name} di pilar Smart Governance</a>" in html


def test_a_lead_agencys_reviewer_who_is_an_operator_sees_their_answers_too(period, submitted, agency_a, agency_b):
    reviewer = make_reviewer(agency_b, "peninjau_operator", operator=True)
    plan_review(period, reviewer, "LIV")
    [item] = items_of(reviewer)
    assert item.label == f"Tinjau 1 jawaban {agency_a.name} di pilar Smart Living"


def test_verified_answers_and_other_reviewers_pillars_are_not_listed(period, submitted, coordinator_gov):
    plan_review(period, coordinator_gov, "LIV")
    plan_review(period, make_user("koordinator_lain", roles.COORDINATOR), "GOV")
    submitted.answers.filter(question__pillar__code="LIV").update(verified_score=3)
    assert items_of(coordinator_gov) == []


def test_without_a_plan_a_coordinator_keeps_the_submission_items_only(period, submitted, coordinator):
    assert items_of(coordinator) == []
    assert [item.kind for item in todo.for_user(coordinator)] == ["review"]


def test_the_second_signoff_item_stays_and_the_answers_leave(period, submitted, agency_a, coordinator_gov, coordinator):
    plan_review(period, coordinator_gov, "GOV")
    Submission.objects.filter(pk=submitted.pk).update(approved_by=coordinator)
    assert items_of(coordinator_gov) == []
    [signoff] = items_of(coordinator_gov, "signoff")
    assert signoff.label == f"Berikan persetujuan kedua untuk pengisian {agency_a.name}"


def test_a_reviewers_to_do_list_takes_the_same_queries_with_1_and_40_agencies(period, submitted, coordinator_gov):
    plan_review(period, coordinator_gov, "GOV")
    question = questions_of(period, "GOV")[0]

    def count():
        with CaptureQueriesContext(connection) as queries:
            items = items_of(coordinator_gov)
        return len(queries), len(items)

    count()  # the user's groups and permissions, read once and cached
    small = count()
    for _n in range(39):
        make_answer(make_submission(period, make_agency(), status=S.SUBMITTED), question, score=2)
    # open periods, submissions waiting, quick wins, survey forms, the plan's rows, the counts
    assert count() == (small[0], 40) and small == (6, 1)
