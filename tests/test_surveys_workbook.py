"""The impact survey in the evaluation workbook: the "Survei Dampak" sheet (means and respondents
before and after exclusions) and the "Responden" sheet (one row per response, no contact data and
no hashes), reopened with openpyxl; a fixed number of queries; the workbook job's change stamp."""

import io
import zipfile
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from evaluations.excel.workbook import export_period, load, write_workbook
from evaluations.models import Agency, Enumerator, Kecamatan, SurveyForm
from evaluations.results import period_change_stamp
from evaluations.survey_senders import keyed_hash

from .excel_helpers import header_index, open_workbook, sheet_rows
from .factories import make_impact_survey, make_period, make_survey_response

pytestmark = pytest.mark.django_db
D = Decimal
# tests/test_excel_workbook.py's EXPORT_QUERIES, which counts the survey's 5 queries (statements,
# forms, responses, ratings, programme use) too.
SURVEY_EXPORT_QUERIES = 32
PHONE = "0812 3456 7890"
REASON = '=HYPERLINK("http://x","bukan warga")'


def form_of(survey, code):
    if "-" in code:
        return SurveyForm.objects.get(survey=survey, subdimension__code=code)
    return SurveyForm.objects.get(survey=survey, pillar__code=code, subdimension__isnull=True)


@pytest.fixture
def survey(db, coordinator):
    """Smart Governance (one form, collected by enumerator Budi): 3 everywhere; GOV-1.1 = 1 and
    GOV-1.2 never used; 0 everywhere but excluded. Smart Economy split: ECO-1 rated 4 twice."""
    survey = make_impact_survey(make_period(year=2036), split=("ECO",))
    gov = form_of(survey, "GOV")
    agency = Agency.objects.get(abbreviation="Diskominfo Staper")
    budi = Enumerator.objects.create(form=gov, agency=agency, name="Budi")
    make_survey_response(
        gov,
        scores=3,
        enumerator=budi,
        contact_hash=keyed_hash("contact", PHONE),
        device_hash=keyed_hash("device", "perangkat-1"),
    )
    make_survey_response(gov, scores={"GOV-1.1": 1, "GOV-1.2": None}, device_hash=keyed_hash("device", "perangkat-2"))
    excluded = make_survey_response(gov, scores=0, contact_hash=keyed_hash("contact", "warga@contoh.id"))
    excluded.excluded_at, excluded.excluded_by, excluded.exclusion_reason = timezone.now(), coordinator, REASON
    excluded.save()
    for _ in range(2):
        make_survey_response(form_of(survey, "ECO-1"), scores=4, occupation="tani")
    return survey


def export(period):
    buffer = io.BytesIO()
    export_period(period, buffer, generated_by="Rina Koordinator")
    return buffer.getvalue()


def rows_by_code(book):
    sheet = book["Survei Dampak"]
    columns = header_index(sheet)
    rows = {}
    for row in sheet_rows(sheet)[2:]:
        rows[(row[columns["Tingkat"]], row[columns["Kode"]])] = {name: row[i] for name, i in columns.items()}
    return rows


def test_the_two_survey_sheets_come_last(survey):
    book = open_workbook(export(survey.period))
    assert book.sheetnames[-2:] == ["Survei Dampak", "Responden"]
    for name in ("Survei Dampak", "Responden"):
        sheet = book[name]
        assert sheet.freeze_panes == "A3"
        assert sheet.auto_filter.ref.startswith("A2:")


def test_the_survei_dampak_sheet_has_the_means_and_respondents_before_and_after_exclusions(survey):
    rows = rows_by_code(open_workbook(export(survey.period)))
    gov = rows[("Pilar", "GOV")]
    # GOV-1 = mean((3 + 1) / 2, 3, 3) = 8/3; GOV-2 = GOV-3 = 3; GOV = (8/3 + 3 + 3) / 3 = 2.888…
    assert gov["Rata-rata (0–4)"] == pytest.approx(2.89)
    assert (gov["Responden dihitung"], gov["Responden semua"], gov["Responden dikeluarkan"]) == (2, 3, 1)
    gov1 = rows[("Sub-dimensi", "GOV-1")]
    assert gov1["Rata-rata (0–4)"] == pytest.approx(2.67)
    assert gov1["Sub-dimensi"] == "Layanan publik"
    statement = rows[("Pernyataan", "GOV-1.1")]
    assert statement["Rata-rata (0–4)"] == 2
    assert statement["Rata-rata sebelum pengecualian"] == pytest.approx(1.33)  # (3 + 1 + 0) / 3
    never = rows[("Pernyataan", "GOV-1.2")]
    assert (never["Memberi nilai"], never["Belum pernah menggunakan"], never["Responden dihitung"]) == (1, 1, 2)
    assert never["Rata-rata (0–4)"] == 3
    assert rows[("Pilar", "ECO")]["Rata-rata (0–4)"] == 4
    assert rows[("Sub-dimensi", "ECO-2")]["Rata-rata (0–4)"] is None
    assert (rows[("Sub-dimensi", "ECO-1")]["Responden semua"], rows[("Sub-dimensi", "ECO-3")]["Responden semua"]) == (
        2,
        0,
    )
    assert len([key for key in rows if key[0] == "Pernyataan"]) == 54


