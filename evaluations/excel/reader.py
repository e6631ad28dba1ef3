"""The one reader of uploaded .xlsx files: data-set uploads (excel/datasets.py) and instrument
imports (excel/instrument.py) both open their file as a Spreadsheet.

Spreadsheet(file, max_bytes, max_rows) looks at the container before any XML parser does: the
size, the .xlsx extension, that the content really is an .xlsx (a zip holding xl/workbook.xml),
that it does not unpack to far more than its size (a "zip bomb"). Then it streams every XML part
in small chunks, holding none of it whole, and refuses early what would tie up a worker or its
memory once pandas or openpyxl parsed it: a part that unpacks too far or too many times its
packed size, a cell (or any stretch between two tags) longer than Excel allows, a sheet with more
rows than twice the limit or wider than MAX_COLUMNS, a DTD or an entity (other than XML's own),
a part not in UTF-8, each with its own message. It notes which
sheets hold formulas. Reading then goes through the same deadline (TIME_BUDGET_SECONDS from the
start): first_sheet_frame() reads the first sheet into pandas (data sets),
formula_cells_without_value() finds the formulas Excel stored no result for, and sheet_names()
and rows() read named sheets (instrument). too_many_rows() is the row limit both apply to the
rows they read.

Every failure, including those the XML parser raises only while rows are being read, becomes a
SpreadsheetError (or the caller's subclass of it) carrying CellErrors in Indonesian, never a
server error.
"""

import os
import re
import time
import zipfile
import zlib

import openpyxl
import pandas as pd
from django.utils.translation import gettext as _

from ..filesizes import size_and_limit
from .cells import CellError

# Errors listed to the person; the count beyond that is still given.
MAX_LISTED_ERRORS = 200
# A zip whose parts would unpack to more than this many times the size limit is refused, and so
# is a single part beyond MAX_PART_FACTOR times it.
MAX_UNPACKED_FACTOR = 20
MAX_PART_FACTOR = 10
# A part that unpacks to more than MAX_RATIO times its packed size is refused once RATIO_GRACE
# bytes of it were scanned: far more than any real sheet packs to, yet late enough that a more
# precise reason (too many rows, a huge cell) is found first and named.
MAX_RATIO = 100
RATIO_GRACE = 8 * 1024 * 1024
MAX_PARTS = 1000
# Excel holds at most 32,767 characters in a cell; written as XML (up to 6 bytes for a character
# such as &quot;) that is under 256 KiB between two tags. Nothing longer is read.
EXCEL_CELL_CHARACTERS = 32767
MAX_TEXT_BYTES = 256 * 1024
# Columns A to AZ. A cell further right, or a row of more cells, would make every row of the
# sheet that wide once read (pandas and openpyxl pad rows to the widest).
MAX_COLUMNS = 52
# From the start of the checks to the last row read.
TIME_BUDGET_SECONDS = 30
# Smaller than MAX_TEXT_BYTES, so that any stretch longer than that spans a whole chunk.
CHUNK_BYTES = 64 * 1024

FORMULA_TAG = re.compile(rb"<(?:\w{1,20}:)?f[\s>/]")
ROW_TAG = re.compile(rb"<(?:\w{1,20}:)?row[\s>/]")
CELL_TAG = re.compile(rb"<(?:\w{1,20}:)?c[\s>/]")
# A cell reference from column BA (the 53rd) on.
FAR_CELL = re.compile(rb"""<(?:\w{1,20}:)?c\s[^<>]*?\br\s*=\s*["'](?:[B-Z][A-Z]|[A-Z]{3})\d""", re.IGNORECASE)
# Excel never writes a DTD, and a DTD's entities are what XML bombs are made of; the standard
# library's parser, which openpyxl uses, would expand them.
DTD = re.compile(rb"<!DOCTYPE")
# Excel writes only XML's own entities and character references. Any other needs a DTD to mean
# anything; without one the parser fails on it while rows are read.
OTHER_ENTITY = re.compile(rb"&(?!(?:amp|lt|gt|quot|apos|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});)")
# Excel writes UTF-8 only; in another encoding the tags above could not be found.
NOT_UTF8_START = (b"\xff\xfe", b"\xfe\xff", b"\x00", b"<\x00")
DECLARED_ENCODING = re.compile(rb"""^(?:\xef\xbb\xbf)?\s*<\?xml[^>]*\bencoding\s*=\s*["']([^"']*)["']""")
UTF8_NAMES = {b"utf-8", b"utf8", b"us-ascii", b"ascii"}
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


