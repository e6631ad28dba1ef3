"""The data-set specs: template, reading and validating a file, saving, deleting, derived figures."""

import io
import zipfile
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile

from evaluations.datasets import get_spec
from evaluations.excel.datasets import DatasetFileError, build_template, read_upload
from evaluations.models import DatasetUpload, HealthFacility, RoadSegment, School, TransportFacility

from .factories import HEALTH_ROW, ROAD_ROW, SCHOOL_ROW, TRANSPORT_ROW, make_period, make_xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]


def road(**changes):
    row = list(ROAD_ROW)
    headers = [c.header for c in get_spec("jalan").columns]
    for header, value in changes.items():
        row[headers.index(header.replace("_", " "))] = value
    return row


def errors_of(kind, upload, period=None, agency=None):
    with pytest.raises(DatasetFileError) as caught:
        read_upload(get_spec(kind), upload, period, agency)
    return caught.value.errors


@pytest.mark.parametrize(
    "kind,row",
    [("jalan", ROAD_ROW), ("pendidikan", SCHOOL_ROW), ("kesehatan", HEALTH_ROW), ("transportasi", TRANSPORT_ROW)],
)
def test_a_valid_row_of_each_data_set_is_read_into_a_typed_instance(kind, row, period, agency_a):
    [instance] = read_upload(get_spec(kind), make_xlsx([row], kind=kind), period, agency_a)
    assert instance.row_number == 2
    assert instance.kecamatan.name in {"Sangatta Utara", "Bengalon"}


@pytest.mark.parametrize("kind", ["jalan", "pendidikan", "kesehatan", "transportasi"])
def test_the_example_row_copied_into_the_data_sheet_is_refused_and_is_its_only_error(kind, period, agency_a):
    # Its only error: the example itself is a valid row, recognised only as the example.
    example = [c.example for c in get_spec(kind).columns]
    [error] = errors_of(kind, make_xlsx([example], kind=kind), period, agency_a)
    assert error.row == 2
    assert error.message.startswith("Baris 2 masih berisi baris contoh dari templat (")


def test_the_template_keeps_its_example_row_on_the_contoh_sheet_and_the_data_sheet_empty():
    wb = openpyxl.load_workbook(io.BytesIO(build_template(get_spec("jalan"))))
    assert wb.sheetnames == ["Data", "Contoh", "Pilihan"]
    assert wb["Data"].max_row == 1
    example = wb["Contoh"]
    assert [c.value for c in example[1]][:3] == ["No. ruas", "Nama ruas", "Kecamatan"]
    assert [c.value for c in example[2]][:4] == ["045", "Jl. Soekarno-Hatta", "Sangatta Utara", "Kabupaten"]
    assert example["A4"].value == "Baris di atas hanya contoh. Isi data di lembar Data, mulai baris 2."


def test_the_template_as_downloaded_is_refused_as_holding_no_rows(period, agency_a):
    template = SimpleUploadedFile("templat-jalan.xlsx", build_template(get_spec("jalan")))
    [error] = errors_of("jalan", template, period, agency_a)
    assert "tidak berisi baris data" in error.message


def test_the_template_has_headers_and_dropdowns_for_allowed_values():
    wb = openpyxl.load_workbook(io.BytesIO(build_template(get_spec("jalan"))))
    ws = wb["Data"]
    assert [c.value for c in ws[1]][:3] == ["No. ruas", "Nama ruas", "Kecamatan"]
    ranges = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert set(ranges) == {"C2", "D2", "E2"}  # kecamatan, status jalan, fungsi
    lists = wb["Pilihan"]
    assert "Sangatta Utara" in [c.value for c in lists["A"]]
    assert [c.value for c in lists["B"]][1:5] == ["Nasional", "Provinsi", "Kabupaten", "Desa"]


def test_allowed_values_are_read_by_label_or_code_whatever_the_case(period, agency_a):
    row = road(**{"Status jalan": "KABUPATEN", "Fungsi": "lokal", "Kecamatan": "64.08.09"})
    [segment] = read_upload(get_spec("jalan"), make_xlsx([row]), period, agency_a)
    assert (segment.status, segment.function, segment.kecamatan.name) == ("kabupaten", "lokal", "Bengalon")


def test_numbers_typed_as_text_with_a_decimal_comma_are_read(period, agency_a):
    row = road(**{"Panjang (km)": "10,0", "Lebar (m)": "5,5"})
    [segment] = read_upload(get_spec("jalan"), make_xlsx([row]), period, agency_a)
    assert segment.width_m == Decimal("5.5")


def test_a_count_with_non_breaking_spaces_between_thousands_is_read(period, agency_a):
    row = list(SCHOOL_ROW)
    row[7], row[10] = "1\u00a0040", "1\u00a0200"
    [school] = read_upload(get_spec("pendidikan"), make_xlsx([row], kind="pendidikan"), period, agency_a)
    assert (school.students, school.capacity) == (1040, 1200)


