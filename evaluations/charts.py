"""Server-rendered SVG charts for the results page: plain functions from numbers to an SVG string.

No JavaScript, no database access, no inline style attributes (the CSP forbids them): colours are
SVG presentation attributes and CSS classes. Every value is also written as text in the chart, so
the chart reads without colour and prints.
"""

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe

from .models.instrument import format_score

SCORE_MAX = 4
# One colour per series: verified, self-assessed, previous period.
PALETTE = ["#0d6efd", "#20c997", "#6c757d", "#fd7e14"]


@dataclass
class Series:
    name: str
    values: list  # one Decimal (or None) per row / axis


def _f(x):
    """A coordinate with at most 2 decimals, dot-separated as SVG wants it."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


def bar_chart(labels, series, *, title, max_value=SCORE_MAX, width=680, label_width=260, fmt=format_score):
    """Horizontal bars: one group per label, one bar per series, each followed by its value."""
    bar_h, gap, group_gap, legend_h = 16, 4, 14, 24
    value_w = 56
    plot_w = width - label_width - value_w
    group_h = len(series) * (bar_h + gap) - gap
    height = legend_h + len(labels) * (group_h + group_gap) + 20
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-bar" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    parts += _legend(series, 0, 4)
    y = legend_h
    for row, label in enumerate(labels):
        short = label if len(label) <= 34 else label[:33].rstrip() + "…"
        parts.append(
            f'<text class="chart-label" x="{label_width - 8}" y="{_f(y + group_h / 2 + 4)}" '
            f'text-anchor="end" font-size="12"><title>{escape(label)}</title>{escape(short)}</text>'
        )
        for index, s in enumerate(series):
            value = s.values[row]
            bar_w = 0 if value is None else plot_w * float(value) / max_value
            top = y + index * (bar_h + gap)
            colour = PALETTE[index % len(PALETTE)]
            parts.append(
                f'<rect class="chart-bar-{index}" x="{label_width}" y="{top}" width="{_f(bar_w)}" '
                f'height="{bar_h}" fill="{colour}"><title>{escape(s.name)}: {fmt(value)}</title></rect>'
            )
            parts.append(
                f'<text class="chart-value" x="{_f(label_width + bar_w + 4)}" y="{top + bar_h - 4}" '
                f'font-size="12">{fmt(value)}</text>'
            )
        y += group_h + group_gap
    # The scale 0..max under the bars.
    for tick in range(max_value + 1):
        x = label_width + plot_w * tick / max_value
        parts.append(
            f'<line x1="{_f(x)}" y1="{legend_h - 4}" x2="{_f(x)}" y2="{y - group_gap + 4}" '
            f'stroke="#dee2e6" stroke-width="1"/>'
        )
        parts.append(f'<text x="{_f(x)}" y="{y + 6}" text-anchor="middle" font-size="10">{tick}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))


def radar_point(cx, cy, radius, index, count, value, max_value=SCORE_MAX):
    """Axis `index` of `count` starts at the top and goes clockwise; value 0 is the centre."""
    angle = -math.pi / 2 + 2 * math.pi * index / count
    r = radius * float(value or 0) / max_value
    return cx + r * math.cos(angle), cy + r * math.sin(angle)


def radar_chart(axes, series, *, title, max_value=SCORE_MAX, size=420, fmt=format_score):
    """A radar (spider) chart: one axis per label (the six pillars), one polygon per series.
    The first series' values are written at its points."""
    legend_h, margin = 24, 90  # room for the axis labels left and right
    cx, cy = margin + size / 2, legend_h + size / 2
    radius = size / 2 - 40
    count = len(axes)
    width, height = size + 2 * margin, size + legend_h
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-radar" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" role="img" aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
    ]
    parts += _legend(series, 0, 4)
    for ring in range(1, max_value + 1):
        corners = (radar_point(cx, cy, radius, i, count, ring, max_value) for i in range(count))
        points = " ".join(f"{_f(x)},{_f(y)}" for x, y in corners)
        parts.append(f'<polygon class="chart-grid" points="{points}" fill="none" stroke="#dee2e6" stroke-width="1"/>')
    for i, label in enumerate(axes):
        x, y = radar_point(cx, cy, radius, i, count, max_value, max_value)
        parts.append(f'<line x1="{_f(cx)}" y1="{_f(cy)}" x2="{_f(x)}" y2="{_f(y)}" stroke="#ced4da" stroke-width="1"/>')
        lx, ly = radar_point(cx, cy, radius + 16, i, count, max_value, max_value)
        anchor = "middle" if abs(lx - cx) < 1 else ("start" if lx > cx else "end")
        parts.append(
            f'<text class="chart-label" x="{_f(lx)}" y="{_f(ly + 4)}" text-anchor="{anchor}" '
            f'font-size="12">{escape(label)}</text>'
        )
    for index in reversed(range(len(series))):
        s = series[index]
        colour = PALETTE[index % len(PALETTE)]
        points = [radar_point(cx, cy, radius, i, count, v, max_value) for i, v in enumerate(s.values)]
        parts.append(
            f'<polygon class="chart-series-{index}" points="{" ".join(f"{_f(x)},{_f(y)}" for x, y in points)}" '
            f'fill="{colour}" fill-opacity="0.15" stroke="{colour}" stroke-width="2">'
            f"<title>{escape(s.name)}</title></polygon>"
        )
    if series:
        for (x, y), value, label in zip(
            (radar_point(cx, cy, radius, i, count, v, max_value) for i, v in enumerate(series[0].values)),
            series[0].values,
            axes,
            strict=True,
        ):
            parts.append(f'<circle cx="{_f(x)}" cy="{_f(y)}" r="3" fill="{PALETTE[0]}"/>')
            parts.append(
                f'<text class="chart-value" x="{_f(x + 5)}" y="{_f(y - 5)}" font-size="11">'
                f"<title>{escape(label)}</title>{fmt(value)}</text>"
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _legend(series, x, y):
    parts, offset = [], x
    for index, s in enumerate(series):
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="{offset}" y="{y}" width="12" height="12" fill="{colour}"/>')
        parts.append(f'<text x="{offset + 16}" y="{y + 10}" font-size="12">{escape(s.name)}</text>')
        offset += 24 + 8 * len(s.name)
    return parts
