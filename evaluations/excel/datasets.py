"""The data sets as spreadsheets: the template an operator fills in (build_template), a filled-in
file for demo data and benchmarks (rows_to_xlsx), and the reading of an upload (read_upload).

Everything here is driven by the specs in evaluations/datasets.py; the file itself is opened by
the shared reader (excel/reader.py) and cells are read with the shared parsers (excel/cells.py).
Reading never saves anything: read_upload returns model instances for every row, or raises
DatasetFileError with every problem found, by row number and column name, in plain Indonesian.
Saving (all rows or none) is DatasetUpload.accept.
"""

import io
import re
from decimal import Decimal

import openpyxl
from django.conf import settings
from django.utils.translation import gettext as _
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from ..models import Kecamatan
from .cells import CellError, cell_text, is_blank, short_text, to_decimal, yes_no
from .reader import Spreadsheet, SpreadsheetError, too_many_rows, too_many_rows_message


class DatasetFileError(SpreadsheetError):
    """The upload cannot be saved; `errors` says why, as CellErrors by row and column."""


# --- template ---------------------------------------------------------------------------------
EXAMPLE_SHEET = "Contoh"


def build_template(spec):
    """The .xlsx an operator fills in: the "Data" sheet with headers only and dropdowns for
    allowed values (listed on the "Pilihan" sheet, so long lists such as the 18 kecamatan fit).
    The example row sits on its own "Contoh" sheet: on the data sheet people typed below it or
    left it in, and it was uploaded as a real road or school (read_upload refuses it anyway)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    example = wb.create_sheet(EXAMPLE_SHEET)
    lists = wb.create_sheet("Pilihan")
    ws.append([c.header for c in spec.columns])
    example.append([c.header for c in spec.columns])
    example.append([c.example for c in spec.columns])
    example.append([])
    example.append([_("Baris di atas hanya contoh. Isi data di lembar Data, mulai baris 2.")])
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    kecamatan_names = list(Kecamatan.objects.order_by("code").values_list("name", flat=True))
    list_col = 0
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        cell = ws.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        ws.column_dimensions[letter].width = max(12, len(column.header) + 4)
        example.cell(row=1, column=index).font = Font(bold=True)
        example.cell(row=1, column=index).fill = header_fill
        example.column_dimensions[letter].width = ws.column_dimensions[letter].width
        if column.type == "npsn":
            for row in range(2, 1002):
                ws.cell(row=row, column=index).number_format = "@"
        values = kecamatan_names if column.type == "kecamatan" else column.allowed_labels()
        if not values:
            continue
        list_col += 1
        list_letter = get_column_letter(list_col)
        lists.cell(row=1, column=list_col, value=column.header).font = Font(bold=True)
        for r, value in enumerate(values, start=2):
            lists.cell(row=r, column=list_col, value=value)
        validation = DataValidation(
            type="list",
            formula1=f"Pilihan!${list_letter}$2:${list_letter}${len(values) + 1}",
            allow_blank=not column.required,
            showErrorMessage=True,
            errorTitle="Nilai tidak dikenal",
            error=f"Pilih salah satu nilai dari daftar untuk kolom {column.header}.",
        )
        ws.add_data_validation(validation)
        validation.add(f"{letter}2:{letter}{settings.DATASET_MAX_ROWS + 1}")
    ws.freeze_panes = "A2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def rows_to_xlsx(spec, rows):
    """A filled-in file (headers, then `rows` as lists of cell values): for demo data and the
    benchmark."""
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("Data")
    ws.append([c.header for c in spec.columns])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


# --- reading an upload --------------------------------------------------------------------------
def _file_error(message):
    return DatasetFileError([CellError(None, "", message)])


def _normalise_header(value):
    return " ".join(str(value).split()).casefold()


def _number(value):
    try:
        return to_decimal(value)
    except ValueError:
        return None


class _CellParser:
    """Turns one cell into the model's value, or an Indonesian message; knows the template's
    example row, read the same way, to recognise it when it comes back as data."""

    def __init__(self, spec):
        self.kecamatan = {}
        for k in Kecamatan.objects.all():
            self.kecamatan[k.name.casefold()] = k
            self.kecamatan[k.code] = k
            self.kecamatan[k.code[-2:]] = k
        self.choices = {}
        for column in spec.columns:
            if column.type == "choice":
                lookup = {}
                for value, label in column.choices.choices:
                    lookup[str(value).casefold()] = value
                    lookup[str(label).casefold()] = value
                self.choices[column.field] = lookup
        self.example = {column.field: self.parse(column, column.example)[0] for column in spec.columns}
        self.example_label = ", ".join(str(column.example) for column in spec.columns[:2])

    def is_example(self, values):
        return values == self.example

    def parse(self, column, value):
        if is_blank(value):
            if column.required:
                return None, _("Wajib diisi.")
            return ("" if column.type in {"text", "choice"} else None), None
        if isinstance(value, str) and value.strip().startswith("="):
            return None, _("Berisi rumus sebagai teks (%(value)s). Isi dengan nilainya saja.") % {
                "value": short_text(value)
            }
        return getattr(self, f"parse_{column.type}")(column, value)

    def parse_text(self, column, value):
        text = " ".join(cell_text(value).split())
        if len(text) > column.max_length:
            return None, _("Terlalu panjang: paling banyak %(n)s karakter.") % {"n": column.max_length}
        return text, None

    def parse_decimal(self, column, value):
        number = _number(value)
        if number is None:
            return None, _('Harus berupa angka, bukan "%(value)s".') % {"value": short_text(value)}
        if number < 0:
            return None, _("Tidak boleh negatif.")
        if number >= Decimal("1000000"):
            return None, _("Angka terlalu besar.")
        return number.quantize(Decimal("0.001")), None

    def parse_int(self, column, value):
        number = _number(value)
        if number is None:
            return None, _('Harus berupa bilangan bulat, bukan "%(value)s".') % {"value": short_text(value)}
        if number < 0:
            return None, _("Tidak boleh negatif.")
        if number != number.to_integral_value():
            return None, _("Harus bilangan bulat (tanpa koma).")
        if number > 2_000_000_000:
            return None, _("Angka terlalu besar.")
        return int(number), None

    def parse_choice(self, column, value):
        found = self.choices[column.field].get(" ".join(str(value).split()).casefold())
        if found is None:
            return None, _('"%(value)s" bukan pilihan yang dikenal. Pilihan: %(allowed)s.') % {
                "value": short_text(value),
                "allowed": ", ".join(column.allowed_labels()),
            }
        return found, None

    def parse_bool(self, column, value):
        answer = yes_no(value)
        if answer is None:
            return None, _('Isi dengan Ya atau Tidak, bukan "%(value)s".') % {"value": short_text(value)}
        return answer, None

    def parse_kecamatan(self, column, value):
        found = self.kecamatan.get(" ".join(str(value).split()).casefold())
        if found is None:
            return None, _(
                'Kecamatan "%(value)s" tidak dikenal. Gunakan nama kecamatan di Kutai Timur dari daftar pilihan.'
            ) % {"value": short_text(value)}
        return found, None

    def parse_npsn(self, column, value):
        text = cell_text(value)
        if not re.fullmatch(r"\d{8}", text):
            return None, _('NPSN harus 8 angka, bukan "%(value)s".') % {"value": short_text(value)}
        return text, None


# Rows checked between two progress reports (each report is one UPDATE of the job's row).
PROGRESS_EVERY = 500


def read_upload(spec, uploaded_file, period=None, agency=None, progress=None):
    """Validate every cell of an uploaded file against `spec`; return unsaved model instances
    for all rows, or raise DatasetFileError listing every problem. `progress(done, total)` is
    told how many rows were checked, now and then."""
    max_rows = settings.DATASET_MAX_ROWS
    spreadsheet = Spreadsheet(uploaded_file, settings.DATASET_MAX_BYTES, max_rows, error=DatasetFileError)
    frame = spreadsheet.first_sheet_frame(max_rows)
    if frame.columns.empty:
        raise _file_error(_("Lembar pertama berkas kosong. Isi data mulai baris 2 di bawah judul kolom templat."))
    headers = [str(c) for c in frame.columns]
    positions = _column_positions(spec, headers)
    blank_rows = frame.isna().all(axis=1).tolist()
    filled = len(blank_rows) - sum(blank_rows)
    if too_many_rows(filled, len(frame), max_rows):
        raise _file_error(too_many_rows_message(max_rows))
    if not filled:
        raise _file_error(_("Berkas tidak berisi baris data. Isi data mulai baris 2 di bawah judul kolom templat."))

    # Their value is unknown, so they are refused rather than guessed.
    errors = [
        CellError(
            row_number,
            headers[position],
            _(
                "Sel berisi rumus tanpa nilai tersimpan. "
                "Ganti rumus dengan nilainya (salin, lalu tempel sebagai nilai)."
            ),
        )
        for row_number, position in spreadsheet.formula_cells_without_value(frame)
    ]
    reader = _RowReader(spec, headers, positions, errors)
    rows = []
    values_matrix = frame.to_numpy()
    row_total = len(values_matrix)
    for index, raw in enumerate(values_matrix):
        if progress and index % PROGRESS_EVERY == 0:
            progress(index, row_total)
        if not blank_rows[index]:
            row = reader.read(index + 2, raw)
            if row is not None:
                rows.append(row)
    if progress:
        progress(row_total, row_total)
    if spec.unique and period is not None and reader.seen_unique:
        errors += _taken_by_other_agencies(spec, period, agency, reader.seen_unique)
    if errors:
        errors.sort(key=lambda e: e.row or 0)
        raise DatasetFileError(errors)
    return rows


def _column_positions(spec, headers):
    """Where each of the spec's columns is in the file (headers matched loosely); raises
    DatasetFileError when a column is missing."""
    by_header = {}
    for position, header in enumerate(headers):
        by_header.setdefault(_normalise_header(header), position)
    missing = [c.header for c in spec.columns if _normalise_header(c.header) not in by_header]
    if len(missing) == len(spec.columns):
        raise _file_error(
            _(
                "Judul kolom di baris 1 tidak dikenali: berkas ini bukan templat %(dataset)s. "
                "Unduh templat, salin data ke dalamnya, lalu unggah lagi."
            )
            % {"dataset": spec.label.lower()}
        )
    if missing:
        known = {_normalise_header(c.header) for c in spec.columns}
        unknown = [h for h in headers if _normalise_header(h) not in known and not h.startswith("Unnamed:")]
        message = _("Kolom berikut tidak ditemukan: %(missing)s.") % {"missing": ", ".join(missing)}
        if unknown:
            message += " " + _("Kolom yang tidak dikenal: %(unknown)s. Jangan mengganti judul kolom templat.") % {
                "unknown": ", ".join(unknown)
            }
        raise DatasetFileError([CellError(1, ", ".join(missing), message)])
    return [by_header[_normalise_header(c.header)] for c in spec.columns]


class _RowReader:
    """Checks the filled rows of one upload one by one: each cell, the template's example row,
    the spec's row checks and uniqueness within the file. Problems are added to `errors`, which
    comes with the cells already refused for holding a formula without a value."""

    def __init__(self, spec, headers, positions, errors):
        self.spec = spec
        self.headers = headers
        self.positions = positions
        self.errors = errors
        self.formula_cells = {(e.row, e.column) for e in errors}
        self.parser = _CellParser(spec)
        self.seen_unique = {}  # value of the spec's unique column -> row number

    def read(self, row_number, raw):
        """The row's unsaved instance, or None when the row has a problem."""
        values = self._values(row_number, raw)
        if values is None:
            return None
        if self.parser.is_example(values):
            self.errors.append(
                CellError(
                    row_number,
                    "",
                    _(
                        "Baris %(row)s masih berisi baris contoh dari templat (%(example)s). "
                        "Hapus baris contoh itu, lalu unggah lagi."
                    )
                    % {"row": row_number, "example": self.parser.example_label},
                )
            )
            return None
        row_ok = self._checked(row_number, values)
        return self.spec.model(row_number=row_number, **values) if row_ok else None

    def _values(self, row_number, raw):
        """field -> value of every cell, or None when a cell is refused."""
        values = {}
        row_ok = True
        for column, position in zip(self.spec.columns, self.positions, strict=True):
            if (row_number, self.headers[position]) in self.formula_cells:
                row_ok = False
                continue
            value, message = self.parser.parse(column, raw[position])
            if message:
                self.errors.append(CellError(row_number, column.header, message))
                row_ok = False
            values[column.field] = value
        return values if row_ok else None

    def _checked(self, row_number, values):
        """Whether the row passes the spec's row checks and is unique in the file so far."""
        row_ok = True
        for check in self.spec.row_checks:
            for field_name, message in check(values):
                self.errors.append(CellError(row_number, self.spec.column(field_name).header, message))
                row_ok = False
        if self.spec.unique:
            key = values[self.spec.unique]
            if key in self.seen_unique:
                self.errors.append(
                    CellError(
                        row_number,
                        self.spec.column(self.spec.unique).header,
                        _("%(value)s sudah dipakai di baris %(row)s; setiap baris harus unik.")
                        % {"value": key, "row": self.seen_unique[key]},
                    )
                )
                row_ok = False
            else:
                self.seen_unique[key] = row_number
        return row_ok


def _taken_by_other_agencies(spec, period, agency, seen_unique):
    """CellErrors for the file's unique values that another agency has registered in the period."""
    taken = (
        spec.model.objects.filter(period=period, **{f"{spec.unique}__in": list(seen_unique)})
        .exclude(agency=agency)
        .select_related("agency")
    )
    errors = []
    for other in taken:
        key = getattr(other, spec.unique)
        errors.append(
            CellError(
                seen_unique[key],
                spec.column(spec.unique).header,
                _("%(value)s sudah didaftarkan oleh %(agency)s pada periode ini.")
                % {"value": key, "agency": other.agency},
            )
        )
    return errors
