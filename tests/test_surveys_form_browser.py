"""The impact survey's public form in Chromium on a small phone (360 x 640), with JavaScript on and
off: a respondent fills in the profile, the programmes used and every statement, sends, and sees the
thank-you page; every choice is a touch target of at least 44 px and nothing scrolls sideways."""

import pytest
from playwright.sync_api import expect

from evaluations.models import EvaluationPeriod, Kecamatan, SurveyForm, SurveyRating, SurveyResponse

from .browser import screenshot
from .factories import make_impact_survey, open_period

pytestmark = [pytest.mark.browser, pytest.mark.one_db_pass]
SMALL_PHONE = {"width": 360, "height": 640}
MIN_TARGET = 44  # px, the smallest comfortable touch target


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def small_phone(chromium_browser, request):
    context = chromium_browser.new_context(
        locale="id-ID", viewport=SMALL_PHONE, is_mobile=True, has_touch=True, java_script_enabled=request.param
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


@pytest.fixture
def survey_form(site):
    period = open_period(EvaluationPeriod.objects.get(year=2024, stage="1"))
    survey = make_impact_survey(period)
    return SurveyForm.objects.get(survey=survey, pillar__code="GOV")


def fill_in(page, programmes, skip=None):
    """What a respondent does with their thumb: the profile, each programme used, every statement
    (but the `skip`th)."""
    page.get_by_label("30–39 tahun").tap()
    page.get_by_label("Petani / pekebun / nelayan / peternak").tap()
    page.get_by_label("Kecamatan tempat tinggal Anda").select_option(label="Sangatta Utara")
    for n, programme in enumerate(programmes):
        used = page.locator("fieldset", has=page.locator("legend", has_text=f"«{programme.name}»"))
        used.get_by_label("Belum pernah" if n == 2 else "Sering / rutin", exact=True).tap()
    for n, statement in enumerate(page.locator(".prog fieldset").all()):
        if n < 6 and n != skip:  # the third programme was never used: its statements are skipped
            statement.get_by_label("Sangat setuju" if n % 2 else "Setuju", exact=True).tap()


def test_a_respondent_fills_in_and_sends_the_form_on_a_small_phone(site, small_phone, survey_form):
    page = small_phone
    programmes = list(survey_form.survey.programmes.filter(subdimension__pillar__code="GOV"))
    page.goto(f"{site.url}/s/{survey_form.token}/")
    expect(page.locator("h1")).to_have_text("Survei dampak: Smart Governance")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    fill_in(page, programmes)
    screenshot(page, "survey-form-phone")
    with page.expect_navigation():
        page.get_by_role("button", name="Kirim jawaban").tap()
    expect(page.locator("h1")).to_have_text("Terima kasih")
    assert page.url == f"{site.url}/s/{survey_form.token}/terima-kasih/"
    response = SurveyResponse.objects.get()
    assert (response.age_band, response.occupation, response.kecamatan.name) == ("30-39", "tani", "Sangatta Utara")
    assert sorted(response.uses.values_list("frequency", flat=True)) == ["never", "often", "often"]
    scores = sorted(SurveyRating.objects.filter(never_used=False).values_list("score", flat=True))
    assert scores == [3, 3, 3, 4, 4, 4]
    assert SurveyRating.objects.filter(never_used=True, score=None).count() == 3


def test_a_respondent_sees_the_missing_answer_marked_and_keeps_the_rest(site, small_phone, survey_form):
    page = small_phone
    programmes = list(survey_form.survey.programmes.filter(subdimension__pillar__code="GOV"))
    page.goto(f"{site.url}/s/{survey_form.token}/")
    fill_in(page, programmes, skip=0)
    with page.expect_navigation():
        page.get_by_role("button", name="Kirim jawaban").tap()
    expect(page.locator(".note.bad")).to_contain_text("Ada isian yang belum lengkap")
    expect(page.locator(".prog fieldset.bad")).to_have_count(1)
    expect(page.get_by_label("Kecamatan tempat tinggal Anda")).to_have_value(
        str(Kecamatan.objects.get(name="Sangatta Utara").pk)
    )
    expect(page.locator(".prog fieldset").nth(1).get_by_label("Sangat setuju")).to_be_checked()
    expect(page.get_by_label("30–39 tahun")).to_be_checked()
    assert SurveyResponse.objects.count() == 0
    page.locator(".prog fieldset.bad").get_by_label("Ragu-ragu").tap()
    with page.expect_navigation():
        page.get_by_role("button", name="Kirim jawaban").tap()
    expect(page.locator("h1")).to_have_text("Terima kasih")
    assert SurveyRating.objects.filter(score=2).count() == 1


def test_every_choice_is_a_large_touch_target_and_nothing_scrolls_sideways_at_320px(site, small_phone, survey_form):
    page = small_phone
    page.goto(f"{site.url}/s/{survey_form.token}/")
    for width in (360, 320):
        page.set_viewport_size({"width": width, "height": 640})
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), width
        targets = page.locator("label.opt, select, input[type=text], button").all()
        assert len(targets) == 6 + 9 + 3 * 4 + 9 * 6 + 3  # age, occupation, uses, ratings; select, contact, button
        boxes = [target.bounding_box() for target in targets]
        assert min(box["height"] for box in boxes) >= MIN_TARGET
        assert min(box["width"] for box in boxes) >= width - 60  # the whole width, less the margins
