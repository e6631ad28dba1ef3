"""The workbook's change stamp (evaluations/results.py, period_change_stamp) covers everything the
workbook shows: each thing a sheet shows is changed in turn (CHANGES, sheet by sheet and column by
column of evaluations/excel/workbook*.py) and each change gives a new stamp, so the workbook job
builds a new file instead of serving the old one. Two checks keep the list honest: every table the
export reads is read by the stamp, and every such table is written by one of the changes."""

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluations import tasks
from evaluations.excel.workbook import export_period
from evaluations.models import (
    Agency,
    AnswerOption,
    Assignment,
    DatasetUpload,
    Dimension,
    Enumerator,
    Evidence,
    Kecamatan,
    Question,
    QuickWinEvidence,
    ReviewComment,
    ScoreBand,
    Submission,
    SurveyForm,
    SurveyProgramme,
    SurveyStatement,
)
from evaluations.results import UPLOADED_ROWS, period_change_stamp
from pillars.models import Pillar, SubDimension

from .excel_helpers import header_index, open_workbook, sheet_rows
from .factories import (
    assign,
    make_answer,
    make_impact_survey,
    make_operator,
    make_period,
    make_question,
    make_quick_win,
    make_submission,
    make_survey_response,
    upload_all_datasets,
)

pytestmark = pytest.mark.django_db


class World:
    """A small period in which every sheet of the workbook has something to show."""

    def __init__(self, coordinator, agency_a, agency_b):
        self.coordinator, self.agency_a, self.agency_b = coordinator, agency_a, agency_b
        self.period = period = make_period(year=2041, name="Periode stempel 2041")
        self.dimension = Dimension.objects.create(
            national_id=period.national_id, code="A", name="Dimensi A", weight=Decimal(100), order=1
        )
        self.level = make_question(period, code="q1", dimension=self.dimension, text="Tingkat layanan?")
        self.indicator = self.level.indicator
        self.number = make_question(
            period, code="q2", indicator=self.indicator, answer_type=Question.AnswerType.NUMBER, text="Berapa?"
        )
        ScoreBand.objects.create(question=self.number, min_value=0, max_value=10, score=2)
        ScoreBand.objects.create(question=self.number, min_value=10, score=4)
        assign(period, agency_a)
        assign(period, agency_b)
        make_operator(agency_a)
        self.submission = make_submission(period, agency_a, status=Submission.Status.SUBMITTED)
        self.answer = make_answer(self.submission, self.level, score=3, explanation="Penjelasan")
        self.number_answer = make_answer(self.submission, self.number, score=2, number_value=Decimal(5))
        self.evidence = Evidence.objects.create(answer=self.answer, title="Bukti", url="https://contoh.id/b")
        ReviewComment.objects.create(answer=self.answer, author=coordinator, body="Lengkapi.")
        approved = make_submission(period, agency_b, status=Submission.Status.APPROVED, approved_at=timezone.now())
        make_answer(approved, self.level, score=2, verified=2)
        self.quick_win = make_quick_win(period, agency_a, status="ditetapkan", name="Layanan daring")
        self.quick_win.supporting_agencies.add(agency_b)
        self.quick_win_evidence = QuickWinEvidence.objects.create(
            quick_win=self.quick_win, title="SK", file="quickwins/sk.pdf", original_name="sk.pdf"
        )
        upload_all_datasets(period, agency_a)
        self.survey = make_impact_survey(period)
        self.form = SurveyForm.objects.get(survey=self.survey, pillar__code="GOV")
        self.enumerator = Enumerator.objects.create(form=self.form, agency=agency_a, name="Budi")
        make_survey_response(self.form, enumerator=self.enumerator)
        self.excluded = make_survey_response(self.form, scores=0)
        self.excluded.exclude(coordinator, "Bukan warga")


@pytest.fixture
def world(coordinator, agency_a, agency_b):
    return World(coordinator, agency_a, agency_b)


def rename(instance, field="name", suffix=" (baru)"):
    setattr(instance, field, getattr(instance, field) + suffix)
    instance.save()


def new_upload(w):
    upload_all_datasets(w.period, w.agency_a, copies=2)


def swap_supporting_agency(w):
    other = Agency.objects.exclude(pk__in=[w.agency_a.pk, w.agency_b.pk]).first()
    w.quick_win.supporting_agencies.set([other])  # the same number of supporting agencies


def add_quick_win_evidence(w):
    QuickWinEvidence.objects.create(quick_win=w.quick_win, title="Laporan", file="quickwins/l.pdf")


