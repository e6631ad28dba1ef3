"""Server-rendered SVG charts for the results page and the leader's home: plain functions from
numbers to an SVG string.

No JavaScript, no database access, no inline style attributes (the CSP forbids them): colours are
SVG presentation attributes and CSS classes. Every value is also written as text in the chart, so
the chart reads without colour and prints.

Text in an SVG shrinks with the drawing: a 680-unit-wide chart squeezed onto a 375 px phone drew its
12-unit labels at about 5 px. So every chart is drawn at most WIDTH units wide, the narrowest space
a phone gives a chart (a 375 px screen less the page's padding), with text of at least FONT_SIZE
units: the browser never has to shrink it there, and static/css/app.css lets it grow only a little
on wider screens.
"""

import math
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from .models.instrument import format_score

SCORE_MAX = 4
WIDTH = 320
FONT_SIZE = 12
LINE_HEIGHT = 16
# One colour per series: verified, self-assessed, previous period.
PALETTE = ["#0d6efd", "#20c997", "#6c757d", "#fd7e14"]


@dataclass
class Series:
    name: str
    values: list  # one Decimal (or None) per row / axis


def _f(x):
    """A coordinate with at most 2 decimals, dot-separated as SVG wants it."""
    return f"{x:.2f}".rstrip("0").rstrip(".")


def _shorten(text, max_chars):
    return text if len(text) <= max_chars else text[: max_chars - 1].rstrip() + "…"


def _wrap(text, max_chars):
    """Words into lines of at most max_chars (a longer word gets a line of its own)."""
    lines = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= max_chars:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _text(x, y, content, *, css_class=None, anchor=None, tooltip=None):
    attrs = f' class="{css_class}"' if css_class else ""
    attrs += f' x="{_f(x)}" y="{_f(y)}"'
    attrs += f' text-anchor="{anchor}"' if anchor else ""
    title = f"<title>{escape(tooltip)}</title>" if tooltip else ""
    return f'<text{attrs} font-size="{FONT_SIZE}">{title}{content}</text>'


def bar_chart(labels, series, *, title, max_value=SCORE_MAX, width=WIDTH, fmt=format_score):
    """Horizontal bars: one group per label, the label on its own line above its bars (a label
    beside the bars would leave the bars no room on a phone), one bar per series, each followed by
    its value; the scale 0..max_value underneath."""
    bar_h, gap, group_gap, value_w = 14, 3, 12, 40
    plot_w = width - value_w
    label_chars = width // 7  # about 7 units per character at 12 units
    group_h = LINE_HEIGHT + len(series) * (bar_h + gap)
    top = _legend_height(series)
    height = top + len(labels) * (group_h + group_gap) + LINE_HEIGHT + 4
    parts = [_svg_open("chart-bar", width, height, title)]
    parts += _legend(series, width)
    y = top
    for row, label in enumerate(labels):
        parts.append(
            _text(0, y + FONT_SIZE, escape(_shorten(label, label_chars)), css_class="chart-label", tooltip=label)
        )
        for index, s in enumerate(series):
            value = s.values[row]
            bar_y = y + LINE_HEIGHT + index * (bar_h + gap)
            if value is None:
                # No data is not a score of 0: a grey bar across the plot, labelled so.
                text = _("belum ada data")
                parts.append(
                    f'<rect class="chart-bar-nodata" x="0" y="{_f(bar_y)}" width="{_f(plot_w)}" '
                    f'height="{bar_h}" fill="#e9ecef"><title>{escape(s.name)}: {text}</title></rect>'
                )
                parts.append(_text(4, bar_y + bar_h - 2, text, css_class="chart-value"))
                continue
            bar_w = plot_w * float(value) / max_value
            colour = PALETTE[index % len(PALETTE)]
            parts.append(
                f'<rect class="chart-bar-{index}" x="0" y="{_f(bar_y)}" width="{_f(bar_w)}" '
                f'height="{bar_h}" fill="{colour}"><title>{escape(s.name)}: {fmt(value)}</title></rect>'
            )
            parts.append(_text(bar_w + 4, bar_y + bar_h - 2, fmt(value), css_class="chart-value"))
        y += group_h + group_gap
    # The scale 0..max under the bars; the outer ticks' text stays inside the drawing.
    for tick in range(max_value + 1):
        x = plot_w * tick / max_value
        parts.append(
            f'<line x1="{_f(x)}" y1="{top}" x2="{_f(x)}" y2="{_f(y - group_gap)}" stroke="#dee2e6" stroke-width="1"/>'
        )
        anchor = "start" if tick == 0 else "middle"
        parts.append(_text(x, y + FONT_SIZE, str(tick), css_class="chart-tick", anchor=anchor))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def radar_point(cx, cy, radius, index, count, value, max_value=SCORE_MAX):
    """Axis `index` of `count` starts at the top and goes clockwise; value 0 is the centre."""
    angle = -math.pi / 2 + 2 * math.pi * index / count
    r = radius * float(value or 0) / max_value
    return cx + r * math.cos(angle), cy + r * math.sin(angle)


