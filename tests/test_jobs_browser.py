"""A job's page in Chromium, with and without JavaScript: it shows the progress a worker reports,
follows the job by refreshing itself (a meta refresh, not a script) and ends on the download or,
for a data-set upload, on the data set with its message (after an upload progress bar, with
JavaScript)."""

import pytest
from playwright.sync_api import expect

from evaluations import roles, tasks
from evaluations.models import EvaluationPeriod, Job

from .browser import log_in, screenshot
from .factories import ROAD_ROW, make_agency, make_operator, make_user, make_xlsx, open_period

pytestmark = [pytest.mark.browser, pytest.mark.one_db_pass]


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_job_page_follows_the_worker_to_the_download(site, chromium_browser, javascript):
    period = open_period(EvaluationPeriod.objects.get(year=2024, stage="1"))
    coordinator = make_user("koordinator", roles.COORDINATOR)
    job = Job.objects.create(kind=Job.Kind.WORKBOOK, key="browser", period=period, requested_by=coordinator)
    context = chromium_browser.new_context(locale="id-ID", java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, site.url, "koordinator")
        page.goto(f"{site.url}/pekerjaan/{job.pk}/")
        expect(page.get_by_role("heading", name="Menunggu giliran…")).to_be_visible()

        # A worker takes it and reports progress: the page shows it on its next refresh.
        job.claim()
        job.report(3, 11, "Jawaban per OPD")
        expect(page.get_by_role("heading", name="Menyiapkan… 27%")).to_be_visible()
        expect(page.locator("progress")).to_have_attribute("value", "27")
        screenshot(page, f"job-running-{'js' if javascript else 'nojs'}")

        # The worker finishes (here: runs the rest of the job in this process).
        Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED)
        tasks.run_job.call(job.pk)
        link = page.get_by_role("link", name="Unduh workbook evaluasi (.xlsx)")
        expect(link).to_be_visible()
        with page.expect_download() as download:
            link.click()
        assert download.value.suggested_filename == "evaluasi-smart-city-2024-tahap-1.xlsx"
    finally:
        context.close()


# Bytes a second: a regency link, slow enough for the test to see the bar move.
SLOW_UPLOAD = 40 * 1024


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_data_set_upload_shows_its_progress_then_the_result(site, chromium_browser, javascript, tmp_path):
    open_period(EvaluationPeriod.objects.get(year=2024, stage="1"))
    make_operator(make_agency(), "op_pu")
    road_file = tmp_path / "jalan.xlsx"
    road_file.write_bytes(make_xlsx([ROAD_ROW] * 3000).read())
    context = chromium_browser.new_context(locale="id-ID", java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(15_000)
    suffix = "js" if javascript else "nojs"
    try:
        log_in(page, site.url, "op_pu")
        page.goto(f"{site.url}/data/jalan/")
        page.get_by_label("Berkas .xlsx").set_input_files(str(road_file))
        if javascript:
            network = context.new_cdp_session(page)
            network.send("Network.enable")
            network.send(
                "Network.emulateNetworkConditions",
                {"offline": False, "latency": 20, "downloadThroughput": -1, "uploadThroughput": SLOW_UPLOAD},
            )
            page.get_by_role("button", name="Unggah", exact=True).click()
            bar = page.locator("progress#upload-progress")
            expect(bar).to_be_visible()
            expect(page.get_by_text("Mengunggah berkas…")).to_be_visible()
            # The bar moves while the file is on its way, before any answer from the server.
            page.wait_for_function(
                "() => { const v = document.querySelector('#upload-progress').value; return v > 0 && v < 100; }"
            )
            screenshot(page, "upload-progress-js")
            page.wait_for_url("**/pekerjaan/*/")
        else:
            with page.expect_navigation():
                page.get_by_role("button", name="Unggah", exact=True).click()
        job = Job.objects.get()
        assert page.url == f"{site.url}/pekerjaan/{job.pk}/"
        expect(page.get_by_role("heading", name="Menunggu giliran…")).to_be_visible()

        # A worker takes it and reports the rows it checked: the page shows it on its next refresh.
        job.claim()
        job.report(750, 3000)
        expect(page.get_by_role("heading", name="Memvalidasi… 25%")).to_be_visible()
        expect(page.get_by_text("750 dari 3.000 baris diperiksa")).to_be_visible()
        screenshot(page, f"upload-validating-{suffix}")

        Job.objects.filter(pk=job.pk).update(state=Job.State.QUEUED)
        tasks.run_job.call(job.pk)
        expect(page.locator(".alert-success")).to_contain_text("3000 baris kondisi jalan disimpan.")
        assert page.url == f"{site.url}/data/jalan/"
        screenshot(page, f"upload-done-{suffix}")
    finally:
        context.close()
