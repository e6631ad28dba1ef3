"""The navigation bar in Chromium (issue 24, item 15): one row at 1366 x 768 for every role in
both languages, the grouped menus open with the keyboard, and on a 360 px phone the collapsed
menu opens and shows every item, with no console error."""

import pytest

from evaluations import roles
from evaluations.models import Agency, EvaluationPeriod

from .browser import log_in, screenshot
from .factories import default_region, make_operator, make_user, open_period

pytestmark = [pytest.mark.browser, pytest.mark.one_db_pass]

LAPTOP = {"width": 1366, "height": 768}
PHONE_360 = {"width": 360, "height": 780}

# The visible boxes of the bar's top level (brand, menu items, language, account, bell): one row
# when every box overlaps every other vertically (the lowest top is above the highest bottom).
ROW_PROBE = """
() => {
  const bar = document.querySelector('header nav.navbar > .container-fluid');
  const selectors = [':scope > .navbar-brand', ':scope > .navbar-bell', '#main-nav > .navbar-nav > .nav-item',
                     '#main-nav > :not(ul) > *'];
  const boxes = selectors.flatMap(s => Array.from(bar.querySelectorAll(s)))
    .map(el => ({text: el.textContent.trim().replace(/\\s+/g, ' ').slice(0, 40), rect: el.getBoundingClientRect()}))
    .filter(box => box.rect.width > 0 && box.rect.height > 0);
  const lowestTop = Math.max(...boxes.map(b => b.rect.top));
  const highestBottom = Math.min(...boxes.map(b => b.rect.bottom));
  // A link whose words wrap onto two lines is as tall as two rows: nothing is taller than the
  // bell's 44 px touch target.
  const tallest = Math.max(...boxes.map(b => b.rect.height));
  return {oneRow: lowestTop < highestBottom && tallest <= 44, items: boxes.length,
          height: bar.getBoundingClientRect().height,
          rows: boxes.map(b => `${Math.round(b.rect.top)}+${Math.round(b.rect.height)}: ${b.text}`)};
}
"""

# (username, full name as the demo names them, the page that role reads)
PEOPLE = {
    "operator": ("op_diskominfo", "Operator Diskominfo Staper", "/opd/"),
    "coordinator": ("koordinator", "Rina Koordinator", "/"),
    "admin": ("admin", "Admin Diskominfo", "/"),
    "leader": ("pimpinan", "Sekretaris Daerah", "/"),
    "ministry": ("kementerian", "Direktorat Kominfo Kementerian", "/hasil/?wilayah=64.08"),
    "province": ("provinsi_kaltim", "Diskominfo Provinsi Kaltim", "/hasil/?wilayah=64.08"),
}


@pytest.fixture(scope="module")
def people(module_db):
    open_period(EvaluationPeriod.objects.get(year=2024, stage="1"))
    province = default_region().province
    for role, (username, full_name, _page) in PEOPLE.items():
        first, _sep, last = full_name.partition(" ")
        names = {"first_name": first, "last_name": last}
        if role == "operator":
            user = make_operator(Agency.objects.get(abbreviation="Diskominfo Staper"), username)
            user.first_name, user.last_name = first, last
            user.save()
        elif role == "admin":
            make_user(username, roles.ADMIN, is_staff=True, **names)
        elif role == "province":
            make_user(username, roles.PROVINCE, region=province, **names)
        else:
            make_user(
                username,
                {"coordinator": roles.COORDINATOR, "leader": roles.LEADER, "ministry": roles.MINISTRY}[role],
                **names,
            )


def _page(chromium_browser, viewport, locale="id-ID"):
    context = chromium_browser.new_context(locale=locale, viewport=viewport)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return context, page, errors


@pytest.mark.parametrize("language", ["id", "en"])
@pytest.mark.parametrize("role", PEOPLE)
def test_the_navigation_bar_is_one_row_at_1366_px(site, people, chromium_browser, role, language):
    username, _name, path = PEOPLE[role]
    context, page, errors = _page(chromium_browser, LAPTOP)
    try:
        log_in(page, site.url, username)
        if language == "en":
            with page.expect_navigation():
                page.click("header .lang-switch button[value=en]")
        page.goto(f"{site.url}{path}")
        page.wait_for_load_state("load")
        probe = page.evaluate(ROW_PROBE)
        if not probe["oneRow"]:
            screenshot(page, f"navbar-1366-{role}-{language}")
        assert probe["oneRow"], f"{role} ({language}): the bar wraps, {probe['height']} px:\n" + "\n".join(
            probe["rows"]
        )
        assert probe["items"] >= 5
        assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
        assert errors == []
    finally:
        context.close()


def test_the_grouped_menus_open_with_the_keyboard(site, people, chromium_browser):
    context, page, errors = _page(chromium_browser, LAPTOP)
    try:
        log_in(page, site.url, "admin")
        toggle = page.locator("#main-nav .dropdown-toggle", has_text="Kelola")
        toggle.focus()
        page.keyboard.press("Enter")
        menu = page.locator("#main-nav .dropdown-menu.show")
        assert menu.is_visible()
        page.keyboard.press("ArrowDown")
        assert page.evaluate("document.activeElement.textContent.trim()") == "Periode"
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: url.endswith("/kelola/periode/"), wait_until="load")
        assert errors == []
    finally:
        context.close()


def test_on_a_360_px_phone_the_collapsed_menu_opens_and_shows_every_item(site, people, chromium_browser):
    context, page, errors = _page(chromium_browser, PHONE_360)
    try:
        log_in(page, site.url, "admin")
        assert not page.locator("#main-nav").is_visible()
        page.click("button.navbar-toggler")
        page.locator("#main-nav.show").wait_for()
        page.click("#main-nav .dropdown-toggle:has-text('Kelola')")
        page.click("#main-nav .dropdown-menu.show a:has-text('Instrumen')")
        page.wait_for_url(lambda url: "/kelola/instrumen/" in url, wait_until="load")
        assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
        assert errors == []
    finally:
        context.close()


def test_without_javascript_a_group_opens_on_keyboard_focus_and_a_phone_shows_every_item(
    site, people, chromium_browser
):
    context = chromium_browser.new_context(locale="id-ID", viewport=LAPTOP, java_script_enabled=False)
    page = context.new_page()
    try:
        log_in(page, site.url, "admin")
        periods = page.locator("#main-nav a", has_text="Periode")
        assert not periods.is_visible()
        page.locator("#nav-manage").focus()
        for label in ("Periode", "Instrumen", "Pekerja", "Admin Django"):
            assert page.locator("#main-nav a", has_text=label).is_visible(), label
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent.trim()") == "Periode"
        page.set_viewport_size(PHONE_360)
        for label in ("Periode", "Instrumen", "Pekerja", "Kata sandi", "Quick win"):
            assert page.locator("#main-nav a", has_text=label).first.is_visible(), label
        assert page.evaluate("document.scrollingElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()
