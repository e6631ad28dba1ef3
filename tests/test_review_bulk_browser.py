"""Issue 27 in Chromium: a bulk acceptance of self-scores (filter, confirm, the message with N) on a
phone, and a second sign-off given by a different coordinator than the one who approved."""

import pytest

from evaluations import roles
from evaluations.models import Agency, Dimension, Question, Submission

from .browser import log_in, log_out, screenshot
from .factories import assign, make_answer, make_period, make_question, make_submission, make_user

pytestmark = [pytest.mark.browser, pytest.mark.one_db_pass]
T = Question.AnswerType
WIDTH = "() => document.documentElement.scrollWidth"


def build(verified=None, second_signoff=False):
    agency = Agency.objects.get(abbreviation="Dinas PU")
    period = make_period(2033, name="Evaluasi Smart City 2033 Tahap I", second_signoff=second_signoff)
    assign(period, agency, "LIV")
    dimension = Dimension.objects.create(national_id=period.national_id, code="A", name="Kebijakan", weight=100)
    submission = make_submission(period, agency, status=Submission.Status.SUBMITTED)
    questions = [
        make_question(period, code="A.1", dimension=dimension, pillar="LIV", text="Masterplan jalan?"),
        make_question(period, code="A.2", dimension=dimension, pillar="LIV", text="ATCS?"),
    ]
    text = make_question(period, code="A.3", dimension=dimension, pillar="LIV", answer_type=T.TEXT, text="Program?")
    answers = [make_answer(submission, q, score=3 - i, verified=verified) for i, q in enumerate(questions)]
    answers.append(make_answer(submission, text, text_value="Jalan mantap 80%."))
    make_user("koordinator", roles.COORDINATOR, first_name="Rina", last_name="Pertama")
    make_user("koordinator2", roles.COORDINATOR, first_name="Sari", last_name="Kedua")
    return period, agency, submission, answers


def watch(page):
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    return errors


def test_a_coordinator_accepts_the_self_scores_of_a_filtered_set_on_a_phone(site, phone_page):
    period, agency, submission, answers = build()
    page = phone_page
    page.set_viewport_size({"width": 360, "height": 780})  # the narrowest phone the layout test checks
    errors = watch(page)
    log_in(page, site.url, "koordinator")
    page.goto(f"{site.url}/koordinator/?periode={period.pk}")
    with page.expect_navigation():
        page.click("a.bulk-review-link")
    page.select_option("select[name=opd]", str(agency.pk))
    page.select_option("select[name=pilar]", "LIV")
    with page.expect_navigation():
        page.click("button:has-text('Saring')")
    page.wait_for_load_state("load")
    assert "2 jawaban" in page.inner_text(".bulk-summary")
    assert agency.name in page.inner_text(".bulk-summary")
    assert page.evaluate(WIDTH) <= 360
    with page.expect_navigation():
        page.click("button:has-text('Terima skor mandiri 2 jawaban ini')")
    page.wait_for_load_state("load")
    question = page.inner_text(".bulk-confirm")
    assert "Terima skor mandiri 2 jawaban ini sebagai skor verifikasinya?" in question
    assert agency.name in question
    assert page.evaluate(WIDTH) <= 360
    with page.expect_navigation():
        page.click("button:has-text('Ya, jalankan')")
    page.wait_for_url(lambda u: "verifikasi-massal" in u and "opd=" in u, wait_until="load")
    assert "Skor mandiri 2 jawaban diterima sebagai skor verifikasi." in page.inner_text("main")
    assert "0 jawaban" in page.inner_text(".bulk-summary")
    assert [a.verified_score for a in Submission.objects.get(pk=submission.pk).answers.order_by("pk")][:2] == [3, 2]
    if errors:
        screenshot(page, "bulk-accept")
    assert errors == []


def test_a_second_coordinator_confirms_an_approval(site, browser_page):
    period, agency, submission, answers = build(verified=3, second_signoff=True)
    page = browser_page
    errors = watch(page)
    review = f"{site.url}/koordinator/pengisian/{submission.pk}/"
    log_in(page, site.url, "koordinator")
    page.goto(review)
    with page.expect_navigation():
        page.click("button:has-text('Setujui pengisian')")
    page.wait_for_load_state("load")
    assert "menunggu persetujuan kedua oleh koordinator lain" in page.inner_text("main")
    assert page.inner_text(".submission-status") == "Menunggu persetujuan kedua"
    assert page.locator("button:has-text('Berikan persetujuan kedua')").count() == 0
    log_out(page)

    log_in(page, site.url, "koordinator2")
    page.goto(f"{site.url}/")
    with page.expect_navigation():
        page.click(f"li.todo-signoff a:has-text('{agency.name}')")
    page.wait_for_load_state("load")
    assert "Disetujui oleh Rina Pertama" in page.inner_text(".second-signoff")
    with page.expect_navigation():
        page.click("button:has-text('Berikan persetujuan kedua')")
    page.wait_for_load_state("load")
    assert "Persetujuan kedua diberikan" in page.inner_text("main")
    assert page.inner_text(".submission-status") == "Disetujui"
    assert page.inner_text(".approved-by") == "Rina Pertama dan Sari Kedua"
    timeline = page.inner_text(".timeline")
    assert "Rina Pertama" in timeline and "Sari Kedua" in timeline
    assert errors == []
