"""The report's pages: the PDF asked for from /hasil/ (a job, run at once here) and the Kekuatan /
Kelemahan / Rekomendasi page with its suggestions, its history and a colleague's later save."""

import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from evaluations.models import Job, ReportNote, Submission
from evaluations.models.reports import NOTE_MAX_LENGTH

from .excel_helpers import answer_all
from .factories import make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_jobs", "private_media")]


def ask_for_report(client, user, period):
    client.force_login(user)
    return client.post(f"/hasil/{period.pk}/laporan/", follow=True)


def pdf_text(response):
    reader = PdfReader(io.BytesIO(b"".join(response.streaming_content)))
    return reader, [page.extract_text() for page in reader.pages]


@pytest.mark.parametrize("who", ["coordinator", "admin_user", "leader"])
def test_those_who_see_the_results_download_the_report_as_a_pdf(client, period, agency_a, who, request):
    answer_all(period, agency_a, status=Submission.Status.APPROVED)
    response = ask_for_report(client, request.getfixturevalue(who), period)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "laporan-evaluasi-smart-city-2024-tahap-1.pdf" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    _reader, texts = pdf_text(response)
    official = period.results().official.final
    assert f"{official:.2f}".replace(".", ",") in texts[1]


def test_the_report_names_who_asked_for_it_on_its_cover(client, period, coordinator):
    coordinator.first_name, coordinator.last_name = "Rina", "Koordinator"
    coordinator.save()
    _reader, texts = pdf_text(ask_for_report(client, coordinator, period))
    assert "Rina Koordinator" in texts[0]


def test_operators_may_not_ask_for_the_report(client, period, operator_a):
    assert ask_for_report(client, operator_a, period).status_code == 403
    assert not Job.objects.filter(kind=Job.Kind.REPORT).exists()


def test_asking_again_reuses_the_report_until_a_note_changes(client, period, coordinator):
    ask_for_report(client, coordinator, period)
    ask_for_report(client, coordinator, period)
    assert Job.objects.filter(kind=Job.Kind.REPORT).count() == 1
    ReportNote.write_scope(period, None, {"kekuatan": ("Tim kuat.", ReportNote.Origin.WRITTEN)}, {}, coordinator)
    _reader, texts = pdf_text(ask_for_report(client, coordinator, period))
    assert Job.objects.filter(kind=Job.Kind.REPORT).count() == 2
    assert "Tim kuat." in texts[1]
    # The older report's file is dropped; its row stays (who asked when).
    assert Job.objects.filter(kind=Job.Kind.REPORT, file="").count() == 1


def test_the_results_page_offers_the_report_and_the_notes_page(client, period, leader):
    client.force_login(leader)
    page = client.get(f"/hasil/?periode={period.pk}").content.decode()
    assert f'action="/hasil/{period.pk}/laporan/"' in page
    assert f'href="/hasil/{period.pk}/catatan/"' in page


def test_a_report_job_still_running_shows_its_progress_page(client, period, coordinator, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "imports"]}}
    client.force_login(coordinator)
    response = client.post(f"/hasil/{period.pk}/laporan/")
    job = Job.objects.get(kind=Job.Kind.REPORT)
    assert response["Location"] == f"/pekerjaan/{job.pk}/"
    assert "Menunggu giliran" in client.get(response["Location"]).content.decode()


# --- Kekuatan, Kelemahan, Rekomendasi -----------------------------------------------------------
def notes_url(period):
    return f"/hasil/{period.pk}/catatan/"


def post_scope(client, period, scope="UMUM", seen=None, **texts):
    data = {"bagian": scope}
    for kind in ("kekuatan", "kelemahan", "rekomendasi"):
        data[f"{scope}-{kind}"] = texts.get(kind, "")
        data[f"{scope}-{kind}_seen"] = (seen or {}).get(kind) or ""
        data[f"{scope}-{kind}_saran"] = texts.get(f"{kind}_saran", "")
    return client.post(notes_url(period), data)


def test_a_coordinator_writes_the_overall_notes_and_they_are_kept_with_who_wrote_them(client, period, coordinator):
    client.force_login(coordinator)
    response = post_scope(client, period, kekuatan="Dukungan Bupati.", rekomendasi="Perbup menjadi Perda.")
    assert response.status_code == 302
    assert response["Location"] == f"{notes_url(period)}#catatan-UMUM"
    current = ReportNote.objects.current(period)
    assert current[None, "kekuatan"].text == "Dukungan Bupati."
    assert current[None, "rekomendasi"].written_by == coordinator
    assert (None, "kelemahan") not in current  # an empty field the page showed empty adds nothing
    page = client.get(notes_url(period)).content.decode()
    assert "Perbup menjadi Perda." in page
    assert "Catatan Umum (seluruh daerah) disimpan." in page


def test_an_edit_adds_a_version_and_the_history_shows_both(client, period, coordinator):
    client.force_login(coordinator)
    post_scope(client, period, "GOV", kekuatan="Versi pertama.")
    first = ReportNote.objects.get()
    post_scope(client, period, "GOV", seen={"kekuatan": first.pk}, kekuatan="Versi kedua.")
    assert list(ReportNote.objects.order_by("pk").values_list("text", "pillar__code")) == [
        ("Versi pertama.", "GOV"),
        ("Versi kedua.", "GOV"),
    ]
    history = client.get(notes_url(period)).content.decode().split("Riwayat penulisan")[1]
    assert history.index("Versi kedua.") < history.index("Versi pertama.")


