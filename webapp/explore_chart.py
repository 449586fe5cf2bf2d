"""The chart of ``/explore``, laid out on the server: a line per search over the periods of a
timeline (:mod:`index.searching.timeline`), with axes, ticks and a legend, as plain geometry that
one SVG template draws inline in the page and as a file to download.

Drawn on the server, the chart needs no script and no library (the page's CSP allows neither
inline script nor another origin); each point is a link to the search of its period, and holds
an SVG ``<title>``, which browsers show on hover. A search is told apart by its colour *and* by
its line's dashes and its markers' shape, so that a reader who does not see colour (or prints in
grey) still can.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Colours of the series: dark enough against the page (3:1 at least, WCAG's for graphics) and
# apart in hue for the common colour blindnesses (after Okabe and Ito's palette, darkened).
COLOURS = ("#0b5394", "#c2410c", "#047857", "#7e22ce", "#6b4f0b")
DASHES = ("", "9 4", "3 3", "12 4 3 4", "18 6")
MARKERS = ("circle", "square", "diamond", "triangle", "cross")
# Two sizes: the page shows the wide one on a wide screen, the narrow one on a phone (so that
# its text is read at about its own size: a wide chart scaled to a phone's width is unreadable).
WIDE, NARROW = 720, 360
HEIGHT = 320
LEFT, RIGHT, TOP, BOTTOM = 60, 16, 20, 48
X_LABEL_WIDTH = 90  # room for one period's label under the axis
Y_TICKS = 5
MOST_MARKERS = 60  # periods past which points are drawn as the line alone (markers would touch)
LEGEND_ROW, LEGEND_CHAR, LEGEND_SAMPLE, LEGEND_LONGEST = 22, 7.5, 44, 48


@dataclass
class ChartPoint:
    x: float
    y: float
    value: float
    title: str  # what hovering shows, and the link's name
    href: str
    marker: str = ""  # the marker's outline; none when there are too many periods


@dataclass
class ChartLine:
    label: str
    colour: str
    dash: str
    marker: str
    path: str  # the polyline's points
    points: list[ChartPoint]
    legend_x: float = 0
    legend_y: float = 0
    legend_marker: str = ""


@dataclass
class Tick:
    at: float  # x or y in the chart's coordinates
    text: str


@dataclass
class Chart:
    title: str
    width: int
    height: int
    left: int
    top: int
    right: int  # x of the plot's right edge
    bottom: int  # y of the plot's baseline
    lines: list[ChartLine]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    empty: bool
    markers: bool


def _place_legend(lines: list[ChartLine], top: float, width: int) -> float:
    """Lay the legend out in rows under the axis (a row holds what fits the width); returns
    the chart's height with it."""
    x, y = float(LEFT), top
    for line in lines:
        room = LEGEND_SAMPLE + LEGEND_CHAR * len(line.label) + 24
        if x > LEFT and x + room > width - RIGHT:
            x, y = float(LEFT), y + LEGEND_ROW
        line.legend_x, line.legend_y = x, y
        line.legend_marker = marker_path(line.marker, x + LEGEND_SAMPLE / 2 - 4, y)
        x += room
    return y + LEGEND_ROW / 2 + 8


def nice_step(highest: float, whole: bool, ticks: int = Y_TICKS) -> float:
    """A round step (1, 2 or 5 times a power of ten) giving about ``ticks`` ticks up to
    ``highest``; at least 1 for ``whole`` numbers (counts)."""
    if highest <= 0:
        return 1.0
    raw = highest / ticks
    if whole and raw <= 1:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 5, 10):
        if raw <= multiple * power:
            return multiple * power
    return 10 * power


