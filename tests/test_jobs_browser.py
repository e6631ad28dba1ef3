"""A job's page in Chromium, with and without JavaScript: it shows the progress a worker reports,
follows the job by refreshing itself (a meta refresh, not a script) and ends on the download."""

import pytest
from playwright.sync_api import expect

from evaluations import roles, tasks
from evaluations.models import EvaluationPeriod, Job

from .browser import log_in, screenshot
from .factories import make_user, open_period

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


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
