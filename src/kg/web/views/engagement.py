"""An engagement's summary (mission, programme, package, initiative): start, end or "ongoing",
status, and a dated history of every event that changed it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kg.engine.base import QueryEngine
from kg.namespaces import PREFIXES
from kg.web.iris import href
from kg.web.views.dates import MONTHS, PRECISIONS, long, when
from kg.web.views.queries import PROLOGUE, iri_literal, select

SEM = f"PREFIX sem: <{PREFIXES['sem']}> PREFIX time: <{PREFIXES['time']}> PREFIX org: <{PREFIXES['org']}>\n"


@dataclass
class Change:
    label: str
    href: str
    change: str
    when: str
    sort: str


@dataclass
class Summary:
    start: str | None
    end: str | None
    ongoing: bool
    status: str | None
    history: list[Change] = field(default_factory=list)
    undated: list[Change] = field(default_factory=list)


def _summary_query(iri: str) -> str:
    s = iri_literal(iri)
    return f"""{PROLOGUE}{SEM}
SELECT ?e ?el ?ctl ?start ?end ?date ?text ?unit ?st ?stl ?own ?ownEnd ?ownUnit WHERE {{
  {{ ?e nio:affects {s} . OPTIONAL {{ ?e nio:changeType/(skos:prefLabel|rdfs:label) ?ctl }}
     OPTIONAL {{ ?e rdfs:label ?el }}
     OPTIONAL {{ ?e sem:hasEarliestBeginTimeStamp ?start }} OPTIONAL {{ ?e sem:hasLatestEndTimeStamp ?end }}
     OPTIONAL {{ ?e nio:date ?date }} OPTIONAL {{ ?e nio:dateText ?text }}
     OPTIONAL {{ ?e time:unitType ?unit }} }}
  UNION {{ ?e org:originalOrganization {s} . BIND("renamed or succeeded" AS ?ctl)
     OPTIONAL {{ ?e rdfs:label ?el }} OPTIONAL {{ ?e sem:hasEarliestBeginTimeStamp ?start }} }}
  UNION {{ {s} nio:status ?st . OPTIONAL {{ ?st skos:prefLabel|rdfs:label ?stl }} }}
  UNION {{ {s} sem:hasEarliestBeginTimeStamp ?own . OPTIONAL {{ {s} sem:hasLatestEndTimeStamp ?ownEnd }}
           OPTIONAL {{ {s} time:unitType ?ownUnit }} }}
}}"""


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


async def summary(engine: QueryEngine, iri: str, prefix: str = "") -> Summary:
    """Start (own time stamp, else the earliest launch/establishment, else the earliest change),
    end (own, else the discontinuation), status and the history in date order."""
    rows = await select(engine, _summary_query(iri))
    status = next((r.get("stl") or r["st"].rsplit("/", 1)[-1] for r in rows if r.get("st")), None)
    own = next((r for r in rows if r.get("own")), {})
    # an event may come in several rows (it affects the engagement, and it renamed it): what each
    # row says of it is merged, the least value first, so the row order (any) changes nothing
    facts: dict[str, dict[str, str]] = {}
    kinds: dict[str, set[str]] = {}
    for r in rows:
        e = r.get("e")
        if not e:
            continue
        kinds.setdefault(e, set())
        if r.get("ctl"):
            kinds[e].add(r["ctl"])
        known = facts.setdefault(e, {})
        for key in ("el", "date", "text", "unit", "start", "end"):
            if r.get(key):
                known[key] = min(known.get(key, r[key]), r[key])
    changes: dict[str, Change] = {}
    for e, f in facts.items():
        precision = PRECISIONS.get(f.get("unit", ""))
        words = when(f.get("date"), f.get("text"), precision, f.get("start"), f.get("end"))
        changes[e] = Change(
            f.get("el", e), href(e, prefix), ", ".join(sorted(kinds[e])), words or "", f.get("start", "")
        )
    dated = sorted((c for c in changes.values() if c.sort), key=lambda c: (c.sort, c.label))
    undated = sorted((c for c in changes.values() if not c.sort), key=lambda c: c.label)
    starts = [c for c in dated if any(k in c.change for k in ("launch", "establish"))]
    ends = [c for c in dated if "discontinu" in c.change or "renamed" in c.change]
    unit = PRECISIONS.get(own.get("ownUnit", ""))
    start = _day(own.get("own"), unit) or (starts[0].when if starts else dated[0].when if dated else None)
    end = (ends[-1].when if ends else None) or _day(own.get("ownEnd"), unit)
    ongoing = (status or "").lower() == "ongoing"
    return Summary(start, end, ongoing, status, dated, undated)
