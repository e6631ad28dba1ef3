"""The one reader of uploaded spreadsheets (evaluations/excel/reader.py), through the real pages:
a damaged or unsafe .xlsx gets a clear Indonesian message from the data-set upload and the
instrument import alike, never a server error, and nothing is saved. Files are read by jobs that
here run inside the request (immediate_jobs); posts are followed to the page the job ends on."""

import io
import zipfile

import pandas as pd
import pytest

from evaluations.excel import reader
from evaluations.models import DatasetUpload, Dimension, Job, Question, RoadSegment

from .excel_helpers import huge_cell, instrument_file, million_rows, with_rows
from .factories import ROAD_ROW, make_period, make_xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_jobs", "private_media")]

SHEET = "xl/worksheets/sheet1.xml"
QUESTIONS_SHEET = "xl/worksheets/sheet3.xml"  # 'pertanyaan', the third sheet of instrument_file()
ROW_LIMIT_MESSAGE = "Berkas berisi lebih dari 20.000 baris data"
CELL_MESSAGE = "Berkas berisi sel yang terlalu panjang"
DTD_MESSAGE = "Berkas berisi DTD atau entitas XML"
ENCODING_MESSAGE = "tidak disimpan dengan pengodean UTF-8"


def rewritten(content, change, part=SHEET):
    """The .xlsx `content` with one part's bytes passed through `change`."""
    source = zipfile.ZipFile(io.BytesIO(content))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item.filename, change(data) if item.filename == part else data)
    return out.getvalue()


def padded(content, megabytes):
    """The .xlsx `content` plus a part of zeros that unpacks to `megabytes` MiB (a zip bomb)."""
    out = io.BytesIO(content)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as target, target.open("xl/media/padding.bin", "w") as part:
        zeros = bytes(1024 * 1024)
        for _ in range(megabytes):
            part.write(zeros)
    return out.getvalue()


