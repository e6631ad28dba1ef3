"""What a person typed, read once for every spreadsheet and form (evaluations/excel/cells.py): the
number parser, the yes/no words and the wording of a cell's error."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from evaluations.excel.cells import CellError, NumberError, parse_number, to_decimal, yes_no
from evaluations.forms.fields import DecimalInput


@pytest.mark.parametrize("typed", ["12,5", "12.5", " 12,5 "])
def test_a_single_comma_or_a_single_dot_is_the_decimal_mark(typed):
    assert to_decimal(typed) == Decimal("12.5")


@pytest.mark.parametrize(
    "typed,number",
    [("1.234,5", "1234.5"), ("1,234.5", "1234.5"), ("1.234.567,5", "1234567.5"), ("1,234,567.5", "1234567.5")],
)
def test_with_both_marks_the_last_one_is_the_decimal_mark(typed, number):
    assert to_decimal(typed) == Decimal(number)


@pytest.mark.parametrize("typed", ["1,234,567", "1.234.567"])
def test_several_commas_or_several_dots_group_thousands(typed):
    assert to_decimal(typed) == Decimal("1234567")


@pytest.mark.parametrize("typed", ["1 234,5", "1\u00a0234,5", "1\u202f234,5", "\u00a01234,5\u00a0"])
def test_spaces_and_non_breaking_spaces_are_ignored(typed):
    assert to_decimal(typed) == Decimal("1234.5")


@pytest.mark.parametrize(
    "cell,number",
    [
        (7, Decimal("7")),
        (2.5, Decimal("2.5")),
        (0.1, Decimal("0.1")),
        (1e20, Decimal("1E+20")),
        (Decimal("3.40"), Decimal("3.40")),
    ],
)
def test_numbers_excel_stored_as_numbers_pass_through(cell, number):
    assert to_decimal(cell) == number


@pytest.mark.parametrize("cell", [None, "", "  ", "\u00a0"])
def test_an_empty_cell_is_no_number(cell):
    assert to_decimal(cell) is None


@pytest.mark.parametrize(
    "cell",
    [
        True,
        False,
        float("nan"),
        float("inf"),
        "NaN",
        "Infinity",
        "-inf",
        "sepuluh",
        "1.234,5,6",
        "1,2.3,4",
        datetime.date(2024, 1, 1),
    ],
)
def test_what_is_not_a_finite_number_is_refused(cell):
    with pytest.raises(ValueError):
        to_decimal(cell)


# What the answer form reads, per language: (typed, number) or (typed, the error's code).
INDONESIAN = [
    ("1250", "1250"),
    ("1.250", "1250"),  # the ambiguous case: in the Indonesian UI "." groups thousands
    ("1.250.000", "1250000"),
    ("1.234,5", "1234.5"),
    ("1234,5", "1234.5"),
    ("75,5", "75.5"),
    ("75,5%", "75.5"),
    ("75,5 %", "75.5"),
    ("12 unit", "12"),
    ("1250.5", "1250.5"),  # a dot that cannot group thousands is a decimal mark
    ("12.5", "12.5"),
    ("0.125", "0.125"),
    ("1,234.5", "1234.5"),  # both marks: the last one is the decimal mark
    (" 1 234,5 ", "1234.5"),
    ("1\u00a0234", "1234"),
    ("-3,5", "-3.5"),
    ("1,50", "1.5"),
    ("1.23.4", "ambiguous"),
    ("1.234,5,6", "ambiguous"),
    ("12.34.567", "ambiguous"),
    ("sepuluh", "invalid"),
    ("Rp", "invalid"),
]
ENGLISH = [
    ("1250", "1250"),
    ("1,250", "1250"),
    ("1,234.5", "1234.5"),
    ("1.234,5", "1234.5"),
    ("1250.5", "1250.5"),
    ("1.250", "1.25"),
    ("12,5", "12.5"),
    ("75.5%", "75.5"),
    ("1,23,4", "ambiguous"),
    ("ten", "invalid"),
]


@pytest.mark.parametrize(
    ("decimal_mark", "typed", "expected"),
    [(",", t, e) for t, e in INDONESIAN] + [(".", t, e) for t, e in ENGLISH],
)
def test_numbers_are_read_as_people_type_them_in_each_language(decimal_mark, typed, expected):
    if expected in {"ambiguous", "invalid"}:
        with pytest.raises(NumberError) as error:
            parse_number(typed, decimal_mark=decimal_mark)
        assert error.value.code == expected
    else:
        assert parse_number(typed, decimal_mark=decimal_mark) == Decimal(expected)


@pytest.mark.parametrize(
    "language,typed,number",
    [("id", "1.234,5", Decimal("1234.5")), ("id", "75,5", Decimal("75.5")), ("en", "1,234.5", Decimal("1234.5"))],
)
def test_the_answer_form_reads_numbers_in_the_active_language(language, typed, number):
    with translation.override(language):
        assert DecimalInput(max_digits=14, decimal_places=3).clean(typed) == number


@pytest.mark.parametrize("word", ["ya", "Y", "yes", "TRUE", "1", "benar", "Wajib", " ya ", True, 1, 1.0])
def test_yes_words_mean_yes(word):
    assert yes_no(word) is True


@pytest.mark.parametrize("word", ["tidak", "T", "no", "false", "0", "Salah", False, 0])
def test_no_words_mean_no(word):
    assert yes_no(word) is False


@pytest.mark.parametrize("word", ["mungkin", "", "2", None])
def test_other_words_are_neither_yes_nor_no(word):
    assert yes_no(word) is None


def test_an_error_in_a_named_sheet_says_sheet_row_and_column():
    error = CellError(3, "pilar", 'pilar "XYZ" tidak dikenal.', sheet="pertanyaan")
    assert str(error) == 'lembar "pertanyaan", baris 3, kolom "pilar": pilar "XYZ" tidak dikenal.'


def test_an_error_about_a_whole_sheet_names_only_the_sheet():
    assert str(CellError(None, "", "lembar tidak ada di berkas.", sheet="opsi")) == (
        'lembar "opsi": lembar tidak ada di berkas.'
    )


def test_an_error_about_the_whole_file_is_its_message():
    assert str(CellError(None, "", "Berkas .xlsx rusak.")) == "Berkas .xlsx rusak."
