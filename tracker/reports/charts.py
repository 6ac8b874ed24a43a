"""Geometry for the small SVG charts drawn in Jinja (templates/reports/_charts.html).

Charts are rendered on the server as inline SVG: nothing to download, no script (a CSP can forbid inline
JavaScript), and they print like text. Each function returns plain numbers and strings; the macros only
place them. Every chart is shown with a table of the same figures beside it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from math import ceil, log10


def nice_max(value: float, minimum: float = 1) -> float:
    """A round upper bound for an axis (1, 2, 2.5, 5 × 10^n) at least ``value``."""
    value = max(value, minimum)
    magnitude = 10 ** int(log10(value)) if value >= 1 else 10 ** (int(log10(value)) - 1)
    for step in (1, 2, 2.5, 5, 10):
        if step * magnitude >= value:
            return step * magnitude
    return 10 * magnitude


def nice_axis(value: float) -> float:
    """Axis maximum split into four round steps (so counts get whole-number ticks)."""
    return 4 * nice_max(value / 4, minimum=0.25 if value < 1 else 1)


def _fmt(value: float) -> str:
    return f"{value:.0f}" if float(value).is_integer() else f"{value:.1f}"


@dataclass
class Segment:
    x: float
    width: float
    value: float
    color: str
    name: str


@dataclass
class BarRow:
    label: str
    y: float
    segments: list[Segment] = field(default_factory=list)
    total_text: str = ""
    total_x: float = 0


@dataclass
class BarChart:
    """Horizontal (stacked) bars: one row per label."""

    width: int
    height: int
    label_width: int
    bar_height: int
    rows: list[BarRow]
    legend: list[tuple[str, str]]  # (name, colour)
    ticks: list[tuple[float, str]]
    plot_top: int
    plot_bottom: int


def bar_chart(rows: list[tuple[str, list[tuple[str, float]]]], colors: dict[str, str], names: dict[str, str],
              *, width: int = 560, label_width: int = 150, bar_height: int = 18, gap: int = 8,
              max_value: float | None = None, suffix: str = "") -> BarChart:
    """``rows`` is ``[(label, [(series key, value), ...]), ...]``; several keys stack left to right."""
    legend_height = 22 if len(colors) > 1 else 0
    plot_left, plot_right = label_width, width - 48
    top = legend_height + 6
    totals = [sum(value for _key, value in segments) for _label, segments in rows]
    axis_max = max_value if max_value is not None else nice_axis(max(totals, default=0))
    scale = (plot_right - plot_left) / axis_max if axis_max else 0
    chart_rows = []
    for index, (label, segments) in enumerate(rows):
        y = top + index * (bar_height + gap)
        x = plot_left
        row = BarRow(label=label, y=y)
        for key, value in segments:
            if value <= 0:
                continue
            row.segments.append(Segment(x, value * scale, value, colors[key], str(names.get(key, key))))
            x += value * scale
        total = sum(value for _key, value in segments)
        row.total_text = _fmt(total) + suffix
        row.total_x = x + 4
        chart_rows.append(row)
    bottom = top + len(rows) * (bar_height + gap)
    ticks = [(plot_left + scale * axis_max * i / 4, _fmt(axis_max * i / 4) + suffix) for i in range(5)]
    legend = [(str(names.get(key, key)), color) for key, color in colors.items()] if legend_height else []
    return BarChart(width, bottom + 20, label_width, bar_height, chart_rows, legend, ticks, top, bottom)


@dataclass
class Series:
    name: str
    color: str
    points: list[tuple[float, float]]  # data coordinates
    dashed: bool = False
    labels: list[str] = field(default_factory=list)  # tooltip per point


@dataclass
class DrawnSeries:
    name: str
    color: str
    dashed: bool
    path: str
    markers: list[tuple[float, float, str]]


@dataclass
class Column:
    x: float
    y: float
    width: float
    height: float
    label: str
    value_text: str


@dataclass
class XYChart:
    """A line chart with optional columns, in a box with a y axis on the left."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    series: list[DrawnSeries]
    columns: list[Column]
    column_color: str
    x_ticks: list[tuple[float, str]]
    y_ticks: list[tuple[float, str]]
    legend: list[tuple[str, str, bool]]
    reference_lines: list[tuple[float, str, str]]  # (y, label, colour)


def xy_chart(*, series: list[Series] = (), columns: list[tuple[str, float]] = (), column_color: str = "#b71c1c",
             column_name: str = "", x_min: float = 0, x_max: float = 1, x_ticks: list[tuple[float, str]] = (),
             y_min: float = 0, y_max: float | None = None, y_suffix: str = "",
             reference: list[tuple[float, str, str]] = (), width: int = 560, height: int = 240) -> XYChart:
    """Columns sit at x = 0..n-1 (with ``x_min=-0.5, x_max=n-0.5``); series use the same data coordinates."""
    left, right, top, bottom = 52, width - 16, 28, height - 34
    values = [y for s in series for _x, y in s.points] + [value for _label, value in columns]
    values += [value for value, _label, _color in reference]
    top_value = y_max if y_max is not None else nice_axis(max(values, default=0) - y_min) + y_min
    span_x = (x_max - x_min) or 1
    span_y = (top_value - y_min) or 1

    def px(x: float) -> float:
        return round(left + (x - x_min) / span_x * (right - left), 1)

    def py(y: float) -> float:
        return round(bottom - (y - y_min) / span_y * (bottom - top), 1)

    drawn = []
    for s in series:
        coords = [(px(x), py(y)) for x, y in s.points]
        path = " ".join(f"{'M' if i == 0 else 'L'}{x},{y}" for i, (x, y) in enumerate(coords))
        tips = s.labels or [_fmt(y) + y_suffix for _x, y in s.points]
        drawn.append(DrawnSeries(s.name, s.color, s.dashed, path,
                                 [(x, y, tip) for (x, y), tip in zip(coords, tips)]))
    drawn_columns = []
    if columns:
        slot = (right - left) / span_x
        for index, (label, value) in enumerate(columns):
            x_center = px(index)
            column_top = py(value)
            drawn_columns.append(Column(round(x_center - slot * 0.3, 1), column_top, round(slot * 0.6, 1),
                                        round(py(y_min) - column_top, 1), label, _fmt(value)))
    y_ticks = [(py(y_min + span_y * i / 4), _fmt(y_min + span_y * i / 4) + y_suffix) for i in range(5)]
    legend = [(s.name, s.color, s.dashed) for s in series]
    if columns and column_name:
        legend.insert(0, (column_name, column_color, False))
    return XYChart(width, height, left, right, top, bottom, drawn, drawn_columns, column_color,
                   [(px(x), label) for x, label in x_ticks], y_ticks, legend,
                   [(py(value), label, color) for value, label, color in reference])


def month_ticks(labels: list[str], every: int | None = None) -> list[tuple[float, str]]:
    """Ticks at 0..n-1, thinned so that at most about five labels show."""
    step = every or max(1, ceil(len(labels) / 5))
    return [(index, label) for index, label in enumerate(labels) if index % step == 0 or index == len(labels) - 1]
