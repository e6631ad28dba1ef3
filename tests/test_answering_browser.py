"""End to end in a real browser: an operator fills in a section, uploads a PDF, saves a draft,
completes the rest, submits and sees the read-only state. Screenshots go to artifacts/."""

import pytest
from django.contrib.sessions.models import Session

from evaluations.models import Agency, Answer, Dimension, Evidence, Question, Submission

from .browser import log_in, screenshot
from .factories import assign, make_operator, make_period, make_question
from .filling import PDF

pytestmark = [pytest.mark.browser, pytest.mark.one_db_pass]
T = Question.AnswerType


def go(page, selector):
    """Click a link or submit button and wait for the page it leads to."""
    with page.expect_navigation():
        page.click(selector)


@pytest.fixture
def questionnaire(site, tmp_path, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": str(tmp_path)}},
    }
    agency = Agency.objects.get(abbreviation="Dinas PU")
    period = make_period(2031, name="Evaluasi Smart City 2031 Tahap I")
    assign(period, agency, "LIV")
    first = Dimension.objects.create(national_id=period.national_id, code="A", name="Kebijakan", weight=50, order=1)
    second = Dimension.objects.create(national_id=period.national_id, code="B", name="Program", weight=50, order=2)
    make_question(
        period, code="A.1", dimension=first, pillar="LIV", evidence_required=True, text="Apakah ada masterplan jalan?"
    )
    make_question(period, code="A.2", dimension=first, pillar="LIV", answer_type=T.YES_NO, text="Ada ATCS?")
    make_question(period, code="B.1", dimension=second, pillar="LIV", answer_type=T.PERCENT, text="Jalan mantap?")
    make_question(period, code="B.2", dimension=second, pillar="LIV", answer_type=T.TEXT, text="Program unggulan?")
    make_operator(agency, "op_pu")
    pdf = tmp_path / "masterplan.pdf"
    pdf.write_bytes(PDF)
    return period, pdf


def test_an_operator_fills_in_saves_a_draft_submits_and_sees_the_read_only_state(
    site, browser_page, phone_page, questionnaire
):
    period, pdf = questionnaire
    page = browser_page
    log_in(page, site.url, "op_pu")
    go(page, "text=Isi kuesioner")
    assert page.locator("h1").inner_text() == "Pengisian kuesioner"
    screenshot(page, "agency-overview")

    go(page, "text=A. Kebijakan · Smart Living")
    page.check("label:has-text('2 – Level 2')")
    page.fill("textarea[name$='-explanation'] >> nth=0", "Masterplan disahkan 2023.")
    page.fill("input[name$='-evidence_title'] >> nth=0", "Perbup Masterplan")
    page.set_input_files("input[type=file] >> nth=0", str(pdf))
    go(page, ".save-bar button:has-text('Simpan draf')")
    assert "Draf tersimpan (1 jawaban)." in page.content()
    assert page.locator("a:has-text('Perbup Masterplan')").count() == 1
    screenshot(page, "agency-section-draft")

    page.check("label:has-text('Ya') >> nth=0")
    go(page, "button:has-text('Simpan & lanjut')")
    assert page.locator("h1").inner_text().startswith("B. Program")
    page.fill("input[name$='-value'] >> nth=0", "72,5")
    page.fill("textarea[name$='-value']", "Peningkatan jalan poros Sangatta–Bengalon")
    go(page, ".save-bar button:has-text('Simpan draf')")
    assert "Draf tersimpan (2 jawaban)." in page.content()

    go(page, "text=Kirim untuk verifikasi…")  # in the save bar (wide screens)
    go(page, "button:has-text('Kirim untuk verifikasi')")
    assert "Pengisian terkirim untuk verifikasi" in page.content()
    submission = Submission.objects.get(period=period)
    assert submission.status == Submission.Status.SUBMITTED
    assert Answer.objects.filter(submission=submission).count() == 4
    assert Evidence.objects.get().original_name == "masterplan.pdf"

    go(page, "text=A. Kebijakan · Smart Living")
    assert "hanya dapat dibaca" in page.content()
    assert page.locator("button:has-text('Simpan draf')").count() == 0
    assert page.locator("input[type=radio]:checked").first.is_disabled()
    screenshot(page, "agency-section-read-only")

    log_in(phone_page, site.url, "op_pu")
    phone_page.goto(f"{site.url}/opd/pengisian/{submission.pk}/bagian/A-LIV/")
    screenshot(phone_page, "agency-section-phone")
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, "the section page scrolls sideways on a phone"


