"""Who took part in an event, and what an actor took part in: the rows of an entity page's
"Participants" and "Took part in" tables (from ``nio:Participation`` nodes, on the engine)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from kg.engine.base import QueryEngine
from kg.namespaces import PREFIXES
from kg.web.iris import href
from kg.web.views.queries import PROLOGUE, iri_literal, select

QUERY = """{prologue}PREFIX sem: <{sem}>
SELECT ?part ?event ?eventLabel ?start ?actor ?actorLabel ?roleLabel ?cap ?capLabel WHERE {{
  {pattern}
  ?part nio:participant ?actor . ?event nio:hasParticipation ?part .
  OPTIONAL {{ ?event rdfs:label ?eventLabel }} OPTIONAL {{ ?event sem:hasEarliestBeginTimeStamp ?start }}
  OPTIONAL {{ ?actor rdfs:label ?actorLabel }}
  OPTIONAL {{ ?part sem:roleType/rdfs:label ?roleLabel }}
  OPTIONAL {{ ?part nio:inCapacityOf ?cap . OPTIONAL {{ ?cap rdfs:label ?capLabel }} }}
}}"""


@dataclass
class Part:
    event: str
    event_label: str
    event_href: str
    start: str
    actor: str
    actor_label: str
    actor_href: str
    roles: list[str]
    capacity: str | None
    capacity_href: str | None


async def _parts(engine: QueryEngine, pattern: str, prefix: str) -> list[Part]:
    query = QUERY.format(prologue=PROLOGUE, sem=PREFIXES["sem"], pattern=pattern)
    grouped: dict[str, Part] = {}
    roles: dict[str, set[str]] = defaultdict(set)
    for r in await select(engine, query):
        key = r["part"]
        if key not in grouped:
            cap = r.get("cap")
            grouped[key] = Part(
                r["event"], r.get("eventLabel", r["event"]), href(r["event"], prefix), r.get("start", ""),
                r["actor"], r.get("actorLabel", r["actor"]), href(r["actor"], prefix), [],
                r.get("capLabel", cap) if cap else None, href(cap, prefix) if cap else None,
            )  # fmt: skip
        if r.get("roleLabel"):
            roles[key].add(r["roleLabel"])
    for key, part in grouped.items():
        part.roles = sorted(roles[key])
    return sorted(grouped.values(), key=lambda p: (p.start, p.event_label, p.actor_label))


async def participants(engine: QueryEngine, event: str, prefix: str = "") -> list[Part]:
    """The participations of ``event``."""
    return await _parts(
        engine, f"BIND({iri_literal(event)} AS ?event) ?event nio:hasParticipation ?part .", prefix
    )


async def took_part_in(engine: QueryEngine, actor: str, prefix: str = "") -> list[Part]:
    """The events ``actor`` took part in, each once (its roles and capacities merged), in date order."""
    parts = await _parts(
        engine, f"BIND({iri_literal(actor)} AS ?actor) ?part nio:participant ?actor .", prefix
    )
    merged: dict[str, Part] = {}
    for p in parts:
        first = merged.setdefault(p.event, p)
        if first is not p:
            first.roles = sorted(set(first.roles) | set(p.roles))
            if p.capacity and p.capacity != first.capacity:
                first.capacity = ", ".join(filter(None, [first.capacity, p.capacity]))
    return list(merged.values())
