"""The whole evaluation cycle in a real browser, as one story told through the pages only:

the admin opens the period; the operators of Dinas Pariwisata (Smart Branding, 7 questions) and
Bapenda (Smart Economy, 8 questions) fill in every section with a PDF as evidence and submit; the
coordinator, told by the home page, the bell and e-mail, marks one of Dispar's answers, is refused
approving while it is marked, and returns the submission with a comment (and its operator is told);
the operator is refused resubmitting until they reply to the note, then resubmits; the coordinator
sets one verified score, is refused approving until confirming that the agency's own scores stand
for the rest, removes the mark and approves both; the results page shows the new index; a
quick win is proposed and established; a road data set is uploaded; the admin downloads the
workbook and the test finds the answers, scores, index and quick win in it.

Then the second year: the admin closes 2024, creates "Evaluasi Smart City 2025 Tahap I" as a copy of
it (same questions and assignments) and opens it; Dispar's operator carries the 2024 answers
forward, confirms the first section's one by one and sees the carried values; the 2024 quick win
is continued into 2025 from its own page, appears in the 2025 list as "lanjutan" and points back to
the 2024 one. Screenshots go to artifacts/.
"""

import re
from datetime import timedelta

import openpyxl
import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from evaluations import roles
from evaluations.models import Agency, Answer, AnswerOption, EvaluationPeriod, Question, QuickWin, Submission
from evaluations.scoring import round_score

from .browser import PHONE, log_in, log_out, screenshot
from .factories import ROAD_ROW, make_operator, make_user, make_xlsx
from .filling import PDF

pytestmark = [pytest.mark.browser, pytest.mark.one_db_pass]
NEXT_NAME = "Evaluasi Smart City 2025 Tahap I"


def shot(page, name):
    """A screenshot of the page once its stylesheet applies (Bootstrap makes the body a flex box)."""
    expect(page.locator("body")).to_have_css("display", "flex")
    screenshot(page, name)


def go(page, locator):
    """Click a link or button and wait for the page it leads to."""
    with page.expect_navigation():
        locator.click()
    page.wait_for_load_state()


def fill_card(card, pdf, evidence_title):
    """Answer one question the way an operator would: pick or type a value, explain, attach a PDF."""
    radios = card.locator("input[type=radio][name$='-value']")
    if radios.count() == 2:  # yes/no
        radios.first.check()
    elif radios.count():
        radios.nth(3).check()  # level 3
    elif card.locator("select[name$='-value']").count():
        card.locator("select[name$='-value']").select_option(index=2)
    elif card.locator("textarea[name$='-value']").count():
        card.locator("textarea[name$='-value']").fill("Program berjalan sejak 2022.")
    elif card.locator("input[type=date][name$='-value']").count():
        card.locator("input[type=date][name$='-value']").fill("2024-01-15")
    else:
        card.locator("input[name$='-value']").fill("12")
    card.locator("textarea[name$='-explanation']").fill("Sudah berjalan, lihat bukti dukung.")
    if card.get_by_text("Wajib bukti dukung").count():
        card.locator("input[name$='-evidence_title']").fill(evidence_title)
        card.locator("input[type=file]").set_input_files(str(pdf))


def fill_and_submit(page, base_url, pdf, agency, screenshots=False):
    page.goto(f"{base_url}/")
    if screenshots:
        shot(page, "story-02-operator-home")
    go(page, page.get_by_role("link", name="Isi kuesioner"))
    go(page, page.locator("ol.list-group a").first)
    while True:
        cards = page.locator(".question-card")
        for i in range(cards.count()):
            fill_card(cards.nth(i), pdf, f"Bukti {agency} {i + 1}")
        if screenshots:
            shot(page, "story-03-section")
            screenshots = False
        next_button = page.get_by_role("button", name="Simpan & lanjut")
        if next_button.count() == 0:
            go(page, page.get_by_role("button", name="Simpan draf"))
            expect(page.locator(".alert-success")).to_contain_text("Draf tersimpan")
            break
        go(page, next_button)
        expect(page.locator(".alert-success")).to_contain_text("Draf tersimpan")
    go(page, page.get_by_role("link", name="Kirim untuk verifikasi…"))
    expect(page.locator(".missing-list")).to_have_count(0)
    if agency == "Bapenda":
        shot(page, "story-04-submit")
    go(page, page.get_by_role("button", name="Kirim untuk verifikasi"))
    expect(page.locator("body")).to_contain_text("Pengisian terkirim untuk verifikasi")


