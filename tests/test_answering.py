"""Saving answers through the section form: each answer type, drafts, skor mandiri, optimistic
locking, the audit trail and carry forward; the one writer of answers that every path goes through."""

from datetime import date
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import translation

from evaluations.answering import values_of, write_answer
from evaluations.carry_forward import carry_forward
from evaluations.forms.fields import DecimalInput
from evaluations.models import Answer, AnswerChange, Evidence, Question, ScoreBand

from .factories import assign, make_operator, make_period, make_question
from .filling import section_post, submission_of, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("private_media")]
T = Question.AnswerType


@pytest.fixture
def new_period(agency_a):
    period = make_period(2031)
    assign(period, agency_a, "GOV")
    return period


@pytest.fixture
def questions(new_period):
    made = {kind: make_question(new_period, code=f"T.{kind}", answer_type=kind) for kind in T.values}
    choice = made[T.CHOICE]
    choice.options.create(value="a", label="Pilihan A", score=Decimal(1), order=1)
    choice.options.create(value="b", label="Pilihan B", score=Decimal(3), order=2)
    made[T.NUMBER].unit = "unit"
    made[T.NUMBER].save()
    ScoreBand.objects.create(question=made[T.PERCENT], min_value=0, max_value=50, score=1)
    ScoreBand.objects.create(question=made[T.PERCENT], min_value=50, max_value=None, score=4)
    return made


@pytest.fixture
def submission(new_period, agency_a):
    return submission_of(new_period, agency_a)


def url(submission):
    return f"/opd/pengisian/{submission.pk}/bagian/X-GOV/"


def answer_of(submission, question):
    return Answer.objects.get(submission=submission, question=question)


@pytest.mark.parametrize(
    ("kind", "typed", "field", "expected", "score"),
    [
        (T.LEVEL, "level:3", "option", "3", Decimal(3)),
        (T.CHOICE, "choice:b", "option", "b", Decimal(3)),
        (T.YES_NO, "1", "bool_value", True, Decimal(4)),
        (T.NUMBER, "1.234,5", "number_value", Decimal("1234.5"), None),
        (T.PERCENT, "62,5", "number_value", Decimal("62.5"), Decimal(4)),
        (T.TEXT, "Aplikasi SIPD dan e-Kinerja", "text_value", "Aplikasi SIPD dan e-Kinerja", None),
        (T.DATE, "2024-05-27", "date_value", date(2024, 5, 27), None),
    ],
)
def test_each_answer_type_saves_its_value_and_skor_mandiri(
    client_a, submission, questions, kind, typed, field, expected, score
):
    question = questions[kind]
    if typed.startswith(("level:", "choice:")):
        typed = str(question.options.get(value=typed.split(":")[1]).pk)
    response = client_a.post(url(submission), section_post(submission, "X-GOV", {question: {"value": typed}}))
    assert response.status_code == 302
    answer = answer_of(submission, question)
    saved = answer.option.value if field == "option" else getattr(answer, field)
    assert saved == expected
    assert answer.self_score == score


@pytest.mark.parametrize(
    ("kind", "typed", "message"),
    [
        (T.NUMBER, "banyak", "Tulis angka, mis. 1.250 atau 1.234,5."),
        (T.PERCENT, "120", "lebih kecil dari atau sama dengan 100"),
        (T.DATE, "27/13/2024", "Masukkan tanggal yang valid."),
        (T.LEVEL, "999999", "Masukkan pilihan yang valid"),
    ],
)
def test_a_wrong_value_is_shown_next_to_its_field_and_nothing_is_saved(
    client_a, submission, questions, kind, typed, message
):
    other = questions[T.TEXT]
    data = section_post(submission, "X-GOV", {questions[kind]: {"value": typed}, other: {"value": "teks"}})
    response = client_a.post(url(submission), data)
    page = response.content.decode()
    assert response.status_code == 422
    assert message in page
    assert f'<a href="#q-{questions[kind].pk}">' in page  # listed at the top, linked to the question
    assert not Answer.objects.filter(submission=submission).exists()


def test_a_draft_with_only_some_answers_saves(client_a, submission, questions):
    data = section_post(submission, "X-GOV", {questions[T.YES_NO]: {"value": "0"}})
    response = client_a.post(url(submission), data, follow=True)
    assert "Draf tersimpan (1 jawaban)." in response.content.decode()
    assert answer_of(submission, questions[T.YES_NO]).self_score == Decimal(0)
    assert submission.answers.count() == 1


