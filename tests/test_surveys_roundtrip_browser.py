"""Round trip of the impact survey's setup forms in Chromium, in Indonesian and in English: the
dates form and each pillar's programme-and-target form, rendered with existing data and submitted
unchanged with their own buttons, save exactly what was there (the rule of
tests/test_roundtrip_browser.py for every form)."""

from datetime import date

import pytest
from playwright.sync_api import expect

from evaluations import roles
from evaluations.models import Agency, ImpactSurvey, SurveyForm, SurveyProgramme

from .factories import make_impact_survey, make_period, make_quick_win, make_user
from .test_roundtrip_browser import IGNORED_FIELDS, LANGUAGES, changes, open_page, say, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.one_db_pass]


def _row(obj):
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.attname not in IGNORED_FIELDS}


def snapshot():
    return {
        f"{model.__name__} #{obj.pk}": _row(obj)
        for model in (ImpactSurvey, SurveyProgramme, SurveyForm)
        for obj in model.objects.all()
    }


def build_survey():
    """An open survey with dates far from today, ECO split into three forms, uneven targets, GOV's
    first programme taken from a quick win of another agency than the others."""
    period = make_period(2032, name="Evaluasi Smart City 2032 Tahap II", stage="2")
    survey = make_impact_survey(
        period, split=("ECO",), opens=date(2032, 7, 1), closes=date(2032, 8, 15), agency=Agency.objects.first()
    )
    other = Agency.objects.get(abbreviation="Dinas PU")
    programme = survey.programmes.get(subdimension__code="GOV-1")
    programme.quick_win = make_quick_win(period, other, status="ditetapkan", name="Layanan Perizinan Daring")
    programme.agency = other
    programme.save()
    for target, form in enumerate(SurveyForm.objects.filter(survey=survey).order_by("pk"), start=41):
        form.target = target
        form.save()
    make_user("koordinator", roles.COORDINATOR)
    return period


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_survey_setup_forms_save_back_what_they_show(site, browser_page, language):
    period = build_survey()
    page, url = browser_page, site.url
    sign_in(page, url, "koordinator", language)
    problems = []

    def submit(form_name, button, message):
        before = snapshot()
        with page.expect_navigation() as navigation:
            button.click()
        page.wait_for_load_state()
        status = navigation.value.status if navigation.value else None
        if status is None or status >= 400:
            problems.append(f"{form_name}: HTTP {status}")
        problems.extend(f"{form_name}: {change}" for change in changes(before, snapshot()))
        if message not in page.locator("main").inner_text():
            problems.append(f"{form_name}: message {message!r} not shown")

    open_page(page, f"{url}/survei-dampak/{period.pk}/atur/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    submit(
        "survey dates",
        page.locator("form.survey-dates button[type=submit]"),
        say(language, "Tanggal survei dampak disimpan.", "Impact survey dates saved."),
    )
    for pillar, name in [("GOV", "Smart Governance"), ("ECO", "Smart Economy")]:
        open_page(page, f"{url}/survei-dampak/{period.pk}/atur/{pillar}/")
        submit(
            f"programmes and targets of {pillar}",
            page.locator("form.survey-pillar-form button[type=submit]"),
            say(language, f"Program dan target pilar {name} disimpan.", f"Programmes and targets of {name} saved."),
        )
    assert problems == []
    # The data really is what build_survey made (a round trip of nothing would pass the above).
    survey = ImpactSurvey.objects.get(period=period)
    assert (survey.opens, survey.closes) == (date(2032, 7, 1), date(2032, 8, 15))
    assert sorted(SurveyForm.objects.filter(survey=survey).values_list("target", flat=True)) == list(range(41, 49))
    assert survey.programmes.get(subdimension__code="GOV-1").agency.abbreviation == "Dinas PU"
