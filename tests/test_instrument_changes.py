"""Changing the instrument of a period that has answers (/kelola/instrumen/, issue 13): the dry run
shows the difference, safe changes apply in place, changes that would orphan or reinterpret answers
are refused with the questions concerned, and every change is recorded. A posted file is read by a
job that here runs inside the request (immediate_jobs); posts are followed to the page the job
ends on."""

import io
from decimal import Decimal

import pytest

from evaluations.excel.instrument import read_instrument
from evaluations.excel.instrument_export import write_instrument
from evaluations.instrument import compare_instrument, import_instrument
from evaluations.models import Answer, AnswerOption, Dimension, InstrumentChange, Question

from .excel_helpers import answer_all, instrument_file, open_workbook, valid_instrument_sheets
from .factories import make_period

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("immediate_jobs")]


@pytest.fixture
def answered(period, agency_a):
    """The shipped 2024 period with every question of agency A answered (the last option chosen)."""
    answer_all(period, agency_a)
    return period


def current_sheets(period):
    """The period's instrument as the rows of its exported file, to edit like an admin would."""
    buffer = io.BytesIO()
    write_instrument(period, buffer)
    book = open_workbook(buffer.getvalue())
    return {name: [list(row) for row in book[name].iter_rows(values_only=True)] for name in book.sheetnames}


def row_of(sheets, sheet, code):
    return next(row for row in sheets[sheet][1:] if row[0] == code)


def an_answered_question(period):
    return Answer.objects.filter(submission__period=period, option__isnull=False).order_by("question__code")[0].question


def an_unanswered_question(period):
    return Question.objects.for_period(period).exclude(answers__isnull=False).order_by("code")[0]


def post(client, period, sheets, dry_run):
    data = {"period": period.pk, "file": instrument_file(sheets)}
    if dry_run:
        data["dry_run"] = "on"
    return client.post("/kelola/instrumen/", data, follow=True)


def test_a_dry_run_on_a_period_with_answers_shows_the_difference_and_saves_nothing(admin_client, answered):
    question = an_answered_question(answered)
    sheets = current_sheets(answered)
    row_of(sheets, "pertanyaan", question.code)[2] = "Teks baru yang lebih jelas"
    row_of(sheets, "dimensi", "A")[2] = 30  # from 25
    row_of(sheets, "dimensi", "B")[2] = 20  # from 25
    response = post(admin_client, answered, sheets, dry_run=True)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Uji coba: perbedaan dengan instrumen" in html
    assert "0 ditambahkan, 3 diubah, 0 dihapus" in html
    assert f"<td>{question.code}</td><td>Diubah</td>" in html
    assert "<ins>Teks baru yang lebih jelas</ins>" in html
    assert "<del>25</del> → <ins>30</ins>" in html
    assert Question.objects.get(pk=question.pk).text == question.text
    assert not InstrumentChange.objects.exists()


def test_a_text_change_applies_with_answers_present_and_keeps_every_answer_attached(admin_client, answered):
    question = an_answered_question(answered)
    answers = Answer.objects.filter(submission__period=answered).values_list("pk", "question_id", "option_id")
    answers_before = sorted(answers)
    options_before = list(question.options.values_list("pk", "value"))
    sheets = current_sheets(answered)
    row = row_of(sheets, "pertanyaan", question.code)
    row[2], row[3] = "Teks baru", "Bantuan baru"
    row_of(sheets, "opsi", row[7])[2] = "Deskriptor baru"  # the first option of its list: a label only
    response = post(admin_client, answered, sheets, dry_run=False)
    assert response.redirect_chain[-1] == ("/kelola/instrumen/", 302)
    question.refresh_from_db()
    assert (question.text, question.help_text) == ("Teks baru", "Bantuan baru")
    assert list(question.options.values_list("pk", "value")) == options_before
    assert question.options.order_by("order")[0].label == "Deskriptor baru"
    assert sorted(answers.all()) == answers_before
    page = response.content.decode()
    assert "Instrumen Evaluasi Smart City 2024 Tahap I diperbarui: 0 ditambahkan, 1 diubah, 0 dihapus." in page


def test_every_applied_change_is_recorded_and_listed_on_the_page(admin_client, admin_user, answered):
    question = an_answered_question(answered)
    sheets = current_sheets(answered)
    row_of(sheets, "pertanyaan", question.code)[2] = "Teks baru"
    post(admin_client, answered, sheets, dry_run=False)
    change = InstrumentChange.objects.get()
    assert (change.national, change.actor, change.file_name) == (answered.national, admin_user, "instrumen.xlsx")
    assert change.headline == "0 ditambahkan, 1 diubah, 0 dihapus"
    assert change.summary_lines()[0] == f"Pertanyaan {question.code}: Diubah"
    assert "Teks baru" in change.summary
    html = admin_client.get("/kelola/instrumen/").content.decode()
    assert "Riwayat perubahan instrumen" in html
    assert "admin: 0 ditambahkan, 1 diubah, 0 dihapus" in html


