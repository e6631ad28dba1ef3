"""The one reader of uploaded .xlsx files: data-set uploads (excel/datasets.py) and instrument
imports (excel/instrument.py) both open their file as a Spreadsheet.

Spreadsheet(file, max_bytes) looks at the container before any XML parser does: the size, the
.xlsx extension, that the content really is an .xlsx (a zip holding xl/workbook.xml), that it does
not unpack to far more than its size (a "zip bomb"), that no XML part declares a DTD, and which
sheets hold formulas. Then first_sheet_frame() reads the first sheet into pandas (data sets),
formula_cells_without_value() finds the formulas Excel stored no result for, and sheet_names() and
rows() read named sheets (instrument). too_many_rows() is the row limit both apply.

Every failure, including those the XML parser raises only while rows are being read, becomes a
SpreadsheetError (or the caller's subclass of it) carrying CellErrors in Indonesian, never a
server error.
"""

import os
import re
import zipfile
import zlib

import openpyxl
import pandas as pd
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from .cells import CellError

# Errors listed to the person; the count beyond that is still given.
MAX_LISTED_ERRORS = 200
# A zip whose parts would unpack to more than this many times the size limit is refused.
MAX_UNPACKED_FACTOR = 20
FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
# Excel never writes a DTD, and a DTD's entities are what XML bombs are made of; the standard
# library's parser, which openpyxl uses, would expand them. Looked for in UTF-16 too, which XML allows.
DTD = re.compile(b"|".join(re.escape("<!DOCTYPE".encode(codec)) for codec in ("utf-8", "utf-16-le", "utf-16-be")))
XML_PARTS = (".xml", ".rels", ".vml")
# What a broken archive raises while it is listed or unpacked.
ARCHIVE_ERRORS = (zipfile.BadZipFile, zlib.error, OSError, RuntimeError, ValueError, NotImplementedError, EOFError)
_END = object()


class SpreadsheetError(Exception):
    """The file cannot be used; `errors` says why, as CellErrors (row None for the file as a whole)."""

    def __init__(self, errors, total=None):
        super().__init__(errors[0].message if errors else "")
        self.errors = errors[:MAX_LISTED_ERRORS]
        self.total = total if total is not None else len(errors)


def too_many_rows(filled, read, max_rows):
    """More than `max_rows` filled rows, or more than twice that many rows read at all: blank rows
    cost reading time too, so a sheet padded with a million of them is refused quickly."""
    return filled > max_rows or read > 2 * max_rows


def _corrupt_message():
    return _("Berkas .xlsx rusak dan tidak dapat dibaca. Simpan ulang dari Excel, lalu unggah lagi.")


def _not_xlsx_message():
    return _("Berkas ini bukan berkas Excel .xlsx (mungkin PDF, CSV atau dokumen lain yang diganti namanya).")


def _size(file):
    size = getattr(file, "size", None)
    return file.seek(0, os.SEEK_END) if size is None else size


def _scan(archive, info, chunk_size=1024 * 1024):
    """(declares a DTD, holds a formula) for one part, read in chunks so that a big sheet is never
    held whole."""
    formula = False
    tail = b""
    with archive.open(info) as part:
        while chunk := part.read(chunk_size):
            text = tail + chunk
            if DTD.search(text):
                return True, formula
            formula = formula or FORMULA_TAG.search(text) is not None
            tail = text[-32:]
    return False, formula


