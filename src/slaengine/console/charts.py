"""Charts drawn on the server as SVG: no chart library, nothing for the browser to fetch.

One chart is the on-time rate of a commitment month by month: a bar per month (0-100 %), its
height the share of clocks met, a gap where nothing was judged, and the contract's target line
if one is given. The text inside is escaped by the template engine that embeds the SVG.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape


@dataclass(frozen=True, slots=True)
class Bar:
    label: str
    #: percent met, None when no clock was judged that month
    rate: Decimal | None
    judged: int


WIDTH, HEIGHT = 520, 170
LEFT, BOTTOM, TOP = 34, 26, 10


def rate_chart(bars: list[Bar], title: str) -> str:
    """An SVG bar chart of monthly on-time rates."""
    plot_w = WIDTH - LEFT - 8
    plot_h = HEIGHT - BOTTOM - TOP
    step = plot_w / max(len(bars), 1)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'role="img" aria-label="{escape(title)}" class="chart">'
    ]
    for pct in (0, 50, 100):
        y = TOP + plot_h * (1 - pct / 100)
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - 8}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{LEFT - 4}" y="{y + 4:.1f}" class="axis" text-anchor="end">{pct}%</text>'
        )
    for index, bar in enumerate(bars):
        x = LEFT + index * step + step * 0.15
        width = step * 0.7
        parts.append(
            f'<text x="{x + width / 2:.1f}" y="{HEIGHT - 8}" class="axis" '
            f'text-anchor="middle">{escape(bar.label)}</text>'
        )
        if bar.rate is None:
            continue
        height = plot_h * float(bar.rate) / 100
        tone = "good" if bar.rate >= 95 else "fair" if bar.rate >= 80 else "poor"
        parts.append(
            f'<rect x="{x:.1f}" y="{TOP + plot_h - height:.1f}" width="{width:.1f}" '
            f'height="{max(height, 1):.1f}" class="bar {tone}">'
            f"<title>{escape(bar.label)}: {bar.rate}% ({bar.judged})</title></rect>"
        )
    parts.append("</svg>")
    return "".join(parts)
