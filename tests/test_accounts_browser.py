"""Smoke test in a real browser: the login page, a demo-style login and the home page."""

import pytest

from evaluations.models import Agency, EvaluationPeriod

from .browser import log_in, screenshot
from .factories import make_operator, open_period

pytestmark = [pytest.mark.browser, pytest.mark.one_db_pass]


def test_an_operator_signs_in_with_a_real_browser_and_sees_the_period(site, browser_page):
    period = open_period(EvaluationPeriod.objects.get(year=2024, stage="1"))
    make_operator(Agency.objects.get(abbreviation="Dinas PU"), "op_pu")
    page = browser_page
    page.goto(site.url + "/")
    assert "/akun/masuk/" in page.url
    screenshot(page, "login")
    log_in(page, site.url, "op_pu")
    assert page.locator("h1").first.inner_text() == "Evaluasi Smart City Kabupaten Kutai Timur"
    assert period.name in page.content()
    screenshot(page, "home-operator")
