"""The operator's pages: home with sections, section page, submitting, the state rules, access
for every role and the section page's query count (the session-expiry restore: test_answering_restore)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluations.models import Answer, Evidence, Question, ReviewComment, RevisionReply, Submission

from .factories import assign, make_period, make_question
from .filling import section_post, submission_of, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]
T = Question.AnswerType


@pytest.fixture
def small(agency_a):
    """A period where agency A answers two questions of one section: one needs evidence."""
    period = make_period(2031)
    assign(period, agency_a, "GOV")
    with_evidence = make_question(period, code="S.1", answer_type=T.YES_NO, evidence_required=True)
    text = make_question(period, code="S.2", answer_type=T.TEXT)
    return period, with_evidence, text


@pytest.fixture
def submission(small, agency_a):
    return submission_of(small[0], agency_a)


def section_url(submission, key="X-GOV"):
    return f"/opd/pengisian/{submission.pk}/bagian/{key}/"


def fill_completely(client, submission, small):
    _period, with_evidence, text = small
    data = section_post(
        submission,
        "X-GOV",
        {
            with_evidence: {"value": "1", "evidence_title": "SK", "evidence_file": upload("sk.pdf")},
            text: {"value": "Sudah berjalan"},
        },
    )
    assert client.post(section_url(submission), data).status_code == 302


# --- home and sections -----------------------------------------------------------------


def test_the_operator_home_starts_the_submission_and_lists_sections_with_their_counts(client_a, period, agency_a):
    response = client_a.get("/opd/")
    page = response.content.decode()
    assert response.status_code == 200
    submission = Submission.objects.get(period=period, agency=agency_a)
    assert f'href="/opd/pengisian/{submission.pk}/bagian/A-GOV/"' in page
    assert "0 / 5 terjawab" in page
    assert "Terjawab 0 dari 19 pertanyaan." in page
    assert "Tersisa 14 hari." in page


def test_the_home_page_links_operators_to_the_questionnaire(client_a, period):
    page = client_a.get("/").content.decode()
    assert 'href="/opd/"' in page and "Isi kuesioner" in page


def test_after_submitting_the_home_button_offers_to_view_not_to_fill_in(client_a, period, agency_a):
    submission_of(period, agency_a)
    Submission.objects.filter(period=period, agency=agency_a).update(status=Submission.Status.SUBMITTED)
    page = client_a.get("/").content.decode()
    assert "Lihat pengisian" in page and "Isi kuesioner" not in page


def test_the_breadcrumb_names_the_dimension_and_pillar_not_the_internal_key(client_a, submission, small):
    page = client_a.get(section_url(submission)).content.decode()
    crumb = page.split('aria-current="page">')[1].split("<")[0]
    assert crumb != "X-GOV" and "Smart Governance" in crumb


def test_opd_home_is_404_for_a_user_without_an_agency(client, coordinator, period):
    client.force_login(coordinator)
    assert client.get("/opd/").status_code == 404


def test_an_unknown_section_is_404(client_a, submission):
    assert client_a.get(section_url(submission, "Z-GOV")).status_code == 404


def test_unanswered_questions_stand_out_on_the_section_page(client_a, submission, small):
    client_a.post(section_url(submission), section_post(submission, "X-GOV", {small[2]: {"value": "ada"}}))
    page = client_a.get(section_url(submission)).content.decode()
    assert page.count("question-unanswered") == 1
    assert f'id="q-{small[1].pk}" class="card mb-3 question-card question-unanswered"' in page


def test_save_and_next_goes_to_the_next_section(client_a, period, agency_a):
    submission = submission_of(period, agency_a)
    data = section_post(submission, "A-GOV", action="next")
    response = client_a.post(section_url(submission, "A-GOV"), data)
    assert response["Location"] == section_url(submission, "B-GOV")


# --- access -------------------------------------------------------------------------------


def test_an_operator_of_another_agency_gets_404_on_the_section_page(client, operator_b, submission):
    client.force_login(operator_b)
    assert client.get(section_url(submission)).status_code == 404
    assert client.get(f"/opd/pengisian/{submission.pk}/").status_code == 404
    assert client.get(f"/opd/pengisian/{submission.pk}/kirim/").status_code == 404


def test_an_operator_of_another_agency_gets_404_on_save_and_nothing_is_saved(client, operator_b, submission, small):
    client.force_login(operator_b)
    data = section_post(submission, "X-GOV", {small[2]: {"value": "disusupkan"}})
    assert client.post(section_url(submission), data).status_code == 404
    assert client.post(f"/opd/pengisian/{submission.pk}/kirim/").status_code == 404
    assert client.post(f"/opd/pengisian/{submission.pk}/salin/").status_code == 404
    assert not Answer.objects.exists()


@pytest.mark.parametrize("role", ["coordinator", "leader", "admin_user"])
def test_viewers_see_a_section_read_only_and_get_403_on_save(request, client, submission, small, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get(section_url(submission))
    page = response.content.decode()
    assert response.status_code == 200
    assert "Simpan draf" not in page and "disabled" in page
    data = section_post(submission, "X-GOV", {small[2]: {"value": "oleh koordinator"}})
    assert client.post(section_url(submission), data).status_code == 403
    assert not Answer.objects.exists()


def test_carry_forward_refuses_get(client_a, submission):
    assert client_a.get(f"/opd/pengisian/{submission.pk}/salin/").status_code == 405


# --- submitting and the state rules ------------------------------------------------------


def test_submit_refuses_with_the_missing_list_linking_to_each_question(client_a, submission, small):
    client_a.post(section_url(submission), section_post(submission, "X-GOV", {small[1]: {"value": "1"}}))
    response = client_a.post(f"/opd/pengisian/{submission.pk}/kirim/")
    page = response.content.decode()
    assert response.status_code == 422
    assert "Masih ada 2 isian yang kurang" in page
    assert f'href="{section_url(submission)}#q-{small[1].pk}"' in page and "bukti dukung belum dilampirkan" in page
    assert f'href="{section_url(submission)}#q-{small[2].pk}"' in page and "belum dijawab" in page
    submission.refresh_from_db()
    assert submission.status == Submission.Status.DRAFT


def test_a_complete_submission_is_sent_and_becomes_read_only(client_a, submission, small):
    fill_completely(client_a, submission, small)
    response = client_a.post(f"/opd/pengisian/{submission.pk}/kirim/", follow=True)
    assert "Pengisian terkirim untuk verifikasi" in response.content.decode()
    submission.refresh_from_db()
    assert submission.is_submitted()
    page = client_a.get(section_url(submission)).content.decode()
    assert "Simpan draf" not in page and "hanya dapat dibaca" in page
    data = section_post(submission, "X-GOV", {small[2]: {"value": "diubah setelah kirim"}})
    client_a.post(section_url(submission), data)
    assert Answer.objects.get(question=small[2]).text_value == "Sudah berjalan"


def test_a_returned_submission_is_editable_and_shows_the_marked_answers(client_a, coordinator, submission, small):
    fill_completely(client_a, submission, small)
    submission.submit(by=submission.agency.members.first().user)
    answer = Answer.objects.get(question=small[2])
    answer.needs_revision = True
    answer.revision_note = "Sebutkan nomor SK."
    answer.save()
    ReviewComment.objects.create(answer=answer, author=coordinator, body="Lampirkan juga notulen.")
    ReviewComment.objects.create(
        answer=answer, author=coordinator, body="Catatan internal tim", visibility=ReviewComment.Visibility.INTERNAL
    )
    submission.return_for_revision(by=coordinator, note="Lengkapi catatan yang ditandai.")
    page = client_a.get(section_url(submission)).content.decode()
    assert "Sebutkan nomor SK." in page and "Lampirkan juga notulen." in page
    assert "Catatan internal tim" not in page
    assert "question-revision" in page and "Simpan draf" in page
    data = section_post(submission, "X-GOV", {small[2]: {"value": "SK No. 12/2024"}})
    assert client_a.post(section_url(submission), data).status_code == 302
    assert Answer.objects.get(question=small[2]).text_value == "SK No. 12/2024"


def test_after_the_close_date_nothing_is_editable(client_a, submission, small):
    period = small[0]
    period.opens = timezone.localdate() - timedelta(days=30)
    period.closes = timezone.localdate() - timedelta(days=1)
    period.save()
    page = client_a.get(section_url(submission)).content.decode()
    assert "isian terkunci" in page and "Simpan draf" not in page
    data = section_post(submission, "X-GOV", {small[2]: {"value": "terlambat"}})
    response = client_a.post(section_url(submission), data, follow=True)
    assert "tidak dapat diubah" in response.content.decode()
    assert not Answer.objects.exists()


def test_a_submission_reopened_by_the_admin_is_editable_after_the_close_date(client_a, submission, small):
    period = small[0]
    period.opens = timezone.localdate() - timedelta(days=30)
    period.closes = timezone.localdate() - timedelta(days=1)
    period.save()
    submission.reopened = True
    submission.save()
    data = section_post(submission, "X-GOV", {small[2]: {"value": "dibuka kembali"}})
    assert client_a.post(section_url(submission), data).status_code == 302
    assert Answer.objects.get().text_value == "dibuka kembali"


# --- query counts ------------------------------------------------------------------------


def _section_with(n, agency):
    period = make_period(2040 + n)
    assign(period, agency, "GOV")
    questions = [make_question(period, code=f"N.{i}", answer_type=T.LEVEL) for i in range(n)]
    submission = submission_of(period, agency)
    for question in questions[::2]:
        answer = Answer.objects.create(submission=submission, question=question, option=question.options.first())
        Evidence.objects.create(answer=answer, title="Tautan", url="https://example.go.id/")
    return submission


def test_the_section_page_runs_the_same_queries_for_5_and_60_questions(client_a, agency_a):
    counts = []
    for n in (5, 60):
        submission = _section_with(n, agency_a)
        client_a.get(section_url(submission))  # warm the session and caches
        with CaptureQueriesContext(connection) as queries:
            response = client_a.get(section_url(submission))
        assert response.status_code == 200
        counts.append(len(queries))
    # Without comments, replies or score bands their queries are not run; with the bell's unread count.
    assert counts[0] == counts[1] == 9


def _returned_with_marks(n, agency, coordinator):
    """A returned submission of n answered questions, every answer marked, commented on and
    replied to once."""
    submission = _section_with(n, agency)
    submission.answers.update(needs_revision=True, revision_note="Perbaiki")
    for answer in submission.answers.all():
        RevisionReply.objects.create(answer=answer, body="Tanggapan lama")
        ReviewComment.objects.create(answer=answer, author=coordinator, body="Lampirkan notulen.")
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.RETURNED, returned_at=timezone.now(), review_note="Perbaiki yang ditandai."
    )
    return submission


@pytest.mark.parametrize(("page", "expected"), [("bagian/X-GOV/", 11), ("kirim/", 8)])  # with the bell
def test_a_returned_submissions_section_and_submit_pages_run_the_same_queries_for_5_and_60_marked_answers(
    client_a, agency_a, coordinator, page, expected
):
    counts = []
    for n in (5, 60):
        submission = _returned_with_marks(n, agency_a, coordinator)
        client_a.get(f"/opd/pengisian/{submission.pk}/{page}")
        with CaptureQueriesContext(connection) as queries:
            response = client_a.get(f"/opd/pengisian/{submission.pk}/{page}")
        assert response.status_code == 200
        counts.append(len(queries))
    assert counts[0] == counts[1] == expected


def test_the_overview_runs_the_same_queries_for_5_and_60_questions(client_a, agency_a):
    counts = []
    for n in (5, 60):
        submission = _section_with(n, agency_a)
        client_a.get(f"/opd/pengisian/{submission.pk}/")
        with CaptureQueriesContext(connection) as queries:
            client_a.get(f"/opd/pengisian/{submission.pk}/")
        counts.append(len(queries))
    assert counts[0] == counts[1] == 10  # with the bell's unread count and the period chooser's periods


def test_the_operators_home_runs_the_same_queries_for_5_and_60_questions(client_a, agency_a):
    counts = []
    for n in (5, 60):
        submission = _section_with(n, agency_a)
        client_a.get(f"/opd/?periode={submission.period.pk}")  # chosen: the newest period is the one shown
        with CaptureQueriesContext(connection) as queries:
            response = client_a.get("/opd/")
        assert response.status_code == 200 and f"/opd/pengisian/{submission.pk}/bagian/X-GOV/" in response.text
        counts.append(len(queries))
    # The periods once (the chooser and carry forward's previous period), with the bell's unread
    # count and carry forward's look for the previous period's submission.
    assert counts[0] == counts[1] == 9


def test_carry_forward_from_the_overview_marks_copied_answers_until_confirmed(client_a, agency_a, submission, small):
    earlier = make_period(2030)
    assign(earlier, agency_a, "GOV")
    old_question = make_question(earlier, code=small[2].code, answer_type=T.TEXT)
    Answer.objects.create(submission=submission_of(earlier, agency_a), question=old_question, text_value="Tahun lalu")
    response = client_a.post(f"/opd/pengisian/{submission.pk}/salin/", follow=True)
    assert "1 jawaban disalin dari periode sebelumnya" in response.content.decode()
    page = client_a.get(section_url(submission)).content.decode()
    assert "Tahun lalu</textarea>" in page and "question-carried" in page
    assert f'name="konfirmasi" value="{small[2].pk}"' in page


def test_a_coordinator_sees_an_agencys_overview_without_actions(client, coordinator, submission):
    client.force_login(coordinator)
    response = client.get(f"/opd/pengisian/{submission.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert f'href="{section_url(submission)}"' in page
    assert "Kirim untuk verifikasi" not in page and "Salin jawaban" not in page


def test_an_empty_post_changes_nothing(client_a, submission):
    response = client_a.post(section_url(submission), {}, follow=True)
    assert "Tidak ada perubahan untuk disimpan." in response.content.decode()
    assert not Answer.objects.exists()


# --- resubmitting a returned submission (issue 11) --------------------------------------------


@pytest.fixture
def returned(client_a, coordinator, submission, small):
    """Agency A's complete submission, sent, and returned with S.2 marked for revision."""
    fill_completely(client_a, submission, small)
    submission.submit(by=submission.agency.members.first().user)
    answer = Answer.objects.get(question=small[2])
    answer.mark_for_revision(coordinator, True, "Sebutkan nomor SK.")
    submission.return_for_revision(by=coordinator, note="Satu jawaban perlu diperbaiki.")
    return submission