def radar_chart(axes, series, *, title, max_value=SCORE_MAX, width=WIDTH, fmt=format_score):
    """A radar (spider) chart: one axis per label (the six pillars), one polygon per series.
    Axis labels are wrapped onto lines of at most 11 characters ("Smart" / "Environment"), which
    leaves the plot most of a phone's width. The first series' values are written at its points."""
    label_chars, label_w = 11, 78  # 11 characters at 12 units fit in 78 units
    legend_h = _legend_height(series)
    radius = width / 2 - label_w - 8
    label_lines = [_wrap(label, label_chars) for label in axes]
    above = max((len(lines) for lines in label_lines), default=1) * LINE_HEIGHT + 8
    cx, cy = width / 2, legend_h + above + radius
    height = cy + radius + above
    count = len(axes)
    parts = [_svg_open("chart-radar", width, height, title)]
    parts += _legend(series, width)
    for ring in range(1, max_value + 1):
        corners = (radar_point(cx, cy, radius, i, count, ring, max_value) for i in range(count))
        points = " ".join(f"{_f(x)},{_f(y)}" for x, y in corners)
        parts.append(f'<polygon class="chart-grid" points="{points}" fill="none" stroke="#dee2e6" stroke-width="1"/>')
    for i, (label, lines) in enumerate(zip(axes, label_lines, strict=True)):
        x, y = radar_point(cx, cy, radius, i, count, max_value, max_value)
        parts.append(f'<line x1="{_f(cx)}" y1="{_f(cy)}" x2="{_f(x)}" y2="{_f(y)}" stroke="#ced4da" stroke-width="1"/>')
        lx, ly = radar_point(cx, cy, radius + 8, i, count, max_value, max_value)
        anchor = "middle" if abs(lx - cx) < 1 else ("start" if lx > cx else "end")
        # Lines stack upwards above the top axis, downwards below the bottom one, centred beside.
        if anchor == "middle" and ly < cy:
            first = ly - (len(lines) - 1) * LINE_HEIGHT - 4
        elif anchor == "middle":
            first = ly + FONT_SIZE
        else:
            first = ly + 4 - (len(lines) - 1) * LINE_HEIGHT / 2
        spans = "".join(
            f'<tspan x="{_f(lx)}" y="{_f(first + n * LINE_HEIGHT)}">{escape(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        parts.append(_text(lx, first, spans, css_class="chart-label", anchor=anchor, tooltip=label))
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
            parts.append(_text(x + 5, y - 5, fmt(value), css_class="chart-value", tooltip=label))
    parts.append("</svg>")
    return mark_safe("".join(parts))


def _svg_open(css_class, width, height, title):
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{css_class}" viewBox="0 0 {_f(width)} {_f(height)}" '
        f'width="{_f(width)}" height="{_f(height)}" role="img" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>"
    )


def _legend_height(series):
    return len(series) * LINE_HEIGHT + 8


def _legend(series, width):
    """One line per series: side by side, several names do not fit a phone's width."""
    parts = []
    for index, s in enumerate(series):
        y = index * LINE_HEIGHT
        colour = PALETTE[index % len(PALETTE)]
        parts.append(f'<rect x="0" y="{y + 2}" width="12" height="12" fill="{colour}"/>')
        parts.append(
            _text(16, y + FONT_SIZE + 1, escape(_shorten(s.name, (width - 16) // 7)), css_class="chart-legend")
        )
    return parts
