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
- ``engagements.csv``: one row per engagement, with the events that started and ended it (the
  generated ``nio:start`` and ``nio:end``), the lines that state them, and its history.

Each table is a ``kg.build.datapackage.Table``: its columns, in order, with their types and
descriptions; the header written here and the table schemas of ``datapackage.json`` come from it.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import pyoxigraph as ox

from kg.build import rules
from kg.build.datapackage import LIST, NIO, SCHEME, Column, Table
from kg.build.dumps import default_graph_triples
from kg.namespaces import GRAPH, PREFIXES, RESOURCE, sparql_prologue

ROLE = PREFIXES["roletype"]
START, END = NIO + "start", NIO + "end"
LINE_GRAPH = GRAPH + "line/"
SOURCE_ROLES = {*rules.SOURCE_ROLES, "on-behalf-of"}
"""Roles on the acting side of a dyad (GDELT's Actor1): the event's source roles, and the party on
whose behalf a source acts (``rules`` ranks it last among targets, for an event's one target);
every other role is a target (Actor2)."""
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
LINES = r"^[0-9]+(; [0-9]+)*$"
QUOTE = Column(
    "quote", "string", "The source's sentences the event was taken from, verbatim (' | ' between them)."
)
CAMEO_BOOK = RESOURCE + "document/cameo-codebook"
ISO3 = r"^[A-Z]{3}$"


def actor_columns(side: str, role: str) -> tuple[Column, ...]:
    """The name, CAMEO actor code and country of an event's ``side`` ("source" or "target")."""
    return (
        Column(f"{side}_name", "string", f"Label of the event's {side} actor ({role})."),
        Column(
            f"{side}_actor_code",
            "string",
            f"The {side} actor's CAMEO 1.1b3 actor code (nio:cameoActorCode).",
            codebook=CAMEO_BOOK,
        ),
        Column(
            f"{side}_country",
            "string",
            f"ISO 3166-1 alpha-3 code of the {side} actor's country (of itself or of what it acts for).",
            pattern=ISO3,
        ),
    )


EVENTS_TABLE = Table(
    "events.csv",
    "Events table (CSV, shaped like an ICEWS or POLECAT export): date, source and target actor codes, "
    "CAMEO and PLOVER codes, place, lines",
    "One row per event of the graph, in date order, in the order of an ICEWS or POLECAT export: its "
    "date (value, words as written, precision, bounds), source actor, the event's own CAMEO code and "
    "PLOVER type, target actor, place, then the event's classes, types, actors, source lines and "
    "quotes. The rule choosing source and target is in docs/event-data.md.",
    (
        Column("event_id", "string", "IRI of the event (its page on this site).", rdf_type=NIO + "Event"),
        Column(
            "event_date",
            "string",
            "The date as precise as the source gives it: YYYY-MM-DD, YYYY-MM or YYYY (nio:date); "
            "empty for an event the source places only after another.",
            pattern=DATE,
        ),
        *DATE_COLUMNS[1:],
        Column("earliest", "date", "The first day the date allows (sem:hasEarliestBeginTimeStamp)."),
        Column("latest", "date", "The last day the date allows (sem:hasLatestEndTimeStamp)."),
        *actor_columns("source", "who acts: ICEWS's Source, POLECAT's Actor"),
        Column("event_text", "string", "The event's label (rdfs:label)."),
        Column("cameo_code", "string", "The event's own CAMEO 1.1b3 event code.", codebook=SCHEME + "cameo"),
        Column("cameo_root", "string", "The CAMEO code's two-digit root.", pattern=r"^[0-9]{2}$"),
        Column("cameo_name", "string", "The name of the CAMEO code in the codebook."),
        Column(
            "plover_type",
            "string",
            "The event's PLOVER type (as POLECAT uses them).",
            codebook=SCHEME + "plover",
        ),
        *actor_columns("target", "acted on or with: ICEWS's Target, POLECAT's Recipient"),
        Column("place", "string", f"Labels of the event's places (sem:hasPlace; {LISTED})."),
        Column("country", "string", f"ISO 3166-1 alpha-3 codes of those places' countries ({LISTED})."),
        Column("class", "string", f"Labels of the event's classes ({LISTED})."),
        EVENT_TYPE,
        Column("actors", "string", f"Labels of every actor of the event (sem:hasActor; {LISTED})."),
        Column(
            "source_lines",
            "string",
            f"Line numbers of the event's sentences in the stored source text ({LISTED}).",
            pattern=LINES,
        ),
        QUOTE,
    ),
    primary_key=("event_id",),
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
    foreign_keys=(("event", "events.csv", "event_id"),),
)
ENGAGEMENTS_TABLE = Table(
    "engagements.csv",
    "Engagements table (CSV): start and end with their lines, ongoing, status, history",
    "One row per engagement (mission, programme, package, initiative …) with the event that started "
    "it and the one that ended it (nio:start, nio:end, generated by kg build from the events that "
    "changed it), each with its day and the source lines that state it, whether it is ongoing, its "
    "status and the dated history of the events that changed it.",
    (
        Column("engagement", "string", "IRI of the engagement.", rdf_type=NIO + "Engagement"),
        Column("label", "string", "The engagement's label."),
        Column("class", "string", f"Labels of its classes below nio:Engagement ({LISTED})."),
        Column("start", "date", "The first day of the event that started it (empty: not stated)."),
        Column("start_event", "string", "IRI of that event (nio:start).", rdf_type=NIO + "Event"),
        Column("start_lines", "string", f"The source lines that state it ({LISTED}).", pattern=LINES),
        Column("end", "date", "The last day of the event that ended it (empty: not ended, or not stated)."),
        Column("end_event", "string", "IRI of that event (nio:end).", rdf_type=NIO + "Event"),
        Column("end_lines", "string", f"The source lines that state it ({LISTED}).", pattern=LINES),
        Column("ongoing", "boolean", "Whether the source says it is ongoing (nio:end status:ongoing)."),
        Column("status", "string", "Its status in the source (nio:status).", codebook=SCHEME + "status"),
        Column("conducted_by", "string", f"Labels of who conducts it (nio:conductedBy; {LISTED})."),
        Column(
            "history",
            "string",
            "The events that changed it, in date order: 'date: label (change types)', ' | ' between them.",
        ),
    ),
    primary_key=("engagement",),
)
ALL_TABLES = (EVENTS_TABLE, DYADS_TABLE, ENGAGEMENTS_TABLE)
"""Every table of ``csv/``, in the order ``/downloads`` and ``datapackage.json`` list them."""
TABLES = {t.path: t.title for t in ALL_TABLES}

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

