"""The instrument page /kelola/instrumen/ (admin only): dry run, import, errors, download.

A posted file is read by a job (tasks.import_instrument_file) that here runs inside the request
(immediate_jobs); a post followed to its end shows what the admin sees once the job page has
followed the job."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evaluations.models import Dimension, EvaluationPeriod, Question

from .excel_helpers import answer_all, instrument_file, open_workbook, valid_instrument_sheets
from .factories import make_period

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_jobs")]


def post(client, period, upload, dry_run):
    data = {"period": period.pk, "file": upload}
    if dry_run:
        data["dry_run"] = "on"
    return client.post("/kelola/instrumen/", data, follow=True)


def test_the_admin_sees_the_upload_form_and_download_links(admin_client, period):
    response = admin_client.get("/kelola/instrumen/")
    html = response.content.decode()
    assert response.status_code == 200
    assert 'type="file"' in html
    assert "Uji coba saja" in html
    assert f'href="/kelola/instrumen/{period.pk}/unduh/"' in html


@pytest.mark.parametrize("who", ["coordinator", "leader", "operator_a"])
def test_only_the_admin_may_open_the_instrument_page(client, who, request):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/kelola/instrumen/").status_code == 403
    assert client.post("/kelola/instrumen/", {}).status_code == 403


def test_a_dry_run_shows_counts_and_first_rows_and_saves_nothing(admin_client):
    target = make_period(year=2035)
    response = post(admin_client, target, instrument_file(), dry_run=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Uji coba: perbedaan dengan instrumen" in html
    assert "8 ditambahkan, 0 diubah, 0 dihapus" in html  # 2 dimensions, 2 indicators, 4 questions
    assert "Masterplan?" in html
    assert '<td>pertanyaan</td><td class="text-end">4</td>' in html
    assert not Dimension.objects.filter(national_id=target.national_id).exists()


def test_an_import_without_dry_run_saves_and_redirects_with_a_message(admin_client):
    target = make_period(year=2036)
    response = post(admin_client, target, instrument_file(), dry_run=False)
    assert response.redirect_chain[-1] == ("/kelola/instrumen/", 302)
    assert Question.objects.for_period(target).count() == 4
    html = response.content.decode()
    assert "4 pertanyaan" in html
    assert "8 ditambahkan, 0 diubah, 0 dihapus" in html  # 2 dimensions, 2 indicators, 4 questions


def test_a_bad_file_lists_errors_by_sheet_row_and_column_and_saves_nothing(admin_client):
    target = make_period(year=2037)
    sheets = valid_instrument_sheets()
    sheets["pertanyaan"][1][1] = "Z.9"
    response = post(admin_client, target, instrument_file(sheets), dry_run=False)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Berkas memuat 1 kesalahan" in html
    assert "lembar &quot;pertanyaan&quot;, baris 2, kolom &quot;indikator&quot;" in html
    assert not Dimension.objects.filter(national_id=target.national_id).exists()


def test_a_file_that_is_not_an_xlsx_gets_a_clear_message(admin_client):
    target = make_period(year=2038)
    upload = SimpleUploadedFile("instrumen.xlsx", b"bukan excel", content_type="application/octet-stream")
    html = post(admin_client, target, upload, dry_run=True).content.decode()
    assert "bukan berkas Excel .xlsx" in html


def test_a_file_with_another_extension_is_refused(admin_client):
    upload = SimpleUploadedFile("instrumen.csv", b"a,b", content_type="text/csv")
    html = post(admin_client, make_period(year=2039), upload, dry_run=True).content.decode()
    assert "berakhiran .xlsx" in html


def test_a_file_that_drops_answered_questions_is_refused_with_the_list(admin_client, period, agency_a):
    answer_all(period, agency_a)
    count = Question.objects.for_period(period).count()
    html = post(admin_client, period, instrument_file(), dry_run=False).content.decode()
    assert "Perubahan instrumen ditolak: 18 pertanyaan yang sudah dijawab terdampak." in html
    assert "<li><strong>A.1.3</strong>: dihapus, padahal sudah dijawab</li>" in html
    assert Question.objects.for_period(period).count() == count


def test_the_admin_downloads_a_period_instrument(admin_client):
    shipped = EvaluationPeriod.objects.get(year=2024, stage="1")
    response = admin_client.get(f"/kelola/instrumen/{shipped.pk}/unduh/")
    assert response.status_code == 200
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "instrumen-2024-tahap-1.xlsx" in response["Content-Disposition"]
    book = open_workbook(b"".join(response.streaming_content))
    assert book["pertanyaan"].max_row == 63


def test_others_may_not_download_the_instrument(client, coordinator):
    client.force_login(coordinator)
    shipped = EvaluationPeriod.objects.get(year=2024, stage="1")
    assert client.get(f"/kelola/instrumen/{shipped.pk}/unduh/").status_code == 403


def test_the_menu_shows_the_instrument_page_to_the_admin_only(client, admin_user, coordinator, period):
    client.force_login(admin_user)
    assert 'href="/kelola/instrumen/"' in client.get("/").content.decode()
    client.force_login(coordinator)
    assert 'href="/kelola/instrumen/"' not in client.get("/").content.decode()