def cut_in_half(xml):
    return xml[: len(xml) // 2]


def with_doctype(xml):
    # The entity is used, so that an XML parser left to itself reads the sheet without complaint.
    return b'<!DOCTYPE worksheet [<!ENTITY nothing "">]>' + xml.replace(b"<v>", b"<v>&nothing;", 1)


def with_entity_reference(xml):
    # No DTD: the reference names an entity nobody declared.
    return xml.replace(b"<v>", b"<v>&xxe;", 1)


def in_latin1(xml):
    return b'<?xml version="1.0" encoding="ISO-8859-1"?>' + xml


def named(content, name="jalan.xlsx"):
    """`content` as a file to post, with the name an upload has."""
    buffer = io.BytesIO(content)
    buffer.name = name
    return buffer


def post_road_file(client, content):
    return client.post("/data/jalan/unggah/", {"file": named(content)}, follow=True)


def post_instrument_file(client, content):
    target = make_period(year=2050)
    response = client.post(
        "/kelola/instrumen/", {"period": target.pk, "file": named(content, "instrumen.xlsx")}, follow=True
    )
    return response, target


def assert_road_upload_refused(response, message):
    job = Job.objects.get()
    assert response.redirect_chain == [(f"/pekerjaan/{job.pk}/", 302)]
    assert job.state == Job.State.FAILED
    assert message in response.content.decode()
    assert not RoadSegment.objects.exists()
    assert not DatasetUpload.objects.filter(outcome="accepted").exists()


def assert_instrument_refused(response, target, message):
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Dimension.objects.filter(national_id=target.national_id).exists()


def test_a_data_set_file_with_a_truncated_sheet_is_refused_as_damaged(client_a, period):
    response = post_road_file(client_a, rewritten(make_xlsx([ROAD_ROW]).read(), cut_in_half))
    assert_road_upload_refused(response, "Berkas .xlsx rusak")


@pytest.mark.parametrize("change", [with_doctype, with_entity_reference])
def test_a_data_set_file_with_a_doctype_or_an_entity_in_a_sheet_is_refused_for_it(client_a, period, change):
    response = post_road_file(client_a, rewritten(make_xlsx([ROAD_ROW]).read(), change))
    assert_road_upload_refused(response, DTD_MESSAGE)


def test_a_data_set_file_with_a_sheet_not_in_utf8_is_refused_for_its_encoding(client_a, period):
    response = post_road_file(client_a, rewritten(make_xlsx([ROAD_ROW]).read(), in_latin1))
    assert_road_upload_refused(response, ENCODING_MESSAGE)


def test_a_data_set_file_just_over_the_limit_shows_a_size_above_the_limit(client_a, period):
    """10.03 MB against 10 MB: rounded to one decimal both would read "10,0 MB"."""
    response = post_road_file(client_a, b"PK\x03\x04" + bytes(10_517_000))
    assert_road_upload_refused(response, "Berkas terlalu besar (10,03\xa0MB). Batasnya 10,00\xa0MB")


def test_an_instrument_file_with_a_truncated_sheet_is_refused_as_damaged(admin_client):
    response, target = post_instrument_file(admin_client, rewritten(instrument_file().getvalue(), cut_in_half))
    assert_instrument_refused(response, target, "Berkas .xlsx rusak")


def test_an_instrument_file_with_a_doctype_in_a_sheet_is_refused_for_it(admin_client):
    response, target = post_instrument_file(admin_client, rewritten(instrument_file().getvalue(), with_doctype))
    assert_instrument_refused(response, target, DTD_MESSAGE)


def test_an_instrument_file_just_over_the_limit_shows_a_size_above_the_limit(admin_client):
    response, target = post_instrument_file(admin_client, b"PK\x03\x04" + bytes(5_250_000))
    assert_instrument_refused(response, target, "Berkas terlalu besar (5,01\xa0MB). Batasnya 5,00\xa0MB")


def test_an_instrument_file_that_unpacks_to_far_more_than_its_size_is_refused(admin_client):
    response, target = post_instrument_file(admin_client, padded(instrument_file().getvalue(), megabytes=101))
    assert_instrument_refused(response, target, "Isi berkas terlalu besar untuk dibaca")


class PandasNotAsked(Exception):
    pass


@pytest.fixture
def pandas_never_reads(monkeypatch):
    """The file must be refused before pandas reads a row: pandas.read_excel fails the test."""
    calls = []

    def read_excel(*args, **kwargs):
        calls.append(args)
        raise PandasNotAsked

    monkeypatch.setattr(pd, "read_excel", read_excel)
    return calls


def road_template():
    return make_xlsx([]).read()


def test_a_data_set_file_of_a_million_rows_is_refused_for_its_rows_before_pandas_reads_it(
    client_a, period, pandas_never_reads
):
    response = post_road_file(client_a, million_rows(road_template()))
    assert_road_upload_refused(response, ROW_LIMIT_MESSAGE)
    assert not pandas_never_reads


def test_a_data_set_file_with_one_huge_cell_is_refused_before_pandas_reads_it(client_a, period, pandas_never_reads):
    content = huge_cell(road_template(), megabytes=150)
    assert len(content) < 200 * 1024  # small packed, so that only the unpacked content can tell
    response = post_road_file(client_a, content)
    assert_road_upload_refused(response, CELL_MESSAGE)
    assert not pandas_never_reads


def test_a_data_set_file_with_a_cell_far_to_the_right_is_refused(client_a, period, pandas_never_reads):
    # One cell in column XFD makes every row 16,384 cells wide once read.
    far = (b'<row r="%d"><c r="XFD%d"><v>1</v></c></row>' % (n, n) for n in range(2, 5))
    response = post_road_file(client_a, with_rows(road_template(), SHEET, far))
    assert_road_upload_refused(response, "Berkas berisi lebih dari 52 kolom")
    assert not pandas_never_reads


def test_a_data_set_file_with_a_row_of_too_many_cells_is_refused(client_a, period, pandas_never_reads):
    # Cells without a reference follow each other to the right: 100 of them make 100 columns.
    wide = b'<row r="2">' + b"<c><v>1</v></c>" * 100 + b"</row>"
    response = post_road_file(client_a, with_rows(road_template(), SHEET, [wide]))
    assert_road_upload_refused(response, "Berkas berisi lebih dari 52 kolom")
    assert not pandas_never_reads


def test_a_data_set_file_that_unpacks_to_a_flood_of_tags_is_refused(client_a, period, pandas_never_reads):
    flood = (b"<x/>" * 250_000 for _ in range(12))  # 12 MB of tags, packed about a thousand times
    response = post_road_file(client_a, with_rows(road_template(), SHEET, flood))
    assert_road_upload_refused(response, "Isi berkas terlalu besar untuk dibaca")
    assert not pandas_never_reads


def test_a_data_set_file_that_takes_too_long_to_read_is_refused(client_a, period, monkeypatch):
    monkeypatch.setattr(reader, "TIME_BUDGET_SECONDS", 0)
    response = post_road_file(client_a, make_xlsx([ROAD_ROW] * 3).read())
    assert_road_upload_refused(response, "Berkas terlalu lama dibaca")


def test_an_instrument_file_of_a_million_rows_is_refused_for_its_rows(admin_client):
    content = million_rows(instrument_file().getvalue(), QUESTIONS_SHEET)
    response, target = post_instrument_file(admin_client, content)
    assert_instrument_refused(response, target, "Berkas berisi lebih dari 5.000 baris data")


def test_an_instrument_file_with_one_huge_cell_is_refused(admin_client):
    # 90 MiB: under the instrument's unpacked-size limit (20 x 5 MB).
    content = huge_cell(instrument_file().getvalue(), QUESTIONS_SHEET, megabytes=90)
    response, target = post_instrument_file(admin_client, content)
    assert_instrument_refused(response, target, CELL_MESSAGE)


def test_an_instrument_sheet_is_read_to_its_last_row_whatever_its_declared_dimension(admin_client):
    # openpyxl would stop reading at the last row the sheet declares (here the header row).
    content = rewritten(
        instrument_file().getvalue(),
        lambda xml: xml.replace(b'<dimension ref="A1:J5"', b'<dimension ref="A1:J1"'),
        part=QUESTIONS_SHEET,
    )
    target = make_period(year=2050)
    response = admin_client.post(
        "/kelola/instrumen/", {"period": target.pk, "file": named(content, "instrumen.xlsx")}, follow=True
    )
    assert response.redirect_chain[-1] == ("/kelola/instrumen/", 302)
    assert Question.objects.filter(indicator__dimension__national_id=target.national_id).count() == 4