def test_an_explanation_alone_saves_and_counts_as_unanswered(client_a, submission, questions):
    question = questions[T.LEVEL]
    client_a.post(url(submission), section_post(submission, "X-GOV", {question: {"explanation": "Sedang disusun"}}))
    answer = answer_of(submission, question)
    assert answer.explanation == "Sedang disusun"
    assert not answer.is_answered


def test_saving_the_same_values_again_changes_nothing(client_a, submission, questions):
    question = questions[T.TEXT]
    client_a.post(url(submission), section_post(submission, "X-GOV", {question: {"value": "A"}}))
    response = client_a.post(url(submission), section_post(submission, "X-GOV"), follow=True)
    assert "Tidak ada perubahan untuk disimpan." in response.content.decode()
    assert answer_of(submission, question).version == 1


def test_every_changed_field_is_recorded_with_who_old_and_new(client_a, operator_a, submission, questions):
    question = questions[T.TEXT]
    client_a.post(url(submission), section_post(submission, "X-GOV", {question: {"value": "lama"}}))
    data = section_post(submission, "X-GOV", {question: {"value": "baru", "explanation": "diperbarui"}})
    client_a.post(url(submission), data)
    changes = {(c.field, c.old_value, c.new_value) for c in AnswerChange.objects.filter(answer__question=question)}
    assert changes == {("value", "", "lama"), ("value", "lama", "baru"), ("explanation", "", "diperbarui")}
    assert set(AnswerChange.objects.values_list("changed_by", flat=True)) == {operator_a.pk}


def test_a_second_save_from_an_older_version_is_refused_and_shows_the_other_value(
    client, client_a, agency_a, submission, questions
):
    question, other = questions[T.TEXT], questions[T.YES_NO]
    stale = section_post(submission, "X-GOV")  # operator A opened the page
    colleague = make_operator(agency_a, "rekan")
    colleague.first_name = "Budi"
    colleague.save()

    colleague_client = Client()
    colleague_client.force_login(colleague)
    colleague_client.post(url(submission), section_post(submission, "X-GOV", {question: {"value": "versi Budi"}}))

    stale.update({f"q{question.pk}-value": "versi A", f"q{other.pk}-value": "1"})
    response = client_a.post(url(submission), stale)
    page = response.content.decode()
    assert response.status_code == 409
    assert "versi Budi" in page and "Budi menyimpan jawaban ini" in page
    assert answer_of(submission, question).text_value == "versi Budi"
    # The other answer of the same post is saved (documented decision).
    assert answer_of(submission, other).bool_value is True
    assert "1 jawaban lain tersimpan." in page


def test_after_a_conflict_saving_again_overwrites_knowingly(client_a, agency_a, submission, questions):
    question = questions[T.TEXT]
    stale = section_post(submission, "X-GOV")
    Answer.objects.create(submission=submission, question=question, text_value="versi lain")
    stale[f"q{question.pk}-value"] = "versi A"
    response = client_a.post(url(submission), stale)
    assert response.status_code == 409
    # The re-rendered form now carries the current version: posting it again is a deliberate choice.
    again = {k: v for k, v in response.context["rows"][0][0].data.items() if k.startswith("q")}
    client_a.post(url(submission), again)
    assert answer_of(submission, question).text_value == "versi A"


def test_an_unchanged_answer_is_not_overwritten_by_a_stale_page(client_a, submission, questions):
    question = questions[T.TEXT]
    client_a.post(url(submission), section_post(submission, "X-GOV", {question: {"value": "lama"}}))
    stale = section_post(submission, "X-GOV")
    Answer.objects.filter(question=question).update(text_value="baru dari rekan", version=2)
    stale[f"q{questions[T.YES_NO].pk}-value"] = "1"
    response = client_a.post(url(submission), stale)
    assert response.status_code == 302
    assert answer_of(submission, question).text_value == "baru dari rekan"