class _OutOfTime(Exception):
    """The time budget ran out while the file was being read."""


def too_many_rows(filled, read, max_rows):
    """More than `max_rows` filled rows, or more than twice that many rows read at all: blank rows
    cost reading time too, so a sheet padded with a million of them is refused quickly."""
    return filled > max_rows or read > 2 * max_rows


def too_many_rows_message(max_rows):
    return _(
        "Berkas berisi lebih dari %(max)s baris data, batas yang diizinkan. "
        "Hapus baris yang tidak perlu atau hubungi koordinator."
    ) % {"max": f"{max_rows:,}".replace(",", ".")}


def _corrupt_message():
    return _("Berkas .xlsx rusak dan tidak dapat dibaca. Simpan ulang dari Excel, lalu unggah lagi.")


def _not_xlsx_message():
    return _("Berkas ini bukan berkas Excel .xlsx (mungkin PDF, CSV atau dokumen lain yang diganti namanya).")


def _too_big_message():
    return _("Isi berkas terlalu besar untuk dibaca. Bagi data menjadi beberapa berkas.")


def _long_cell_message():
    return _(
        "Berkas berisi sel yang terlalu panjang untuk dibaca: satu sel paling banyak %(n)s karakter "
        "(batas Excel). Periksa sel yang berisi teks sangat panjang, lalu unggah lagi."
    ) % {"n": f"{EXCEL_CELL_CHARACTERS:,}".replace(",", ".")}


def _dtd_message():
    return _(
        "Berkas berisi DTD atau entitas XML, yang tidak pernah ditulis oleh Excel. "
        "Buka berkas di Excel, simpan ulang sebagai .xlsx, lalu unggah lagi."
    )


def _encoding_message():
    return _(
        "Sebagian isi berkas tidak disimpan dengan pengodean UTF-8, yang selalu dipakai Excel. "
        "Buka berkas di Excel, simpan ulang sebagai .xlsx, lalu unggah lagi."
    )


def _too_wide_message():
    return _(
        "Berkas berisi lebih dari %(max)s kolom (kolom A sampai AZ). "
        "Hapus isi kolom di sebelah kanan data, lalu unggah lagi."
    ) % {"max": MAX_COLUMNS}


def _out_of_time_message():
    return _(
        "Berkas terlalu lama dibaca (lebih dari %(seconds)s detik). "
        "Bagi data menjadi beberapa berkas yang lebih kecil, lalu unggah lagi."
    ) % {"seconds": TIME_BUDGET_SECONDS}


def _size(file):
    size = getattr(file, "size", None)
    return file.seek(0, os.SEEK_END) if size is None else size


class _TimedFile:
    """The upload as the zip reader sees it. pandas and openpyxl unpack the file as they parse it,
    a few kilobytes at a time, so a parse that outlives the deadline stops at its next read."""

    def __init__(self, file, deadline):
        self._file = file
        self._deadline = deadline

    def read(self, *args):
        if time.monotonic() > self._deadline:
            raise _OutOfTime
        return self._file.read(*args)

    def seek(self, *args):
        return self._file.seek(*args)

    def tell(self):
        return self._file.tell()

    def seekable(self):
        return True

    def readable(self):
        return True