def remove_evidence(w):
    Evidence.objects.filter(pk=w.evidence.pk).update(removed_at=timezone.now())


def delete_upload(w):
    DatasetUpload.objects.filter(period=w.period, kind="jalan", deleted_at__isnull=True).latest("pk").delete_by(
        w.coordinator
    )


def set_verified_score(w):
    w.answer.set_verified_score(w.coordinator, Decimal(1))


def mark_for_revision(w):
    w.answer.mark_for_revision(w.coordinator, True, "Tambahkan bukti.")


def add_comment(w):
    w.answer.add_comment(w.coordinator, "Sudah sesuai.", ReviewComment.Visibility.AGENCY)


def change_answer(w, **fields):
    for name, value in fields.items():
        setattr(w.answer, name, value)
    w.answer.save()


def include_again(w):
    w.excluded.include(w.coordinator)


def reassign(w):
    # The same number of assignments, another pillar: "OPD ditugaskan" and the coverage change.
    Assignment.objects.filter(period=w.period, agency=w.agency_b).update(pillar=Pillar.objects.get(code="ECO"))


# What each sheet shows, and a change of it. The sheets are those of excel/workbook.py's SHEETS.
CHANGES = {
    # Ringkasan: the period, the indexes and coverage, the dimensions (weight), the pillars, statuses.
    "period name": lambda w: rename(w.period),
    "period deadline (Hari terlambat)": lambda w: rename(w.period, "closes", timedelta(days=-3)),
    "dimension weight": lambda w: rename(w.dimension, "weight", Decimal(-10)),
    "dimension name": lambda w: rename(w.dimension),
    "pillar name": lambda w: rename(Pillar.objects.get(code="GOV")),
    # Kuesioner: the instrument, its scores and who is assigned.
    "indicator name": lambda w: rename(w.indicator),
    "question code": lambda w: rename(w.level, "code", "b"),
    "question text": lambda w: rename(w.level, "text"),
    "question's sub-dimension": lambda w: _resub(w),
    "sub-dimension name": lambda w: rename(SubDimension.objects.get(pk=w.level.subdimension_id)),
    "option score": lambda w: AnswerOption.objects.filter(question=w.level, order=3).update(score=Decimal("2.5")),
    "score band": lambda w: ScoreBand.objects.filter(question=w.number, min_value=0).update(score=1),
    "assignment": reassign,
    # Jawaban per OPD: each answer's value, scores, explanation, evidence, status and notes.
    "answer option label": lambda w: rename(AnswerOption.objects.get(question=w.level, order=3), "label"),
    "answer value": lambda w: change_answer(w, option=AnswerOption.objects.get(question=w.level, order=4)),
    "self score": lambda w: change_answer(w, self_score=Decimal(1)),
    "explanation": lambda w: change_answer(w, explanation="Penjelasan lain"),
    "verified score": set_verified_score,
    "revision mark": mark_for_revision,
    "agency comment": add_comment,
    "evidence added": lambda w: Evidence.objects.create(answer=w.answer, title="Foto", url="https://contoh.id/f"),
    "evidence removed": remove_evidence,
    "agency name": lambda w: rename(w.agency_a),
    # Progres OPD: abbreviation, dates.
    "agency abbreviation": lambda w: rename(w.agency_a, "abbreviation", "-X"),
    "submitted at": lambda w: rename(w.submission, "submitted_at", timedelta(days=-1)),
    # Quick Wins: every field of the form, the supporting agencies, the evidence.
    "quick win name": lambda w: rename(w.quick_win),
    "quick win assessor notes": lambda w: rename(w.quick_win, "assessor_notes", "Catatan"),
    "quick win supporting agencies": swap_supporting_agency,
    "quick win evidence added": add_quick_win_evidence,
    "quick win evidence removed": lambda w: w.quick_win_evidence.remove(w.coordinator),
    # The four data sets: their rows and the kecamatan names they show.
    "data set uploaded again": new_upload,
    "data set deleted": delete_upload,
    "kecamatan name": lambda w: rename(Kecamatan.objects.order_by("pk").first()),
    # Survei Dampak: the statements and the responses' ratings.
    "statement text": lambda w: rename(
        SurveyStatement.objects.filter(national_id=w.period.national_id).first(), "text"
    ),
    "statement code": lambda w: rename(
        SurveyStatement.objects.filter(national_id=w.period.national_id).first(), "code", "x"
    ),
    "new response": lambda w: make_survey_response(w.form, submitted_at=timezone.now() - timedelta(days=2)),
    # Responden: the programmes, enumerators, exclusions.
    "survey programme name": lambda w: _rename_programme(w),
    "enumerator name": lambda w: rename(w.enumerator),
    "exclusion undone": include_again,
    "exclusion": lambda w: make_survey_response(w.form).exclude(w.coordinator, "Ganda"),
    # Every sheet's statuses (last: the review changes above need the submission under review).
    "submission status": lambda w: w.submission.return_for_revision(w.coordinator, "Perbaiki."),
    # Progres OPD: who signed an approval, and their name.
    "approver": lambda w: Submission.objects.filter(pk=w.submission.pk).update(approved_by=w.coordinator),
    "approver's name": lambda w: rename(w.coordinator, "first_name"),
}


