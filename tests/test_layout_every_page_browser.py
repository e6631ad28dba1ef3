"""Every page of every role in a 360 px window (issue 24, items 3 and 13): no page is wider than
the window, and the browser's console stays free of errors (a missing favicon, a style the
Content-Security-Policy refuses, a script error).

"Every page" is not a list kept by hand: it is every URL pattern of the project, with the access
matrix's arguments (tests/test_access_matrix.py, which fails on a pattern without an entry), for
every role whose GET the matrix expects to answer 200 or to redirect to a page. File downloads
(anything not HTML) are left out. One test per role logs in once and reports each page as its
own subtest, so a failure names the page and the role."""

import pytest
from django.urls import reverse

from evaluations import roles
from evaluations.models import Agency, EvaluationPeriod

from .browser import log_in, screenshot
from .factories import make_operator, make_reviewer, make_user, open_period, plan_review
from .test_access_matrix import MATRIX, ROLES, World

pytestmark = [pytest.mark.browser, pytest.mark.one_db_pass]

PHONE_360 = {"width": 360, "height": 780}
# The page's own width, and the elements that stick out of the window (to name the culprit).
WIDTH_PROBE = """
() => {
  const width = document.documentElement.scrollWidth;
  const culprits = width <= 360 ? [] : Array.from(document.querySelectorAll('body *'))
    .filter(el => el.getBoundingClientRect().right > 360 + 1)
    .filter(el => !(el.parentElement && el.parentElement.getBoundingClientRect().right > 360 + 1))
    .filter(el => { for (let a = el.parentElement; a; a = a.parentElement) {
      if (['auto', 'scroll', 'hidden'].includes(getComputedStyle(a).overflowX)) return false; } return true; })
    .slice(0, 5)
    .map(el => el.outerHTML.slice(0, 160));
  return {width, culprits};
}
"""


@pytest.fixture(scope="module")
def world(module_db):
    """The access matrix's world (its objects of agency A), committed for the live server, with
    its users under the same names."""
    period = open_period(EvaluationPeriod.objects.get(year=2024, stage="1"))
    agency_a = Agency.objects.get(abbreviation="Diskominfo Staper")
    operator_a = make_operator(agency_a, "operator_a")
    coordinator = make_user("koordinator", roles.COORDINATOR)
    world = World(period, agency_a, operator_a, coordinator)
    make_operator(Agency.objects.get(abbreviation="Bappeda"), "operator_b")
    make_user("pimpinan", roles.LEADER)
    make_user("admin", roles.ADMIN, is_staff=True)
    # The monitor's objects are made on first use: make them now, while the module may write.
    for name in ("monitor_survey", "monitor_form", "monitor_response", "monitor_excluded", "review_row"):
        getattr(world, name)
    # The reviewer role (not a column of the matrix): Bappeda's reviewer of agency A's answer's pillar.
    reviewer = make_reviewer(Agency.objects.get(abbreviation="Bappeda"), "peninjau_bappeda")
    plan_review(period, reviewer, world.answer_a.question.pillar)
    return world


USERS = {
    "anonymous": None,
    "operator_a": "operator_a",
    "operator_b": "operator_b",
    "coordinator": "koordinator",
    "leader": "pimpinan",
    "admin": "admin",
}


def pages_of(role, world):
    """(name, url) of every page the role may open, from the access matrix."""
    pages = []
    for name, entry in sorted(MATRIX.items()):
        if entry.expected("GET")[role] not in ("200", "R", "L"):
            continue
        if entry.expected("GET")[role] == "L" and role != "anonymous":
            continue
        url = reverse(name, args=entry.args(world) if entry.args else [])
        pages.append((name, url))
    return pages


# The reviewer role's pages: its queue (its home), the review page and an answer's page of the
# pillar the plan gives it.
REVIEWER_PAGES = [
    ("evaluations:common_home", lambda w: []),
    ("evaluations:review_plan_queue", lambda w: []),
    ("evaluations:review_submission", lambda w: [w.submission_a.pk]),
    ("evaluations:review_answer", lambda w: [w.answer_a.pk]),
    ("evaluations:notifications_index", lambda w: []),
]


def _probe(page, site, url, errors):
    errors.clear()
    page.goto(f"{site.url}{url}")
    page.wait_for_load_state("load")
    probe = page.evaluate(WIDTH_PROBE)
    problems = []
    if probe["width"] > PHONE_360["width"]:
        problems.append(f"{probe['width']} px wide: " + " | ".join(probe["culprits"]))
    return problems + [f"console: {error}" for error in errors]


def test_every_page_of_the_reviewer_role_fits_a_360_px_window_without_console_errors(
    site, world, chromium_browser, subtests
):
    context = chromium_browser.new_context(locale="id-ID", viewport=PHONE_360, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        log_in(page, site.url, "peninjau_bappeda")
        for name, args in REVIEWER_PAGES:
            url = reverse(name, args=args(world))
            with subtests.test(msg=f"{name} as reviewer", url=url):
                problems = _probe(page, site, url, errors)
                if problems:
                    screenshot(page, f"360-reviewer-{name.split(':')[-1]}")
                assert not problems, f"{name} ({url}) as reviewer:\n" + "\n".join(problems)
    finally:
        context.close()


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role_fits_a_360_px_window_without_console_errors(
    site, world, chromium_browser, subtests, role
):
    context = chromium_browser.new_context(locale="id-ID", viewport=PHONE_360, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    page = context.new_page()
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        if USERS[role]:
            log_in(page, site.url, USERS[role])
        for name, url in pages_of(role, world):
            with subtests.test(msg=f"{name} as {role}", url=url):
                answer = context.request.get(f"{site.url}{url}", max_redirects=5)
                if not answer.headers.get("content-type", "").startswith("text/html"):
                    continue  # a download
                errors.clear()
                page.goto(f"{site.url}{url}")
                page.wait_for_load_state("load")
                probe = page.evaluate(WIDTH_PROBE)
                problems = []
                if probe["width"] > PHONE_360["width"]:
                    problems.append(f"{probe['width']} px wide: " + " | ".join(probe["culprits"]))
                problems += [f"console: {error}" for error in errors]
                if problems:
                    screenshot(page, f"360-{role}-{name.split(':')[-1]}")
                assert not problems, f"{name} ({url}) as {role}:\n" + "\n".join(problems)
    finally:
        context.close()
