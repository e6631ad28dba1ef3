"""The results page (/hasil/): final index, dimensions, pillars, weakest sub-dimensions, change."""

import re
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations.models import Dimension, Submission

from .factories import (
    assign,
    make_agency,
    make_answer,
    make_mixed_period,
    make_period,
    make_question,
    make_submission,
)

pytestmark = pytest.mark.django_db
D = Decimal
# With the bell's unread count. Cold: nothing cached yet; warm: this period's and the previous
# one's figures (results, survey) and charts are in the cache.
RESULTS_QUERIES = 21
RESULTS_QUERIES_WARM = 6


def _period(year, weights, answers, status=Submission.Status.APPROVED):
    """A period with dimensions {code: weight} and answers [(dimension, pillar, self, verified)]
    given by one agency, whose submission is approved (drafts count in no index)."""
    period = make_period(year=year)
    dimensions = {
        code: Dimension.objects.create(
            national_id=period.national_id, code=code, name=f"Dimensi {code}", weight=D(weight), order=i
        )
        for i, (code, weight) in enumerate(weights.items())
    }
    agency = make_agency()
    submission = make_submission(period, agency, status=status)
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
    assert '<p class="display-5 mb-0 final-official">2,30</p>' in html
    assert '<p class="display-5 mb-0 final-provisional">2,30</p>' in html
    assert '<p class="display-5 mb-0 final-self">2,20</p>' in html


def _text(html):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_the_three_indexes_are_shown_labelled_with_drafts_left_out(as_leader):
    period = make_mixed_period()
    html = as_leader.get(f"/hasil/?periode={period.pk}").content.decode()
    # Hand-computed in tests.factories.make_mixed_period.
    assert '<p class="display-5 mb-0 final-official">1,00</p>' in html
    assert '<p class="display-5 mb-0 final-provisional">2,20</p>' in html
    assert '<p class="display-5 mb-0 final-self">2,90</p>' in html
    text = _text(html)
    assert "Indeks resmi (disetujui, skor verifikasi) 1,00" in text
    assert "Indeks sementara (semua yang dikirim) 2,20" in text
    assert "Indeks penilaian mandiri 2,90" in text


def test_every_index_is_shown_with_its_coverage(as_leader):
    period = make_mixed_period()
    text = _text(as_leader.get(f"/hasil/?periode={period.pk}").content.decode())
    coverage = "4 pertanyaan ditugaskan: 4 dijawab (100%), 3 dikirim (75%), 2 disetujui (50%), 2 diverifikasi (50%)"
    assert text.count(coverage) == 3
    assert "1 pertanyaan disetujui dihitung dengan skor mandiri (belum diverifikasi)." in text


def test_the_dimension_and_pillar_tables_show_three_scores_and_coverage(as_leader):
    period = make_mixed_period()
    response = as_leader.get(f"/hasil/?periode={period.pk}")
    html = response.content.decode()
    dimension_a = re.search(r'<tr data-dimension="A">.*?</tr>', html, re.S).group(0)
    # Nothing of dimension A is approved: the official index has no data there, not 0.
    assert re.findall(r'class="text-end (?:official|provisional|self)">([^<]*)<', dimension_a) == [
        "–",
        "2,00",
        "2,50",
    ]
    assert "2 pertanyaan ditugaskan: 2 dijawab (100%), 1 dikirim (50%), 0 disetujui (0%), 1 diverifikasi (50%)" in (
        _text(dimension_a)
    )
    governance = re.search(r'<tr data-pillar="GOV">.*?</tr>', html, re.S).group(0)
    assert re.findall(r'class="text-end (?:official|provisional|self)">([^<]*)<', governance) == [
        "1,50",
        "2,00",
        "2,50",
    ]
    assert "2 dijawab (100%), 2 dikirim (100%), 1 disetujui (50%), 1 diverifikasi (50%)" in _text(governance)


def test_the_dimension_chart_has_a_bar_per_dimension_with_its_value(as_leader, scored):
    response = as_leader.get(f"/hasil/?periode={scored.pk}")
    svg = str(response.context["bar_chart"])
    # The previous period is the shipped 2024 one, unanswered: no data, a grey bar saying so.
    values = re.findall(r'<text class="chart-value"[^>]*>([^<]*)</text>', svg)
    # Per dimension: official, provisional, self, and the previous period's official index.
    assert values == ["2,50", "2,50", "3,00", "belum ada data", "2,00", "2,00", "1,00", "belum ada data"]
    assert svg.count('class="chart-bar-nodata"') == 2
    html = response.content.decode()
    assert html[html.index("<main") :].count("<svg") == 2  # the header's bell is an svg too
    assert "A. Dimensi A" in html


