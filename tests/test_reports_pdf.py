"""The region's report as a PDF (evaluations/reports.py and pdf/report.py), read back with pypdf:
its text per page, its page count and fonts, and its figures against period.results()."""

import io
import re

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from pypdf import PdfReader

from evaluations.models import Agency, Question, ReportNote, Submission
from evaluations.models.instrument import format_score
from evaluations.pdf.report import write_report
from evaluations.reports import region_rank, report_data
from pillars.models import Pillar

from .excel_helpers import answer_all
from .factories import assign, make_agency, make_answer, make_mixed_period, make_quick_win, make_submission

pytestmark = pytest.mark.django_db


def render(period, by="Rina Koordinator"):
    """The report of `period` as a PdfReader and its pages' text."""
    target = io.BytesIO()
    pages = write_report(report_data(period, generated_by=by), target)
    reader = PdfReader(io.BytesIO(target.getvalue()))
    assert len(reader.pages) == pages
    return reader, [page.extract_text() for page in reader.pages]


def squeeze(text):
    """Text with its line breaks and runs of spaces as one space (a table cell wraps)."""
    return re.sub(r"\s+", " ", text)


def page_with(texts, heading):
    return next(i for i, text in enumerate(texts) if heading in text)


def test_the_summary_shows_the_three_indexes_of_period_results_with_their_coverage():
    period = make_mixed_period()
    result = period.results()
    _reader, texts = render(period)
    summary = squeeze(texts[1])
    assert "Ringkasan" in summary
    # make_mixed_period: official 1.00, provisional 2.20, self 2.90; 2 of 4 questions approved.
    assert f"{format_score(result.official.final)} dihitung dari 2 dari 4 pertanyaan yang disetujui" in summary
    assert f"{format_score(result.provisional.final)} dihitung dari 4 dari 4 pertanyaan yang dijawab" in summary
    assert format_score(result.self.final) == "2,90" and "2,90" in summary
    assert "1 di antaranya dengan skor mandiri" in summary


def test_dimension_and_pillar_scores_equal_the_results_and_say_belum_ada_data_where_nothing_counts():
    period = make_mixed_period()
    result = period.results()
    _reader, texts = render(period)
    tables = squeeze(" ".join(texts[2:4]))
    # Dimension A has no approved answer: its official score is no data (None), never a 0.
    assert result.official.dimensions["A"] is None
    a = f"A. Dimensi A 60% belum ada data {format_score(result.provisional.dimensions['A'])} "
    a += f"{format_score(result.self.dimensions['A'])} 0 / 2"
    assert a in tables
    b = f"B. Dimensi B 40% {format_score(result.official.dimensions['B'])} "
    b += f"{format_score(result.provisional.dimensions['B'])} {format_score(result.self.dimensions['B'])} 2 / 2"
    assert b in tables
    living = Pillar.objects.get(code="LIV")
    official, provisional = result.official.pillars["LIV"], result.provisional.pillars["LIV"]
    assert f"{living.name} {format_score(official)} {format_score(provisional)}" in tables
    environment = Pillar.objects.get(code="ENV")
    assert f"{environment.name} belum ada data belum ada data belum ada data" in tables


def test_a_period_without_approved_answers_says_so_on_its_summary_page_instead_of_zeros(period, agency_a):
    answer_all(period, agency_a, status=Submission.Status.SUBMITTED)
    _reader, texts = render(period)
    summary = squeeze(texts[1])
    assert "Belum ada jawaban yang disetujui pada periode ini" in summary
    assert "Indeks resmi (disetujui, skor verifikasi) belum ada data dihitung dari 0 dari" in summary
    assert "0,00" not in summary.split("Indeks sementara")[0]


def test_every_page_is_numbered_and_the_question_table_repeats_its_header_on_every_page(period, agency_a):
    for agency in Agency.objects.filter(assignments__period=period).distinct()[:6]:
        answer_all(period, agency, status=Submission.Status.APPROVED)
    reader, texts = render(period)
    total = len(reader.pages)
    assert total > 8
    for number, text in enumerate(texts, start=1):
        assert f"Halaman {number} dari {total}" in text
    first = page_with(texts, "Jawaban per pertanyaan")
    assert total - first >= 2, "the question table should run over several pages"
    for text in texts[first:]:
        assert squeeze(text).startswith("Kode Pertanyaan Jawaban gabungan") or "Jawaban per pertanyaan" in text


def test_no_question_row_is_cut_across_two_pages(period, agency_a):
    answer_all(period, agency_a, status=Submission.Status.APPROVED)
    _reader, texts = render(period)
    first = page_with(texts, "Jawaban per pertanyaan")
    # Without any white space: a cell wraps its words (and a hyphenated word) over lines.
    pages = [re.sub(r"\s+", "", text) for text in texts[first:]]
    for question in Question.objects.for_period(period):
        text = re.sub(r"\s+", "", question.text)
        where = [i for i, page in enumerate(pages) if question.code + text[:12] in page]
        assert where, question.code
        assert text[-12:] in pages[where[0]], f"{question.code} continues on the next page"


