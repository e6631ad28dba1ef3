"""The four supporting data sets as specs, and one generic reader driven by them.

A spec names the columns of a data set's file (header, model field, type, whether required, allowed
values), the filters of its page, the checks across a row (road km adding up to the length), and the
derived figures. From a spec come the template .xlsx offered for download, the validation of an
upload and the page; there is no per-data-set copy of any of these.

Reading an upload (`read_upload`) never saves anything: it returns model instances for every row,
or raises DatasetFileError with every problem found, by row number and column name, in plain
Indonesian. Saving (all rows or none) is DatasetUpload.accept.
"""

import io
import os
import re
import zipfile
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

import openpyxl
import pandas as pd
from django.conf import settings
from django.db.models import Count, F, Q, Sum
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from .models import DatasetKind, HealthFacility, Kecamatan, RoadSegment, School, TransportFacility

KM_TOLERANCE = Decimal("0.01")
# Errors listed to the operator; the count beyond that is still given.
MAX_LISTED_ERRORS = 200
# A zip whose parts would unpack to more than this is refused (a "zip bomb" in an .xlsx).
MAX_UNPACKED_FACTOR = 20
FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
YES = {"ya", "y", "yes", "true", "1"}
NO = {"tidak", "t", "no", "false", "0"}


@dataclass
class Column:
    header: str  # exactly as in the file (the file format does not change with the UI language)
    field: str
    type: str  # text, decimal, int, choice, kecamatan, npsn, bool
    required: bool = True
    choices: type | None = None  # a TextChoices class
    max_length: int = 200
    example: object = None

    def allowed_labels(self):
        if self.type == "choice":
            return [str(label) for label in self.choices.labels]
        if self.type == "bool":
            return ["Ya", "Tidak"]
        return []


@dataclass
class CellError:
    row: int | None  # the row number in the file (1 = header row); None for the file as a whole
    column: str
    message: str


class DatasetFileError(Exception):
    """The file cannot be saved; `errors` says why, as CellErrors."""

    def __init__(self, errors, total=None):
        super().__init__(errors[0].message if errors else "")
        self.errors = errors[:MAX_LISTED_ERRORS]
        self.total = total if total is not None else len(errors)


@dataclass
class DatasetSpec:
    kind: str
    model: type
    columns: list
    filters: list  # (field, label) shown on the page
    numeric_totals: list = field(default_factory=list)
    row_checks: list = field(default_factory=list)
    unique: str | None = None  # a field that must be unique per period (NPSN)

    @property
    def label(self):
        return DatasetKind(self.kind).label

    @property
    def template_name(self):
        return f"template-{self.kind}.xlsx"

    def column(self, field_name):
        return next(c for c in self.columns if c.field == field_name)


# --- row checks ---------------------------------------------------------------------------
def _km(value):
    return f"{value.normalize():f}".replace(".", ",")


def road_km_add_up(values):
    """Surface km and condition km must each add up to the length, within 0.01 km."""
    errors = []
    length = values.get("length_km")
    if length is None:
        return errors
    groups = [
        (
            ["aspal_km", "lapen_km", "beton_km", "kerikil_km", "tanah_km"],
            _("permukaan (aspal + lapen + beton + kerikil + tanah)"),
        ),
        (
            ["baik_km", "sedang_km", "rusak_ringan_km", "rusak_berat_km"],
            _("kondisi (baik + sedang + rusak ringan + rusak berat)"),
        ),
    ]
    for fields, what in groups:
        parts = [values.get(f) for f in fields]
        if any(p is None for p in parts):
            continue
        total = sum(parts, Decimal(0))
        if abs(total - length) > KM_TOLERANCE:
            errors.append(
                (
                    "length_km",
                    _("Jumlah km %(what)s adalah %(total)s km, tidak sama dengan panjang ruas %(length)s km.")
                    % {"what": what, "total": _km(total), "length": _km(length)},
                )
            )
    return errors


# --- the four specs ---------------------------------------------------------------------------
def _km_column(header, field_name, example):
    return Column(header, field_name, "decimal", example=example)


