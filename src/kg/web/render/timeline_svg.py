"""The timeline's marks as small SVGs with percentage coordinates: they stretch to any width (no
horizontal scrolling on a phone) and need no inline style or script."""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.web.routes.timeline import Item


def _date(value: str) -> dt.date:
    return dt.date.fromisoformat(value[:10])


def _unknown_end(start: dt.date) -> dt.date:
    """Where a bar whose end the source does not state fades out (one year after its start)."""
    return start.replace(year=start.year + 1)


def position(day: dt.date, first: int, last: int) -> float:
    """``day`` as a percentage of the axis from 1 January ``first`` to 31 December ``last``."""
    begin, end = dt.date(first, 1, 1), dt.date(last + 1, 1, 1)
    share = (day - begin).days / (end - begin).days
    return 100 * min(max(share, 0.0), 1.0)


def axis(first: int, last: int) -> str:
    """The year axis: a tick and a label per year (odd labels marked minor, hidden on phones)."""
    out = [
        f'<svg class="tl-axis-svg" width="100%" height="22" role="img" aria-label="Years {first} to {last}">'
    ]
    step = 1 if last - first < 30 else 5
    for year in range(first, last + 1):
        x = position(dt.date(year, 1, 1), first, last)
        mid = position(dt.date(year, 7, 1), first, last)
        out.append(f'<line x1="{x:.2f}%" x2="{x:.2f}%" y1="14" y2="22"/>')
        if (year - first) % step == 0:
            minor = " minor" if (year - first) % 2 else ""
            out.append(f'<text class="year{minor}" x="{mid:.2f}%" y="12" text-anchor="middle">{year}</text>')
    out.append("</svg>")
    return "".join(out)


def track(item: Item, first: int, last: int) -> str:
    """One item's mark on the axis: a dot for a day, a bar for a longer or vaguer date, a fading
    bar for an engagement whose end the source does not state."""
    if not item.dated:
        return ""
    start = _date(item.start)
    axis_end = dt.date(last, 12, 31)
    end = _date(item.end) if item.end else axis_end if item.ongoing else _unknown_end(start)
    x0 = position(start, first, last)
    x1 = max(position(end + dt.timedelta(days=1), first, last), x0 + 0.4)
    open_end = " open" if item.end is None and not item.ongoing and item.kind == "engagement" else ""
    tip = f"<title>{escape(item.label)} — {escape(item.when)}</title>"
    out = f'<svg class="tl-track {item.kind}{open_end}" width="100%" height="14" aria-hidden="true">{tip}'
    if item.kind == "event" and item.start == (item.end or item.start):
        out += f'<circle cx="{x0:.2f}%" cy="7" r="5"/>'
    else:
        h = 12 if item.kind == "engagement" else 8
        out += f'<rect x="{x0:.2f}%" y="{7 - h / 2:.0f}" width="{x1 - x0:.2f}%" height="{h}" rx="2"/>'
    return out + "</svg>"
