"""The instrument as a spreadsheet (evaluations/excel/instrument.py and instrument_export.py): round
trip, and every kind of bad file gets a message naming sheet, row and column, with nothing saved.
What an import does to a period is tests/test_instrument_rules.py."""

import io
from decimal import Decimal

import pytest

from evaluations.excel import instrument as instrument_io
from evaluations.excel.instrument import InstrumentFileError, read_instrument
from evaluations.excel.instrument_export import write_instrument
from evaluations.instrument import import_instrument
from evaluations.models import Dimension, EvaluationPeriod, Question, SurveyStatement

from .excel_helpers import instrument_file, open_workbook, statements_of, valid_instrument_sheets, with_statements
from .factories import make_period

pytestmark = pytest.mark.django_db


def read(sheets=None, **kwargs):
    return read_instrument(instrument_file(sheets, **kwargs))


def errors_of(sheets=None, **kwargs):
    plan = read(sheets, **kwargs)
    assert not plan.is_valid
    return [str(e) for e in plan.errors]


def snapshot(period):
    """Every dimension, indicator, question (with options, bands and question assignments)."""
    dimensions = [(d.code, d.name, d.weight, d.order) for d in period.dimensions.order_by("order", "code")]
    questions = []
    for q in (
        Question.objects.for_period(period).in_form_order().prefetch_related("options", "bands", "assignments__agency")
    ):
        questions.append(
            (
                q.indicator.dimension.code,
                q.indicator.code,
                q.indicator.name,
                q.indicator.order,
                q.code,
                q.text,
                q.help_text,
                q.answer_type,
                q.unit,
                q.pillar_id,
                q.subdimension_id,
                q.required,
                q.evidence_required,
                q.order,
                [(o.value, o.label, o.score, o.order) for o in q.options.all()],
                [(b.min_value, b.max_value, b.score) for b in q.bands.all()],
                sorted(a.agency.abbreviation for a in q.assignments.all()),
                q.whole_number,
                q.from_impact_survey,
            )
        )
    statements = list(
        SurveyStatement.objects.filter(national_id=period.national_id).values_list(
            "code", "subdimension", "text", "order"
        )
    )
    return dimensions, questions, statements


def test_the_shipped_instrument_survives_export_and_import_into_a_new_period():
    shipped = EvaluationPeriod.objects.get(year=2024, stage="1")
    Question.objects.for_period(shipped).filter(code="D.1.1").update(from_impact_survey=True)
    buffer = io.BytesIO()
    write_instrument(shipped, buffer)
    buffer.seek(0)
    plan = read_instrument(buffer)
    assert plan.errors == []
    new = make_period(year=2031)
    import_instrument(plan, new)
    before, after = snapshot(shipped), snapshot(new)
    assert len(after[1]) == 62
    assert sum(len(q[14]) for q in after[1]) == 202
    assert len(after[2]) == 54
    assert [q[4] for q in after[1] if q[-1]] == ["D.1.1"]
    assert after == before


def test_the_exported_instrument_has_the_four_sheets_and_their_columns():
    buffer = io.BytesIO()
    write_instrument(EvaluationPeriod.objects.get(year=2024, stage="1"), buffer)
    book = open_workbook(buffer.getvalue())
    assert book.sheetnames[:4] == ["dimensi", "indikator", "pertanyaan", "opsi"]
    assert [c.value for c in book["dimensi"][1]] == ["kode", "nama", "bobot"]
    assert [c.value for c in book["opsi"][1]] == ["daftar", "nilai", "label", "skor"]
    assert [c.value for c in book["pertanyaan"][1]][:10] == [
        "kode",
        "indikator",
        "teks",
        "bantuan",
        "tipe",
        "pilar",
        "subdimensi",
        "opsi",
        "wajib_bukti",
        "opd",
    ]
    assert isinstance(book["dimensi"]["C2"].value, (int, float))
    assert [c.value for c in book["pertanyaan"][1]][-1] == "survei_dampak"
    statements = book["pernyataan_dampak"]
    assert [c.value for c in statements[1]] == ["kode", "pilar", "subdimensi", "teks", "urutan"]
    assert [c.value for c in statements[2]][:3] == ["GOV.1.1", "GOV", "GOV-1"]
    assert statements.max_row == 55


