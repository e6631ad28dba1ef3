"""The instrument's dry run, then "Terapkan perubahan ini" on its result page, in Chromium with and
without JavaScript (issue 24, item 1); and the upload box, which says the connection broke only
when the browser is offline."""

import pytest
from playwright.sync_api import expect

from evaluations import roles, tasks
from evaluations.models import EvaluationPeriod, Job, Question

from .browser import log_in, screenshot
from .excel_helpers import instrument_file
from .factories import make_user
from .test_instrument_changes import an_unanswered_question, current_sheets, row_of

pytestmark = [pytest.mark.browser, pytest.mark.one_db_pass]


def changed_file(tmp_path, period):
    question = an_unanswered_question(period)
    sheets = current_sheets(period)
    row_of(sheets, "pertanyaan", question.code)[2] = "Teks baru dari browser"
    path = tmp_path / "instrumen-baru.xlsx"
    path.write_bytes(instrument_file(sheets).getvalue())
    return question, path


def run_latest_job():
    job = Job.objects.order_by("-pk")[0]
    tasks.run_job.call(job.pk)
    return job


@pytest.mark.parametrize("javascript", [True, False], ids=["with-js", "without-js"])
def test_a_dry_run_is_applied_from_its_result_page_without_a_second_upload(
    site, chromium_browser, javascript, tmp_path
):
    period = EvaluationPeriod.objects.get(year=2024, stage="1")
    make_user("admin", roles.ADMIN, is_staff=True)
    question, path = changed_file(tmp_path, period)
    context = chromium_browser.new_context(locale="id-ID", java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(15_000)
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    try:
        log_in(page, site.url, "admin")
        page.goto(f"{site.url}/kelola/instrumen/")
        page.get_by_label("Periode tujuan").select_option(str(period.pk))
        page.get_by_label("Berkas instrumen (.xlsx)").set_input_files(str(path))
        expect(page.get_by_label("Uji coba saja (tidak ada yang disimpan)")).to_be_checked()
        page.get_by_role("button", name="Periksa / impor").click()
        page.wait_for_url("**/pekerjaan/*/")
        dry_run = run_latest_job()
        apply = page.get_by_role("button", name="Terapkan perubahan ini")
        expect(apply).to_be_visible()
        expect(page.get_by_text("0 ditambahkan, 1 diubah, 0 dihapus").first).to_be_visible()
        screenshot(page, f"instrument-dry-run-{'js' if javascript else 'nojs'}")
        page.get_by_label(f"Terapkan ke instrumen {period}: 0 ditambahkan, 1 diubah, 0 dihapus").check()
        apply.click()
        page.wait_for_url("**/pekerjaan/*/")
        assert page.url != f"{site.url}/pekerjaan/{dry_run.pk}/"
        run_latest_job()
        page.wait_for_url(f"{site.url}/kelola/instrumen/")
        expect(page.locator(".alert-success")).to_contain_text("0 ditambahkan, 1 diubah, 0 dihapus")
        assert dialogs == []  # the ticked box was the confirmation, with or without JavaScript
        question.refresh_from_db()
        assert question.text == "Teks baru dari browser"
    finally:
        context.close()


def test_an_upload_that_gets_no_answer_while_online_is_posted_the_ordinary_way(site, chromium_browser, tmp_path):
    period = EvaluationPeriod.objects.get(year=2024, stage="1")
    make_user("admin", roles.ADMIN, is_staff=True)
    _question, path = changed_file(tmp_path, period)
    context = chromium_browser.new_context(locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, site.url, "admin")
        page.goto(f"{site.url}/kelola/instrumen/")
        # The script's request fails with no answer (as when the file changed on disk after it
        # was chosen); the connection itself is fine.
        page.route(
            "**/kelola/instrumen/",
            lambda route: route.abort("failed") if route.request.resource_type == "xhr" else route.continue_(),
        )
        page.get_by_label("Periode tujuan").select_option(str(period.pk))
        page.get_by_label("Berkas instrumen (.xlsx)").set_input_files(str(path))
        page.get_by_role("button", name="Periksa / impor").click()
        page.wait_for_url("**/pekerjaan/*/")
        expect(page.get_by_text("Unggahan terputus")).to_have_count(0)
        assert Job.objects.filter(kind=Job.Kind.INSTRUMENT_IMPORT).count() == 1
    finally:
        context.close()


def test_an_upload_while_offline_says_the_connection_broke(site, chromium_browser, tmp_path):
    period = EvaluationPeriod.objects.get(year=2024, stage="1")
    make_user("admin", roles.ADMIN, is_staff=True)
    _question, path = changed_file(tmp_path, period)
    context = chromium_browser.new_context(locale="id-ID")
    page = context.new_page()
    page.set_default_timeout(15_000)
    try:
        log_in(page, site.url, "admin")
        page.goto(f"{site.url}/kelola/instrumen/")
        page.get_by_label("Berkas instrumen (.xlsx)").set_input_files(str(path))
        context.set_offline(True)
        page.get_by_role("button", name="Periksa / impor").click()
        expect(page.get_by_text("Unggahan terputus. Periksa koneksi, lalu coba lagi.")).to_be_visible()
        expect(page.get_by_role("button", name="Periksa / impor")).to_be_enabled()
        assert not Job.objects.exists()
        assert not Question.objects.filter(text="Teks baru dari browser").exists()
    finally:
        context.close()