ENGAGEMENTS = f"""{sparql_prologue()}
SELECT ?e ?label ?start ?startDay ?end ?endDay ?ongoing ?status
  (GROUP_CONCAT(DISTINCT ?classLabel; SEPARATOR="; ") AS ?classes)
  (GROUP_CONCAT(DISTINCT ?by; SEPARATOR="; ") AS ?conductors)
WHERE {{
  ?e a/rdfs:subClassOf* nio:Engagement ; rdfs:label ?label .
  OPTIONAL {{ ?e a ?class . ?class rdfs:subClassOf+ nio:Engagement ; rdfs:label ?classLabel }}
  OPTIONAL {{ ?e nio:start ?start . ?start sem:hasEarliestBeginTimeStamp ?startDay }}
  OPTIONAL {{ ?e nio:end ?end . ?end sem:hasLatestEndTimeStamp|sem:hasEarliestBeginTimeStamp ?endDay }}
  BIND (EXISTS {{ ?e nio:end status:ongoing }} AS ?ongoing)
  OPTIONAL {{ ?e nio:status/skos:prefLabel ?status }}
  OPTIONAL {{ ?e nio:conductedBy/rdfs:label ?by }}
}} GROUP BY ?e ?label ?start ?startDay ?end ?endDay ?ongoing ?status"""

CHANGES = f"""{sparql_prologue()}
SELECT ?e ?event ?date ?label (GROUP_CONCAT(DISTINCT ?change; SEPARATOR=", ") AS ?changes) WHERE {{
  ?event nio:affects ?e ; rdfs:label ?label ; nio:sortDate ?sort .
  OPTIONAL {{ ?event nio:date ?date }}
  OPTIONAL {{ ?event nio:changeType/skos:prefLabel ?change }}
}} GROUP BY ?e ?event ?date ?label ?sort ORDER BY ?e ?sort ?event"""


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
    _write(out / "events.csv", EVENTS_TABLE.names, events)
    roles = _rows(store, ROLES)
    codes = {r["actor"]: r["code"] for r in roles if r["code"]}
    dyads = _dyads(events, roles, codes)
    _write(out / "dyadic.csv", DYADS_TABLE.names, dyads)
    engagements = _engagements(store, quads)
    _write(out / "engagements.csv", ENGAGEMENTS_TABLE.names, engagements)
    return {"events.csv": len(events), "dyadic.csv": len(dyads), "engagements.csv": len(engagements)}


def _engagements(store: ox.Store, quads: list[ox.Quad]) -> list[dict[str, str]]:
    """One row per engagement: its generated start and end, with the lines of the source whose
    graphs state them (``graph/line/N``), and the events that changed it."""
    lines: dict[tuple[str, str], set[int]] = defaultdict(set)
    for q in quads:
        graph, subject = q.graph_name, q.subject
        if (
            q.predicate.value in (START, END)
            and isinstance(graph, ox.NamedNode)
            and isinstance(subject, ox.NamedNode)
            and graph.value.startswith(LINE_GRAPH)
        ):
            lines[(subject.value, q.predicate.value)].add(int(graph.value.removeprefix(LINE_GRAPH)))
    history: dict[str, list[str]] = defaultdict(list)
    for c in _rows(store, CHANGES):
        history[c["e"]].append(f"{c['date']}: {c['label']}" + (f" ({c['changes']})" if c["changes"] else ""))
    rows = []
    for r in _rows(store, ENGAGEMENTS):
        rows.append(
            {
                "engagement": r["e"],
                "label": r["label"],
                "class": _sorted(r["classes"]),
                "start": r["startDay"][:10],
                "start_event": r["start"],
                "start_lines": "; ".join(map(str, sorted(lines[(r["e"], START)]))) if r["start"] else "",
                "end": r["endDay"][:10],
                "end_event": r["end"],
                "end_lines": "; ".join(map(str, sorted(lines[(r["e"], END)]))) if r["end"] else "",
                "ongoing": r["ongoing"],
                "status": r["status"],
                "conducted_by": _sorted(r["conductors"]),
                "history": " | ".join(history[r["e"]]),
            }
        )
    return sorted(rows, key=lambda r: (r["start"] == "", r["start"], r["end"], r["label"]))


def _sorted(joined: str) -> str:
    """A GROUP_CONCAT in a stable order (engines concatenate in any order)."""
    return "; ".join(sorted(v for v in joined.split("; ") if v))


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
