"""The results page (/hasil/): final index, dimensions, pillars, weakest sub-dimensions, change."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations.models import Dimension

from .factories import assign, make_agency, make_answer, make_period, make_question, make_submission

pytestmark = pytest.mark.django_db
D = Decimal


def _period(year, weights, answers):
    """A period with dimensions {code: weight} and answers [(dimension, pillar, self, verified)]
    given by one agency each."""
    period = make_period(year=year)
    dimensions = {
        code: Dimension.objects.create(period=period, code=code, name=f"Dimensi {code}", weight=D(weight), order=i)
        for i, (code, weight) in enumerate(weights.items())
    }
    agency = make_agency()
    submission = make_submission(period, agency)
    for dimension, pillar, self_score, verified in answers:
        question = make_question(period, pillar=pillar, dimension=dimensions[dimension])
        assign(period, agency, pillar) if not period.assignments.filter(pillar__code=pillar).exists() else None
        make_answer(submission, question, score=self_score, verified=verified)
    return period


@pytest.fixture
def scored(db):
    # Verified: A = mean(3, 2) = 2.5, B = 2 → 0.6 × 2.5 + 0.4 × 2 = 2.3.
    # Self:     A = mean(4, 2) = 3,   B = 1 → 0.6 × 3 + 0.4 × 1 = 2.2.
    return _period(2050, {"A": 60, "B": 40}, [("A", "GOV", 4, 3), ("A", "ECO", 2, None), ("B", "LIV", 1, 2)])


@pytest.fixture
def as_leader(client, leader):
    client.force_login(leader)
    return client


def test_an_operator_gets_403(client_a, period):
    assert client_a.get("/hasil/").status_code == 403


def test_the_final_index_is_shown_self_and_verified_with_a_decimal_comma(as_leader, scored):
    html = as_leader.get(f"/hasil/?periode={scored.pk}").content.decode()
    assert '<p class="display-5 mb-0 final-verified">2,30</p>' in html
    assert '<p class="display-5 mb-0 final-self">2,20</p>' in html


def test_the_dimension_chart_has_a_bar_per_dimension_with_its_value(as_leader, scored):
    response = as_leader.get(f"/hasil/?periode={scored.pk}")
    svg = str(response.context["bar_chart"])
    # Per dimension: verified, self, and the previous period (the shipped 2024 one, unanswered: 0).
    values = re.findall(r'<text class="chart-value"[^>]*>([^<]*)</text>', svg)
    assert values == ["2,50", "3,00", "0,00", "2,00", "1,00", "0,00"]
    html = response.content.decode()
    assert html.count("<svg") == 2
    assert "A. Dimensi A" in html


def test_the_radar_chart_shows_the_six_pillars_with_their_verified_scores(as_leader, scored):
    response = as_leader.get(f"/hasil/?periode={scored.pk}")
    svg = str(response.context["radar_chart"])
    for name in ["Smart Governance", "Smart Branding", "Smart Economy", "Smart Living", "Smart Society"]:
        assert f">{name}</text>" in svg
    values = re.findall(r'<text class="chart-value"[^>]*><title>([^<]*)</title>([^<]*)</text>', svg)
    assert dict(values)["Smart Governance"] == "3,00"
    assert dict(values)["Smart Economy"] == "2,00"
    assert dict(values)["Smart Branding"] == "–"


def test_the_weakest_subdimensions_are_listed_lowest_first(as_leader, scored):
    weakest = as_leader.get(f"/hasil/?periode={scored.pk}").context["weakest"]
    assert [(row["subdimension"].pillar.code, row["verified"]) for row in weakest] == [
        ("ECO", D(2)),
        ("LIV", D(2)),
        ("GOV", D(3)),
    ]


def test_the_change_from_the_previous_period_is_shown(as_leader, scored):
    _period(2049, {"A": 100}, [("A", "GOV", 2, 2)])
    response = as_leader.get(f"/hasil/?periode={scored.pk}")
    html = response.content.decode()
    assert "+0,30 dibanding Periode uji 2049 Tahap 1" in html
    # The previous period is a second series in both charts.
    assert 'class="chart-series-1"' in str(response.context["radar_chart"])
    assert response.context["pillar_rows"][0]["change"] == D(1)


def test_without_a_previous_period_there_is_no_comparison(as_leader, period):
    response = as_leader.get(f"/hasil/?periode={period.pk}")
    assert response.status_code == 200
    assert response.context["before"] is None
    assert "dibanding" not in response.content.decode()


def test_a_period_without_answers_scores_zero(as_leader, period):
    html = as_leader.get("/hasil/").content.decode()
    assert '<p class="display-5 mb-0 final-verified">0,00</p>' in html


def test_the_results_page_runs_a_fixed_number_of_queries(as_leader, scored):
    def count(period):
        with CaptureQueriesContext(connection) as ctx:
            as_leader.get(f"/hasil/?periode={period.pk}")
        return len(ctx.captured_queries)

    bigger = _period(2051, {"A": 50, "B": 50}, [("A", "GOV", i % 5, None) for i in range(20)] + [("B", "ENV", 3, 3)])
    assert count(scored) == count(bigger)
