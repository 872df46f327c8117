"""An engagement (mission, programme, package, initiative): when it started and ended, or that it
is ongoing, its status, and a dated history of every event that changed it. One rule for the
entity page's summary, the timeline's bars and ``engagements.csv``:

- start: its own ``sem:hasEarliestBeginTimeStamp``; else the earliest event that launched or
  established it; else the earliest event that changed it;
- end: its own ``sem:hasLatestEndTimeStamp``; else the event that discontinued or renamed it
  (``org:originalOrganization``); else none: ongoing if its ``nio:status`` says so. In words, the
  end is the ending event's date where there is one (often more precise than the time stamp).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from kg.namespaces import PREFIXES
from kg.web.iris import href
from kg.web.views.dates import MONTHS, PRECISIONS, long, when
from kg.web.views.queries import PROLOGUE, Row

CHANGE = PREFIXES["changetype"]
STARTS = {CHANGE + "launch", CHANGE + "establishment"}
ENDS = {CHANGE + "discontinuation"}
RENAMED = "renamed or succeeded"
FACTS = ("el", "date", "text", "unit", "start", "end")


@dataclass
class Change:
    iri: str
    label: str
    href: str
    change: str
    when: str
    sort: str
    end: str = ""


@dataclass
class Summary:
    start: str | None
    """When it started, in words."""
    end: str | None
    ongoing: bool
    status: str | None
    history: list[Change] = field(default_factory=list)
    undated: list[Change] = field(default_factory=list)
    first: str = ""
    """The start as a time stamp (``""``: not known)."""
    last: str | None = None
    """The end as a time stamp (``None``: not stated)."""
    dated_from: str = ""
    """Where start or end come from when the engagement has no time stamps of its own."""


SUMMARY_PATTERN = """{{ ?e nio:affects {g} .
     OPTIONAL {{ ?e nio:changeType ?ct OPTIONAL {{ ?ct skos:prefLabel|rdfs:label ?ctl }} }}
     OPTIONAL {{ ?e rdfs:label ?el }}
     OPTIONAL {{ ?e sem:hasEarliestBeginTimeStamp ?start }} OPTIONAL {{ ?e sem:hasLatestEndTimeStamp ?end }}
     OPTIONAL {{ ?e nio:date ?date }} OPTIONAL {{ ?e nio:dateText ?text }}
     OPTIONAL {{ ?e time:unitType ?unit }} }}
  UNION {{ ?e org:originalOrganization {g} . BIND("renamed or succeeded" AS ?ctl)
     OPTIONAL {{ ?e rdfs:label ?el }} OPTIONAL {{ ?e sem:hasEarliestBeginTimeStamp ?start }} }}
  UNION {{ {g} nio:status ?st . OPTIONAL {{ ?st skos:prefLabel|rdfs:label ?stl }} }}
  UNION {{ {g} sem:hasEarliestBeginTimeStamp ?own . OPTIONAL {{ {g} sem:hasLatestEndTimeStamp ?ownEnd }}
           OPTIONAL {{ {g} time:unitType ?ownUnit }} }}"""
"""The graph pattern of an engagement's summary rows (``{g}``: its IRI in ``<>``, or ``?g``)."""


SUMMARIES = f"""{PROLOGUE}
SELECT ?g ?e ?el ?ct ?ctl ?start ?end ?date ?text ?unit ?st ?stl ?own ?ownEnd ?ownUnit WHERE {{
  ?g a/rdfs:subClassOf* nio:Engagement .
  {SUMMARY_PATTERN.format(g="?g")}
}}"""
"""The rows of every engagement's summary, in one query (``?g`` the engagement)."""


def _day(value: str | None, precision: str | None = None) -> str | None:
    """A time stamp in words at the precision of the date it bounds ("2004" for a year)."""
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value[:10])
    except ValueError:
        return value
    if precision == "year":
        return str(day.year)
    if precision == "month":
        return f"{MONTHS[day.month - 1]} {day.year}"
    return long(day)


def summarize(rows: list[Row], prefix: str = "") -> Summary:
    """One engagement's summary from its rows (of ``summary_pattern``), in any order."""
    status = min((r.get("stl") or r["st"].rsplit("/", 1)[-1] for r in rows if r.get("st")), default=None)
    own = min((r for r in rows if r.get("own")), key=lambda r: r["own"], default={})
    # an event may come in several rows (it affects the engagement, and it renamed it): what each
    # row says of it is merged, the least value first, so the row order (any) changes nothing
    facts: dict[str, dict[str, str]] = {}
    kinds: dict[str, set[str]] = defaultdict(set)
    types: dict[str, set[str]] = defaultdict(set)
    for r in rows:
        e = r.get("e")
        if not e:
            continue
        if r.get("ctl"):
            kinds[e].add(r["ctl"])
        types[e].add(CHANGE + "discontinuation" if r.get("ctl") == RENAMED else r.get("ct", ""))
        known = facts.setdefault(e, {})
        for key in FACTS:
            if r.get(key):
                known[key] = min(known.get(key, r[key]), r[key])
    changes = []
    for e, f in facts.items():
        words = when(
            f.get("date"), f.get("text"), PRECISIONS.get(f.get("unit", "")), f.get("start"), f.get("end")
        )
        changes.append(
            Change(e, f.get("el", e), href(e, prefix), ", ".join(sorted(kinds[e])), words or "",
                   f.get("start", ""), f.get("end", ""))
        )  # fmt: skip
    dated = sorted((c for c in changes if c.sort), key=lambda c: (c.sort, c.label))
    undated = sorted((c for c in changes if not c.sort), key=lambda c: c.label)
    starts = [c for c in dated if types[c.iri] & STARTS]
    ends = [c for c in dated if types[c.iri] & ENDS]
    unit = PRECISIONS.get(own.get("ownUnit", ""))
    ongoing = (status or "").lower() == "ongoing"
    first, start_words, note = own.get("own", ""), _day(own.get("own"), unit), ""
    if not first and (starts or dated):
        chosen = (starts or dated)[0]
        first, start_words = chosen.sort, chosen.when
        note = "start from the event that launched it" if starts else "start from the first event about it"
    last, end_words = own.get("ownEnd"), _day(own.get("ownEnd"), unit)
    if ends:  # in words, the ending event's date: often more precise than the engagement's own
        chosen = max(ends, key=lambda c: c.end or c.sort)
        last, end_words = last or chosen.end or chosen.sort, chosen.when
    if not last:
        note = ", ".join(
            filter(None, [note, "ongoing when the source was last updated" if ongoing else "end not stated"])
        )
    return Summary(start_words, end_words, ongoing, status, dated, undated, first, last, note)


def summaries_of(rows: list[Row], prefix: str = "") -> dict[str, Summary]:
    """Every engagement's summary from the rows of ``SUMMARIES`` (CPU work: off the event loop)."""
    by_engagement: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        by_engagement[r["g"]].append(r)
    return {g: summarize(rows, prefix) for g, rows in by_engagement.items()}