class _PartScan:
    """What streaming one XML part found so far."""

    def __init__(self, entities_checked=True):
        self.unpacked = 0
        self.rows = 0
        self.cells_in_row = 0
        self.formula = False
        # VML (drawings, comment boxes) is Excel's loosest XML, and no reader here parses it.
        self.entities_checked = entities_checked


class Spreadsheet:
    """An uploaded .xlsx whose container passed the checks. `error` is the SpreadsheetError
    subclass the caller's users know (DatasetFileError, InstrumentFileError); `max_rows` the
    caller's row limit, of which no sheet may hold more than twice (blank rows included). Use it
    in a `with` block when reading named sheets, so that the workbook is closed."""

    def __init__(self, file, max_bytes, max_rows, error=SpreadsheetError):
        self.file = file
        self.error = error
        self._book = None
        self._deadline = time.monotonic() + TIME_BUDGET_SECONDS
        self._timed = _TimedFile(file, self._deadline)
        self.max_rows = max_rows
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

    def _read_error(self, exc):
        """The SpreadsheetError for an exception raised while pandas or openpyxl read the file."""
        if isinstance(exc, _OutOfTime):
            return self._file_error(_out_of_time_message())
        return self._file_error(_corrupt_message())

    def _check_container(self, max_bytes):
        """Returns the names of the parts holding both rows and formulas (the sheets with formulas)."""
        size = _size(self.file)
        if size > max_bytes:
            size_shown, limit_shown = size_and_limit(size, max_bytes)
            raise self._file_error(
                _(
                    "Berkas terlalu besar (%(size)s). Batasnya %(limit)s; "
                    "hapus lembar, gambar atau baris yang tidak perlu, lalu unggah lagi."
                )
                % {"size": size_shown, "limit": limit_shown}
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
                if len(infos) > MAX_PARTS or sum(info.file_size for info in infos) > MAX_UNPACKED_FACTOR * max_bytes:
                    raise self._file_error(_too_big_message())
                with_formulas = []
                for info in infos:
                    if not info.filename.endswith(XML_PARTS):
                        continue
                    scan = self._scan_part(archive, info, MAX_PART_FACTOR * max_bytes)
                    if scan.formula and scan.rows:
                        with_formulas.append(info.filename)
        except _OutOfTime:
            raise self._file_error(_out_of_time_message()) from None
        except ARCHIVE_ERRORS:
            self.file.seek(0)
            if self.file.read(4) == b"PK\x03\x04":
                # It starts like an .xlsx but its archive is broken (cut off while copying, say).
                raise self._file_error(_corrupt_message()) from None
            raise self._file_error(_not_xlsx_message()) from None
        finally:
            self.file.seek(0)
        return with_formulas

    def _scan_part(self, archive, info, max_part_bytes):
        """Stream one XML part in chunks and refuse it as soon as it shows a problem. Each chunk
        is cut after its last '<', the rest carried into the next one: a tag never spans the
        cut, and the carried stretch is the text since the last tag, whose length is the test
        of a huge cell."""
        scan = _PartScan(entities_checked=not info.filename.endswith(".vml"))
        carry = b""
        with archive.open(info) as part:
            while chunk := part.read(CHUNK_BYTES):
                if time.monotonic() > self._deadline:
                    raise _OutOfTime
                if not scan.unpacked:
                    self._check_encoding(chunk)
                scan.unpacked += len(chunk)
                if scan.unpacked > max_part_bytes or (
                    scan.unpacked > RATIO_GRACE and info.file_size > MAX_RATIO * max(info.compress_size, 1)
                ):
                    raise self._file_error(_too_big_message())
                first_tag = chunk.find(b"<")
                if len(carry) + (len(chunk) if first_tag < 0 else first_tag) > MAX_TEXT_BYTES:
                    raise self._file_error(_long_cell_message())
                text = carry + chunk
                cut = text.rfind(b"<")
                if cut <= 0:
                    carry = text
                    continue
                self._scan_text(text[:cut], scan)
                carry = text[cut:]
        self._scan_text(carry, scan)
        return scan

    def _check_encoding(self, start):
        declared = DECLARED_ENCODING.match(start)
        if start.startswith(NOT_UTF8_START) or (declared and declared.group(1).lower() not in UTF8_NAMES):
            raise self._file_error(_encoding_message())

    def _scan_text(self, text, scan):
        """Check whole tags (`text` starts at a '<' and ends before one)."""
        if DTD.search(text) or (scan.entities_checked and OTHER_ENTITY.search(text)):
            raise self._file_error(_dtd_message())
        if FAR_CELL.search(text):
            raise self._file_error(_too_wide_message())
        scan.formula = scan.formula or FORMULA_TAG.search(text) is not None
        pieces = ROW_TAG.split(text)
        if scan.rows:
            scan.cells_in_row += len(CELL_TAG.findall(pieces[0]))
        for piece in pieces[1:]:
            scan.rows += 1
            # The header row plus twice the limit, as too_many_rows() allows.
            if scan.rows > 2 * self.max_rows + 1:
                raise self._file_error(too_many_rows_message(self.max_rows))
            scan.cells_in_row = len(CELL_TAG.findall(piece))
            if scan.cells_in_row > MAX_COLUMNS:
                break
        if scan.cells_in_row > MAX_COLUMNS:
            raise self._file_error(_too_wide_message())

    def first_sheet_frame(self, max_rows):
        """The first sheet as a DataFrame (header from row 1), every cell as Excel typed it: number,
        text or date, and for a formula the value Excel stored, never its text. Reads one row more
        than too_many_rows() allows, so that passing the limit shows."""
        self.file.seek(0)
        try:
            return pd.read_excel(self._timed, sheet_name=0, dtype=object, engine="openpyxl", nrows=2 * max_rows + 1)
        except Exception as exc:  # noqa: BLE001  (any failure inside a broken workbook means the same to the person)
            raise self._read_error(exc) from None
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
            book = openpyxl.load_workbook(self._timed, read_only=True, data_only=False)
            try:
                # Bounded by the frame, never by the dimension the sheet declares.
                rows = book.worksheets[0].iter_rows(
                    min_row=2, max_row=len(frame) + 1, max_col=max(len(frame.columns), 1)
                )
                for row in rows:
                    for cell in row:
                        if getattr(cell, "data_type", None) != "f":
                            continue
                        column = cell.column - 1
                        if column < len(frame.columns) and pd.isna(frame.iat[cell.row - 2, column]):
                            found.append((cell.row, column))
            finally:
                book.close()
        except Exception as exc:  # noqa: BLE001  (as in first_sheet_frame)
            raise self._read_error(exc) from None
        finally:
            self.file.seek(0)
        return found

    def sheet_names(self):
        return self._workbook().sheetnames

    def rows(self, sheet_name):
        """The values of each row of the sheet, from row 1 to its last, as tuples. The XML parser
        reads as rows are asked for, so a broken sheet may only fail here, in the caller's loop."""
        book = self._workbook()
        try:
            sheet = book[sheet_name]
            # Like pandas: the dimension a sheet declares may be wrong, and openpyxl would stop at
            # its last row (losing the rows below) or pad every row to its width.
            sheet.reset_dimensions()
            rows = sheet.iter_rows(values_only=True)
        except Exception as exc:  # noqa: BLE001  (as in first_sheet_frame)
            raise self._read_error(exc) from None
        while True:
            try:
                values = next(rows, _END)
            except Exception as exc:  # noqa: BLE001  (as in first_sheet_frame)
                raise self._read_error(exc) from None
            if values is _END:
                return
            yield values

    def _workbook(self):
        if self._book is None:
            self.file.seek(0)
            try:
                self._book = openpyxl.load_workbook(self._timed, read_only=True, data_only=True)
            except Exception as exc:  # noqa: BLE001  (as in first_sheet_frame)
                raise self._read_error(exc) from None
        return self._book
