"""The data-set pages: template download, upload (all rows or none), page, history, files, delete.

An upload is stored and read by a job (tasks.import_dataset); here jobs run inside the request
that queues them (immediate_jobs), so a post followed to its end shows what the person sees once
the job page has followed the job: the data set with its message, or the refused file's errors.
Every bad-input case uploads over a good earlier upload and checks: a clear Indonesian message,
no row saved, the earlier rows and file unchanged."""

import io
import re
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations.datasets import get_spec
from evaluations.models import DatasetUpload, Job, Kecamatan, RoadSegment, School

from .factories import HEALTH_ROW, ROAD_ROW, SCHOOL_ROW, TRANSPORT_ROW, make_agency, make_operator, make_xlsx
from .filling import PDF

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_jobs", "private_media")]


# The box that confirms replacing the agency's rows (issue 24): ticked wherever an upload goes
# over earlier rows on purpose.
REPLACE = {"replace": "on"}


def _html(response):
    return response.content.decode()


def road(**changes):
    headers = [c.header for c in get_spec("jalan").columns]
    row = list(ROAD_ROW)
    for header, value in changes.items():
        row[headers.index(header)] = value
    return row


@pytest.fixture
def good_upload(client_a, period):
    """Agency A's earlier good upload: two roads."""
    upload = make_xlsx(
        [road(**{"Nama ruas": "Jl. Lama 1"}), road(**{"Nama ruas": "Jl. Lama 2"})], name="jalan-lama.xlsx"
    )
    assert client_a.post("/data/jalan/unggah/", {"file": upload}).status_code == 302
    return DatasetUpload.objects.get()


def _refused(client, upload, message, kind="jalan"):
    """Upload a bad file over the good one: clear message, nothing saved, nothing else changed."""
    before = sorted(RoadSegment.objects.values_list("pk", "name"))
    response = client.post(f"/data/{kind}/unggah/", {"file": upload, **REPLACE}, follow=True)
    html = _html(response)
    job = Job.objects.latest("pk")
    assert response.redirect_chain == [(f"/pekerjaan/{job.pk}/", 302)]
    assert job.state == Job.State.FAILED
    assert "tidak disimpan" in html
    assert message in html, html[html.find("<table") :][:1500]
    assert sorted(RoadSegment.objects.values_list("pk", "name")) == before
    assert DatasetUpload.objects.filter(outcome="accepted").count() == 1
    assert DatasetUpload.objects.filter(outcome="rejected").count() == 1
    good = DatasetUpload.objects.get(outcome="accepted")
    assert client.get(f"/data/unggahan/{good.pk}/unduh/").status_code == 200
    return html


# --- bad input ---------------------------------------------------------------------------------
def test_a_renamed_pdf_is_refused(client_a, good_upload):
    _refused(client_a, SimpleUploadedFile("jalan.xlsx", PDF), "bukan berkas Excel .xlsx")


def test_a_csv_renamed_to_xlsx_is_refused(client_a, good_upload):
    _refused(
        client_a, SimpleUploadedFile("jalan.xlsx", b"No. ruas;Nama ruas\n001;Jl. Uji\n"), "bukan berkas Excel .xlsx"
    )


def test_a_csv_file_is_refused(client_a, good_upload):
    _refused(
        client_a, SimpleUploadedFile("jalan.csv", b"No. ruas,Nama ruas\n001,Jl. Uji\n"), "harus berformat Excel .xlsx"
    )