def test_what_an_operator_typed_survives_an_expired_session(site, browser_page, questionnaire):
    period, _pdf = questionnaire
    page = browser_page
    log_in(page, site.url, "op_pu")
    page.goto(f"{site.url}/opd/")
    go(page, "text=B. Program · Smart Living")
    page.fill("textarea[name$='-value']", "Ditulis lama sekali sebelum sesi habis")
    Session.objects.all().delete()  # the session expires while the operator is typing
    go(page, ".save-bar button:has-text('Simpan draf')")
    # The login form, in place; what was typed waits in it, not on the server.
    assert "Sesi Anda sudah berakhir" in page.content() and page.locator("input[name=username]").is_visible()
    assert not Session.objects.exists()
    page.fill("input[name=username]", "op_pu")
    page.fill("input[name=password]", "salah-ketik")
    go(page, "button[type=submit]:has-text('Masuk')")
    assert "/akun/masuk/" in page.url and "Sesi Anda sudah berakhir" in page.content()  # a typo keeps it
    page.fill("input[name=username]", "op_pu")
    page.fill("input[name=password]", "Rahasia#Uji2024")
    go(page, "button[type=submit]:has-text('Masuk')")
    assert f"/opd/pengisian/{period.submissions.get().pk}/bagian/" in page.url
    assert page.locator("textarea[name$='-value']").input_value() == "Ditulis lama sekali sebelum sesi habis"
    assert "Belum tersimpan" in page.content()
    assert not Answer.objects.filter(submission__period=period).exists()
    go(page, ".save-bar button:has-text('Simpan draf')")
    assert Answer.objects.get(submission__period=period).text_value == "Ditulis lama sekali sebelum sesi habis"
    screenshot(page, "agency-section-restored-and-saved")


@pytest.fixture
def numbers_and_a_date(site):
    agency = Agency.objects.get(abbreviation="DLH")
    period = make_period(2032, name="Evaluasi Smart City 2032 Tahap I")
    assign(period, agency, "ENV")
    count = make_question(period, code="N.1", pillar="ENV", answer_type=T.NUMBER, text="Jumlah bank sampah?")
    count.unit, count.whole_number = "unit", True
    count.save()
    length = make_question(period, code="N.2", pillar="ENV", answer_type=T.NUMBER, text="Panjang drainase?")
    length.unit = "m"
    length.save()
    share = make_question(period, code="N.3", pillar="ENV", answer_type=T.PERCENT, text="Sampah terkelola?")
    day = make_question(period, code="N.4", pillar="ENV", answer_type=T.DATE, text="Tanggal Perbup?")
    make_operator(agency, "op_dlh")
    return Submission.objects.get_or_create(period=period, agency=agency)[0], (count, length, share, day)


def test_numbers_typed_the_indonesian_way_and_a_date_survive_saving_and_reloading(
    site, browser_page, numbers_and_a_date
):
    submission, (count, length, share, day) = numbers_and_a_date
    page = browser_page
    log_in(page, site.url, "op_dlh")
    page.goto(f"{site.url}/opd/pengisian/{submission.pk}/bagian/X-ENV/")
    page.fill(f"input[name='q{count.pk}-value']", "1.250")
    page.fill(f"input[name='q{length.pk}-value']", "1.234,5")
    page.fill(f"input[name='q{share.pk}-value']", "75,5")
    page.fill(f"input[name='q{day.pk}-value']", "2023-03-15")
    go(page, ".save-bar button[name=action][value=save]")
    assert "Draf tersimpan (4 jawaban)" in page.content()
    stored = {a.question_id: a for a in Answer.objects.filter(submission=submission)}
    assert stored[count.pk].number_value == 1250
    assert str(stored[length.pk].number_value.normalize()) == "1234.5"
    assert str(stored[share.pk].number_value.normalize()) == "75.5"
    assert stored[day.pk].date_value.isoformat() == "2023-03-15"
    for _round in range(2):  # saved again unchanged, twice: nothing may vanish
        page.reload()
        assert page.input_value(f"input[name='q{count.pk}-value']") == "1.250"
        assert page.input_value(f"input[name='q{length.pk}-value']") == "1.234,5"
        assert page.input_value(f"input[name='q{share.pk}-value']") == "75,5"
        assert page.input_value(f"input[name='q{day.pk}-value']") == "2023-03-15"
        go(page, ".save-bar button[name=action][value=save]")
    assert Answer.objects.filter(submission=submission, date_value__isnull=False).count() == 1
    assert Answer.objects.get(submission=submission, question=count).number_value == 1250


def test_a_refused_save_keeps_the_chosen_pdf_so_it_is_not_chosen_again(site, browser_page, questionnaire):
    """Issue 24, item 17: the file goes up once. The save is refused (no title), the page says the
    PDF was received; the operator types the title and saves, never choosing the PDF again."""
    period, pdf = questionnaire
    page = browser_page
    log_in(page, site.url, "op_pu")
    go(page, "text=Isi kuesioner")
    go(page, "text=A. Kebijakan · Smart Living")
    page.check("label:has-text('2 – Level 2')")
    page.set_input_files("input[type=file] >> nth=0", str(pdf))
    go(page, ".save-bar button:has-text('Simpan draf')")
    kept = page.locator(".evidence-pending").first
    assert kept.inner_text().startswith("Berkas masterplan.pdf sudah diterima, tidak perlu dipilih lagi.")
    assert page.eval_on_selector("input[type=file] >> nth=0", "input => input.files.length") == 0
    assert not Evidence.objects.exists()
    screenshot(page, "agency-section-file-kept")

    page.fill("input[name$='-evidence_title'] >> nth=0", "Perbup Masterplan")
    go(page, ".save-bar button:has-text('Simpan draf')")
    assert "Draf tersimpan (1 jawaban)." in page.content()
    assert page.locator("a:has-text('Perbup Masterplan')").count() == 1
    evidence = Evidence.objects.get()
    assert (evidence.original_name, evidence.answer.submission.period) == ("masterplan.pdf", period)
