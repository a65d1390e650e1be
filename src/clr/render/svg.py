"""Charts as inline SVG, drawn by clr: no library, no script, no request when shown.

One kind of chart serves every figure of the dashboard: horizontal bars, one row per
category (a stage, a reason, a month), one bar per series in the row (all cases, or each
sex). Horizontal bars keep long labels readable and grow downwards, so that a chart of 40
months fits a phone as well as one of four stages. Values are written at the end of their
bar (no axis to read off), and a value that is suppressed or missing draws no bar and says
so in words.

The colours are the Okabe–Ito palette, told apart with every common colour-vision
deficiency; the series are also named in a legend in the same order as the bars. Each chart
is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>``; the table behind it, on the
page, is the text alternative with every number.

Every text put in a chart passes through ``safe.html``; the caller passes plain values.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from clr.render.safe import html

PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#000000",  # black
)
"""Okabe–Ito colours, a series each, in order (yellow left out: too pale on white)."""

WIDTH = 440
"""Width of a chart in SVG units (it scales to the width of the page)."""

_FONT = 13
_BAR = 14
_GAP = 4
_ROW_GAP = 10
_CHAR = 7.2  # average width of a character at _FONT, for laying out labels
_VALUE_ROOM = 84


@dataclass(frozen=True)
class Value:
    """One bar: its length, the text written after it, and what ties the text to its figure.

    ``number`` None draws no bar; ``attributes`` are ``data-figure``, ``data-sex`` and the
    like, put on the text.
    """

    number: float | None
    text: str
    attributes: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Chart:
    """A bar chart: a row per category, a bar per series in each row."""

    ident: str
    title: str
    description: str
    categories: Sequence[str]
    series: Sequence[str]
    values: Sequence[Sequence[Value]]  # values[category][series]
    unit_max: float | None = None  # the length of a full bar (100 for percentages)


def _attributes(extra: Mapping[str, str]) -> str:
    return "".join(f' {html(k)}="{html(v)}"' for k, v in extra.items())


def bars(chart: Chart) -> str:
    """The chart as an ``<svg>`` element."""
    label_room = min(170, max((len(c) for c in chart.categories), default=4) * _CHAR + 12)
    plot = WIDTH - label_room - _VALUE_ROOM
    numbers = [v.number for row in chart.values for v in row if v.number is not None]
    top = chart.unit_max or max([n for n in numbers if n > 0], default=1.0)
    nseries = max(len(chart.series), 1)
    legend_rows = 1 if len(chart.series) > 1 else 0
    row_height = nseries * _BAR + (nseries - 1) * _GAP
    y = 8 + legend_rows * (_FONT + 12)
    height = y + len(chart.categories) * (row_height + _ROW_GAP) + 4
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'role="img" aria-labelledby="{chart.ident}-t {chart.ident}-d" class="chart" '
        f'font-size="{_FONT}" font-family="sans-serif">',
        f'<title id="{chart.ident}-t">{html(chart.title)}</title>',
        f'<desc id="{chart.ident}-d">{html(chart.description)}</desc>',
    ]
    if legend_rows:
        x = label_room
        for i, name in enumerate(chart.series):
            colour = PALETTE[i % len(PALETTE)]
            out.append(
                f'<rect x="{x:.0f}" y="8" width="12" height="12" fill="{colour}"/>'
                f'<text x="{x + 16:.0f}" y="19" class="legend">{html(name)}</text>'
            )
            x += 16 + len(name) * _CHAR + 18
    for category, row in zip(chart.categories, chart.values, strict=True):
        middle = y + row_height / 2 + _FONT / 2 - 2
        out.append(
            f'<text x="{label_room - 8:.0f}" y="{middle:.0f}" text-anchor="end" '
            f'class="label">{html(_clip(category, label_room))}</text>'
        )
        for i, value in enumerate(row):
            top_y = y + i * (_BAR + _GAP)
            colour = PALETTE[i % len(PALETTE)]
            length = 0.0
            if value.number is not None and value.number > 0 and top > 0:
                length = max(1.0, plot * min(value.number, top) / top)
                out.append(
                    f'<rect x="{label_room:.0f}" y="{top_y:.0f}" width="{length:.1f}" '
                    f'height="{_BAR}" fill="{colour}"/>'
                )
            out.append(
                f'<text x="{label_room + length + 4:.1f}" y="{top_y + _BAR - 3:.0f}" '
                f'class="value"{_attributes(value.attributes)}>{html(value.text)}</text>'
            )
        y += row_height + _ROW_GAP
    out.append("</svg>")
    return "".join(out)


def _clip(text: str, room: float) -> str:
    most = int((room - 12) / _CHAR)
    return text if len(text) <= most else text[: max(1, most - 1)] + "…"
