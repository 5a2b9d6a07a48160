"""A line chart of an indicator's yearly series, drawn on the server as inline SVG.

No JavaScript and no chart library: the page shows the chart with scripts off, and the
figures are in a table right under it for screen readers and for copying.
"""

from __future__ import annotations

from dataclasses import dataclass

# Drawn for a phone: the SVG is scaled to its card (about 340 px wide on a phone, 360 px
# in a third of a desktop page), so one unit is about one CSS pixel and the 12-unit
# labels (static/css/envreg.css) stay readable; a 640-unit drawing shrank them to 6 px.
WIDTH, HEIGHT = 340, 200
LEFT, RIGHT, TOP, BOTTOM = 40, 12, 12, 28
MAX_X_LABELS = 6


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    value: float


@dataclass(frozen=True)
class Chart:
    """Coordinates for the template: the series polyline, its dots, the target line."""

    width: int
    height: int
    points: list[Point]
    polyline: str
    target_y: float
    target_label: str
    y_ticks: list[tuple[float, int]]
    x_ticks: list[tuple[float, str]]
    top: float
    bottom: float
    left: float
    right: float
    # x of the vertical line marking a break in the units (1 July 2025), or None.
    break_x: float | None = None
    break_label: str = ""


def line_chart(
    entries: list[tuple[str, float | None]],
    target_percent: int,
    *,
    break_before: int | None = None,
    break_label: str = "",
) -> Chart:
    """``entries`` are (label, value in percent or None); None leaves a gap in the dots.

    ``break_before`` (an index of ``entries``) draws a vertical line halfway before that
    entry: the figures from there on are by other units (the 2025 reform).
    """
    inner_w = WIDTH - LEFT - RIGHT
    inner_h = HEIGHT - TOP - BOTTOM
    step = inner_w / max(len(entries) - 1, 1)

    def y_of(percent: float) -> float:
        return round(TOP + inner_h * (1 - percent / 100), 1)

    points = [
        Point(x=round(LEFT + i * step, 1), y=y_of(value), label=label, value=value)
        for i, (label, value) in enumerate(entries)
        if value is not None
    ]
    # Label every year on a wide series would overlap: at most ~6 labels.
    every = max(1, -(-len(entries) // MAX_X_LABELS))
    x_ticks = [
        (round(LEFT + i * step, 1), label)
        for i, (label, _value) in enumerate(entries)
        if i % every == 0 or i == len(entries) - 1
    ]
    return Chart(
        width=WIDTH,
        height=HEIGHT,
        points=points,
        polyline=" ".join(f"{p.x},{p.y}" for p in points),
        target_y=y_of(target_percent),
        target_label=f"{target_percent}%",
        y_ticks=[(y_of(v), v) for v in (0, 25, 50, 75, 100)],
        x_ticks=x_ticks,
        top=TOP,
        bottom=HEIGHT - BOTTOM,
        left=LEFT,
        right=WIDTH - RIGHT,
        break_x=round(LEFT + (break_before - 0.5) * step, 1)
        if break_before is not None and 0 < break_before < len(entries)
        else None,
        break_label=break_label,
    )