def _resub(w):
    w.level.subdimension = SubDimension.objects.filter(pillar__code="GOV").exclude(pk=w.level.subdimension_id).first()
    w.level.save()


def _rename_programme(w):
    programme = SurveyProgramme.objects.filter(survey=w.survey, subdimension__pillar__code="GOV").first()
    w.survey.set_programme(programme.subdimension, "Mal Pelayanan Publik", programme.agency)


def test_each_thing_the_workbook_shows_gives_a_new_stamp_when_it_changes(world):
    unmoved = []
    for name, change in CHANGES.items():
        before = period_change_stamp(world.period)
        change(world)
        world.period.refresh_from_db()
        if period_change_stamp(world.period) == before:
            unmoved.append(name)
    assert unmoved == [], ", ".join(unmoved)


def test_the_stamp_stays_while_nothing_changes(world):
    assert period_change_stamp(world.period) == period_change_stamp(world.period)


TABLE = re.compile(r'(?:FROM|JOIN)\s+"(\w+)"', re.IGNORECASE)
WRITTEN = re.compile(r'(?:UPDATE|INSERT INTO|DELETE FROM)\s+"(\w+)"', re.IGNORECASE)


def tables(queries, pattern=TABLE):
    return {name for query in queries for name in pattern.findall(query["sql"])}


def test_every_table_the_workbook_reads_is_read_by_the_stamp(world):
    """Or stood for: the data sets' rows by their uploads' rows (results.UPLOADED_ROWS)."""
    with CaptureQueriesContext(connection) as export:
        export_period(world.period, io.BytesIO())
    with CaptureQueriesContext(connection) as stamp:
        period_change_stamp(world.period)
    covered = tables(stamp.captured_queries) | {model._meta.db_table for model in UPLOADED_ROWS}
    missing = tables(export.captured_queries) - covered
    assert missing == set(), sorted(missing)


# The tables the export joins through to reach the survey's responses, showing none of their own
# columns: the form a response came from is shown by its pillar and sub-dimension (pillars_*).
JOINED_ONLY = {"evaluations_impactsurvey", "evaluations_surveyform"}


def test_every_table_the_workbook_reads_is_written_by_one_of_the_changes(world):
    """CHANGES is complete: no table the sheets read goes untried."""
    with CaptureQueriesContext(connection) as export:
        export_period(world.period, io.BytesIO())
    with CaptureQueriesContext(connection) as changes:
        for change in CHANGES.values():
            change(world)
    untried = tables(export.captured_queries) - tables(changes.captured_queries, WRITTEN) - JOINED_ONLY
    assert untried == set(), sorted(untried)


def test_renaming_a_survey_programme_builds_a_new_workbook_with_the_new_name(world, immediate_jobs):
    first = tasks.workbook_job(world.period, world.coordinator)
    assert first.is_done
    _rename_programme(world)
    second = tasks.workbook_job(world.period, world.coordinator)
    assert second.pk != first.pk and second.is_done
    with second.file.open("rb") as handle:
        sheet = open_workbook(handle.read())["Responden"]
    column = header_index(sheet)["Penggunaan program"]
    assert any("Mal Pelayanan Publik" in (row[column] or "") for row in sheet_rows(sheet)[2:])


def test_the_stamp_takes_a_fixed_number_of_queries(world):
    with CaptureQueriesContext(connection) as small:
        period_change_stamp(world.period)
    for _ in range(20):
        make_survey_response(world.form)
    upload_all_datasets(world.period, world.agency_a, copies=30)
    with CaptureQueriesContext(connection) as large:
        period_change_stamp(world.period)
    assert len(small) == len(large)
