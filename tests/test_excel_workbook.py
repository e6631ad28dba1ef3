"""The evaluation workbook (evaluations/excel): sheets, headers, typed cells, safe text, no
internal comments, and a fixed number of queries whatever the size of the period."""

import io
import zipfile
from datetime import date, datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluations.excel.workbook import export_period, load, write_workbook
from evaluations.excel.writer import safe_text
from evaluations.models import Agency, Answer, Evidence, Question, ReviewComment, Submission
from evaluations.scoring import round_score

from .excel_helpers import answer_all, header_index, open_workbook, sheet_rows
from .factories import (
    assign,
    make_agency,
    make_answer,
    make_mixed_period,
    make_period,
    make_question,
    make_quick_win,
    make_submission,
    upload_all_datasets,
)

pytestmark = pytest.mark.django_db

# period.results() 3 + progress() 4 + dimensions 1 + pillars 1 + evidence 1 + comments 1
# + assignments 1 + questions 1 + answers 1 + quick wins 3 + data-set rows 4
# + derived figures (jalan 2, pendidikan 1, kesehatan 1, transportasi 3)
# + impact survey: statements and forms (survey_results) 2, responses, ratings, programme use 3
EXPORT_QUERIES = 32
SUBMITTED = Submission.Status.SUBMITTED
SHEET_NAMES = [
    "Ringkasan",
    "Kuesioner",
    "Jawaban per OPD",
    "Progres OPD",
    "Quick Wins",
    "Kondisi Jalan",
    "Sarana Pendidikan",
    "Sarana Kesehatan",
    "Sarana Transportasi",
    "Survei Dampak",
    "Responden",
]
DANGEROUS = ['=HYPERLINK("http://x","klik")', "+62 812 3456", "-1+1", "@SUM(A1)", "\tTAB", "\rCR"]


def export(period, by="Rina Koordinator"):
    buffer = io.BytesIO()
    export_period(period, buffer, generated_by=by)
    return open_workbook(buffer.getvalue())


def table_rows(book, name):
    sheet = book[name]
    columns = header_index(sheet)
    return columns, [row for row in sheet_rows(sheet)[2:]]


def kuesioner_rows(book):
    return table_rows(book, "Kuesioner")


def jawaban_rows(book):
    return table_rows(book, "Jawaban per OPD")


def test_the_workbook_has_the_nine_sheets_in_order(period, agency_a):
    answer_all(period, agency_a)
    assert export(period).sheetnames == SHEET_NAMES


def test_the_kuesioner_sheet_has_the_design_columns_under_a_title_row(period, agency_a):
    answer_all(period, agency_a, status=SUBMITTED)
    sheet = export(period)["Kuesioner"]
    assert period.name in sheet["A1"].value
    assert [cell.value for cell in sheet[2]] == [
        "Dimensi",
        "Indikator",
        "Kode pertanyaan",
        "Pertanyaan",
        "Pilar",
        "Sub-dimensi",
        "Skor resmi",
        "Skor sementara",
        "Skor mandiri",
        "OPD ditugaskan",
        "OPD mengirim",
        "OPD disetujui",
        "OPD diverifikasi",
        "Status jawaban",
    ]
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref.startswith("A2:N")
    assert sheet[2][0].font.bold


def test_the_jawaban_per_opd_sheet_has_the_design_columns_under_a_title_row(period, agency_a):
    answer_all(period, agency_a, status=SUBMITTED)
    sheet = export(period)["Jawaban per OPD"]
    assert period.name in sheet["A1"].value
    assert [cell.value for cell in sheet[2]] == [
        "Dimensi",
        "Indikator",
        "Kode pertanyaan",
        "Pertanyaan",
        "Pilar",
        "Sub-dimensi",
        "Perangkat daerah",
        "Jawaban",
        "Skor mandiri",
        "Skor verifikasi",
        "Penjelasan",
        "Bukti dukung",
        "Status",
        "Catatan verifikator",
    ]
    assert sheet.freeze_panes == "A3"
    assert sheet.auto_filter.ref.startswith("A2:N")