def test_a_colleagues_later_save_is_not_overwritten(client, period, coordinator, admin_user):
    client.force_login(coordinator)
    post_scope(client, period, kelemahan="Koordinator menulis.")
    client.force_login(admin_user)
    # The admin's page was loaded before the coordinator saved: it saw no note.
    response = post_scope(client, period, kelemahan="Admin menulis.", rekomendasi="Saran admin.")
    assert response.status_code == 409
    page = response.content.decode()
    assert "sudah diubah oleh koordinator" in page and "Tidak ada yang disimpan" in page
    assert "Admin menulis." in page  # what they typed is still in the form
    assert list(ReportNote.objects.values_list("text", flat=True)) == ["Koordinator menulis."]


def test_text_over_the_limit_is_refused_and_nothing_of_the_scope_is_saved(client, period, coordinator):
    client.force_login(coordinator)
    response = post_scope(client, period, kekuatan="Singkat.", kelemahan="x" * (NOTE_MAX_LENGTH + 1))
    assert response.status_code == 400
    assert "paling banyak" in response.content.decode() or "at most" in response.content.decode()
    assert not ReportNote.objects.exists()


def test_html_in_a_note_is_shown_as_text(client, period, coordinator):
    client.force_login(coordinator)
    post_scope(client, period, kekuatan="<script>alert(1)</script> =SUM(A1)")
    page = client.get(notes_url(period)).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; =SUM(A1)" in page


def textarea(page, name):
    return re.search(rf'<textarea name="{name}"[^>]*>\n?(.*?)</textarea>', page, re.S).group(1)


def test_suggestions_are_shown_and_put_in_the_fields_only_when_asked(client, period, agency_a, coordinator):
    answer_all(period, agency_a, status=Submission.Status.APPROVED)
    client.force_login(coordinator)
    page = client.get(notes_url(period)).content.decode()
    assert "Sub-dimensi terkuat:" in page
    assert textarea(page, "UMUM-kekuatan") == ""
    filled = client.get(notes_url(period) + "?saran=UMUM").content.decode()
    assert textarea(filled, "UMUM-kekuatan").startswith("Sub-dimensi terkuat:")
    assert textarea(filled, "GOV-kekuatan") == ""
    assert not ReportNote.objects.exists()


def test_a_suggestion_saved_as_it_is_or_edited_is_recorded_as_such(client, period, agency_a, coordinator):
    answer_all(period, agency_a, status=Submission.Status.APPROVED)
    client.force_login(coordinator)
    suggestion = "Sub-dimensi terkuat: Layanan publik (skor resmi 4,00)."
    post_scope(client, period, kekuatan=suggestion, kekuatan_saran=suggestion, kelemahan="Edit.", kelemahan_saran="X")
    current = ReportNote.objects.current(period)
    assert current[None, "kekuatan"].origin == ReportNote.Origin.SUGGESTION_ACCEPTED
    assert current[None, "kelemahan"].origin == ReportNote.Origin.SUGGESTION_EDITED


def test_leaders_read_the_notes_without_a_form_and_may_not_post(client, period, coordinator, leader):
    ReportNote.write_scope(period, None, {"kekuatan": ("Dibaca pimpinan.", ReportNote.Origin.WRITTEN)}, {}, coordinator)
    client.force_login(leader)
    page = client.get(notes_url(period)).content.decode()
    assert "Dibaca pimpinan." in page
    assert "<textarea" not in page and "Pakai saran" not in page
    assert post_scope(client, period, kekuatan="Pimpinan menulis.").status_code == 403
    assert ReportNote.objects.count() == 1


def test_an_unknown_scope_is_refused(client, period, coordinator):
    client.force_login(coordinator)
    assert post_scope(client, period, "XYZ", kekuatan="?").status_code == 400
    assert not ReportNote.objects.exists()


def test_the_model_refuses_a_writer_without_the_review_permission(period, leader):
    from evaluations.models import TransitionError  # noqa: PLC0415 (one test's import)

    with pytest.raises(TransitionError):
        ReportNote.write_scope(period, None, {"kekuatan": ("x", ReportNote.Origin.WRITTEN)}, {}, leader)


def test_the_notes_page_reads_a_fixed_number_of_queries(client, period, agency_a, agency_b, coordinator):
    client.force_login(coordinator)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(notes_url(period)).status_code == 200
        return len(queries)

    answer_all(period, agency_a, status=Submission.Status.APPROVED)
    post_scope(client, period, kekuatan="Satu.")
    before = count()
    answer_all(period, agency_b, status=Submission.Status.SUBMITTED)
    for n in range(3):
        note = ReportNote.objects.order_by("-pk").first()
        post_scope(client, period, seen={"kekuatan": note.pk}, kekuatan=f"Versi {n}.")
    make_user("koordinator2", "Koordinator")
    assert count() == before


def test_operators_cannot_open_a_report_job_or_its_file(client, period, coordinator, operator_a):
    ask_for_report(client, coordinator, period)
    job = Job.objects.get(kind=Job.Kind.REPORT)
    client.force_login(operator_a)
    assert client.get(f"/pekerjaan/{job.pk}/").status_code == 404
    assert client.get(f"/pekerjaan/{job.pk}/unduh/").status_code == 404


def test_the_finished_report_job_page_offers_the_download_and_the_page_count(client, period, coordinator):
    ask_for_report(client, coordinator, period)
    job = Job.objects.get(kind=Job.Kind.REPORT)
    page = client.get(f"/pekerjaan/{job.pk}/").content.decode()
    assert f"Laporan sudah siap ({job.result['pages']} halaman A4)." in page
    assert f'href="/pekerjaan/{job.pk}/unduh/"' in page
