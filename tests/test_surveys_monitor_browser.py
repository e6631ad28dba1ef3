"""The impact survey monitor on a 375 px phone: the overview, one form's page and one response's
page read without sideways scrolling, and a coordinator excludes a response with a reason."""

import pytest

from evaluations import roles
from evaluations.models import Enumerator, EvaluationPeriod, SurveyForm, SurveyResponse

from .browser import log_in, screenshot
from .factories import make_impact_survey, make_survey_response, make_user, open_period
from .test_common_home_browser import NO_SIDEWAYS_SCROLL, phone_375  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.one_db_pass]


@pytest.fixture
def monitored(site):
    period = open_period(EvaluationPeriod.objects.get(year=2024, stage="1"))
    survey = make_impact_survey(period, split=("ECO",))
    make_user("koordinator", roles.COORDINATOR)
    gov = SurveyForm.objects.get(survey=survey, pillar__code="GOV")
    enumerator = Enumerator.objects.create(form=gov, agency=survey.programmes.first().agency, name="Sari Wulandari")
    for i in range(12):
        make_survey_response(
            gov, scores={"GOV.1.1": i % 5}, enumerator=enumerator if i % 2 else None, seconds=20 if i % 3 else 300
        )
    return period, gov


def test_on_a_phone_a_coordinator_follows_a_flagged_response_and_excludes_it(site, monitored, phone_375):  # noqa: F811
    period, gov = monitored
    page = phone_375
    log_in(page, site.url, "koordinator")
    page.goto(f"{site.url}/survei-dampak/{period.pk}/pantau/")
    screenshot(page, "survey-monitor-phone-375")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("document.scrollingElement.scrollWidth")
    page.click(f"tr[data-row='{gov.pk}'] th a")
    page.wait_for_load_state("networkidle")
    screenshot(page, "survey-monitor-form-phone-375")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("document.scrollingElement.scrollWidth")
    page.click("a:has-text('Bermasalah')")
    first = page.locator("table.survey-responses tbody tr").first
    assert first.locator("[data-flag]").count() >= 1
    first.locator("th a").click()
    page.wait_for_load_state("networkidle")
    assert page.evaluate(NO_SIDEWAYS_SCROLL), page.evaluate("document.scrollingElement.scrollWidth")
    page.fill("textarea[name=reason]", "Diisi terlalu cepat oleh enumerator")
    page.click("button:has-text('Keluarkan')")
    page.wait_for_load_state("networkidle")
    screenshot(page, "survey-monitor-response-phone-375")
    assert "dikeluarkan" in page.locator(".alert-success, .alert").first.inner_text()
    assert SurveyResponse.objects.excluded().get().exclusion_reason == "Diisi terlalu cepat oleh enumerator"
