"""The workbook download at /ekspor/<period_id>/ (a job: see test_jobs_*.py for its queue and
status page) and its button on the home page. Jobs run at once here (immediate backend)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations.models import Agency

from .excel_helpers import answer_all, open_workbook
from .test_excel_workbook import SHEET_NAMES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_jobs")]

# session and user, the change stamp (1), the job (3: insert, claim, read back), the workbook's
# reads, progress per sheet, finish, the older workbook's file cleared; then the download (job).
# The impact survey adds 7: its 5 reads (EXPORT_QUERIES) and the progress of its 2 sheets. The
# stored file goes under its region's prefix: the region's code (1). The approvals' signers, read
# once for the Progres OPD sheet (1; issue 27's second sign-off).
EXPORT_REQUEST_QUERIES = 67
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def download(client, user, period):
    client.force_login(user)
    return client.post(f"/ekspor/{period.pk}/", follow=True)


@pytest.mark.parametrize("who", ["coordinator", "admin_user", "leader"])
def test_viewers_download_the_workbook_as_an_attachment(client, period, agency_a, who, request):
    answer_all(period, agency_a)
    response = download(client, request.getfixturevalue(who), period)
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    assert "evaluasi-smart-city-2024-tahap-1.xlsx" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    book = open_workbook(b"".join(response.streaming_content))
    assert book.sheetnames == SHEET_NAMES


def test_the_workbook_names_the_user_who_downloaded_it(client, period, coordinator):
    coordinator.first_name, coordinator.last_name = "Rina", "Koordinator"
    coordinator.save()
    response = download(client, coordinator, period)
    book = open_workbook(b"".join(response.streaming_content))
    assert book["Ringkasan"]["B4"].value == "Rina Koordinator"


def test_operators_may_not_download_the_workbook(client, period, operator_a):
    assert download(client, operator_a, period).status_code == 403


def test_anonymous_visitors_are_sent_to_the_login_page(client, period):
    response = client.post(f"/ekspor/{period.pk}/")
    assert response.status_code == 302
    assert "/akun/masuk/" in response["Location"]


def test_an_unknown_period_is_404(client, coordinator, period):
    client.force_login(coordinator)
    assert client.post("/ekspor/999999/").status_code == 404


def test_the_home_page_offers_the_download_to_viewers(client, period, coordinator):
    client.force_login(coordinator)
    html = client.get("/").content.decode()
    assert f'<form method="post" action="/ekspor/{period.pk}/">' in html
    assert "Unduh workbook evaluasi" in html


def test_the_home_page_does_not_offer_the_download_to_operators(client_a, period):
    assert "/ekspor/" not in client_a.get("/").content.decode()


def test_the_download_runs_the_same_number_of_queries_for_one_agency_and_for_all(client, period, coordinator):
    agencies = list(Agency.objects.filter(assignments__period=period).distinct())
    client.force_login(coordinator)
    export = f"/ekspor/{period.pk}/"
    # Each measured export replaces one older workbook of the period, as it would in use.
    b"".join(client.post(export, follow=True).streaming_content)
    answer_all(period, agencies[0])
    with CaptureQueriesContext(connection) as small:
        b"".join(client.post(export, follow=True).streaming_content)
    for agency in agencies[1:]:
        answer_all(period, agency)
    with CaptureQueriesContext(connection) as large:
        b"".join(client.post(export, follow=True).streaming_content)
    assert len(small) == len(large) == EXPORT_REQUEST_QUERIES
