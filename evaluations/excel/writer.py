"""A tiny sheet-writing layer over openpyxl's write-only mode (rows stream to disk, so memory
stays flat however many rows a sheet has).

Every string goes through `safe_text()`: a person may type "=HYPERLINK(...)" or "+62 812..." into
an answer, and openpyxl writes a string starting with "=" as a live formula by default. Here every
string becomes a text cell (data_type "s"); strings starting with = + - @ tab or CR also get Excel's
quotePrefix style, so the cell stays text even when someone edits it in Excel or LibreOffice.
"""

import re
from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Control characters that the xlsx format cannot hold (openpyxl refuses them): dropped.
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
MAX_CELL_TEXT = 32767  # Excel's limit per cell

HEADER_FONT = Font(bold=True, color="FFFFFF")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
TITLE_FONT = Font(bold=True, size=13)
SECTION_FONT = Font(bold=True)
SCORE_FORMAT = "0.00"
PERCENT_FORMAT = "0%"  # a fraction (0.75) shown as 75%
DATE_FORMAT = "DD-MM-YYYY"
DATETIME_FORMAT = "DD-MM-YYYY HH:MM"
# Printing: a sheet whose columns are wider than an A4 page in portrait holds (about 95 character
# widths at the default font, less the margins) prints in landscape; every sheet prints one page
# wide, as many pages tall as it needs, with a table's title and header rows on every page.
PORTRAIT_MAX_WIDTH = 95
DEFAULT_COLUMN_WIDTH = 13  # Excel's default column, with its padding


def safe_text(value):
    """A person-typed string as it may go into a cell: line ends as Excel keeps them (LF; a CR
    would not survive the XML anyway), illegal control characters removed, cut to Excel's cell
    limit. The cell itself is made text by `SheetWriter`; see `needs_quote_prefix()`."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = ILLEGAL_CHARACTERS.sub("", text)
    return text[:MAX_CELL_TEXT]


def needs_quote_prefix(text):
    return text.startswith(FORMULA_TRIGGERS)


def excel_datetime(value):
    """Excel has no time zones: local (Asia/Makassar) wall-clock time, naive."""
    if value is None:
        return None
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


def columns_and_widths(columns):
    """(name, width) pairs as `SheetWriter.table()` takes them: the names as text, then the widths."""
    return [str(name) for name, _width in columns], [width for _name, width in columns]


class SheetWriter:
    """Writes one sheet: `table(title, columns, widths)` then `row()`s for a table sheet; or
    `widths()`, `title()`, `section()` and `row()`s for a free-form summary sheet."""

    def __init__(self, workbook, name):
        self.sheet = workbook.create_sheet(title=name)
        self.rows_written = 0
        self.header_row = None
        self.autofilter = False
        self.column_count = 0

    # --- layout ---------------------------------------------------------------------
    def widths(self, widths):
        """Column widths, and the page setup they call for. Before any row: write-only mode writes
        the sheet's properties (fit to page among them) with the first row."""
        for index, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(index)].width = width
        self.page_setup(sum(widths))

    def page_setup(self, total_width):
        """A4, landscape when the columns are wider than a portrait page, fit to one page wide."""
        setup = self.sheet.page_setup
        setup.paperSize = Worksheet.PAPERSIZE_A4
        wide = total_width > PORTRAIT_MAX_WIDTH
        setup.orientation = Worksheet.ORIENTATION_LANDSCAPE if wide else Worksheet.ORIENTATION_PORTRAIT
        setup.fitToWidth, setup.fitToHeight = 1, 0  # 0: as many pages tall as needed
        self.sheet.sheet_properties.pageSetUpPr.fitToPage = True

    def title(self, text):
        cell = self._text_cell(text)
        cell.font = TITLE_FONT
        self._append([cell])

    def table(self, title, columns, widths=None, autofilter=True):
        """A table sheet: a title row (unless title is None), then the styled header row; the rows below are frozen and
        filterable. Call it before any other row: write-only mode writes the sheet's view
        (frozen panes, column widths) with the first row."""
        if self.rows_written:
            raise ValueError("table() must start the sheet")
        if widths:
            self.widths(widths)
        self.header_row = 1 if title is None else 2
        self.sheet.freeze_panes = f"A{self.header_row + 1}"
        if not widths:
            self.page_setup(len(columns) * DEFAULT_COLUMN_WIDTH)
        # The title and the header row on every printed page.
        self.sheet.print_title_rows = f"1:{self.header_row}"
        self.autofilter = autofilter
        self.column_count = len(columns)
        if title is not None:
            self.title(title)
        cells = []
        for column in columns:
            cell = self._text_cell(str(column))
            cell.font, cell.fill, cell.alignment = HEADER_FONT, HEADER_FILL, HEADER_ALIGNMENT
            cells.append(cell)
        self._append(cells)

    def section(self, text):
        cell = self._text_cell(text)
        cell.font = SECTION_FONT
        self._append([cell])

    def blank(self):
        self._append([])

    # --- data -----------------------------------------------------------------------
    def row(self, values, formats=None):
        """One row of values. str -> text cell (always safe), int/float/Decimal -> number,
        date/datetime -> date cell, None -> empty. `formats` maps column index -> number format."""
        cells = [self.cell(value) for value in values]
        for index, number_format in (formats or {}).items():
            value = values[index]
            if value is not None and not isinstance(value, str):
                if not isinstance(cells[index], Cell):
                    cells[index] = WriteOnlyCell(self.sheet, value=cells[index])
                cells[index].number_format = number_format
        self._append(cells)

    def cell(self, value):
        """The value as openpyxl should append it: plain values where openpyxl types them right
        by itself (the fast path), a styled WriteOnlyCell otherwise."""
        if value is None or isinstance(value, str):
            if not value:
                return None
            text = safe_text(value)
            # openpyxl makes any string a text cell except one starting with "=": see _text_cell.
            return self._text_cell(text) if needs_quote_prefix(text) else text
        if isinstance(value, (bool, int, float, Decimal)):
            return value
        if isinstance(value, datetime):
            cell = WriteOnlyCell(self.sheet, value=excel_datetime(value))
            cell.number_format = DATETIME_FORMAT
            return cell
        if isinstance(value, date):
            cell = WriteOnlyCell(self.sheet, value=value)
            cell.number_format = DATE_FORMAT
            return cell
        return self._text_cell(str(value))

    def _text_cell(self, value):
        text = safe_text(value)
        cell = WriteOnlyCell(self.sheet, value=text)
        cell.data_type = "s"  # never "f": a string is never a formula here
        if needs_quote_prefix(text):
            cell.quotePrefix = True
        return cell

    def _append(self, cells):
        self.sheet.append(cells)
        self.rows_written += 1

    def finish(self):
        if self.header_row is not None and self.autofilter and self.column_count:
            last = get_column_letter(self.column_count)
            self.sheet.auto_filter.ref = f"A{self.header_row}:{last}{max(self.rows_written, self.header_row)}"


class WorkbookWriter:
    """A write-only workbook whose sheets are written one after the other."""

    def __init__(self):
        self.workbook = Workbook(write_only=True)

    def sheet(self, name):
        return SheetWriter(self.workbook, name)

    def save(self, target):
        self.workbook.save(target)
