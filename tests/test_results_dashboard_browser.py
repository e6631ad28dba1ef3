"""The coordinators' dashboard (/koordinator/) on a 375 px phone: the agencies × pillars table becomes a
list of cards (issue 11: names wrapped onto 4-6 lines and the status column off-screen)."""

import pytest

from .browser import log_in, screenshot
from .test_common_home_browser import NO_SIDEWAYS_SCROLL, PHONE_375, leaders_world, phone_375  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.one_db_pass]


def test_on_a_phone_every_agency_is_a_card_with_its_status_in_view(site, leaders_world, phone_375):  # noqa: F811
    page = phone_375
    log_in(page, site.url, "pimpinan")
    page.goto(f"{site.url}/koordinator/")
    screenshot(page, "dashboard-phone-375")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("document.scrollingElement.scrollWidth")
    rows = page.evaluate("""() => [...document.querySelectorAll('.completion-matrix tbody tr')].map(tr => {
      const name = tr.querySelector('th'), badge = tr.querySelector('.badge');
      return {name: name.textContent.trim(),
              lines: name.getBoundingClientRect().height / parseFloat(getComputedStyle(name).lineHeight),
              statusRight: badge.getBoundingClientRect().right, statusShown: badge.checkVisibility()};
    })""")
    assert len(rows) == 31
    assert all(r["lines"] < 2.5 and r["statusShown"] and r["statusRight"] <= PHONE_375["width"] for r in rows), rows
    # The table itself no longer scrolls sideways inside its region.
    assert page.evaluate(
        "(() => { const r = document.querySelector('.table-responsive'); return r.scrollWidth <= r.clientWidth; })()"
    )
