"""Uploaded files on an S3-compatible object store (a real moto server, tests/s3.py): every kind of
file the app keeps is written to the bucket, read back through its access-checked view, never
reachable without the app, and the S3_* environment variables configure it."""

import io
import json
import subprocess
import sys
import urllib.error
import urllib.request
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evaluations.models import DatasetUpload, Evidence, Job, PendingEvidence, Question, QuickWinEvidence, Submission

from .factories import ROAD_ROW, assign, make_period, make_question, make_quick_win, make_xlsx, subprocess_env
from .filling import PDF, section_post, submission_of, upload
from .s3 import bucket_keys, s3_client

pytestmark = pytest.mark.django_db


@pytest.fixture
def evidence_a(client_a, agency_a, s3_bucket):
    """Evidence the operator of agency A uploads through the section page, as a browser would."""
    period = make_period(2031)
    assign(period, agency_a, "GOV")
    question = make_question(period, answer_type=Question.AnswerType.YES_NO, evidence_required=True)
    submission = submission_of(period, agency_a)
    data = section_post(
        submission, "X-GOV", {question: {"value": "1", "evidence_title": "SK", "evidence_file": upload("sk.pdf")}}
    )
    response = client_a.post(f"/opd/pengisian/{submission.pk}/bagian/X-GOV/", data)
    assert response.status_code == 302
    return Evidence.objects.get()


def _body(response):
    return b"".join(response.streaming_content)


def test_evidence_goes_to_the_bucket_and_back_to_those_who_may_see_it(
    client, evidence_a, operator_a, operator_b, coordinator, s3_server, s3_bucket
):
    assert bucket_keys(s3_server, s3_bucket) == [evidence_a.file.name]
    assert evidence_a.file.name.startswith("evidence/") and evidence_a.file.name.endswith(".pdf")
    url = f"/opd/bukti/{evidence_a.pk}/unduh/"
    for user in (operator_a, coordinator):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith('attachment; filename="sk.pdf"')
        assert _body(response) == PDF
    client.force_login(operator_b)
    assert client.get(url).status_code == 404


def test_the_bucket_gives_nothing_to_someone_without_the_app(evidence_a, s3_server, s3_bucket):
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(f"{s3_server}/{s3_bucket}/{evidence_a.file.name}")
    assert refused.value.code == 403


def test_a_file_gone_from_the_bucket_is_a_404_not_a_server_error(client_a, evidence_a, s3_server, s3_bucket):
    s3_client(s3_server).delete_object(Bucket=s3_bucket, Key=evidence_a.file.name)
    assert client_a.get(f"/opd/bukti/{evidence_a.pk}/unduh/").status_code == 404


def test_a_file_kept_from_a_refused_save_waits_in_the_bucket_then_becomes_evidence(
    client_a, agency_a, s3_server, s3_bucket
):
    """Issue 24, item 17: the kept file lives where evidence lives, and leaves no copy behind."""
    period = make_period(2031)
    assign(period, agency_a, "GOV")
    question = make_question(period, answer_type=Question.AnswerType.YES_NO)
    submission = submission_of(period, agency_a)
    url = f"/opd/pengisian/{submission.pk}/bagian/X-GOV/"
    refused = section_post(submission, "X-GOV", {question: {"value": "1", "evidence_file": upload("sk.pdf")}})
    assert client_a.post(url, refused).status_code == 422
    kept = PendingEvidence.objects.get()
    assert bucket_keys(s3_server, s3_bucket) == [kept.file.name] and kept.file.name.startswith("pending/")
    again = section_post(
        submission, "X-GOV", {question: {"value": "1", "evidence_title": "SK", "evidence_pending": kept.token}}
    )
    assert client_a.post(url, again).status_code == 302
    evidence = Evidence.objects.get()
    assert bucket_keys(s3_server, s3_bucket) == [evidence.file.name] and evidence.file.name.startswith("evidence/")
    assert _body(client_a.get(f"/opd/bukti/{evidence.pk}/unduh/")) == PDF