SPECS = {
    DatasetKind.JALAN: DatasetSpec(
        kind=DatasetKind.JALAN,
        model=RoadSegment,
        columns=[
            Column("No. ruas", "road_number", "text", max_length=30, example="045"),
            Column("Nama ruas", "name", "text", example="Jl. Soekarno-Hatta"),
            Column("Kecamatan", "kecamatan", "kecamatan", example="Sangatta Utara"),
            Column("Status jalan", "status", "choice", choices=RoadSegment.Status, example="Kabupaten"),
            Column("Fungsi", "function", "choice", choices=RoadSegment.Function, example="Kolektor"),
            _km_column("Panjang (km)", "length_km", 10.5),
            Column("Lebar (m)", "width_m", "decimal", example=6),
            _km_column("Aspal (km)", "aspal_km", 8),
            _km_column("Lapen (km)", "lapen_km", 0),
            _km_column("Beton (km)", "beton_km", 1.5),
            _km_column("Kerikil (km)", "kerikil_km", 1),
            _km_column("Tanah (km)", "tanah_km", 0),
            _km_column("Baik (km)", "baik_km", 6),
            _km_column("Sedang (km)", "sedang_km", 2.5),
            _km_column("Rusak ringan (km)", "rusak_ringan_km", 1.5),
            _km_column("Rusak berat (km)", "rusak_berat_km", 0.5),
        ],
        filters=[
            ("kecamatan", gettext_lazy("Kecamatan")),
            ("function", gettext_lazy("Fungsi")),
            ("status", gettext_lazy("Status jalan")),
        ],
        numeric_totals=["length_km", "baik_km", "sedang_km", "rusak_ringan_km", "rusak_berat_km"],
        row_checks=[road_km_add_up],
    ),
    DatasetKind.PENDIDIKAN: DatasetSpec(
        kind=DatasetKind.PENDIDIKAN,
        model=School,
        columns=[
            Column("NPSN", "npsn", "npsn", example="30401234"),
            Column("Nama sekolah", "name", "text", example="SD Negeri 001 Sangatta Utara"),
            Column("Jenjang", "level", "choice", choices=School.Level, example="SD/MI"),
            Column("Negeri/Swasta", "ownership", "choice", choices=School.Ownership, example="Negeri"),
            Column("Kecamatan", "kecamatan", "kecamatan", example="Sangatta Utara"),
            Column("Desa/Kelurahan", "desa", "text", required=False, max_length=100, example="Teluk Lingga"),
            Column("Akreditasi", "accreditation", "choice", choices=School.Accreditation, example="A"),
            Column("Jumlah siswa", "students", "int", example=420),
            Column("Ruang kelas", "classrooms", "int", example=12),
            Column("Jumlah guru", "teachers", "int", example=18),
            Column("Daya tampung", "capacity", "int", example=450),
        ],
        filters=[
            ("kecamatan", gettext_lazy("Kecamatan")),
            ("level", gettext_lazy("Jenjang")),
            ("ownership", gettext_lazy("Negeri/Swasta")),
        ],
        numeric_totals=["students", "classrooms", "teachers", "capacity"],
        unique="npsn",
    ),
    DatasetKind.KESEHATAN: DatasetSpec(
        kind=DatasetKind.KESEHATAN,
        model=HealthFacility,
        columns=[
            Column("Kode fasilitas", "code", "text", max_length=30, example="P6408010101"),
            Column("Nama fasilitas", "name", "text", example="Puskesmas Sangatta Utara"),
            Column("Jenis", "type", "choice", choices=HealthFacility.Type, example="Puskesmas rawat inap"),
            Column("Kecamatan", "kecamatan", "kecamatan", example="Sangatta Utara"),
            Column("Tempat tidur", "beds", "int", example=20),
            Column("Dokter", "doctors", "int", example=4),
            Column("Perawat", "nurses", "int", example=15),
            Column("Bidan", "midwives", "int", example=10),
            Column("Akreditasi", "accreditation", "choice", choices=HealthFacility.Accreditation, example="Madya"),
            Column("Layanan daring", "online_services", "bool", example="Ya"),
        ],
        filters=[
            ("kecamatan", gettext_lazy("Kecamatan")),
            ("type", gettext_lazy("Jenis")),
            ("accreditation", gettext_lazy("Akreditasi")),
        ],
        numeric_totals=["beds", "doctors", "nurses", "midwives"],
    ),
    DatasetKind.TRANSPORTASI: DatasetSpec(
        kind=DatasetKind.TRANSPORTASI,
        model=TransportFacility,
        columns=[
            Column("Jenis", "type", "choice", choices=TransportFacility.Type, example="Terminal tipe B"),
            Column("Nama", "name", "text", example="Terminal Sangatta"),
            Column("Kecamatan", "kecamatan", "kecamatan", example="Sangatta Utara"),
            Column("Pengelola", "operator", "text", required=False, example="Dishub Kutai Timur"),
            Column("Status", "status", "choice", choices=TransportFacility.Status, example="Beroperasi"),
            Column("Kapasitas", "capacity", "int", required=False, example=40),
            Column(
                "Kondisi", "condition", "choice", required=False, choices=TransportFacility.Condition, example="Baik"
            ),
        ],
        filters=[
            ("kecamatan", gettext_lazy("Kecamatan")),
            ("type", gettext_lazy("Jenis")),
            ("status", gettext_lazy("Status")),
        ],
        numeric_totals=["capacity"],
    ),
}