def test_the_jawaban_per_opd_sheet_has_one_row_per_handed_in_answer_with_typed_scores(period, agency_a, agency_b):
    answer_all(period, agency_a, status=SUBMITTED)
    answer_all(period, agency_b, status=Submission.Status.APPROVED)
    columns, rows = jawaban_rows(export(period))
    assert len(rows) == Answer.objects.filter(submission__period=period).count()
    level = next(r for r in rows if r[columns["Kode pertanyaan"]] == "A.1.1")
    assert level[columns["Skor mandiri"]] == 4
    assert isinstance(level[columns["Skor mandiri"]], (int, float, Decimal))
    assert level[columns["Perangkat daerah"]] in {agency_a.name, agency_b.name}


def _by_code(book):
    columns, rows = kuesioner_rows(book)
    return columns, {row[columns["Kode pertanyaan"]]: row for row in rows}


def test_the_kuesioner_has_one_row_per_question_of_the_instrument_answered_or_not(period, agency_a):
    answer_all(period, agency_a, status=SUBMITTED)
    columns, rows = kuesioner_rows(export(period))
    instrument = list(Question.objects.for_period(period).values_list("code", flat=True))  # Meta order
    assert [row[columns["Kode pertanyaan"]] for row in rows] == instrument
    assigned_to_a = set(Question.objects.assigned_to(agency_a, period).values_list("code", flat=True))
    unanswered = [row for row in rows if row[columns["Kode pertanyaan"]] not in assigned_to_a]
    assert unanswered
    assert {row[columns["Status jawaban"]] for row in unanswered} == {"Belum dijawab"}
    assert {row[columns["OPD mengirim"]] for row in unanswered} == {0}
    assert {row[columns["Skor sementara"]] for row in unanswered} == {None}


def test_the_kuesioner_consolidates_the_agencies_answers_into_the_mean_of_each_index():
    period = make_period(year=2061)
    question = make_question(period, code="K.1")
    make_question(period, code="K.2")  # nobody answers it
    answers = [  # (status, self, verified)
        (Submission.Status.APPROVED, 4, 1),
        (Submission.Status.APPROVED, 2, None),
        (Submission.Status.SUBMITTED, 3, None),
        (Submission.Status.DRAFT, 0, None),  # never counted
    ]
    for status, score, verified in answers:
        agency = make_agency()
        assign(period, agency, "GOV")
        make_answer(make_submission(period, agency, status=status), question, score=score, verified=verified)
    columns, rows = _by_code(export(period))
    row = rows["K.1"]
    # Official: approved, verified else self: mean(1, 2) = 1.5. Provisional: mean(1, 2, 3) = 2.
    # Self: the agencies' own scores of the handed-in answers: mean(4, 2, 3) = 3.
    assert [row[columns[name]] for name in ("Skor resmi", "Skor sementara", "Skor mandiri")] == [1.5, 2, 3]
    assert [row[columns[name]] for name in ("OPD ditugaskan", "OPD mengirim", "OPD disetujui")] == [4, 3, 2]
    assert row[columns["OPD diverifikasi"]] == 1
    assert row[columns["Status jawaban"]] == "Campuran: Dikirim 1, Disetujui 2"
    empty = rows["K.2"]
    assert [empty[columns[name]] for name in ("Skor resmi", "OPD ditugaskan", "OPD mengirim")] == [None, 4, 0]
    assert empty[columns["Status jawaban"]] == "Belum dijawab"
    score_cell = next(r for r in export(period)["Kuesioner"].iter_rows(min_row=3) if r[2].value == "K.1")[6]
    assert score_cell.number_format == "0.00"


def test_drafts_and_returned_answers_stay_out_of_the_jawaban_per_opd_sheet():
    period = make_mixed_period()
    columns, rows = jawaban_rows(export(period))
    assert [(row[columns["Kode pertanyaan"]], row[columns["Status"]]) for row in rows] == [
        ("q1", "Dikirim"),
        ("q3", "Disetujui"),
        ("q4", "Disetujui"),
    ]
    assert "Sedang diisi" not in {row[columns["Status"]] for row in rows}


