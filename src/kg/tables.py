"""CSV tables for people who do not use RDF, written by ``kg build`` into ``dist/csv/``.

- ``events.csv``: one row per event, with its date (value, words as written, precision, bounds),
  class and event types, actors, places, the quoted source passages and their line numbers.
- both carry the CAMEO 1.1b3 event codes and PLOVER event types the event types map to
  (``skos:closeMatch``); ``dyadic.csv`` also each side's CAMEO actor code, so the rows join
  ICEWS, GDELT or POLECAT tables (see ``docs/event-data.md``).
- ``dyadic.csv``: "who did what to whom", in the style of GDELT/ICEWS event data: one row per
  (source actor, target actor) pair of an event, from the roles of its participations and from
  who made the request it answers (role "requester", derived from nio:inResponseTo/nio:requestedBy).
- ``engagements.csv`` is written by ``kg.web.engagement_table`` (it needs the timeline's logic).

Each table is a ``kg.datapackage.Table``: its columns, in order, with their types and
descriptions; the header written here and the table schemas of ``datapackage.json`` come from it.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from kg.datapackage import LIST, NIO, SCHEME, Column, Table
from kg.dumps import default_graph_triples
from kg.namespaces import PREFIXES, RESOURCE, sparql_prologue

ROLE = PREFIXES["roletype"]
SOURCE_ROLES = {
    "requester", "sender", "decision-maker", "authoriser", "visitor", "provider", "signatory",
    "announcer", "author", "commender", "member", "victor", "attendee", "on-behalf-of",
}  # fmt: skip
"""Roles of the actor who acts (GDELT's Actor1); every other role is a target (Actor2)."""
PRECISION = {"unitDay": "day", "unitMonth": "month", "unitYear": "year", "unitPartOfYear": "part of year"}
SEP = "; "
DATE = r"^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$"
LISTED = f"{LIST}'{SEP}'"
EVENT_TYPE = Column(
    "event_types",
    "string",
    f"The event's types (labels of the project's event types; {LISTED}).",
    codebook=SCHEME + "event-types",
)
CAMEO_CODES = Column(
    "cameo_codes",
    "string",
    f"CAMEO 1.1b3 event codes the event types match (skos:closeMatch; {LISTED}).",
    codebook=SCHEME + "cameo",
)
PLOVER_TYPES = Column(
    "plover_types",
    "string",
    f"PLOVER event types (as POLECAT uses them) the event types match ({LISTED}).",
    codebook=SCHEME + "plover",
)
DATE_COLUMNS = (
    Column(
        "date",
        "string",
        "The date as precise as the source gives it: YYYY-MM-DD, YYYY-MM or YYYY (nio:date).",
        pattern=DATE,
    ),
    Column("date_text", "string", "The date in the source's own words (nio:dateText)."),
    Column(
        "precision",
        "string",
        "How precise the date is (time:unitType).",
        codebook=PREFIXES["time"],
        enum=tuple(PRECISION.values()),
    ),
)
QUOTE = Column(
    "quote", "string", "The source's sentences the event was taken from, verbatim (' | ' between them)."
)
EVENTS_TABLE = Table(
    "events.csv",
    "Events table (CSV): date, precision, type, actors, place, quote",
    "One row per event of the graph, in date order, with its date (value, words as written, "
    "precision, bounds), class and event types, actors, places, the quoted source passages and "
    "their line numbers, and the CAMEO and PLOVER codes its types match.",
    (
        Column("event", "string", "IRI of the event (its page on this site).", rdf_type=NIO + "Event"),
        Column("label", "string", "The event's label (rdfs:label)."),
        *DATE_COLUMNS,
        Column("earliest", "date", "The first day the date allows (sem:hasEarliestBeginTimeStamp)."),
        Column("latest", "date", "The last day the date allows (sem:hasLatestEndTimeStamp)."),
        Column("class", "string", f"Labels of the event's classes ({LISTED})."),
        EVENT_TYPE,
        Column("actors", "string", f"Labels of the event's actors (sem:hasActor; {LISTED})."),
        Column("places", "string", f"Labels of the event's places (sem:hasPlace; {LISTED})."),
        QUOTE,
        Column(
            "source_lines",
            "string",
            f"Line numbers of those sentences in the stored source text ({LISTED}).",
            pattern=r"^[0-9]+(; [0-9]+)*$",
        ),
        CAMEO_CODES,
        PLOVER_TYPES,
    ),
    primary_key=("event",),
)
ROLE_DOC = "Roles of the {side} in the event (labels of the project's role types; " + LISTED + ")."
ACTOR_CODE = "The {side}'s CAMEO 1.1b3 actor code (nio:cameoActorCode)."
DYADS_TABLE = Table(
    "dyadic.csv",
    "Who did what to whom (CSV, GDELT/ICEWS-style dyads)",
    "One row per (source actor, target actor) pair of an event, in the style of GDELT/ICEWS event "
    "data: from the roles of its participations and from who made the request it answers. An "
    "event with a source but no target, or a target but no source, has one row per actor.",
    (
        *DATE_COLUMNS,
        Column("source_actor", "string", "Label of the actor who acts (GDELT's Actor1)."),
        Column("source_actor_iri", "string", "IRI of the source actor.", rdf_type=NIO + "Actor"),
        Column("source_role", "string", ROLE_DOC.format(side="source actor"), codebook=SCHEME + "role-types"),
        Column("event_type", "string", EVENT_TYPE.description, codebook=SCHEME + "event-types"),
        Column("target_actor", "string", "Label of the actor acted on or with (GDELT's Actor2)."),
        Column("target_actor_iri", "string", "IRI of the target actor.", rdf_type=NIO + "Actor"),
        Column("target_role", "string", ROLE_DOC.format(side="target actor"), codebook=SCHEME + "role-types"),
        Column("place", "string", f"Labels of the event's places ({LISTED})."),
        Column("event", "string", "IRI of the event (a row of events.csv).", rdf_type=NIO + "Event"),
        Column("event_label", "string", "The event's label."),
        QUOTE,
        Column(
            "source_cameo",
            "string",
            ACTOR_CODE.format(side="source actor"),
            codebook=RESOURCE + "document/cameo-codebook",
        ),
        Column(
            "target_cameo",
            "string",
            ACTOR_CODE.format(side="target actor"),
            codebook=RESOURCE + "document/cameo-codebook",
        ),
        CAMEO_CODES,
        PLOVER_TYPES,
    ),
    foreign_keys=(("event", "events.csv", "event"),),
)
ENGAGEMENTS_TABLE = Table(
    "engagements.csv",
    "Engagements table (CSV): start, end or ongoing, status, history",
    "One row per engagement (mission, programme, package, initiative …) with its start, its end "
    "or whether it is ongoing, its status and the dated history of the events that changed it; "
    "written by kg.web.engagement_table from the same data as the engagement pages and the timeline.",
    (
        Column("engagement", "string", "IRI of the engagement.", rdf_type=NIO + "Engagement"),
        Column("label", "string", "The engagement's label."),
        Column("class", "string", f"Labels of its classes below nio:Engagement ({LISTED})."),
        Column(
            "start",
            "date",
            "The first day of its start (from the event that launched it, else as dated_from says).",
        ),
        Column("end", "date", "The last day of its end, if it ended."),
        Column("ongoing", "boolean", "Whether the source calls it ongoing."),
        Column("status", "string", "Its status in the source (nio:status).", codebook=SCHEME + "status"),
        Column(
            "dated_from", "string", "Where start and end come from, when not from its own launch and end."
        ),
        Column("conducted_by", "string", f"Labels of who conducts it (nio:conductedBy; {LISTED})."),
        Column(
            "history",
            "string",
            "The events that changed it, in date order: 'date (precision): label (change types)', "
            "' | ' between them.",
        ),
    ),
    primary_key=("engagement",),
)
ALL_TABLES = (EVENTS_TABLE, DYADS_TABLE, ENGAGEMENTS_TABLE)
"""Every table of ``csv/``, in the order ``/downloads`` and ``datapackage.json`` list them."""
TABLES = {t.path: t.title for t in ALL_TABLES}
EVENT_COLUMNS = EVENTS_TABLE.names
DYAD_COLUMNS = DYADS_TABLE.names

EVENTS = f"""{sparql_prologue()}
SELECT ?e ?label ?date ?text ?unit ?earliest ?latest
  (GROUP_CONCAT(DISTINCT ?classLabel; SEPARATOR="; ") AS ?classes)
  (GROUP_CONCAT(DISTINCT ?typeLabel; SEPARATOR="; ") AS ?types)
  (GROUP_CONCAT(DISTINCT ?actorLabel; SEPARATOR="; ") AS ?actors)
  (GROUP_CONCAT(DISTINCT ?placeLabel; SEPARATOR="; ") AS ?places)
  (GROUP_CONCAT(DISTINCT ?cameo; SEPARATOR="; ") AS ?cameoCodes)
  (GROUP_CONCAT(DISTINCT ?plover; SEPARATOR="; ") AS ?ploverTypes)
WHERE {{
  ?e a ?class . ?class rdfs:subClassOf* nio:Event . ?e rdfs:label ?label .
  OPTIONAL {{ ?class rdfs:label ?classLabel }}
  OPTIONAL {{ ?e nio:date ?date }} OPTIONAL {{ ?e nio:dateText ?text }} OPTIONAL {{ ?e time:unitType ?unit }}
  OPTIONAL {{ ?e sem:hasEarliestBeginTimeStamp ?earliest }}
  OPTIONAL {{ ?e sem:hasLatestEndTimeStamp ?latest }}
  OPTIONAL {{ ?e nio:eventType/rdfs:label ?typeLabel }}
  OPTIONAL {{ ?e sem:hasActor/rdfs:label ?actorLabel }}
  OPTIONAL {{ ?e sem:hasPlace/rdfs:label ?placeLabel }}
  OPTIONAL {{ ?e nio:eventType/skos:closeMatch ?c . ?c skos:inScheme scheme:cameo ; skos:notation ?cameo }}
  OPTIONAL {{ ?e nio:eventType/skos:closeMatch ?pl .
             ?pl skos:inScheme scheme:plover ; skos:notation ?plover }}
}} GROUP BY ?e ?label ?date ?text ?unit ?earliest ?latest ORDER BY ?earliest ?e"""

QUOTES = f"""{sparql_prologue()}
SELECT ?e ?line ?exact WHERE {{
  ?e prov:wasDerivedFrom ?p . ?p nio:sourceLine ?line ; oa:hasSelector/oa:exact ?exact .
}} ORDER BY ?e ?line ?exact"""

ROLES = f"""{sparql_prologue()}
SELECT ?e ?actor ?actorLabel ?role ?code WHERE {{
  {{ ?e nio:hasParticipation ?part . ?part nio:participant ?actor ; sem:roleType ?role . }}
  UNION {{ ?e nio:requestedBy ?actor . BIND (roletype:requester AS ?role) }}
  UNION {{ ?e nio:inResponseTo/nio:requestedBy ?actor . BIND (roletype:requester AS ?role) }}
  UNION {{ ?e nio:onBehalfOf ?actor . BIND (roletype:on-behalf-of AS ?role) }}
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
                "event": row["e"],
                "label": row["label"],
                "date": row["date"],
                "date_text": row["text"],
                "precision": PRECISION.get(row["unit"].rsplit("#", 1)[-1], ""),
                "earliest": row["earliest"],
                "latest": row["latest"],
                "class": row["classes"],
                "event_types": row["types"],
                "actors": row["actors"],
                "places": row["places"],
                "quote": " | ".join(text for _, text in q),
                "source_lines": "; ".join(str(line) for line, _ in q),
                "cameo_codes": row["cameoCodes"],
                "plover_types": row["ploverTypes"],
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
        sources, targets = parties[ev["event"]]
        pairs: list[tuple[Party | None, Party | None]] = [
            (s, t) for s in sources for t in targets if s[0] != t[0]
        ]
        paired = {s[0] for s, _ in pairs if s}
        pairs += [(s, None) for s in sources if s[0] not in paired]
        pairs += [(None, t) for t in targets if not sources]
        for s, t in pairs:
            rows.append(
                {
                    "date": ev["date"],
                    "date_text": ev["date_text"],
                    "precision": ev["precision"],
                    "source_actor": s[1] if s else "",
                    "source_actor_iri": s[0] if s else "",
                    "source_role": s[2] if s else "",
                    "event_type": ev["event_types"],
                    "target_actor": t[1] if t else "",
                    "target_actor_iri": t[0] if t else "",
                    "target_role": t[2] if t else "",
                    "place": ev["places"],
                    "event": ev["event"],
                    "event_label": ev["label"],
                    "quote": ev["quote"],
                    "source_cameo": codes.get(s[0], "") if s else "",
                    "target_cameo": codes.get(t[0], "") if t else "",
                    "cameo_codes": ev["cameo_codes"],
                    "plover_types": ev["plover_types"],
                }
            )
    return rows


def _write(path: Path, columns: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
