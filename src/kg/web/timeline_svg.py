"""Draw timeline items as an SVG Gantt chart: one row each, a year axis, labels beside the marks."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.web.timeline import Item

WIDTH = 1100
ROW = 22
TOP = 34
SIDE = 16
CHAR = 6.4
"""Approximate width of one character of the 12px label font."""
MAX_CHARS = 105


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value[:10])


def _unknown_end(start: dt.date) -> dt.date:
    """Where a bar whose end the source does not state fades out (one year after its start)."""
    return start.replace(year=start.year + 1)


def _fit(label: str, chars: int) -> str:
    """``label``, cut at a word boundary with "…" if longer than ``chars``."""
    if len(label) <= chars:
        return label
    cut = label[: max(chars - 1, 1)].rsplit(" ", 1)[0]
    return cut + "…"


def draw(items: list[Item]) -> str:
    """An ``<svg>`` element (as text) with one linked row per item."""
    if not items:
        return '<svg class="timeline" width="400" height="40"><text x="10" y="25">No items</text></svg>'
    first = min(_date(i.start) for i in items).year
    last = max(_date(i.end or i.start) for i in items).year + 1
    span = (dt.date(last, 1, 1) - dt.date(first, 1, 1)).days

    def x(day: dt.date) -> float:
        return SIDE + (WIDTH - 2 * SIDE) * (day - dt.date(first, 1, 1)).days / span

    height = TOP + ROW * len(items) + 30
    out = [
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="Timeline of {len(items)} events and engagements">',
        '<defs><linearGradient id="open-end"><stop offset="0.7" stop-color="#9cc3e6"/>'
        '<stop offset="1" stop-color="#9cc3e6" stop-opacity="0.1"/></linearGradient></defs>',
        '<g class="axis">',
    ]
    for year in range(first, last + 1):
        gx = x(dt.date(year, 1, 1))
        out.append(f'<line class="grid" x1="{gx:.1f}" y1="{TOP - 14}" x2="{gx:.1f}" y2="{height - 20}"/>')
        if year < last:
            mid = x(dt.date(year, 7, 1))
            out.append(f'<text x="{mid:.1f}" y="{TOP - 18}" text-anchor="middle">{year}</text>')
            out.append(f'<text x="{mid:.1f}" y="{height - 6}" text-anchor="middle">{year}</text>')
    out.append("</g>")
    end_of_axis = dt.date(last, 1, 1)
    for row, item in enumerate(items):
        y = TOP + row * ROW + ROW / 2
        start = _date(item.start)
        end = _date(item.end) if item.end else end_of_axis if item.ongoing else _unknown_end(start)
        x0, x1 = x(start), max(x(end + dt.timedelta(days=1)), x(start) + 3)
        open_end = " open" if item.end is None and not item.ongoing else ""
        out.append(f'<a href="{escape(item.href)}" class="{item.kind}{open_end}">')
        tip = f"{item.label} — {item.when}" + (f" ({item.note})" if item.note else "")
        out.append(f"<title>{escape(tip)}</title>")
        if item.kind == "event" and item.start == (item.end or item.start):
            out.append(f'<circle cx="{x0:.1f}" cy="{y:.1f}" r="5"/>')
            x1 = x0 + 5
        else:
            h = 12 if item.kind == "engagement" else 8
            out.append(f'<rect x="{x0:.1f}" y="{y - h / 2:.1f}" width="{x1 - x0:.1f}" height="{h}" rx="2"/>')
        right, left = WIDTH - 4 - (x1 + 6), x0 - 10
        if x1 - x0 >= min(len(item.label), MAX_CHARS) * CHAR + 12:
            text = _fit(item.label, MAX_CHARS)
            out.append(f'<text x="{x0 + 6:.1f}" y="{y + 4:.1f}">{escape(text)}</text>')
            out.append("</a>")
            continue
        room = right if len(item.label) * CHAR <= right or right >= left else left
        text = _fit(item.label, min(MAX_CHARS, int(room / CHAR)))
        if room == right:
            out.append(f'<text x="{x1 + 6:.1f}" y="{y + 4:.1f}">{escape(text)}</text>')
        else:
            out.append(f'<text x="{x0 - 6:.1f}" y="{y + 4:.1f}" text-anchor="end">{escape(text)}</text>')
        out.append("</a>")
    out.append("</svg>")
    return "\n".join(out)