def test_quick_win_evidence_goes_to_the_bucket(client_a, period, agency_a, s3_server, s3_bucket):
    draft = make_quick_win(period, agency_a)
    client_a.post(f"/quick-wins/{draft.pk}/bukti/", {"title": "SK", "file": SimpleUploadedFile("sk.pdf", PDF)})
    evidence = QuickWinEvidence.objects.get()
    assert bucket_keys(s3_server, s3_bucket) == [evidence.file.name]
    assert evidence.file.name.startswith("quickwins/")
    assert _body(client_a.get(f"/quick-wins/bukti/{evidence.pk}/unduh/")) == PDF


def test_a_data_set_file_goes_to_the_bucket_and_its_deletion_removes_it(
    client, client_a, period, coordinator, s3_server, s3_bucket, django_capture_on_commit_callbacks, immediate_jobs
):
    sent = make_xlsx([ROAD_ROW])
    content = sent.read()
    sent.seek(0)
    # The request stores the file for the import job, which reads it back from the bucket; once
    # the rows are saved only the upload's own copy stays.
    with django_capture_on_commit_callbacks(execute=True):
        assert client_a.post("/data/jalan/unggah/", {"file": sent}).status_code == 302
    stored = DatasetUpload.objects.get()
    assert bucket_keys(s3_server, s3_bucket) == [stored.file.name]
    assert _body(client_a.get(f"/data/unggahan/{stored.pk}/unduh/")) == content
    with pytest.raises(urllib.error.HTTPError):
        urllib.request.urlopen(f"{s3_server}/{s3_bucket}/{stored.file.name}")
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/data/unggahan/{stored.pk}/hapus/").status_code == 302
    assert bucket_keys(s3_server, s3_bucket) == []


@pytest.mark.usefixtures("immediate_jobs")
def test_the_evidence_package_reads_the_bucket_and_goes_to_it_under_the_regions_prefix(
    client, evidence_a, coordinator, s3_server, s3_bucket
):
    submission = evidence_a.answer.submission
    Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.SUBMITTED)
    period = submission.period
    client.force_login(coordinator)
    response = client.post(f"/ekspor/{period.pk}/paket-bukti/", follow=True)
    archive = zipfile.ZipFile(io.BytesIO(_body(response)))
    assert archive.read(f"bukti/diskominfo-staper/{evidence_a.answer.question.code}/sk.pdf") == PDF
    job = Job.objects.get(kind=Job.Kind.EVIDENCE_PACKAGE)
    assert job.file.name.startswith(f"regions/{period.region.code}/jobs/evidence_package/")
    assert bucket_keys(s3_server, s3_bucket) == sorted([evidence_a.file.name, job.file.name])


def test_the_s3_environment_variables_configure_a_private_bucket():
    probe = (
        "import json, django; django.setup(); from django.conf import settings; "
        "print(json.dumps(settings.STORAGES['default']))"
    )
    env = subprocess_env(
        DJANGO_SETTINGS_MODULE="smartcity.settings",
        S3_BUCKET="bukti-kutim",
        S3_ENDPOINT_URL="https://s3.example.id",
        S3_REGION="id-jkt-1",
        S3_ACCESS_KEY_ID="kunci",
        S3_SECRET_ACCESS_KEY="rahasia",
        S3_PREFIX="smartcity",
        S3_ADDRESSING_STYLE="path",
    )
    output = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    storage = json.loads(output.stdout)
    assert storage["BACKEND"] == "storages.backends.s3.S3Storage"
    options = storage["OPTIONS"]
    assert (options["bucket_name"], options["endpoint_url"], options["location"]) == (
        "bukti-kutim",
        "https://s3.example.id",
        "smartcity",
    )
    assert options["default_acl"] is None and options["file_overwrite"] is False
    # A file read from the bucket (the evidence package reads them all) spills to disk past 1 MB.
    assert options["max_memory_size"] == 1024 * 1024


def test_without_s3_bucket_files_stay_on_the_local_disk():
    probe = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.STORAGES['default']['BACKEND'])"
    )
    env = subprocess_env(drop=("S3_BUCKET",), DJANGO_SETTINGS_MODULE="smartcity.settings")
    output = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    assert output.stdout.strip() == "django.core.files.storage.FileSystemStorage"
