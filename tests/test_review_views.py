"""The review page of one submission (/koordinator/pengisian/<id>/) and its actions."""

import re
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from evaluations import roles
from evaluations.models import (
    AnswerChange,
    Evidence,
    Question,
    ReviewComment,
    RevisionReply,
    Submission,
    SubmissionEvent,
)
from evaluations.templatetags import review_extras

from .factories import assign, make_agency, make_answer, make_period, make_question, make_submission, make_user

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def questions(period):
    return list(Question.objects.for_period(period).filter(pillar__code="GOV", answer_type="level").order_by("code"))


@pytest.fixture
def submission(period, agency_a):
    return make_submission(period, agency_a, status=Submission.Status.SUBMITTED)


@pytest.fixture
def answer(submission, questions):
    return make_answer(submission, questions[0], score=3, explanation="Perbup sudah terbit.")


def url(submission):
    return f"/koordinator/pengisian/{submission.pk}/"


# --- who may look ---------------------------------------------------------------------


def test_an_operator_gets_403_even_for_their_own_agencys_submission(client_a, submission):
    assert client_a.get(url(submission)).status_code == 403


def test_an_operator_of_another_agency_gets_403(client, operator_b, submission):
    client.force_login(operator_b)
    assert client.get(url(submission)).status_code == 403


def test_a_leader_sees_the_page_without_any_form(client, leader, answer):
    client.force_login(leader)
    response = client.get(url(answer.submission))
    html = response.content.decode()
    assert response.status_code == 200
    assert answer.question.code in html
    assert 'action="/koordinator/jawaban/' not in html
    assert "Setujui pengisian" not in html


