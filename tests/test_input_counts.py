"""The database counts every change to the results' inputs (evaluations/input_counts.py): whoever
writes a row (a model's save, a queryset's update, the cascade of a deletion, SQL typed by hand), its
owner's count moves, and the results' stamp with it."""

from decimal import Decimal

import pytest
from django.db import connection

from evaluations import input_counts
from evaluations.models import Agency, Answer, Dimension, EvaluationPeriod, Indicator, InputCount, Question
from evaluations.results_cache import RESULTS_COUNTED, input_stamps
from pillars.models import Pillar

from .factories import make_agency, make_mixed_period, make_period, make_question, make_region

pytestmark = pytest.mark.django_db


def counts():
    return {(row.kind, row.owner): row.changes for row in InputCount.objects.all()}


def moved(before, after):
    return {key for key in after if after[key] != before.get(key)}


@pytest.fixture
def mixed():
    return make_mixed_period(year=2071)


def test_the_database_has_exactly_the_counting_triggers_the_results_cache_lists():
    # A migration that rebuilds a counted table on SQLite (any AlterField) drops its triggers:
    # it must call input_counts.install() again, or this fails.
    assert input_counts.missing_or_changed(RESULTS_COUNTED) == []


def test_an_answer_written_any_way_moves_its_submissions_count(mixed):
    answer = Answer.objects.filter(submission__period=mixed).first()
    key = (InputCount.Kind.SUBMISSION, answer.submission_id)
    writes = [
        lambda: answer.save(),
        lambda: Answer.objects.filter(pk=answer.pk).update(self_score=Decimal(0)),
        lambda: _sql("UPDATE evaluations_answer SET explanation = 'diubah tangan' WHERE id = %s", answer.pk),
        lambda: Answer.objects.filter(pk=answer.pk).delete(),
    ]
    for write in writes:
        before = counts()
        write()
        after = counts()
        assert moved(before, after) == {key} and after[key] > before[key]
    assert InputCount.objects.get(kind=key[0], owner=key[1]).period == mixed.pk


def test_an_edit_of_the_instrument_moves_its_national_periods_count_only(mixed):
    other = make_period(year=2072)
    question = Question.objects.filter(indicator__dimension__national=mixed.national).first()
    before = counts()
    _sql("UPDATE evaluations_question SET text = 'Teks baru' WHERE id = %s", question.pk)
    assert moved(before, counts()) == {(InputCount.Kind.NATIONAL, mixed.national_id)}
    # Moved to the other national period's instrument: both count.
    elsewhere = make_question(other, code="x1").indicator
    before = counts()
    Question.objects.filter(pk=question.pk).update(indicator=elsewhere)
    assert moved(before, counts()) == {
        (InputCount.Kind.NATIONAL, mixed.national_id),
        (InputCount.Kind.NATIONAL, other.national_id),
    }


def test_a_dimension_deleted_with_its_questions_and_answers_is_counted(mixed):
    dimension = Dimension.objects.get(national=mixed.national, code="B")
    before = counts()
    Answer.objects.filter(question__indicator__dimension=dimension).delete()
    dimension.delete()
    after = counts()
    assert (InputCount.Kind.NATIONAL, mixed.national_id) in moved(before, after)
    assert not Indicator.objects.filter(dimension_id=dimension.pk).exists()


def test_an_agency_renamed_moves_each_period_of_its_region_and_no_other():
    make_period(year=2073), make_period(year=2074)
    elsewhere = make_period(year=2073, region=make_region("64.09"))
    agency = make_agency(name="Dinas Lama")
    before = counts()
    Agency.objects.filter(pk=agency.pk).update(name="Dinas Baru")
    own = EvaluationPeriod.objects.filter(region=agency.region).values_list("pk", flat=True)
    assert len(own) >= 2
    assert moved(before, counts()) == {(InputCount.Kind.PERIOD, pk) for pk in own}
    assert (InputCount.Kind.PERIOD, elsewhere.pk) not in counts()


def test_a_pillar_renamed_moves_the_shared_count():
    before = counts()
    Pillar.objects.filter(code="GOV").update(name="Tata Kelola")
    assert moved(before, counts()) == {(InputCount.Kind.SHARED, 0)}


def test_an_answer_changed_behind_the_apps_back_moves_the_stamp(mixed):
    """No version bump, no updated_at: the stamp used to miss such a change."""
    answer = Answer.objects.filter(submission__period=mixed).first()
    before = input_stamps([mixed])[mixed.pk]
    _sql("UPDATE evaluations_answer SET self_score = 0 WHERE id = %s", answer.pk)
    assert input_stamps([mixed])[mixed.pk] != before


def _sql(statement, *params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)
