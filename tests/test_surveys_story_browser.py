"""The impact survey as one story in a real browser, through the pages only: the coordinator
creates the survey from the menu, names Smart Governance's three programmes, and reads the
pillar's public link off the setup page; a respondent opens that link on a small phone with no
account, fills in the profile, the programmes used and every statement, sends, and sees the
thank-you page; the coordinator then finds the response counted on the monitor and the survey
mean on the results page, going from page to page by the links between them. Kept apart from
tests/test_story_browser.py, whose story is the questionnaire cycle of one period and the next.
Screenshots go to artifacts/."""

import pytest
from playwright.sync_api import expect

from evaluations import roles
from evaluations.models import EvaluationPeriod, ImpactSurvey, SurveyForm, SurveyRating, SurveyResponse
from evaluations.surveys import survey_results

from .browser import log_in, screenshot
from .factories import make_user, open_period
from .test_story_browser import decimal_comma, go, shot

pytestmark = [pytest.mark.browser, pytest.mark.one_db_pass]
SMALL_PHONE = {"width": 360, "height": 640}
PROGRAMMES = {  # Smart Governance's sub-dimensions, in order: programme and owning agency
    "Layanan publik": ("Mal Pelayanan Publik Sangatta", "DPMPTSP"),
    "Kebijakan publik": ("Portal Satu Data Kutai Timur", "Diskominfo Staper"),
    "Tata kelola birokrasi": ("e-SPTPD Bapenda", "Bapenda"),
}
# The respondent's ratings of the three statements of each sub-dimension, in the page's order:
# sub-dimension means 4, 3 and 2, so the pillar's mean is 3.
RATINGS = ["Sangat setuju"] * 3 + ["Setuju"] * 3 + ["Ragu-ragu"] * 3


@pytest.fixture
def small_phone(chromium_browser):
    """A respondent's own phone: a fresh context, so no cookie and no login of the coordinator."""
    context = chromium_browser.new_context(locale="id-ID", viewport=SMALL_PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_a_survey_from_its_setup_to_a_phone_response_counted_on_the_monitor_and_the_results(
    site, browser_page, small_phone
):
    period = open_period(EvaluationPeriod.objects.get(year=2024, stage="1"))
    make_user("koordinator", roles.COORDINATOR, first_name="Rina")
    page, url = browser_page, site.url

    # 1. The coordinator creates the survey from the menu (the suggested dates: from today, 30 days).
    log_in(page, url, "koordinator")
    go(page, page.locator("#main-nav").get_by_role("link", name="Survei dampak"))
    expect(page.locator("h1")).to_have_text("Survei dampak")
    go(page, page.get_by_role("button", name="Buat survei"))
    expect(page.locator(".alert-success")).to_contain_text("Survei dampak dibuat dengan satu formulir per pilar.")
    gov_row = page.locator("tr#pilar-GOV")
    expect(gov_row).to_contain_text("3 program belum ditentukan")

    # 2. ... names Smart Governance's programme of each sub-dimension and their agencies.
    go(page, gov_row.get_by_role("link", name="Atur Smart Governance"))
    for subdimension, (name, agency) in PROGRAMMES.items():
        fieldset = page.locator("fieldset", has=page.locator("legend", has_text=subdimension))
        fieldset.get_by_label("Nama program / layanan").fill(name)
        fieldset.get_by_label("Perangkat daerah pemilik").select_option(label=agency)
    go(page, page.get_by_role("button", name="Simpan program dan target"))
    expect(page.locator(".alert-success")).to_contain_text("Program dan target pilar Smart Governance disimpan.")
    go(page, page.get_by_role("link", name="Survei dampak · "))

    # 3. ... and reads the pillar's public link off the setup page, to send by WhatsApp.
    expect(gov_row).not_to_contain_text("belum ditentukan")
    for name, agency in PROGRAMMES.values():
        expect(gov_row).to_contain_text(f"{name} ({agency})")
    expect(gov_row).to_contain_text("0 dari target 50")
    link = gov_row.locator("a.survey-link").get_attribute("href")
    assert link.startswith(f"{url}/s/")
    shot(page, "survey-story-01-setup")

    # 4. A respondent opens the link on a small phone, with no account.
    phone = small_phone
    phone.goto(link)
    expect(phone.locator("h1")).to_have_text("Survei dampak: Smart Governance")
    phone.get_by_label("40–49 tahun").tap()
    phone.get_by_label("Wiraswasta / pedagang / pelaku UMKM").tap()
    phone.get_by_label("Kecamatan tempat tinggal Anda").select_option(label="Sangatta Selatan")
    for name, _agency in PROGRAMMES.values():
        used = phone.locator("fieldset", has=phone.locator("legend", has_text=f"«{name}»"))
        used.get_by_label("Beberapa kali", exact=True).tap()
    statements = phone.locator(".prog fieldset")
    expect(statements).to_have_count(len(RATINGS))
    for statement, rating in zip(statements.all(), RATINGS, strict=True):
        statement.get_by_label(rating, exact=True).tap()
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(phone, "survey-story-02-phone-form")
    with phone.expect_navigation():
        phone.get_by_role("button", name="Kirim jawaban").tap()
    expect(phone.locator("h1")).to_have_text("Terima kasih")
    expect(phone.locator("body")).not_to_contain_text("Keluar")  # no account, no way into the app
    screenshot(phone, "survey-story-03-phone-thanks")
    response = SurveyResponse.objects.get()
    form = SurveyForm.objects.get(survey=ImpactSurvey.objects.get(period=period), pillar__code="GOV")
    assert response.form == form and response.enumerator is None
    assert (response.age_band, response.occupation, response.kecamatan.name) == ("40-49", "usaha", "Sangatta Selatan")
    assert sorted(SurveyRating.objects.values_list("score", flat=True)) == [2] * 3 + [3] * 3 + [4] * 3

    # 5. The coordinator sees the response on the setup page, then follows the link to the monitor.
    page.reload()
    expect(gov_row).to_contain_text("1 dari target 50")
    go(page, page.locator(".survey-nav").get_by_role("link", name="Pantau respons"))
    expect(page.locator("h1")).to_contain_text("Pantau survei dampak")
    monitored = page.locator(f"tr[data-row='{form.pk}']")
    expect(monitored.locator(".count-counted")).to_have_text("1")
    expect(monitored).to_contain_text("1 / 50 (2%)")
    expect(monitored.locator(".count-excluded")).to_have_text("0")
    shot(page, "survey-story-04-monitor")

    # 6. ... and from there to the results, where Smart Governance's survey mean is 3,00.
    go(page, page.locator(".survey-nav").get_by_role("link", name="Hasil survei"))
    assert page.url.endswith(f"/hasil/?periode={period.pk}#survei-dampak")
    mean = survey_results(period).pillars["GOV"].mean
    assert mean == 3
    gov_mean = page.locator("#survei-dampak tr.survey-pillar[data-survey='GOV']")
    expect(gov_mean.locator(".survey-mean")).to_have_text(decimal_comma(mean))
    expect(gov_mean.locator(".survey-respondents")).to_have_text("1 dari 1")
    for code, sub_mean in (("GOV-1", "4,00"), ("GOV-2", "3,00"), ("GOV-3", "2,00")):
        expect(page.locator(f"#survei-dampak tr[data-survey='{code}'] .survey-mean")).to_have_text(sub_mean)
    shot(page, "survey-story-05-results")
    go(page, page.locator("#survei-dampak .survey-nav").get_by_role("link", name="Pantau respons"))
    expect(page.locator("h1")).to_contain_text("Pantau survei dampak")
