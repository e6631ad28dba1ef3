import random
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from evaluations import scoring
from evaluations.models import Answer, AnswerOption, Dimension, EvaluationPeriod, Submission

from .factories import assign, make_agency, make_answer, make_mixed_period, make_period, make_question, make_submission

pytestmark = pytest.mark.django_db


def test_a_period_whose_weights_do_not_sum_to_100_cannot_open():
    period = make_period(status=EvaluationPeriod.Status.DRAFT)
    Dimension.objects.create(national_id=period.national_id, code="A", name="Kebijakan", weight=Decimal(60))
    Dimension.objects.create(national_id=period.national_id, code="B", name="Program", weight=Decimal(30))
    with pytest.raises(ValidationError) as error:
        period.open()
    assert "100" in str(error.value)
    period.refresh_from_db()
    assert period.status == EvaluationPeriod.Status.DRAFT


def test_a_period_without_questions_cannot_open():
    period = make_period(status=EvaluationPeriod.Status.DRAFT)
    Dimension.objects.create(national_id=period.national_id, code="A", name="Semua", weight=Decimal(100))
    with pytest.raises(ValidationError):
        period.open()


def test_a_period_with_weights_summing_to_100_and_questions_opens():
    period = make_period(status=EvaluationPeriod.Status.DRAFT)
    make_question(period)
    assign(period, make_agency(), "GOV")
    period.open()
    assert EvaluationPeriod.objects.get(pk=period.pk).is_open()


def test_the_database_refuses_a_weight_above_100():
    period = make_period()
    with pytest.raises(IntegrityError):
        Dimension.objects.create(
            national_id=period.national_id, code="A", name="Terlalu berat", weight=Decimal("100.5")
        )


def test_the_database_refuses_two_dimensions_with_one_code_in_a_period():
    period = make_period()
    Dimension.objects.create(national_id=period.national_id, code="A", name="Satu", weight=Decimal(50))
    with pytest.raises(IntegrityError):
        Dimension.objects.create(national_id=period.national_id, code="A", name="Dua", weight=Decimal(50))


def test_the_database_refuses_an_option_score_above_4():
    question = make_question(make_period(), answer_type="choice")
    with pytest.raises(IntegrityError):
        AnswerOption.objects.create(question=question, value="x", label="Terlalu tinggi", score=Decimal("4.5"))


def test_edits_are_accepted_only_while_open_and_before_the_close_date():
    period = make_period(days_left=3)
    assert period.accepts_edits()
    period.closes = period.opens
    assert not period.accepts_edits()
    period = make_period(year=2031, status=EvaluationPeriod.Status.CLOSED)
    assert not period.accepts_edits()


def test_previous_is_the_period_evaluated_just_before():
    first = make_period(year=2030, stage="1")
    second = make_period(year=2030, stage="2")
    third = make_period(year=2031, stage="1")
    assert third.previous() == second
    assert second.previous() == first


def test_a_periods_results_combine_its_instrument_and_answers(agency_a, agency_b):
    period = make_period()
    level = make_question(period, code="L1")
    make_question(period, code="T1", answer_type="text")
    for agency, score, verified in [(agency_a, 4, 2), (agency_b, 2, None)]:
        submission = Submission.objects.create(period=period, agency=agency)
        Answer.objects.create(
            submission=submission,
            question=level,
            option=level.options.get(value=str(score)),
            self_score=score,
            verified_score=verified,
        )
    for submission in Submission.objects.filter(period=period):
        submission.status = Submission.Status.SUBMITTED  # drafts never count: hand them in
        submission.save()
    results = period.results()
    assert results.self.final == Decimal(3)
    assert results.provisional.final == Decimal(2)
    assert results.self.pillars == {"GOV": Decimal(3)}


def test_the_official_index_takes_approved_answers_only_verified_else_self():
    results = make_mixed_period().results()
    # Nothing of A is approved: no data (None), which adds nothing to the final index, as a 0 did.
    assert results.official.dimensions == {"A": None, "B": Decimal("2.5")}
    assert results.official.final == Decimal("1.0")
    assert results.official.pillars["GOV"] == Decimal("1.5")  # q1 not approved: 0; q4 approved self 3


def test_the_provisional_index_takes_every_handed_in_answer_verified_where_verified():
    results = make_mixed_period().results()
    assert results.provisional.dimensions == {"A": Decimal(2), "B": Decimal("2.5")}
    assert results.provisional.final == Decimal("2.2")
    assert results.provisional.pillars["GOV"] == Decimal(2)


def test_the_self_assessment_index_takes_the_agencies_own_scores_of_the_same_answers():
    results = make_mixed_period().results()
    assert results.self.dimensions == {"A": Decimal("2.5"), "B": Decimal("3.5")}
    assert results.self.final == Decimal("2.9")
    assert results.self.pillars == {"GOV": Decimal("2.5"), "ECO": Decimal(3), "LIV": Decimal(4)}


