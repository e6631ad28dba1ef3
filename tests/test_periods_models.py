from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError

from evaluations.models import Answer, AnswerOption, Dimension, EvaluationPeriod, Submission

from .factories import make_period, make_question

pytestmark = pytest.mark.django_db


def test_a_period_whose_weights_do_not_sum_to_100_cannot_open():
    period = make_period(status=EvaluationPeriod.Status.DRAFT)
    Dimension.objects.create(period=period, code="A", name="Kebijakan", weight=Decimal(60))
    Dimension.objects.create(period=period, code="B", name="Program", weight=Decimal(30))
    with pytest.raises(ValidationError) as error:
        period.open()
    assert "100" in str(error.value)
    period.refresh_from_db()
    assert period.status == EvaluationPeriod.Status.DRAFT


def test_a_period_without_questions_cannot_open():
    period = make_period(status=EvaluationPeriod.Status.DRAFT)
    Dimension.objects.create(period=period, code="A", name="Semua", weight=Decimal(100))
    with pytest.raises(ValidationError):
        period.open()


def test_a_period_with_weights_summing_to_100_and_questions_opens():
    period = make_period(status=EvaluationPeriod.Status.DRAFT)
    make_question(period)
    period.open()
    assert EvaluationPeriod.objects.get(pk=period.pk).is_open()


def test_the_database_refuses_a_weight_above_100():
    period = make_period()
    with pytest.raises(IntegrityError):
        Dimension.objects.create(period=period, code="A", name="Terlalu berat", weight=Decimal("100.5"))


def test_the_database_refuses_two_dimensions_with_one_code_in_a_period():
    period = make_period()
    Dimension.objects.create(period=period, code="A", name="Satu", weight=Decimal(50))
    with pytest.raises(IntegrityError):
        Dimension.objects.create(period=period, code="A", name="Dua", weight=Decimal(50))


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
    results = period.results()
    assert results.self.final == Decimal(3)
    assert results.verified.final == Decimal(2)
    assert results.self.pillars == {"GOV": Decimal(3)}


def test_a_periods_results_take_three_queries(django_assert_num_queries):
    period = make_period()
    make_question(period)
    with django_assert_num_queries(3):
        period.results()