def open_review(page, base_url, agency_name, screenshot_name=None):
    page.goto(f"{base_url}/")
    go(page, page.get_by_role("link", name="Progres pengisian"))
    if screenshot_name:
        shot(page, screenshot_name)
    go(page, page.locator("table.completion-matrix th a", has_text=agency_name))
    expect(page.locator("h1")).to_have_text(agency_name)


def answer_card(page, code):
    return page.locator("article.review-answer", has=page.locator("h2", has_text=f"{code} ·"))


def open_section(page, name):
    """The review page shows one section at a time: pick it in the section navigator."""
    go(page, page.locator("#review-sections a", has_text=name))


def in_place(card, button, message):
    """A review action changes only its answer card (htmx): no page load, the message in the card."""
    button.click()
    expect(card.locator(".card-message")).to_contain_text(message)


def option_label(period, code, value):
    return AnswerOption.objects.get(
        question__indicator__dimension__national_id=period.national_id, question__code=code, value=value
    ).label


def decimal_comma(value):
    return f"{round_score(value):.2f}".replace(".", ",")


@pytest.fixture
def cast(site, tmp_path):
    """The people of the story and the shipped 2024 Tahap I period, still in draft."""
    period = EvaluationPeriod.objects.get(year=2024, stage="1")
    today = timezone.localdate()
    period.status = EvaluationPeriod.Status.DRAFT
    period.opens, period.closes = today - timedelta(days=1), today + timedelta(days=14)
    period.save()
    dispar = Agency.objects.get(abbreviation="Dispar")
    bapenda = Agency.objects.get(abbreviation="Bapenda")
    make_user("admin", roles.ADMIN, is_staff=True, first_name="Admin")
    make_user("koordinator", roles.COORDINATOR, first_name="Rina", last_name="Koordinator")
    make_operator(dispar, "op_dispar")
    make_operator(bapenda, "op_bapenda")
    pdf = tmp_path / "bukti.pdf"
    pdf.write_bytes(PDF)
    return period, dispar, bapenda, pdf