def test_carry_forward_copies_answers_by_code_with_evidence_as_references(
    client_a, operator_a, agency_a, new_period, questions, submission
):
    later = make_period(2032)
    assign(later, agency_a, "GOV")
    level_new = make_question(later, code=questions[T.LEVEL].code, answer_type=T.LEVEL)
    text_new = make_question(later, code=questions[T.TEXT].code, answer_type=T.TEXT)
    level_option = questions[T.LEVEL].options.get(value="2")
    data = section_post(
        submission,
        "X-GOV",
        {
            questions[T.LEVEL]: {
                "value": str(level_option.pk),
                "evidence_title": "SK",
                "evidence_file": upload("sk.pdf"),
            },
            questions[T.TEXT]: {"value": "SIPD"},
        },
    )
    client_a.post(url(submission), data)
    old_evidence = Evidence.objects.get()

    current = submission_of(later, agency_a)
    assert carry_forward(current, by=operator_a) == 2
    level_answer = answer_of(current, level_new)
    assert level_answer.option.value == "2" and level_answer.option.question == level_new
    assert level_answer.carried_forward and level_answer.self_score == Decimal(2)
    assert answer_of(current, text_new).text_value == "SIPD"
    copy = Evidence.objects.get(answer=level_answer)
    assert copy.carried_from == old_evidence and copy.file.name == old_evidence.file.name
    reasons = {q: str(reason) for q, reason in current.missing_items()}
    assert reasons[level_new] == "jawaban dari periode sebelumnya belum dikonfirmasi"


def test_confirming_a_carried_answer_clears_the_mark(client_a, operator_a, agency_a, submission, questions):
    Answer.objects.create(submission=submission, question=questions[T.TEXT], text_value="lama", carried_forward=True)
    data = section_post(submission, "X-GOV", konfirmasi=str(questions[T.TEXT].pk))
    response = client_a.post(url(submission), data)
    assert response.status_code == 302
    answer = answer_of(submission, questions[T.TEXT])
    assert not answer.carried_forward and answer.text_value == "lama"
    assert AnswerChange.objects.filter(answer=answer, field="carried_forward").exists()


def test_editing_a_carried_answer_clears_the_mark(client_a, submission, questions):
    Answer.objects.create(submission=submission, question=questions[T.TEXT], text_value="lama", carried_forward=True)
    client_a.post(url(submission), section_post(submission, "X-GOV", {questions[T.TEXT]: {"value": "baru"}}))
    assert not answer_of(submission, questions[T.TEXT]).carried_forward


def test_carry_forward_without_a_previous_submission_says_so(client_a, submission):
    response = client_a.post(f"/opd/pengisian/{submission.pk}/salin/", follow=True)
    assert "Tidak ada pengisian periode sebelumnya" in response.content.decode()


@pytest.mark.parametrize(
    ("language", "typed", "expected"),
    [("id", "1.234,5", "1234.5"), ("id", "1234.5", "1234.5"), ("id", "72,5", "72.5"), ("en", "1,234.5", "1234.5")],
)
def test_numbers_are_read_the_way_people_write_them_in_each_language(language, typed, expected):
    with translation.override(language):
        assert DecimalInput(max_digits=14, decimal_places=2).clean(typed) == Decimal(expected)


def test_carry_forward_keeps_an_explanation_already_written_this_period(operator_a, agency_a, questions, submission):
    later = make_period(2032)
    assign(later, agency_a, "GOV")
    text_new = make_question(later, code=questions[T.TEXT].code, answer_type=T.TEXT)
    Answer.objects.create(submission=submission, question=questions[T.TEXT], text_value="SIPD", explanation="lama")
    current = submission_of(later, agency_a)
    Answer.objects.create(submission=current, question=text_new, explanation="ditulis tahun ini")
    assert carry_forward(current, by=operator_a) == 1
    answer = answer_of(current, text_new)
    assert answer.text_value == "SIPD" and answer.explanation == "ditulis tahun ini"


def test_changing_a_verified_answer_drops_the_stale_verified_score(client_a, submission, questions):
    question = questions[T.YES_NO]
    client_a.post(url(submission), section_post(submission, "X-GOV", {question: {"value": "0"}}))
    Answer.objects.filter(submission=submission, question=question).update(verified_score=Decimal(0))
    client_a.post(url(submission), section_post(submission, "X-GOV", {question: {"value": "1"}}))
    answer = answer_of(submission, question)
    assert (answer.self_score, answer.verified_score) == (Decimal(4), None)
    assert AnswerChange.objects.filter(answer=answer, field="verified_score", old_value="0,00").exists()