def get_spec(kind):
    return SPECS[DatasetKind(kind)]


# --- template ---------------------------------------------------------------------------------
def build_template(spec):
    """The .xlsx an operator fills in: headers, one example row, dropdowns for allowed values
    (listed on a second sheet, so long lists such as the 18 kecamatan fit)."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Data"
    lists = wb.create_sheet("Pilihan")
    ws.append([c.header for c in spec.columns])
    ws.append([c.example for c in spec.columns])
    header_fill = PatternFill("solid", fgColor="DDEBF7")
    kecamatan_names = list(Kecamatan.objects.order_by("code").values_list("name", flat=True))
    list_col = 0
    for index, column in enumerate(spec.columns, start=1):
        letter = get_column_letter(index)
        cell = ws.cell(row=1, column=index)
        cell.font = Font(bold=True)
        cell.fill = header_fill
        ws.column_dimensions[letter].width = max(12, len(column.header) + 4)
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
def _corrupt_message():
    return _("Berkas .xlsx rusak dan tidak dapat dibaca. Simpan ulang dari Excel, lalu unggah lagi.")


def _file_error(message):
    return DatasetFileError([CellError(None, "", message)])


def _check_container(uploaded_file):
    """Size, extension and that the content is really an .xlsx (a zip with the workbook parts);
    returns the names of the worksheet parts that hold formulas."""
    if uploaded_file.size > settings.DATASET_MAX_BYTES:
        raise _file_error(
            _(
                "Berkas terlalu besar (%(size)s). Batasnya %(limit)s; "
                "hapus lembar, gambar atau baris yang tidak perlu, lalu unggah lagi."
            )
            % {"size": filesizeformat(uploaded_file.size), "limit": filesizeformat(settings.DATASET_MAX_BYTES)}
        )
    if os.path.splitext(uploaded_file.name or "")[1].lower() != ".xlsx":
        raise _file_error(_("Berkas harus berformat Excel .xlsx. Unduh templat, isi, lalu unggah kembali."))
    uploaded_file.seek(0)
    try:
        with zipfile.ZipFile(uploaded_file) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if "xl/workbook.xml" not in names:
                raise _file_error(
                    _("Berkas ini bukan berkas Excel .xlsx (mungkin PDF, CSV atau dokumen lain yang diganti namanya).")
                )
            unpacked = sum(info.file_size for info in infos)
            if unpacked > MAX_UNPACKED_FACTOR * settings.DATASET_MAX_BYTES:
                raise _file_error(_("Isi berkas terlalu besar untuk dibaca. Bagi data menjadi beberapa berkas."))
            with_formulas = [
                info.filename
                for info in infos
                if info.filename.startswith("xl/worksheets/")
                and info.filename.endswith(".xml")
                and _has_formula(archive, info)
            ]
    except (zipfile.BadZipFile, OSError, RuntimeError, ValueError, NotImplementedError, EOFError):
        uploaded_file.seek(0)
        if uploaded_file.read(4) == b"PK\x03\x04":
            # It starts like an .xlsx but its archive is broken (cut off while copying, say).
            raise _file_error(_corrupt_message()) from None
        raise _file_error(
            _("Berkas ini bukan berkas Excel .xlsx (mungkin PDF, CSV atau dokumen lain yang diganti namanya).")
        ) from None
    finally:
        uploaded_file.seek(0)
    return with_formulas


def _has_formula(archive, info, chunk_size=1024 * 1024):
    """Scan a worksheet part for formula cells in chunks, so a big sheet is never held whole."""
    tail = b""
    with archive.open(info) as part:
        while chunk := part.read(chunk_size):
            if FORMULA_TAG.search(tail + chunk):
                return True
            tail = chunk[-16:]
    return False


def _read_frame(uploaded_file, max_rows):
    try:
        # dtype=object keeps every cell as Excel typed it (number, text, date) so that we judge
        # it ourselves; openpyxl hands pandas the value Excel stored for a formula, never its text.
        # nrows caps what a huge sheet costs; blank rows count towards it, hence the slack.
        frame = pd.read_excel(uploaded_file, sheet_name=0, dtype=object, engine="openpyxl", nrows=2 * max_rows + 1)
    except Exception:  # noqa: BLE001  (any failure inside a broken workbook means the same to the operator)
        raise _file_error(_corrupt_message()) from None
    finally:
        uploaded_file.seek(0)
    return frame


def _formula_cells_without_value(uploaded_file, frame, headers):
    """Cells holding a formula for which Excel stored no value (e.g. a file written by a
    program): their value is unknown, so they are refused rather than guessed."""
    uploaded_file.seek(0)
    try:
        wb = openpyxl.load_workbook(uploaded_file, read_only=True, data_only=False)
        ws = wb.worksheets[0]
        found = []
        for row in ws.iter_rows(min_row=2, max_row=len(frame) + 1):
            for cell in row:
                if getattr(cell, "data_type", None) == "f":
                    index = cell.row - 2
                    col = cell.column - 1
                    if col < len(frame.columns) and pd.isna(frame.iat[index, col]):
                        found.append((cell.row, headers[col] if col < len(headers) else cell.coordinate))
        wb.close()
    finally:
        uploaded_file.seek(0)
    return found


def _normalise_header(value):
    return " ".join(str(value).split()).casefold()


def _is_blank(value):
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _show(value):
    text = str(value).strip()
    return text if len(text) <= 40 else text[:37] + "..."


class _CellParser:
    """Turns one cell into the model's value, or an Indonesian message."""

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

    def parse(self, column, value):
        if _is_blank(value):
            if column.required:
                return None, _("Wajib diisi.")
            return ("" if column.type in {"text", "choice"} else None), None
        if isinstance(value, str) and value.strip().startswith("="):
            return None, _("Berisi rumus sebagai teks (%(value)s). Isi dengan nilainya saja.") % {"value": _show(value)}
        return getattr(self, f"parse_{column.type}")(column, value)

    def parse_text(self, column, value):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = " ".join(str(value).split())
        if len(text) > column.max_length:
            return None, _("Terlalu panjang: paling banyak %(n)s karakter.") % {"n": column.max_length}
        return text, None

    def _number(self, value):
        if isinstance(value, bool):
            return None
        if isinstance(value, (int, float)):
            return Decimal(str(value))
        text = str(value).strip().replace(" ", "")
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            return None
        return number if number.is_finite() else None

    def parse_decimal(self, column, value):
        number = self._number(value)
        if number is None:
            return None, _('Harus berupa angka, bukan "%(value)s".') % {"value": _show(value)}
        if number < 0:
            return None, _("Tidak boleh negatif.")
        if number >= Decimal("1000000"):
            return None, _("Angka terlalu besar.")
        return number.quantize(Decimal("0.001")), None

    def parse_int(self, column, value):
        number = self._number(value)
        if number is None:
            return None, _('Harus berupa bilangan bulat, bukan "%(value)s".') % {"value": _show(value)}
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
                "value": _show(value),
                "allowed": ", ".join(column.allowed_labels()),
            }
        return found, None

    def parse_bool(self, column, value):
        text = str(value).strip().casefold()
        if isinstance(value, bool):
            return value, None
        if text in YES:
            return True, None
        if text in NO:
            return False, None
        return None, _('Isi dengan Ya atau Tidak, bukan "%(value)s".') % {"value": _show(value)}

    def parse_kecamatan(self, column, value):
        found = self.kecamatan.get(" ".join(str(value).split()).casefold())
        if found is None:
            return None, _(
                'Kecamatan "%(value)s" tidak dikenal. Gunakan nama kecamatan di Kutai Timur dari daftar pilihan.'
            ) % {"value": _show(value)}
        return found, None

    def parse_npsn(self, column, value):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        text = str(value).strip()
        if not re.fullmatch(r"\d{8}", text):
            return None, _('NPSN harus 8 angka, bukan "%(value)s".') % {"value": _show(value)}
        return text, None


