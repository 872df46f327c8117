"""The timeline's marks as small SVGs with percentage coordinates: they stretch to any width (no
horizontal scrolling on a phone) and need no inline style or script.

Days are counted as ordinals, so an axis may end with the year 9999 (the day after it is no
``datetime.date``); a period of many years gets a label every few years, at most ``LABELS``.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from kg.web.views.timeline import Item, TimelineView

LABELS = 30


def _day(value: str) -> int:
    return dt.date.fromisoformat(value[:10]).toordinal()


def _new_year(year: int) -> int:
    """1 January ``year`` as an ordinal (also for the year after 9999)."""
    return dt.date(year, 1, 1).toordinal() if year <= dt.MAXYEAR else dt.date.max.toordinal() + 1


def position(day: int, first: int, last: int) -> float:
    """The ordinal ``day`` as a percentage of the axis from 1 January ``first`` to 31 December ``last``."""
    begin, end = _new_year(first), _new_year(last + 1)
    return 100 * min(max((day - begin) / (end - begin), 0.0), 1.0)


def axis(first: int, last: int) -> str:
    """The year axis: a tick and a label per year, or per few years on a long axis (every other
    label marked minor, hidden on phones)."""
    out = [
        f'<svg class="tl-axis-svg" width="100%" height="22" role="img" aria-label="Years {first} to {last}">'
    ]
    step = next(s for s in (1, 5, 10, 50, 100, 500, 1000, 10000) if (last - first) // s < LABELS)
    for n, year in enumerate(range(first, last + 1, step)):
        x = position(_new_year(year), first, last)
        mid = position(_new_year(year) + 182, first, last)
        out.append(f'<line x1="{x:.2f}%" x2="{x:.2f}%" y1="14" y2="22"/>')
        minor = " minor" if n % 2 else ""
        out.append(f'<text class="year{minor}" x="{mid:.2f}%" y="12" text-anchor="middle">{year}</text>')
    out.append("</svg>")
    return "".join(out)


def track(item: Item, first: int, last: int) -> str:
    """One item's mark on the axis: a dot for a day, a bar for a longer or vaguer date, a fading
    bar for an engagement whose end the source does not state."""
    if not item.dated:
        return ""
    start = _day(item.start)
    if item.end:
        end = _day(item.end)
    elif item.ongoing:
        end = _new_year(last + 1) - 1
    else:  # no end stated: the bar fades out a year after its start
        end = start + 365
    x0 = position(start, first, last)
    x1 = max(position(end + 1, first, last), x0 + 0.4)
    open_end = " open" if item.end is None and not item.ongoing and item.kind == "engagement" else ""
    tip = f"<title>{escape(item.label)} — {escape(item.when)}</title>"
    out = f'<svg class="tl-track {item.kind}{open_end}" width="100%" height="14" aria-hidden="true">{tip}'
    if item.kind == "event" and item.start == (item.end or item.start):
        out += f'<circle cx="{x0:.2f}%" cy="7" r="5"/>'
    else:
        h = 12 if item.kind == "engagement" else 8
        out += f'<rect x="{x0:.2f}%" y="{7 - h / 2:.0f}" width="{x1 - x0:.2f}%" height="{h}" rx="2"/>'
    return out + "</svg>"


def marks(view: TimelineView) -> tuple[str, dict[str, str]]:
    """The axis of ``view`` and the mark of each item on it, by the item's IRI."""
    return axis(view.first, view.last), {i.iri: track(i, view.first, view.last) for i in view.shown}
