"""The data-set upload and the instrument import as jobs (tasks.import_dataset,
tasks.import_instrument_file): the request only stores the file and queues the job; the job
checks it with progress and saves everything or nothing, once, however often it runs; its page
ends on the same result the synchronous pages showed. Here the queue is the database one with no
worker, so a test runs the job itself when it wants it run (run_job.call)."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import F
from django.test import Client
from django_tasks_db.models import DBTaskResult

from evaluations import tasks
from evaluations.excel.datasets import PROGRESS_EVERY
from evaluations.models import DatasetUpload, Dimension, InstrumentChange, Job, Question, RoadSegment

from .excel_helpers import instrument_file, valid_instrument_sheets
from .factories import ROAD_ROW, make_period, make_xlsx

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]

# session, user (with their agency and region), permissions, the job (with its period), the bell's
# unread count
QUEUED_PAGE_QUERIES = 5
# the queued page's, then the refused upload's page: nothing more (its errors are in the job row)
REFUSED_UPLOAD_PAGE_QUERIES = 5
# session, user, the job (with its period), the session saved with the message: then the redirect
DONE_UPLOAD_PAGE_QUERIES = 4
# the queued page's, then the instrument page under the dry run's difference (the difference is in
# the job row): the form's periods, the periods with their question counts, the history
DRY_RUN_PAGE_QUERIES = 8


def bad_road():
    row = list(ROAD_ROW)
    row[5] = "sepuluh"  # Panjang (km)
    return row


def upload(client, rows, **extra):
    response = client.post("/data/jalan/unggah/", {"file": make_xlsx(rows, name="jalan-2024.xlsx")}, **extra)
    return response, Job.objects.latest("pk")


def run(job):
    tasks.run_job.call(job.pk)
    job.refresh_from_db()
    return job


def import_instrument_file(client, period, sheets=None, dry_run=False):
    data = {"period": period.pk, "file": instrument_file(sheets)}
    if dry_run:
        data["dry_run"] = "on"
    client.post("/kelola/instrumen/", data)
    return Job.objects.latest("pk")


# --- the request ------------------------------------------------------------------------------
def test_an_upload_stores_the_file_queues_a_job_and_reads_nothing(client_a, period, operator_a, agency_a):
    response, job = upload(client_a, [ROAD_ROW, ROAD_ROW])
    assert response.status_code == 302
    assert response["Location"] == f"/pekerjaan/{job.pk}/"
    assert (job.kind, job.state, job.requested_by, job.period) == ("dataset_import", "queued", operator_a, period)
    assert job.parameters == {
        "dataset": "jalan",
        "agency": agency_a.pk,
        "file_name": "jalan-2024.xlsx",
        "language": "id",
    }
    assert default_storage.exists(job.file.name)
    assert DBTaskResult.objects.get().args_kwargs == {"args": [job.pk], "kwargs": {}}
    assert not RoadSegment.objects.exists()
    assert not DatasetUpload.objects.exists()


def test_a_bad_file_is_not_read_in_the_request_either(client_a, period):
    response, job = upload(client_a, [bad_road()])
    assert response["Location"] == f"/pekerjaan/{job.pk}/"
    assert job.state == Job.State.QUEUED
    assert not DatasetUpload.objects.exists()


def test_the_upload_script_gets_the_job_page_address_as_json(client_a, period):
    response, job = upload(client_a, [ROAD_ROW], headers={"X-Requested-With": "XMLHttpRequest"})
    assert response.status_code == 200
    assert response.json() == {"location": f"/pekerjaan/{job.pk}/"}


def test_the_upload_script_without_a_file_is_sent_to_the_page_that_says_so(client_a, period):
    response = client_a.post("/data/jalan/unggah/", {}, headers={"X-Requested-With": "XMLHttpRequest"})
    assert response.json() == {"location": "/data/jalan/"}
    # The message waits for the page the script goes to, not for the script.
    assert "Pilih berkas .xlsx yang akan diunggah." in client_a.get("/data/jalan/").content.decode()
    assert not Job.objects.exists()


def test_the_data_set_page_offers_the_upload_progress_bar_and_its_script(client_a, period):
    html = client_a.get("/data/jalan/").content.decode()
    assert "data-upload" in html
    assert '<progress class="w-100" id="upload-progress" max="100" value="0">' in html
    assert "Mengunggah berkas…" in html
    assert '<script src="/static/js/upload.js"></script>' in html


# --- the data-set job ---------------------------------------------------------------------------
def test_the_job_saves_every_row_and_its_page_ends_on_the_data_set_with_the_message(client_a, period, agency_a):
    _response, job = upload(client_a, [ROAD_ROW, ROAD_ROW, ROAD_ROW])
    job = run(job)
    assert job.state == Job.State.DONE
    assert job.result["rows"] == 3
    assert RoadSegment.objects.filter(agency=agency_a, period=period).count() == 3
    stored = DatasetUpload.objects.get()
    assert (stored.outcome, stored.row_count, stored.original_name) == ("accepted", 3, "jalan-2024.xlsx")
    assert stored.file.name.startswith("datasets/jalan/")
    page = client_a.get(f"/pekerjaan/{job.pk}/", follow=True)
    assert page.redirect_chain == [("/data/jalan/", 302)]
    assert "3 baris kondisi jalan disimpan." in page.content.decode()


def test_the_job_s_copy_of_the_file_goes_once_the_rows_are_saved(client_a, period, django_capture_on_commit_callbacks):
    _response, job = upload(client_a, [ROAD_ROW])
    name = job.file.name
    with django_capture_on_commit_callbacks(execute=True):
        job = run(job)
    assert not job.file
    assert not default_storage.exists(name)
    assert default_storage.exists(DatasetUpload.objects.get().file.name)


def test_a_bad_file_fails_the_job_and_its_page_shows_the_errors_by_row_and_column(client_a, period):
    _response, job = upload(client_a, [ROAD_ROW, bad_road()])
    job = run(job)
    assert job.state == Job.State.FAILED
    assert job.result == {
        "errors": [{"row": 3, "column": "Panjang (km)", "message": 'Harus berupa angka, bukan "sepuluh".'}],
        "total": 1,
    }
    assert not RoadSegment.objects.exists()
    assert DatasetUpload.objects.get().outcome == "rejected"
    html = client_a.get(f"/pekerjaan/{job.pk}/").content.decode()
    assert "Berkas jalan-2024.xlsx tidak disimpan karena ada 1 kesalahan." in html
    assert "<td>3</td><td>Panjang (km)</td><td>Harus berupa angka, bukan &quot;sepuluh&quot;.</td>" in html
    assert "http-equiv" not in html


def test_one_bad_row_at_the_end_of_a_long_file_saves_nothing(client_a, period):
    _response, job = upload(client_a, [ROAD_ROW] * 1200 + [bad_road()])
    assert run(job).state == Job.State.FAILED
    assert not RoadSegment.objects.exists()
    assert not DatasetUpload.objects.filter(outcome="accepted").exists()


def test_the_errors_are_in_the_language_of_who_uploaded(client_a, period):
    client_a.cookies["django_language"] = "en"
    _response, job = upload(client_a, [bad_road()])
    run(job)
    assert "Must be a number, not &quot;sepuluh&quot;." in client_a.get(f"/pekerjaan/{job.pk}/").content.decode()


def test_the_job_reports_rows_checked_as_it_goes(client_a, period, monkeypatch):
    seen = []
    report = Job.report

    def spy(self, done, total, step=""):
        seen.append((done, total))
        return report(self, done, total, step)

    monkeypatch.setattr(Job, "report", spy)
    _response, job = upload(client_a, [ROAD_ROW] * (PROGRESS_EVERY + 10))
    run(job)
    total = PROGRESS_EVERY + 10
    assert seen == [(0, 0), (0, total), (PROGRESS_EVERY, total), (total, total)]


def test_a_running_upload_job_page_says_it_is_validating_with_the_rows_checked(client_a, period):
    _response, job = upload(client_a, [ROAD_ROW])
    job.claim()
    job.report(200, 500)
    html = client_a.get(f"/pekerjaan/{job.pk}/").content.decode()
    assert "Memvalidasi… 40%" in html
    assert '<progress class="w-100" max="100" value="40"' in html
    assert "200 dari 500 baris diperiksa" in html
    assert '<meta http-equiv="refresh" content="2">' in html


def test_running_the_job_twice_saves_the_rows_once(client_a, period):
    _response, job = upload(client_a, [ROAD_ROW, ROAD_ROW])
    run(job)
    assert run(job).state == Job.State.DONE
    assert RoadSegment.objects.count() == 2
    assert DatasetUpload.objects.count() == 1


def test_a_run_that_lost_its_job_before_finishing_saves_nothing(client_a, period, monkeypatch):
    """Taken for dead and queued again while it saved: the rows go back with its transaction,
    and the run that owns the job now saves them once."""
    _response, job = upload(client_a, [ROAD_ROW, ROAD_ROW])
    accept = DatasetUpload.accept.__func__

    def accept_then_lose_the_job(cls, *args, **kwargs):
        saved = accept(cls, *args, **kwargs)
        Job.objects.filter(pk=job.pk).update(attempt=F("attempt") + 1)
        return saved

    with monkeypatch.context() as patch:
        patch.setattr(DatasetUpload, "accept", classmethod(accept_then_lose_the_job))
        tasks.run_job.call(job.pk)
    assert not RoadSegment.objects.exists()
    assert not DatasetUpload.objects.exists()
    Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED)
    assert run(job).state == Job.State.DONE
    assert (RoadSegment.objects.count(), DatasetUpload.objects.count()) == (2, 1)


def test_a_period_closed_before_the_job_ran_saves_nothing_and_says_so(client_a, period):
    _response, job = upload(client_a, [ROAD_ROW])
    period.close()
    job = run(job)
    assert job.state == Job.State.FAILED
    assert not RoadSegment.objects.exists()
    html = client_a.get(f"/pekerjaan/{job.pk}/").content.decode()
    assert "Periode sudah ditutup; data tidak dapat diunggah lagi." in html
    assert 'href="/data/jalan/"' in html


# --- access and queries -------------------------------------------------------------------------
@pytest.mark.parametrize("who", ["operator_b", "coordinator"])
def test_others_get_404_on_an_upload_job_page(client_a, period, request, who):
    _response, job = upload(client_a, [ROAD_ROW])
    other = Client()
    other.force_login(request.getfixturevalue(who))
    assert other.get(f"/pekerjaan/{job.pk}/").status_code == 404
    assert other.get(f"/pekerjaan/{job.pk}/unduh/").status_code == 404


def test_an_upload_job_has_no_download(client_a, period):
    _response, job = upload(client_a, [ROAD_ROW])
    run(job)
    assert client_a.get(f"/pekerjaan/{job.pk}/unduh/").status_code == 404


@pytest.mark.parametrize("who", ["operator_a", "coordinator", "leader"])
def test_others_get_404_on_the_admin_s_instrument_job(admin_client, request, who):
    """An import job is its requester's (a workbook is everyone's who may download it)."""
    job = import_instrument_file(admin_client, make_period(year=2040), dry_run=True)
    other = Client()
    other.force_login(request.getfixturevalue(who))
    assert other.get(f"/pekerjaan/{job.pk}/").status_code == 404


@pytest.mark.parametrize("rows", [1, 60])
def test_the_upload_job_pages_run_a_fixed_number_of_queries(client_a, period, rows, django_assert_num_queries):
    _response, job = upload(client_a, [bad_road()] * rows)
    with django_assert_num_queries(QUEUED_PAGE_QUERIES):
        assert client_a.get(f"/pekerjaan/{job.pk}/").status_code == 200
    run(job)
    with django_assert_num_queries(REFUSED_UPLOAD_PAGE_QUERIES):
        assert client_a.get(f"/pekerjaan/{job.pk}/").status_code == 200


# --- the instrument job -------------------------------------------------------------------------
def test_an_instrument_post_stores_the_file_and_queues_a_job(admin_client, admin_user):
    target = make_period(year=2041)
    job = import_instrument_file(admin_client, target, dry_run=True)
    assert (job.kind, job.state, job.requested_by, job.period) == ("instrument_import", "queued", admin_user, target)
    assert job.parameters["dry_run"] is True
    assert default_storage.exists(job.file.name)
    assert not Dimension.objects.filter(national_id=target.national_id).exists()


def test_a_dry_run_job_shows_what_would_be_created_and_saves_nothing(admin_client, django_assert_num_queries):
    target = make_period(year=2042)
    job = run(import_instrument_file(admin_client, target, dry_run=True))
    assert job.state == Job.State.DONE
    assert not Dimension.objects.filter(national_id=target.national_id).exists()
    with django_assert_num_queries(DRY_RUN_PAGE_QUERIES):
        html = admin_client.get(f"/pekerjaan/{job.pk}/").content.decode()
    assert "Uji coba: perbedaan dengan instrumen" in html
    assert "8 ditambahkan, 0 diubah, 0 dihapus" in html
    assert '<td>pertanyaan</td><td class="text-end">4</td>' in html
    assert f'<option value="{target.pk}" selected>' in html  # the form, ready for the real import


def test_an_import_job_creates_the_instrument_once_however_often_it_runs(admin_client):
    target = make_period(year=2043)
    job = run(import_instrument_file(admin_client, target))
    assert run(job).state == Job.State.DONE
    assert Question.objects.for_period(target).count() == 4
    assert InstrumentChange.objects.filter(national_id=target.national_id).count() == 1
    page = admin_client.get(f"/pekerjaan/{job.pk}/", follow=True)
    assert page.redirect_chain == [("/kelola/instrumen/", 302)]
    assert "8 ditambahkan, 0 diubah, 0 dihapus" in page.content.decode()


def test_a_bad_instrument_file_fails_the_job_naming_sheet_row_and_column(admin_client):
    target = make_period(year=2044)
    sheets = valid_instrument_sheets()
    sheets["pertanyaan"][1][1] = "Z.9"
    job = run(import_instrument_file(admin_client, target, sheets))
    assert job.state == Job.State.FAILED
    assert job.message == "Berkas memuat 1 kesalahan; tidak ada yang disimpan. Lihat daftar di bawah."
    assert not Dimension.objects.filter(national_id=target.national_id).exists()
    html = admin_client.get(f"/pekerjaan/{job.pk}/").content.decode()
    assert "lembar &quot;pertanyaan&quot;, baris 2, kolom &quot;indikator&quot;" in html


def test_an_unreadable_instrument_file_fails_the_job_with_the_reason(admin_client):
    target = make_period(year=2045)
    upload = SimpleUploadedFile("instrumen.xlsx", b"bukan excel")
    admin_client.post("/kelola/instrumen/", {"period": target.pk, "file": upload})
    job = run(Job.objects.get())
    assert job.state == Job.State.FAILED
    html = admin_client.get(f"/pekerjaan/{job.pk}/").content.decode()
    assert "bukan berkas Excel .xlsx" in html
    assert not Dimension.objects.filter(national_id=target.national_id).exists()


def test_a_running_upload_job_page_in_english(client_a, period):
    _response, job = upload(client_a, [ROAD_ROW])
    job.claim()
    job.report(1200, 5000)
    client_a.cookies["django_language"] = "en"
    html = client_a.get(f"/pekerjaan/{job.pk}/").content.decode()
    assert "Validating… 24%" in html
    assert "1,200 of 5,000 rows checked" in html


@pytest.mark.parametrize("rows", [1, 60])
def test_a_finished_upload_job_page_redirects_with_a_fixed_number_of_queries(
    client_a, period, rows, django_assert_num_queries
):
    _response, job = upload(client_a, [ROAD_ROW] * rows)
    run(job)
    with django_assert_num_queries(DONE_UPLOAD_PAGE_QUERIES):
        assert client_a.get(f"/pekerjaan/{job.pk}/")["Location"] == "/data/jalan/"
