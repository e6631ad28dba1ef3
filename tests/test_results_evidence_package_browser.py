"""The evidence package in Chromium: from the home page's button through the job's page to the
.zip, whose workbook links to the file beside it."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from playwright.sync_api import expect

from evaluations import roles, tasks
from evaluations.models import Agency, Answer, EvaluationPeriod, Evidence, Job, Question, Submission

from .browser import log_in, screenshot
from .excel_helpers import header_index, open_workbook
from .factories import make_submission, make_user, open_period
from .filling import PDF

pytestmark = [pytest.mark.browser, pytest.mark.one_db_pass]


def test_a_coordinator_builds_the_package_and_downloads_it(site, browser_page, tmp_path):
    period = open_period(EvaluationPeriod.objects.get(year=2024, stage="1"))
    agency = Agency.objects.get(abbreviation="Diskominfo Staper")
    submission = make_submission(period, agency, status=Submission.Status.SUBMITTED)
    question = Question.objects.assigned_to(agency, period).order_by("code").first()
    answer = Answer.objects.create(submission=submission, question=question, text_value="Ada")
    Evidence.objects.create(
        answer=answer, title="Perbup Masterplan", file=SimpleUploadedFile("x.pdf", PDF), original_name="perbup.pdf"
    )
    make_user("koordinator", roles.COORDINATOR)
    page = browser_page
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, site.url, "koordinator")
    page.get_by_role("button", name="Unduh paket bukti (.zip)").click()
    page.wait_for_url(lambda url: "/pekerjaan/" in url, wait_until="load")
    expect(page.get_by_role("heading", name="Menunggu giliran…")).to_be_visible()

    # A worker runs it (here: in this process); the page follows on its next refresh.
    tasks.run_job.call(Job.objects.get(kind=Job.Kind.EVIDENCE_PACKAGE).pk)
    link = page.get_by_role("link", name="Unduh paket bukti (.zip)")
    expect(link).to_be_visible(timeout=15_000)
    expect(page.get_by_text("workbook dan 1 berkas bukti")).to_be_visible()
    screenshot(page, "evidence-package-done")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == "paket-bukti-2024-tahap-1.zip"
    path = tmp_path / "paket.zip"
    download.value.save_as(path)
    archive = zipfile.ZipFile(path)
    target = f"bukti/diskominfo-staper/{question.code}/perbup.pdf"
    assert archive.read(target) == PDF
    sheet = open_workbook(io.BytesIO(archive.read("evaluasi-smart-city-2024-tahap-1.xlsx")))["Jawaban per OPD"]
    cell = sheet.cell(row=3, column=header_index(sheet)["Bukti dukung"] + 1)
    assert cell.hyperlink.target == target
    assert errors == []
