"""The workbook's page setup (issue 25): every sheet prints on A4, one page wide, landscape when its
columns are wider than a portrait page, with a table's title and header rows on every page. The
file is opened back with openpyxl."""

import io

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from evaluations.excel.workbook import export_period
from evaluations.excel.writer import PORTRAIT_MAX_WIDTH, WorkbookWriter
from evaluations.models import Submission

from .excel_helpers import answer_all, open_workbook
from .test_excel_workbook import SHEET_NAMES

pytestmark = pytest.mark.django_db

A4 = 9  # the paper size code of A4 in the xlsx format


@pytest.fixture
def book(period, agency_a):
    answer_all(period, agency_a, status=Submission.Status.APPROVED)
    target = io.BytesIO()
    export_period(period, target)
    return open_workbook(target.getvalue())


def columns_width(sheet):
    return sum(sheet.column_dimensions[get_column_letter(i)].width for i in range(1, sheet.max_column + 1))


def test_every_sheet_prints_on_a4_one_page_wide(book):
    assert book.sheetnames == SHEET_NAMES
    for sheet in book:
        setup = sheet.page_setup
        assert int(setup.paperSize) == A4, sheet.title
        assert sheet.sheet_properties.pageSetUpPr.fitToPage, sheet.title
        # One page wide (1, the file format's default when the attribute is left out), as tall as needed.
        assert (int(setup.fitToWidth or 1), int(setup.fitToHeight)) == (1, 0), sheet.title


def test_a_sheet_wider_than_a_portrait_page_prints_in_landscape(book):
    for sheet in book:
        wide = columns_width(sheet) > PORTRAIT_MAX_WIDTH
        assert sheet.page_setup.orientation == ("landscape" if wide else "portrait"), sheet.title
    assert book["Kuesioner"].page_setup.orientation == "landscape"
    assert book["Jawaban per OPD"].page_setup.orientation == "landscape"


def test_every_table_sheet_repeats_its_title_and_header_rows_on_each_page(book):
    for name in SHEET_NAMES[1:]:
        assert book[name].print_title_rows == "$1:$2", name
    assert book["Kuesioner"]["A2"].value == "Dimensi"  # the header row that repeats
    # Ringkasan is a free-form summary, not one table: nothing to repeat.
    assert book["Ringkasan"].print_title_rows is None


def test_a_narrow_table_prints_in_portrait(tmp_path):
    path = tmp_path / "sempit.xlsx"
    writer = WorkbookWriter(str(path))
    sheet = writer.sheet("Sempit")
    sheet.table("Judul", ["Kode", "Nama"], [12, 40])
    sheet.row(["A", "Satu"])
    sheet.finish()
    writer.close()
    narrow = openpyxl.load_workbook(path)["Sempit"]
    assert narrow.page_setup.orientation == "portrait"
    assert narrow.print_title_rows == "$1:$2"
    assert narrow.sheet_properties.pageSetUpPr.fitToPage


def test_a_table_without_widths_is_set_up_from_its_number_of_columns(tmp_path):
    path = tmp_path / "lebar.xlsx"
    writer = WorkbookWriter(str(path))
    sheet = writer.sheet("Lebar")
    sheet.table(None, [f"Kolom {i}" for i in range(12)])
    sheet.finish()
    writer.close()
    wide = openpyxl.load_workbook(path)["Lebar"]
    assert wide.page_setup.orientation == "landscape"
    assert wide.print_title_rows == "$1:$1"
