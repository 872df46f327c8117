"""Read the stored source text itself, so that tests cannot quietly drop a fact."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "data" / "sources" / "nato-relations-with-iraq.txt"
MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"


def lines() -> list[str]:
    return SOURCE.read_text(encoding="utf-8").split("\n")


def milestones() -> list[tuple[int, str]]:
    """(1-based line number, text) of every dated entry after the line "expand timeline"."""
    all_lines = lines()
    start = all_lines.index("expand timeline") + 1
    return [(n, text) for n, text in enumerate(all_lines[start:], start + 1) if text.strip()]


@dataclass(frozen=True)
class Figure:
    line: int
    text: str  # the figure as written, e.g. "Euro 115 million"
    value: Decimal  # the number it states, e.g. 115000000


_NUMBER = re.compile(r"(?<![\w.,-])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(\s+million)?(?![\w-])")


def figures() -> list[Figure]:
    """Every number of the source that is a figure, not part of a date or a name.

    Dates are skipped (a day before a month, a year of 19xx/20xx, "COVID-19"); the
    resolution number 1546 is a document, checked separately.
    """
    found = []
    for n, text in enumerate(lines(), 1):
        for m in _NUMBER.finditer(text):
            digits, million = m.group(1), m.group(2)
            after = text[m.end() : m.end() + 12]
            before = text[max(0, m.start() - 12) : m.start()]
            if re.match(rf"\s+({MONTHS})\b", after):  # "22 June 2004"
                continue
            if not million and re.fullmatch(r"(19|20)\d\d", digits):  # a year
                continue
            if digits == "1546" and before.endswith("Resolution "):
                continue
            if before.endswith("COVID-"):
                continue
            value = Decimal(digits.replace(",", ""))
            if million:
                value *= 1_000_000
            found.append(Figure(n, m.group(0).strip(), value))
    return found