def test_removing_an_answered_question_is_refused_with_the_list_and_saves_nothing(admin_client, answered):
    question = an_answered_question(answered)
    sheets = current_sheets(answered)
    sheets["pertanyaan"].remove(row_of(sheets, "pertanyaan", question.code))
    row_of(sheets, "pertanyaan", an_unanswered_question(answered).code)[2] = "Perubahan yang aman"
    response = post(admin_client, answered, sheets, dry_run=False)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Perubahan instrumen ditolak: 1 pertanyaan yang sudah dijawab terdampak." in html
    assert f"<li><strong>{question.code}</strong>: dihapus, padahal sudah dijawab</li>" in html
    assert Question.objects.filter(pk=question.pk).exists()
    assert not Question.objects.filter(text="Perubahan yang aman").exists()
    assert not InstrumentChange.objects.exists()


def test_changing_the_answer_type_of_an_answered_question_is_refused(admin_client, answered):
    question = an_answered_question(answered)
    sheets = current_sheets(answered)
    row = row_of(sheets, "pertanyaan", question.code)
    row[4], row[7] = "text", None
    html = post(admin_client, answered, sheets, dry_run=True).content.decode()
    assert f"<li><strong>{question.code}</strong>: jenis jawaban diubah (Level 0–4 → Teks bebas)" in html
    assert "Pertanyaan yang menghalangi perubahan" in html


def test_rescoring_an_option_chosen_in_an_answer_is_refused(answered):
    question = an_answered_question(answered)
    chosen = Answer.objects.filter(question=question)[0].option
    sheets = current_sheets(answered)
    list_name = row_of(sheets, "pertanyaan", question.code)[7]
    option_row = next(r for r in sheets["opsi"][1:] if r[0] == list_name and str(r[1]) == chosen.value)
    option_row[3] = 3 if chosen.score != 3 else 2
    diff = compare_instrument(read_instrument(instrument_file(sheets)), answered)
    refused = {refusal.code: refusal.reasons for refusal in diff.refusals}
    assert f'skor opsi "{chosen.value}" diubah' in refused[question.code][0]


def test_removing_and_changing_unanswered_questions_applies_while_others_have_answers(admin_client, answered):
    unanswered = an_unanswered_question(answered)
    answered_count = Answer.objects.filter(submission__period=answered).count()
    sheets = current_sheets(answered)
    sheets["pertanyaan"].remove(row_of(sheets, "pertanyaan", unanswered.code))
    response = post(admin_client, answered, sheets, dry_run=False)
    assert response.redirect_chain[-1] == ("/kelola/instrumen/", 302)
    assert not Question.objects.filter(pk=unanswered.pk).exists()
    assert Question.objects.for_period(answered).count() == 61
    assert Answer.objects.filter(submission__period=answered).count() == answered_count
    # The questions after it in its indicator move up one place: changes of order.
    assert InstrumentChange.objects.get().headline.endswith(", 1 dihapus")


def test_moving_an_answered_question_away_from_the_agency_that_answered_it_is_refused(answered, agency_a):
    question = an_answered_question(answered)
    sheets = current_sheets(answered)
    row = row_of(sheets, "pertanyaan", question.code)
    row[5], row[6], row[9] = "ENV", None, None
    diff = compare_instrument(read_instrument(instrument_file(sheets)), answered)
    refused = {refusal.code: refusal.reasons for refusal in diff.refusals}
    message = f"{agency_a.abbreviation} sudah menjawab, tetapi tidak lagi ditugasi pertanyaan ini"
    assert refused[question.code] == [message]


def test_reimporting_an_unchanged_file_reports_no_changes_and_records_nothing(admin_client, answered):
    sheets = current_sheets(answered)
    dry = post(admin_client, answered, sheets, dry_run=True).content.decode()
    assert "Tidak ada perubahan: berkas sama dengan instrumen periode ini." in dry
    response = post(admin_client, answered, sheets, dry_run=False)
    assert response.redirect_chain[-1] == ("/kelola/instrumen/", 302)
    assert (
        "Tidak ada perubahan: berkas sama dengan instrumen Evaluasi Smart City 2024 Tahap I."
        in response.content.decode()
    )
    assert not InstrumentChange.objects.exists()


