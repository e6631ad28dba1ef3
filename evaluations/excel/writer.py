"""A tiny sheet-writing layer over XlsxWriter in constant-memory mode: each row goes to a
temporary file as soon as the next one starts, so memory stays flat however many rows a sheet
has, and the file is written at XlsxWriter's own speed. (openpyxl still reads every upload.)

Every string goes through `safe_text()` and is written with `write_string()`: a person may type
"=HYPERLINK(...)" or "+62 812..." into an answer, and a spreadsheet writer's generic `write()`
makes a string starting with "=" a live formula. Here every string becomes a text cell; strings
starting with = + - @ tab or CR also get Excel's quotePrefix style, so the cell stays text even
when someone edits it in Excel or LibreOffice. The workbook is opened with XlsxWriter's string
conversions (formulas, URLs, numbers) off as a second guard.

One place per sheet: each sheet is written by one function through a `SheetWriter`
(excel/workbook.py's SHEETS); the XlsxWriter worksheet is `sheet.sheet`, for what a sheet needs
beyond tables (page setup for printing, say), and the shared cell formats are `book.format()`.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from django.utils import timezone
from xlsxwriter.url import Url

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Control characters that the xlsx format cannot hold (openpyxl refuses them): dropped.
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
MAX_CELL_TEXT = 32767  # Excel's limit per cell
MAX_LINKS = 65530  # Excel's limit of hyperlinks per sheet

# Cell styles by name, as XlsxWriter format properties; a number format and the quote prefix are
# added per cell (WorkbookWriter.format).
STYLES = {
    None: {},
    "header": {
        "bold": True,
        "font_color": "#FFFFFF",
        "bg_color": "#1F4E79",
        "pattern": 1,
        "text_wrap": True,
        "valign": "top",
    },
    "title": {"bold": True, "font_size": 13},
    "section": {"bold": True},
    # Excel's own look of a hyperlink.
    "link": {"font_color": "#0563C1", "underline": 1},
}
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
    text = str(value)
    # Most cells need none of this: look before rewriting (a workbook has ~100,000 strings).
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if ILLEGAL_CHARACTERS.search(text):
        text = ILLEGAL_CHARACTERS.sub("", text)
    return text[:MAX_CELL_TEXT] if len(text) > MAX_CELL_TEXT else text


def needs_quote_prefix(text):
    return text.startswith(FORMULA_TRIGGERS)


def excel_datetime(value):
    """Excel has no time zones: local (Asia/Makassar) wall-clock time, naive."""
    if value is None:
        return None
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.replace(tzinfo=None)


@dataclass(frozen=True)
class Link:
    """A cell value that is text and a hyperlink to `target`, a path relative to the workbook's
    own folder with "/" between folders (the evidence package: "bukti/dinas-pu/GOV.1/perbup.pdf").
    The text is made safe like any other string."""

    text: str
    target: str


class RelativeLink(Url):
    """XlsxWriter's "external:" link to a relative path, kept with "/" between its folders.
    XlsxWriter writes such a path the way Excel for Windows does, with backslashes, which only
    Windows reads as folders; a relative URI with "/" is a relative reference for every reader, and
    Windows takes "/" as a folder separator too. Our targets hold only [A-Za-z0-9._-/] (the
    package's safe names), so nothing in them needs escaping."""

    def _parse_url(self):
        super()._parse_url()
        self._link = self._relationship_link = self._original_url.removeprefix("external:")


def files_cell(lines, files):
    """A cell listing evidence, one line each: with `files` (the package's paths of the files among
    them; the evidence package's workbook) a link to the file, or to their folder when there are
    several (a cell holds one link; one answer's or quick win's files share a folder)."""
    text = "\n".join(lines)
    if not files:
        return text
    return Link(text, files[0] if len(files) == 1 else files[0].rpartition("/")[0] + "/")


def columns_and_widths(columns):
    """(name, width) pairs as `SheetWriter.table()` takes them: the names as text, then the widths."""
    return [str(name) for name, _width in columns], [width for _name, width in columns]


class SheetWriter:
    """Writes one sheet, row after row: `table(title, columns, widths)` then `row()`s for a table
    sheet; or `widths()`, `title()`, `section()` and `row()`s for a free-form summary sheet; then
    `finish()`."""

    def __init__(self, book, name):
        self.book = book
        self.sheet = book.workbook.add_worksheet(name)
        self.rows_written = 0
        self.header_row = None  # 1-based, as Excel numbers rows
        self.autofilter = False
        self.column_count = 0

    # --- layout ---------------------------------------------------------------------
    def widths(self, widths):
        """Column widths, and the page setup they call for."""
        for index, width in enumerate(widths):
            self.sheet.set_column(index, index, width)
        self.page_setup(sum(widths))

    def page_setup(self, total_width):
        """A4, landscape when the columns are wider than a portrait page, fit to one page wide and
        as many pages tall as needed."""
        self.sheet.set_paper(9)  # A4
        if total_width > PORTRAIT_MAX_WIDTH:
            self.sheet.set_landscape()
        else:
            self.sheet.set_portrait()
        self.sheet.fit_to_pages(1, 0)

    def title(self, text):
        self._text(self.rows_written, 0, text, "title")
        self.rows_written += 1

    def table(self, title, columns, widths=None, autofilter=True):
        """A table sheet: a title row (unless title is None), then the styled header row; the rows
        below are frozen and filterable. It starts the sheet."""
        if self.rows_written:
            raise ValueError("table() must start the sheet")
        if widths:
            self.widths(widths)
        self.header_row = 1 if title is None else 2
        self.sheet.freeze_panes(self.header_row, 0)
        if not widths:
            self.page_setup(len(columns) * DEFAULT_COLUMN_WIDTH)
        # The title and the header row on every printed page (0-based rows).
        self.sheet.repeat_rows(0, self.header_row - 1)
        self.autofilter = autofilter
        self.column_count = len(columns)
        if title is not None:
            self.title(title)
        for index, column in enumerate(columns):
            self._text(self.rows_written, index, str(column), "header")
        self.rows_written += 1

    def section(self, text):
        self._text(self.rows_written, 0, text, "section")
        self.rows_written += 1

    def blank(self):
        self.rows_written += 1

    # --- data -----------------------------------------------------------------------
    def row(self, values, formats=None):
        """One row of values. str -> text cell (always safe), int/float/Decimal -> number,
        date/datetime -> date cell, None or "" -> empty. `formats` maps column index -> number
        format (for the values that are not text)."""
        # XlsxWriter's undecorated writers (its public ones only add A1-notation parsing to
        # these): a workbook has ~200,000 cells. XlsxWriter is pinned in requirements.txt.
        row, sheet = self.rows_written, self.sheet
        for index, value in enumerate(values):
            if value is None or isinstance(value, str):
                if value:
                    self._text(row, index, value)
                continue
            number_format = formats.get(index) if formats else None
            if isinstance(value, bool):
                sheet._write_boolean(row, index, value, self._number_format(number_format))
            elif isinstance(value, (int, float, Decimal)):
                sheet._write_number(row, index, value, self._number_format(number_format))
            elif isinstance(value, datetime):
                sheet._write_datetime(
                    row, index, excel_datetime(value), self._number_format(number_format or DATETIME_FORMAT)
                )
            elif isinstance(value, date):
                sheet._write_datetime(row, index, value, self._number_format(number_format or DATE_FORMAT))
            elif isinstance(value, Link):
                self._link(row, index, value)
            else:
                self._text(row, index, str(value))
        self.rows_written += 1

    def _number_format(self, number_format):
        return self.book.format(number_format=number_format) if number_format else None

    def _text(self, row, column, value, style=None):
        text = safe_text(value)
        if not text:
            return
        quote = needs_quote_prefix(text)
        cell_format = self.book.format(style, quote=True) if quote else self.book.format(style) if style else None
        self.sheet._write_string(row, column, text, cell_format)

    def _link(self, row, column, link):
        """A text cell that opens `link.target`: the same safe text as `_text`, in the link style."""
        text = safe_text(link.text)
        if not text:
            return
        if self.sheet.hlink_count >= MAX_LINKS:
            # Past Excel's limit XlsxWriter would drop the cell, text and all: keep the text.
            self._text(row, column, text)
            return
        url = RelativeLink(f"external:{link.target}")
        url.text = text
        cell_format = self.book.format("link", quote=needs_quote_prefix(text))
        self.sheet._write_url(row, column, url, cell_format)

    def finish(self):
        if self.header_row is not None and self.autofilter and self.column_count:
            last_row = max(self.rows_written, self.header_row) - 1
            self.sheet.autofilter(self.header_row - 1, 0, last_row, self.column_count - 1)


class WorkbookWriter:
    """A workbook written to `target` (a path or a binary file object), its sheets one after the
    other; `close()` writes the file."""

    OPTIONS = {
        "constant_memory": True,
        # Strings are always written as text by SheetWriter; these keep XlsxWriter's own
        # conversions off should a generic write() ever be used.
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
    }

    def __init__(self, target):
        self.workbook = xlsxwriter.Workbook(target, self.OPTIONS)
        self.formats = {}

    def sheet(self, name):
        return SheetWriter(self, name)

    def format(self, style=None, number_format=None, quote=False):
        """The shared cell format of a style (STYLES), a number format and the quote prefix."""
        key = (style, number_format, quote)
        cell_format = self.formats.get(key)
        if cell_format is None:
            properties = dict(STYLES[style])
            if number_format:
                properties["num_format"] = number_format
            if quote:
                properties["quote_prefix"] = True
            cell_format = self.formats[key] = self.workbook.add_format(properties)
        return cell_format

    def close(self):
        self.workbook.close()