class Spreadsheet:
    """An uploaded .xlsx whose container passed the checks. `error` is the SpreadsheetError
    subclass the caller's users know (DatasetFileError, InstrumentFileError). Use it in a `with`
    block when reading named sheets, so that the workbook is closed."""

    def __init__(self, file, max_bytes, error=SpreadsheetError):
        self.file = file
        self.error = error
        self._book = None
        self.formula_parts = self._check_container(max_bytes)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()

    def close(self):
        if self._book is not None:
            self._book.close()
            self._book = None
        self.file.seek(0)

    def _file_error(self, message):
        return self.error([CellError(None, "", message)])

    def _check_container(self, max_bytes):
        """Returns the names of the worksheet parts that hold formulas."""
        size = _size(self.file)
        if size > max_bytes:
            raise self._file_error(
                _(
                    "Berkas terlalu besar (%(size)s). Batasnya %(limit)s; "
                    "hapus lembar, gambar atau baris yang tidak perlu, lalu unggah lagi."
                )
                % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)}
            )
        # A buffer without a name comes from our own code (tests, the round trip), not from a person.
        if hasattr(self.file, "name") and os.path.splitext(self.file.name or "")[1].lower() != ".xlsx":
            raise self._file_error(_("Berkas harus berformat Excel .xlsx. Unduh templat, isi, lalu unggah kembali."))
        self.file.seek(0)
        try:
            with zipfile.ZipFile(self.file) as archive:
                infos = archive.infolist()
                if "xl/workbook.xml" not in {info.filename for info in infos}:
                    raise self._file_error(_not_xlsx_message())
                if sum(info.file_size for info in infos) > MAX_UNPACKED_FACTOR * max_bytes:
                    raise self._file_error(
                        _("Isi berkas terlalu besar untuk dibaca. Bagi data menjadi beberapa berkas.")
                    )
                with_formulas = []
                for info in infos:
                    if not info.filename.endswith(XML_PARTS):
                        continue
                    declares_dtd, holds_formula = _scan(archive, info)
                    if declares_dtd:
                        raise self._file_error(_corrupt_message())
                    if holds_formula and info.filename.startswith("xl/worksheets/"):
                        with_formulas.append(info.filename)
        except ARCHIVE_ERRORS:
            self.file.seek(0)
            if self.file.read(4) == b"PK\x03\x04":
                # It starts like an .xlsx but its archive is broken (cut off while copying, say).
                raise self._file_error(_corrupt_message()) from None
            raise self._file_error(_not_xlsx_message()) from None
        finally:
            self.file.seek(0)
        return with_formulas

    def first_sheet_frame(self, max_rows):
        """The first sheet as a DataFrame (header from row 1), every cell as Excel typed it: number,
        text or date, and for a formula the value Excel stored, never its text. Reads one row more
        than too_many_rows() allows, so that passing the limit shows."""
        self.file.seek(0)
        try:
            return pd.read_excel(self.file, sheet_name=0, dtype=object, engine="openpyxl", nrows=2 * max_rows + 1)
        except Exception:  # noqa: BLE001  (any failure inside a broken workbook means the same to the person)
            raise self._file_error(_corrupt_message()) from None
        finally:
            self.file.seek(0)

    def formula_cells_without_value(self, frame):
        """(row number, column index) of the cells of the first sheet (read as `frame`) that hold a
        formula for which Excel stored no value, as in a file written by a program."""
        if not self.formula_parts:
            return []
        found = []
        self.file.seek(0)
        try:
            book = openpyxl.load_workbook(self.file, read_only=True, data_only=False)
            try:
                for row in book.worksheets[0].iter_rows(min_row=2, max_row=len(frame) + 1):
                    for cell in row:
                        if getattr(cell, "data_type", None) != "f":
                            continue
                        column = cell.column - 1
                        if column < len(frame.columns) and pd.isna(frame.iat[cell.row - 2, column]):
                            found.append((cell.row, column))
            finally:
                book.close()
        except Exception:  # noqa: BLE001  (as in first_sheet_frame)
            raise self._file_error(_corrupt_message()) from None
        finally:
            self.file.seek(0)
        return found

    def sheet_names(self):
        return self._workbook().sheetnames

    def rows(self, sheet_name):
        """The values of each row of the sheet, from row 1, as tuples. The XML parser reads as rows
        are asked for, so a broken sheet may only fail here, in the caller's loop."""
        book = self._workbook()
        try:
            rows = book[sheet_name].iter_rows(values_only=True)
        except Exception:  # noqa: BLE001  (as in first_sheet_frame)
            raise self._file_error(_corrupt_message()) from None
        while True:
            try:
                values = next(rows, _END)
            except Exception:  # noqa: BLE001  (as in first_sheet_frame)
                raise self._file_error(_corrupt_message()) from None
            if values is _END:
                return
            yield values

    def _workbook(self):
        if self._book is None:
            self.file.seek(0)
            try:
                self._book = openpyxl.load_workbook(self.file, read_only=True, data_only=True)
            except Exception:  # noqa: BLE001  (as in first_sheet_frame)
                raise self._file_error(_corrupt_message()) from None
        return self._book
