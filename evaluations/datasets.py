"""The four supporting data sets as specs: one DatasetSpec per data set, in SPECS.

A spec names the columns of a data set's file (header, model field, type, whether required, allowed
values), the filters of its page, the checks across a row (road_km_add_up: road km adding up to the
length) and its derived figures (road_figures and the like). From a spec come the template .xlsx
offered for download and the reading of an upload (excel/datasets.py), the page and the export
sheet; there is no per-data-set copy of any of these. for_page assembles a data set's page (its
filters, one page of rows as displayed, totals and figures).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.paginator import Paginator
from django.db.models import Count, F, Q, Sum
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import DatasetKind, HealthFacility, Kecamatan, RoadSegment, School, TransportFacility

KM_TOLERANCE = Decimal("0.01")
ROWS_PER_PAGE = 100


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
class DatasetSpec:
    kind: str
    model: type
    columns: list
    filters: list  # (field, label) shown on the page
    # rows (a filtered queryset) -> the tables of the page and the export sheet:
    # [{"title", "headers", "rows"}], in a fixed number of queries.
    figures: Callable
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


# --- derived figures (aggregate queries) ------------------------------------------------------
def _pct(part, whole):
    if not whole:
        return None
    return (Decimal(part or 0) * 100 / Decimal(whole)).quantize(Decimal("0.01"))


def road_figures(rows):
    """Jalan mantap (baik + sedang) in km and % per kecamatan and for the whole kabupaten."""
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


def school_figures(rows):
    """Capacity and how full it is, per kecamatan and level."""
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


def health_figures(rows):
    """Beds and health staff per kecamatan."""
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


def transport_figures(rows):
    """Transport facilities counted by type and status."""
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
        figures=road_figures,
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
        figures=school_figures,
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
        figures=health_figures,
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
        figures=transport_figures,
        numeric_totals=["capacity"],
    ),
}


def get_spec(kind):
    return SPECS[DatasetKind(kind)]


# --- the page -------------------------------------------------------------------------------
def for_page(spec, period, params):
    """A data set's page: the rows of every agency with the filters chosen in `params` (the GET
    parameters; a value that is no option filters nothing), one page of them (?halaman=) as
    displayed, the totals and the derived figures of all the filtered rows. A fixed number of
    queries whatever the number of rows (one page of rows, aggregates for the rest)."""
    filters, filter_options = _filters(spec, params)
    rows = spec.model.objects.for_page(period, filters)
    totals = rows.aggregate(**{name: Sum(name) for name in spec.numeric_totals})
    ordered = rows.order_by("kecamatan__code", "agency__name", "row_number")
    page = Paginator(ordered, ROWS_PER_PAGE).get_page(params.get("halaman"))
    return {
        "filters": filter_options,
        "page": page,
        "table": [[display(c, row) for c in spec.columns] for row in page.object_list],
        "total_cells": [_number(totals[c.field], c) if totals.get(c.field) is not None else "" for c in spec.columns],
        "row_count": page.paginator.count,
        "figures": spec.figures(rows),
    }


def _filters(spec, params):
    """The filters `params` choose among spec.filters, and each filter's options for the page."""
    filters, options_shown = {}, []
    kecamatan_list = list(Kecamatan.objects.all())
    for field_name, label in spec.filters:
        raw = params.get(field_name, "")
        if field_name == "kecamatan":
            options = [(str(k.pk), k.name) for k in kecamatan_list]
        else:
            options = list(spec.model._meta.get_field(field_name).choices)
        if raw and raw in {str(v) for v, _label in options}:
            filters[field_name] = raw
        options_shown.append(
            {"field": field_name, "label": label, "options": options, "selected": filters.get(field_name, "")}
        )
    return filters, options_shown


def _number(value, column):
    return number_format(value, decimal_pos=2 if column.type == "decimal" else None, use_l10n=True, force_grouping=True)


def display(column, row):
    """A cell of the page as people read it: choice labels, Ya/Tidak, Indonesian numbers."""
    value = getattr(row, column.field)
    if column.type == "choice":
        return getattr(row, f"get_{column.field}_display")() if value else ""
    if column.type == "bool":
        return _("Ya") if value else _("Tidak")
    if column.type == "decimal":
        return number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    if column.type == "int" and value is not None:
        return number_format(value, use_l10n=True, force_grouping=True)
    return "" if value is None else value
