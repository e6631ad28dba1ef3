"""The results page (/hasil/) printed from Chromium (issue 25): A4 without the navigation, the
period chooser or the buttons, every table whole within the page's width, rows never cut, table
headers repeated. The PDF goes to artifacts/results-a4.pdf."""

import io
import re

import pytest
from pypdf import PdfReader

from pillars.models import Pillar

from .browser import ARTIFACTS, log_in
from .test_common_home_browser import leaders_world  # noqa: F401  (the fixture: 31 agencies, three handed in)

pytestmark = [pytest.mark.browser, pytest.mark.one_db_pass]

# The widest right edge of anything on the page, and the width it must fit in.
OVERFLOW = """() => {
  const width = document.documentElement.clientWidth;
  const wide = [...document.querySelectorAll('#main *')]
    .filter(el => el.getBoundingClientRect().right > width + 1)
    .map(el => el.tagName + '.' + el.className);
  return {width, wide: wide.slice(0, 5)};
}"""


def test_the_results_page_prints_on_a4_without_navigation_and_with_whole_tables(site, leaders_world, browser_page):  # noqa: F811
    page = browser_page
    log_in(page, site.url, "pimpinan")
    page.goto(f"{site.url}/hasil/")
    page.emulate_media(media="print")
    # The A4 page's printable width at 96 px per inch: 210 mm less two 12 mm margins.
    page.set_viewport_size({"width": round((210 - 24) / 25.4 * 96), "height": 1000})
    hidden = page.evaluate("""() => ['header nav', 'footer', '.btn', '.no-print'].map(
      s => [...document.querySelectorAll(s)].every(el => el.checkVisibility() === false))""")
    assert hidden == [True, True, True, True]
    overflow = page.evaluate(OVERFLOW)
    assert overflow["wide"] == [], overflow
    styles = page.evaluate("""() => ({
      thead: getComputedStyle(document.querySelector('.pillar-scores thead')).display,
      row: getComputedStyle(document.querySelector('.pillar-scores tbody tr')).breakInside})""")
    assert styles == {"thead": "table-header-group", "row": "avoid"}

    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    (ARTIFACTS / "results-a4.pdf").write_bytes(pdf)
    reader = PdfReader(io.BytesIO(pdf))
    text = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in reader.pages))
    assert len(reader.pages) <= 3
    for pillar in Pillar.objects.all():
        assert pillar.name in text
    assert "Unduh laporan" not in text and "Tampilkan" not in text and "Keluar" not in text
