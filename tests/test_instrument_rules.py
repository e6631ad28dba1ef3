"""Bringing a period's instrument in line with a file (evaluations/instrument.py): what an import
creates, updates in place and removes, what the period's answers and ratings refuse, and that
nothing is saved when it fails. The file format itself is tests/test_excel_instrument.py; the
dry run and refusals of a period with answers, through the page, tests/test_instrument_changes.py."""

import io
from decimal import Decimal

import pytest

from evaluations.excel.instrument import read_instrument
from evaluations.excel.instrument_export import write_instrument
from evaluations.instrument import InstrumentImportRefused, import_instrument
from evaluations.models import AnswerOption, Assignment, Dimension, EvaluationPeriod, Question, SurveyStatement

from .excel_helpers import answer_all, instrument_file, statements_of, valid_instrument_sheets, with_statements
from .factories import make_impact_survey, make_period, make_survey_response

pytestmark = pytest.mark.django_db


def read(sheets=None, **kwargs):
    return read_instrument(instrument_file(sheets, **kwargs))


def test_a_valid_file_creates_the_instrument_and_question_assignments():
    period = make_period(year=2032)
    plan = read()
    assert plan.counts() == {"dimensi": 2, "indikator": 2, "pertanyaan": 4, "opsi": 7, "rentang": 0}
    import_instrument(plan, period)
    level = Question.objects.get(indicator__dimension__national_id=period.national_id, code="A.1.1")
    assert level.answer_type == "level"
    assert [o.score for o in level.options.all()] == [Decimal(i) for i in range(5)]
    assert level.evidence_required and level.subdimension.code == "GOV-2"
    assert (
        Question.objects.get(indicator__dimension__national_id=period.national_id, code="A.1.2").answer_type == "yesno"
    )
    assert (
        Question.objects.get(indicator__dimension__national_id=period.national_id, code="B.1.2").answer_type == "number"
    )
    assigned = Assignment.objects.filter(period=period, question__code="B.1.1")
    assert sorted(a.agency.abbreviation for a in assigned) == ["DPMPTSP", "Dispar"]


def test_importing_replaces_the_instrument_of_a_period_without_answers():
    period = make_period(year=2033)
    import_instrument(read(), period)
    sheets = valid_instrument_sheets()
    sheets["pertanyaan"] = sheets["pertanyaan"][:2]
    import_instrument(read(sheets), period)
    assert Question.objects.for_period(period).count() == 1


def test_a_file_that_drops_answered_questions_is_refused_naming_them(period, agency_a):
    answer_all(period, agency_a)
    count = Question.objects.for_period(period).count()
    with pytest.raises(InstrumentImportRefused, match="18 pertanyaan yang sudah dijawab") as refused:
        import_instrument(read(), period)
    refusals = {r.code: r.reasons for r in refused.value.diff.refusals}
    assert refusals["A.1.3"] == ["dihapus, padahal sudah dijawab"]
    assert refusals["A.1.2"][0] == "jenis jawaban diubah (Level 0–4 → Ya/Tidak), padahal sudah dijawab"
    assert Question.objects.for_period(period).count() == count


def test_reimporting_the_shipped_instrument_unchanged_changes_nothing():
    shipped = EvaluationPeriod.objects.get(year=2024, stage="1")
    buffer = io.BytesIO()
    write_instrument(shipped, buffer)
    buffer.seek(0)
    diff = import_instrument(read_instrument(buffer), shipped)
    assert diff.is_empty
    assert not shipped.instrument_changes.exists()


def test_nothing_is_saved_when_saving_fails_halfway(monkeypatch):
    period = make_period(year=2034)
    plan = read()

    def explode(*args, **kwargs):
        raise RuntimeError("disk penuh")

    monkeypatch.setattr(AnswerOption.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError):
        import_instrument(plan, period)
    assert not Dimension.objects.filter(national_id=period.national_id).exists()


