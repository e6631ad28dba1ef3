"""The results' figures are cached under a stamp of their inputs (evaluations/results_cache.py): a
change to any input shows on the very next page, and a page asked for again with nothing changed
comes from the cache. Two checks keep the stamp honest: every table the cached computations read
is read by the stamp, and the stamp is one query whatever the number of periods and rows."""

import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations.completion import agency_completion
from evaluations.models import Answer, Dimension, Submission, SurveyForm
from evaluations.results_cache import KINDS, RESULTS_COUNTED, cached_figures, input_stamps
from evaluations.surveys import survey_results

from .factories import (
    assign,
    make_agency,
    make_impact_survey,
    make_mixed_period,
    make_period,
    make_question,
    make_survey_response,
)

pytestmark = pytest.mark.django_db

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture
def mixed(coordinator):
    period = make_mixed_period(year=2061)
    survey = make_impact_survey(period)
    gov = SurveyForm.objects.get(survey=survey, pillar__code="GOV")
    make_survey_response(gov, scores=3)
    make_survey_response(gov, scores=1)
    return period


def pages(client, period):
    """What a coordinator reads of the period: the results page and the dashboard (the tokens of
    their forms differ on every request and are left out)."""
    return [
        CSRF.sub("", client.get(f"{path}?periode={period.pk}").content.decode())
        for path in ("/hasil/", "/koordinator/")
    ]


def change_an_answer(period, coordinator):
    # The returned submission's answer to q2 (self score 3) becomes 1: the provisional index moves.
    answer = Answer.objects.get(submission__period=period, question__code="q2")
    answer.self_score = Decimal(1)
    answer.version += 1
    answer.save()


def change_an_answer_behind_the_apps_back(period, coordinator):
    # SQL typed by hand: no version bump, no updated_at, no history; the database counts it anyway.
    answer = Answer.objects.get(submission__period=period, question__code="q2")
    with connection.cursor() as cursor:
        cursor.execute("UPDATE evaluations_answer SET self_score = 1 WHERE id = %s", [answer.pk])


def verify_an_answer(period, coordinator):
    # The submitted answer to q1 (self 2, verified 1) is verified 3: the provisional index moves.
    Answer.objects.get(
        submission__period=period, submission__status=Submission.Status.SUBMITTED, question__code="q1"
    ).set_verified_score(coordinator, Decimal(3))


def approve_a_submission(period, coordinator):
    Submission.objects.get(period=period, status=Submission.Status.SUBMITTED).approve(
        coordinator, accept_self_scores=True
    )


def change_a_weight(period, coordinator):
    Dimension.objects.filter(national_id=period.national_id, code="A").update(weight=Decimal(50))
    Dimension.objects.filter(national_id=period.national_id, code="B").update(weight=Decimal(50))


def assign_an_agency(period, coordinator):
    assign(period, make_agency(name="Dinas Baru"), "SOC")
    make_question(period, code="q5", pillar="SOC")


def exclude_a_survey_response(period, coordinator):
    response = period.impact_survey.forms.get(pillar__code="GOV").responses.order_by("pk").last()
    response.exclude(coordinator, "Responden tidak memakai program")


CHANGES = [
    change_an_answer,
    change_an_answer_behind_the_apps_back,
    verify_an_answer,
    approve_a_submission,
    change_a_weight,
    assign_an_agency,
    exclude_a_survey_response,
]


@pytest.mark.parametrize("change", CHANGES, ids=lambda change: change.__name__)
def test_each_kind_of_input_changes_the_cached_pages_at_once(as_coordinator, coordinator, mixed, change):
    before = pages(as_coordinator, mixed)
    assert pages(as_coordinator, mixed) == before  # the second time from the cache
    change(mixed, coordinator)
    after = pages(as_coordinator, mixed)
    assert after[0] != before[0], "the results page did not change"
    cache.clear()
    assert pages(as_coordinator, mixed) == after, "the cached page differs from a freshly computed one"


def test_a_verified_score_shows_in_the_provisional_index_on_the_next_page(as_coordinator, coordinator, mixed):
    assert "2,20" in as_coordinator.get(f"/hasil/?periode={mixed.pk}").content.decode()
    verify_an_answer(mixed, coordinator)
    # Provisional A = mean(3, 3) = 3 -> 0.6 x 3 + 0.4 x 2.5 = 2.80.
    page = as_coordinator.get(f"/hasil/?periode={mixed.pk}").content.decode()
    assert "2,80" in page and "2,20" not in page


