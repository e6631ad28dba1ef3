"""The review page in Chromium (issue 12): scoring, a refused score, the one-click agency score,
marking and commenting change one answer card without reloading the page (a marker set in the
window survives) and never change the address; the same actions work with JavaScript disabled
(the plain POST + redirect, or the page drawn again at the card)."""

from decimal import Decimal

import pytest

from evaluations import roles
from evaluations.models import Agency, Dimension, Question, ReviewComment, Submission

from .browser import log_in, screenshot
from .factories import assign, make_answer, make_period, make_question, make_submission, make_user

pytestmark = [pytest.mark.browser, pytest.mark.one_db_pass]
T = Question.AnswerType


@pytest.fixture
def review(site):
    agency = Agency.objects.get(abbreviation="Dinas PU")
    period = make_period(2032, name="Evaluasi Smart City 2032 Tahap I")
    assign(period, agency, "LIV")
    dimension = Dimension.objects.create(
        national_id=period.national_id, code="A", name="Kebijakan", weight=100, order=1
    )
    submission = make_submission(period, agency, status=Submission.Status.SUBMITTED)
    first = make_question(period, code="A.1", dimension=dimension, pillar="LIV", text="Masterplan jalan?")
    second = make_question(period, code="A.2", dimension=dimension, pillar="LIV", text="ATCS?")
    text = make_question(period, code="A.3", dimension=dimension, pillar="LIV", answer_type=T.TEXT, text="Program?")
    answers = [
        make_answer(submission, first, score=3),
        make_answer(submission, second, score=2),
        make_answer(submission, text, text_value="Jalan mantap 80%."),
    ]
    make_user("koordinator", roles.COORDINATOR)
    return submission, answers


def open_review(page, url, submission):
    log_in(page, url, "koordinator")
    page.goto(f"{url}/koordinator/pengisian/{submission.pk}/")
    page.wait_for_load_state("networkidle")
    page.evaluate("window.__samePage = 'yes'")
    return page.url


def settled(page):
    page.wait_for_function("() => !document.querySelector('.htmx-request, .htmx-settling, .htmx-swapping')")


def test_a_coordinator_scores_marks_and_comments_in_place_without_a_reload(site, browser_page, review):
    submission, (first, second, text) = review
    page = browser_page
    # Issue 24, item 13: no console error (a style the CSP refuses during a swap, a refused value's
    # answer logged as a failed load).
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    address = open_review(page, site.url, submission)
    assert page.locator(f"#jawaban-{text.pk} [name$='-verified_score']").count() == 0
    approve_box = page.locator("#tindakan .approve-form")
    assert "A.1" in approve_box.inner_text()  # answers counted with the agency's own score
    assert page.locator(f"#jawaban-{first.pk} .verified-score").inner_text() == "belum diverifikasi"

    # Tab reaches the score field; Enter saves it.
    field = page.locator(f"[name='score-{first.pk}-verified_score']")
    field.fill("2,5")
    field.press("Enter")
    settled(page)
    card = page.locator(f"#jawaban-{first.pk}")
    card.get_by_text("Skor verifikasi A.1 disimpan.").wait_for()
    assert card.locator(".verified-score").inner_text() == "2,50"
    assert page.locator(".section-verified-count").first.inner_text() == "1/2"
    # The approve box follows (issue 24, item 5): A.1 is verified now, A.2 still self-scored.
    assert "A.1" not in page.locator("#tindakan .approve-form").inner_text()
    assert "A.2" in page.locator("#tindakan .approve-form").inner_text()

    # A refused value: the reason at the field, the typed value kept, the focus on it.
    field = page.locator(f"[name='score-{second.pk}-verified_score']")
    field.fill("7")
    field.press("Enter")
    settled(page)
    card = page.locator(f"#jawaban-{second.pk}")
    card.get_by_text("Skor verifikasi paling besar 4.").wait_for()
    assert page.locator(f"[name='score-{second.pk}-verified_score']").input_value() == "7"
    assert page.evaluate("document.activeElement.name") == f"score-{second.pk}-verified_score"
    screenshot(page, "review-inplace-refused-score")

    # One click takes the agency's own score.
    card.locator("button.accept-self-score").click()
    settled(page)
    page.locator(f"#jawaban-{second.pk}").get_by_text("Skor verifikasi A.2 disimpan.").wait_for()

    card = page.locator(f"#jawaban-{text.pk}")
    card.locator(f"[name='rev-{text.pk}-needs_revision']").check()
    card.locator(f"[name='rev-{text.pk}-revision_note']").fill("Lampirkan rincian program.")
    card.locator("form.revision-form button").click()
    settled(page)
    page.locator(f"#jawaban-{text.pk}").get_by_text("A.3 ditandai perlu perbaikan.").wait_for()
    assert "A.3" in page.locator("#tindakan .approve-blocked").inner_text()

    card = page.locator(f"#jawaban-{first.pk}")
    card.locator("details summary").click()
    card.locator(f"[name='comment-{first.pk}-body']").fill("Mohon SK yang ditandatangani.")
    card.locator(f"[name='comment-{first.pk}-visibility'][value=agency]").check()
    card.locator("form.comment-form button").click()
    settled(page)
    page.locator(f"#jawaban-{first.pk}").get_by_text("Komentar disimpan dan terlihat oleh perangkat daerah.").wait_for()

    assert page.evaluate("window.__samePage") == "yes"
    assert page.url == address
    assert errors == [], "\n".join(errors)
    first.refresh_from_db()
    second.refresh_from_db()
    text.refresh_from_db()
    assert (first.verified_score, second.verified_score) == (Decimal("2.5"), Decimal(2))
    assert text.needs_revision and text.revision_note == "Lampirkan rincian program."
    assert ReviewComment.objects.get().body == "Mohon SK yang ditandatangani."