def test_saving_a_verified_answer_unchanged_keeps_its_verified_score(client_a, submission, questions):
    question = questions[T.YES_NO]
    client_a.post(url(submission), section_post(submission, "X-GOV", {question: {"value": "0"}}))
    Answer.objects.filter(submission=submission, question=question).update(verified_score=Decimal(1))
    client_a.post(url(submission), section_post(submission, "X-GOV", {question: {"explanation": "Tambahan"}}))
    assert answer_of(submission, question).verified_score == Decimal(1)


@pytest.mark.parametrize(
    ("kind", "typed", "expected"),
    [
        (T.NUMBER, "1.250", Decimal("1250")),
        (T.NUMBER, "1.234,5", Decimal("1234.5")),
        (T.NUMBER, "1.250 unit", Decimal("1250")),
        (T.PERCENT, "75,5", Decimal("75.5")),
        (T.PERCENT, "75,5%", Decimal("75.5")),
    ],
)
def test_numbers_typed_the_indonesian_way_are_stored_as_meant(client_a, submission, questions, kind, typed, expected):
    question = questions[kind]
    response = client_a.post(url(submission), section_post(submission, "X-GOV", {question: {"value": typed}}))
    assert response.status_code == 302
    assert answer_of(submission, question).number_value == expected


def test_a_count_refuses_a_fraction_with_its_own_message(client_a, submission, questions):
    question = questions[T.NUMBER]
    question.whole_number = True
    question.save()
    response = client_a.post(url(submission), section_post(submission, "X-GOV", {question: {"value": "12,5"}}))
    assert response.status_code == 422
    assert "Isi dengan bilangan bulat" in response.content.decode()
    assert not Answer.objects.filter(submission=submission).exists()


def test_an_ambiguous_number_says_how_to_write_it(client_a, submission, questions):
    question = questions[T.NUMBER]
    response = client_a.post(url(submission), section_post(submission, "X-GOV", {question: {"value": "1.23.4"}}))
    assert response.status_code == 422
    assert "Tulis ribuan dengan titik dan desimal dengan koma" in response.content.decode()


def test_a_link_typed_without_https_is_saved_with_it(client_a, submission, questions):
    question = questions[T.TEXT]
    fields = {"evidence_title": "Portal", "evidence_url": "kutaitimurkab.go.id/satudata"}
    response = client_a.post(url(submission), section_post(submission, "X-GOV", {question: fields}))
    assert response.status_code == 302
    assert Evidence.objects.get(answer__question=question).url == "https://kutaitimurkab.go.id/satudata"


def test_a_bad_link_gets_the_apps_message_not_the_browsers(client_a, submission, questions):
    question = questions[T.TEXT]
    page = client_a.get(url(submission)).content.decode()
    assert 'type="url"' not in page  # the browser's own bubble would block the save, hidden by the save bar
    fields = {"evidence_title": "Portal", "evidence_url": "bukan tautan"}
    response = client_a.post(url(submission), section_post(submission, "X-GOV", {question: fields}))
    assert response.status_code == 422
    assert "Tautan tidak valid" in response.content.decode()


def test_a_number_with_a_unit_is_labelled_with_it_and_explains_how_to_write_it(client_a, submission, questions):
    page = client_a.get(url(submission)).content.decode()
    assert "Jawaban (unit)" not in page
    assert "Jawaban, dalam unit" in page
    assert "1.250 berarti seribu dua ratus lima puluh" in page


def test_the_history_names_fields_in_words_and_numbers_in_indonesian(client, coordinator, submission, questions):
    question = questions[T.NUMBER]
    operator = make_operator(submission.agency)
    as_operator = Client()
    as_operator.force_login(operator)
    as_operator.post(url(submission), section_post(submission, "X-GOV", {question: {"value": "12,5"}}))
    change = AnswerChange.objects.get(answer__question=question)
    assert (change.field_label(), change.new_value) == ("Jawaban", "12,5 unit")


# --- the one writer: every path bumps the version and clears a stale verified score -------


def verified_changes(answer):
    return list(
        AnswerChange.objects.filter(answer=answer, field="verified_score").values_list("old_value", "new_value")
    )