def test_an_excluded_response_leaves_the_survey_means_on_the_next_page(as_coordinator, coordinator, mixed):
    cached = cached_figures({mixed: ("survey",)})[mixed.pk]["survey"]
    exclude_a_survey_response(mixed, coordinator)
    fresh = cached_figures({mixed: ("survey",)})[mixed.pk]["survey"]
    assert fresh == survey_results(mixed) != cached


def test_figures_computed_while_an_input_changed_are_not_kept_under_the_old_stamp(monkeypatch, mixed):
    """A weight changed (and committed) while the figures were computed, then changed back: the
    page must not show the figures of the state in between."""

    def results_during_a_change(period):
        change_a_weight(period, None)
        return period.results()

    monkeypatch.setitem(KINDS, "results", results_during_a_change)
    first = cached_figures({mixed: ("results",)})[mixed.pk]
    assert first["stamp"] is None
    monkeypatch.undo()
    Dimension.objects.filter(national_id=mixed.national_id, code="A").update(weight=Decimal(60))
    Dimension.objects.filter(national_id=mixed.national_id, code="B").update(weight=Decimal(40))
    assert cached_figures({mixed: ("results",)})[mixed.pk]["results"] == mixed.results() != first["results"]


def test_the_figures_equal_what_they_are_computed_from(mixed):
    figures = cached_figures({mixed: ("results", "survey", "completion")})[mixed.pk]
    again = cached_figures({mixed: ("results", "survey", "completion")})[mixed.pk]
    assert figures["results"] == again["results"] == mixed.results()
    assert again["survey"] == survey_results(mixed)
    assert [(c.agency.pk, c.answered, c.status) for c in again["completion"]] == [
        (c.agency.pk, c.answered, c.status) for c in agency_completion(mixed)
    ]


def test_a_second_read_with_nothing_changed_runs_only_the_stamp(mixed):
    cached_figures({mixed: ("results", "survey", "completion")})
    with CaptureQueriesContext(connection) as queries:
        cached_figures({mixed: ("results", "survey", "completion")})
    assert len(queries) == 1


def test_the_stamp_is_one_query_for_one_period_or_two(mixed):
    other = make_period(year=2062)
    for periods in ([mixed], [mixed, other]):
        with CaptureQueriesContext(connection) as queries:
            stamps = input_stamps(periods)
        assert len(queries) == 1 and set(stamps) == {p.pk for p in periods}


def test_a_period_keeps_its_stamp_when_another_period_changes(mixed, coordinator):
    other = make_mixed_period(year=2063)
    before = input_stamps([mixed, other])
    change_a_weight(other, coordinator)
    after = input_stamps([mixed, other])
    assert after[mixed.pk] == before[mixed.pk] and after[other.pk] != before[other.pk]


TABLE = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"', re.IGNORECASE)


def tables(queries):
    return {name for query in queries for name in TABLE.findall(query["sql"])}


def test_every_table_the_cached_figures_read_is_read_by_the_stamp_or_counted(mixed):
    """Read by the stamp, or counted by the database's triggers (which are installed as listed:
    tests/test_input_counts.py)."""
    with CaptureQueriesContext(connection) as computed:
        for compute in KINDS.values():
            compute(mixed)
    with CaptureQueriesContext(connection) as stamp:
        input_stamps([mixed])
    counted = {apps.get_model(label)._meta.db_table for label, *_ in RESULTS_COUNTED}
    missing = tables(computed.captured_queries) - tables(stamp.captured_queries) - counted
    assert missing == set(), sorted(missing)
    assert "evaluations_inputcount" in tables(stamp.captured_queries)


def test_the_stamp_reads_no_answer_and_no_question(mixed):
    # What made it cost 8 ms at the 60 x 300 scale and 250 ms for 241 regions: now counted.
    with CaptureQueriesContext(connection) as stamp:
        input_stamps([mixed])
    assert not {"evaluations_answer", "evaluations_question"} & tables(stamp.captured_queries)
