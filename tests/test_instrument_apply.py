"""Applying an instrument file from its dry run's result page (issue 24, item 1): the page offers
"Terapkan perubahan ini" for the very file it checked, with a confirmation that names what
changes; no second upload. The upload form on that page posts to the instrument page, never to
the job page (which answers a post with 405 instead of ignoring the file)."""

import pytest

from evaluations import roles
from evaluations.models import InstrumentChange, Job, Question

from .excel_helpers import instrument_file
from .factories import make_period, make_user
from .test_instrument_changes import an_unanswered_question, current_sheets, row_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_jobs")]
CONFIRMED = {"konfirmasi": "ya"}


def dry_run(client, period, sheets):
    data = {"period": period.pk, "file": instrument_file(sheets), "dry_run": "on"}
    response = client.post("/kelola/instrumen/", data)
    return Job.objects.order_by("-pk")[0], response


def changed_text(period):
    question = an_unanswered_question(period)
    sheets = current_sheets(period)
    row_of(sheets, "pertanyaan", question.code)[2] = "Teks baru yang lebih jelas"
    return question, sheets


def test_the_dry_run_page_offers_to_apply_that_file_with_a_confirmation_naming_the_changes(admin_client, period):
    _question, sheets = changed_text(period)
    job, _ = dry_run(admin_client, period, sheets)
    html = admin_client.get(f"/pekerjaan/{job.pk}/").content.decode()
    assert f'action="/kelola/instrumen/terapkan/{job.pk}/"' in html
    assert "Terapkan perubahan ini" in html
    # The confirmation is a box to tick that names what changes (it works without JavaScript).
    confirmation = "Terapkan ke instrumen Evaluasi Smart City 2024 Tahap I: 0 ditambahkan, 1 diubah, 0 dihapus"
    assert f'for="apply-confirm">{confirmation}</label>' in html
    assert 'name="konfirmasi" value="ya" id="apply-confirm" required' in html
    # The form for another file posts to the instrument page, never to the job page itself.
    assert 'action="/kelola/instrumen/"' in html
    assert "hapus centang uji coba dan kirim lagi" not in html


def test_applying_from_the_dry_run_changes_the_instrument_without_a_second_upload(admin_client, period):
    question, sheets = changed_text(period)
    job, _ = dry_run(admin_client, period, sheets)
    response = admin_client.post(f"/kelola/instrumen/terapkan/{job.pk}/", CONFIRMED, follow=True)
    assert response.redirect_chain[-1] == ("/kelola/instrumen/", 302)
    assert "0 ditambahkan, 1 diubah, 0 dihapus" in response.content.decode()
    question.refresh_from_db()
    assert question.text == "Teks baru yang lebih jelas"
    change = InstrumentChange.objects.get()
    assert change.file_name == "instrumen.xlsx"
    # The stored file is used once: it is gone from both jobs.
    assert not Job.objects.exclude(file="").exists()


def test_applying_without_ticking_the_confirmation_changes_nothing(admin_client, period):
    question, sheets = changed_text(period)
    job, _ = dry_run(admin_client, period, sheets)
    response = admin_client.post(f"/kelola/instrumen/terapkan/{job.pk}/", follow=True)
    assert response.redirect_chain[-1] == (f"/pekerjaan/{job.pk}/", 302)
    assert "Centang konfirmasi yang menyebut perubahannya" in response.content.decode()
    question.refresh_from_db()
    assert question.text != "Teks baru yang lebih jelas"
    assert not InstrumentChange.objects.exists()
    assert Job.objects.count() == 1  # no import job queued


def test_a_dry_run_applied_twice_applies_once(admin_client, period):
    _question, sheets = changed_text(period)
    job, _ = dry_run(admin_client, period, sheets)
    admin_client.post(f"/kelola/instrumen/terapkan/{job.pk}/", CONFIRMED)
    response = admin_client.post(f"/kelola/instrumen/terapkan/{job.pk}/", CONFIRMED, follow=True)
    assert "sudah diterapkan atau tidak dapat diterapkan" in response.content.decode()
    assert InstrumentChange.objects.count() == 1


def test_an_instrument_changed_since_the_dry_run_is_not_applied_blindly(admin_client, period):
    question, sheets = changed_text(period)
    job, _ = dry_run(admin_client, period, sheets)
    Question.objects.filter(pk=question.pk).update(help_text="Diubah orang lain sesudah uji coba")
    response = admin_client.post(f"/kelola/instrumen/terapkan/{job.pk}/", CONFIRMED, follow=True)
    html = response.content.decode()
    assert "Instrumen periode ini berubah sejak uji coba" in html
    question.refresh_from_db()
    assert question.text != "Teks baru yang lebih jelas"
    assert not InstrumentChange.objects.exists()


def test_a_dry_run_without_changes_or_with_errors_offers_nothing_to_apply(admin_client, period):
    job, _ = dry_run(admin_client, period, current_sheets(period))
    html = admin_client.get(f"/pekerjaan/{job.pk}/").content.decode()
    assert "Terapkan perubahan ini" not in html
    assert not Job.objects.exclude(file="").exists()
    response = admin_client.post(f"/kelola/instrumen/terapkan/{job.pk}/", CONFIRMED, follow=True)
    assert "sudah diterapkan atau tidak dapat diterapkan" in response.content.decode()


def test_only_the_admin_who_ran_the_dry_run_may_apply_it(client, admin_client, period, coordinator):
    _question, sheets = changed_text(period)
    job, _ = dry_run(admin_client, period, sheets)
    client.force_login(coordinator)
    assert client.post(f"/kelola/instrumen/terapkan/{job.pk}/", CONFIRMED).status_code == 403
    client.force_login(make_user("admin2", roles.ADMIN, is_staff=True))
    assert client.post(f"/kelola/instrumen/terapkan/{job.pk}/", CONFIRMED).status_code == 404
    assert admin_client.get(f"/kelola/instrumen/terapkan/{job.pk}/").status_code == 405
    assert not InstrumentChange.objects.exists()


def test_the_job_page_refuses_a_post_instead_of_ignoring_its_file(admin_client, period):
    job, _ = dry_run(admin_client, period, current_sheets(period))
    response = admin_client.post(f"/pekerjaan/{job.pk}/", {"period": period.pk, "file": instrument_file()})
    assert response.status_code == 405


def test_a_new_period_gets_the_file_applied_from_its_dry_run(admin_client):
    target = make_period(year=2038)
    job, _ = dry_run(admin_client, target, None)
    admin_client.post(f"/kelola/instrumen/terapkan/{job.pk}/", CONFIRMED)
    assert Question.objects.for_period(target).count() == 4