def test_drafts_never_enter_an_index():
    period = make_period()
    question = make_question(period)
    make_answer(make_submission(period, make_agency()), question, score=4, verified=4)
    results = period.results()
    # No handed-in answer: no data in any index, not an index of 0.
    assert (results.official.final, results.provisional.final, results.self.final) == (None, None, None)
    assert results.coverage.total.answered == 0


def _counts(coverage):
    return (
        coverage.assigned,
        coverage.answered,
        coverage.submitted,
        coverage.approved,
        coverage.verified,
        coverage.approved_self,
    )


def test_coverage_counts_questions_in_total_per_dimension_and_per_pillar():
    coverage = make_mixed_period().results().coverage
    assert _counts(coverage.total) == (4, 4, 3, 2, 2, 1)
    assert coverage.total.approved_percent == Decimal(50)
    assert {code: _counts(c) for code, c in coverage.dimensions.items()} == {
        "A": (2, 2, 1, 0, 1, 0),
        "B": (2, 2, 2, 2, 1, 1),
    }
    assert {code: _counts(c) for code, c in coverage.pillars.items()} == {
        "GOV": (2, 2, 2, 1, 1, 1),
        "ECO": (1, 1, 0, 0, 0, 0),
        "LIV": (1, 1, 1, 1, 1, 0),
    }


def test_coverage_leaves_out_questions_no_agency_is_assigned_to():
    period = make_period()
    assigned, unassigned = make_question(period, pillar="GOV"), make_question(period, pillar="ENV")
    assign(period, make_agency(), "GOV")
    submission = make_submission(period, make_agency(), status=Submission.Status.SUBMITTED)
    make_answer(submission, assigned, score=2)
    make_answer(submission, unassigned, score=2)
    assert _counts(period.results().coverage.total) == (1, 1, 1, 0, 0, 0)


def test_a_periods_results_take_three_queries(django_assert_num_queries):
    period = make_period()
    make_question(period)
    with django_assert_num_queries(3):
        period.results()


PILLAR_CODES = ["GOV", "BRA", "ECO", "LIV", "SOC", "ENV"]


def _random_period(rng, year, agencies):
    """A period of random shape: 3 dimensions with uneven 2-decimal weights, level and text questions
    over the six pillars, agencies in every status answering random questions with 2-decimal scores
    (sums a float would get wrong), some verified. Returns the period and what scoring.evaluate
    needs to compute its results independently: questions, answers, weights."""
    period = make_period(year=year)
    split = sorted(rng.sample(range(1, 10000), 2))
    cents = (split[0], split[1] - split[0], 10000 - split[1])
    weights = {code: Decimal(part) / 100 for code, part in zip("ABC", cents, strict=True)}
    assigned_pillars = set(rng.sample(PILLAR_CODES, 4))
    statuses = list(Submission.Status)
    questions, infos = [], []
    for code, weight in weights.items():
        dimension = Dimension.objects.create(
            national_id=period.national_id, code=code, name=f"Dimensi {code}", weight=weight
        )
        for _ in range(rng.randint(3, 6)):
            pillar = rng.choice(PILLAR_CODES)
            level = rng.random() < 0.8
            question = make_question(
                period, pillar=pillar, dimension=dimension, answer_type="level" if level else "text"
            )
            questions.append(question)
            infos.append(
                scoring.QuestionInfo(
                    question.pk, code, pillar, question.subdimension.code, level, pillar in assigned_pillars
                )
            )
    answers = []
    for _ in range(agencies):
        agency = make_agency()
        for pillar in assigned_pillars:
            if rng.random() < 0.5:
                assign(period, agency, pillar)
        submission = make_submission(period, agency, status=rng.choice(statuses))
        for question in rng.sample(questions, rng.randint(0, len(questions))):
            own = Decimal(rng.randint(0, 400)) / 100 if rng.random() < 0.9 else None
            verified = Decimal(rng.randint(0, 400)) / 100 if rng.random() < 0.4 else None
            make_answer(submission, question, score=own, verified=verified)
            answers.append(scoring.AnswerScore(question.pk, own, verified, submission.status))
    return period, infos, answers, weights


@pytest.mark.parametrize("seed", range(4))
def test_the_results_summed_in_sql_equal_the_scoring_functions_on_random_periods(seed):
    rng = random.Random(seed)
    period, questions, answers, weights = _random_period(rng, 2070 + seed, agencies=rng.randint(4, 12))
    assert period.results() == scoring.evaluate(questions, answers, weights)


def test_a_periods_results_take_three_queries_whatever_the_number_of_agencies(django_assert_num_queries):
    rng = random.Random(7)
    small, *_ = _random_period(rng, 2080, agencies=1)
    large, *_ = _random_period(rng, 2081, agencies=15)
    for period in (small, large):
        with django_assert_num_queries(3):
            period.results()


def test_a_question_answered_by_many_agencies_sums_without_losing_a_cent():
    # 31 × 3.37 = 104.47 has five significant digits, one more than an answer's score field holds.
    period = make_period()
    question = make_question(period)
    for _ in range(31):
        submission = make_submission(period, make_agency(), status=Submission.Status.APPROVED)
        make_answer(submission, question, score=Decimal("3.37"))
    assert period.results().official.questions == {question.pk: Decimal("3.37")}
