"""Static SVG charts, drawn at build time: a trend line chart and a breakdown bar chart.

No plotting library and no script: each chart is a string of SVG that the report pages inline,
so a page works offline, prints, and reads the same in every browser. Every chart carries a
<title> and a <desc> (its text alternative; the pages add the figures as a table too).

Figures that are not shown (suppressed `c`, not applicable `z`, not available `x`) are never
drawn as zero: a line breaks at them (a gap) and the symbol is written where the point would be.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from html import escape

WIDTH = 640
PLOT_HEIGHT = 200
MARGIN_LEFT = 64
MARGIN_RIGHT = 16
MARGIN_TOP = 16
TEXT = "#1a1a1a"
GRID = "#d0d0d0"
AXIS = "#595959"
FONT = "font-family:Arial,Helvetica,sans-serif"


@dataclass(frozen=True)
class SeriesStyle:
    colour: str
    marker: str = "circle"  # circle | square | diamond | none
    dash: str = ""  # stroke-dasharray; comparators are dashed so colour is never the only cue
    width: float = 2.5


@dataclass(frozen=True)
class Point:
    """One figure: `value` when shown, else `symbol` (c, z or x) and no value."""

    label: str
    value: float | None
    symbol: str = ""


@dataclass
class Series:
    name: str
    style: SeriesStyle
    points: list[Point] = field(default_factory=list)


@dataclass(frozen=True)
class Bar:
    category: str
    series: str
    value: float | None
    symbol: str = ""


def nice_ticks(low: float, high: float, count: int = 5, *, whole_numbers: bool = False) -> list[float]:
    """Round axis ticks covering [low, high] (the axis starts at `low`); steps of at least 1 for
    counts, so an axis of counts never shows a fraction of a child."""
    if high <= low:
        high = low + 1
    raw = (high - low) / max(count, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    if whole_numbers:
        step = max(1, math.ceil(step))
    first = math.floor(low / step) * step
    ticks = []
    tick = first
    while tick < high + step * 0.999:
        ticks.append(round(tick, 10))
        tick += step
    return ticks


def format_number(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


def _axis_range(values: list[float], whole_numbers: bool = False) -> tuple[float, float]:
    # Axes start at zero (figures here are counts, percentages and rates, never negative) unless a
    # value is negative (a gap between groups or a progress score); zero is part of the picture a
    # reader expects. An axis with nothing above zero still spans something (5 for counts).
    low = min([0.0, *values])
    high = max([0.0, *values])
    return low, high if high > low else low + (5 if whole_numbers else 1)


def _marker(shape: str, x: float, y: float, colour: str, css_class: str = "legend-marker") -> str:
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}" class="{css_class}"/>'
    if shape == "diamond":
        return f'<path d="M{x:.1f} {y - 5.5:.1f}L{x + 5.5:.1f} {y:.1f}L{x:.1f} {y + 5.5:.1f}L{x - 5.5:.1f} {y:.1f}Z" fill="{colour}" class="{css_class}"/>'
    if shape == "circle":
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4.5" fill="{colour}" class="{css_class}"/>'
    return ""


def _open_svg(chart_id: str, title: str, description: str, height: float) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height:.0f}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}" style="{FONT}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{height:.0f}" fill="#ffffff"/>',
    ]


def tick_decimals(ticks: list[float]) -> int:
    """Decimals that tell the ticks apart (0, 0.2, 0.4 need one; 0, 250, 500 none)."""
    step = ticks[1] - ticks[0] if len(ticks) > 1 else 1
    return max(0, -math.floor(math.log10(step) + 1e-9)) if step < 1 else (1 if step != int(step) else 0)


def _y_axis(ticks: list[float], y_of, unit_label: str) -> list[str]:
    parts, decimals = [], tick_decimals(ticks)
    for tick in ticks:
        y = y_of(tick)
        parts.append(f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{MARGIN_LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12" fill="{TEXT}">{escape(format_number(tick, decimals))}</text>')
    parts.append(
        f'<text x="14" y="{MARGIN_TOP + PLOT_HEIGHT / 2:.1f}" font-size="12" fill="{TEXT}" text-anchor="middle" '
        f'transform="rotate(-90 14 {MARGIN_TOP + PLOT_HEIGHT / 2:.1f})">{escape(unit_label)}</text>'
    )
    return parts


def _legend(entries: list[tuple[str, SeriesStyle]], y: float, note: str = "") -> tuple[list[str], float]:
    """The legend from `y` down, wrapping to new rows; returns its parts and the y below it."""
    parts, x = [], MARGIN_LEFT
    for name, style in entries:
        width = 7 * len(name) + 44
        if x + width > WIDTH - MARGIN_RIGHT and x > MARGIN_LEFT:
            x, y = MARGIN_LEFT, y + 18
        parts.append(
            f'<line x1="{x}" x2="{x + 24}" y1="{y:.1f}" y2="{y:.1f}" stroke="{style.colour}" stroke-width="{style.width}"'
            + (f' stroke-dasharray="{style.dash}"' if style.dash else "")
            + "/>"
        )
        parts.append(_marker(style.marker, x + 12, y, style.colour))
        parts.append(f'<text x="{x + 30}" y="{y + 4:.1f}" font-size="12" fill="{TEXT}">{escape(name)}</text>')
        x += width
    if note:
        y += 20
        parts.append(f'<text x="{MARGIN_LEFT}" y="{y + 4:.1f}" font-size="12" fill="{TEXT}">{escape(note)}</text>')
    return parts, y + 16


def _symbol_note(symbols: set[str]) -> str:
    words = {"c": "c = suppressed to protect children", "z": "z = not applicable", "x": "x = not available"}
    shown = [words[s] for s in ("c", "z", "x") if s in symbols]
    return ("Gaps: " + "; ".join(shown) + ".") if shown else ""


def line_chart(chart_id: str, title: str, description: str, periods: list[str], series: list[Series], *, unit_label: str, whole_numbers: bool = False) -> str:
    """A trend over `periods`: one line per series, broken where a figure is not shown."""
    values = [p.value for s in series for p in s.points if p.value is not None]
    low, high = _axis_range(values, whole_numbers)
    ticks = nice_ticks(low, high, whole_numbers=whole_numbers)
    low, high = ticks[0], ticks[-1]
    plot_top, plot_bottom = MARGIN_TOP, MARGIN_TOP + PLOT_HEIGHT
    # Room either side for the first and last period labels.
    plot_left, plot_right = MARGIN_LEFT + 40, WIDTH - MARGIN_RIGHT - 44

    def x_of(index: int) -> float:
        if len(periods) == 1:
            return (plot_left + plot_right) / 2
        return plot_left + index * (plot_right - plot_left) / (len(periods) - 1)

    def y_of(value: float) -> float:
        return plot_bottom - (value - low) / (high - low) * (plot_bottom - plot_top)

    parts = _y_axis(ticks, y_of, unit_label)
    parts.append(f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - MARGIN_RIGHT}" y1="{plot_bottom}" y2="{plot_bottom}" stroke="{AXIS}" stroke-width="1"/>')
    for index, period in enumerate(periods):
        parts.append(f'<text x="{x_of(index):.1f}" y="{plot_bottom + 18}" text-anchor="middle" font-size="12" fill="{TEXT}">{escape(period)}</text>')
    symbols: set[str] = set()
    position = {period: i for i, period in enumerate(periods)}
    for line_number, one in enumerate(series):
        style = one.style
        by_period = {p.label: p for p in one.points}
        runs: list[list[tuple[float, float]]] = [[]]
        for period in periods:
            point = by_period.get(period)
            if point is None or point.value is None:
                if runs[-1]:
                    runs.append([])
                continue
            runs[-1].append((x_of(position[period]), y_of(point.value)))
        dash = f' stroke-dasharray="{style.dash}"' if style.dash else ""
        for run in runs:
            if len(run) > 1:
                path = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f} {y:.1f}" for i, (x, y) in enumerate(run))
                parts.append(f'<path d="{path}" fill="none" stroke="{style.colour}" stroke-width="{style.width}"{dash} class="series"/>')
            # Lines without markers (comparators) still need a dot when a run is a single point.
            shape = style.marker if style.marker != "none" else ("circle" if len(run) == 1 else "none")
            for x, y in run:
                parts.append(_marker(shape, x, y, style.colour, "point"))
        # The symbol sits just above the axis, staggered per series so two gaps do not overlap.
        for point in one.points:
            if point.value is None and point.symbol and point.label in position:
                symbols.add(point.symbol)
                x = x_of(position[point.label]) + (line_number - 1) * 12
                parts.append(
                    f'<text x="{x:.1f}" y="{plot_bottom - 6}" text-anchor="middle" font-size="13" font-weight="bold" '
                    f'fill="{style.colour}" class="gap-symbol"><title>{escape(one.name)} {escape(point.label)}: {escape(point.symbol)}</title>{escape(point.symbol)}</text>'
                )
    legend, bottom = _legend([(s.name, s.style) for s in series], plot_bottom + 40, _symbol_note(symbols))
    parts = [*_open_svg(chart_id, title, description, bottom), *parts, *legend, "</svg>"]
    return "\n".join(p for p in parts if p)


def bar_chart(
    chart_id: str, title: str, description: str, categories: list[str], bars: list[Bar], styles: dict[str, SeriesStyle], *, decimals: int, unit_label: str, whole_numbers: bool = False
) -> str:
    """Horizontal bars: one group per category, one bar per series; no bar where not shown."""
    series_names = list(styles)
    row_height = 14
    group_height = row_height * len(series_names) + 10
    label_width = 150
    values = [b.value for b in bars if b.value is not None]
    low, high = _axis_range(values, whole_numbers)
    ticks = nice_ticks(low, high, whole_numbers=whole_numbers)
    axis_decimals = tick_decimals(ticks)
    low, high = ticks[0], ticks[-1]
    left, right = label_width + 8, WIDTH - MARGIN_RIGHT - 40
    plot_bottom = MARGIN_TOP + group_height * len(categories)

    def x_of(value: float) -> float:
        return left + (value - low) / (high - low) * (right - left)

    parts = []
    for tick in ticks:
        x = x_of(tick)
        parts.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{MARGIN_TOP}" y2="{plot_bottom}" stroke="{GRID}" stroke-width="1"/>')
        parts.append(f'<text x="{x:.1f}" y="{plot_bottom + 16}" text-anchor="middle" font-size="12" fill="{TEXT}">{escape(format_number(tick, axis_decimals))}</text>')
    parts.append(f'<text x="{(left + right) / 2:.1f}" y="{plot_bottom + 32}" text-anchor="middle" font-size="12" fill="{TEXT}">{escape(unit_label)}</text>')
    by_key = {(b.category, b.series): b for b in bars}
    symbols: set[str] = set()
    for group, category in enumerate(categories):
        top = MARGIN_TOP + group * group_height
        parts.append(f'<text x="{label_width}" y="{top + group_height / 2:.1f}" text-anchor="end" font-size="12" fill="{TEXT}">{escape(_shorten(category, 24))}<title>{escape(category)}</title></text>')
        for row, name in enumerate(series_names):
            bar = by_key.get((category, name))
            y = top + row * row_height + 2
            style = styles[name]
            if bar is None:
                continue
            if bar.value is None:
                symbols.add(bar.symbol)
                parts.append(
                    f'<text x="{left + 4}" y="{y + 10}" font-size="12" font-weight="bold" fill="{style.colour}" class="gap-symbol">'
                    f"<title>{escape(name)} {escape(category)}: {escape(bar.symbol)}</title>{escape(bar.symbol)}</text>"
                )
                continue
            x0, x1 = sorted((x_of(0 if low <= 0 <= high else low), x_of(bar.value)))
            parts.append(f'<rect x="{x0:.1f}" y="{y:.1f}" width="{max(x1 - x0, 0.5):.1f}" height="{row_height - 3}" fill="{style.colour}" class="bar"/>')
            parts.append(f'<text x="{x1 + 4:.1f}" y="{y + 10:.1f}" font-size="11" fill="{TEXT}">{escape(format_number(bar.value, decimals))}</text>')
    legend, bottom = _legend([(name, SeriesStyle(styles[name].colour, "square", "", 8)) for name in series_names], plot_bottom + 52, _symbol_note(symbols))
    parts = [*_open_svg(chart_id, title, description, bottom), *parts, *legend, "</svg>"]
    return "\n".join(p for p in parts if p)


def _shorten(text: str, length: int) -> str:
    return text if len(text) <= length else text[: length - 1] + "…"


def relative_luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(foreground: str, background: str = "#ffffff") -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