def test_the_kuesioner_of_the_mixed_period_shows_each_questions_scores_counts_and_status():
    period = make_mixed_period()
    columns, rows = _by_code(export(period))
    names = ["Skor resmi", "Skor sementara", "Skor mandiri", "OPD ditugaskan", "OPD mengirim", "OPD disetujui"]
    # By hand from tests.factories.make_mixed_period: the draft agency answers q1, q3, q4 but never counts.
    expected = {
        "q1": [None, 1, 2, 3, 1, 0, "Dikirim"],
        "q2": [None, 3, 3, 1, 0, 0, "Dikembalikan"],
        "q3": [2, 2, 4, 2, 1, 1, "Disetujui"],
        "q4": [3, 3, 3, 3, 1, 1, "Disetujui"],
    }
    assert {
        code: [row[columns[name]] for name in names] + [row[columns["Status jawaban"]]] for code, row in rows.items()
    } == expected


def test_a_question_text_that_looks_like_a_formula_stays_text_in_the_kuesioner(period):
    question = Question.objects.for_period(period).first()
    Question.objects.filter(pk=question.pk).update(text='=HYPERLINK("http://x")')
    sheet = export(period)["Kuesioner"]
    cell = next(r for r in sheet.iter_rows(min_row=3) if r[2].value == question.code)[3]
    assert cell.value == '=HYPERLINK("http://x")'
    assert cell.data_type == "s" and cell.quotePrefix


def test_number_and_date_answers_are_typed_cells(period, agency_a):
    answer_all(period, agency_a, status=SUBMITTED)
    columns, rows = jawaban_rows(export(period))
    answers = [r[columns["Jawaban"]] for r in rows]
    assert 12.5 in answers
    dates = [a for a in answers if isinstance(a, datetime)]
    assert dates and dates[0].date() == date(2024, 3, 1)


@pytest.mark.parametrize("text", DANGEROUS)
def test_text_that_looks_like_a_formula_is_kept_as_text(period, agency_a, text):
    submission = answer_all(period, agency_a, status=SUBMITTED)
    answer = submission.answers.first()
    Answer.objects.filter(pk=answer.pk).update(explanation=text, revision_note=text)
    Evidence.objects.create(answer=answer, title=text, url="https://contoh.go.id/bukti")
    buffer = io.BytesIO()
    export_period(period, buffer, generated_by=text)
    book = open_workbook(buffer.getvalue())
    sheet = book["Jawaban per OPD"]
    columns = header_index(sheet)
    expected = safe_text(text)  # the same text; a CR becomes the LF that Excel uses in cells
    cells = [row for row in sheet.iter_rows(min_row=3) if row[columns["Penjelasan"]].value == expected]
    assert len(cells) == 1
    for name in ("Penjelasan", "Catatan verifikator"):
        cell = cells[0][columns[name]]
        assert cell.data_type == "s"
        assert cell.value == expected
        assert cell.quotePrefix or not expected.startswith(("=", "+", "-", "@", "\t"))
    assert cells[0][columns["Bukti dukung"]].value.startswith(expected)
    assert book["Ringkasan"]["B4"].value == expected


def test_no_cell_in_the_workbook_is_a_formula(period, agency_a):
    submission = answer_all(period, agency_a, text="=1+1", status=SUBMITTED)
    Answer.objects.filter(submission=submission).update(explanation="=cmd|' /C calc'!A0")
    book = export(period, by="=HACK()")
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


def test_control_characters_that_xlsx_cannot_hold_are_dropped():
    assert safe_text("a\x00b\x1fc\td") == "abc\td"


def test_carriage_returns_become_the_line_feeds_excel_uses():
    assert safe_text("\rbaris 1\r\nbaris 2") == "\nbaris 1\nbaris 2"