def test_a_truncated_xlsx_is_refused_as_corrupt(client_a, good_upload):
    content = make_xlsx([ROAD_ROW]).read()
    _refused(client_a, SimpleUploadedFile("jalan.xlsx", content[: len(content) // 2]), "rusak")


def test_an_xlsx_with_a_broken_workbook_part_is_refused_as_corrupt(client_a, good_upload):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "<bukan-xml")
    _refused(client_a, SimpleUploadedFile("jalan.xlsx", buffer.getvalue()), "rusak")


def test_an_empty_sheet_is_refused(client_a, good_upload):
    buffer = io.BytesIO()
    openpyxl.Workbook().save(buffer)
    _refused(client_a, SimpleUploadedFile("jalan.xlsx", buffer.getvalue()), "Lembar pertama berkas kosong")


def test_a_sheet_with_headers_but_no_rows_is_refused(client_a, good_upload):
    _refused(client_a, make_xlsx([]), "tidak berisi baris data")


def test_a_missing_column_is_refused(client_a, good_upload):
    all_headers = [c.header for c in get_spec("jalan").columns]
    headers = [h for h in all_headers if h != "Lebar (m)"]
    rows = [[v for h, v in zip(all_headers, ROAD_ROW, strict=True) if h != "Lebar (m)"]]
    _refused(client_a, make_xlsx(rows, headers=headers), "Kolom berikut tidak ditemukan: Lebar (m)")


def test_a_renamed_column_is_refused_naming_both(client_a, good_upload):
    headers = ["Panjang" if c.header == "Panjang (km)" else c.header for c in get_spec("jalan").columns]
    html = _refused(client_a, make_xlsx([ROAD_ROW], headers=headers), "Kolom berikut tidak ditemukan: Panjang (km)")
    assert "Kolom yang tidak dikenal: Panjang." in html


def test_text_in_a_number_column_is_refused(client_a, good_upload):
    _refused(
        client_a, make_xlsx([road(**{"Panjang (km)": "sepuluh"})]), "Harus berupa angka, bukan &quot;sepuluh&quot;"
    )


def test_a_negative_count_is_refused(client_a, good_upload):
    _refused(client_a, make_xlsx([road(**{"Lebar (m)": -6})]), "Tidak boleh negatif")


def test_an_unknown_kecamatan_is_refused(client_a, good_upload):
    _refused(client_a, make_xlsx([road(**{"Kecamatan": "Sangata"})]), "Kecamatan &quot;Sangata&quot; tidak dikenal")


def test_an_unknown_allowed_value_is_refused(client_a, good_upload):
    html = _refused(
        client_a, make_xlsx([road(**{"Status jalan": "Tol"})]), "&quot;Tol&quot; bukan pilihan yang dikenal"
    )
    assert "Nasional, Provinsi, Kabupaten, Desa" in html


def test_a_duplicate_npsn_is_refused(client_a, good_upload):
    second = list(SCHOOL_ROW)
    second[1] = "SD Negeri 002"
    _refused(
        client_a,
        make_xlsx([SCHOOL_ROW, second], kind="pendidikan"),
        "30401234 sudah dipakai di baris 2",
        kind="pendidikan",
    )
    assert not School.objects.exists()


def test_an_npsn_that_is_not_8_digits_is_refused(client_a, good_upload):
    row = list(SCHOOL_ROW)
    row[0] = "3040123"
    _refused(client_a, make_xlsx([row], kind="pendidikan"), "NPSN harus 8 angka", kind="pendidikan")


def test_condition_km_not_adding_up_to_the_length_is_refused(client_a, good_upload):
    _refused(
        client_a,
        make_xlsx([road(**{"Rusak berat (km)": 3})]),
        "kondisi (baik + sedang + rusak ringan + rusak berat) adalah 12,5 km",
    )


def test_a_formula_without_a_stored_value_is_refused(client_a, good_upload):
    html = _refused(client_a, make_xlsx([road(**{"Baik (km)": "=3+3"})]), "Sel berisi rumus tanpa nilai tersimpan")
    assert "=3+3" not in html


def test_a_file_over_the_size_limit_is_refused(client_a, good_upload, settings):
    settings.DATASET_MAX_BYTES = 2000
    _refused(client_a, make_xlsx([ROAD_ROW] * 50), "Berkas terlalu besar")


def test_more_rows_than_the_maximum_are_refused(client_a, good_upload, settings):
    settings.DATASET_MAX_ROWS = 3
    _refused(client_a, make_xlsx([ROAD_ROW] * 4), "lebih dari 3 baris data")


# --- uploading ---------------------------------------------------------------------------------
def test_a_good_upload_saves_every_row_and_says_so(client_a, period, agency_a):
    response = client_a.post("/data/jalan/unggah/", {"file": make_xlsx([ROAD_ROW, ROAD_ROW])}, follow=True)
    assert "2 baris kondisi jalan disimpan" in _html(response)
    assert RoadSegment.objects.filter(agency=agency_a, period=period).count() == 2


def test_a_new_upload_replaces_the_agency_s_rows(client_a, good_upload):
    client_a.post("/data/jalan/unggah/", {"file": make_xlsx([road(**{"Nama ruas": "Jl. Baru"})]), **REPLACE})
    assert list(RoadSegment.objects.values_list("name", flat=True)) == ["Jl. Baru"]


def test_the_first_upload_does_not_claim_to_replace_earlier_data(client_a, period):
    response = client_a.post("/data/jalan/unggah/", {"file": make_xlsx([ROAD_ROW])}, follow=True)
    assert "1 baris kondisi jalan disimpan." in _html(response)
    assert "data sebelumnya untuk periode ini diganti" not in _html(response)


def test_a_new_upload_says_it_replaced_the_earlier_rows(client_a, good_upload):
    response = client_a.post("/data/jalan/unggah/", {"file": make_xlsx([ROAD_ROW]), **REPLACE}, follow=True)
    assert "1 baris kondisi jalan disimpan; data sebelumnya untuk periode ini diganti." in _html(response)


def test_the_upload_form_asks_to_confirm_the_rows_it_replaces_by_number_and_owner(client_a, good_upload, agency_a):
    html = _html(client_a.get("/data/jalan/"))
    rows = RoadSegment.objects.filter(agency=agency_a).count()
    assert f"Ganti {rows} baris data set Kondisi jalan milik {agency_a.name} dengan isi berkas ini" in html
    assert f'name="replacing" value="{rows}"' in html


def test_the_first_upload_has_nothing_to_confirm(client_a, period):
    assert "Ganti " not in _html(client_a.get("/data/jalan/"))


def test_an_upload_that_replaces_rows_without_the_confirmation_changes_nothing(client_a, good_upload, agency_a):
    before = list(RoadSegment.objects.filter(agency=agency_a).values_list("pk", flat=True))
    jobs = Job.objects.count()
    response = client_a.post(
        "/data/jalan/unggah/", {"file": make_xlsx([road(**{"Nama ruas": "Jl. Baru"})])}, follow=True
    )
    assert "Centang konfirmasi penggantian data, lalu unggah lagi." in _html(response)
    assert list(RoadSegment.objects.filter(agency=agency_a).values_list("pk", flat=True)) == before
    assert Job.objects.count() == jobs


def test_a_confirmation_given_for_rows_that_changed_since_is_refused(client_a, good_upload, agency_a):
    rows = RoadSegment.objects.filter(agency=agency_a).count()
    data = {"file": make_xlsx([road(**{"Nama ruas": "Jl. Baru"})]), "replace": "on", "replacing": rows + 5}
    response = client_a.post("/data/jalan/unggah/", data, follow=True)
    assert f"Data Anda berubah sejak halaman dibuka: unggahan ini akan mengganti {rows} baris." in _html(response)
    assert not RoadSegment.objects.filter(name="Jl. Baru").exists()


def test_a_new_upload_leaves_other_agencies_rows_alone(client, period, operator_a, operator_b):
    client.force_login(operator_b)
    client.post("/data/jalan/unggah/", {"file": make_xlsx([road(**{"Nama ruas": "Jl. Bappeda"})])})
    client.force_login(operator_a)
    client.post("/data/jalan/unggah/", {"file": make_xlsx([road(**{"Nama ruas": "Jl. Diskominfo"})])})
    assert sorted(RoadSegment.objects.values_list("name", flat=True)) == ["Jl. Bappeda", "Jl. Diskominfo"]


def form_tag(html, action):
    return next(tag for tag in re.findall(r"<form\b[^>]*>", html) if f'action="{action}"' in tag)


def test_the_upload_form_leaves_a_missing_file_to_the_server_so_the_message_is_in_the_page_language(client_a, period):
    """Chromium checks a required file input itself and answers in its own language ("Please
    select a file." on an Indonesian page); the server says it in the page's language."""
    assert "novalidate" in form_tag(_html(client_a.get("/data/jalan/")), "/data/jalan/unggah/")


@pytest.mark.parametrize(
    ("language", "message"),
    [("id", "Pilih berkas .xlsx yang akan diunggah."), ("en", "Choose the .xlsx file to upload.")],
)
def test_an_upload_without_a_file_changes_nothing_and_says_so(client_a, good_upload, language, message):
    client_a.cookies["django_language"] = language
    response = client_a.post("/data/jalan/unggah/", {}, follow=True)
    assert message in _html(response)
    assert sorted(RoadSegment.objects.values_list("name", flat=True)) == ["Jl. Lama 1", "Jl. Lama 2"]
    assert list(DatasetUpload.objects.all()) == [good_upload]


def test_uploading_rejects_get(client_a, period):
    assert client_a.get("/data/jalan/unggah/").status_code == 405


@pytest.mark.parametrize("who", ["coordinator", "leader", "admin_user"])
def test_only_operators_upload(client, who, request, period):
    client.force_login(request.getfixturevalue(who))
    assert client.post("/data/jalan/unggah/", {"file": make_xlsx([ROAD_ROW])}).status_code == 403
    assert not RoadSegment.objects.exists()


def test_uploading_after_the_period_closed_is_refused(client_a, period):
    period.close()
    response = client_a.post("/data/jalan/unggah/", {"file": make_xlsx([ROAD_ROW])}, follow=True)
    assert "Periode sudah ditutup" in _html(response)
    assert not RoadSegment.objects.exists()


def test_an_unknown_data_set_is_404(client_a, period):
    assert client_a.get("/data/sampah/").status_code == 404


# --- template, page, history ---------------------------------------------------------------
def test_the_template_downloads_as_an_xlsx_attachment(client_a, period):
    response = client_a.get("/data/pendidikan/templat/")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="template-pendidikan.xlsx"'
    assert response["X-Content-Type-Options"] == "nosniff"
    ws = openpyxl.load_workbook(io.BytesIO(response.getvalue()))["Data"]
    assert ws["A1"].value == "NPSN"


def test_every_signed_in_user_sees_the_rows_and_jalan_mantap(client, operator_b, good_upload):
    client.force_login(operator_b)
    html = _html(client.get("/data/jalan/"))
    assert "Jl. Lama 1" in html
    assert "Jalan mantap: <strong>16,00 km</strong> dari 20,00 km (<strong>80,00%</strong>)" in html


def test_the_page_filters_rows_by_kecamatan(client_a, period):
    client_a.post(
        "/data/jalan/unggah/",
        {
            "file": make_xlsx(
                [road(**{"Nama ruas": "Jl. Bengalon", "Kecamatan": "Bengalon"}), road(**{"Nama ruas": "Jl. Sangatta"})]
            )
        },
    )

    html = _html(client_a.get(f"/data/jalan/?kecamatan={Kecamatan.objects.get(name='Bengalon').pk}"))
    assert "Jl. Bengalon" in html and "Jl. Sangatta" not in html


def test_the_page_filters_rows_by_status(client_a, period):
    client_a.post(
        "/data/jalan/unggah/",
        {
            "file": make_xlsx(
                [road(**{"Nama ruas": "Jl. Desa", "Status jalan": "Desa"}), road(**{"Nama ruas": "Jl. Kab"})]
            )
        },
    )
    html = _html(client_a.get("/data/jalan/?status=desa"))
    assert "Jl. Desa" in html and "Jl. Kab" not in html


def test_the_page_shows_totals(client_a, good_upload):
    assert "20,00" in _html(client_a.get("/data/jalan/"))


def _queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("kind", ["jalan", "pendidikan", "kesehatan", "transportasi"])
def test_a_data_set_page_runs_the_same_queries_with_1_or_60_rows(client, coordinator, period, kind):
    rows = {"jalan": ROAD_ROW, "pendidikan": SCHOOL_ROW, "kesehatan": HEALTH_ROW, "transportasi": TRANSPORT_ROW}[kind]
    operator = make_operator(make_agency())
    client.force_login(operator)
    client.post(f"/data/{kind}/unggah/", {"file": make_xlsx([rows], kind=kind)})
    client.force_login(coordinator)
    small = _queries(client, f"/data/{kind}/")
    many = []
    for i in range(60):
        row = list(rows)
        if kind == "pendidikan":
            row[0] = f"{30500000 + i}"
        many.append(row)
    client.force_login(operator)
    assert client.post(f"/data/{kind}/unggah/", {"file": make_xlsx(many, kind=kind), **REPLACE}).status_code == 302
    client.force_login(coordinator)
    assert _queries(client, f"/data/{kind}/") == small


def test_the_road_page_runs_a_pinned_number_of_queries(client, coordinator, good_upload, django_assert_num_queries):
    client.force_login(coordinator)
    # session, user, groups, agency member, period, kecamatan, totals, row count, one page of rows,
    # figures overall and by kecamatan, history
    with django_assert_num_queries(12):  # with the bell's unread count
        client.get("/data/jalan/")


def test_the_history_lists_who_when_file_rows_and_outcome(client_a, good_upload):
    client_a.post("/data/jalan/unggah/", {"file": SimpleUploadedFile("salah.xlsx", PDF), **REPLACE})
    html = _html(client_a.get("/data/jalan/"))
    assert "jalan-lama.xlsx" in html and "salah.xlsx" in html
    assert "Diterima" in html and "Ditolak (1 kesalahan)" in html
    assert "operator_a" in html


def test_another_agency_does_not_see_the_upload_history(client, operator_b, good_upload):
    client.force_login(operator_b)
    assert "jalan-lama.xlsx" not in _html(client.get("/data/jalan/"))


# --- the stored file --------------------------------------------------------------------------
def test_the_agency_downloads_its_last_good_file_again(client_a, good_upload):
    response = client_a.get(f"/data/unggahan/{good_upload.pk}/unduh/")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="jalan-lama.xlsx"')
    assert response["X-Content-Type-Options"] == "nosniff"
    wb = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    assert wb.active["B2"].value == "Jl. Lama 1"


def test_another_agency_s_file_is_404(client, operator_b, good_upload):
    client.force_login(operator_b)
    assert client.get(f"/data/unggahan/{good_upload.pk}/unduh/").status_code == 404


def test_a_coordinator_downloads_any_agency_s_file(client, coordinator, good_upload):
    client.force_login(coordinator)
    assert client.get(f"/data/unggahan/{good_upload.pk}/unduh/").status_code == 200


# --- deleting ---------------------------------------------------------------------------------
def test_deleting_asks_first_on_a_page_naming_the_file_its_owner_and_its_rows(client, coordinator, good_upload):
    """Issue 24, item 17: a confirmation step that works without JavaScript; opening it deletes nothing."""
    client.force_login(coordinator)
    response = client.get(f"/data/unggahan/{good_upload.pk}/hapus/")
    assert response.status_code == 200
    html = _html(response)
    agency = good_upload.agency.name
    assert f"Hapus jalan-lama.xlsx milik {agency}: 2 baris data set Kondisi jalan ikut dihapus." in html
    assert f'action="/data/unggahan/{good_upload.pk}/hapus/"' in html
    assert RoadSegment.objects.count() == 2 and not DatasetUpload.objects.get().is_deleted()


def test_the_history_leads_to_the_confirmation_instead_of_deleting_at_once(client, coordinator, good_upload):
    client.force_login(coordinator)
    html = _html(client.get("/data/jalan/"))
    assert f'href="/data/unggahan/{good_upload.pk}/hapus/"' in html
    assert f'action="/data/unggahan/{good_upload.pk}/hapus/"' not in html


@pytest.mark.parametrize(("user", "status"), [("operator_a", 403), ("operator_b", 404), ("leader", 403)])
def test_only_those_who_may_delete_see_the_confirmation(client, good_upload, user, status, request):
    client.force_login(request.getfixturevalue(user))
    assert client.get(f"/data/unggahan/{good_upload.pk}/hapus/").status_code == status


def test_the_uploading_operator_cannot_delete(client_a, good_upload):
    assert client_a.post(f"/data/unggahan/{good_upload.pk}/hapus/").status_code == 403
    assert RoadSegment.objects.count() == 2


def test_another_agency_deleting_gets_404(client, operator_b, good_upload):
    client.force_login(operator_b)
    assert client.post(f"/data/unggahan/{good_upload.pk}/hapus/").status_code == 404


def test_a_leader_cannot_delete(client, leader, good_upload):
    client.force_login(leader)
    assert client.post(f"/data/unggahan/{good_upload.pk}/hapus/").status_code == 403


def test_a_coordinator_deletes_an_upload_and_its_rows_and_file(client, coordinator, good_upload):
    client.force_login(coordinator)
    response = client.post(f"/data/unggahan/{good_upload.pk}/hapus/", follow=True)
    assert "dihapus beserta barisnya" in _html(response)
    assert not RoadSegment.objects.exists()
    assert client.get(f"/data/unggahan/{good_upload.pk}/unduh/").status_code == 404


def test_a_file_that_still_holds_the_template_s_example_row_is_refused_naming_the_row(client_a, good_upload):
    example = [c.example for c in get_spec("jalan").columns]
    html = _refused(client_a, make_xlsx([example, road(**{"Nama ruas": "Jl. Baru"})]), "Baris 2 masih berisi")
    assert (
        "<td>2</td><td>–</td><td>Baris 2 masih berisi baris contoh dari templat (045, Jl. Soekarno-Hatta). "
        "Hapus baris contoh itu, lalu unggah lagi.</td>"
    ) in html


def test_another_data_set_s_file_is_refused_as_not_this_template(client_a, good_upload):
    _refused(client_a, make_xlsx([["x", "y", 1]], headers=["kode", "nama", "bobot"]), "bukan templat kondisi jalan")


def test_blank_rows_do_not_count_towards_the_row_limit(client_a, period, settings):
    settings.DATASET_MAX_ROWS = 3
    rows = [ROAD_ROW, [None] * 16, ROAD_ROW, [None] * 16, ROAD_ROW]
    assert client_a.post("/data/jalan/unggah/", {"file": make_xlsx(rows)}).status_code == 302
    assert RoadSegment.objects.count() == 3
