"""The new-period form's suggested name follows the year and stage typed (issue 24, item 10), in
Chromium with and without JavaScript."""

import pytest
from playwright.sync_api import expect

from evaluations import roles
from evaluations.models import EvaluationPeriod

from .browser import log_in
from .factories import make_user

pytestmark = [pytest.mark.browser, pytest.mark.one_db_pass]


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_the_name_follows_the_year_and_stage_typed(site, chromium_browser, javascript):
    make_user("admin", roles.ADMIN, is_staff=True)
    context = chromium_browser.new_context(locale="id-ID", java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, site.url, "admin")
        page.goto(f"{site.url}/kelola/periode/baru/")
        name = page.get_by_label("Nama")
        expect(name).to_have_attribute("placeholder", "Evaluasi Smart City 2024 Tahap II")
        page.get_by_label("Tahun").fill("2027")
        page.get_by_label("Tahap").select_option("1")
        if javascript:
            expect(name).to_have_attribute("placeholder", "Evaluasi Smart City 2027 Tahap I")
        page.get_by_label("Dibuka").fill("2027-05-01")
        page.get_by_label("Batas akhir").fill("2027-06-30")
        with page.expect_navigation():
            page.get_by_role("button", name="Buat periode").click()
        period = EvaluationPeriod.objects.get(year=2027, stage="1")
        assert period.name == "Evaluasi Smart City 2027 Tahap I"
        expect(page.locator("h1")).to_contain_text("Evaluasi Smart City 2027 Tahap I")
    finally:
        context.close()
