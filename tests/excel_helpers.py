"""Test data for the Excel tests: submissions with every assigned question answered."""

import io
from datetime import date
from decimal import Decimal

import openpyxl

from evaluations.models import Answer, Question, Submission


def answer_all(period, agency, text="Jawaban uji", status=Submission.Status.DRAFT, **submission_fields):
    """A submission of `agency` with every assigned question answered (bulk), typed by kind."""
    submission, _created = Submission.objects.get_or_create(
        period=period, agency=agency, defaults={"status": status, **submission_fields}
    )
    answers = []
    for question in Question.objects.assigned_to(agency, period).prefetch_related("options"):
        answer = Answer(submission=submission, question=question, explanation=f"Penjelasan {question.code}")
        kind = question.answer_type
        if question.uses_options:
            option = list(question.options.all())[-1]
            answer.option, answer.self_score = option, option.score
        elif kind == Question.AnswerType.YES_NO:
            answer.bool_value, answer.self_score = True, Decimal(4)
        elif question.uses_bands:
            answer.number_value = Decimal("12.5")
        elif kind == Question.AnswerType.DATE:
            answer.date_value = date(2024, 3, 1)
        else:
            answer.text_value = text
        answers.append(answer)
    Answer.objects.bulk_create(answers)
    return submission


def open_workbook(content):
    return openpyxl.load_workbook(io.BytesIO(content) if isinstance(content, bytes) else content)


def sheet_rows(sheet):
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def header_index(sheet, header_row=2):
    return {cell.value: i for i, cell in enumerate(sheet[header_row]) if cell.value}


def valid_instrument_sheets():
    """A small valid instrument: two dimensions, one indicator each, a level, a yes/no, a choice
    and a number question."""
    return {
        "dimensi": [["kode", "nama", "bobot"], ["A", "Kebijakan", 40], ["B", "Kelembagaan", 60]],
        "indikator": [["kode", "dimensi", "nama"], ["A.1", "A", "Dokumen"], ["B.1", "B", "Dewan smart city"]],
        "pertanyaan": [
            ["kode", "indikator", "teks", "bantuan", "tipe", "pilar", "subdimensi", "opsi", "wajib_bukti", "opd"],
            ["A.1.1", "A.1", "Masterplan?", "SK Bupati", "level", "GOV", "GOV-2", "tingkat", "ya", "Bappeda"],
            ["A.1.2", "A.1", "Ada perbup?", "", "Ya/Tidak", "GOV", "", "", "tidak", ""],
            ["B.1.1", "B.1", "Koordinasi?", "", "pilihan", "BRA", "", "koordinasi", "", "Dispar, DPMPTSP"],
            ["B.1.2", "B.1", "Jumlah rapat?", "", "angka", "GOV", "", "", "", ""],
        ],
        "opsi": [
            ["daftar", "nilai", "label", "skor"],
            *[["tingkat", i, f"Level {i}", i] for i in range(5)],
            ["koordinasi", "tidak", "Tidak ada", 0],
            ["koordinasi", "rutin", "Rutin", 4],
        ],
    }


def instrument_file(sheets=None, drop_sheet=None):
    """The sheets as .xlsx bytes in a BytesIO with a name, like an upload."""
    sheets = sheets if sheets is not None else valid_instrument_sheets()
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        if name == drop_sheet:
            continue
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "instrumen.xlsx"
    return buffer