def test_the_fonts_are_embedded_and_the_text_is_searchable():
    reader, texts = render(make_mixed_period())
    fonts = {}
    for page in reader.pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = (font.get("/DescendantFonts") or [font])[0].get_object().get("/FontDescriptor")
            fonts[font["/BaseFont"]] = descriptor is not None and any(
                key in descriptor.get_object() for key in ("/FontFile", "/FontFile2", "/FontFile3")
            )
    assert fonts and all(fonts.values()), fonts
    assert any("DejaVu" in name for name in fonts)
    assert "Laporan Hasil Evaluasi Smart City" in texts[0]


def test_the_cover_names_the_region_the_period_the_date_and_who_prepared_it():
    period = make_mixed_period()
    _reader, texts = render(period, by="Rina Koordinator")
    cover = squeeze(texts[0])
    assert "Kabupaten Kutai Timur" in cover
    assert period.name in cover
    assert "Disusun oleh Rina Koordinator" in cover
    assert re.search(r"Tanggal \d{1,2} \w+ 20\d\d", cover)


def test_saved_notes_are_printed_as_text_and_suggestions_never_are(coordinator):
    period = make_mixed_period()
    hostile = '<b>Perda</b> =HYPERLINK("http://x","klik") <script>alert(1)</script>'
    ReportNote.write_scope(period, None, {"kekuatan": (hostile, ReportNote.Origin.WRITTEN)}, {}, coordinator)
    data = report_data(period)
    suggestion = data["scopes"][0].suggestions["kelemahan"]
    _reader, texts = render(period)
    summary = squeeze(texts[1])
    assert squeeze(hostile) in summary
    assert "Kelemahan Belum ditulis." in summary
    assert suggestion.split(":")[0] not in " ".join(texts)


def test_a_pillar_note_is_printed_in_its_pillar_block(coordinator):
    period = make_mixed_period()
    gov = Pillar.objects.get(code="GOV")
    texts = {"rekomendasi": ("Naikkan Perbup menjadi Perda smart city.", ReportNote.Origin.WRITTEN)}
    ReportNote.write_scope(period, gov, texts, {}, coordinator)
    _reader, pages = render(period)
    notes = squeeze(" ".join(pages[page_with(pages, "Kekuatan, kelemahan dan rekomendasi per pilar") :]))
    assert f"{gov.name} Kekuatan Belum ditulis. Kelemahan Belum ditulis. Rekomendasi Naikkan Perbup" in notes


def test_quick_wins_are_listed_per_pillar_with_status_and_achievement():
    period = make_mixed_period()
    agency = make_agency(name="Dinas Uji", abbreviation="DU")
    make_quick_win(period, agency, status="berjalan", pillar="ENV", name="Bank sampah digital", achievement_pct=40)
    make_quick_win(period, agency, status="usulan", pillar="ENV", name="Usulan belum ditetapkan")
    _reader, texts = render(period)
    text = squeeze(" ".join(texts))
    assert "Smart Environment Bank sampah digital" in text
    assert "DU Berjalan 40% / –" in text
    assert "Usulan belum ditetapkan" not in text


def test_the_consolidated_answer_counts_the_agencies_giving_each_answer():
    period = make_mixed_period()
    question = Question.objects.get(indicator__dimension__national_id=period.national_id, code="q3")
    for score in (2, 2, 4):
        agency = make_agency()
        assign(period, agency, "LIV")
        make_answer(make_submission(period, agency, status=Submission.Status.APPROVED), question, score=score)
    _reader, texts = render(period)
    rows = squeeze(" ".join(texts[page_with(texts, "Jawaban per pertanyaan") :]))
    # q3: the mixed period's approved Level 4 and draft Level 4 (never counted), then 2, 2 and 4.
    assert re.search(r"q3 Pertanyaan uji\? Level (2 \(2\) Level 4 \(2\)|4 \(2\) Level 2 \(2\))", rows)


def test_the_rank_is_left_out_while_the_deployment_has_one_region():
    period = make_mixed_period()
    assert region_rank(period) is None
    _reader, texts = render(period)
    assert "Peringkat" not in texts[1]


def test_the_report_reads_a_fixed_number_of_queries_whatever_the_number_of_agencies():
    period = make_mixed_period()

    def count():
        with CaptureQueriesContext(connection) as queries:
            report_data(period)
        return len(queries)

    before = count()
    question = Question.objects.get(indicator__dimension__national_id=period.national_id, code="q3")
    for _n in range(5):
        agency = make_agency()
        assign(period, agency, "LIV")
        make_answer(make_submission(period, agency, status=Submission.Status.APPROVED), question, score=3)
    assert count() == before


def test_the_command_writes_the_report_and_says_how_many_pages(tmp_path, period, agency_a):
    answer_all(period, agency_a, status=Submission.Status.APPROVED)
    out = io.StringIO()
    target = tmp_path / "laporan.pdf"
    call_command("export_report", "--period", "2024/1", "--output", str(target), stdout=out)
    pages = len(PdfReader(target).pages)
    assert f"ditulis ke {target} ({pages} halaman)." in out.getvalue()
    assert "Laporan Hasil Evaluasi Smart City" in PdfReader(target).pages[0].extract_text()