def test_a_number_question_marked_bulat_takes_whole_numbers_only():
    sheets = valid_instrument_sheets()
    sheets["pertanyaan"][0].append("bulat")
    sheets["pertanyaan"][4].append("ya")
    period = make_period(year=2033)
    import_instrument(read(sheets), period)
    assert Question.objects.get(indicator__dimension__national_id=period.national_id, code="B.1.2").whole_number is True
    assert (
        Question.objects.get(indicator__dimension__national_id=period.national_id, code="A.1.1").whole_number is False
    )


def test_the_shipped_counts_are_whole_numbers_and_survive_the_round_trip():
    shipped = EvaluationPeriod.objects.get(year=2024, stage="1")
    counts = Question.objects.for_period(shipped).filter(whole_number=True)
    assert sorted(counts.values_list("code", flat=True)) == ["B.1.2", "B.3.1", "C.2.1", "D.3.5", "D.6.4"]


def test_a_file_that_is_not_an_xlsx_is_refused():
    with pytest.raises(InstrumentFileError, match="bukan berkas Excel"):
        read_instrument(io.BytesIO(b"kode,nama,bobot\nA,Kebijakan,100\n"))


def test_a_missing_sheet_is_named():
    assert errors_of(drop_sheet="opsi") == ['lembar "opsi": lembar tidak ada di berkas.']


def test_a_missing_column_is_named():
    sheets = valid_instrument_sheets()
    sheets["indikator"] = [[row[0], row[2]] for row in sheets["indikator"]]
    assert errors_of(sheets) == ['lembar "indikator", baris 1, kolom "dimensi": kolom wajib tidak ada di baris judul.']


def test_duplicate_question_codes_are_named_with_both_rows():
    sheets = valid_instrument_sheets()
    sheets["pertanyaan"][2][0] = "A.1.1"
    assert 'lembar "pertanyaan", baris 3, kolom "kode": kode "A.1.1" ganda (sudah dipakai di baris 2).' in errors_of(
        sheets
    )


def test_duplicate_dimension_codes_are_refused():
    sheets = valid_instrument_sheets()
    sheets["dimensi"][2][0] = "A"
    assert any('lembar "dimensi", baris 3, kolom "kode": kode "A" ganda' in e for e in errors_of(sheets))


def test_a_question_pointing_to_an_unknown_indicator_is_named():
    sheets = valid_instrument_sheets()
    sheets["pertanyaan"][1][1] = "Z.9"
    assert errors_of(sheets) == [
        'lembar "pertanyaan", baris 2, kolom "indikator": indikator "Z.9" tidak ada di lembar indikator.'
    ]


def test_texts_longer_than_the_database_takes_are_named():
    sheets = valid_instrument_sheets()
    sheets["pertanyaan"][1][0] = "A" * 31
    sheets["pertanyaan"][2][2] = "Apakah " + "x" * 2000
    sheets["opsi"][1][2] = "Level " + "y" * 2000
    assert errors_of(sheets) == [
        'lembar "pertanyaan", baris 2, kolom "kode": terlalu panjang: paling banyak 30 karakter.',
        'lembar "pertanyaan", baris 3, kolom "teks": terlalu panjang: paling banyak 2000 karakter.',
        'lembar "opsi", baris 2, kolom "label": terlalu panjang: paling banyak 2000 karakter.',
    ]


def test_a_question_pointing_to_an_unknown_pillar_is_named():
    sheets = valid_instrument_sheets()
    sheets["pertanyaan"][2][5] = "XYZ"
    errors = errors_of(sheets)
    assert len(errors) == 1
    assert errors[0].startswith('lembar "pertanyaan", baris 3, kolom "pilar": pilar "XYZ" tidak dikenal')


def test_a_question_pointing_to_an_unknown_option_list_is_named():
    sheets = valid_instrument_sheets()
    sheets["pertanyaan"][3][7] = "tidak_ada"
    assert errors_of(sheets) == [
        'lembar "pertanyaan", baris 4, kolom "opsi": daftar opsi "tidak_ada" tidak ada di lembar opsi.'
    ]


def test_a_level_question_needs_a_list_of_five_levels():
    sheets = valid_instrument_sheets()
    sheets["pertanyaan"][1][7] = "koordinasi"
    assert "memerlukan daftar dengan 5 tingkat" in errors_of(sheets)[0]


