"""``/list/<kind>``: every event, engagement, actor, person, place or source passage, as a list of
links (the landing page's counts link here). Events and engagements in date order (an engagement
by its own period, else by the event that started it, ``nio:start``), passages in line order, the
rest by name."""

from __future__ import annotations

from dataclasses import dataclass

from kg.engine.base import QueryEngine
from kg.web.iris import href
from kg.web.views.queries import PROLOGUE, select

KINDS: dict[str, tuple[str, str]] = {
    # slug: (class, heading)
    "events": ("nio:Event", "Events"),
    "engagements": ("nio:Engagement", "Engagements: missions, programmes, packages, initiatives"),
    "actors": ("nio:Actor", "Actors"),
    "people": ("nio:Person", "People"),
    "places": ("nio:Place", "Places"),
    "source-passages": ("nio:Passage", "Source passages"),
}


@dataclass(frozen=True)
class Listed:
    iri: str
    label: str
    href: str
    types: str
    date: str
    line: int | None


def list_query(cls: str) -> str:
    return f"""{PROLOGUE}
SELECT ?s (SAMPLE(?l) AS ?label) (MIN(?d) AS ?date) (MIN(?n) AS ?line)
  (GROUP_CONCAT(DISTINCT ?tl; SEPARATOR=", ") AS ?types)
WHERE {{
  ?s a/rdfs:subClassOf* {cls} .
  OPTIONAL {{ ?s rdfs:label ?l }}
  OPTIONAL {{ {{ ?s sem:hasEarliestBeginTimeStamp ?d }}
             UNION {{ ?s nio:start ?b . ?b sem:hasEarliestBeginTimeStamp ?d }} }}
  OPTIONAL {{ ?s nio:sourceLine ?n }}
  OPTIONAL {{ ?s a ?t . ?t rdfs:label ?tl FILTER(LANG(?tl) = "" || LANGMATCHES(LANG(?tl), "en")) }}
  FILTER(isIRI(?s))
}} GROUP BY ?s"""


async def listing(engine: QueryEngine, kind: str, prefix: str = "") -> list[Listed]:
    """Every resource of ``kind`` (a key of ``KINDS``), in the list's order."""
    rows = await select(engine, list_query(KINDS[kind][0]))
    found = [
        Listed(
            r["s"],
            r.get("label") or r["s"].rsplit("/", 1)[-1],
            href(r["s"], prefix),
            ", ".join(sorted(t for t in r.get("types", "").split(", ") if t)),  # in any store's order
            r.get("date", "")[:10],
            int(r["line"]) if r.get("line", "").isdigit() else None,
        )
        for r in rows
    ]
    if kind == "source-passages":
        return sorted(found, key=lambda e: (e.line or 0, e.iri))
    if kind in ("events", "engagements"):
        return sorted(found, key=lambda e: (e.date == "", e.date, e.label.lower()))
    return sorted(found, key=lambda e: e.label.lower())