def test_internal_comments_never_reach_the_workbook(period, agency_a, coordinator):
    submission = answer_all(period, agency_a, status=SUBMITTED)
    answer = submission.answers.first()
    ReviewComment.objects.create(answer=answer, author=coordinator, body="Mohon lampirkan SK.")
    ReviewComment.objects.create(
        answer=answer, author=coordinator, body="RAHASIA: OPD ini lambat", visibility=ReviewComment.Visibility.INTERNAL
    )
    book = export(period)
    text = "\n".join(
        str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row if cell
    )
    assert "Mohon lampirkan SK." in text
    assert "RAHASIA" not in text


def test_the_reviewer_note_joins_the_revision_note_and_visible_comments(period, agency_a, coordinator):
    submission = answer_all(period, agency_a, status=SUBMITTED)
    answer = submission.answers.order_by("question__code").first()
    Answer.objects.filter(pk=answer.pk).update(needs_revision=True, revision_note="Perbaiki angka.")
    ReviewComment.objects.create(answer=answer, author=coordinator, body="Lihat Perbup 2023.")
    columns, rows = jawaban_rows(export(period))
    row = next(r for r in rows if r[columns["Kode pertanyaan"]] == answer.question.code)
    assert row[columns["Catatan verifikator"]] == "Perbaiki angka.\nLihat Perbup 2023."
    assert row[columns["Status"]] == "Perlu perbaikan"


def test_the_ringkasan_agrees_with_the_scoring_module(period, agency_a, agency_b):
    # Handed in, not drafts: drafts count in no index.
    answer_all(period, agency_a, status=Submission.Status.APPROVED)
    answer_all(period, agency_b, status=Submission.Status.SUBMITTED)
    Answer.objects.filter(submission__agency=agency_b).update(verified_score=Decimal(2))
    results = period.results()
    rows = sheet_rows(export(period)["Ringkasan"])
    by_label = {row[1]: row for row in rows if len(row) > 1 and row[1]}
    final = by_label["Indeks akhir (Nilai Final)"]
    assert Decimal(str(final[3])) == round_score(results.official.final)
    assert Decimal(str(final[4])) == round_score(results.provisional.final)
    assert Decimal(str(final[5])) == round_score(results.self.final)
    for dimension in period.dimensions.all():
        row = by_label[dimension.name]
        assert Decimal(str(row[2])) == dimension.weight
        assert Decimal(str(row[5])) == round_score(results.self.dimensions[dimension.code])
    governance = by_label["Smart Governance"]
    assert Decimal(str(governance[3])) == round_score(results.official.pillars["GOV"])
    assert Decimal(str(governance[4])) == round_score(results.provisional.pillars["GOV"])


def test_the_ringkasan_shows_the_three_indexes_and_coverage_of_the_results_page(client, leader):
    period = make_mixed_period()
    client.force_login(leader)
    page = client.get(f"/hasil/?periode={period.pk}").content.decode()
    book = export(period)
    sheet = book["Ringkasan"]
    rows = sheet_rows(sheet)
    by_label = {row[1]: row for row in rows if len(row) > 1 and row[1]}
    # The same numbers as the page (tests.factories.make_mixed_period computes them by hand).
    for label, kind, value in [
        ("Indeks resmi (disetujui, skor verifikasi)", "official", 1.0),
        ("Indeks sementara (semua yang dikirim)", "provisional", 2.2),
        ("Indeks penilaian mandiri", "self", 2.9),
    ]:
        assert by_label[label][3] == value
        shown = f"{value:.2f}".replace(".", ",")
        assert f'<p class="display-5 mb-0 final-{kind}">{shown}</p>' in page
    assert by_label["Ditugaskan"][3] == 4
    assert by_label["Dijawab"][3:5] == [4, 1]
    assert by_label["Dikirim"][3:5] == [3, 0.75]
    assert by_label["Disetujui"][3:5] == [2, 0.5]
    assert by_label["Diverifikasi"][3:5] == [2, 0.5]
    assert by_label["Disetujui, dihitung dengan skor mandiri"][3:5] == [1, 0.25]
    header = next(row for row in rows if row[:2] == ["Kode", "Dimensi"])
    assert header[3:15] == [
        "Resmi",
        "Sementara",
        "Mandiri",
        "Ditugaskan",
        "Dijawab",
        "Dijawab (%)",
        "Dikirim",
        "Dikirim (%)",
        "Disetujui",
        "Disetujui (%)",
        "Diverifikasi",
        "Diverifikasi (%)",
    ]
    # Dimension A: official no data (an empty cell, never 0: nothing approved), provisional 2, self 2.5;
    # 2 assigned, 2 answered, 1 submitted, 0 approved, 1 verified.
    assert by_label["Dimensi A"][3:15] == [None, 2, 2.5, 2, 2, 1, 1, 0.5, 0, 0, 1, 0.5]
    assert by_label["Smart Governance"][3:15] == [1.5, 2, 2.5, 2, 2, 1, 2, 1, 1, 0.5, 1, 0.5]
    percent_cell = next(r for r in sheet.iter_rows() if r[1].value == "Dikirim")[4]
    assert percent_cell.number_format == "0%"


