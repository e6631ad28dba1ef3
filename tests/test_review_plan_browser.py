"""Review by many hands in Chromium (issue 27): two reviewers split the pillars; each starts from
their queue, opens an answer of theirs on the review page at its card, scores it in place, and
cannot act on the other's: the lead agency's reviewer does not even see it, the coordinator sees
it read-only."""

from decimal import Decimal

import pytest

from evaluations import roles
from evaluations.models import Agency, Dimension, Submission

from .browser import log_in, log_out, screenshot
from .factories import (
    assign,
    make_answer,
    make_period,
    make_question,
    make_reviewer,
    make_submission,
    make_user,
    plan_review,
)

pytestmark = [pytest.mark.browser, pytest.mark.one_db_pass]


@pytest.fixture
def story(site):
    """Dinas PU answered a LIV question, Diskominfo a GOV one, both handed in. Bappeda's reviewer
    reviews LIV, the coordinator GOV."""
    period = make_period(2034, name="Evaluasi Smart City 2034 Tahap I")
    dimension = Dimension.objects.create(
        national_id=period.national_id, code="A", name="Kebijakan", weight=100, order=1
    )
    pu, kominfo = Agency.objects.get(abbreviation="Dinas PU"), Agency.objects.get(abbreviation="Diskominfo Staper")
    assign(period, pu, "LIV")
    assign(period, kominfo, "GOV")
    liv = make_question(period, code="A.1", dimension=dimension, pillar="LIV", text="Masterplan jalan?")
    gov = make_question(period, code="A.2", dimension=dimension, pillar="GOV", text="Perda smart city?")
    liv_answer = make_answer(make_submission(period, pu, status=Submission.Status.SUBMITTED), liv, score=3)
    gov_answer = make_answer(make_submission(period, kominfo, status=Submission.Status.SUBMITTED), gov, score=2)
    reviewer = make_reviewer(Agency.objects.get(abbreviation="Bappeda"), "peninjau_bappeda")
    coordinator = make_user("koordinator", roles.COORDINATOR)
    plan_review(period, reviewer, "LIV")
    plan_review(period, coordinator, "GOV")
    return period, liv_answer, gov_answer


def settled(page):
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')")


def score_from_the_queue(page, url, period, answer, value):
    page.goto(f"{url}/koordinator/antrean/?periode={period.pk}")
    link = page.locator(f".queue-items a[href$='#jawaban-{answer.pk}']")
    with page.expect_navigation():
        link.click()
    page.wait_for_url(lambda u: u.endswith(f"#jawaban-{answer.pk}"), wait_until="load")
    field = page.locator(f"[name='score-{answer.pk}-verified_score']")
    field.fill(value)
    field.press("Enter")
    settled(page)
    page.locator(f"#jawaban-{answer.pk}").get_by_text(f"Skor verifikasi {answer.question.code} disimpan.").wait_for()


def refused_post(page, url, answer):
    """A score posted straight to another reviewer's answer, with this session (no page offers it)."""
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    response = page.request.post(
        f"{url}/koordinator/jawaban/{answer.pk}/skor/",
        form={"csrfmiddlewaretoken": token, f"score-{answer.pk}-verified_score": "1"},
        max_redirects=0,
    )
    return response.status


def test_two_reviewers_each_act_on_their_pillar_from_their_queue_and_not_on_the_others(site, browser_page, story):
    period, liv_answer, gov_answer = story
    page = browser_page
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))

    # Bappeda's reviewer starts from the queue: only the LIV answer of Dinas PU waits on them.
    log_in(page, site.url, "peninjau_bappeda")
    page.wait_for_url(lambda u: "/koordinator/antrean/" in u, wait_until="load")
    page.goto(f"{site.url}/koordinator/antrean/?periode={period.pk}")
    items = page.locator(".queue-items").inner_text()
    assert "Dinas PU · A.1" in items and "A.2" not in items
    screenshot(page, "review-plan-queue-lead-reviewer")
    score_from_the_queue(page, site.url, period, liv_answer, "2")
    assert refused_post(page, site.url, gov_answer) == 404
    log_out(page)

    # The coordinator: the GOV answer of Diskominfo is theirs; Dinas PU's LIV answer is read-only.
    log_in(page, site.url, "koordinator")
    page.goto(f"{site.url}/koordinator/antrean/?periode={period.pk}")
    items = page.locator(".queue-items").inner_text()
    assert "Diskominfo Staper · A.2" in items and "A.1" not in items
    score_from_the_queue(page, site.url, period, gov_answer, "3")
    page.goto(f"{site.url}/koordinator/pengisian/{liv_answer.submission_id}/")
    page.wait_for_load_state("networkidle")
    card = page.locator(f"#jawaban-{liv_answer.pk}")
    assert card.locator(".verified-score").inner_text() == "2,00"
    assert card.locator("form.score-form").count() == 0
    assert page.locator(".review-plan-note").count() == 1
    assert refused_post(page, site.url, liv_answer) == 403

    assert errors == [], "\n".join(errors)
    liv_answer.refresh_from_db()
    gov_answer.refresh_from_db()
    assert (liv_answer.verified_score, gov_answer.verified_score) == (Decimal(2), Decimal(3))
