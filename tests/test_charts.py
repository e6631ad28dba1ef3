"""The SVG chart helpers: the right geometry and the numbers as text."""

import math
import re
from decimal import Decimal

from evaluations import charts
from evaluations.charts import Series

D = Decimal


def test_a_bar_is_as_long_as_its_share_of_the_maximum_score():
    svg = charts.bar_chart(["A. Kebijakan"], [Series("Verifikasi", [D("2")])], title="Skor", width=300)
    plot_width = 300 - 40  # less room for the value after the bar
    assert f'<rect class="chart-bar-0" x="0" y="40" width="{plot_width // 2}"' in svg


def test_bar_values_are_written_as_text_with_a_decimal_comma():
    svg = charts.bar_chart(
        ["A. Kebijakan", "B. Kelembagaan"],
        [Series("Verifikasi", [D("2.505"), D(4)]), Series("Mandiri", [D(3), None])],
        title="Skor per dimensi",
    )
    values = re.findall(r'<text class="chart-value"[^>]*>([^<]*)</text>', svg)
    assert values == ["2,51", "3,00", "4,00", "belum ada data"]
    assert "<title>Skor per dimensi</title>" in svg
    assert "Verifikasi" in svg and "Mandiri" in svg


def test_a_missing_value_draws_a_grey_bar_saying_no_data_and_a_real_zero_an_empty_one():
    svg = charts.bar_chart(["A", "B"], [Series("Verifikasi", [None, D(0)])], title="Skor")
    # Under the one-line legend (24) and the label's line (16).
    assert '<rect class="chart-bar-nodata" x="0" y="40" width="' in svg
    assert "<title>Verifikasi: belum ada data</title>" in svg
    assert re.search(r'<rect class="chart-bar-0" x="0" y="[0-9.]+" width="0"', svg)
    assert re.findall(r'<text class="chart-value"[^>]*>([^<]*)</text>', svg) == ["belum ada data", "0,00"]


def test_long_labels_are_shortened_with_the_full_text_in_a_tooltip():
    label = "D. Pelaksanaan program pembangunan smart city"
    svg = charts.bar_chart([label], [Series("Verifikasi", [D(1)])], title="Skor", width=200)
    assert f"<title>{label}</title>" in svg
    # 200 units hold 28 characters at 12 units.
    assert "D. Pelaksanaan program pemb…</text>" in svg


def test_labels_are_escaped():
    svg = charts.bar_chart(['<script>alert("x")</script>'], [Series("<b>", [D(1)])], title="a&b")
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    assert "a&amp;b" in svg


def test_charts_use_no_inline_style_attributes():
    bar = charts.bar_chart(["A"], [Series("V", [D(1)])], title="t")
    radar = charts.radar_chart(["GOV", "BRA", "ECO"], [Series("V", [D(1), D(2), D(3)])], title="t")
    assert "style=" not in bar
    assert "style=" not in radar


def test_the_radar_puts_the_first_axis_at_the_top_and_goes_clockwise():
    cx, cy, r = 100, 100, 80
    assert charts.radar_point(cx, cy, r, 0, 6, D(4)) == (100, 20)
    x, y = charts.radar_point(cx, cy, r, 1, 6, D(2))
    assert math.isclose(x, 100 + 40 * math.cos(math.radians(-30)))
    assert math.isclose(y, 100 + 40 * math.sin(math.radians(-30)))
    assert charts.radar_point(cx, cy, r, 3, 6, None) == (100, 100)


def test_the_radar_polygon_and_labels_show_the_six_pillars_values():
    axes = ["Governance", "Branding", "Economy", "Living", "Society", "Environment"]
    values = [D(4), D("3.5"), D(3), D("2.25"), D(2), D(1)]
    svg = charts.radar_chart(axes, [Series("Verifikasi", values)], title="Pilar", width=320)
    # 320 wide, labels 78 + 8 on each side: radius 74, centre x 160; legend 24 and one label line
    # above (16 + 8): centre y 24 + 24 + 74 = 122; score 4 on top is (160, 48).
    polygon = re.search(r'<polygon class="chart-series-0" points="([^"]+)"', svg).group(1)
    assert polygon.split()[0] == "160,48"
    assert len(polygon.split()) == 6
    texts = re.findall(r'<text class="chart-value"[^>]*><title>[^<]*</title>([^<]*)</text>', svg)
    assert texts == ["4,00", "3,50", "3,00", "2,25", "2,00", "1,00"]
    for axis in axes:
        assert f">{axis}</tspan></text>" in svg


def test_long_axis_labels_are_wrapped_onto_lines_with_the_full_name_in_a_tooltip():
    svg = charts.radar_chart(["Smart Environment", "Smart Governance", "X"], [Series("V", [D(1)] * 3)], title="t")
    label = re.search(r'<text class="chart-label"[^>]*><title>Smart Environment</title>(.*?)</text>', svg).group(1)
    assert re.findall(r"<tspan[^>]*>([^<]*)</tspan>", label) == ["Smart", "Environment"]


def test_every_text_in_a_chart_is_at_least_12_units_in_a_drawing_at_most_320_wide():
    """So a phone (at least 320 px for the chart) never shrinks the text below 12 px."""
    bar = charts.bar_chart(["A", "B"], [Series("V", [D(1), D(2)]), Series("M", [D(3), None])], title="t")
    radar = charts.radar_chart(["GOV", "BRA", "ECO"], [Series("V", [D(1), D(2), D(3)])], title="t")
    for svg in (bar, radar):
        assert float(re.search(r'viewBox="0 0 ([\d.]+) ', svg).group(1)) <= 320
        sizes = re.findall(r"<text[^>]*font-size=\"([\d.]+)\"", svg)
        assert sizes and min(float(size) for size in sizes) >= 12
        assert svg.count("<text") == len(sizes)


def test_the_radar_draws_one_polygon_per_series():
    svg = charts.radar_chart(
        ["A", "B", "C"], [Series("2024", [D(1), D(2), D(3)]), Series("2023", [D(2), D(2), D(2)])], title="t"
    )
    assert 'class="chart-series-0"' in svg
    assert 'class="chart-series-1"' in svg