def test_the_ringkasan_names_period_time_and_author_and_counts_submissions(period, agency_a, agency_b):
    answer_all(period, agency_a, status=Submission.Status.SUBMITTED, submitted_at=timezone.now())
    rows = sheet_rows(export(period, by="Rina Koordinator")["Ringkasan"])
    by_label = {row[0]: row for row in rows if row[0]}
    assert by_label["Periode"][1] == period.name
    assert isinstance(by_label["Dibuat pada"][1], datetime)
    assert by_label["Dibuat oleh"][1] == "Rina Koordinator"
    assert by_label["Dikirim"][1] == 1
    assert by_label["Belum mulai"][1] == period.assignments.values("agency").distinct().count() - 1
    assert by_label["Jumlah"][1] == period.assignments.values("agency").distinct().count()


def test_the_progres_sheet_has_one_row_per_assigned_agency(period, agency_a):
    submitted = timezone.now()
    answer_all(period, agency_a, status=Submission.Status.SUBMITTED, submitted_at=submitted)
    sheet = export(period)["Progres OPD"]
    columns = header_index(sheet)
    assert list(columns) == [
        "Perangkat daerah",
        "Singkatan",
        "Pilar",
        "Dijawab",
        "Ditugaskan",
        "Selesai (%)",
        "Status",
        "Dikirim pada",
        "Disetujui pada",
        "Disetujui oleh",
        "Persetujuan kedua oleh",
        "Hari terlambat",
    ]
    rows = sheet_rows(sheet)[2:]
    assert len(rows) == period.assignments.values("agency").distinct().count()
    mine = next(r for r in rows if r[0] == agency_a.name)
    assert mine[columns["Pilar"]] == "GOV"
    assert mine[columns["Dijawab"]] == mine[columns["Ditugaskan"]] > 0
    assert mine[columns["Selesai (%)"]] == 100
    assert mine[columns["Status"]] == "Dikirim"
    assert isinstance(mine[columns["Dikirim pada"]], datetime)
    assert mine[columns["Hari terlambat"]] == 0


def test_the_export_runs_the_same_number_of_queries_for_small_and_large_periods(period, agency_a, coordinator):
    answer_all(period, agency_a, status=SUBMITTED)
    with CaptureQueriesContext(connection) as small:
        write_workbook(load(period), io.BytesIO())
    for agency in Agency.objects.filter(assignments__period=period).exclude(pk=agency_a.pk).distinct():
        submission = answer_all(period, agency, status=SUBMITTED)
        for answer in submission.answers.all()[:3]:
            Evidence.objects.create(answer=answer, title="Bukti", url="https://contoh.go.id/b")
            ReviewComment.objects.create(answer=answer, author=coordinator, body="Catatan")
        quick_win = make_quick_win(period, agency, status="berjalan")
        quick_win.supporting_agencies.add(agency_a)
    upload_all_datasets(period, agency_a, copies=20)
    assert (
        Answer.objects.filter(submission__period=period).count()
        > 10 * Answer.objects.filter(submission__agency=agency_a).count()
    )
    with CaptureQueriesContext(connection) as large:
        write_workbook(load(period), io.BytesIO())
    assert len(small) == len(large) == EXPORT_QUERIES


