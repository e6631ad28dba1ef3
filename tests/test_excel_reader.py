"""The one reader of uploaded spreadsheets (evaluations/excel/reader.py), through the real pages:
a damaged or unsafe .xlsx gets a clear Indonesian message from the data-set upload and the
instrument import alike, never a server error, and nothing is saved."""

import io
import zipfile

import pytest

from evaluations.models import DatasetUpload, Dimension, RoadSegment

from .excel_helpers import instrument_file
from .factories import ROAD_ROW, make_period, make_xlsx

pytestmark = pytest.mark.django_db

SHEET = "xl/worksheets/sheet1.xml"


@pytest.fixture(autouse=True)
def private_media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {**settings.STORAGES["default"], "OPTIONS": {"location": str(tmp_path)}},
    }


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


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


def named(content, name="jalan.xlsx"):
    """`content` as a file to post, with the name an upload has."""
    buffer = io.BytesIO(content)
    buffer.name = name
    return buffer


def post_road_file(client, content):
    return client.post("/data/jalan/unggah/", {"file": named(content)})


def post_instrument_file(client, content):
    target = make_period(year=2050)
    response = client.post("/kelola/instrumen/", {"period": target.pk, "file": named(content, "instrumen.xlsx")})
    return response, target


def assert_road_upload_refused(response, message):
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not RoadSegment.objects.exists()
    assert not DatasetUpload.objects.filter(outcome="accepted").exists()


def assert_instrument_refused(response, target, message):
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Dimension.objects.filter(period=target).exists()


def test_a_data_set_file_with_a_truncated_sheet_is_refused_as_damaged(client_a, period):
    response = post_road_file(client_a, rewritten(make_xlsx([ROAD_ROW]).read(), cut_in_half))
    assert_road_upload_refused(response, "Berkas .xlsx rusak")


def test_a_data_set_file_with_a_doctype_in_a_sheet_is_refused_as_damaged(client_a, period):
    response = post_road_file(client_a, rewritten(make_xlsx([ROAD_ROW]).read(), with_doctype))
    assert_road_upload_refused(response, "Berkas .xlsx rusak")


def test_an_instrument_file_with_a_truncated_sheet_is_refused_as_damaged(admin_client):
    response, target = post_instrument_file(admin_client, rewritten(instrument_file().getvalue(), cut_in_half))
    assert_instrument_refused(response, target, "Berkas .xlsx rusak")


def test_an_instrument_file_with_a_doctype_in_a_sheet_is_refused_as_damaged(admin_client):
    response, target = post_instrument_file(admin_client, rewritten(instrument_file().getvalue(), with_doctype))
    assert_instrument_refused(response, target, "Berkas .xlsx rusak")


def test_an_instrument_file_that_unpacks_to_far_more_than_its_size_is_refused(admin_client):
    response, target = post_instrument_file(admin_client, padded(instrument_file().getvalue(), megabytes=101))
    assert_instrument_refused(response, target, "Isi berkas terlalu besar untuk dibaca")
