"""The home page and the pillar pages render the fixture data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations.models import Question

from .factories import assign, make_agency

pytestmark = pytest.mark.django_db


def test_home_shows_the_open_period_and_its_deadline(client_a, period):
    response = client_a.get("/")
    html = response.content.decode()
    assert response.status_code == 200
    assert period.name in html
    assert "Batas akhir" in html
    assert "Tersisa 14 hari" in html


def test_home_tells_an_operator_how_many_questions_their_agency_answers(client_a, period, agency_a):
    n = Question.objects.assigned_to(agency_a, period).count()
    assert n > 0
    assert f"{n} pertanyaan ditugaskan" in client_a.get("/").content.decode()


def test_the_pillar_list_shows_the_six_pillars(client_a, period):
    html = client_a.get("/pilar/").content.decode()
    for name in [
        "Smart Governance",
        "Smart Branding",
        "Smart Economy",
        "Smart Living",
        "Smart Society",
        "Smart Environment",
    ]:
        assert name in html


def test_a_pillar_page_shows_its_subdimensions_and_assigned_agencies(client_a, period):
    html = client_a.get("/pilar/LIV/").content.decode()
    assert "Prasarana kesehatan" in html
    assert "Harmonisasi tata ruang wilayah" in html
    assert "Dishub" in html


def test_an_unknown_pillar_is_404(client_a, period):
    assert client_a.get("/pilar/XYZ/").status_code == 404


def _queries(client, path):
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("path", ["/pilar/", "/pilar/GOV/"])
def test_pillar_pages_run_the_same_queries_whatever_the_number_of_agencies(client_a, period, path):
    before = _queries(client_a, path)
    for _ in range(25):
        assign(period, make_agency(), "GOV")
    assert _queries(client_a, path) == before
