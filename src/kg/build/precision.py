"""Dates at the precision the source gives them: their unit and the days they can stand for.

``nio:date`` keeps the source's precision (``xsd:date``, ``xsd:gYearMonth``, ``xsd:gYear``);
``nio:dateText`` keeps its wording. From both the build derives the unit (``time:unitType``)
and the earliest and latest possible day. One date *agrees* with another when its days contain
the other's ("July 2018" contains "11 July 2018"); the narrower of two agreeing dates is the
more precise.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

import pyoxigraph as ox

from kg.namespaces import ONTOLOGY, PREFIXES

XSD = PREFIXES["xsd"]
TIME = PREFIXES["time"]
UNIT_DAY = TIME + "unitDay"
UNIT_MONTH = TIME + "unitMonth"
UNIT_YEAR = TIME + "unitYear"
UNIT_PART_OF_YEAR = ONTOLOGY + "unitPartOfYear"

# part of a year: the words of nio:dateText → (first month, last month)
PARTS_OF_YEAR = (
    ("spring", 3, 5),
    ("summer", 6, 8),
    ("autumn", 9, 11),
    ("end", 10, 12),
    ("late", 10, 12),
    ("early", 1, 3),
)

Interval = tuple[date, date | None]
"""Earliest and latest possible day (``None``: no latest day, an open end)."""


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def _part_of_year(text: str) -> tuple[int, int] | None:
    words = text.lower()
    for word, start, end in PARTS_OF_YEAR:
        if re.search(rf"\b{word}\b", words):
            return start, end
    return None


def unit_of(value: ox.Literal, text: str) -> str:
    """The precision of a date: day, month, year, or part of a year (a year whose text says which part)."""
    datatype = value.datatype.value.removeprefix(XSD)
    if datatype == "date":
        return UNIT_DAY
    if datatype == "gYearMonth":
        return UNIT_MONTH
    if datatype == "gYear":
        return UNIT_PART_OF_YEAR if _part_of_year(text) else UNIT_YEAR
    raise ValueError(f"nio:date of datatype xsd:{datatype} has no rule")


def date_bounds(value: ox.Literal, text: str) -> Interval:
    """Earliest and latest possible day of a date at its precision (latest None: open end).

    ``text`` decides a part of a year ("End 2004", "late 2017", "spring 2020").
    """
    lexical = value.value
    datatype = value.datatype.value.removeprefix(XSD)
    unit = unit_of(value, text)
    if datatype == "date":
        day = date.fromisoformat(lexical)
        return day, day
    if datatype == "gYearMonth":
        year, month = (int(p) for p in lexical.split("-"))
        return date(year, month, 1), month_end(year, month)
    if datatype == "gYear":
        year = int(lexical)
        if unit == UNIT_PART_OF_YEAR:
            part = _part_of_year(text)
            if part is None:
                raise ValueError(f"no rule for the part of a year in {text!r}")
            return date(year, part[0], 1), month_end(year, part[1])
        return date(year, 1, 1), date(year, 12, 31)
    raise ValueError(f"nio:date of datatype xsd:{datatype} has no rule")


def contains(outer: Interval, inner: Interval) -> bool:
    """Whether every day of ``inner`` is a day of ``outer``."""
    if inner[0] < outer[0]:
        return False
    if outer[1] is None:
        return True
    return inner[1] is not None and inner[1] <= outer[1]


def width(interval: Interval) -> int:
    """Days an interval spans (an open end counts as wider than any closed one)."""
    return 10**9 if interval[1] is None else (interval[1] - interval[0]).days
