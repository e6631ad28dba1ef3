"""A new period as a copy of an earlier one (EvaluationPeriod.objects.create_copy), the status
actions (open / close / reopen) and the assignments grid's rules on the model."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from evaluations.models import (
    AdminChange,
    Agency,
    Answer,
    AnswerOption,
    Assignment,
    AssignmentConflict,
    Dimension,
    EvaluationPeriod,
    Indicator,
    Question,
    QuickWin,
    ScoreBand,
    Submission,
    SurveyStatement,
)
from pillars.models import Pillar, SubDimension

from .factories import assign, make_agency, make_answer, make_period, make_question, make_quick_win, make_submission

pytestmark = pytest.mark.django_db

NEW = {"year": 2025, "stage": "1", "name": "Evaluasi Smart City 2025 Tahap I", "opens": date(2025, 5, 1)}
NEW["closes"] = date(2025, 6, 30)

# What makes a row the same in the copy: its fields without ids and the links to its period.
FIELDS = {
    Dimension: ["code", "name", "weight", "order"],
    Indicator: ["dimension__code", "code", "name", "order"],
    Question: [
        "indicator__code",
        "code",
        "text",
        "help_text",
        "answer_type",
        "unit",
        "whole_number",
        "pillar_id",
        "subdimension_id",
        "required",
        "evidence_required",
        "from_impact_survey",
        "order",
    ],
    AnswerOption: ["question__code", "value", "label", "score", "order"],
    ScoreBand: ["question__code", "min_value", "max_value", "score"],
    Assignment: ["agency_id", "pillar_id", "question__code"],
    SurveyStatement: ["subdimension_id", "code", "text", "order"],
}
# The instrument is the period's national period's; the assignments are the region's period's.
PERIOD_PATH = {
    Dimension: "national",
    Indicator: "dimension__national",
    Question: "indicator__dimension__national",
    AnswerOption: "question__indicator__dimension__national",
    ScoreBand: "question__indicator__dimension__national",
    Assignment: "period",
    SurveyStatement: "national",
}


def rows(model, period):
    value = period if model is Assignment else period.national_id
    return sorted(model.objects.filter(**{PERIOD_PATH[model]: value}).values_list(*FIELDS[model]), key=repr)


@pytest.fixture
def source(agency_a, agency_b):
    """The shipped 2024 instrument and assignments, with a question assigned by name, an answer,
    a submission and a quick win."""
    period = EvaluationPeriod.objects.get(year=2024, stage="1")
    Assignment.objects.create(period=period, agency=agency_a, question=Question.objects.for_period(period).first())
    submission = make_submission(period, agency_a)
    make_answer(submission, Question.objects.for_period(period).filter(answer_type="level").first(), score=3)
    make_quick_win(period, agency_a)
    return period


def test_a_copy_has_the_whole_instrument_and_the_assignments_of_its_source(source):
    copy = EvaluationPeriod.objects.create_copy(source, **NEW)
    for model in FIELDS:
        assert rows(model, copy) == rows(model, source), model.__name__
    assert len(rows(Question, copy)) == 62 and len(rows(AnswerOption, copy)) == 202
    assert len(rows(ScoreBand, copy)) == 50 and len(rows(Assignment, copy)) == 36
    assert len(rows(SurveyStatement, copy)) == 54


def test_a_copy_keeps_which_questions_are_filled_from_the_impact_survey(source):
    linked = Question.objects.for_period(source).filter(subdimension__code="GOV-1").first()
    Question.objects.filter(pk=linked.pk).update(from_impact_survey=True)
    copy = EvaluationPeriod.objects.create_copy(source, **NEW)
    assert list(Question.objects.for_period(copy).filter(from_impact_survey=True).values_list("code", flat=True)) == [
        linked.code
    ]


def test_a_copied_question_keeps_every_field_and_its_level_descriptors(source):
    copy = EvaluationPeriod.objects.create_copy(source, **NEW)
    original = Question.objects.for_period(source).filter(answer_type="level").first()
    copied = Question.objects.for_period(copy).get(code=original.code)
    assert copied.pk != original.pk
    assert copied.indicator.dimension.national_id == copy.national_id
    skip = {"id", "indicator"}
    for field in Question._meta.concrete_fields:
        if field.name not in skip:
            assert getattr(copied, field.attname) == getattr(original, field.attname), field.name
    assert list(copied.options.values_list("value", "label", "score")) == list(
        original.options.values_list("value", "label", "score")
    )


def test_a_copy_is_a_draft_with_the_given_dates_and_none_of_the_sources_answers(source):
    copy = EvaluationPeriod.objects.create_copy(source, **NEW)
    assert (copy.status, copy.opens, copy.closes, copy.name) == ("draft", NEW["opens"], NEW["closes"], NEW["name"])
    assert not Submission.objects.filter(period=copy).exists()
    assert not Answer.objects.filter(submission__period=copy).exists()
    assert not QuickWin.objects.filter(period=copy).exists()
    assert Answer.objects.filter(submission__period=source).count() == 1


def test_changing_the_copy_leaves_the_source_as_it_was(source):
    before = {model: rows(model, source) for model in FIELDS}
    copy = EvaluationPeriod.objects.create_copy(source, **NEW)
    Question.objects.for_period(copy).update(text="Diubah")
    AnswerOption.objects.filter(question__indicator__dimension__national_id=copy.national_id).update(label="Diubah")
    Dimension.objects.filter(national_id=copy.national_id).update(weight=Decimal(25))
    Assignment.objects.filter(period=copy).delete()
    assert {model: rows(model, source) for model in FIELDS} == before


def test_a_copy_that_fails_leaves_no_period_behind(source):
    with pytest.raises(Exception):  # noqa: B017, PT011 (the database's own error class)
        EvaluationPeriod.objects.create_copy(source, **{**NEW, "year": 2024})  # 2024 Tahap I exists
    assert EvaluationPeriod.objects.count() == 1
    assert Dimension.objects.count() == 4


def _instrument(period, questions):
    for n in range(questions):
        question = make_question(period, code=f"Q{n}")
        ScoreBand.objects.create(question=question, min_value=0, score=1)
        Assignment.objects.create(period=period, agency=make_agency(), question=question)
        SurveyStatement.objects.create(
            national_id=period.national_id,
            subdimension=SubDimension.objects.first(),
            code=f"S{n}",
            text=f"Pernyataan {n}",
            order=n,
        )
    assign(period, make_agency(), "GOV")


@pytest.mark.parametrize("questions", [1, 30])
def test_copying_takes_the_same_queries_whatever_the_size_of_the_instrument(questions, django_assert_num_queries):
    source = make_period(year=2040)
    _instrument(source, questions)
    # savepoint, national period, 7 reads and 7 bulk inserts, the regions, their periods (one
    # insert), release (SQLite splits an insert only past 999 parameters: about 76 questions or
    # 199 options at once)
    with django_assert_num_queries(19):
        copy = EvaluationPeriod.objects.create_copy(source, **NEW)
    assert Question.objects.for_period(copy).count() == questions
    assert (
        AnswerOption.objects.filter(question__indicator__dimension__national_id=copy.national_id).count()
        == 5 * questions
    )
    assert SurveyStatement.objects.filter(national_id=copy.national_id).count() == questions


# --- status actions -------------------------------------------------------------------------------
@pytest.fixture
def ready():
    period = make_period(year=2041, status=EvaluationPeriod.Status.DRAFT)
    make_question(period, code="G1", pillar="GOV")
    assign(period, make_agency(), "GOV")
    return period


def test_a_period_with_a_question_no_agency_answers_cannot_open(ready):
    make_question(ready, code="E1", pillar="ENV")
    make_question(ready, code="E2", pillar="ENV")
    with pytest.raises(ValidationError) as error:
        ready.open()
    assert error.value.messages == ["Pertanyaan tanpa perangkat daerah yang menjawab: E1, E2."]
    assert EvaluationPeriod.objects.get(pk=ready.pk).is_draft()


def test_a_question_assigned_by_name_counts_as_answered(ready):
    question = make_question(ready, code="E1", pillar="ENV")
    Assignment.objects.create(period=ready, agency=make_agency(), question=question)
    assert ready.unassigned_questions() == []
    ready.open()
    assert EvaluationPeriod.objects.get(pk=ready.pk).is_open()


def test_opening_closing_and_reopening_are_recorded_with_who_did_it(ready, admin_user):
    ready.open(by=admin_user)
    ready.close(by=admin_user)
    ready.reopen(by=admin_user)
    history = AdminChange.objects.of(EvaluationPeriod, ready.pk).order_by("id")
    assert [(c.field, c.old_value, c.new_value, c.actor) for c in history] == [
        ("status", "Draf", "Dibuka", admin_user),
        ("status", "Dibuka", "Ditutup", admin_user),
        ("status", "Ditutup", "Dibuka", admin_user),
    ]


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("open", "open"),
        ("closed", "open"),
        ("draft", "close"),
        ("closed", "close"),
        ("draft", "reopen"),
        ("open", "reopen"),
    ],
)
def test_a_status_action_from_the_wrong_status_is_refused(ready, status, action):
    EvaluationPeriod.objects.filter(pk=ready.pk).update(status=status)
    ready.refresh_from_db()
    with pytest.raises(ValidationError):
        getattr(ready, action)()
    assert EvaluationPeriod.objects.get(pk=ready.pk).status == status


def test_reopening_checks_the_instrument_as_opening_does(ready):
    ready.open()
    ready.close()
    make_question(ready, code="E1", pillar="ENV")
    with pytest.raises(ValidationError):
        ready.reopen()
    assert EvaluationPeriod.objects.get(pk=ready.pk).is_closed()


# --- assignments ---------------------------------------------------------------------------------
def _pillar(code):
    return Pillar.objects.get(code=code)


def test_replacing_assignments_changes_only_the_agencies_given(ready):
    a, b = make_agency(), make_agency()
    assign(ready, a, "GOV")
    assign(ready, b, "ECO")
    question = Question.objects.for_period(ready).get()
    added, removed = ready.replace_assignments({a.pk: ({_pillar("ENV").pk}, {question.pk})}, seen_version=0)
    assert (added, removed) == (2, 1)
    assert set(Assignment.objects.filter(period=ready, agency=a).values_list("pillar__code", "question__code")) == {
        ("ENV", None),
        (None, "G1"),
    }
    assert list(Assignment.objects.filter(period=ready, agency=b).values_list("pillar__code", flat=True)) == ["ECO"]
    assert EvaluationPeriod.objects.get(pk=ready.pk).assignments_version == 1


def test_a_save_from_an_older_version_is_refused_and_changes_nothing(ready):
    a = make_agency()
    ready.replace_assignments({a.pk: ({_pillar("GOV").pk}, set())}, seen_version=0)
    with pytest.raises(AssignmentConflict):
        ready.replace_assignments({a.pk: (set(), set())}, seen_version=0)
    assert Assignment.objects.filter(period=ready, agency=a).count() == 1


def test_saving_what_is_stored_writes_nothing(ready):
    a = make_agency()
    assign(ready, a, "GOV")
    assert ready.replace_assignments({a.pk: ({_pillar("GOV").pk}, set())}, seen_version=7) == (0, 0)
    assert EvaluationPeriod.objects.get(pk=ready.pk).assignments_version == 0


def test_bulk_assigning_a_kind_adds_only_the_missing_active_agencies(ready):
    badan = set(Agency.objects.filter(kind="badan", active=True).values_list("pk", flat=True))
    first = sorted(badan)[0]
    assign(ready, Agency.objects.get(pk=first), "ENV")
    make_agency(kind="badan", active=False)
    added = ready.assign_kind_to_pillar("badan", _pillar("ENV"), seen_version=0)
    assert added == len(badan) - 1
    assert set(Assignment.objects.filter(period=ready, pillar__code="ENV").values_list("agency_id", flat=True)) == badan
