"""Bar charts as inline SVG: no script, no external assets, with a text alternative.

Each chart is an ``<svg role="img">`` labelled by its own ``<title>`` and ``<desc>``; the
description reads every value out, and the report shows the same values in a table. Colours
keep a contrast ratio above 7:1 against white.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from markupsafe import Markup

__all__ = ["bar_chart"]

_INK = "#1a1a1a"
_BAR = "#1d4f91"
_RULE = "#595959"
_WIDTH = 680
_LABEL_WIDTH = 150
_VALUE_WIDTH = 80
_ROW = 24
_TOP = 12
_BOTTOM = 12


def bar_chart(
    *,
    chart_id: str,
    title: str,
    description: str,
    bars: Sequence[tuple[str, float | None]],
    unit: str,
    maximum: float | None = None,
) -> Markup:
    """A horizontal bar chart, one labelled bar per ``(label, value)``.

    Args:
        chart_id: an id unique in the page; the title and description ids derive from it.
        title: the chart's accessible name.
        description: what the chart shows; each bar's value is appended to it.
        bars: labels and values; ``None`` is drawn as "n/a" with no bar.
        unit: written after each value, such as ``"%"`` or ``" h"``.
        maximum: the value a full-width bar stands for; the largest value when omitted.

    Raises:
        ValueError: when a value is negative or not finite.
    """
    values = [value for _, value in bars if value is not None]
    if any(not math.isfinite(value) or value < 0 for value in values):
        raise ValueError("bar values are finite and not negative")
    scale = maximum if maximum is not None else max(values, default=0.0)
    plot_width = _WIDTH - _LABEL_WIDTH - _VALUE_WIDTH
    height = _TOP + _BOTTOM + _ROW * max(len(bars), 1)
    readings = "; ".join(f"{label}: {_reading(value, unit)}" for label, value in bars)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{_WIDTH}" '
        f'height="{height}" viewBox="0 0 {_WIDTH} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)} {escape(readings or "No data.")}</desc>',
        f'<line x1="{_LABEL_WIDTH}" y1="{_TOP - 4}" x2="{_LABEL_WIDTH}" '
        f'y2="{height - _BOTTOM + 4}" stroke="{_RULE}" stroke-width="1"/>',
    ]
    for index, (label, value) in enumerate(bars):
        top = _TOP + index * _ROW
        middle = top + _ROW / 2
        parts.append(
            f'<text x="{_LABEL_WIDTH - 8}" y="{middle:.1f}" text-anchor="end" '
            f'dominant-baseline="middle" fill="{_INK}">{escape(label)}</text>'
        )
        length = 0.0
        if value is not None and scale > 0:
            length = plot_width * min(value / scale, 1.0)
            parts.append(
                f'<rect x="{_LABEL_WIDTH}" y="{top + 4}" width="{length:.1f}" '
                f'height="{_ROW - 8}" fill="{_BAR}"/>'
            )
        parts.append(
            f'<text x="{_LABEL_WIDTH + length + 6:.1f}" y="{middle:.1f}" '
            f'dominant-baseline="middle" fill="{_INK}">{escape(_reading(value, unit))}</text>'
        )
    parts.append("</svg>")
    # Every text and label above went through escape().
    return Markup("\n".join(parts))  # noqa: S704


def _reading(value: float | None, unit: str) -> str:
    if value is None:
        return "n/a"
    shown = f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"
    return f"{shown}{unit}"