def test_resubmitting_without_touching_the_marked_answer_is_refused_with_a_link_to_it(client_a, returned, small):
    # On main the returned submission went straight back with the marked answer untouched.
    response = client_a.post(f"/opd/pengisian/{returned.pk}/kirim/")
    page = response.content.decode()
    assert response.status_code == 422
    assert f'href="{section_url(returned)}#q-{small[2].pk}"' in page
    assert "perlu perbaikan: belum diubah atau ditanggapi" in page
    assert Submission.objects.get(pk=returned.pk).status == Submission.Status.RETURNED


def test_the_submit_page_lists_the_untouched_marked_answers_before_anyone_presses_send(client_a, returned, small):
    page = client_a.get(f"/opd/pengisian/{returned.pk}/kirim/").content.decode()
    assert "Masih ada 1 isian yang kurang" in page and f"#q-{small[2].pk}" in page
    assert 'action="/opd/pengisian/' not in page.split("missing-list")[1]


def test_the_section_page_offers_a_reply_only_under_the_marked_answer(client_a, returned, small):
    page = client_a.get(section_url(returned)).content.decode()
    assert f'name="q{small[2].pk}-reply"' in page
    assert f'name="q{small[1].pk}-reply"' not in page


def test_a_reply_saved_from_the_section_page_lets_the_submission_go_back(client_a, operator_a, returned, small):
    data = section_post(returned, "X-GOV", {small[2]: {"reply": "Nomor SK sudah ada di penjelasan."}})
    response = client_a.post(section_url(returned), data, follow=True)
    assert "Draf tersimpan (1 jawaban)." in response.content.decode()
    reply = RevisionReply.objects.get()
    assert (reply.answer.question, reply.author) == (small[2], operator_a)
    assert reply.body == "Nomor SK sudah ada di penjelasan."
    assert "Nomor SK sudah ada di penjelasan." in client_a.get(section_url(returned)).content.decode()
    response = client_a.post(f"/opd/pengisian/{returned.pk}/kirim/", follow=True)
    assert "Pengisian terkirim untuk verifikasi" in response.content.decode()


def test_the_section_posted_back_unchanged_adds_no_reply(client_a, returned):
    response = client_a.post(section_url(returned), section_post(returned, "X-GOV"), follow=True)
    assert "Tidak ada perubahan untuk disimpan." in response.content.decode()
    assert not RevisionReply.objects.exists()


def test_the_return_note_is_no_longer_shown_to_the_operator_after_resubmitting(client_a, returned, small):
    assert "Satu jawaban perlu diperbaiki." in client_a.get(f"/opd/pengisian/{returned.pk}/").content.decode()
    client_a.post(section_url(returned), section_post(returned, "X-GOV", {small[2]: {"value": "SK No. 12/2024"}}))
    client_a.post(f"/opd/pengisian/{returned.pk}/kirim/")
    assert "Satu jawaban perlu diperbaiki." not in client_a.get(f"/opd/pengisian/{returned.pk}/").content.decode()
