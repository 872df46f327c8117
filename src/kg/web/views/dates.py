"""Dates in words, with the precision the source gives them.

>>> when("2004-06-22", "22 June 2004", "day", "2004-06-22", "2004-06-22")
'22 June 2004 (day)'
>>> when("2004", "End 2004", "part of year", "2004-10-01", "2004-12-31")
'End 2004 (part of year: 1 Oct – 31 Dec 2004)'
>>> when("2004-11", "November 2004", "month", "2004-11-01", "2004-11-30")
'November 2004 (month: 1 – 30 Nov 2004)'
>>> when(None, "since January 2017", "month", "2017-01-01", None)
'since January 2017 (month: from 1 Jan 2017)'
"""

from __future__ import annotations

import datetime as dt

from kg.namespaces import ONTOLOGY, PREFIXES

PRECISIONS = {
    PREFIXES["time"] + "unitDay": "day",
    PREFIXES["time"] + "unitMonth": "month",
    PREFIXES["time"] + "unitYear": "year",
    ONTOLOGY + "unitPartOfYear": "part of year",
}
MONTHS = [dt.date(2000, m, 1).strftime("%B") for m in range(1, 13)]


def _parse(value: str | None) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def short(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1][:3]} {day.year}"


def long(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def span(start: dt.date | None, end: dt.date | None) -> str:
    """``1 Oct – 31 Dec 2004``; shared month and year are written once."""
    if start and end:
        if start == end:
            return short(start)
        if (start.year, start.month) == (end.year, end.month):
            return f"{start.day} – {short(end)}"
        if start.year == end.year:
            return f"{start.day} {MONTHS[start.month - 1][:3]} – {short(end)}"
        return f"{short(start)} – {short(end)}"
    if start:
        return f"from {short(start)}"
    return f"until {short(end)}" if end else ""


def in_words(value: str | None, precision: str | None) -> str | None:
    """An ``xsd:date``/``gYearMonth``/``gYear`` value in words (``None`` if it does not parse)."""
    if not value:
        return None
    parts = value.split("-")
    try:
        if len(parts) >= 3 and precision in (None, "day"):
            return long(dt.date.fromisoformat(value[:10]))
        if len(parts) == 2:
            return f"{MONTHS[int(parts[1]) - 1]} {int(parts[0])}"
        if len(parts) == 1 and precision != "part of year":
            return str(int(parts[0]))
    except (ValueError, IndexError):
        return None
    return None


def when(
    value: str | None,
    text: str | None,
    precision: str | None,
    earliest: str | None,
    latest: str | None,
) -> str | None:
    """The date of an event or engagement in words, with its precision and computed bounds."""
    words = in_words(value, precision) or (text[:1].upper() + text[1:] if text and value else text)
    start, end = _parse(earliest), _parse(latest)
    if not words:
        words = span(start, end) or None
        if not words:
            return None
    if precision is None:
        return words
    bounds = span(start, end)
    if precision == "day" and (start is None or start == end):
        return f"{words} (day)"
    return f"{words} ({precision}: {bounds})" if bounds else f"{words} ({precision})"
