"""The quick-win form in Chromium: the sub-dimension list offers only the chosen pillar's (issue
24, item 12: rebuilt by the script, or sent for by a button without JavaScript), the supporting
agencies' filter box narrows the checklist; without JavaScript the agencies' list is complete."""

import pytest
from playwright.sync_api import expect

from evaluations.models import Agency, QuickWin
from pillars.models import Pillar

from .browser import log_in
from .factories import make_operator, make_period

pytestmark = [pytest.mark.browser, pytest.mark.one_db_pass]


@pytest.fixture
def form_page(site, browser_page):
    make_period(2031)
    make_operator(Agency.objects.get(abbreviation="Dinas PU"), "op_pu")
    log_in(browser_page, site.url, "op_pu")
    browser_page.goto(f"{site.url}/quick-wins/baru/")
    return browser_page


def _visible_options(page):
    # Every option the select holds: a hidden one is still listed by some phones' pickers.
    return page.locator("#id_subdimension option[data-pillar]").evaluate_all(
        "options => options.map(o => o.textContent)"
    )


def test_the_sub_dimension_list_shows_only_the_chosen_pillar_s(form_page):
    expect(form_page.get_by_role("button", name="Tampilkan sub-dimensi pilar ini")).to_be_hidden()
    form_page.select_option("#id_pillar", label="Smart Environment")
    assert _visible_options(form_page) == [s.name for s in Pillar.objects.get(code="ENV").subdimensions.all()]
    form_page.select_option("#id_pillar", label="Smart Living")
    assert _visible_options(form_page) == [s.name for s in Pillar.objects.get(code="LIV").subdimensions.all()]


def test_changing_the_pillar_clears_a_sub_dimension_of_the_other_pillar(form_page):
    form_page.select_option("#id_pillar", label="Smart Environment")
    form_page.select_option("#id_subdimension", label="Tata kelola sampah dan limbah")
    form_page.select_option("#id_pillar", label="Smart Living")
    expect(form_page.locator("#id_subdimension")).to_have_value("")


def test_the_filter_box_narrows_the_checklist_and_keeps_ticked_agencies(form_page):
    form_page.get_by_label("Bappeda", exact=False).first.check()
    form_page.fill("#agency-filter", "dinas kes")
    shown = form_page.locator(".agency-checklist .form-check:not([hidden])").all_inner_texts()
    assert any("Dinas Kesehatan" in s for s in shown) and any("Bappeda" in s for s in shown)
    assert len(shown) == 2


def test_without_javascript_the_pillar_is_sent_for_its_sub_dimensions_and_every_agency_is_listed(
    site, chromium_browser
):
    make_period(2031)
    make_operator(Agency.objects.get(abbreviation="Dinas PU"), "op_pu")
    context = chromium_browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, site.url, "op_pu")
        page.goto(f"{site.url}/quick-wins/baru/")
        assert len(_visible_options(page)) == 18  # no pillar chosen yet: all, grouped by pillar
        page.fill("#id_name", "Bank Sampah Digital")
        page.select_option("#id_pillar", label="Smart Environment")
        with page.expect_navigation():
            page.get_by_role("button", name="Tampilkan sub-dimensi pilar ini").click()
        assert _visible_options(page) == [s.name for s in Pillar.objects.get(code="ENV").subdimensions.all()]
        expect(page.locator("#id_name")).to_have_value("Bank Sampah Digital")
        expect(page.locator(".invalid-feedback")).to_have_count(0)
        assert not QuickWin.objects.exists()
        assert page.locator(".agency-filter").is_hidden()
        page.select_option("#id_subdimension", label="Tata kelola sampah dan limbah")
        page.get_by_label("DLH", exact=False).first.check()
        page.get_by_role("button", name="Kirim usulan").click()
        page.wait_for_load_state()
        quick_win = QuickWin.objects.get()
        assert (quick_win.subdimension.name, [a.abbreviation for a in quick_win.supporting_agencies.all()]) == (
            "Tata kelola sampah dan limbah",
            ["DLH"],
        )
    finally:
        context.close()
