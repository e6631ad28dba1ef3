"""The shipped reference data: pillars, sub-dimensions, kecamatan, agencies, the 2024 instrument."""

from decimal import Decimal

import pytest
from django.db.models import Count, Q, Sum

from evaluations.models import Agency, Assignment, Dimension, EvaluationPeriod, Kecamatan, Question, SurveyStatement
from pillars.models import Pillar, SubDimension

pytestmark = pytest.mark.django_db

SUBDIMENSIONS = {
    "GOV": ["Layanan publik", "Kebijakan publik", "Tata kelola birokrasi"],
    "BRA": ["Ekosistem pariwisata", "Platform dan ekosistem bisnis daerah", "Wajah kota"],
    "ECO": ["Ekosistem industri yang berdaya saing", "Kesejahteraan rakyat", "Ekonomi transaksi keuangan"],
    "LIV": ["Harmonisasi tata ruang wilayah", "Prasarana kesehatan", "Sarana telekomunikasi dan transportasi"],
    "SOC": [
        "Interaksi masyarakat yang efisien (komunitas)",
        "Ekosistem belajar yang efisien (pendidikan)",
        "Sistem keamanan masyarakat",
    ],
    "ENV": [
        "Program proteksi lingkungan",
        "Tata kelola sampah dan limbah",
        "Tata kelola energi yang bertanggung jawab",
    ],
}


def instrument():
    return EvaluationPeriod.objects.get_by_natural_key(2024, "1")


def test_the_six_pillars_and_eighteen_subdimensions_are_exactly_as_designed():
    assert list(Pillar.objects.values_list("code", flat=True)) == ["GOV", "BRA", "ECO", "LIV", "SOC", "ENV"]
    for code, names in SUBDIMENSIONS.items():
        assert list(SubDimension.objects.filter(pillar__code=code).values_list("name", flat=True)) == names
    assert not SubDimension.objects.filter(description="").exists()


def test_pillars_and_subdimensions_are_found_by_natural_key():
    assert Pillar.objects.get_by_natural_key("LIV").name == "Smart Living"
    sub = SubDimension.objects.get(name="Prasarana kesehatan")
    assert SubDimension.objects.get_by_natural_key(*sub.natural_key()) == sub


def test_the_eighteen_kecamatan_have_their_kemendagri_codes():
    assert Kecamatan.objects.count() == 18
    assert Kecamatan.objects.get_by_natural_key("64.08.04").name == "Sangatta Utara"
    assert Kecamatan.objects.get_by_natural_key("64.08.18").name == "Long Mesangat"


def test_at_least_thirty_agencies_with_unique_abbreviations():
    assert Agency.objects.count() >= 30
    assert Agency.objects.get_by_natural_key("Diskominfo Staper").kind == Agency.Kind.DINAS
    assert Agency.objects.get_by_natural_key("DLH")


def test_the_2024_instrument_has_four_aspects_weighted_25_each():
    period = instrument()
    dims = Dimension.objects.filter(national_id=period.national_id)
    assert dims.count() == 4
    assert set(dims.values_list("weight", flat=True)) == {Decimal(25)}
    assert dims.aggregate(total=Sum("weight"))["total"] == Decimal(100)
    assert period.weight_errors() == []


def test_the_2024_instrument_has_at_least_48_questions_on_every_subdimension():
    period = instrument()
    assert Question.objects.for_period(period).count() >= 48
    subdimensions = SubDimension.objects.annotate(
        n=Count("questions", filter=Q(questions__indicator__dimension__national_id=period.national_id)),
        delivery=Count(
            "questions",
            filter=Q(
                questions__indicator__dimension__national_id=period.national_id,
                questions__indicator__dimension__code="D",
            ),
        ),
    )
    assert all(s.n >= 1 for s in subdimensions), [s.name for s in subdimensions if not s.n]
    assert all(s.delivery >= 1 for s in subdimensions), [s.name for s in subdimensions if not s.delivery]


def test_every_level_question_has_five_descriptors_and_help_text():
    questions = Question.objects.for_period(instrument())
    for question in questions.filter(answer_type=Question.AnswerType.LEVEL):
        assert list(question.options.values_list("score", flat=True)) == [Decimal(i) for i in range(5)]
        assert all(label.strip() for label in question.options.values_list("label", flat=True))
    assert not questions.filter(help_text="").exists()


def test_every_question_subdimension_belongs_to_its_pillar():
    for question in Question.objects.for_period(instrument()).select_related("subdimension"):
        assert question.subdimension.pillar_id == question.pillar_id, question.code


def test_every_pillar_has_an_agency_assigned_in_2024():
    period = instrument()
    assigned = set(Assignment.objects.filter(period=period).values_list("pillar__code", flat=True))
    assert assigned == {"GOV", "BRA", "ECO", "LIV", "SOC", "ENV"}


def test_the_2024_impact_survey_has_three_statements_on_every_subdimension():
    statements = SurveyStatement.objects.filter(national_id=instrument().national_id).select_related(
        "subdimension__pillar"
    )
    assert statements.count() == 54
    per_subdimension = {}
    for statement in statements:
        per_subdimension.setdefault(statement.subdimension.code, []).append(statement)
    assert set(per_subdimension) == set(SubDimension.objects.values_list("code", flat=True))
    for code, items in per_subdimension.items():
        pillar, number = code.split("-")
        assert [s.code for s in items] == [f"{pillar}.{number}.{n}" for n in (1, 2, 3)]
        assert [s.order for s in items] == [1, 2, 3]
    assert len({s.text for s in statements}) == 54


def test_impact_statements_are_found_by_natural_key():
    statement = SurveyStatement.objects.get_by_natural_key(2024, "1", "GOV.1.1")
    assert statement.subdimension.name == "Layanan publik"
    assert "daring" in statement.text