def test_a_yes_no_cell_written_as_benar_is_read(period, agency_a):
    row = list(HEALTH_ROW)
    row[9] = "Benar"
    [facility] = read_upload(get_spec("kesehatan"), make_xlsx([row], kind="kesehatan"), period, agency_a)
    assert facility.online_services is True


def test_road_km_within_a_hundredth_of_the_length_are_accepted(period, agency_a):
    row = road(**{"Baik (km)": 6.005, "Tanah (km)": 0.009})
    assert len(read_upload(get_spec("jalan"), make_xlsx([row]), period, agency_a)) == 1


def test_surface_km_not_adding_up_to_the_length_is_reported_on_the_length_column(period, agency_a):
    [error] = errors_of("jalan", make_xlsx([road(**{"Aspal (km)": 9})]), period, agency_a)
    assert (error.row, error.column) == (2, "Panjang (km)")
    assert "permukaan" in error.message and "11 km" in error.message


def test_errors_name_the_row_number_of_the_file_skipping_blank_rows(period, agency_a):
    upload = make_xlsx([ROAD_ROW, [None] * 16, road(**{"Lebar (m)": "lebar"})])
    [error] = errors_of("jalan", upload, period, agency_a)
    assert (error.row, error.column) == (4, "Lebar (m)")


def test_every_bad_cell_is_reported_not_only_the_first(period, agency_a):
    upload = make_xlsx([road(**{"Lebar (m)": "x", "Fungsi": "Tol"}), road(**{"Kecamatan": "Samarinda"})])
    assert [(e.row, e.column) for e in errors_of("jalan", upload, period, agency_a)] == [
        (2, "Fungsi"),
        (2, "Lebar (m)"),
        (3, "Kecamatan"),
    ]


def test_an_empty_required_cell_is_reported(period, agency_a):
    [error] = errors_of("jalan", make_xlsx([road(**{"Nama ruas": None})]), period, agency_a)
    assert (error.column, error.message) == ("Nama ruas", "Wajib diisi.")


def test_optional_cells_may_stay_empty(period, agency_a):
    row = list(TRANSPORT_ROW)
    row[3] = row[5] = row[6] = None
    [facility] = read_upload(get_spec("transportasi"), make_xlsx([row], kind="transportasi"), period, agency_a)
    assert (facility.operator, facility.capacity, facility.condition) == ("", None, "")


def test_an_npsn_typed_as_a_number_is_read_as_its_8_digits(period, agency_a):
    row = list(SCHOOL_ROW)
    row[0] = 30401234
    [school] = read_upload(get_spec("pendidikan"), make_xlsx([row], kind="pendidikan"), period, agency_a)
    assert school.npsn == "30401234"


def test_a_fractional_count_is_refused(period, agency_a):
    row = list(SCHOOL_ROW)
    row[7] = 10.5
    [error] = errors_of("pendidikan", make_xlsx([row], kind="pendidikan"), period, agency_a)
    assert error.column == "Jumlah siswa" and "bilangan bulat" in error.message


def _with_cached_formula_value(upload, formula, value):
    """openpyxl writes formulas without the value Excel would store; add one, as Excel does."""
    source = zipfile.ZipFile(io.BytesIO(upload.read()))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(f"<f>{formula}</f><v />".encode(), f"<f>{formula}</f><v>{value}</v>".encode())
            target.writestr(item, data)
    return SimpleUploadedFile(upload.name, out.getvalue())


def test_a_formula_with_a_stored_value_is_read_as_that_value(period, agency_a):
    upload = _with_cached_formula_value(make_xlsx([road(**{"Panjang (km)": "=4+6"})]), "4+6", "10")
    [segment] = read_upload(get_spec("jalan"), upload, period, agency_a)
    assert segment.length_km == Decimal("10")


def test_accepting_an_upload_replaces_only_that_agency_s_rows_for_that_period(
    period, agency_a, agency_b, operator_a, operator_b
):
    spec = get_spec("jalan")
    other_period = make_period(year=2031)
    for agency, user in [(agency_a, operator_a), (agency_b, operator_b)]:
        DatasetUpload.accept(
            period, agency, "jalan", make_xlsx([ROAD_ROW]), user, read_upload(spec, make_xlsx([ROAD_ROW]))
        )
    DatasetUpload.accept(
        other_period, agency_a, "jalan", make_xlsx([ROAD_ROW]), operator_a, read_upload(spec, make_xlsx([ROAD_ROW]))
    )
    rows = read_upload(spec, make_xlsx([road(**{"Nama ruas": "Baru 1"}), road(**{"Nama ruas": "Baru 2"})]))
    DatasetUpload.accept(period, agency_a, "jalan", make_xlsx([ROAD_ROW]), operator_a, rows)
    assert sorted(RoadSegment.objects.filter(period=period, agency=agency_a).values_list("name", flat=True)) == [
        "Baru 1",
        "Baru 2",
    ]
    assert RoadSegment.objects.filter(period=period, agency=agency_b).count() == 1
    assert RoadSegment.objects.filter(period=other_period).count() == 1


