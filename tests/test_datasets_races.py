"""Two uploads of one data set at the same moment (DatasetUpload.accept): the rows are never
doubled, and a clash with rows saved meanwhile is a message, never a server error. PostgreSQL only:
SQLite runs one write at a time."""

import pytest
from django.test import Client

from evaluations.models import DatasetUpload, RoadSegment, School

from .concurrency import at_once, needs_postgresql, reference_data, rendezvous  # noqa: F401  (a fixture)
from .factories import ROAD_ROW, SCHOOL_ROW, make_xlsx

# The uploads' jobs run inside their requests, so that each request is one upload at once.
pytestmark = [needs_postgresql, pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("immediate_jobs")]


def uploading(user, kind, row):
    """`user` posting a one-data-set file from their own browser, when called."""
    client = Client()
    client.force_login(user)
    upload = make_xlsx([row] * 3 if kind == "jalan" else [row], kind=kind)
    return lambda: client.post(f"/data/{kind}/unggah/", {"file": upload}, follow=True)


def meet_before_saving_rows(monkeypatch, model):
    """Both uploads meet after reading (and deleting) the old rows, before writing theirs."""
    meet = rendezvous(2)
    save_rows = model.objects.bulk_create

    def bulk_create(*args, **kwargs):
        meet()
        return save_rows(*args, **kwargs)

    monkeypatch.setattr(model.objects, "bulk_create", bulk_create)


def test_two_uploads_of_the_road_data_set_at_once_leave_one_set_of_rows(
    reference_data,  # noqa: F811
    period,
    operator_a,
    monkeypatch,
):
    meet_before_saving_rows(monkeypatch, RoadSegment)
    outcomes = at_once(uploading(operator_a, "jalan", ROAD_ROW), uploading(operator_a, "jalan", ROAD_ROW))
    assert [error for _response, error in outcomes] == [None, None]
    assert all("3 baris kondisi jalan disimpan" in response.content.decode() for response, _error in outcomes)
    assert RoadSegment.objects.count() == 3
    assert DatasetUpload.objects.filter(outcome="accepted").count() == 2


def test_two_agencies_uploading_one_npsn_at_once_get_one_saved_and_one_message(
    reference_data,  # noqa: F811
    period,
    operator_a,
    operator_b,
    monkeypatch,
):
    meet_before_saving_rows(monkeypatch, School)
    outcomes = at_once(uploading(operator_a, "pendidikan", SCHOOL_ROW), uploading(operator_b, "pendidikan", SCHOOL_ROW))
    assert [error for _response, error in outcomes] == [None, None]
    pages = [response.content.decode() for response, _error in outcomes]
    assert sum("1 baris sarana pendidikan disimpan" in page for page in pages) == 1
    assert sum("bentrok dengan data yang baru saja disimpan" in page for page in pages) == 1
    assert School.objects.count() == 1
    assert DatasetUpload.objects.filter(outcome="accepted").count() == 1
    assert DatasetUpload.objects.filter(outcome="rejected").count() == 1