def test_an_unknown_type_is_named_with_the_allowed_ones():
    sheets = valid_instrument_sheets()
    sheets["pertanyaan"][2][4] = "centang"
    error = errors_of(sheets)[0]
    assert error.startswith('lembar "pertanyaan", baris 3, kolom "tipe": tipe "centang" tidak dikenal')
    assert "level, yesno, choice" in error


def test_a_weight_that_is_not_a_number_is_named():
    sheets = valid_instrument_sheets()
    sheets["dimensi"][1][2] = "empat puluh"
    assert errors_of(sheets) == ['lembar "dimensi", baris 2, kolom "bobot": harus berupa angka, bukan \'empat puluh\'.']


def test_weights_that_do_not_sum_to_100_are_refused():
    sheets = valid_instrument_sheets()
    sheets["dimensi"][2][2] = 50
    assert errors_of(sheets) == ['lembar "dimensi", kolom "bobot": jumlah bobot harus 100, sekarang 90.']


def test_a_weight_written_with_a_decimal_comma_is_accepted():
    sheets = valid_instrument_sheets()
    sheets["dimensi"][1][2], sheets["dimensi"][2][2] = "39,5", "60,5"
    assert read(sheets).is_valid


def test_band_limits_written_with_thousand_separators_are_read():
    sheets = valid_instrument_sheets()
    sheets["rentang"] = [["pertanyaan", "dari", "sampai", "skor"], ["B.1.2", "1.000,5", "2.000.000", 3]]
    assert read(sheets).bands == {"B.1.2": [{"min": Decimal("1000.5"), "max": Decimal("2000000"), "score": 3}]}


@pytest.mark.parametrize("score", [5, -1, "4.5"])
def test_an_option_score_outside_0_to_4_is_named(score):
    sheets = valid_instrument_sheets()
    sheets["opsi"][6][3] = score
    errors = errors_of(sheets)
    assert errors[0].startswith('lembar "opsi", baris 7, kolom "skor": harus antara 0 dan 4')


def test_an_unknown_agency_in_opd_is_named():
    sheets = valid_instrument_sheets()
    sheets["pertanyaan"][1][9] = "Bappeda, Dinas Fiktif"
    assert errors_of(sheets) == [
        'lembar "pertanyaan", baris 2, kolom "opd": perangkat daerah "Dinas Fiktif" tidak dikenal.'
    ]


def test_a_subdimension_of_another_pillar_is_refused():
    sheets = valid_instrument_sheets()
    sheets["pertanyaan"][1][6] = "ENV-1"
    assert "bukan bagian dari pilar" in errors_of(sheets)[0]


def test_several_errors_are_all_reported_at_once():
    sheets = valid_instrument_sheets()
    sheets["pertanyaan"][1][1] = "Z.9"
    sheets["pertanyaan"][2][5] = "XYZ"
    sheets["opsi"][1][3] = 9
    assert len(errors_of(sheets)) == 3


def test_a_sheet_with_too_many_rows_is_refused(monkeypatch):
    # 4: the 'opsi' sheet (7 rows) has more filled rows than that, yet fewer than the twice as
    # many rows that the container check refuses before any sheet is read (test_excel_reader.py).
    monkeypatch.setattr(instrument_io, "MAX_ROWS", 4)
    sheets = valid_instrument_sheets()
    errors = errors_of(sheets)
    assert 'lembar "opsi", baris 6: terlalu banyak baris (paling banyak 4).' in errors


# --- the impact survey's statements (sheet pernyataan_dampak) and column survei_dampak ----------
def test_a_file_with_statements_creates_them_and_the_dry_run_counts_them():
    period = make_period(year=2040)
    plan = read(
        with_statements(
            ["GOV.1.1", "GOV", "GOV-1", "Saya dapat mengakses layanan ini secara daring.", 1],
            ["GOV.1.2", "gov", "gov-1", "Prosedur layanan ini transparan.", ""],
            ["ENV.2.1", "ENV", "ENV-2", "Sampah diangkut lebih teratur.", 3],
        )
    )
    assert plan.counts()["pernyataan_dampak"] == 3
    import_instrument(plan, period)
    assert statements_of(period) == [
        ("GOV.1.1", "GOV-1", "Saya dapat mengakses layanan ini secara daring.", 1),
        ("GOV.1.2", "GOV-1", "Prosedur layanan ini transparan.", 2),
        ("ENV.2.1", "ENV-2", "Sampah diangkut lebih teratur.", 3),
    ]


