"""Issue 27's seams in Chromium, on data like the demo's (seed_demo's DEMO_REVIEW_PLAN): two
reviewers split the pillars; Bappeda's reviewer accepts the self-scores of Dinkes's LIV answers in
bulk from their queue (a confirmation naming N), the coordinator starts from their home's to-do
list, scores Diskominfo's GOV answer in place and cannot act on the reviewer's answers; in a period
with the second sign-off on, the coordinator approves Dinkes and another coordinator confirms; both
names show in the timeline. No console errors."""

from decimal import Decimal

import pytest

from evaluations import roles
from evaluations.management.commands.seed_demo import DEMO_REVIEW_PLAN
from evaluations.models import Agency, Answer, Dimension, Submission

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
WIDTH = "() => document.documentElement.scrollWidth"


@pytest.fixture
def story(site):
    """The demo's shape: Dinkes handed in two LIV answers, Diskominfo one GOV answer; the plan
    splits the six pillars between Bappeda's reviewer and the coordinator, as seed_demo does."""
    period = make_period(2035, name="Evaluasi Smart City 2035 Tahap I", second_signoff=True)
    dimension = Dimension.objects.create(national_id=period.national_id, code="A", name="Kebijakan", weight=100)
    dinkes, kominfo = Agency.objects.get(abbreviation="Dinkes"), Agency.objects.get(abbreviation="Diskominfo Staper")
    assign(period, dinkes, "LIV")
    assign(period, kominfo, "GOV")
    liv = [
        make_question(period, code="A.1", dimension=dimension, pillar="LIV", text="Rencana induk kesehatan?"),
        make_question(period, code="A.2", dimension=dimension, pillar="LIV", text="Layanan puskesmas daring?"),
    ]
    gov = make_question(period, code="A.3", dimension=dimension, pillar="GOV", text="Perda smart city?")
    dinkes_submission = make_submission(period, dinkes, status=Submission.Status.SUBMITTED)
    liv_answers = [make_answer(dinkes_submission, q, score=3 - i) for i, q in enumerate(liv)]
    gov_answer = make_answer(make_submission(period, kominfo, status=Submission.Status.SUBMITTED), gov, score=2)
    users = {
        "peninjau_bappeda": make_reviewer(
            Agency.objects.get(abbreviation="Bappeda"), "peninjau_bappeda", first_name="Andi", last_name="Peninjau"
        ),
        "koordinator": make_user("koordinator", roles.COORDINATOR, first_name="Rina", last_name="Koordinator"),
    }
    make_user("koordinator2", roles.COORDINATOR, first_name="Sari", last_name="Kedua")
    for username, pillars in DEMO_REVIEW_PLAN:
        for code in pillars:
            plan_review(period, users[username], code)
    return period, dinkes_submission, liv_answers, gov_answer


def watch(page):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def settled(page):
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')")


def click_and_load(page, selector, url_test):
    with page.expect_navigation():
        page.click(selector)
    page.wait_for_url(url_test, wait_until="load")


def test_two_reviewers_a_bulk_acceptance_from_the_queue_and_a_second_signoff(site, browser_page, story):
    period, dinkes_submission, liv_answers, gov_answer = story
    kominfo = gov_answer.submission.agency.name
    page = browser_page
    errors = watch(page)

    # Bappeda's reviewer, on a 360 px phone: their queue holds Dinkes's two LIV answers, offered in bulk.
    page.set_viewport_size({"width": 360, "height": 780})
    log_in(page, site.url, "peninjau_bappeda")
    page.wait_for_url(lambda u: "/koordinator/antrean/" in u, wait_until="load")
    page.goto(f"{site.url}/koordinator/antrean/?periode={period.pk}")
    assert "Dinkes · A.1" in page.inner_text(".queue-items") and "A.3" not in page.inner_text(".queue-items")
    assert "2 jawaban" in page.inner_text(".queue-bulk-summary")
    assert page.evaluate(WIDTH) <= 360
    click_and_load(page, "button:has-text('Terima skor mandiri 2 jawaban ini')", lambda u: "verifikasi-massal" in u)
    confirm = page.inner_text(".bulk-confirm")
    assert "Terima skor mandiri 2 jawaban ini sebagai skor verifikasinya?" in confirm
    assert "Belum diverifikasi · semua pilar Anda · semua perangkat daerah" in confirm
    assert page.evaluate(WIDTH) <= 360
    click_and_load(page, "button:has-text('Ya, jalankan')", lambda u: "/koordinator/antrean/?" in u)
    assert "Skor mandiri 2 jawaban diterima sebagai skor verifikasi." in page.inner_text("main")
    assert page.locator(".queue-empty").count() == 1
    page.set_viewport_size({"width": 1280, "height": 900})  # the menu open, to log out
    log_out(page)

    # The coordinator: the home's to-do list leads to Diskominfo's GOV answer, scored in place.
    log_in(page, site.url, "koordinator")
    page.goto(f"{site.url}/?periode={period.pk}")
    todo = page.locator("li.todo-answers a")
    assert todo.inner_text() == f"Tinjau 1 jawaban {kominfo} di pilar Smart Governance"
    click_and_load(page, "li.todo-answers a", lambda u: "/koordinator/antrean/" in u and "opd=" in u)
    link = page.locator(f".queue-items a[href$='#jawaban-{gov_answer.pk}']")
    with page.expect_navigation():
        link.click()
    page.wait_for_url(lambda u: u.endswith(f"#jawaban-{gov_answer.pk}"), wait_until="load")
    field = page.locator(f"[name='score-{gov_answer.pk}-verified_score']")
    field.fill("4")
    field.press("Enter")
    settled(page)
    card = page.locator(f"#jawaban-{gov_answer.pk}")
    card.get_by_text(f"Skor verifikasi {gov_answer.question.code} disimpan.").wait_for()

    # ... and cannot act on the reviewer's answers: Dinkes's LIV cards are read-only to them.
    page.goto(f"{site.url}/koordinator/pengisian/{dinkes_submission.pk}/")
    page.wait_for_load_state("networkidle")
    for answer in liv_answers:
        assert page.locator(f"#jawaban-{answer.pk} form.score-form").count() == 0
    token = page.locator("input[name=csrfmiddlewaretoken]").first.input_value()
    refused = page.request.post(
        f"{site.url}/koordinator/jawaban/{liv_answers[0].pk}/skor/",
        form={"csrfmiddlewaretoken": token, f"score-{liv_answers[0].pk}-verified_score": "1"},
        max_redirects=0,
    )
    assert refused.status == 403

    # The first sign-off (the coordinator), then the second (another coordinator, from the home).
    click_and_load(page, "button:has-text('Setujui pengisian')", lambda u: "/koordinator/pengisian/" in u)
    assert page.inner_text(".submission-status") == "Menunggu persetujuan kedua"
    log_out(page)
    log_in(page, site.url, "koordinator2")
    page.goto(f"{site.url}/")
    click_and_load(page, "li.todo-signoff a:has-text('Dinas Kesehatan')", lambda u: "/koordinator/pengisian/" in u)
    click_and_load(page, "button:has-text('Berikan persetujuan kedua')", lambda u: "/koordinator/pengisian/" in u)
    assert page.inner_text(".submission-status") == "Disetujui"
    timeline = page.inner_text(".timeline")
    assert "Rina Koordinator" in timeline and "Sari Kedua" in timeline
    if errors:
        screenshot(page, "review-story")
    assert errors == [], "\n".join(errors)
    scores = [Answer.objects.get(pk=a.pk).verified_score for a in (*liv_answers, gov_answer)]
    assert scores == [Decimal(3), Decimal(2), Decimal(4)]