def read_upload(spec, uploaded_file, period=None, agency=None):
    """Validate every cell of an uploaded file against `spec`; return unsaved model instances
    for all rows, or raise DatasetFileError listing every problem."""
    max_rows = settings.DATASET_MAX_ROWS
    with_formulas = _check_container(uploaded_file)
    frame = _read_frame(uploaded_file, max_rows)
    if frame.columns.empty:
        raise _file_error(_("Lembar pertama berkas kosong. Isi data mulai baris 2 di bawah judul kolom templat."))
    headers = [str(c) for c in frame.columns]
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
    blank_rows = frame.isna().all(axis=1).tolist()
    filled = len(blank_rows) - sum(blank_rows)
    if filled > max_rows or len(frame) > 2 * max_rows:
        raise _file_error(
            _(
                "Berkas berisi lebih dari %(max)s baris data, batas yang diizinkan. "
                "Hapus baris yang tidak perlu atau hubungi koordinator."
            )
            % {"max": f"{max_rows:,}".replace(",", ".")}
        )
    positions = [by_header[_normalise_header(c.header)] for c in spec.columns]
    if not filled:
        raise _file_error(_("Berkas tidak berisi baris data. Isi data mulai baris 2 di bawah judul kolom templat."))

    errors = []
    if with_formulas:
        for row_number, column_name in _formula_cells_without_value(uploaded_file, frame, headers):
            errors.append(
                CellError(
                    row_number,
                    column_name,
                    _(
                        "Sel berisi rumus tanpa nilai tersimpan. "
                        "Ganti rumus dengan nilainya (salin, lalu tempel sebagai nilai)."
                    ),
                )
            )
    formula_cells = {(e.row, e.column) for e in errors}

    parser = _CellParser(spec)
    rows = []
    seen_unique = {}
    values_matrix = frame.to_numpy()
    for index, raw in enumerate(values_matrix):
        if blank_rows[index]:
            continue
        row_number = index + 2
        values = {}
        row_ok = True
        for column, position in zip(spec.columns, positions, strict=True):
            if (row_number, headers[position]) in formula_cells:
                row_ok = False
                continue
            value, message = parser.parse(column, raw[position])
            if message:
                errors.append(CellError(row_number, column.header, message))
                row_ok = False
            values[column.field] = value
        if not row_ok:
            continue
        for check in spec.row_checks:
            for field_name, message in check(values):
                errors.append(CellError(row_number, spec.column(field_name).header, message))
                row_ok = False
        if spec.unique:
            key = values[spec.unique]
            if key in seen_unique:
                errors.append(
                    CellError(
                        row_number,
                        spec.column(spec.unique).header,
                        _("%(value)s sudah dipakai di baris %(row)s; setiap baris harus unik.")
                        % {"value": key, "row": seen_unique[key]},
                    )
                )
                row_ok = False
            else:
                seen_unique[key] = row_number
        if row_ok:
            rows.append(spec.model(row_number=row_number, **values))

    if spec.unique and period is not None and seen_unique:
        taken = (
            spec.model.objects.filter(period=period, **{f"{spec.unique}__in": list(seen_unique)})
            .exclude(agency=agency)
            .select_related("agency")
        )
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
    if errors:
        errors.sort(key=lambda e: e.row or 0)
        raise DatasetFileError(errors)
    return rows