def test_a_statement_on_an_unknown_subdimension_is_named():
    errors = errors_of(with_statements(["GOV.9.1", "GOV", "GOV-9", "Teks", 1]))
    assert errors == ['lembar "pernyataan_dampak", baris 2, kolom "subdimensi": sub-dimensi "GOV-9" tidak dikenal.']


def test_a_statement_whose_subdimension_is_of_another_pillar_is_named():
    errors = errors_of(with_statements(["GOV.1.1", "GOV", "ENV-1", "Teks", 1]))
    assert errors == [
        'lembar "pernyataan_dampak", baris 2, kolom "subdimensi": sub-dimensi "ENV-1" bukan bagian dari pilar "GOV".'
    ]


def test_duplicate_statement_codes_are_named_with_both_rows():
    errors = errors_of(with_statements(["GOV.1.1", "GOV", "GOV-1", "Satu", 1], ["GOV.1.1", "GOV", "GOV-1", "Dua", 2]))
    assert errors == [
        'lembar "pernyataan_dampak", baris 3, kolom "kode": kode "GOV.1.1" ganda (sudah dipakai di baris 2).'
    ]


def test_a_statement_text_longer_than_500_characters_is_named():
    errors = errors_of(with_statements(["GOV.1.1", "GOV", "GOV-1", "x" * 501, 1]))
    assert errors == ['lembar "pernyataan_dampak", baris 2, kolom "teks": terlalu panjang: paling banyak 500 karakter.']


def test_a_statement_without_text_or_with_a_bad_order_is_named():
    errors = errors_of(with_statements(["GOV.1.1", "GOV", "GOV-1", "", "satu"]))
    assert errors == [
        'lembar "pernyataan_dampak", baris 2, kolom "teks": wajib diisi.',
        'lembar "pernyataan_dampak", baris 2, kolom "urutan": harus berupa angka, bukan \'satu\'.',
    ]


def test_a_statement_sheet_without_its_columns_is_named():
    errors = errors_of(with_statements(["GOV.1.1", "Teks"], header=["kode", "teks"]))
    assert 'lembar "pernyataan_dampak", baris 1, kolom "subdimensi": kolom wajib tidak ada di baris judul.' in errors


def test_an_impact_question_without_a_pillar_is_named():
    sheets = valid_instrument_sheets()
    sheets["pertanyaan"][0].append("survei_dampak")
    sheets["pertanyaan"][1] += ["ya"]
    sheets["pertanyaan"][1][5] = sheets["pertanyaan"][1][6] = ""
    assert errors_of(sheets) == [
        'lembar "pertanyaan", baris 2, kolom "survei_dampak": pertanyaan dari survei dampak memerlukan pilar.'
    ]


@pytest.mark.usefixtures("immediate_jobs")
def test_the_dry_run_page_lists_the_statement_sheet_count_and_changes(admin_client):
    period = make_period(year=2045)
    sheets = with_statements(["SOC.2.1", "SOC", "SOC-2", "Anak saya dapat belajar daring.", 1])
    response = admin_client.post(
        "/kelola/instrumen/", {"period": period.pk, "file": instrument_file(sheets), "dry_run": "on"}, follow=True
    )
    html = response.content.decode()
    assert '<td>pernyataan_dampak</td><td class="text-end">1</td>' in html
    assert "<td>SOC.2.1</td>" in html
    assert not SurveyStatement.objects.filter(national_id=period.national_id).exists()


@pytest.mark.usefixtures("immediate_jobs")
def test_an_invalid_statement_sheet_is_shown_on_the_page_and_nothing_is_saved(admin_client):
    period = make_period(year=2046)
    sheets = with_statements(["GOV.1.1", "GOV", "XXX-1", "Teks", 1])
    response = admin_client.post(
        "/kelola/instrumen/", {"period": period.pk, "file": instrument_file(sheets)}, follow=True
    )
    assert response.status_code == 200
    assert "lembar &quot;pernyataan_dampak&quot;, baris 2, kolom &quot;subdimensi&quot;" in response.content.decode()
    assert not Dimension.objects.filter(national_id=period.national_id).exists()
