"""The Excel commands: export_evaluation, export_instrument, import_instrument (seed_scale has
its own slow test below)."""

import io
import os
import shutil
import subprocess

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from evaluations.models import Answer, Dimension, EvaluationPeriod, Question, QuickWin, RoadSegment, Submission

from .excel_helpers import answer_all, instrument_file, valid_instrument_sheets
from .factories import make_period
from .test_excel_workbook import SHEET_NAMES

pytestmark = pytest.mark.django_db


def write(tmp_path, sheets=None, name="instrumen.xlsx"):
    path = tmp_path / name
    path.write_bytes(instrument_file(sheets).getvalue())
    return path


def test_export_evaluation_writes_the_workbook_by_year_and_stage(tmp_path, period, agency_a, capsys):
    answer_all(period, agency_a)
    output = tmp_path / "evaluasi.xlsx"
    call_command("export_evaluation", "--period", "2024/1", "--output", str(output))
    book = openpyxl.load_workbook(output)
    assert book.sheetnames == SHEET_NAMES
    assert "export_evaluation:" in capsys.readouterr().out


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_export_evaluation_draws_a_progress_bar_on_a_terminal_and_not_in_a_log(tmp_path, period):
    terminal, log = Terminal(), io.StringIO()
    call_command("export_evaluation", "--period", "2024/1", "--output", str(tmp_path / "a.xlsx"), stdout=terminal)
    call_command("export_evaluation", "--period", "2024/1", "--output", str(tmp_path / "b.xlsx"), stdout=log)
    frames = terminal.getvalue().split("\r")
    total = len(SHEET_NAMES) + 1
    assert f"] 0/{total} Ringkasan" in frames[1]
    assert f"] {total - 1}/{total} Menyimpan berkas" in frames[-1]
    assert "\r" not in log.getvalue() and log.getvalue().startswith("export_evaluation:")


def test_export_evaluation_accepts_a_period_id(tmp_path, period):
    output = tmp_path / "evaluasi.xlsx"
    call_command("export_evaluation", "--period", str(period.pk), "--output", str(output))
    assert output.exists()


def test_an_unknown_period_is_a_clear_error(tmp_path, period):
    with pytest.raises(CommandError, match="tidak ditemukan"):
        call_command("export_evaluation", "--period", "1999/1", "--output", str(tmp_path / "x.xlsx"))