def test_the_saved_file_has_no_formula_element_in_any_sheet(period, agency_a):
    submission = answer_all(period, agency_a, text='=WEBSERVICE("http://x")', status=SUBMITTED)
    Answer.objects.filter(submission=submission).update(explanation="+SUM(1)")
    buffer = io.BytesIO()
    export_period(period, buffer, generated_by="@admin")
    with zipfile.ZipFile(buffer) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        assert len(sheets) == len(SHEET_NAMES)
        for name in sheets:
            xml = archive.read(name).decode()
            assert "<f>" not in xml and "<f " not in xml
        assert "=WEBSERVICE" in "".join(archive.read(name).decode() for name in sheets)


def test_the_quick_wins_sheet_lists_the_agreed_quick_wins_with_their_fields(period, agency_a, agency_b):
    running = make_quick_win(
        period,
        agency_a,
        status="berjalan",
        pillar="GOV",
        name="Portal Satu Data",
        budget=Decimal("150000000"),
        budget_source="apbd",
        target_pct=Decimal(100),
        achievement_pct=Decimal("62.5"),
        users_reached=1200,
        start_year=2022,
        is_new=False,
        risks="=cmd|' /C calc'!A0",
    )
    running.supporting_agencies.add(agency_b)
    make_quick_win(period, agency_b, status="usulan", name="Usulan belum ditetapkan")
    make_quick_win(period, agency_b, status="ditolak", name="Usulan ditolak")
    sheet = export(period)["Quick Wins"]
    columns = header_index(sheet)
    rows = sheet_rows(sheet)[2:]
    assert [r[columns["Nama program"]] for r in rows] == ["Portal Satu Data"]
    row = rows[0]
    assert row[columns["Perangkat daerah pengampu"]] == agency_a.name
    assert row[columns["Perangkat daerah pendukung"]] == agency_b.abbreviation
    assert row[columns["Status"]] == "Berjalan"
    assert row[columns["Anggaran (Rp)"]] == 150000000
    assert row[columns["Capaian (%)"]] == 62.5
    assert row[columns["Tahun mulai"]] == 2022
    assert row[columns["Baru / lanjutan"]] == "Lanjutan"
    assert row[columns["Risiko"]] == "=cmd|' /C calc'!A0"
    assert sheet.cell(row=3, column=columns["Risiko"] + 1).data_type == "s"


def test_the_road_sheet_lists_the_rows_and_jalan_mantap(period, agency_a):
    upload_all_datasets(period, agency_a)
    sheet = export(period)["Kondisi Jalan"]
    rows = sheet_rows(sheet)
    assert rows[1][0] == "Perangkat daerah"
    data = [r for r in rows[2:] if r and r[0] == agency_a.abbreviation]
    assert len(data) == 1
    assert data[0][3] == "Sangatta Utara"
    assert isinstance(data[0][6], (int, float))
    labels = [r[0] for r in rows if r]
    assert "Jalan mantap (baik + sedang) per kecamatan" in labels
    total = next(r for r in rows if r and r[0] == "Seluruh kabupaten")
    assert total[2] == 10 and total[3] == 8 and total[4] == 80


@pytest.mark.parametrize(
    ("sheet_name", "expected"),
    [
        ("Sarana Pendidikan", "SD Negeri 001"),
        ("Sarana Kesehatan", "Puskesmas Uji"),
        ("Sarana Transportasi", "Terminal Uji"),
    ],
)
def test_each_facility_sheet_lists_the_uploaded_rows(period, agency_a, sheet_name, expected):
    upload_all_datasets(period, agency_a)
    rows = sheet_rows(export(period)[sheet_name])
    assert any(expected in [c for c in r if isinstance(c, str)] for r in rows[2:])