def test_two_evaluation_years_from_opening_the_period_to_carrying_answers_into_the_next(
    site, browser_page, cast, tmp_path, immediate_jobs
):
    period, dispar, bapenda, pdf = cast
    page = browser_page
    url = site.url

    # 1. The admin opens the period from the in-app period management.
    page.goto(f"{url}/akun/masuk/")
    shot(page, "story-01-login")
    log_in(page, url, "admin")
    go(page, page.get_by_role("link", name="Kelola periode"))
    go(page, page.get_by_role("link", name=period.name))
    page.once("dialog", lambda dialog: dialog.accept())  # "Buka periode ini untuk pengisian?"
    go(page, page.get_by_role("button", name="Buka periode"))
    expect(page.locator(".alert-success")).to_contain_text(f"Periode {period.name} dibuka.")
    log_out(page)

    # 2. Two operators of different agencies fill in every section with evidence and submit.
    log_in(page, url, "op_dispar")
    fill_and_submit(page, url, pdf, "Dispar", screenshots=True)
    log_out(page)
    log_in(page, url, "op_bapenda")
    fill_and_submit(page, url, pdf, "Bapenda")
    log_out(page)
    assert set(Submission.objects.filter(period=period).values_list("status", flat=True)) == {"submitted"}

    # 3. The coordinator, told by the home page, the bell and e-mail (the admin too) that two
    # submissions wait, marks one of Dispar's answers for revision, comments and returns it.
    log_in(page, url, "koordinator")
    expect(page.locator(".awaiting-review")).to_have_text("2 menunggu verifikasi")
    expect(page.locator(".navbar-bell")).to_contain_text("Notifikasi: 2 belum dibaca")
    assert sorted(m.to[0] for m in mail.outbox) == ["admin@example.go.id"] * 2 + ["koordinator@example.go.id"] * 2
    open_review(page, url, dispar.name, screenshot_name="story-05-dashboard")
    card = answer_card(page, "A.2.1")
    expect(card.locator(".answer-value")).to_have_text(option_label(period, "A.2.1", "3"))
    card.get_by_label("Perlu perbaikan").check()
    card.get_by_label("Catatan perbaikan untuk perangkat daerah").fill("Lampirkan Perda destinasi yang disahkan.")
    in_place(card, card.get_by_role("button", name="Simpan tanda perbaikan"), "A.2.1 ditandai perlu perbaikan.")
    card.locator("summary", has_text="komentar").click()
    card.get_by_role("textbox", name="Komentar").fill("Level 3 belum didukung dokumen yang disahkan.")
    card.get_by_label("Terlihat oleh perangkat daerah").check()
    in_place(card, card.get_by_role("button", name="Kirim komentar"), "Komentar disimpan")
    shot(page, "story-06-review")
    go(page, page.get_by_role("button", name="Setujui pengisian"))
    expect(page.locator(".alert-danger").first).to_contain_text("1 jawaban masih bertanda Perlu perbaikan (A.2.1)")
    expect(page.locator(".submission-status")).to_have_text("Dikirim")
    page.get_by_label("Catatan untuk perangkat daerah").fill("Satu jawaban perlu diperbaiki.")
    page.get_by_label("Kembalikan pengisian", exact=False).check()  # names the agency and the 1 marked answer
    go(page, page.get_by_role("button", name="Kembalikan"))
    expect(page.locator(".submission-status")).to_have_text("Dikembalikan")
    log_out(page)

    # 4. The operator, told by the bell and e-mail, sees the highlighted answer and the comment;
    #    sending it back untouched is refused with a link to the answer; they reply to the note (the
    #    answer stands) and resubmit.
    log_in(page, url, "op_dispar")
    expect(page.locator(".navbar-bell")).to_contain_text("Notifikasi: 1 belum dibaca")
    assert [m.to for m in mail.outbox if "dikembalikan" in m.body] == [["op_dispar@example.go.id"]]
    go(page, page.get_by_role("link", name="Isi kuesioner"))
    expect(page.locator("body")).to_contain_text("1 perlu perbaikan")
    expect(page.locator("body")).to_contain_text("Satu jawaban perlu diperbaiki.")
    go(page, page.get_by_role("link", name="Kirim untuk verifikasi"))
    expect(page.locator(".missing-list li")).to_have_count(1)
    expect(page.locator(".missing-list")).to_contain_text("A.2.1")
    expect(page.locator(".missing-list")).to_contain_text("perlu perbaikan: belum diubah atau ditanggapi")
    expect(page.get_by_role("button", name="Kirim untuk verifikasi")).to_have_count(0)
    go(page, page.locator(".missing-list a").first)
    marked = page.locator(".question-card.question-revision")
    expect(marked).to_have_count(1)
    expect(marked).to_contain_text("Lampirkan Perda destinasi yang disahkan.")
    expect(marked).to_contain_text("Level 3 belum didukung dokumen yang disahkan.")
    marked.get_by_label("Tanggapan untuk koordinator").fill(
        "Perda sudah disahkan DPRD; salinan bertanda tangan terlampir."
    )
    go(page, page.get_by_role("button", name="Simpan draf"))
    expect(page.locator(".alert-success")).to_contain_text("Draf tersimpan (1 jawaban).")
    expect(page.locator(".question-card.question-revision .revision-reply")).to_contain_text("Perda sudah disahkan")
    go(page, page.get_by_role("link", name="Kirim untuk verifikasi…"))
    expect(page.locator(".missing-list")).to_have_count(0)
    go(page, page.get_by_role("button", name="Kirim untuk verifikasi"))
    expect(page.locator("body")).to_contain_text("Pengisian terkirim untuk verifikasi")
    expect(page.locator("body")).not_to_contain_text("Satu jawaban perlu diperbaiki.")  # that round is over
    log_out(page)

    # 5. The coordinator sets a verified score, approves both; the results show the new index.
    log_in(page, url, "koordinator")
    open_review(page, url, bapenda.name)
    open_section(page, "Pelaksanaan program pembangunan smart city · Smart Economy")
    card = answer_card(page, "D.3.3")
    card.get_by_label("Skor verifikasi").fill("1,5")
    in_place(card, card.get_by_role("button", name="Simpan skor"), "Skor verifikasi D.3.3 disimpan.")
    expect(answer_card(page, "D.3.3").locator(".verified-score")).to_have_text("1,50")
    go(page, page.get_by_role("button", name="Setujui pengisian"))
    expect(page.locator(".alert-danger").first).to_contain_text("belum diberi skor verifikasi")
    expect(page.locator(".submission-status")).to_have_text("Dikirim")
    page.get_by_label("Skor mandiri perangkat daerah berlaku untuk").check()
    go(page, page.get_by_role("button", name="Setujui pengisian"))
    expect(page.locator(".submission-status")).to_have_text("Disetujui")
    expect(page.locator(".timeline")).to_contain_text("Skor mandiri diterima untuk")
    open_review(page, url, dispar.name)
    card = answer_card(page, "A.2.1")
    expect(card.locator(".answer-value")).to_have_text(option_label(period, "A.2.1", "3"))
    expect(card.locator(".revision-reply")).to_contain_text("Perda sudah disahkan DPRD")
    page.get_by_label("Skor mandiri perangkat daerah berlaku untuk").check()
    go(page, page.get_by_role("button", name="Setujui pengisian"))
    expect(page.locator(".alert-danger").first).to_contain_text("masih bertanda Perlu perbaikan (A.2.1)")
    card = answer_card(page, "A.2.1")
    card.get_by_label("Perlu perbaikan").uncheck()
    # The refused approval drew the review page again: the mark is removed in place there too.
    in_place(card, card.get_by_role("button", name="Simpan tanda perbaikan"), "Tanda perbaikan A.2.1 dihapus.")
    page.get_by_label("Skor mandiri perangkat daerah berlaku untuk").check()
    go(page, page.get_by_role("button", name="Setujui pengisian"))
    expect(page.locator(".submission-status")).to_have_text("Disetujui")
    expect(page.locator(".timeline")).to_contain_text("Dikirim → Disetujui")
    go(page, page.get_by_role("link", name="Hasil", exact=True))
    results = period.results()
    assert results.official.final != results.self.final  # the verified 1,5 counts
    assert results.official.final == results.provisional.final  # both submissions approved
    expect(page.locator(".final-official")).to_have_text(decimal_comma(results.official.final))
    expect(page.locator(".final-provisional")).to_have_text(decimal_comma(results.provisional.final))
    expect(page.locator(".final-self")).to_have_text(decimal_comma(results.self.final))
    expect(page.locator(".index-official")).to_contain_text("Indeks resmi (disetujui, skor verifikasi)")
    shot(page, "story-07-results")
    log_out(page)

    # 6. An operator proposes a quick win (the coordinator sets it below) ...
    log_in(page, url, "op_dispar")
    go(page, page.get_by_role("link", name="Usulkan quick win"))
    page.get_by_label("Pilar").select_option(label="Smart Branding")
    page.get_by_label("Nama program").fill("Promosi Prevab Mentoko")
    go(page, page.get_by_role("button", name="Kirim usulan"))
    expect(page.locator(".alert-success")).to_contain_text('Quick win "Promosi Prevab Mentoko" diusulkan.')

    # 7. ... and uploads the road data set through its page.
    page.goto(f"{url}/")
    go(page, page.get_by_role("link", name="Unggah data dukung"))
    go(page, page.get_by_role("link", name="Kondisi jalan"))
    assert page.url == f"{url}/data/jalan/"
    road_file = tmp_path / "jalan.xlsx"
    road_file.write_bytes(make_xlsx([ROAD_ROW]).read())
    page.get_by_label("Berkas .xlsx").set_input_files(str(road_file))
    go(page, page.get_by_role("button", name="Unggah", exact=True))
    expect(page.locator(".alert-success")).to_contain_text("1 baris kondisi jalan disimpan")
    shot(page, "story-09-dataset")
    log_out(page)

    # 6. (continued) The coordinator sets the proposed quick win.
    log_in(page, url, "koordinator")
    go(page, page.get_by_role("link", name="Quick win", exact=True))
    go(page, page.get_by_role("link", name="Promosi Prevab Mentoko"))
    go(page, page.get_by_role("button", name="Tetapkan"))
    expect(page.locator(".alert-success")).to_contain_text("Quick win ditetapkan.")
    shot(page, "story-08-quick-win")
    assert QuickWin.objects.get().status == QuickWin.Status.ESTABLISHED
    log_out(page)

    # 8. The admin downloads the workbook (a job, run at once here: tests/test_jobs_browser.py
    # follows one on its page); it holds the answers, scores, index and quick win.
    log_in(page, url, "admin")
    with page.expect_download() as download_info:
        page.get_by_role("button", name="Unduh workbook evaluasi (.xlsx)").click()
    target = tmp_path / "workbook.xlsx"
    download_info.value.save_as(target)
    workbook = openpyxl.load_workbook(target, read_only=True)

    rows = list(workbook["Jawaban per OPD"].iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row and row[0] == "Dimensi")
    columns = {name: i for i, name in enumerate(rows[header])}
    answers = {
        (row[columns["Perangkat daerah"]], row[columns["Kode pertanyaan"]]): row
        for row in rows[header + 1 :]
        if row and row[0]
    }
    assert sum(1 for agency, _code in answers if agency == dispar.name) == 7
    assert sum(1 for agency, _code in answers if agency == bapenda.name) == 8
    stood = answers[(dispar.name, "A.2.1")]  # the operator replied instead of changing it
    assert stood[columns["Jawaban"]] == option_label(period, "A.2.1", "3")
    assert stood[columns["Skor mandiri"]] == 3
    verified = answers[(bapenda.name, "D.3.3")]
    assert verified[columns["Jawaban"]] == option_label(period, "D.3.3", "3")
    assert verified[columns["Skor mandiri"]] == 3
    assert verified[columns["Skor verifikasi"]] == 1.5
    assert answers[(bapenda.name, "D.3.5")][columns["Jawaban"]] == 12
    assert answers[(dispar.name, "D.2.4")][columns["Jawaban"]] == "Ya"
    assert "Bukti Dispar" in answers[(dispar.name, "D.2.4")][columns["Bukti dukung"]]
    # Kuesioner: one row per question of the instrument, the agencies' answers consolidated.
    rows = list(workbook["Kuesioner"].iter_rows(values_only=True))
    kuesioner = {name: i for i, name in enumerate(rows[1])}
    questions = {row[kuesioner["Kode pertanyaan"]]: row for row in rows[2:] if row and row[0]}
    assert len(questions) == Question.objects.for_period(period).count()
    d33 = Question.objects.for_period(period).get(code="D.3.3")
    consolidated = round_score(results.official.questions[d33.id])
    assert questions["D.3.3"][kuesioner["Skor resmi"]] == float(consolidated)
    assert questions["D.3.3"][kuesioner["OPD disetujui"]] == sum(1 for _agency, code in answers if code == "D.3.3")
    assert questions["D.3.3"][kuesioner["Status jawaban"]] == "Disetujui"

    summary = list(workbook["Ringkasan"].iter_rows(values_only=True))
    final = next(row for row in summary if len(row) > 5 and row[1] == "Indeks akhir (Nilai Final)")
    assert final[3] == float(round_score(results.official.final))
    assert final[4] == float(round_score(results.provisional.final))
    assert final[5] == float(round_score(results.self.final))

    quick_wins = [row for row in workbook["Quick Wins"].iter_rows(values_only=True) if row]
    assert any("Promosi Prevab Mentoko" in row and "Ditetapkan" in row for row in quick_wins)
    assert any(
        re.fullmatch(r"Jl\. Uji", str(cell))
        for row in workbook["Kondisi Jalan"].iter_rows(values_only=True)
        for cell in row
    )

    second_year(page, url, period, dispar)


