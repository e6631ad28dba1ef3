"""Replacing an agency's data-set rows in Chromium (issue 24, item 17): the upload form names the
rows it replaces ("Ganti 2 baris data set Kondisi jalan milik ..."); left unticked, nothing is
replaced (with JavaScript the file does not even leave the browser; without it the server
refuses); ticked, the upload replaces the rows."""

import re

import pytest
from django.test import Client
from playwright.sync_api import expect

from evaluations import tasks
from evaluations.models import DatasetUpload, EvaluationPeriod, Job, RoadSegment

from .browser import log_in, screenshot
from .factories import ROAD_ROW, make_agency, make_operator, make_xlsx, open_period

pytestmark = [pytest.mark.browser, pytest.mark.one_db_pass]


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_an_upload_over_the_agency_s_rows_asks_first_and_names_them(site, chromium_browser, javascript, tmp_path):
    open_period(EvaluationPeriod.objects.get(year=2024, stage="1"))
    agency = make_agency("Dinas Pekerjaan Umum Uji", "PU Uji")
    operator = make_operator(agency, "op_pu")
    earlier = Client()
    earlier.force_login(operator)
    earlier.post("/data/jalan/unggah/", {"file": make_xlsx([ROAD_ROW, ROAD_ROW])})
    tasks.run_job.call(Job.objects.get().pk)
    assert RoadSegment.objects.filter(agency=agency).count() == 2
    road_file = tmp_path / "jalan-baru.xlsx"
    road_file.write_bytes(make_xlsx([ROAD_ROW] * 3).read())
    context = chromium_browser.new_context(locale="id-ID", java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, site.url, "op_pu")
        page.goto(f"{site.url}/data/jalan/")
        confirm = page.get_by_label(
            "Ganti 2 baris data set Kondisi jalan milik Dinas Pekerjaan Umum Uji dengan isi berkas ini"
        )
        expect(confirm).not_to_be_checked()
        page.get_by_label("Berkas .xlsx").set_input_files(str(road_file))
        if javascript:
            page.get_by_role("button", name="Unggah", exact=True).click()
            expect(confirm).to_be_focused()
            expect(confirm).to_have_class(re.compile(r"\bis-invalid\b"))
        else:
            with page.expect_navigation():
                page.get_by_role("button", name="Unggah", exact=True).click()
            expect(page.locator(".alert-danger")).to_contain_text("Centang konfirmasi penggantian data")
            page.get_by_label("Berkas .xlsx").set_input_files(str(road_file))
        assert DatasetUpload.objects.count() == 1 and RoadSegment.objects.filter(agency=agency).count() == 2
        screenshot(page, f"dataset-replace-confirm-{'js' if javascript else 'nojs'}")

        confirm.check()
        with page.expect_navigation(url="**/pekerjaan/*/"):
            page.get_by_role("button", name="Unggah", exact=True).click()
        tasks.run_job.call(Job.objects.latest("pk").pk)
        expect(page.locator(".alert-success")).to_contain_text("3 baris kondisi jalan disimpan; data sebelumnya")
        assert RoadSegment.objects.filter(agency=agency).count() == 3
    finally:
        context.close()
