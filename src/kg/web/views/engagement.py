"""An engagement (mission, programme, package, initiative): when it started and ended, or that it
is ongoing, its status, and a dated history of every event that changed it.

Start and end are the statements ``kg build`` generates by one rule (``kg.build.rules``,
``docs/modelling-spec.md``): ``nio:start`` is the event that launched or established it, or
``status:not-stated``; ``nio:end`` the event that discontinued or renamed it, else
``status:ongoing`` where a line says so, else ``status:not-stated``. Nothing here decides them
again: the entity page's summary shows them with the lines that state them, the timeline draws
its bars from them, and ``engagements.csv`` (written by the build) lists them. Where the source
gives an engagement a period of its own ("from 2004 to 2011", its ``sem:`` time stamps), a bar
uses it for the side neither statement dates.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from kg.namespaces import PREFIXES
from kg.web.iris import href
from kg.web.views.dates import PRECISIONS, when
from kg.web.views.queries import PROLOGUE, Row

STATUS = PREFIXES["status"]
ONGOING = STATUS + "ongoing"
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
class Bound:
    """An engagement's start or end as the build states it (``nio:start``, ``nio:end``)."""

    value: str = ""
    """What the build states: the event's IRI, ``status:ongoing`` or ``status:not-stated``."""
    event: Change | None = None
    """The event that started or ended it (``None``: not stated, or ongoing)."""
    ongoing: bool = False
    """The end is ``status:ongoing``: the source says it goes on."""
    lines: list[tuple[int, str]] = field(default_factory=list)
    """The lines that state it: (line, link to it in the source reader); the entity page fills them."""


@dataclass
class Summary:
    start: Bound
    end: Bound
    status: str | None
    history: list[Change] = field(default_factory=list)
    undated: list[Change] = field(default_factory=list)
    first: str = ""
    """Where its bar starts: a time stamp (``""``: not known)."""
    last: str | None = None
    """Where its bar ends (``None``: no end stated)."""
    dated_from: str = ""
    """What the source does not state about its start and end."""

    @property
    def ongoing(self) -> bool:
        return self.end.ongoing


EVENT_FACTS = """OPTIONAL {{ ?e rdfs:label ?el }}
     OPTIONAL {{ ?e sem:hasEarliestBeginTimeStamp ?start }} OPTIONAL {{ ?e sem:hasLatestEndTimeStamp ?end }}
     OPTIONAL {{ ?e nio:date ?date }} OPTIONAL {{ ?e nio:dateText ?text }}
     OPTIONAL {{ ?e time:unitType ?unit }}"""
SUMMARY_PATTERN = (
    """{{ ?e nio:affects {g} .
     OPTIONAL {{ ?e nio:changeType ?ct OPTIONAL {{ ?ct skos:prefLabel|rdfs:label ?ctl }} }}
     """
    + EVENT_FACTS
    + """ }}
  UNION {{ {{ {g} nio:start ?e BIND("start" AS ?bound) }} UNION {{ {g} nio:end ?e BIND("end" AS ?bound) }}
     """
    + EVENT_FACTS
    + """ }}
  UNION {{ {g} nio:status ?st . OPTIONAL {{ ?st skos:prefLabel|rdfs:label ?stl }} }}
  UNION {{ {g} sem:hasEarliestBeginTimeStamp ?own . OPTIONAL {{ {g} sem:hasLatestEndTimeStamp ?ownEnd }} }}"""
)
"""The graph pattern of an engagement's summary rows (``{g}``: its IRI in ``<>``, or ``?g``): the
events that changed it, its generated start and end (``?bound``), its status, its own period."""


SUMMARIES = f"""{PROLOGUE}
SELECT ?g ?e ?bound ?el ?ct ?ctl ?start ?end ?date ?text ?unit ?st ?stl ?own ?ownEnd WHERE {{
  ?g a nio:Engagement .
  {SUMMARY_PATTERN.format(g="?g")}
}}"""
"""The rows of every engagement's summary, in one query (``?g`` the engagement). ``kg build`` types
every resource with its superclasses, so ``a nio:Engagement`` finds missions and programmes too;
Virtuoso 7.2 answers this pattern with a few rows only when it starts with a path
(``a/rdfs:subClassOf*``) and the branches hold four ``OPTIONAL``s or more."""


def summarize(rows: list[Row], prefix: str = "") -> Summary:
    """One engagement's summary from its rows (of ``SUMMARY_PATTERN``), in any order."""
    status = min((r.get("stl") or r["st"].rsplit("/", 1)[-1] for r in rows if r.get("st")), default=None)
    own = min((r for r in rows if r.get("own")), key=lambda r: r["own"], default={})
    # an event may come in several rows (it changed the engagement, and it started it): what each
    # row says of it is merged, the least value first, so the row order (any) changes nothing
    facts: dict[str, dict[str, str]] = {}
    kinds: dict[str, set[str]] = defaultdict(set)
    bounds: dict[str, set[str]] = defaultdict(set)
    affecting: set[str] = set()
    for r in rows:
        e = r.get("e")
        if not e:
            continue
        if r.get("bound"):
            bounds[r["bound"]].add(e)
        else:
            affecting.add(e)
            if r.get("ctl"):
                kinds[e].add(r["ctl"])
        if e.startswith(STATUS):
            continue
        known = facts.setdefault(e, {})
        for key in FACTS:
            if r.get(key):
                known[key] = min(known.get(key, r[key]), r[key])
    changes = {}
    for e, f in facts.items():
        words = when(
            f.get("date"), f.get("text"), PRECISIONS.get(f.get("unit", "")), f.get("start"), f.get("end")
        )
        changes[e] = Change(
            e, f.get("el", e), href(e, prefix), ", ".join(sorted(kinds[e])), words or "",
            f.get("start", ""), f.get("end", ""),
        )  # fmt: skip
    history = [changes[e] for e in affecting if e in changes]
    dated = sorted((c for c in history if c.sort), key=lambda c: (c.sort, c.label))
    undated = sorted((c for c in history if not c.sort), key=lambda c: c.label)
    start, end = _bound(bounds["start"], changes, True), _bound(bounds["end"], changes, False)
    first = (start.event.sort if start.event else "") or own.get("own", "")
    last = ((end.event.end or end.event.sort) if end.event else "") or own.get("ownEnd") or None
    missing = [
        "" if first else "start not stated",
        "ongoing when the source was last updated" if end.ongoing else "" if last else "end not stated",
    ]
    return Summary(start, end, status, dated, undated, first, last, ", ".join(filter(None, missing)))


def _bound(values: set[str], changes: dict[str, Change], start: bool) -> Bound:
    """The start or end from the values the build gave ``nio:start`` or ``nio:end``."""
    events = [changes[v] for v in values if v in changes]
    if not events:
        return Bound(ONGOING, ongoing=True) if ONGOING in values else Bound(min(values, default=""))
    if start:  # the build states one; should a store hold several: the earliest start, the latest end
        chosen = min(events, key=lambda c: (c.sort or "~", c.iri))
    else:
        chosen = max(events, key=lambda c: (c.end or c.sort, c.iri))
    return Bound(chosen.iri, chosen)


def summaries_of(rows: list[Row], prefix: str = "") -> dict[str, Summary]:
    """Every engagement's summary from the rows of ``SUMMARIES`` (CPU work: off the event loop)."""
    by_engagement: dict[str, list[Row]] = defaultdict(list)
    for r in rows:
        by_engagement[r["g"]].append(r)
    return {g: summarize(rows, prefix) for g, rows in by_engagement.items()}
