"""Every region side by side in Chromium: the ministry sorts /nasional/ by a column, filters a
province, opens a region's results (read only, the region named in the header) and comes back
through "Semua wilayah"; a province reader's /provinsi/64/ on a 360 px phone keeps the table in
its own scrolling region, with no console error."""

import re

import pytest

from evaluations import roles
from evaluations.models import Region, Submission

from .browser import PHONE, log_in, screenshot
from .factories import make_user
from .test_national import _region_with_scores

pytestmark = [pytest.mark.browser, pytest.mark.one_db_pass]

NO_SIDEWAYS_SCROLL = "document.scrollingElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def regions(site):
    _region_with_scores("64.72", "Kota Samarinda", [3, 3])
    _region_with_scores("64.74", "Kota Bontang", [4, 2])
    _region_with_scores("64.03", "Kabupaten Berau", [1, 1], status=Submission.Status.SUBMITTED)
    _region_with_scores("65.02", "Kabupaten Malinau", [2, 2], province="65")
    make_user("kementerian", roles.MINISTRY)
    make_user("provinsi_kaltim", roles.PROVINCE, region=Region.objects.get(code="64"))


def codes(page):
    return page.eval_on_selector_all("tr[data-region]", "rows => rows.map(r => r.dataset.region)")


def test_the_ministry_sorts_filters_and_reads_a_region(site, regions, browser_page):
    page = browser_page
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, site.url, "kementerian")
    assert page.url.endswith("/nasional/")  # the ministry's home is every region
    assert set(codes(page)) >= {"64.72", "64.74", "64.03", "65.02"}
    page.click("a[data-sort=wilayah]")
    # The sort is a link: read the rows only once the sorted page has loaded, never the page it left.
    page.wait_for_url(lambda url: "urut=wilayah" in url and "arah=turun" not in url, wait_until="load")
    names = page.eval_on_selector_all("tr[data-region] th a", "links => links.map(a => a.textContent)")
    assert names == sorted(names)
    page.click("a[data-sort=wilayah]")  # again: the other way round
    page.wait_for_url(lambda url: "arah=turun" in url, wait_until="load")
    assert page.eval_on_selector_all("tr[data-region] th a", "links => links.map(a => a.textContent)") == sorted(
        names, reverse=True
    )
    page.select_option("#provinsi", "65")
    page.click("button:has-text('Tampilkan')")
    page.wait_for_url(lambda url: "provinsi=65" in url, wait_until="load")
    assert codes(page) == ["65.02"]
    page.goto(f"{site.url}/nasional/")
    page.click("tr[data-region='64.72'] th a")
    page.wait_for_url(lambda url: "/hasil/" in url, wait_until="load")
    assert page.inner_text(".read-region") == "Kota Samarinda"
    assert re.search(r"3,00", page.inner_text("main"))
    page.click("nav >> text=Semua wilayah")
    page.wait_for_url(lambda url: url.endswith("/nasional/"), wait_until="load")
    screenshot(page, "national-table")
    assert errors == []


def test_a_province_reads_its_regions_on_a_phone(site, regions, chromium_browser):
    context = chromium_browser.new_context(locale="id-ID", viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    log_in(page, site.url, "provinsi_kaltim")
    assert page.url.endswith("/provinsi/64/")
    assert "65.02" not in codes(page) and "64.72" in codes(page)
    assert page.evaluate(NO_SIDEWAYS_SCROLL)
    region = page.locator("div.table-responsive[role=region]")
    assert region.get_attribute("tabindex") == "0"
    screenshot(page, "province-table-phone")
    assert errors == []
    context.close()
