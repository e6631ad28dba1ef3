"""The impact survey's scores: statement mean -> sub-dimension mean -> pillar mean on the 0–4
scale, "never used" answers and excluded responses left out, respondents before and after
exclusions (evaluations.survey_scoring, read by surveys.survey_results)."""

from decimal import Decimal

import pytest
from django.utils import timezone

from evaluations import survey_scoring
from evaluations.models import SurveyForm
from evaluations.scoring import round_score
from evaluations.surveys import survey_results

from .factories import make_impact_survey, make_period, make_survey_response

D = Decimal
pytestmark = pytest.mark.django_db


def mean(*values):
    """The plain mean, in the same Decimal arithmetic as the code (sum, then divide)."""
    return sum(values, D(0)) / len(values)


def exclude(response, by=None):
    response.excluded_at = timezone.now()
    response.excluded_by = by
    response.exclusion_reason = "Tidak terkait program"
    response.save()
    return response


@pytest.fixture
def survey(db):
    return make_impact_survey(make_period(year=2031), split=("ECO",))


def form_of(survey, code):
    if "-" in code:
        return SurveyForm.objects.get(survey=survey, subdimension__code=code)
    return SurveyForm.objects.get(survey=survey, pillar__code=code, subdimension__isnull=True)


@pytest.fixture
def answered(survey, coordinator):
    """Four responses on Smart Governance's one form (one excluded), four on Smart Economy's
    three sub-dimension forms (one excluded); scores not given are 3."""
    gov = form_of(survey, "GOV")
    make_survey_response(gov, scores={"GOV-1.1": 4, "GOV-1.2": None})
    make_survey_response(gov, scores=2)
    exclude(make_survey_response(gov, scores=0), by=coordinator)
    make_survey_response(gov, scores={"GOV-1.1": 1, "GOV-1.2": None})
    make_survey_response(form_of(survey, "ECO-1"), scores=4)
    make_survey_response(form_of(survey, "ECO-1"), scores=1)
    make_survey_response(form_of(survey, "ECO-2"), scores=None)  # never used the programme
    exclude(make_survey_response(form_of(survey, "ECO-3"), scores=3), by=coordinator)
    return survey


def test_a_statement_mean_leaves_out_never_used_and_excluded_responses(answered):
    result = survey_results(answered.period)
    statements = {s.tally.code: s for s in result.statements}
    # Kept responses: 4, 2, 1 / never, 2, never / 3, 2, 3 (the excluded one rated 0 everywhere).
    assert statements["GOV-1.1"].mean == D(7) / 3
    assert statements["GOV-1.2"].mean == D(2)
    assert statements["GOV-1.3"].mean == D(8) / 3
    assert (statements["GOV-1.2"].tally.kept_scored, statements["GOV-1.2"].tally.kept_never) == (1, 2)
    assert (statements["GOV-1.2"].tally.all_scored, statements["GOV-1.2"].tally.all_never) == (2, 2)
    # Before exclusions the zeros count: (4 + 2 + 0 + 1) / 4.
    assert statements["GOV-1.1"].mean_before == D(7) / 4


def test_a_sub_dimension_mean_is_the_mean_of_its_statements_means(answered):
    result = survey_results(answered.period)
    gov1 = mean(D(7) / 3, D(2), D(8) / 3)
    assert result.subdimensions["GOV-1"].mean == gov1
    assert round_score(gov1) == D("2.33")
    assert result.subdimensions["GOV-2"].mean == mean(D(8) / 3, D(8) / 3, D(8) / 3)
    assert result.subdimensions["GOV-1"].mean_before == mean(D(7) / 4, D(1), D(2))


def test_a_pillar_mean_is_the_mean_of_its_sub_dimensions_means(answered):
    result = survey_results(answered.period)
    gov1 = mean(D(7) / 3, D(2), D(8) / 3)
    gov2 = mean(D(8) / 3, D(8) / 3, D(8) / 3)
    assert result.pillars["GOV"].mean == mean(gov1, gov2, gov2)
    assert round_score(result.pillars["GOV"].mean) == D("2.56")
    assert result.mean_for("GOV") == result.pillars["GOV"].mean
    assert result.mean_for("GOV", "GOV-1") == gov1


def test_a_split_pillar_leaves_out_sub_dimensions_nobody_scored(answered):
    result = survey_results(answered.period)
    eco = result.pillars["ECO"]
    assert eco.split and not result.pillars["GOV"].split
    assert result.subdimensions["ECO-1"].mean == mean(D("2.5"), D("2.5"), D("2.5"))
    assert result.subdimensions["ECO-2"].mean is None  # every answer "never used"
    assert result.subdimensions["ECO-3"].mean is None  # its only response was excluded
    assert result.subdimensions["ECO-3"].mean_before == D(3)
    assert eco.mean == result.subdimensions["ECO-1"].mean
    assert eco.mean_before == mean(result.subdimensions["ECO-1"].mean, D(3))
    assert result.pillars["BRA"].mean is None  # a form, no response


def test_respondents_are_counted_before_and_after_exclusions(answered):
    result = survey_results(answered.period)
    counts = {code: (g.respondents.total, g.respondents.kept) for code, g in result.subdimensions.items()}
    assert counts["GOV-1"] == counts["GOV-3"] == (4, 3)  # the pillar's one form covers each
    assert counts["ECO-1"] == (2, 2)
    assert counts["ECO-2"] == (1, 1)
    assert counts["ECO-3"] == (1, 0)
    assert (result.pillars["GOV"].respondents.total, result.pillars["GOV"].respondents.kept) == (4, 3)
    assert (result.pillars["ECO"].respondents.total, result.pillars["ECO"].respondents.kept) == (4, 3)
    assert result.pillars["ECO"].respondents.excluded == 1
    assert (result.respondents.total, result.respondents.kept) == (8, 6)


def test_a_period_without_a_survey_has_no_results(db):
    result = survey_results(make_period(year=2032))
    assert not result.exists
    assert result.pillars == {} and result.respondents.total == 0


def test_the_scores_cost_two_queries_whatever_the_number_of_responses(survey, django_assert_num_queries):
    gov = form_of(survey, "GOV")
    for _ in range(5):
        make_survey_response(gov, scores=3)
    with django_assert_num_queries(2):
        small = survey_results(survey.period)
    for n in range(55):
        make_survey_response(form_of(survey, "ECO-1"), scores=n % 5)
    with django_assert_num_queries(2):
        large = survey_results(survey.period)
    assert small.respondents.total == 5 and large.respondents.total == 60


def test_the_plain_functions_weigh_sub_dimensions_alike_whatever_their_respondents():
    def tally(code, sub, total, scored):
        return survey_scoring.StatementTally(
            id=hash(code), code=code, pillar="SOC", subdimension=sub, kept_sum=D(total), kept_scored=scored
        )

    result = survey_scoring.survey_results(
        [tally("S1.1", "SOC-1", 40, 10), tally("S1.2", "SOC-1", 0, 0), tally("S2.1", "SOC-2", 2, 2)],
        [survey_scoring.FormCount("SOC", "SOC-1", total=10, kept=10), survey_scoring.FormCount("SOC", "SOC-2", 2, 2)],
    )
    assert result.subdimensions["SOC-1"].mean == D(4)  # the unscored statement is left out, not 0
    assert result.pillars["SOC"].mean == D("2.5")  # (4 + 1) / 2, not weighted by respondents
    assert survey_scoring.as_score(D(7) / 3) == D("2.33")