def second_year(page, url, first, dispar):
    """The next year, from the admin still logged in after downloading the first year's workbook."""
    # 9. The admin closes 2024, creates 2025 Tahap I as a copy of it and opens it.
    go(page, page.get_by_role("link", name="Kelola periode"))
    go(page, page.get_by_role("link", name=first.name))
    page.once("dialog", lambda dialog: dialog.accept())  # "Tutup periode dan kunci semua pengisian?"
    go(page, page.get_by_role("button", name="Tutup periode"))
    expect(page.locator(".alert-success")).to_contain_text(f"Periode {first.name} ditutup: semua pengisian terkunci.")
    go(page, page.get_by_role("link", name="Periode evaluasi"))
    go(page, page.get_by_role("link", name="Tambah periode"))
    # The page suggests the stage after the latest period (2024 Tahap II); the admin skips to 2025.
    expect(page.locator("#id_source")).to_have_value(str(first.pk))
    page.locator("#id_year").fill("2025")
    page.locator("#id_stage").select_option(label="Tahap I")
    page.locator("#id_name").fill(NEXT_NAME)
    shot(page, "story-11-new-period")
    go(page, page.get_by_role("button", name="Buat periode"))
    expect(page.locator(".alert-success")).to_contain_text(
        f"Periode {NEXT_NAME} dibuat sebagai salinan {first.name}: periksa instrumen dan penugasannya."
    )
    expect(page.locator("h1")).to_contain_text(NEXT_NAME)
    expect(page.locator("table.assignments")).to_contain_text(dispar.name)
    following = EvaluationPeriod.objects.get(year=2025, stage="1")
    assert Question.objects.for_period(following).count() == Question.objects.for_period(first).count()
    assert following.assignments.count() == first.assignments.count()
    page.once("dialog", lambda dialog: dialog.accept())  # "Buka periode ini untuk pengisian?"
    go(page, page.get_by_role("button", name="Buka periode"))
    expect(page.locator(".alert-success")).to_contain_text(f"Periode {NEXT_NAME} dibuka.")
    log_out(page)

    # 10. Dispar's operator opens the 2025 questionnaire, carries the 2024 answers forward and
    #     confirms the first section's; the carried answers show on the page.
    log_in(page, url, "op_dispar")
    go(page, page.get_by_role("link", name="Isi kuesioner"))
    expect(page.locator("main")).to_contain_text(NEXT_NAME)
    expect(page.locator("main")).to_contain_text("Terjawab 0 dari 7 pertanyaan.")
    page.once("dialog", lambda dialog: dialog.accept())  # "Salin jawaban periode sebelumnya ...?"
    go(page, page.get_by_role("button", name="Salin jawaban periode sebelumnya"))
    expect(page.locator(".alert-success")).to_contain_text("7 jawaban disalin dari periode sebelumnya.")
    expect(page.locator("main")).to_contain_text("Terjawab 7 dari 7 pertanyaan.")
    expect(page.locator("main")).to_contain_text("dari periode sebelumnya belum dikonfirmasi")
    submission = Submission.objects.get(period=following, agency=dispar)
    assert submission.answers.filter(carried_forward=True).count() == 7
    go(page, page.locator("ol.list-group a").first)
    carried = page.locator(".question-card.question-carried")
    in_section = carried.count()
    assert in_section > 0
    codes = [c.split()[0] for c in page.locator(".question-card.question-carried legend").all_inner_texts()]
    if "A.2.1" in codes:  # the answer that stood in 2024 shows its level and the operator's explanation
        card = page.locator(".question-card", has=page.locator("legend", has_text="A.2.1"))
        expect(card.get_by_label(option_label(following, "A.2.1", "3"))).to_be_checked()
    expect(carried.first.locator("textarea[name$='-explanation']")).to_have_value("Sudah berjalan, lihat bukti dukung.")
    shot(page, "story-12-carried-answers")
    for confirmed in range(1, in_section + 1):
        go(page, carried.first.get_by_role("button", name="Konfirmasi: jawaban masih berlaku"))
        expect(page.locator(".alert-success")).to_contain_text("Draf tersimpan")
        expect(carried).to_have_count(in_section - confirmed)
    expect(page.locator(".question-card.question-unanswered")).to_have_count(0)
    assert submission.answers.filter(carried_forward=True).count() == 7 - in_section
    assert submission.answers.filter(question__code__in=codes, carried_forward=False).count() == in_section
    old = {
        a.question.code: a.value_display()
        for a in Answer.objects.filter(submission__period=first, submission__agency=dispar)
    }
    new = {a.question.code: a.value_display() for a in submission.answers.select_related("question", "option")}
    assert new == old
    page.goto(f"{url}/")
    go(page, page.get_by_role("link", name="Isi kuesioner"))
    expect(page.locator("main")).to_contain_text("Terjawab 7 dari 7 pertanyaan.")

    # 11. The quick win established in 2024 is continued into 2025 from its own page and is listed there.
    go(page, page.locator("#main-nav").get_by_role("link", name="Quick win", exact=True))
    expect(page.locator("h1")).to_have_text(f"Quick win · {NEXT_NAME}")
    expect(page.locator("tbody")).not_to_contain_text("Promosi Prevab Mentoko")
    page.get_by_label("Periode", exact=True).select_option(label=first.name)
    go(page, page.get_by_role("button", name="Tampilkan"))
    go(page, page.get_by_role("link", name="Promosi Prevab Mentoko"))
    go(page, page.get_by_role("button", name=f"Lanjutkan ke {NEXT_NAME}"))
    expect(page.locator(".alert-success")).to_contain_text(f"Quick win dilanjutkan ke periode {NEXT_NAME}.")
    expect(page.get_by_role("link", name="periode sebelumnya")).to_be_visible()
    shot(page, "story-13-quick-win-continued")
    go(page, page.locator("#main-nav").get_by_role("link", name="Quick win", exact=True))
    # The list keeps the period chosen earlier (2024) until another is chosen (issue 24).
    expect(page.locator("h1")).to_have_text(f"Quick win · {first.name}")
    page.get_by_label("Periode", exact=True).select_option(label=f"{NEXT_NAME} (dibuka)")
    go(page, page.get_by_role("button", name="Tampilkan"))
    row = page.locator("tbody tr", has_text="Promosi Prevab Mentoko")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("lanjutan")
    expect(row).to_contain_text("Dilanjutkan")
    earlier = QuickWin.objects.get(period=first)
    continued = QuickWin.objects.get(period=following)
    assert continued.continued_from == earlier
    assert (continued.name, continued.status) == ("Promosi Prevab Mentoko", QuickWin.Status.CONTINUED)
    assert earlier.status == QuickWin.Status.ESTABLISHED  # the 2024 record stands as it was
    log_out(page)


def test_the_section_page_fits_a_phone_with_the_save_button_in_view(site, phone_page, cast):
    period, dispar, _bapenda, _pdf = cast
    period.open()
    page = phone_page
    log_in(page, site.url, "op_dispar")
    go(page, page.get_by_role("link", name="Isi kuesioner"))
    go(page, page.locator("ol.list-group a").first)
    expect(page.locator(".question-card").first).to_be_visible()
    save = page.get_by_role("button", name="Simpan draf")
    save.scroll_into_view_if_needed()
    expect(save).to_be_visible()
    shot(page, "story-10-section-phone")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert page.evaluate("window.innerWidth") == PHONE["width"]
