"""In-place review (issue 12): each action on the review page answers htmx with the one answer
card it changed (and the section navigator out of band); without JavaScript the same forms post
and redirect, or draw the page again at the card with the refused value's reason. The page shows
one section at a time and stays small and fixed in queries at 300 answers."""

import re
from decimal import Decimal

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

from evaluations.models import EvaluationPeriod, Question, ReviewComment, Submission, SubmissionEvent

from .factories import make_answer, make_submission

pytestmark = pytest.mark.django_db
HTMX = {"HX-Request": "true"}


@pytest.fixture
def submission(period, agency_a):
    return make_submission(period, agency_a, status=Submission.Status.SUBMITTED)


@pytest.fixture
def answer(submission, period):
    question = Question.objects.for_period(period).get(code="A.1.1")
    return make_answer(submission, question, score=3)


def score_url(answer, place="?bagian=A-GOV"):
    return f"/koordinator/jawaban/{answer.pk}/skor/{place}"


# --- htmx: one card changes ---------------------------------------------------------------


def test_a_score_saved_with_htmx_answers_with_the_card_and_the_sections_new_counts(as_coordinator, answer):
    response = as_coordinator.post(score_url(answer), {f"score-{answer.pk}-verified_score": "2,5"}, headers=HTMX)
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert html.lstrip().startswith(f'<article class="card mb-3 review-answer" id="jawaban-{answer.pk}"')
    assert "Skor verifikasi A.1.1 disimpan." in html
    assert '<dd class="col-sm-8 verified-score">2,50</dd>' in html
    assert 'id="review-sections"' in html and 'hx-swap-oob="true"' in html
    assert 'data-section="A-GOV">1/1</span>' in html
    answer.refresh_from_db()
    assert answer.verified_score == Decimal("2.5")


def test_a_refused_score_with_htmx_keeps_the_typed_value_and_its_reason_at_the_field(as_coordinator, answer):
    response = as_coordinator.post(score_url(answer), {f"score-{answer.pk}-verified_score": "7"}, headers=HTMX)
    html = response.content.decode()
    # A refusal is the card's answer: 200, the outcome in a header (a 4xx is a console error).
    assert (response.status_code, response["HX-Refused"]) == (200, "400")
    assert "<html" not in html
    field = re.search(rf'<input[^>]*name="score-{answer.pk}-verified_score"[^>]*>', html).group(0)
    assert 'value="7"' in field and "is-invalid" in field and "autofocus" in field
    assert "Skor verifikasi paling besar 4." in html
    answer.refresh_from_db()
    assert answer.verified_score is None


def test_without_javascript_a_refused_score_draws_the_page_again_at_the_card_with_the_reason(as_coordinator, answer):
    response = as_coordinator.post(score_url(answer), {f"score-{answer.pk}-verified_score": "7"})
    html = response.content.decode()
    assert response.status_code == 400
    assert "<html" in html
    # The form's address ends with the card's anchor: the browser shows the page at the card.
    assert f'action="/koordinator/jawaban/{answer.pk}/skor/?bagian=A-GOV#jawaban-{answer.pk}"' in html
    card = html.split(f'id="jawaban-{answer.pk}"')[1].split("</article>")[0]
    assert "Skor verifikasi paling besar 4." in card
    assert 'value="7"' in card and "autofocus" in card


def test_setujui_skor_mandiri_with_htmx_verifies_the_agencys_score(as_coordinator, answer):
    response = as_coordinator.post(
        score_url(answer), {f"score-{answer.pk}-verified_score": "", f"score-{answer.pk}-accept": "1"}, headers=HTMX
    )
    assert response.status_code == 200
    answer.refresh_from_db()
    assert answer.verified_score == Decimal(3)
    assert SubmissionEvent.objects.get(kind="score").to_status == "3.00"