def marker_path(shape: str, x: float, y: float, size: float = 4.5) -> str:
    """The outline of a marker centred on ``x``, ``y`` (SVG path data)."""
    s = size
    if shape == "square":
        return f"M{x - s:.1f},{y - s:.1f}h{2 * s:.1f}v{2 * s:.1f}h{-2 * s:.1f}z"
    if shape == "diamond":
        t = s * 1.3
        return f"M{x:.1f},{y - t:.1f}L{x + t:.1f},{y:.1f}L{x:.1f},{y + t:.1f}L{x - t:.1f},{y:.1f}z"
    if shape == "triangle":
        t = s * 1.25
        return f"M{x:.1f},{y - t:.1f}L{x + t:.1f},{y + t * 0.8:.1f}L{x - t:.1f},{y + t * 0.8:.1f}z"
    if shape == "cross":
        t = s * 1.1
        return (
            f"M{x - t:.1f},{y - t:.1f}L{x + t:.1f},{y + t:.1f}"
            f"M{x - t:.1f},{y + t:.1f}L{x + t:.1f},{y - t:.1f}"
        )
    return (
        f"M{x - s:.1f},{y:.1f}a{s:.1f},{s:.1f} 0 1,0 {2 * s:.1f},0"
        f"a{s:.1f},{s:.1f} 0 1,0 {-2 * s:.1f},0z"
    )


def build_chart(
    title: str,
    series: list[dict[str, Any]],
    labels: list[str],
    value_of: Callable[[dict[str, Any]], float],
    format_value: Callable[[float], str],
    format_tick: Callable[[float], str],
    series_label: Callable[[int], str],
    href_of: Callable[[int, int], str],
    whole: bool = True,
    width: int = WIDE,
) -> Chart:
    """The chart of the timeline's ``series`` (each with its ``points``, all over the periods
    ``labels``): ``value_of`` reads a point's number for the measure shown, ``format_value``
    writes it (``format_tick`` an axis tick), ``series_label(i)`` names search ``i``,
    ``href_of(i, p)`` links its period ``p``; ``whole``: the values are counts."""
    count = len(labels)
    plot_width = width - LEFT - RIGHT
    plot_height = HEIGHT - TOP - BOTTOM
    baseline = TOP + plot_height
    values = [[value_of(point) for point in each["points"]] for each in series]
    highest = max((v for row in values for v in row), default=0)
    step = nice_step(highest, whole)
    top_value = step * max(1, math.ceil(highest / step)) if highest > 0 else step * Y_TICKS
    y_ticks = [
        Tick(baseline - plot_height * (i * step) / top_value, format_tick(i * step))
        for i in range(round(top_value / step) + 1)
    ]

    def x_at(period: int) -> float:
        return LEFT + plot_width * (period + 0.5) / max(count, 1)

    def y_at(value: float) -> float:
        return baseline - plot_height * value / top_value

    every = max(1, math.ceil(count / max(1, plot_width // X_LABEL_WIDTH)))
    x_ticks = [Tick(x_at(p), labels[p]) for p in range(0, count, every)]
    markers = count <= MOST_MARKERS
    lines = []
    for i, row in enumerate(values):
        label = series_label(i)
        if len(label) > LEGEND_LONGEST:
            label = label[: LEGEND_LONGEST - 1] + "…"
        points = [
            ChartPoint(
                x_at(p),
                y_at(value),
                value,
                f"{label} — {labels[p]}: {format_value(value)}",
                href_of(i, p),
                marker_path(MARKERS[i % len(MARKERS)], x_at(p), y_at(value)) if markers else "",
            )
            for p, value in enumerate(row)
        ]
        lines.append(
            ChartLine(
                label,
                COLOURS[i % len(COLOURS)],
                DASHES[i % len(DASHES)],
                MARKERS[i % len(MARKERS)],
                " ".join(f"{point.x:.1f},{point.y:.1f}" for point in points),
                points,
            )
        )
    height = _place_legend(lines, baseline + BOTTOM - 2, width)
    return Chart(
        title,
        width,
        round(height),
        LEFT,
        TOP,
        width - RIGHT,
        baseline,
        lines,
        x_ticks,
        y_ticks,
        empty=count == 0,
        markers=markers,
    )
