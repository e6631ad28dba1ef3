"""The page frame in a real browser on a phone: the collapsed menu with and without JavaScript."""

import pytest
from playwright.sync_api import expect

from evaluations.models import Agency

from .browser import PHONE, log_in, screenshot
from .factories import make_operator

pytestmark = [pytest.mark.browser, pytest.mark.one_db_pass]


@pytest.fixture
def phone_without_js(chromium_browser):
    context = chromium_browser.new_context(
        locale="id-ID", viewport=PHONE, is_mobile=True, has_touch=True, java_script_enabled=False
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_without_javascript_a_phone_shows_the_menu_and_the_log_out_button(site, phone_without_js):
    make_operator(Agency.objects.get(abbreviation="Dinas PU"), "op_pu")
    page = phone_without_js
    log_in(page, site.url, "op_pu")
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()
    expect(page.get_by_role("link", name="Quick win", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Buka menu")).to_be_hidden()
    screenshot(page, "layout-phone-without-js")
    with page.expect_navigation():
        page.get_by_role("button", name="Keluar").click()
    expect(page.get_by_role("button", name="Keluar")).to_have_count(0)


def test_with_javascript_the_phone_menu_opens_from_its_button(site, phone_page):
    make_operator(Agency.objects.get(abbreviation="Dinas PU"), "op_pu")
    page = phone_page
    log_in(page, site.url, "op_pu")
    expect(page.get_by_role("button", name="Keluar")).to_be_hidden()
    page.get_by_role("button", name="Buka menu").click()
    expect(page.get_by_role("button", name="Keluar")).to_be_visible()