def test_the_radar_chart_shows_the_six_pillars_with_their_verified_scores(as_leader, scored):
    response = as_leader.get(f"/hasil/?periode={scored.pk}")
    svg = str(response.context["radar_chart"])
    for name in ["Smart Governance", "Smart Branding", "Smart Economy", "Smart Living", "Smart Society"]:
        # Wrapped onto two lines ("Smart" / "Governance"), the full name as the label's tooltip.
        assert '<text class="chart-label"' in svg and f"<title>{name}</title><tspan" in svg
    values = re.findall(r'<text class="chart-value"[^>]*><title>([^<]*)</title>([^<]*)</text>', svg)
    assert dict(values)["Smart Governance"] == "3,00"
    assert dict(values)["Smart Economy"] == "2,00"
    assert dict(values)["Smart Branding"] == "–"


def test_the_weakest_subdimensions_are_listed_lowest_first(as_leader, scored):
    weakest = as_leader.get(f"/hasil/?periode={scored.pk}").context["weakest"]
    assert [(row["subdimension"].pillar.code, row["official"]) for row in weakest] == [
        ("ECO", D(2)),
        ("LIV", D(2)),
        ("GOV", D(3)),
    ]


def test_the_change_from_the_previous_period_is_shown(as_leader, scored):
    _period(2049, {"A": 100}, [("A", "GOV", 2, 2)])
    response = as_leader.get(f"/hasil/?periode={scored.pk}")
    html = response.content.decode()
    assert "+0,30 dibanding Periode uji 2049 Tahap 1" in html  # official: 2.3 against 2
    # Only the official index is compared: last year's self-assessment (2.2 against 2) is no baseline.
    assert html.count("dibanding Periode uji 2049 Tahap 1") == 1
    official_card = re.search(r'<div class="card h-100 index-official">.*?</div></div>', html, re.S).group(0)
    assert "+0,30 dibanding" in official_card
    # The previous period is a second series in both charts.
    assert 'class="chart-series-1"' in str(response.context["radar_chart"])
    assert response.context["pillar_rows"][0]["change"] == D(1)


def test_without_a_previous_period_there_is_no_comparison(as_leader, period):
    response = as_leader.get(f"/hasil/?periode={period.pk}")
    assert response.status_code == 200
    assert response.context["before"] is None
    assert "dibanding" not in response.content.decode()


def test_a_period_without_answers_shows_no_data_never_zero(as_leader, period):
    html = as_leader.get("/hasil/").content.decode()
    assert (
        '<p class="display-5 mb-0 final-official"><span class="h4 text-body-secondary no-data">belum ada data' in html
    )
    assert "0,00" not in html[html.index("<main") :]


def test_the_results_page_runs_a_fixed_number_of_queries(as_leader, scored):
    def count(period, cold=True):
        if cold:
            cache.clear()
        with CaptureQueriesContext(connection) as ctx:
            as_leader.get(f"/hasil/?periode={period.pk}")
        return len(ctx.captured_queries)

    bigger = _period(2051, {"A": 50, "B": 50}, [("A", "GOV", i % 5, None) for i in range(20)] + [("B", "ENV", 3, 3)])
    connection.features.supports_json_field  # noqa: B018 - SQLite's check, once per connection: not the page's
    # session, user, permissions, periods (the previous one found among them), the stamp of both
    # periods' inputs (results_cache.input_stamps) before and after computing, results() 3, the
    # previous period's results() 3, dimensions, pillars, sub-dimensions, 3 to remember the newly
    # chosen period in the session (the user comes with their agency and region),
    # the impact survey's statements and forms (survey_results, 2)
    # Then the same page again, from the cache: results() twice, survey_results(), the dimensions,
    # pillars and sub-dimensions do not run.
    cold_and_warm = [(count(period), count(period, cold=False)) for period in (scored, bigger)]
    assert cold_and_warm == [(RESULTS_QUERIES, RESULTS_QUERIES_WARM)] * 2
