"""CSV tables for people who do not use RDF, written by ``kg build`` into ``dist/csv/``.

- ``events.csv``: one row per event, shaped like an ICEWS or POLECAT export: its date (value at
  the source's precision, words as written, precision, bounds), source actor, CAMEO event code
  and PLOVER event type, target actor (each actor with its name, CAMEO actor code and country),
  place, and the lines and quotes it comes from. Source and target are the event's
  ``nio:eventSource`` and ``nio:eventTarget`` (chosen by the rule of ``docs/event-data.md``); the
  codes are the event's own ``nio:cameoEventCode`` and ``nio:ploverEventType``.
- both carry each event's CAMEO and PLOVER codes; ``dyadic.csv`` also each side's CAMEO actor
  code, so the rows join ICEWS, GDELT or POLECAT tables (see ``docs/event-data.md``).
- ``dyadic.csv``: "who did what to whom", in the style of GDELT/ICEWS event data: one row per
  (source actor, target actor) pair of an event, from the roles of its participations and from
  who made the request it answers (role "requester", derived from nio:inResponseTo/nio:requestedBy).
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from kg.build.dumps import default_graph_triples
from kg.namespaces import PREFIXES, sparql_prologue

ROLE = PREFIXES["roletype"]
SOURCE_ROLES = {
    "requester", "sender", "decision-maker", "authoriser", "visitor", "provider", "signatory",
    "announcer", "author", "commender", "member", "victor", "attendee", "on-behalf-of", "declarant",
}  # fmt: skip
"""Roles of the actor who acts (GDELT's Actor1); every other role is a target (Actor2)."""
PRECISION = {"unitDay": "day", "unitMonth": "month", "unitYear": "year", "unitPartOfYear": "part of year"}
TABLES = {
    "events.csv": (
        "Events table (CSV, shaped like an ICEWS or POLECAT export): date, source and target actor codes, "
        "CAMEO and PLOVER codes, place, lines"
    ),
    "dyadic.csv": "Who did what to whom (CSV, GDELT/ICEWS-style dyads)",
}
EVENT_COLUMNS = [
    "event_id", "event_date", "date_text", "precision", "earliest", "latest",
    "source_name", "source_actor_code", "source_country",
    "event_text", "cameo_code", "cameo_root", "cameo_name", "plover_type",
    "target_name", "target_actor_code", "target_country",
    "place", "country", "class", "event_types", "actors", "source_lines", "quote",
]  # fmt: skip
"""ICEWS's order (date, source, event, target, place), POLECAT's event type, this graph's extras."""
DYAD_COLUMNS = [
    "date", "date_text", "precision", "source_actor", "source_actor_iri", "source_role", "event_type",
    "target_actor", "target_actor_iri", "target_role", "place", "event", "event_label", "quote",
    "source_cameo", "target_cameo", "cameo_codes", "plover_types",
]  # fmt: skip

EVENTS = f"""{sparql_prologue()}
SELECT ?e ?label ?date ?text ?unit ?earliest ?latest ?cameo ?cameoName ?plover
  ?source ?sourceName ?sourceCode ?sourceCountry ?target ?targetName ?targetCode ?targetCountry
  (GROUP_CONCAT(DISTINCT ?classLabel; SEPARATOR="; ") AS ?classes)
  (GROUP_CONCAT(DISTINCT ?typeLabel; SEPARATOR="; ") AS ?types)
  (GROUP_CONCAT(DISTINCT ?actorLabel; SEPARATOR="; ") AS ?actors)
  (GROUP_CONCAT(DISTINCT ?placeLabel; SEPARATOR="; ") AS ?places)
  (GROUP_CONCAT(DISTINCT ?placeCountry; SEPARATOR="; ") AS ?countries)
WHERE {{
  ?e a ?class . ?class rdfs:subClassOf* nio:Event . ?e rdfs:label ?label .
  OPTIONAL {{ ?class rdfs:label ?classLabel }}
  OPTIONAL {{ ?e nio:date ?date }} OPTIONAL {{ ?e nio:dateText ?text }} OPTIONAL {{ ?e time:unitType ?unit }}
  OPTIONAL {{ ?e sem:hasEarliestBeginTimeStamp ?earliest }}
  OPTIONAL {{ ?e sem:hasLatestEndTimeStamp ?latest }}
  OPTIONAL {{ ?e nio:cameoEventCode ?c . ?c skos:notation ?cameo ; skos:prefLabel ?cameoName }}
  OPTIONAL {{ ?e nio:ploverEventType/skos:notation ?plover }}
  OPTIONAL {{ ?e nio:eventSource ?source . ?source rdfs:label ?sourceName
             OPTIONAL {{ ?source nio:cameoActorCode ?sourceCode }}
             OPTIONAL {{ ?source nio:iso3166Alpha3|nio:actsFor/nio:iso3166Alpha3 ?sourceCountry }} }}
  OPTIONAL {{ ?e nio:eventTarget ?target . ?target rdfs:label ?targetName
             OPTIONAL {{ ?target nio:cameoActorCode ?targetCode }}
             OPTIONAL {{ ?target nio:iso3166Alpha3|nio:actsFor/nio:iso3166Alpha3 ?targetCountry }} }}
  OPTIONAL {{ ?e nio:eventType/rdfs:label ?typeLabel }}
  OPTIONAL {{ ?e sem:hasActor/rdfs:label ?actorLabel }}
  OPTIONAL {{ ?e sem:hasPlace ?place . ?place rdfs:label ?placeLabel
             OPTIONAL {{ ?place nio:iso3166Alpha3|schema:containedInPlace/nio:iso3166Alpha3
                         ?placeCountry }} }}
}} GROUP BY ?e ?label ?date ?text ?unit ?earliest ?latest ?cameo ?cameoName ?plover
  ?source ?sourceName ?sourceCode ?sourceCountry ?target ?targetName ?targetCode ?targetCountry
ORDER BY ?earliest ?e"""

QUOTES = f"""{sparql_prologue()}
SELECT ?e ?line ?exact WHERE {{
  ?e prov:wasDerivedFrom ?p . ?p nio:sourceLine ?line ; oa:hasSelector/oa:exact ?exact .
}} ORDER BY ?e ?line ?exact"""

ROLES = f"""{sparql_prologue()}
SELECT ?e ?actor ?actorLabel ?role ?code WHERE {{
  {{ ?e nio:hasParticipation ?part . ?part nio:participant ?actor ; sem:roleType ?role . }}
  UNION {{ ?e nio:inResponseTo/nio:hasParticipation ?asked .
           ?asked nio:participant ?actor ; sem:roleType ?role . FILTER (?role = roletype:requester) }}
  ?actor rdfs:label ?actorLabel .
  OPTIONAL {{ ?actor nio:cameoActorCode ?code }}
}} ORDER BY ?e ?role ?actor"""


def _value(term: ox.NamedNode | ox.BlankNode | ox.Literal | ox.Triple | None) -> str:
    return "" if term is None else str(getattr(term, "value", term))


def _rows(store: ox.Store, query: str) -> list[dict[str, str]]:
    result = store.query(query)
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    return [{n: _value(sol[n]) for n in names} for sol in result]


def write_tables(quads: list[ox.Quad], out: Path) -> dict[str, int]:
    """Write the tables into ``out``; return file name → number of data rows."""
    store = ox.Store()
    store.bulk_extend(
        ox.Quad(t.subject, t.predicate, t.object, ox.DefaultGraph()) for t in default_graph_triples(quads)
    )
    out.mkdir(parents=True, exist_ok=True)
    quotes: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for row in _rows(store, QUOTES):
        quotes[row["e"]].append((int(row["line"]), row["exact"]))
    events = []
    for row in _rows(store, EVENTS):
        q = sorted(set(quotes[row["e"]]))
        events.append(
            {
                "event_id": row["e"],
                "event_date": row["date"],
                "date_text": row["text"],
                "precision": PRECISION.get(row["unit"].rsplit("#", 1)[-1], ""),
                "earliest": row["earliest"],
                "latest": row["latest"],
                "source_name": row["sourceName"],
                "source_actor_code": row["sourceCode"],
                "source_country": row["sourceCountry"],
                "event_text": row["label"],
                "cameo_code": row["cameo"],
                "cameo_root": row["cameo"][:2],
                "cameo_name": row["cameoName"],
                "plover_type": row["plover"],
                "target_name": row["targetName"],
                "target_actor_code": row["targetCode"],
                "target_country": row["targetCountry"],
                "place": row["places"],
                "country": row["countries"],
                "class": row["classes"],
                "event_types": row["types"],
                "actors": row["actors"],
                "source_lines": "; ".join(str(n) for n in sorted({line for line, _ in q})),
                "quote": " | ".join(text for _, text in q),
            }
        )
    _write(out / "events.csv", EVENT_COLUMNS, events)
    roles = _rows(store, ROLES)
    codes = {r["actor"]: r["code"] for r in roles if r["code"]}
    dyads = _dyads(events, roles, codes)
    _write(out / "dyadic.csv", DYAD_COLUMNS, dyads)
    return {"events.csv": len(events), "dyadic.csv": len(dyads)}


Party = tuple[str, str, str]
"""(actor IRI, actor label, its roles in the event joined by "; ")."""


def _parties(roles: list[dict[str, str]]) -> dict[str, tuple[list[Party], list[Party]]]:
    """Event → (source parties, target parties); an actor's several roles on one side are merged."""
    grouped: dict[tuple[str, bool], dict[str, tuple[str, list[str]]]] = defaultdict(dict)
    for r in roles:
        role = r["role"].removeprefix(ROLE)
        side = grouped[(r["e"], role in SOURCE_ROLES)]
        side.setdefault(r["actor"], (r["actorLabel"], []))[1].append(role)
    out: dict[str, tuple[list[Party], list[Party]]] = defaultdict(lambda: ([], []))
    for (event, is_source), actors in grouped.items():
        parties = [(iri, label, "; ".join(sorted(set(rs)))) for iri, (label, rs) in sorted(actors.items())]
        out[event][0 if is_source else 1].extend(parties)
    return out


def _dyads(
    events: list[dict[str, str]], roles: list[dict[str, str]], codes: dict[str, str]
) -> list[dict[str, str]]:
    parties = _parties(roles)
    rows = []
    for ev in events:
        sources, targets = parties[ev["event_id"]]
        pairs: list[tuple[Party | None, Party | None]] = [
            (s, t) for s in sources for t in targets if s[0] != t[0]
        ]
        paired = {s[0] for s, _ in pairs if s}
        pairs += [(s, None) for s in sources if s[0] not in paired]
        pairs += [(None, t) for t in targets if not sources]
        for s, t in pairs:
            rows.append(
                {
                    "date": ev["event_date"],
                    "date_text": ev["date_text"],
                    "precision": ev["precision"],
                    "source_actor": s[1] if s else "",
                    "source_actor_iri": s[0] if s else "",
                    "source_role": s[2] if s else "",
                    "event_type": ev["event_types"],
                    "target_actor": t[1] if t else "",
                    "target_actor_iri": t[0] if t else "",
                    "target_role": t[2] if t else "",
                    "place": ev["place"],
                    "event": ev["event_id"],
                    "event_label": ev["event_text"],
                    "quote": ev["quote"],
                    "source_cameo": codes.get(s[0], "") if s else "",
                    "target_cameo": codes.get(t[0], "") if t else "",
                    "cameo_codes": ev["cameo_code"],
                    "plover_types": ev["plover_type"],
                }
            )
    return rows


def _write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