# --- derived figures (aggregate queries) ------------------------------------------------------
def _pct(part, whole):
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(Decimal("0.01"))


def derived_figures(spec, rows):
    """The figures of a data set's page, from `rows` (a filtered queryset), as tables:
    [{"title", "headers", "rows", "numeric"}]. A fixed number of queries."""
    if spec.kind == DatasetKind.JALAN:
        mantap = F("baik_km") + F("sedang_km")
        overall = rows.aggregate(length=Sum("length_km"), mantap=Sum(mantap))
        by_kecamatan = (
            rows.values("kecamatan__name", "kecamatan__code")
            .annotate(length=Sum("length_km"), mantap=Sum(mantap), segments=Count("pk"))
            .order_by("kecamatan__code")
        )
        table = [
            [r["kecamatan__name"], r["segments"], r["length"], r["mantap"], _pct(r["mantap"], r["length"])]
            for r in by_kecamatan
        ]
        table.append(
            [
                _("Seluruh kabupaten"),
                sum(r[1] for r in table),
                overall["length"],
                overall["mantap"],
                _pct(overall["mantap"], overall["length"]),
            ]
        )
        return [
            {
                "title": _("Jalan mantap (baik + sedang) per kecamatan"),
                "headers": [
                    _("Kecamatan"),
                    _("Ruas"),
                    _("Panjang (km)"),
                    _("Jalan mantap (km)"),
                    _("Jalan mantap (%)"),
                ],
                "rows": table,
                "summary": {
                    "mantap_km": overall["mantap"],
                    "mantap_pct": _pct(overall["mantap"], overall["length"]),
                    "length_km": overall["length"],
                },
            }
        ]
    if spec.kind == DatasetKind.PENDIDIKAN:
        grouped = (
            rows.values("kecamatan__name", "kecamatan__code", "level")
            .annotate(schools=Count("pk"), students=Sum("students"), capacity=Sum("capacity"))
            .order_by("kecamatan__code", "level")
        )
        levels = dict(School.Level.choices)
        return [
            {
                "title": _("Daya tampung per kecamatan dan jenjang"),
                "headers": [
                    _("Kecamatan"),
                    _("Jenjang"),
                    _("Sekolah"),
                    _("Siswa"),
                    _("Daya tampung"),
                    _("Keterisian (%)"),
                ],
                "rows": [
                    [
                        r["kecamatan__name"],
                        levels.get(r["level"], r["level"]),
                        r["schools"],
                        r["students"],
                        r["capacity"],
                        _pct(r["students"], r["capacity"]),
                    ]
                    for r in grouped
                ],
            }
        ]
    if spec.kind == DatasetKind.KESEHATAN:
        grouped = (
            rows.values("kecamatan__name", "kecamatan__code")
            .annotate(
                facilities=Count("pk"),
                beds=Sum("beds"),
                doctors=Sum("doctors"),
                nurses=Sum("nurses"),
                midwives=Sum("midwives"),
                online=Count("pk", filter=Q(online_services=True)),
            )
            .order_by("kecamatan__code")
        )
        return [
            {
                "title": _("Tempat tidur dan tenaga kesehatan per kecamatan"),
                "headers": [
                    _("Kecamatan"),
                    _("Fasilitas"),
                    _("Tempat tidur"),
                    _("Dokter"),
                    _("Perawat"),
                    _("Bidan"),
                    _("Layanan daring"),
                ],
                "rows": [
                    [
                        r["kecamatan__name"],
                        r["facilities"],
                        r["beds"],
                        r["doctors"],
                        r["nurses"],
                        r["midwives"],
                        r["online"],
                    ]
                    for r in grouped
                ],
            }
        ]
    grouped = (
        rows.values("type", "status")
        .annotate(facilities=Count("pk"), capacity=Sum("capacity"))
        .order_by("type", "status")
    )
    types = dict(TransportFacility.Type.choices)
    statuses = dict(TransportFacility.Status.choices)
    return [
        {
            "title": _("Sarana transportasi per jenis dan status"),
            "headers": [_("Jenis"), _("Status"), _("Jumlah"), _("Kapasitas")],
            "rows": [
                [
                    types.get(r["type"], r["type"]),
                    statuses.get(r["status"], r["status"]),
                    r["facilities"],
                    r["capacity"],
                ]
                for r in grouped
            ],
        }
    ]