def test_marking_with_htmx_changes_the_card_and_counts_the_mark_in_the_navigator(as_coordinator, answer):
    response = as_coordinator.post(
        f"/koordinator/jawaban/{answer.pk}/perbaikan/?bagian=A-GOV",
        {f"rev-{answer.pk}-needs_revision": "on", f"rev-{answer.pk}-revision_note": "SK belum ditandatangani"},
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "question-revision" in html and "A.1.1 ditandai perlu perbaikan." in html
    assert "1 perlu perbaikan" in html


def test_marking_without_a_note_with_htmx_is_refused_at_the_note(as_coordinator, answer):
    response = as_coordinator.post(
        f"/koordinator/jawaban/{answer.pk}/perbaikan/", {f"rev-{answer.pk}-needs_revision": "on"}, headers=HTMX
    )
    # A refusal is the card's answer: 200, the outcome in a header (a 4xx is a console error).
    assert (response.status_code, response["HX-Refused"]) == (200, "400")
    assert "Tulis catatan perbaikan" in response.content.decode()


def test_a_comment_with_htmx_answers_with_the_card_open_on_its_comments(as_coordinator, answer):
    response = as_coordinator.post(
        f"/koordinator/jawaban/{answer.pk}/komentar/?bagian=A-GOV",
        {f"comment-{answer.pk}-body": "Lampirkan SK.", f"comment-{answer.pk}-visibility": "internal"},
        headers=HTMX,
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Komentar internal disimpan" in html
    assert "Lampirkan SK." in html and "comment-internal" in html
    assert '<details class="answer-extras mt-2" open>' in html
    assert ReviewComment.objects.get().answer == answer


def test_without_javascript_a_refused_comment_is_shown_in_its_open_form(as_coordinator, answer):
    response = as_coordinator.post(
        f"/koordinator/jawaban/{answer.pk}/komentar/?bagian=A-GOV",
        {f"comment-{answer.pk}-body": " ", f"comment-{answer.pk}-visibility": "agency"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    card = html.split(f'id="jawaban-{answer.pk}"')[1].split("</article>")[0]
    assert "open" in card.split("<details")[1].split(">")[0]
    assert "Tulis komentarnya terlebih dahulu." in card


def test_an_action_on_a_submission_no_longer_under_review_answers_htmx_with_the_reason_in_the_card(
    as_coordinator, answer
):
    Submission.objects.filter(pk=answer.submission_id).update(status=Submission.Status.APPROVED)
    response = as_coordinator.post(score_url(answer), {f"score-{answer.pk}-verified_score": "1"}, headers=HTMX)
    # A refusal is the card's answer: 200, the outcome in a header (a 4xx is a console error).
    assert (response.status_code, response["HX-Refused"]) == (200, "409")
    assert "selama pengisian berstatus Dikirim" in response.content.decode()


def test_the_in_place_score_runs_a_fixed_number_of_queries(as_coordinator, answer, django_assert_num_queries):
    # session, user, permissions, answer; the save (lock, refresh, bands, update, event);
    # the card (questions, answer, evidence; the agency's replies only when it has any), the
    # navigator (1 aggregate) and the approve box (marked and self-scored answers, 1 query); the
    # period's review plan (who may act).
    with django_assert_num_queries(17):
        response = as_coordinator.post(score_url(answer), {f"score-{answer.pk}-verified_score": "2"}, headers=HTMX)
    assert response.status_code == 200


def test_the_history_and_comments_load_in_a_fixed_number_of_queries(
    as_coordinator, answer, coordinator, django_assert_num_queries
):
    for n in range(5):
        answer.add_comment(coordinator, f"Komentar {n}", ReviewComment.Visibility.AGENCY)
    # ... and the period's review plan (whether this user may comment).
    with django_assert_num_queries(7):
        response = as_coordinator.get(f"/koordinator/jawaban/{answer.pk}/", headers=HTMX)
    assert response.content.decode().count('class="comment border-start') == 5


# --- the navigator and filters -----------------------------------------------------------------


def test_the_navigator_counts_verified_of_scored_answers_per_section_unscored_ones_excluded(
    as_coordinator, submission, period
):
    questions = {q.code: q for q in Question.objects.for_period(period).filter(code__startswith="A.")}
    make_answer(submission, questions["A.1.1"], score=3, verified=3)
    make_answer(submission, questions["A.1.2"], score=2)
    make_answer(submission, questions["A.1.3"], date_value="2024-05-01")  # a date: never scored
    sections = {s.key: s for s in submission.review_sections()}
    assert (sections["A-GOV"].answered, sections["A-GOV"].scorable, sections["A-GOV"].verified) == (3, 2, 1)
    html = as_coordinator.get(f"/koordinator/pengisian/{submission.pk}/").content.decode()
    assert 'data-section="A-GOV">1/2</span>' in html


@pytest.mark.parametrize(("show", "codes"), [("belum", ["A.1.2"]), ("perbaikan", ["A.1.1"]), ("", ["A.1.1", "A.1.2"])])
def test_a_filter_shows_only_the_answers_it_names(as_coordinator, submission, period, show, codes):
    questions = {q.code: q for q in Question.objects.for_period(period).filter(code__startswith="A.1")}
    make_answer(submission, questions["A.1.1"], score=3, verified=3, needs_revision=True, revision_note="x")
    make_answer(submission, questions["A.1.2"], score=2)
    response = as_coordinator.get(f"/koordinator/pengisian/{submission.pk}/?bagian=A-GOV&tampil={show}")
    shown = [item["question"].code for item in response.context["items"] if item["answer"]]
    assert shown == codes


# --- scale, assets and the Content-Security-Policy ---------------------------------------------


@pytest.fixture
def scale_submission(settings):
    settings.DEBUG = True  # seed_scale is a development command
    call_command("seed_scale", agencies=1, questions=300, stdout=open("/dev/null", "w"))
    submission = Submission.objects.get(period__name__endswith="(seed_scale)")
    submission.status = Submission.Status.SUBMITTED
    submission.save()
    return submission


def test_the_first_view_of_a_300_answer_submission_is_under_200_kb_even_after_300_score_changes(
    as_coordinator, scale_submission, coordinator
):
    assert scale_submission.answers.count() == 300
    first = as_coordinator.get(f"/koordinator/pengisian/{scale_submission.pk}/")
    assert first.status_code == 200
    # The approve form names every unverified answer (300 here): still far under the 200 KB goal.
    assert len(first.content) < 70_000
    SubmissionEvent.objects.bulk_create(
        SubmissionEvent(submission=scale_submission, answer=a, actor=coordinator, kind="score", to_status="3.00")
        for a in scale_submission.answers.all()
    )
    after = as_coordinator.get(f"/koordinator/pengisian/{scale_submission.pk}/")
    assert len(after.content) < 200_000
    assert EvaluationPeriod.objects.get(pk=scale_submission.period_id).status == "closed"


def test_htmx_is_served_from_our_origin_and_configured_without_eval_or_inline_styles(as_coordinator, answer):
    assert finders.find("vendor/htmx/htmx.min.js")
    response = as_coordinator.get(f"/koordinator/pengisian/{answer.submission_id}/")
    html = response.content.decode()
    assert '<script src="/static/vendor/htmx/htmx.min.js" defer></script>' in html
    assert '"allowEval":false' in html and '"includeIndicatorStyles":false' in html


def test_the_review_page_and_its_fragments_keep_the_policy_that_forbids_inline_scripts(as_coordinator, answer):
    pages = [
        as_coordinator.get(f"/koordinator/pengisian/{answer.submission_id}/"),
        as_coordinator.get(f"/koordinator/jawaban/{answer.pk}/", headers=HTMX),
        as_coordinator.post(score_url(answer), {f"score-{answer.pk}-verified_score": "9"}, headers=HTMX),
    ]
    for response in pages:
        policy = response.headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy and "style-src 'self';" in policy
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        html = response.content.decode()
        assert all("src=" in tag for tag in re.findall(r"<script\b[^>]*>", html))
        assert " style=" not in html and " hx-on" not in html


# --- the approve box follows every in-place action (issue 24, item 5) -----------------------


def _approve_box(html):
    return re.search(r'<section[^>]*id="tindakan".*?</section>', html, re.S).group(0)


def test_removing_a_mark_in_place_takes_it_out_of_the_approve_box(as_coordinator, coordinator, answer):
    answer.mark_for_revision(coordinator, True, "Lampirkan SK")
    page = as_coordinator.get(f"/koordinator/pengisian/{answer.submission_id}/?bagian=A-GOV").content.decode()
    assert "approve-blocked" in _approve_box(page)
    url = f"/koordinator/jawaban/{answer.pk}/perbaikan/?bagian=A-GOV"
    html = as_coordinator.post(url, {f"rev-{answer.pk}-revision_note": ""}, headers=HTMX).content.decode()
    box = _approve_box(html)
    assert 'hx-swap-oob="true"' in box
    assert "approve-blocked" not in box


def test_a_score_set_in_place_takes_the_answer_out_of_the_self_scored_list(as_coordinator, answer):
    page = as_coordinator.get(f"/koordinator/pengisian/{answer.submission_id}/?bagian=A-GOV").content.decode()
    assert "A.1.1" in _approve_box(page) and "belum diberi skor verifikasi" in _approve_box(page)
    html = as_coordinator.post(
        score_url(answer), {f"score-{answer.pk}-verified_score": "2"}, headers=HTMX
    ).content.decode()
    box = _approve_box(html)
    assert "belum diberi skor verifikasi" not in box
    assert "Setujui pengisian" in box


# --- a refused approval keeps the coordinator's place (issue 24, item 6) ----------------------


def test_a_refused_approval_is_drawn_at_the_section_the_coordinator_was_in_with_links_to_the_review_page(
    as_coordinator, coordinator, submission, period
):
    question = Question.objects.for_period(period).filter(pillar__code="GOV").order_by("code").last()
    make_answer(submission, question, score=2).mark_for_revision(coordinator, True, "Perbaiki")
    section = f"{question.indicator.dimension.code}-GOV"
    page = as_coordinator.get(f"/koordinator/pengisian/{submission.pk}/?bagian={section}").content.decode()
    action = f'action="/koordinator/pengisian/{submission.pk}/setujui/?bagian={section}#tindakan"'
    assert action in page
    response = as_coordinator.post(f"/koordinator/pengisian/{submission.pk}/setujui/?bagian={section}")
    html = response.content.decode()
    assert response.status_code == 400
    assert f'href="/koordinator/pengisian/{submission.pk}/?bagian={section}" aria-current="page"' in html
    assert 'href="?' not in html
    submission.refresh_from_db()
    assert submission.is_submitted()


# --- comment visibility has no default (issue 24, item 11) ------------------------------------


def test_the_comment_form_has_no_visibility_chosen_in_advance(as_coordinator, answer):
    html = as_coordinator.get(f"/koordinator/jawaban/{answer.pk}/?bagian=A-GOV", headers=HTMX).content.decode()
    radios = re.findall(rf'<input[^>]*name="comment-{answer.pk}-visibility"[^>]*>', html)
    assert len(radios) == 2
    assert not any("checked" in radio for radio in radios)


def test_a_comment_without_a_chosen_visibility_is_refused_and_saves_nothing(as_coordinator, answer):
    url = f"/koordinator/jawaban/{answer.pk}/komentar/?bagian=A-GOV"
    response = as_coordinator.post(url, {f"comment-{answer.pk}-body": "Internal saja"}, headers=HTMX)
    # A refusal is the card's answer: 200, the outcome in a header (a 4xx is a console error).
    assert (response.status_code, response["HX-Refused"]) == (200, "400")
    assert "Pilih siapa yang dapat melihat komentar ini." in response.content.decode()
    assert not ReviewComment.objects.exists()
