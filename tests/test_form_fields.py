"""`|as_field` (evaluations/templatetags/form_fields.py) writes the markup `|as_crispy_field` writes,
for every field of the section page's answer forms: each answer type, empty and answered, with a
typed value that needs escaping, with errors, read-only, and with the coordinator's reply field."""

from datetime import date
from decimal import Decimal

import pytest
from crispy_forms.templatetags.crispy_forms_filters import as_crispy_field, as_crispy_form
from django import forms
from django.test.html import parse_html

from evaluations.forms.answering import AnswerForm
from evaluations.forms.results import DashboardFilterForm
from evaluations.models import AnswerOption, Question
from evaluations.templatetags.form_fields import as_field, as_form
from pillars.models import Pillar

from .factories import make_agency, make_answer, make_question, make_submission

pytestmark = pytest.mark.django_db

TYPES = [choice for choice, _label in Question.AnswerType.choices]
FIELDS = ["value", "explanation", "evidence_title", "evidence_file", "evidence_url", "reply", "version", "seen"]


def same_markup(make_form):
    """Both renderers on fresh forms (crispy adds its classes to the widget it renders)."""
    ours, theirs = make_form(), make_form()
    for name in FIELDS:
        if name not in ours.fields:
            continue
        mine, crispy = str(as_field(ours[name])), str(as_crispy_field(theirs[name]))
        assert parse_html(mine) == parse_html(crispy), f"{name}:\n{mine}\n---\n{crispy}"


@pytest.fixture
def questions(period):
    made = {kind: make_question(period, code=f"T-{kind}", answer_type=kind, help_text="Bantuan") for kind in TYPES}
    AnswerOption.objects.bulk_create(
        AnswerOption(question=made["choice"], value=str(i), label=f"Pilihan <{i}> & co", score=Decimal(i), order=i)
        for i in range(3)
    )
    return made


@pytest.mark.parametrize("kind", TYPES)
def test_an_empty_answer_form_is_written_as_crispy_writes_it(questions, kind):
    same_markup(lambda: AnswerForm(question=questions[kind]))


@pytest.mark.parametrize("kind", TYPES)
def test_an_answered_form_with_a_revision_mark_is_written_as_crispy_writes_it(period, questions, kind):
    question = questions[kind]
    submission = make_submission(period, make_agency())
    values = {
        "number": {"number_value": Decimal("1250.5")},
        "percent": {"number_value": Decimal("75.5")},
        "date": {"date_value": date(2024, 3, 1)},
        "text": {"text_value": 'Ada "kutipan" & <tag>'},
    }
    answer = make_answer(submission, question, score=2 if question.uses_options else None, **values.get(kind, {}))
    answer.explanation = "Penjelasan <b>tebal</b> & lain-lain"
    answer.needs_revision = True
    answer.save()
    same_markup(lambda: AnswerForm(question=question, answer=answer))
    same_markup(lambda: AnswerForm(question=question, answer=answer, read_only=True))


@pytest.mark.parametrize("kind", TYPES)
def test_an_answer_filled_from_the_impact_survey_is_written_as_crispy_writes_it(period, questions, kind):
    """Its value is read-only, with a help text saying where it came from (radio buttons too)."""
    question = questions[kind]
    question.from_impact_survey = True
    question.save()
    answer = make_answer(make_submission(period, make_agency()), question, score=2 if question.uses_options else None)
    assert AnswerForm(question=question, answer=answer)["value"].help_text
    same_markup(lambda: AnswerForm(question=question, answer=answer))
    same_markup(lambda: AnswerForm(question=question))


@pytest.mark.parametrize("kind", TYPES)
def test_a_form_with_errors_is_written_as_crispy_writes_it(questions, kind):
    question = questions[kind]
    prefix = f"q{question.pk}"
    data = {
        f"{prefix}-value": "bukan pilihan <x>",
        f"{prefix}-explanation": "x" * 20000,
        f"{prefix}-evidence_title": "Judul",
        f"{prefix}-evidence_url": "bukan tautan",
        f"{prefix}-version": "-1",
    }

    def bound():
        form = AnswerForm(data, question=question)
        form.is_valid()
        return form

    assert bound().errors
    same_markup(bound)


def test_a_select_with_groups_and_a_widget_class_is_written_as_crispy_writes_it():
    class Form(forms.Form):
        pick = forms.ChoiceField(
            choices=[("", "—"), ("Grup", [("a", "A & B"), ("b", "B")])],
            widget=forms.Select(attrs={"class": "wide"}),
            help_text="Pilih satu",
        )
        note = forms.CharField(required=True, widget=forms.TextInput(attrs={"class": "textinput-lg"}))

    for data in (None, {"pick": "zzz"}):

        def make(data=data):
            form = Form(data)
            if data:
                form.is_valid()
            return form

        ours, theirs = make(), make()
        for name in ("pick", "note"):
            assert parse_html(str(as_field(ours[name]))) == parse_html(str(as_crispy_field(theirs[name])))


@pytest.mark.parametrize("data", [None, {"periode": "x", "pilar": "ZZZ", "status": "nope", "q": "<b>", "urut": "?"}])
def test_the_dashboard_filter_form_is_written_as_crispy_writes_it(period, data):
    pillars = list(Pillar.objects.all())

    def make():
        form = DashboardFilterForm(data, pillars=pillars, periods=[period])
        if data:
            form.is_valid()
        return form

    assert parse_html(str(as_form(make()))) == parse_html(str(as_crispy_form(make())))