def test_saving_a_section_bumps_the_version_and_clears_a_stale_verified_score_with_its_row(
    client_a, submission, questions
):
    question = questions[T.YES_NO]
    client_a.post(url(submission), section_post(submission, "X-GOV", {question: {"value": "0"}}))
    Answer.objects.filter(submission=submission, question=question).update(verified_score=Decimal(2))
    client_a.post(url(submission), section_post(submission, "X-GOV", {question: {"value": "1"}}))
    answer = answer_of(submission, question)
    assert (answer.version, answer.verified_score) == (2, None)
    assert verified_changes(answer) == [("2,00", "")]


def test_confirming_a_carried_answer_bumps_the_version_and_keeps_its_verified_score(client_a, submission, questions):
    question = questions[T.TEXT]
    Answer.objects.create(
        submission=submission, question=question, text_value="lama", carried_forward=True, verified_score=Decimal(3)
    )
    client_a.post(url(submission), section_post(submission, "X-GOV", konfirmasi=str(question.pk)))
    answer = answer_of(submission, question)
    assert (answer.version, answer.carried_forward, answer.verified_score) == (2, False, Decimal(3))
    assert verified_changes(answer) == []
    assert list(AnswerChange.objects.filter(answer=answer).values_list("field", "old_value", "new_value")) == [
        ("carried_forward", "ya", "tidak")
    ]


def test_carrying_forward_bumps_the_version_and_clears_a_stale_verified_score_with_its_row(
    operator_a, agency_a, questions, submission
):
    later = make_period(2032)
    assign(later, agency_a, "GOV")
    text_new = make_question(later, code=questions[T.TEXT].code, answer_type=T.TEXT)
    Answer.objects.create(submission=submission, question=questions[T.TEXT], text_value="SIPD")
    current = submission_of(later, agency_a)
    # An answer row without a value that a coordinator nevertheless scored.
    Answer.objects.create(submission=current, question=text_new, explanation="catatan", verified_score=Decimal(1))
    assert carry_forward(current, by=operator_a) == 1
    answer = answer_of(current, text_new)
    assert (answer.text_value, answer.version, answer.verified_score) == ("SIPD", 2, None)
    assert verified_changes(answer) == [("1,00", "")]
    assert AnswerChange.objects.get(answer=answer, field="carried_forward").new_value.startswith("dari ")


def test_the_writer_refuses_a_write_from_an_older_version_and_writes_nothing(operator_a, submission, questions):
    question = questions[T.TEXT]
    answer = Answer.objects.create(submission=submission, question=question, text_value="lama", version=3)
    changes = []
    values = {**values_of(answer), "text_value": "baru"}
    assert write_answer(submission, question, answer, values, operator_a, changes=changes, seen_version=2) is None
    assert changes == []
    assert (answer_of(submission, question).text_value, answer_of(submission, question).version) == ("lama", 3)


def test_the_writer_fills_from_a_source_with_an_explicit_self_score_as_the_survey_does(
    coordinator, submission, questions
):
    # The impact survey's fill: the mean as value and self score, options and the rest emptied, and
    # one row saying where the value came from instead of the operator's value and explanation rows.
    question = questions[T.LEVEL]
    answer = Answer.objects.create(
        submission=submission,
        question=question,
        option=question.options.get(value="1"),
        explanation="tetap",
        verified_score=Decimal(1),
    )
    values = {
        "option_id": None,
        "bool_value": None,
        "number_value": Decimal("2.67"),
        "text_value": "",
        "date_value": None,
    }
    changes = []
    written = write_answer(
        submission,
        question,
        answer,
        values,
        coordinator,
        changes=changes,
        self_score=Decimal("2.67"),
        source=("impact_survey", "2,67: rata-rata survei dampak"),
    )
    AnswerChange.objects.bulk_create(changes)
    answer = answer_of(submission, question)
    assert written.pk == answer.pk and answer.version == 2
    assert (answer.number_value, answer.self_score, answer.option_id) == (Decimal("2.67"), Decimal("2.67"), None)
    assert (answer.verified_score, answer.explanation, answer.carried_forward) == (None, "tetap", False)
    assert [(c.field, c.old_value, c.new_value) for c in changes] == [
        ("verified_score", "1,00", ""),
        ("impact_survey", question.options.get(value="1").label, "2,67: rata-rata survei dampak"),
    ]