def test_the_responden_sheet_has_one_typed_row_per_response(survey):
    book = open_workbook(export(survey.period))
    sheet = book["Responden"]
    columns = header_index(sheet)
    rows = sheet_rows(sheet)[2:]
    assert len(rows) == 5
    gov = [r for r in rows if r[columns["Formulir"]] == "GOV"]
    budi = next(r for r in gov if r[columns["Enumerator"]] == "Budi")
    assert budi[columns["Perangkat daerah enumerator"]] == Agency.objects.get(abbreviation="Diskominfo Staper").name
    assert budi[columns["Pilar"]] == "Smart Governance" and budi[columns["Sub-dimensi"]] is None
    assert isinstance(budi[columns["Dikirim pada"]], datetime)
    assert budi[columns["Durasi (detik)"]] == 300
    assert budi[columns["Usia"]] == "30–39 tahun"
    assert budi[columns["Pekerjaan"]] == "ASN / TNI / Polri"
    assert budi[columns["Kecamatan"]] == Kecamatan.objects.order_by("pk").first().name
    assert "Program Layanan publik: Sering / rutin" in budi[columns["Penggunaan program"]]
    assert budi[columns["GOV-1.1"]] == 3 and budi[columns["ECO-1.1"]] is None  # not on its form
    assert budi[columns["Dikeluarkan"]] == "Tidak"
    second = next(r for r in gov if r[columns["GOV-1.1"]] == 1)
    assert second[columns["GOV-1.2"]] == "belum pernah"
    excluded = next(r for r in gov if r[columns["Dikeluarkan"]] == "Ya")
    assert excluded[columns["Alasan dikeluarkan"]] == REASON  # kept as text, never a formula
    eco = [r for r in rows if r[columns["Formulir"]] == "ECO-1"]
    assert len(eco) == 2 and eco[0][columns["Sub-dimensi"]] == "Ekosistem industri yang berdaya saing"
    assert eco[0][columns["ECO-1.3"]] == 4 and eco[0][columns["GOV-1.1"]] is None


def test_no_contact_data_or_hash_appears_anywhere_in_the_workbook(survey):
    content = export(survey.period)
    secrets = {
        keyed_hash("contact", PHONE),
        keyed_hash("contact", "warga@contoh.id"),
        keyed_hash("device", "perangkat-1"),
        keyed_hash("device", "perangkat-2"),
    }
    secrets |= {s[:16] for s in secrets}  # not even a prefix
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        xml = "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    for secret in [*secrets, "34567890", "warga@contoh.id", "perangkat-1"]:
        assert secret not in xml
    book = open_workbook(content)
    for sheet in book.worksheets:
        for row in sheet.iter_rows(values_only=True):
            for value in row:
                assert not any(secret in str(value) for secret in secrets)


def test_the_export_runs_the_same_number_of_queries_for_5_and_60_responses(db):
    survey = make_impact_survey(make_period(year=2037), split=("ECO",))
    gov = form_of(survey, "GOV")
    for _ in range(5):
        make_survey_response(gov)
    with CaptureQueriesContext(connection) as small:
        write_workbook(load(survey.period), io.BytesIO())
    for n in range(55):
        make_survey_response(form_of(survey, "ECO-2") if n % 2 else gov, scores=n % 5)
    with CaptureQueriesContext(connection) as large:
        write_workbook(load(survey.period), io.BytesIO())
    assert len(small) == len(large) == SURVEY_EXPORT_QUERIES


def test_the_change_stamp_moves_with_a_new_response_and_an_exclusion(survey, coordinator):
    period = survey.period
    before = period_change_stamp(period)
    assert period_change_stamp(period) == before
    response = make_survey_response(form_of(survey, "ECO-2"), submitted_at=timezone.now() - timedelta(days=3))
    after_response = period_change_stamp(period)
    assert after_response != before  # a response older than the latest one still moves it
    response.excluded_at, response.excluded_by = timezone.now(), coordinator
    response.save()
    excluded = period_change_stamp(period)
    assert excluded != after_response
    response.excluded_at = None  # let back in: the workbook is the one before the exclusion again
    response.save()
    assert period_change_stamp(period) == after_response
