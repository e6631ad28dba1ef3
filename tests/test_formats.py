"""One date format and one number format per language, everywhere (issue 24, item 14)."""

import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation

from evaluations.formats import format_figure, format_percent, whole_percent

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
# A date "5 Desember 2026", a moment "5 Des 2026 14:38", a day of a table of days "Sab, 5 Des 2026";
# "c" and "Y-m-d" are for machines (a datetime attribute, a data- key), and a time alone ("sejak
# 14:38") is the same moment's time.
DATE_FORMATS = {"j F Y", "j M Y H:i", "D, j M Y", "H:i", "c", "Y-m-d"}


def test_a_count_against_its_target_is_rounded_not_cut_and_never_100_before_the_target():
    assert whole_percent(5, 30) == 17  # was 16: cut
    assert whole_percent(1, 3) == 33
    assert whole_percent(499, 500) == 99  # 99.8 rounds to 100, but the target is not reached
    assert whole_percent(50, 50) == 100
    assert whole_percent(60, 50) == 120
    assert whole_percent(3, 0) == 0


def test_percentages_side_by_side_carry_the_same_decimals():
    assert [format_percent(v) for v in (Decimal("54.545"), Decimal(80), Decimal("60.5"), None)] == [
        "54,55",
        "80,00",
        "60,50",
        "–",
    ]
    with translation.override("en"):
        assert format_percent(Decimal("1234.5")) == "1,234.50"


def test_a_figure_is_a_whole_count_or_a_measure_with_two_decimals():
    assert [format_figure(v) for v in (1234, Decimal("80"), Decimal("12.345"), None, "SD")] == [
        "1.234",
        "80,00",
        "12,35",
        "–",
        "SD",
    ]


def _date_formats():
    for path in sorted(TEMPLATES.rglob("*.html")):
        for match in re.finditer(r"""\|date:["']([^"']*)["']""", path.read_text()):
            yield str(path.relative_to(TEMPLATES)), match.group(1)


@pytest.mark.parametrize(("path", "fmt"), list(_date_formats()))
def test_every_template_writes_dates_in_the_one_format_of_its_kind(path, fmt):
    assert fmt in DATE_FORMATS, f"{path}: date:{fmt!r} (use 'j F Y' for a date, 'j M Y H:i' for a moment)"