@pytest.fixture
def no_js_page(chromium_browser):
    context = chromium_browser.new_context(locale="id-ID", java_script_enabled=False)
    page = context.new_page()
    page.set_default_timeout(15_000)
    yield page
    context.close()


def test_without_javascript_the_same_actions_post_and_come_back_to_the_card(site, no_js_page, review):
    submission, (first, second, text) = review
    page = no_js_page
    log_in(page, site.url, "koordinator")
    page.goto(f"{site.url}/koordinator/pengisian/{submission.pk}/")

    field = page.locator(f"[name='score-{first.pk}-verified_score']")
    field.fill("3")
    with page.expect_navigation():
        field.press("Enter")
    assert page.url.endswith(f"?bagian=A-LIV#jawaban-{first.pk}")
    assert "Skor verifikasi A.1 disimpan." in page.locator("main").inner_text()

    page.locator(f"[name='score-{second.pk}-verified_score']").fill("7")
    with page.expect_navigation() as navigation:
        page.locator(f"#jawaban-{second.pk} form.score-form button").first.click()
    assert navigation.value.status == 400
    assert page.url.endswith(f"#jawaban-{second.pk}")
    card = page.locator(f"#jawaban-{second.pk}")
    assert "Skor verifikasi paling besar 4." in card.inner_text()
    assert page.locator(f"[name='score-{second.pk}-verified_score']").input_value() == "7"

    card = page.locator(f"#jawaban-{text.pk}")
    card.locator(f"[name='rev-{text.pk}-needs_revision']").check()
    card.locator(f"[name='rev-{text.pk}-revision_note']").fill("Lampirkan rincian.")
    with page.expect_navigation():
        card.locator("form.revision-form button").click()
    assert "A.3 ditandai perlu perbaikan." in page.locator("main").inner_text()

    # History and comments: the details element opens without JavaScript too; its plain link
    # leads to the answer's own page.
    page.locator(f"#jawaban-{first.pk} details summary").click()
    with page.expect_navigation():
        page.locator(f"#jawaban-{first.pk} .answer-extras-body a").click()
    page.locator(f"[name='comment-{first.pk}-body']").fill("Mohon SK.")
    page.locator(f"[name='comment-{first.pk}-visibility'][value=agency]").check()
    with page.expect_navigation():
        page.locator("form.comment-form button").click()
    assert page.url.endswith(f"#jawaban-{first.pk}")
    assert "Komentar disimpan" in page.locator("main").inner_text()

    first.refresh_from_db()
    text.refresh_from_db()
    assert first.verified_score == Decimal(3) and text.needs_revision
    assert ReviewComment.objects.get().body == "Mohon SK."