def test_nothing_is_saved_when_only_the_statements_are_wrong():
    period = make_period(year=2041)
    form_errors = read(with_statements(["GOV.1.1", "GOV", "LIV-1", "Teks", 1]))
    assert not form_errors.is_valid
    with pytest.raises(ValueError):
        import_instrument(form_errors, period)
    assert not Dimension.objects.filter(national_id=period.national_id).exists()
    assert not SurveyStatement.objects.filter(national_id=period.national_id).exists()


def test_an_old_file_without_statements_or_impact_column_leaves_them_as_they_are():
    period = make_period(year=2042)
    sheets = with_statements(["GOV.1.1", "GOV", "GOV-1", "Layanan daring.", 1])
    sheets["pertanyaan"][0].append("survei_dampak")
    sheets["pertanyaan"][1].append("ya")
    import_instrument(read(sheets), period)
    assert (
        Question.objects.get(indicator__dimension__national_id=period.national_id, code="A.1.1").from_impact_survey
        is True
    )

    old = valid_instrument_sheets()
    old["pertanyaan"][1][2] = "Masterplan smart city?"
    plan = read(old)
    assert plan.is_valid and "pernyataan_dampak" not in plan.counts()
    import_instrument(plan, period)
    question = Question.objects.get(indicator__dimension__national_id=period.national_id, code="A.1.1")
    assert (question.text, question.from_impact_survey) == ("Masterplan smart city?", True)
    assert statements_of(period) == [("GOV.1.1", "GOV-1", "Layanan daring.", 1)]


def test_the_survei_dampak_column_sets_and_clears_the_impact_flag():
    period = make_period(year=2043)
    sheets = valid_instrument_sheets()
    sheets["pertanyaan"][0].append("survei_dampak")
    for row, flag in zip(sheets["pertanyaan"][1:], ["ya", "tidak", "", "ya"], strict=True):
        row.append(flag)
    import_instrument(read(sheets), period)
    flagged = Question.objects.for_period(period).filter(from_impact_survey=True).values_list("code", flat=True)
    assert sorted(flagged) == ["A.1.1", "B.1.2"]
    sheets["pertanyaan"][4][-1] = "tidak"
    import_instrument(read(sheets), period)
    assert list(Question.objects.for_period(period).filter(from_impact_survey=True).values_list("code", flat=True)) == [
        "A.1.1"
    ]


def test_statements_are_updated_in_place_and_unrated_ones_removed():
    period = make_period(year=2044)
    import_instrument(
        read(with_statements(["GOV.1.1", "GOV", "GOV-1", "Lama", 1], ["GOV.1.2", "GOV", "GOV-1", "Dihapus", 2])),
        period,
    )
    kept = SurveyStatement.objects.get(national_id=period.national_id, code="GOV.1.1")
    diff = import_instrument(read(with_statements(["GOV.1.1", "GOV", "GOV-1", "Baru", 1])), period)
    assert diff.headline() == "0 ditambahkan, 1 diubah, 1 dihapus"
    assert statements_of(period) == [("GOV.1.1", "GOV-1", "Baru", 1)]
    assert SurveyStatement.objects.get(national_id=period.national_id, code="GOV.1.1").pk == kept.pk


def test_removing_or_moving_a_rated_statement_is_refused(period):
    form = make_impact_survey(period).forms.get(pillar__code="GOV")
    make_survey_response(form, scores=3)
    sheets = with_statements(["GOV.1.1", "GOV", "GOV-2", "Dipindah", 1])
    with pytest.raises(InstrumentImportRefused) as refused:
        import_instrument(read(sheets), period)
    refusals = {r.code: r.reasons for r in refused.value.diff.refusals}
    assert refusals["GOV.1.1"] == ["dipindah ke sub-dimensi lain, padahal sudah dinilai responden"]
    assert refusals["GOV.1.2"] == ["dihapus, padahal sudah dinilai responden"]
    assert "ENV.1.1" not in refusals  # ENV's form has no responses
    assert SurveyStatement.objects.filter(national_id=period.national_id).count() == 54
