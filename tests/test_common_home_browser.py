"""The leader's home in Chromium (issue 11): readable on a 375 px phone (no sideways scrolling,
chart labels at least 12 px as drawn, agency names on one or two lines, the status in view) and
printed on one A4 page without the navigation. Screenshots go to artifacts/."""

import re
from decimal import Decimal

import pytest
from django.utils import timezone

from evaluations import roles
from evaluations.models import Agency, EvaluationPeriod, Question, Submission

from .browser import ARTIFACTS, PHONE, log_in, screenshot
from .factories import make_answer, make_submission, make_user, open_period

pytestmark = [pytest.mark.browser, pytest.mark.one_db_pass]

PHONE_375 = {**PHONE, "width": 375}
# Every text of every chart: its computed font size, and the size it is drawn at (the SVG's
# viewBox scales text with the drawing: 12 units in a shrunken chart are fewer than 12 px).
CHART_TEXT_SIZES = """() => [...document.querySelectorAll('.chart svg text')].map(t => {
  const px = parseFloat(getComputedStyle(t).fontSize);
  return {text: t.textContent, computed: px, drawn: px * t.ownerSVGElement.getScreenCTM().a};
})"""
NO_SIDEWAYS_SCROLL = "document.scrollingElement.scrollWidth <= window.innerWidth"


@pytest.fixture
def leaders_world(site):
    """The shipped 2024 Tahap I period (31 agencies), five days past its deadline: Dinas PU
    approved with verified scores, Bappeda submitted, Diskominfo returned, the rest late."""
    period = open_period(EvaluationPeriod.objects.get(year=2024, stage="1"), days_left=-5)
    agencies = {
        a.abbreviation: a for a in Agency.objects.filter(abbreviation__in=["Dinas PU", "Bappeda", "Diskominfo Staper"])
    }
    plan = [
        ("Dinas PU", Submission.Status.APPROVED, 4, 3),
        ("Bappeda", Submission.Status.SUBMITTED, 3, None),
        ("Diskominfo Staper", Submission.Status.RETURNED, 2, None),
    ]
    for abbreviation, status, score, verified in plan:
        agency = agencies[abbreviation]
        submission = make_submission(period, agency, status, submitted_at=timezone.now())
        for question in Question.objects.assigned_to(agency, period).filter(answer_type=Question.AnswerType.LEVEL):
            make_answer(submission, question, score=score, verified=None if verified is None else Decimal(verified))
    make_user("pimpinan", roles.LEADER, first_name="Sekda")
    return period


@pytest.fixture
def phone_375(chromium_browser):
    context = chromium_browser.new_context(locale="id-ID", viewport=PHONE_375, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_the_leaders_home_reads_on_a_375_px_phone(site, leaders_world, phone_375):
    page = phone_375
    log_in(page, site.url, "pimpinan")
    path = screenshot(page, "leader-home-phone-375")
    assert path.exists()
    assert page.locator(".final-official").is_visible()
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("document.scrollingElement.scrollWidth")

    sizes = page.evaluate(CHART_TEXT_SIZES)
    assert len(sizes) > 12  # legend, six labels, twelve values, the scale
    small = [s for s in sizes if s["computed"] < 12 or s["drawn"] < 12]
    assert not small, small[:5]

    # Late or returned agencies are cards: the name on one or two lines, the status in view.
    rows = page.evaluate("""() => [...document.querySelectorAll('.attention-list tbody tr')].map(tr => {
      const name = tr.querySelector('th'), badge = tr.querySelector('.badge');
      return {name: name.textContent.trim(),
              lines: name.getBoundingClientRect().height / parseFloat(getComputedStyle(name).lineHeight),
              statusRight: badge.getBoundingClientRect().right, statusShown: badge.checkVisibility()};
    })""")
    assert len(rows) == Agency.objects.filter(assignments__period=leaders_world).distinct().count() - 2
    width = PHONE_375["width"]
    assert all(row["lines"] < 2.5 and row["statusShown"] and row["statusRight"] <= width for row in rows), rows


def test_the_results_page_draws_chart_labels_at_12_px_on_a_phone(site, leaders_world, phone_375):
    page = phone_375
    log_in(page, site.url, "pimpinan")
    page.goto(f"{site.url}/hasil/")
    screenshot(page, "results-phone-375")
    sizes = page.evaluate(CHART_TEXT_SIZES)
    assert page.locator(".chart svg").count() == 2
    small = [s for s in sizes if s["computed"] < 12 or s["drawn"] < 12]
    assert not small, small[:5]


def test_the_leaders_summary_prints_on_one_a4_page_without_the_navigation(site, leaders_world, browser_page):
    page = browser_page
    log_in(page, site.url, "pimpinan")
    page.emulate_media(media="print")
    hidden = page.evaluate("""() => ['header nav', 'footer', '.btn'].map(
      s => [...document.querySelectorAll(s)].every(el => getComputedStyle(el).display === 'none'))""")
    assert hidden == [True, True, True]
    assert page.locator(".leader-summary .final-official").is_visible()
    assert page.locator(".attention-list").is_visible()
    pdf = page.pdf(format="A4", prefer_css_page_size=True, print_background=True)
    pages = len(re.findall(rb"/Type\s*/Page[^s]", pdf))
    (ARTIFACTS / "leader-home-a4.pdf").write_bytes(pdf)
    assert pages == 1