def test_a_structural_change_in_a_period_without_answers_applies_in_place(admin_user):
    period = make_period(year=2035)
    import_instrument(read_instrument(instrument_file()), period, by=admin_user)
    kept = Question.objects.get(indicator__dimension__national_id=period.national_id, code="A.1.1")
    sheets = valid_instrument_sheets()
    sheets["pertanyaan"][2][4] = "teks"  # A.1.2 yes/no -> text: nobody answered it
    sheets["opsi"][1][3] = 1  # level 0 of list "tingkat" now scores 1
    import_instrument(read_instrument(instrument_file(sheets)), period, by=admin_user)
    assert Question.objects.get(indicator__dimension__national_id=period.national_id, code="A.1.1").pk == kept.pk
    assert (
        Question.objects.get(indicator__dimension__national_id=period.national_id, code="A.1.2").answer_type == "text"
    )
    assert AnswerOption.objects.get(question=kept, value="0").score == Decimal(1)
    assert InstrumentChange.objects.filter(national_id=period.national_id).count() == 2


@pytest.mark.parametrize("size", ["small", "shipped"])
def test_the_dry_run_takes_the_same_number_of_queries_whatever_the_instrument_size(
    admin_client, answered, size, django_assert_num_queries
):
    if size == "small":
        period, sheets = make_period(year=2036), valid_instrument_sheets()
        import_instrument(read_instrument(instrument_file(sheets)), period)
    else:
        period, sheets = answered, current_sheets(answered)
    upload = instrument_file(sheets)
    # The same for 4 questions and for 62 with answers and 54 impact statements: the comparison
    # reads nine queries (instrument_diff.CurrentInstrument), never one per question, statement or answer.
    # The post runs the job here (immediate_jobs): its row, claim, progress and outcome are in the count,
    # and so are the per-person cap on uploads (the person's row locked, their active jobs counted)
    # and the queue entry noted on the row. The superuser works in the only region (one query to
    # find it), and the stored upload goes under its region's prefix (its code: one query).
    with django_assert_num_queries(35):
        response = admin_client.post("/kelola/instrumen/", {"period": period.pk, "file": upload, "dry_run": "on"})
    assert response.status_code == 302


def test_a_weight_change_with_answers_present_is_applied(admin_client, answered):
    sheets = current_sheets(answered)
    row_of(sheets, "dimensi", "A")[2] = 30  # from 25
    row_of(sheets, "dimensi", "B")[2] = 20  # from 25
    assert post(admin_client, answered, sheets, dry_run=False).redirect_chain[-1] == ("/kelola/instrumen/", 302)
    assert Dimension.objects.get(national_id=answered.national_id, code="A").weight == Decimal(30)


def test_order_numbers_with_gaps_are_no_change_and_a_real_move_renumbers_every_row():
    period = make_period(year=2037)
    import_instrument(read_instrument(instrument_file()), period)
    level = Question.objects.get(indicator__dimension__national_id=period.national_id, code="A.1.1")
    for option in level.options.all():  # 0, 10, 20, 30, 40: the same positions as 0..4
        option.order *= 10
        option.save()
    assert compare_instrument(read_instrument(instrument_file()), period).is_empty
    sheets = valid_instrument_sheets()
    sheets["opsi"][5] = ["tingkat", "4b", "Level 4 baru", 4]  # "4" (nobody chose it) gives way to "4b"
    import_instrument(read_instrument(instrument_file(sheets)), period)
    # Without renumbering, "4b" (order 4) would sort between "0" (0) and "1" (10).
    assert list(level.options.order_by("order").values_list("value", flat=True)) == ["0", "1", "2", "3", "4b"]


@pytest.mark.parametrize("changes", [1, 30])
def test_the_instrument_page_takes_the_same_number_of_queries_whatever_its_history(
    admin_client, admin_user, period, changes, django_assert_num_queries
):
    InstrumentChange.objects.bulk_create(
        InstrumentChange(
            national_id=period.national_id, actor=admin_user, headline=f"{n} diubah", summary="Pertanyaan A.1.1: Diubah"
        )
        for n in range(changes)
    )
    with django_assert_num_queries(8):
        html = admin_client.get("/kelola/instrumen/").content.decode()
    assert html.count('class="mb-2">\n            <details>') == min(changes, 20)


@pytest.mark.parametrize("size", ["small", "shipped"])
def test_applying_a_text_change_takes_the_same_number_of_queries_whatever_the_instrument_size(
    admin_client, answered, size, django_assert_num_queries
):
    if size == "small":
        period, sheets = make_period(year=2038), valid_instrument_sheets()
        import_instrument(read_instrument(instrument_file(sheets)), period)
    else:
        period, sheets = answered, current_sheets(answered)
    sheets["pertanyaan"][1][2] = "Teks yang diperbaiki"
    upload = instrument_file(sheets)
    # The dry run's queries, the period lock, one bulk update and the change record (and the
    # job's own, and the region's, as above).
    with django_assert_num_queries(43):
        response = admin_client.post("/kelola/instrumen/", {"period": period.pk, "file": upload})
    assert response.status_code == 302