def test_a_leader_reads_an_answers_history_and_comments_without_the_comment_form(client, leader, answer, coordinator):
    answer.add_comment(coordinator, "Lampirkan SK.", ReviewComment.Visibility.AGENCY)
    client.force_login(leader)
    response = client.get(f"/koordinator/jawaban/{answer.pk}/", headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Lampirkan SK." in html
    assert "<form" not in html


def test_an_unknown_submission_is_404(as_coordinator, period):
    assert as_coordinator.get("/koordinator/pengisian/999999/").status_code == 404


# --- what the page shows ----------------------------------------------------------------


def test_the_page_shows_each_answer_with_its_score_explanation_and_history(as_coordinator, answer, coordinator):
    AnswerChange.objects.create(
        answer=answer, changed_by=coordinator, field="jawaban", old_value="Level 1", new_value="Level 3"
    )
    html = as_coordinator.get(url(answer.submission)).content.decode()
    assert f'id="jawaban-{answer.pk}"' in html
    assert '<dd class="col-sm-8 self-score">3,00</dd>' in html
    assert "Perbup sudah terbit." in html
    assert "Riwayat (1) dan komentar (0)" in html
    # The history itself loads on demand (htmx), or on the answer's own page without JavaScript.
    assert "Level 1" not in html
    assert f'href="/koordinator/jawaban/{answer.pk}/?bagian=A-GOV"' in html
    extras = as_coordinator.get(f"/koordinator/jawaban/{answer.pk}/", headers={"HX-Request": "true"})
    assert "Level 1" in extras.content.decode()
    assert "<html" not in extras.content.decode()


def test_without_javascript_the_answers_own_page_shows_the_card_with_history_and_comment_form(
    as_coordinator, answer, coordinator
):
    AnswerChange.objects.create(answer=answer, changed_by=coordinator, field="value", old_value="Level 1")
    response = as_coordinator.get(f"/koordinator/jawaban/{answer.pk}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" in html and "Level 1" in html
    assert f'action="/koordinator/jawaban/{answer.pk}/komentar/?bagian=A-GOV#jawaban-{answer.pk}"' in html
    assert f'href="/koordinator/pengisian/{answer.submission_id}/?bagian=A-GOV#jawaban-{answer.pk}"' in html


def test_the_history_names_each_changed_field_in_words(as_coordinator, answer, coordinator):
    AnswerChange.objects.create(
        answer=answer, changed_by=coordinator, field="value", old_value="", new_value="12,5 unit"
    )
    AnswerChange.objects.create(answer=answer, changed_by=coordinator, field="evidence", new_value="SK")
    html = as_coordinator.get(f"/koordinator/jawaban/{answer.pk}/", headers={"HX-Request": "true"}).content.decode()
    history = html.split('class="table table-sm small mb-2 answer-history"')[1].split("</table>")[0]
    assert "<td>Jawaban</td>" in history and "<td>Bukti dukung</td>" in history
    assert "<td>value</td>" not in history and "<td>evidence</td>" not in history


def test_questions_not_yet_answered_are_listed_as_such(as_coordinator, submission, questions):
    html = as_coordinator.get(url(submission)).content.decode()
    assert f'id="pertanyaan-{questions[1].pk}"' in html
    assert "Belum dijawab." in html


def test_the_verified_score_is_empty_until_a_coordinator_sets_it_with_the_agencys_score_beside(as_coordinator, answer):
    html = as_coordinator.get(url(answer.submission)).content.decode()
    field = re.search(rf'<input[^>]*name="score-{answer.pk}-verified_score"[^>]*>', html).group(0)
    assert "value=" not in field
    assert "belum diverifikasi" in html
    assert f'name="score-{answer.pk}-accept" value="1"' in html
    assert "Setujui skor mandiri (3,00)" in html


def test_setujui_skor_mandiri_verifies_the_agencys_score_in_one_click(as_coordinator, answer):
    response = as_coordinator.post(
        f"/koordinator/jawaban/{answer.pk}/skor/?bagian=A-GOV",
        {f"score-{answer.pk}-verified_score": "", f"score-{answer.pk}-accept": "1"},
    )
    assert response.status_code == 302
    answer.refresh_from_db()
    assert answer.verified_score == D(3)
    html = as_coordinator.get(url(answer.submission)).content.decode()
    assert "Setujui skor mandiri" not in html
    assert f'name="score-{answer.pk}-verified_score" value="3,00"' in html


def test_an_unscored_question_has_no_score_field_and_a_posted_score_is_refused(as_coordinator, submission, period):
    question = Question.objects.for_period(period).filter(pillar__code="GOV", answer_type="text").first()
    answer = make_answer(submission, question, text_value="Sudah berjalan.")
    section = f"{question.indicator.dimension.code}-GOV"
    html = as_coordinator.get(url(submission) + "?bagian=" + section).content.decode()
    assert f'id="jawaban-{answer.pk}"' in html
    assert f"score-{answer.pk}-verified_score" not in html
    assert "tidak diberi skor" in html
    response = as_coordinator.post(
        f"/koordinator/jawaban/{answer.pk}/skor/", {f"score-{answer.pk}-verified_score": "2"}, follow=True
    )
    assert "tidak diberi skor" in response.content.decode()
    answer.refresh_from_db()
    assert answer.verified_score is None


def test_link_evidence_opens_the_link_and_file_evidence_shows_its_title_without_a_download_view(
    as_coordinator, answer, operator_a
):
    Evidence.objects.create(answer=answer, title="Situs Satu Data", url="https://data.kutaitimurkab.go.id/")
    Evidence.objects.create(answer=answer, title="SK Tim Smart City", file="evidence/abc.pdf", original_name="sk.pdf")
    Evidence.objects.create(
        answer=answer, title="Dihapus", url="https://x.test/", removed_by=operator_a, removed_at="2024-06-01T00:00Z"
    )
    html = as_coordinator.get(url(answer.submission)).content.decode()
    assert 'href="https://data.kutaitimurkab.go.id/"' in html
    assert "SK Tim Smart City" in html
    assert "Dihapus" not in html


def test_file_evidence_links_to_the_download_view_when_it_exists(as_coordinator, answer, monkeypatch):
    evidence = Evidence.objects.create(answer=answer, title="SK Tim", file="evidence/abc.pdf", original_name="sk.pdf")
    monkeypatch.setattr(review_extras, "reverse", lambda name, args: f"/bukti/{args[0]}/unduh/")
    html = as_coordinator.get(url(answer.submission)).content.decode()
    assert f'<a href="/bukti/{evidence.pk}/unduh/" >SK Tim</a>' in html


def test_the_page_shows_one_section_at_a_time(as_coordinator, answer):
    response = as_coordinator.get(url(answer.submission) + "?bagian=B-GOV")
    assert response.context["items"]
    assert all(item["question"].pillar.code == "GOV" for item in response.context["items"])
    assert all(item["question"].indicator.dimension.code == "B" for item in response.context["items"])


def test_the_first_section_is_shown_when_none_or_an_unknown_one_is_asked_for(as_coordinator, answer):
    first = as_coordinator.get(url(answer.submission)).context["section"]
    assert as_coordinator.get(url(answer.submission) + "?bagian=Z-XXX").context["section"].key == first.key


# --- scoring -----------------------------------------------------------------------------


def test_a_coordinator_sets_the_verified_score_and_it_appears_in_the_timeline(as_coordinator, answer):
    response = as_coordinator.post(
        f"/koordinator/jawaban/{answer.pk}/skor/",
        {f"score-{answer.pk}-verified_score": "2,5", f"score-{answer.pk}-note": "Bukti kurang"},
        follow=True,
    )
    answer.refresh_from_db()
    assert answer.verified_score == D("2.5")
    event = SubmissionEvent.objects.get(kind=SubmissionEvent.Kind.SCORE)
    assert (event.answer, event.from_status, event.to_status, event.note) == (answer, "", "2.50", "Bukti kurang")
    html = response.content.decode()
    assert f"Skor verifikasi {answer.question.code}: – → <strong>2,50</strong>" in html


@pytest.mark.parametrize("typed", ["2,5", "2.5", "2,50"])
def test_a_score_is_read_with_a_comma_or_a_point_in_indonesian(as_coordinator, answer, typed):
    # Django's localisation read "2.5" as 25 ("." groups thousands) and refused it.
    as_coordinator.post(f"/koordinator/jawaban/{answer.pk}/skor/", {f"score-{answer.pk}-verified_score": typed})
    answer.refresh_from_db()
    assert answer.verified_score == D("2.5")


def test_saving_the_same_score_again_writes_no_event(as_coordinator, answer):
    answer.verified_score = D(3)
    answer.save()
    as_coordinator.post(f"/koordinator/jawaban/{answer.pk}/skor/", {f"score-{answer.pk}-verified_score": "3"})
    assert not SubmissionEvent.objects.filter(kind=SubmissionEvent.Kind.SCORE).exists()


@pytest.mark.parametrize(
    "value,message", [("5", "paling besar 4"), ("-1", "paling kecil 0"), ("tiga", "harus berupa angka")]
)
def test_a_score_outside_0_to_4_is_refused_with_a_clear_message(as_coordinator, answer, value, message):
    response = as_coordinator.post(
        f"/koordinator/jawaban/{answer.pk}/skor/", {f"score-{answer.pk}-verified_score": value}
    )
    assert response.status_code == 400
    assert message in response.content.decode()
    answer.refresh_from_db()
    assert answer.verified_score is None


def form_tag(html, action):
    return next(tag for tag in re.findall(r"<form\b[^>]*>", html) if f'action="{action}"' in tag)


def test_the_score_and_comment_forms_leave_empty_fields_to_the_server_so_messages_are_in_the_page_language(
    as_coordinator, answer
):
    """Chromium checks required fields itself and answers in its own language ("Please fill out
    this field." on an Indonesian page); the server says it in the page's language."""
    html = as_coordinator.get(url(answer.submission)).content.decode()
    assert "novalidate" in form_tag(html, f"/koordinator/jawaban/{answer.pk}/skor/?bagian=A-GOV#jawaban-{answer.pk}")
    extras = as_coordinator.get(f"/koordinator/jawaban/{answer.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "novalidate" in form_tag(extras, f"/koordinator/jawaban/{answer.pk}/komentar/#jawaban-{answer.pk}")


@pytest.mark.parametrize(
    ("language", "message"), [("id", "Isi skor verifikasi (0 sampai 4)."), ("en", "Enter the verified score (0 to 4).")]
)
def test_an_empty_score_is_refused_in_the_page_language(as_coordinator, answer, language, message):
    as_coordinator.cookies["django_language"] = language
    response = as_coordinator.post(f"/koordinator/jawaban/{answer.pk}/skor/", {f"score-{answer.pk}-verified_score": ""})
    assert response.status_code == 400
    assert message in response.content.decode()
    answer.refresh_from_db()
    assert answer.verified_score is None


def test_scores_cannot_change_while_the_agency_is_still_filling_in(as_coordinator, answer):
    Submission.objects.filter(pk=answer.submission_id).update(status=Submission.Status.DRAFT)
    response = as_coordinator.post(
        f"/koordinator/jawaban/{answer.pk}/skor/", {f"score-{answer.pk}-verified_score": "1"}, follow=True
    )
    assert "selama pengisian berstatus Dikirim" in response.content.decode()
    answer.refresh_from_db()
    assert answer.verified_score is None


def test_a_leader_gets_403_when_posting_a_score(client, leader, answer):
    client.force_login(leader)
    response = client.post(f"/koordinator/jawaban/{answer.pk}/skor/", {f"score-{answer.pk}-verified_score": "1"})
    assert response.status_code == 403


def test_an_operator_gets_404_when_posting_a_score(client_a, answer):
    response = client_a.post(f"/koordinator/jawaban/{answer.pk}/skor/", {f"score-{answer.pk}-verified_score": "4"})
    assert response.status_code == 404
    answer.refresh_from_db()
    assert answer.verified_score is None


def test_the_score_view_rejects_get(as_coordinator, answer):
    assert as_coordinator.get(f"/koordinator/jawaban/{answer.pk}/skor/").status_code == 405


# --- comments ----------------------------------------------------------------------------


def test_a_coordinator_writes_an_agency_visible_comment(as_coordinator, answer):
    response = as_coordinator.post(
        f"/koordinator/jawaban/{answer.pk}/komentar/",
        {f"comment-{answer.pk}-body": "Lampirkan SK yang ditandatangani.", f"comment-{answer.pk}-visibility": "agency"},
        follow=True,
    )
    comment = ReviewComment.objects.get()
    assert (comment.answer, comment.visibility) == (answer, "agency")
    assert "terlihat oleh perangkat daerah" in response.content.decode()


def test_an_internal_comment_is_shown_to_coordinators_marked_internal(as_coordinator, answer):
    as_coordinator.post(
        f"/koordinator/jawaban/{answer.pk}/komentar/",
        {f"comment-{answer.pk}-body": "Skor terlalu tinggi?", f"comment-{answer.pk}-visibility": "internal"},
    )
    html = as_coordinator.get(f"/koordinator/jawaban/{answer.pk}/", headers={"HX-Request": "true"}).content.decode()
    assert "comment-internal" in html
    assert "Skor terlalu tinggi?" in html


def test_an_empty_comment_is_refused(as_coordinator, answer):
    response = as_coordinator.post(
        f"/koordinator/jawaban/{answer.pk}/komentar/",
        {f"comment-{answer.pk}-body": "  ", f"comment-{answer.pk}-visibility": "agency"},
    )
    assert response.status_code == 400
    assert "Tulis komentarnya terlebih dahulu." in response.content.decode()
    assert not ReviewComment.objects.exists()


def test_a_leader_cannot_comment(client, leader, answer):
    client.force_login(leader)
    response = client.post(
        f"/koordinator/jawaban/{answer.pk}/komentar/",
        {f"comment-{answer.pk}-body": "x", f"comment-{answer.pk}-visibility": "agency"},
    )
    assert response.status_code == 403


def test_the_agency_side_query_never_returns_internal_comments(answer, coordinator):
    answer.add_comment(coordinator, "Untuk OPD", ReviewComment.Visibility.AGENCY)
    answer.add_comment(coordinator, "Rahasia koordinator", ReviewComment.Visibility.INTERNAL)
    visible = ReviewComment.objects.filter(answer=answer).visible_to_agency()
    assert [c.body for c in visible] == ["Untuk OPD"]
    assert [c.body for c in answer.comments.visible_to_agency()] == ["Untuk OPD"]


# --- marking for revision ----------------------------------------------------------------


def test_a_coordinator_marks_an_answer_for_revision_with_a_note(as_coordinator, answer):
    as_coordinator.post(
        f"/koordinator/jawaban/{answer.pk}/perbaikan/",
        {f"rev-{answer.pk}-needs_revision": "on", f"rev-{answer.pk}-revision_note": "SK belum ditandatangani"},
    )
    answer.refresh_from_db()
    assert answer.needs_revision
    assert answer.revision_note == "SK belum ditandatangani"


def test_marking_without_a_note_is_refused(as_coordinator, answer):
    response = as_coordinator.post(
        f"/koordinator/jawaban/{answer.pk}/perbaikan/", {f"rev-{answer.pk}-needs_revision": "on"}
    )
    assert response.status_code == 400
    assert "Tulis catatan perbaikan" in response.content.decode()
    answer.refresh_from_db()
    assert not answer.needs_revision


def test_unmarking_clears_the_note(as_coordinator, answer):
    answer.needs_revision, answer.revision_note = True, "x"
    answer.save()
    as_coordinator.post(f"/koordinator/jawaban/{answer.pk}/perbaikan/", {f"rev-{answer.pk}-revision_note": "x"})
    answer.refresh_from_db()
    assert (answer.needs_revision, answer.revision_note) == (False, "")


def _seen_mark(page, answer):
    """The mark the page showed, as its hidden field carries it ("" when unmarked: no value)."""
    field = re.search(rf'<input type="hidden" name="rev-{answer.pk}-seen"(?: value="([^"]*)")?', page)
    return field.group(1) or ""


def test_a_mark_posted_over_a_colleagues_newer_one_is_refused_and_theirs_stands(
    as_coordinator, answer, coordinator, client
):
    """Two reviewers of one answer: the second one's page still shows it unmarked. Their mark
    (the page's `seen` says what it showed) must not silently replace the colleague's note."""
    page = as_coordinator.get(f"/koordinator/pengisian/{answer.submission_id}/").content.decode()
    seen = _seen_mark(page, answer)
    answer.mark_for_revision(make_user("koordinator_lain", roles.COORDINATOR), True, "Lampirkan SK yang sah")
    response = as_coordinator.post(
        f"/koordinator/jawaban/{answer.pk}/perbaikan/",
        {
            f"rev-{answer.pk}-needs_revision": "on",
            f"rev-{answer.pk}-revision_note": "Tanggal SK salah",
            f"rev-{answer.pk}-seen": seen,
        },
        follow=True,
    )
    # Back at the card, told why, with the colleague's note in the form to read first.
    html = response.content.decode()
    assert "baru saja diubah oleh peninjau lain" in html and "Lampirkan SK yang sah" in html
    answer.refresh_from_db()
    assert answer.revision_note == "Lampirkan SK yang sah"


def test_a_mark_posted_from_a_page_showing_the_current_mark_is_saved(as_coordinator, answer):
    page = as_coordinator.get(f"/koordinator/pengisian/{answer.submission_id}/").content.decode()
    seen = _seen_mark(page, answer)
    as_coordinator.post(
        f"/koordinator/jawaban/{answer.pk}/perbaikan/",
        {
            f"rev-{answer.pk}-needs_revision": "on",
            f"rev-{answer.pk}-revision_note": "Tanggal SK salah",
            f"rev-{answer.pk}-seen": seen,
        },
    )
    answer.refresh_from_db()
    assert (answer.needs_revision, answer.revision_note) == (True, "Tanggal SK salah")


# --- transitions -------------------------------------------------------------------------


def test_returning_with_a_marked_answer_sends_the_submission_back(as_coordinator, answer):
    answer.needs_revision, answer.revision_note = True, "Perbaiki"
    answer.save()
    response = as_coordinator.post(url(answer.submission) + "kembalikan/", {"note": "", "confirm": "on"}, follow=True)
    submission = Submission.objects.get(pk=answer.submission_id)
    assert submission.status == Submission.Status.RETURNED
    html = response.content.decode()
    assert "dikembalikan untuk diperbaiki" in html
    assert "Dikirim → <strong>Dikembalikan</strong>" in html


def test_returning_with_a_note_only_is_allowed(as_coordinator, submission):
    as_coordinator.post(url(submission) + "kembalikan/", {"note": "Lengkapi bukti dukung pilar GOV.", "confirm": "on"})
    submission.refresh_from_db()
    assert submission.status == Submission.Status.RETURNED
    assert submission.review_note == "Lengkapi bukti dukung pilar GOV."


def test_returning_without_a_mark_or_a_note_is_refused(as_coordinator, answer):
    response = as_coordinator.post(url(answer.submission) + "kembalikan/", {"note": " ", "confirm": "on"})
    assert response.status_code == 400
    assert "Tandai minimal satu jawaban" in response.content.decode()
    assert Submission.objects.get(pk=answer.submission_id).status == Submission.Status.SUBMITTED


def test_the_return_form_asks_for_a_confirmation_that_names_the_agency_and_the_marked_answers(as_coordinator, answer):
    answer.needs_revision, answer.revision_note = True, "Perbaiki"
    answer.save()
    page = as_coordinator.get(url(answer.submission)).content.decode()
    agency = answer.submission.agency.name
    assert f"Kembalikan pengisian {agency} ke perangkat daerah: 1 jawaban bertanda perlu perbaikan." in page
    assert 'name="confirm"' in page and "required" in page.split('name="confirm"')[1].split(">")[0]


def test_returning_without_the_confirmation_changes_nothing(as_coordinator, answer):
    answer.needs_revision, answer.revision_note = True, "Perbaiki"
    answer.save()
    response = as_coordinator.post(url(answer.submission) + "kembalikan/", {"note": "Lihat tanda"})
    assert response.status_code == 400
    assert "Centang konfirmasi untuk mengembalikan pengisian ini." in response.content.decode()
    submission = Submission.objects.get(pk=answer.submission_id)
    assert submission.status == Submission.Status.SUBMITTED and not submission.events.exists()


def test_approving_a_submitted_submission(as_coordinator, answer):
    answer.verified_score = D(3)
    answer.save()
    as_coordinator.post(url(answer.submission) + "setujui/")
    submission = Submission.objects.get(pk=answer.submission_id)
    assert submission.status == Submission.Status.APPROVED
    assert submission.events.get().to_status == Submission.Status.APPROVED


@pytest.mark.parametrize("status", [Submission.Status.DRAFT, Submission.Status.RETURNED, Submission.Status.APPROVED])
def test_only_a_submitted_submission_can_be_approved_or_returned(as_coordinator, period, agency_b, status):
    submission = make_submission(period, agency_b, status=status)
    for action in ("setujui/", "kembalikan/"):
        response = as_coordinator.post(url(submission) + action, {"note": "catatan", "confirm": "on"})
        assert response.status_code == 400
        assert "Hanya pengisian berstatus Dikirim" in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == status


def test_the_admin_reopens_an_approved_submission(client, admin_user, period, agency_b):
    submission = make_submission(period, agency_b, status=Submission.Status.APPROVED)
    client.force_login(admin_user)
    response = client.post(url(submission) + "buka-kembali/", {"note": "Salah setuju"}, follow=True)
    submission.refresh_from_db()
    assert (submission.status, submission.reopened) == (Submission.Status.DRAFT, True)
    html = response.content.decode()
    assert "Dibuka kembali: Disetujui → <strong>Sedang diisi</strong>" in html


def test_a_submitted_submission_in_an_open_period_cannot_be_reopened(client, admin_user, submission):
    client.force_login(admin_user)
    response = client.post(url(submission) + "buka-kembali/")
    assert response.status_code == 400
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.SUBMITTED


def test_a_coordinator_cannot_reopen(as_coordinator, period, agency_b):
    submission = make_submission(period, agency_b, status=Submission.Status.APPROVED)
    assert as_coordinator.post(url(submission) + "buka-kembali/").status_code == 403


@pytest.mark.parametrize("action", ["kembalikan/", "setujui/", "buka-kembali/"])
def test_a_leader_gets_403_on_every_action(client, leader, submission, action):
    client.force_login(leader)
    assert client.post(url(submission) + action, {"note": "x"}).status_code == 403
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.SUBMITTED


@pytest.mark.parametrize("action", ["kembalikan/", "setujui/", "buka-kembali/"])
def test_an_operator_gets_404_on_every_action(client_a, submission, action):
    assert client_a.post(url(submission) + action, {"note": "x"}).status_code == 404


@pytest.mark.parametrize("action", ["kembalikan/", "setujui/", "buka-kembali/"])
def test_actions_reject_get(as_coordinator, submission, action):
    assert as_coordinator.get(url(submission) + action).status_code == 405


# --- query count -------------------------------------------------------------------------


PILLARS = ["GOV", "BRA", "ECO", "LIV", "SOC", "ENV"]


def _review_queries(client, n_agencies, n_questions):
    """The review page of a submission with `n_questions` answers spread over the six pillars
    (six sections), each answer with evidence, history, a comment and a score event."""
    period = make_period(year=2100 + n_agencies)
    questions = [make_question(period, pillar=PILLARS[n % 6]) for n in range(n_questions)]
    agencies = [make_agency() for _ in range(n_agencies)]
    for agency in agencies:
        for pillar in PILLARS:
            assign(period, agency, pillar)
    submission = make_submission(period, agencies[0], status=Submission.Status.SUBMITTED)
    for question in questions:
        answer = make_answer(submission, question, score=2)
        Evidence.objects.create(answer=answer, title="Bukti", url="https://contoh.test/")
        AnswerChange.objects.create(answer=answer, field="jawaban", old_value="1", new_value="2")
        ReviewComment.objects.create(answer=answer, body="Catatan", visibility="internal")
        RevisionReply.objects.create(answer=answer, body="Tanggapan")
        SubmissionEvent.objects.create(submission=submission, answer=answer, kind="score", to_status="2.00")
    submission.answers.update(needs_revision=True, revision_note="Perbaiki")
    for agency in agencies[1:]:
        make_answer(make_submission(period, agency), questions[0], score=1)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url(submission))
    assert response.status_code == 200
    assert len(response.context["items"]) == min(25, -(-n_questions // 6))
    return len(ctx.captured_queries)


def test_the_review_page_runs_the_same_queries_for_5_and_40_agencies_and_1_or_300_answers(as_coordinator):
    small = _review_queries(as_coordinator, 5, 1)
    large = _review_queries(as_coordinator, 40, 300)
    # session, user, groups, submission, the sections' aggregate, questions, answers, evidence,
    # replies, timeline, the marked and the self-scored answers in one (for the approve form), the
    # bell, the period's review plan (who may act on which answer).
    assert small == large == 13


def test_the_admin_reopens_a_submission_locked_by_the_closed_period(client, admin_user, period, agency_b):
    submission = make_submission(period, agency_b, status=Submission.Status.SUBMITTED)
    period.close()
    client.force_login(admin_user)
    client.post(url(submission) + "buka-kembali/", {"note": "Terlambat karena jaringan"})
    submission = Submission.objects.select_related("period").get(pk=submission.pk)
    assert (submission.status, submission.reopened) == (Submission.Status.DRAFT, True)
    assert submission.is_editable()


def test_the_reopen_button_is_shown_only_to_the_admin(client, admin_user, coordinator, period, agency_b):
    submission = make_submission(period, agency_b, status=Submission.Status.APPROVED)
    client.force_login(coordinator)
    assert "Buka kembali (admin)" not in client.get(url(submission)).content.decode()
    client.force_login(admin_user)
    assert "Buka kembali (admin)" in client.get(url(submission)).content.decode()


def test_after_saving_a_score_the_page_keeps_the_section_and_filter(as_coordinator, answer):
    response = as_coordinator.post(
        f"/koordinator/jawaban/{answer.pk}/skor/?bagian=A-GOV&tampil=belum", {f"score-{answer.pk}-verified_score": "2"}
    )
    expected = f"/koordinator/pengisian/{answer.submission_id}/?bagian=A-GOV&tampil=belum#jawaban-{answer.pk}"
    assert response.url == expected


def test_the_answer_forms_post_with_the_section_and_the_cards_anchor(as_coordinator, answer):
    html = as_coordinator.get(url(answer.submission) + "?bagian=A-GOV").content.decode()
    assert f'action="/koordinator/jawaban/{answer.pk}/skor/?bagian=A-GOV#jawaban-{answer.pk}"' in html
    assert f'hx-post="/koordinator/jawaban/{answer.pk}/skor/?bagian=A-GOV"' in html


# --- the approval guard (issue 11) ---------------------------------------------------------------


def test_approving_is_refused_while_an_answer_is_marked_for_revision(as_coordinator, answer):
    # On main the approval went through and the mark was silently dropped.
    answer.verified_score, answer.needs_revision, answer.revision_note = D(3), True, "Lampirkan SK."
    answer.save()
    response = as_coordinator.post(url(answer.submission) + "setujui/", {"accept_self_scores": "on"})
    assert response.status_code == 400
    html = response.content.decode()
    assert f"1 jawaban masih bertanda Perlu perbaikan ({answer.question.code})" in html
    submission = Submission.objects.get(pk=answer.submission_id)
    assert submission.status == Submission.Status.SUBMITTED
    assert not submission.events.exists()
    answer.refresh_from_db()
    assert answer.needs_revision


def test_the_approve_form_names_the_marked_answers_with_links(as_coordinator, answer):
    answer.needs_revision, answer.revision_note = True, "Lampirkan SK."
    answer.save()
    html = as_coordinator.get(url(answer.submission)).content.decode()
    blocked = html.split('class="alert alert-danger small approve-blocked"')[1].split("</div>")[0]
    review = f"/koordinator/pengisian/{answer.submission_id}/"
    assert (
        f'<a class="alert-link" href="{review}?bagian=A-GOV#jawaban-{answer.pk}">{answer.question.code}</a>' in blocked
    )


def test_the_approve_form_asks_to_confirm_the_self_scores_of_unverified_answers(as_coordinator, answer):
    html = as_coordinator.get(url(answer.submission)).content.decode()
    assert 'name="accept_self_scores"' in html
    assert "Skor mandiri perangkat daerah berlaku untuk 1 jawaban yang belum diberi skor verifikasi" in html


def test_with_every_answer_verified_the_approve_form_has_no_checkbox(as_coordinator, answer):
    answer.verified_score = D(2)
    answer.save()
    assert 'name="accept_self_scores"' not in as_coordinator.get(url(answer.submission)).content.decode()


def test_approving_without_the_confirmation_is_refused_listing_the_unverified_answers(as_coordinator, answer):
    response = as_coordinator.post(url(answer.submission) + "setujui/")
    assert response.status_code == 400
    assert f"1 jawaban belum diberi skor verifikasi ({answer.question.code})" in response.content.decode()
    assert Submission.objects.get(pk=answer.submission_id).status == Submission.Status.SUBMITTED


def test_approving_with_the_confirmation_shows_it_in_the_timeline(as_coordinator, answer):
    response = as_coordinator.post(url(answer.submission) + "setujui/", {"accept_self_scores": "on"}, follow=True)
    assert Submission.objects.get(pk=answer.submission_id).status == Submission.Status.APPROVED
    html = response.content.decode()
    timeline = html.split('id="timeline-title"')[1]
    assert f"<strong>Skor mandiri diterima untuk 1 jawaban: {answer.question.code}</strong>" in timeline
    assert 'name="accept_self_scores"' not in html  # approved: no approve form any more


def test_the_return_note_is_shown_until_the_agency_resubmits_then_only_in_the_timeline(
    as_coordinator, agency_a, coordinator, operator_a
):
    period = make_period(2033)
    assign(period, agency_a, "GOV")
    submission = make_submission(period, agency_a)
    make_answer(submission, make_question(period, code="R.1", answer_type="text"))
    submission.submit(by=operator_a)
    submission.return_for_revision(by=coordinator, note="Lengkapi SK pilar GOV.")
    html = as_coordinator.get(url(submission)).content.decode()
    assert "<strong>Catatan koordinator:</strong> Lengkapi SK pilar GOV." in html
    submission.submit(by=operator_a)
    html = as_coordinator.get(url(submission)).content.decode()
    assert "<strong>Catatan koordinator:</strong>" not in html
    assert "Lengkapi SK pilar GOV." in html.split('id="timeline-title"')[1]


def test_the_agencys_reply_to_a_revision_note_is_shown_on_the_review_page(as_coordinator, answer, operator_a):
    answer.needs_revision, answer.revision_note = True, "Lampirkan SK."
    answer.save()
    RevisionReply.objects.create(answer=answer, author=operator_a, body="SK masih diproses bagian hukum.")
    html = as_coordinator.get(url(answer.submission)).content.decode()
    card = html.split(f'id="jawaban-{answer.pk}"')[1].split("</article>")[0]
    assert "Tanggapan perangkat daerah" in card and "SK masih diproses bagian hukum." in card
