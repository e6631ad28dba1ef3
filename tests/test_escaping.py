"""Text with HTML or script typed into answers, comments, quick wins, agency names and file names
is shown escaped on every page that shows it."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from evaluations.models import Answer, Evidence, Question, ReviewComment, Submission

from .factories import make_quick_win, upload_all_datasets
from .filling import PDF

pytestmark = pytest.mark.django_db

SCRIPT = '<script>alert("xss")</script>'
IMG = '<img src=x onerror="alert(1)">'


@pytest.fixture
def hostile(period, agency_a, operator_a, coordinator):
    """Agency A's name, a text answer, an explanation, an evidence title and file name, an
    agency-visible comment and a quick win, all holding markup."""
    agency_a.name = f"Dinas {SCRIPT}"
    agency_a.save()
    submission = Submission.objects.create(period=period, agency=agency_a, status=Submission.Status.SUBMITTED)
    question = Question.objects.assigned_to(agency_a, period).filter(answer_type="level").first()
    answer = Answer.objects.create(
        submission=submission,
        question=question,
        option=question.options.first(),
        self_score=0,
        explanation=f"Penjelasan {IMG}",
        needs_revision=True,
        revision_note=f"Catatan {SCRIPT}",
    )
    text_question = Question.objects.for_period(period).filter(answer_type="text").first()
    text_answer = Answer.objects.create(submission=submission, question=text_question, text_value=f"Jawaban {SCRIPT}")
    Evidence.objects.create(
        answer=answer,
        title=f"Bukti {IMG}",
        file=SimpleUploadedFile("sk.pdf", PDF),
        original_name=f"{SCRIPT}.pdf",
        uploaded_by=operator_a,
    )
    ReviewComment.objects.create(answer=answer, author=coordinator, body=f"Komentar {SCRIPT}")
    quick_win = make_quick_win(
        period, agency_a, status="ditetapkan", name=f"QW {SCRIPT}", description=f"Deskripsi {IMG}"
    )
    upload_all_datasets(period, agency_a)
    return {
        "submission": submission,
        "question": question,
        "quick_win": quick_win,
        "answer": answer,
        "text_answer": text_answer,
    }


def assert_escaped(response):
    html = response.content.decode()
    assert response.status_code == 200
    assert SCRIPT not in html
    assert IMG not in html
    assert "&lt;script&gt;" in html or "&lt;img" in html
    return html


def test_the_review_page_escapes_everything_typed(client, coordinator, hostile):
    client.force_login(coordinator)

    def section_page(answer):  # the review page shows one section (dimension x pillar) at a time
        question = answer.question
        key = f"{question.indicator.dimension.code}-{question.pillar.code if question.pillar else 'UMUM'}"
        return assert_escaped(client.get(f"/koordinator/pengisian/{hostile['submission'].pk}/?bagian={key}"))

    html = section_page(hostile["answer"])
    for text in ["Penjelasan &lt;img", "Bukti &lt;img", "Catatan &lt;script&gt;"]:
        assert text in html
    assert "Jawaban &lt;script&gt;" in section_page(hostile["text_answer"])
    # Comments load on demand, from the answer's own page.
    extras = assert_escaped(client.get(f"/koordinator/jawaban/{hostile['answer'].pk}/"))
    assert "Komentar &lt;script&gt;" in extras


def test_the_operators_section_page_escapes_answers_comments_and_file_names(client_a, hostile):
    submission, question = hostile["submission"], hostile["question"]
    key = f"{question.indicator.dimension.code}-{question.pillar.code}"
    html = assert_escaped(client_a.get(f"/opd/pengisian/{submission.pk}/bagian/{key}/"))
    assert "Komentar &lt;script&gt;" in html
    assert "&lt;script&gt;alert(&quot;xss&quot;)&lt;/script&gt;.pdf" in html


@pytest.mark.parametrize("path", ["/koordinator/", "/quick-wins/", "/quick-wins/cakupan/"])
def test_regency_wide_pages_escape_agency_names_and_quick_wins(client, coordinator, hostile, path):
    client.force_login(coordinator)
    assert_escaped(client.get(path))


@pytest.mark.parametrize("path", ["/hasil/", "/data/jalan/", "/data/"])
def test_other_pages_never_show_raw_markup(client, coordinator, hostile, path):
    client.force_login(coordinator)
    response = client.get(path)
    assert response.status_code == 200
    assert SCRIPT not in response.content.decode()


def test_the_quick_win_page_escapes_its_fields(client_a, hostile):
    html = assert_escaped(client_a.get(f"/quick-wins/{hostile['quick_win'].pk}/"))
    assert "QW &lt;script&gt;" in html
    assert "Deskripsi &lt;img" in html


def test_the_home_page_escapes_the_agency_name(client_a, hostile):
    assert "Dinas &lt;script&gt;" in assert_escaped(client_a.get("/"))
