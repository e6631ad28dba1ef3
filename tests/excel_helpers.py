"""Test data for the Excel tests: submissions with every assigned question answered."""

import io
import zipfile
from datetime import date
from decimal import Decimal

import openpyxl

from evaluations.models import Answer, Question, Submission, SurveyStatement


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


STATEMENT_HEADER = ["kode", "pilar", "subdimensi", "teks", "urutan"]


def with_statements(*rows, header=STATEMENT_HEADER):
    """valid_instrument_sheets() with a pernyataan_dampak sheet of `rows`."""
    sheets = valid_instrument_sheets()
    sheets["pernyataan_dampak"] = [header, *rows]
    return sheets


def statements_of(period):
    return list(
        SurveyStatement.objects.filter(national_id=period.national_id).values_list(
            "code", "subdimension__code", "text", "order"
        )
    )


# --- heavy files: what the reader must refuse early (tests and scripts/bench_bad_files.py) ----
def with_rows(content, part, rows, compresslevel=None):
    """The .xlsx `content` with `rows` (row XML as bytes) appended to the sheet data of `part`,
    written as a stream, so that a file holding a million rows never sits in memory unpacked."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=compresslevel) as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename != part:
                target.writestr(item, data)
                continue
            head, tail = data.split(b"</sheetData>")
            with target.open(part, "w", force_zip64=True) as sheet:
                sheet.write(head)
                batch, size = [], 0
                for row in rows:
                    batch.append(row)
                    size += len(row)
                    if size >= 1024 * 1024:
                        sheet.write(b"".join(batch))
                        batch, size = [], 0
                sheet.write(b"".join(batch) + b"</sheetData>" + tail)
    return out.getvalue()


def _next_row(content, part):
    return zipfile.ZipFile(io.BytesIO(content)).read(part).count(b"<row ") + 1


def million_rows(content, part="xl/worksheets/sheet1.xml", count=1_000_000):
    """`content` plus `count` rows below its last row, one short text cell each: about 5 MB
    packed, 74 MB unpacked."""
    first = _next_row(content, part)
    row = b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>001</t></is></c></row>'
    rows = (row % (n, n) for n in range(first, first + count))
    return with_rows(content, part, rows, compresslevel=1)  # the fastest to write


def huge_cell(content, part="xl/worksheets/sheet1.xml", megabytes=150):
    """`content` plus one row whose second cell holds `megabytes` MiB of text: about 150 KB packed."""
    row = _next_row(content, part)
    block = b"A" * (1024 * 1024)
    start = b'<row r="%d"><c r="B%d" t="inlineStr"><is><t>' % (row, row)
    return with_rows(content, part, (start, *(block for _ in range(megabytes)), b"</t></is></c></row>"))