def test_libreoffice_opens_the_workbook_and_shows_typed_formulas_as_text(tmp_path, period, agency_a):
    if shutil.which("soffice") is None:
        message = "LibreOffice (soffice) is not installed: apt-get install libreoffice-calc-nogui"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    answer_all(period, agency_a, text="=1+1", status=Submission.Status.SUBMITTED)
    output = tmp_path / "evaluasi.xlsx"
    call_command("export_evaluation", "--period", "2024/1", "--output", str(output))
    # Every sheet to its own CSV file (the last filter option, -1), as LibreOffice computes it.
    subprocess.run(
        [
            "soffice",
            f"-env:UserInstallation=file://{tmp_path}/lo-profile",
            "--headless",
            "--convert-to",
            "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1",
            "--outdir",
            str(tmp_path),
            str(output),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    sheets = sorted(p.name for p in tmp_path.glob("evaluasi-*.csv"))
    assert sheets == sorted(f"evaluasi-{name}.csv" for name in SHEET_NAMES)
    answers = (tmp_path / "evaluasi-Jawaban per OPD.csv").read_text()
    assert "=1+1" in answers
    assert agency_a.name in answers


def test_export_instrument_then_import_instrument_round_trips(tmp_path):
    output = tmp_path / "instrumen.xlsx"
    call_command("export_instrument", "--period", "2024/1", "--output", str(output))
    target = make_period(year=2040)
    call_command("import_instrument", str(output), "--period", "2040/1")
    assert Question.objects.for_period(target).count() == 62


def test_import_instrument_dry_run_saves_nothing(tmp_path, capsys):
    target = make_period(year=2041)
    call_command("import_instrument", str(write(tmp_path)), "--period", "2041/1", "--dry-run")
    out = capsys.readouterr().out
    assert "Pertanyaan A.1.1: Ditambahkan" in out
    assert "uji coba): 8 ditambahkan, 0 diubah, 0 dihapus" in out
    assert not Dimension.objects.filter(national_id=target.national_id).exists()


def test_import_instrument_lists_errors_and_saves_nothing(tmp_path, capsys):
    target = make_period(year=2042)
    sheets = valid_instrument_sheets()
    sheets["dimensi"][1][2] = "banyak"
    with pytest.raises(CommandError, match="1 kesalahan"):
        call_command("import_instrument", str(write(tmp_path, sheets)), "--period", "2042/1")
    assert 'lembar "dimensi", baris 2, kolom "bobot"' in capsys.readouterr().err
    assert not Dimension.objects.filter(national_id=target.national_id).exists()


def test_import_instrument_refuses_a_file_that_is_not_an_xlsx(tmp_path):
    bad = tmp_path / "instrumen.xlsx"
    bad.write_text("bukan excel")
    make_period(year=2043)
    with pytest.raises(CommandError, match="bukan berkas Excel"):
        call_command("import_instrument", str(bad), "--period", "2043/1")


def test_import_instrument_refuses_a_file_that_drops_answered_questions(tmp_path, period, agency_a):
    answer_all(period, agency_a)
    with pytest.raises(CommandError, match="18 pertanyaan yang sudah dijawab"):
        call_command("import_instrument", str(write(tmp_path)), "--period", "2024/1")


def test_seed_scale_creates_a_period_where_every_agency_answered_everything(settings, tmp_path, capsys):
    settings.DEBUG = True
    call_command("seed_scale", "--agencies", "4", "--questions", "24", "--year", "2098")
    period = EvaluationPeriod.objects.get(year=2098, stage="1")
    assert Question.objects.for_period(period).count() == 24
    assert Submission.objects.filter(period=period).count() == 4
    assert Answer.objects.filter(submission__period=period).count() == 4 * 24
    assert QuickWin.objects.filter(period=period).count() == 40
    assert RoadSegment.objects.filter(period=period).count() == 5000
    roads = RoadSegment.objects.filter(period=period)
    for road in roads[:200]:
        assert road.baik_km + road.sedang_km + road.rusak_ringan_km + road.rusak_berat_km == road.length_km
        assert road.aspal_km + road.lapen_km + road.beton_km + road.kerikil_km + road.tanah_km == road.length_km
    assert "seed_scale:" in capsys.readouterr().out
    output = tmp_path / "skala.xlsx"
    call_command("export_evaluation", "--period", "2098/1", "--output", str(output))
    book = openpyxl.load_workbook(output)
    assert book["Kuesioner"].max_row == 2 + 24  # one row per question
    handed_in = Submission.objects.filter(period=period, status__in=["submitted", "approved"]).count()
    assert handed_in == 2  # of the four agencies: draft, submitted, returned, approved
    assert book["Jawaban per OPD"].max_row == 2 + handed_in * 24


def test_seed_scale_refuses_an_existing_period_unless_asked_to_replace(settings):
    settings.DEBUG = True
    call_command("seed_scale", "--agencies", "2", "--questions", "12", "--year", "2097")
    with pytest.raises(CommandError, match="--replace"):
        call_command("seed_scale", "--agencies", "2", "--questions", "12", "--year", "2097")
    call_command("seed_scale", "--agencies", "2", "--questions", "12", "--year", "2097", "--replace")


def test_seed_scale_refuses_to_run_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_scale")


def test_seed_scale_draws_a_progress_bar_per_agency_on_a_terminal(settings):
    settings.DEBUG = True
    terminal = Terminal()
    call_command("seed_scale", "--agencies", "3", "--questions", "12", "--year", "2096", stdout=terminal)
    frames = terminal.getvalue().split("\r")
    assert [frame.split("] ")[1].split()[0] for frame in frames[1:]] == ["0/3", "1/3", "2/3"]
    assert "\nseed_scale: periode Uji skala 2096" in frames[-1]  # the summary on a line of its own
