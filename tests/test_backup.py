"""Backup and restore as README describes: dumpdata of a populated database, loaddata into an empty
one (a fresh SQLite file, whatever the test database is), and the exported workbook is the same."""

import io
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command

from evaluations.excel.workbook import export_period
from evaluations.models import ReviewComment

from .excel_helpers import answer_all
from .factories import make_quick_win, subprocess_env, upload_all_datasets

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.django_db


def comparable(content):
    """Every cell of every sheet, without the parts that name when and by whom it was exported."""
    book = openpyxl.load_workbook(io.BytesIO(content) if isinstance(content, bytes) else content)
    result = {}
    for sheet in book.worksheets:
        rows = list(sheet.iter_rows(values_only=True))[1:]  # row 1 is the title with the time
        result[sheet.title] = [row for row in rows if not (row and row[0] in {"Dibuat pada", "Dibuat oleh"})]
    return result


def test_a_database_dumped_and_loaded_into_an_empty_one_exports_the_same_workbook(
    tmp_path, period, agency_a, agency_b, coordinator
):
    submission = answer_all(period, agency_a, status="submitted")
    answer = submission.answers.first()
    answer.verified_score = 2
    answer.save()
    ReviewComment.objects.create(answer=answer, author=coordinator, body="Lengkapi notulen")
    answer_all(period, agency_b)
    make_quick_win(period, agency_a, status="berjalan", name="Portal Satu Data")
    upload_all_datasets(period, agency_b, copies=3)

    backup = tmp_path / "backup.json"
    call_command(
        "dumpdata",
        "--natural-foreign",
        "--natural-primary",
        "--exclude",
        "contenttypes",
        "--exclude",
        "auth.permission",
        "--exclude",
        "sessions",
        "--exclude",
        "axes",
        "--exclude",
        "admin.logentry",
        "--output",
        str(backup),
        verbosity=0,
    )
    before = io.BytesIO()
    export_period(period, before, generated_by="Pemulihan")

    restored = tmp_path / "restored.sqlite3"
    env = subprocess_env(DATABASE_URL=f"sqlite:///{restored}", PRIVATE_MEDIA_ROOT=str(tmp_path / "uploads"))
    after = tmp_path / "after.xlsx"
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["loaddata", str(backup), "-v0"],
        ["export_evaluation", "--period", f"{period.year}/{period.stage}", "--output", str(after)],
    ):
        result = subprocess.run(
            [sys.executable, "manage.py", *command], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stderr

    assert comparable(before.getvalue()) == comparable(str(after))
    assert any("Portal Satu Data" in (row or ()) for row in comparable(str(after))["Quick Wins"])