def test_an_operator_cannot_save_rows_for_another_agency(period, agency_b, operator_a):
    with pytest.raises(PermissionDenied):
        DatasetUpload.accept(period, agency_b, "jalan", make_xlsx([ROAD_ROW]), operator_a, [])
    assert not DatasetUpload.objects.exists()


def test_an_npsn_taken_by_another_agency_in_the_period_is_refused(period, agency_a, agency_b, operator_b):
    spec = get_spec("pendidikan")
    DatasetUpload.accept(
        period,
        agency_b,
        "pendidikan",
        make_xlsx([SCHOOL_ROW], kind="pendidikan"),
        operator_b,
        read_upload(spec, make_xlsx([SCHOOL_ROW], kind="pendidikan")),
    )
    [error] = errors_of("pendidikan", make_xlsx([SCHOOL_ROW], kind="pendidikan"), period, agency_a)
    assert "Bappeda" in error.message


def test_deleting_an_upload_removes_its_rows_and_keeps_it_in_the_history(period, agency_a, operator_a, coordinator):
    upload = DatasetUpload.accept(
        period,
        agency_a,
        "jalan",
        make_xlsx([ROAD_ROW]),
        operator_a,
        read_upload(get_spec("jalan"), make_xlsx([ROAD_ROW])),
    )
    upload.delete_by(coordinator)
    upload.refresh_from_db()
    assert upload.is_deleted() and upload.deleted_by == coordinator
    assert not RoadSegment.objects.exists()
    assert DatasetUpload.objects.current(period, agency_a, "jalan") is None


def test_an_operator_cannot_delete_an_upload(period, agency_a, operator_a):
    upload = DatasetUpload.accept(
        period,
        agency_a,
        "jalan",
        make_xlsx([ROAD_ROW]),
        operator_a,
        read_upload(get_spec("jalan"), make_xlsx([ROAD_ROW])),
    )
    with pytest.raises(PermissionDenied):
        upload.delete_by(operator_a)
    assert RoadSegment.objects.count() == 1


def _save(kind, rows, period, agency, user):
    spec = get_spec(kind)
    DatasetUpload.accept(
        period, agency, kind, make_xlsx(rows, kind=kind), user, read_upload(spec, make_xlsx(rows, kind=kind))
    )
    return spec


def test_jalan_mantap_is_baik_plus_sedang_in_km_and_percent_overall_and_by_kecamatan(period, agency_a, operator_a):
    rows = [
        road(),  # Sangatta Utara: 10 km, 6 baik + 2 sedang
        road(
            **{
                "Kecamatan": "Bengalon",
                "Panjang (km)": 5,
                "Aspal (km)": 5,
                "Beton (km)": 0,
                "Baik (km)": 1,
                "Sedang (km)": 0,
                "Rusak ringan (km)": 2,
                "Rusak berat (km)": 2,
            }
        ),
    ]
    spec = _save("jalan", rows, period, agency_a, operator_a)
    [figure] = spec.figures(RoadSegment.objects.filter(period=period))
    assert figure["summary"]["mantap_km"] == Decimal("9")
    assert figure["summary"]["mantap_pct"] == Decimal("60.00")
    by_name = {r[0]: r for r in figure["rows"]}
    assert by_name["Sangatta Utara"][3:] == [Decimal("8"), Decimal("80.00")]
    assert by_name["Bengalon"][3:] == [Decimal("1"), Decimal("20.00")]


def test_school_capacity_is_summed_by_kecamatan_and_level(period, agency_a, operator_a):
    second = list(SCHOOL_ROW)
    second[0], second[7], second[10] = "30401235", 100, 150
    spec = _save("pendidikan", [SCHOOL_ROW, second], period, agency_a, operator_a)
    [figure] = spec.figures(School.objects.filter(period=period))
    assert figure["rows"] == [["Sangatta Utara", "SD/MI", 2, 500, 600, Decimal("83.33")]]


def test_beds_and_health_staff_are_summed_by_kecamatan(period, agency_a, operator_a):
    spec = _save("kesehatan", [HEALTH_ROW, HEALTH_ROW], period, agency_a, operator_a)
    [figure] = spec.figures(HealthFacility.objects.filter(period=period))
    assert figure["rows"] == [["Bengalon", 2, 40, 8, 30, 20, 2]]


def test_transport_facilities_are_counted_by_type_and_status(period, agency_a, operator_a):
    planned = list(TRANSPORT_ROW)
    planned[0], planned[4] = "Halte", "Rencana"
    spec = _save("transportasi", [TRANSPORT_ROW, TRANSPORT_ROW, planned], period, agency_a, operator_a)
    [figure] = spec.figures(TransportFacility.objects.filter(period=period))
    assert ["Terminal tipe B", "Beroperasi", 2, 80] in figure["rows"]
    assert ["Halte", "Rencana", 1, 40] in figure["rows"]
