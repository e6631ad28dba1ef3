"""The evidence package's button (/ekspor/<period_id>/paket-bukti/), its job's page and its file.
The package itself: test_evidence_package.py."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from evaluations.models import Answer, EvaluationPeriod, Evidence, Job, Question, Submission

from .factories import make_agency, make_region, make_submission, open_period
from .filling import PDF
from .test_jobs_views import STATUS_PAGE_QUERIES

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]

PACKAGE = "paket-bukti-2024-tahap-1.zip"


def with_evidence(period, agency, name="sk.pdf"):
    submission = make_submission(period, agency, status=Submission.Status.SUBMITTED)
    question = Question.objects.assigned_to(agency, period).order_by("code").first()
    answer = Answer.objects.create(submission=submission, question=question, text_value="Ada")
    return Evidence.objects.create(
        answer=answer, title="SK Tim", file=SimpleUploadedFile("x.pdf", PDF), original_name=name
    )


def make_job(period, user, **fields):
    return Job.objects.create(
        kind=Job.Kind.EVIDENCE_PACKAGE, key=f"{period.pk}:view", period=period, requested_by=user, **fields
    )


@pytest.mark.usefixtures("immediate_jobs")
@pytest.mark.parametrize("who", ["coordinator", "admin_user", "leader"])
def test_viewers_download_the_package_as_a_zip(client, period, agency_a, who, request):
    evidence = with_evidence(period, agency_a, "../../etc/passwd")
    client.force_login(request.getfixturevalue(who))
    response = client.post(f"/ekspor/{period.pk}/paket-bukti/", follow=True)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith("attachment;")
    assert PACKAGE in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == [
        f"bukti/diskominfo-staper/{evidence.answer.question.code}/passwd.pdf",
        "evaluasi-smart-city-2024-tahap-1.xlsx",
    ]


@pytest.mark.usefixtures("immediate_jobs")
def test_the_package_is_stored_under_its_regions_prefix_and_reused_while_nothing_changed(
    client, period, agency_a, coordinator
):
    evidence = with_evidence(period, agency_a)
    client.force_login(coordinator)
    first = client.post(f"/ekspor/{period.pk}/paket-bukti/")
    job = Job.objects.get(kind=Job.Kind.EVIDENCE_PACKAGE)
    assert first["Location"] == f"/pekerjaan/{job.pk}/unduh/"
    assert job.file.name.startswith(f"regions/{period.region.code}/jobs/evidence_package/")
    assert job.result == {"files": 1, "bytes": len(PDF), "missing": []}
    assert client.post(f"/ekspor/{period.pk}/paket-bukti/")["Location"] == f"/pekerjaan/{job.pk}/unduh/"
    # Evidence removed: a new package without it, and the old one's file is dropped.
    evidence.removed_at = timezone.now()
    evidence.save()
    client.post(f"/ekspor/{period.pk}/paket-bukti/")
    newer = Job.objects.filter(kind=Job.Kind.EVIDENCE_PACKAGE).latest("pk")
    assert newer.pk != job.pk and newer.result["files"] == 0
    job.refresh_from_db()
    assert not job.file


def test_the_button_queues_one_job_and_shows_its_page(client, period, coordinator):
    client.force_login(coordinator)
    response = client.post(f"/ekspor/{period.pk}/paket-bukti/")
    job = Job.objects.get()
    assert response["Location"] == f"/pekerjaan/{job.pk}/"
    assert (job.kind, job.state, job.requested_by) == (Job.Kind.EVIDENCE_PACKAGE, Job.State.QUEUED, coordinator)
    assert client.post(f"/ekspor/{period.pk}/paket-bukti/")["Location"] == f"/pekerjaan/{job.pk}/"
    assert (Job.objects.count(), DBTaskResult.objects.count()) == (1, 1)


def test_operators_may_not_build_the_package_nor_see_one(client_a, period, coordinator):
    job = make_job(period, coordinator, state=Job.State.DONE, file=SimpleUploadedFile("p.zip", b"PK"))
    assert client_a.post(f"/ekspor/{period.pk}/paket-bukti/").status_code == 403
    assert client_a.get(f"/pekerjaan/{job.pk}/").status_code == 404
    assert client_a.get(f"/pekerjaan/{job.pk}/unduh/").status_code == 404
    assert Job.objects.count() == 1


def test_the_period_of_another_region_is_404(client, period, coordinator):
    region_b = make_region("64.72", "Kota Samarinda")
    period_b = open_period(
        EvaluationPeriod.objects.create(
            region=region_b,
            national=period.national,
            year=period.year,
            stage=period.stage,
            name=period.name,
            opens=period.opens,
            closes=period.closes,
        )
    )
    make_agency("Diskominfo Staper", "Diskominfo Staper", region=region_b)
    client.force_login(coordinator)
    assert client.post(f"/ekspor/{period_b.pk}/paket-bukti/").status_code == 404
    assert not Job.objects.exists()


def test_get_is_refused(client, period, coordinator):
    client.force_login(coordinator)
    assert client.get(f"/ekspor/{period.pk}/paket-bukti/").status_code == 405


def test_the_home_page_offers_the_package_to_viewers_only(client, client_a, period, coordinator):
    assert "/paket-bukti/" not in client_a.get("/").content.decode()
    client.force_login(coordinator)
    html = client.get("/").content.decode()
    assert f'<form method="post" action="/ekspor/{period.pk}/paket-bukti/">' in html
    assert "Unduh paket bukti (.zip)" in html


def test_a_running_package_shows_files_done_of_total(client, period, coordinator):
    job = make_job(period, coordinator)
    job.claim()
    job.report(250, 1001, "Menyalin berkas bukti")
    client.force_login(coordinator)
    html = client.get(f"/pekerjaan/{job.pk}/").content.decode()
    assert "Menyiapkan… 24%" in html
    assert "250 dari 1.001 berkas" in html
    assert "Menyalin berkas bukti" in html


def test_a_finished_package_offers_its_download_and_names_the_missing_files(client, period, coordinator):
    missing = "bukti/dinas-pu/GOV.1/sk.pdf"
    job = make_job(
        period,
        coordinator,
        state=Job.State.DONE,
        file=SimpleUploadedFile("p.zip", b"PK"),
        result={"files": 12, "bytes": 3 * 1024 * 1024, "missing": [missing]},
    )
    client.force_login(coordinator)
    html = client.get(f"/pekerjaan/{job.pk}/").content.decode()
    assert "Paket bukti sudah siap: workbook dan 12 berkas bukti (3,0\xa0MB)." in html
    assert f'<a class="btn btn-primary" href="/pekerjaan/{job.pk}/unduh/">Unduh paket bukti (.zip)</a>' in html
    assert "1 berkas bukti tidak ditemukan di penyimpanan" in html and missing in html


def test_the_package_page_in_english(client, period, coordinator):
    job = make_job(
        period,
        coordinator,
        state=Job.State.DONE,
        file=SimpleUploadedFile("p.zip", b"PK"),
        result={"files": 2, "bytes": 10, "missing": []},
    )
    client.force_login(coordinator)
    client.cookies["django_language"] = "en"
    html = client.get(f"/pekerjaan/{job.pk}/").content.decode()
    assert "Download the evidence package (.zip)" in html


@pytest.mark.parametrize("state", ["queued", "running", "done", "failed"])
def test_the_package_page_runs_a_fixed_number_of_queries(client, period, coordinator, state, django_assert_num_queries):
    job = make_job(period, coordinator, state=state, progress_done=3, progress_total=11, heartbeat_at=timezone.now())
    client.force_login(coordinator)
    with django_assert_num_queries(STATUS_PAGE_QUERIES):
        assert client.get(f"/pekerjaan/{job.pk}/").status_code == 200
