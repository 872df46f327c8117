"""Deterministic graphs shaped like the NATO–Iraq graph, at any size (N-Triples).

Uses the terms of docs/modelling-spec.md: events (``nio:Event`` and a subclass, label, date with
precision, earliest/latest time stamps, event type, actors, place, participations with role
types, provenance), actors (countries, organisations, bodies, people), places contained in
countries, and passages with text-quote selectors. About 26 triples per event.
"""

from __future__ import annotations

import random
from pathlib import Path

NIO = "https://w3id.org/nato-iraq/ontology#"
ID = "https://w3id.org/nato-iraq/id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
SEM = "http://semanticweb.cs.vu.nl/2009/11/sem/"
XSD = "http://www.w3.org/2001/XMLSchema#"
PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
OA = "http://www.w3.org/ns/oa#"
CONTAINED = "https://schema.org/containedInPlace"
UNIT_DAY = "http://www.w3.org/2006/time#unitDay"
UNIT_TYPE = "http://www.w3.org/2006/time#unitType"
TRIPLES_PER_EVENT = 26
EVENT_CLASSES = ["Decision", "Meeting", "Summit", "Visit", "Request", "Conference", "OrganisationalChange"]
EVENT_TYPES = [
    "decision",
    "visit",
    "request",
    "summit",
    "ministerial-meeting",
    "agreement",
    "launch",
    "training",
    "deployment",
    "expansion",
    "announcement",
    "signature",
]
ROLE_TYPES = ["requester", "decision-maker", "visitor", "host", "recipient", "attendee", "provider"]
ACTOR_CLASSES = ["InternationalOrganisation", "OrganisationalBody", "GovernmentBody", "Person"]
COUNTRIES = 10


def event_iri(i: int) -> str:
    return f"{ID}event/e{i:07d}"


def country_iri(i: int) -> str:
    return f"{ID}country/c{i:02d}"


def _iri(s: str) -> str:
    return f"<{s}>"


def _lit(text: str, datatype: str | None = None, lang: str | None = None) -> str:
    escaped = text.replace("\\", "\\\\").replace('"', '\\"')
    if lang:
        return f'"{escaped}"@{lang}'
    return f'"{escaped}"^^<{datatype}>' if datatype else f'"{escaped}"'


def generate(triples: int, path: Path, seed: int = 20040622) -> int:
    """Write about ``triples`` triples to ``path``; return how many were written."""
    rnd = random.Random(seed)
    events = max(20, triples // TRIPLES_PER_EVENT)
    actors, places = max(COUNTRIES + 5, events // 20), max(5, events // 50)
    lines: list[str] = []

    def add(s: str, p: str, o: str) -> None:
        lines.append(f"<{s}> <{p}> {o} .\n")

    for c in range(COUNTRIES):
        add(country_iri(c), RDF_TYPE, _iri(NIO + "Country"))
        add(country_iri(c), LABEL, _lit(f"Country {c}", lang="en"))
    actor_iris = [country_iri(c) for c in range(COUNTRIES)]
    for a in range(COUNTRIES, actors):
        iri = f"{ID}org/a{a:05d}"
        actor_iris.append(iri)
        add(iri, RDF_TYPE, _iri(NIO + rnd.choice(ACTOR_CLASSES)))
        add(iri, LABEL, _lit(f"Actor {a}", lang="en"))
    place_iris = []
    for p in range(places):
        iri = f"{ID}place/p{p:05d}"
        place_iris.append(iri)
        add(iri, RDF_TYPE, _iri(NIO + "Place"))
        add(iri, LABEL, _lit(f"Place {p}", lang="en"))
        add(iri, CONTAINED, _iri(country_iri(p % COUNTRIES)))
    for i in range(events):
        e, passage = event_iri(i), f"{ID}passage/L{i}"
        year, day = 2003 + rnd.randrange(21), rnd.randrange(365)
        date = f"{year}-{1 + day // 31 % 12:02d}-{1 + day % 28:02d}"
        add(e, RDF_TYPE, _iri(NIO + "Event"))
        add(e, RDF_TYPE, _iri(NIO + rnd.choice(EVENT_CLASSES)))
        add(e, LABEL, _lit(f"Event {i} of {year}", lang="en"))
        add(e, NIO + "date", _lit(date, XSD + "date"))
        add(e, UNIT_TYPE, _iri(UNIT_DAY))
        add(e, SEM + "hasEarliestBeginTimeStamp", _lit(date, XSD + "date"))
        add(e, SEM + "hasLatestEndTimeStamp", _lit(date, XSD + "date"))
        add(e, NIO + "eventType", _iri(f"{ID}concept/event-type/{rnd.choice(EVENT_TYPES)}"))
        add(e, SEM + "hasPlace", _iri(rnd.choice(place_iris)))
        add(e, PROV_DERIVED, _iri(passage))
        for n in (1, 2):
            part, actor = f"{ID}participation/e{i:07d}-{n}", rnd.choice(actor_iris)
            add(e, SEM + "hasActor", _iri(actor))
            add(e, NIO + "hasParticipation", _iri(part))
            add(part, RDF_TYPE, _iri(NIO + "Participation"))
            add(part, NIO + "participant", _iri(actor))
            add(part, SEM + "roleType", _iri(f"{ID}concept/role-type/{rnd.choice(ROLE_TYPES)}"))
        selector = passage + "/quote"
        add(passage, RDF_TYPE, _iri(NIO + "Passage"))
        add(passage, LABEL, _lit(f"Source passage, line {i}", lang="en"))
        add(passage, OA + "hasSource", _iri(f"{ID}source/nato-relations-with-iraq"))
        add(passage, OA + "hasSelector", _iri(selector))
        add(selector, RDF_TYPE, _iri(OA + "TextQuoteSelector"))
        add(selector, OA + "exact", _lit(f"In {year}, event {i} took place."))
    path.write_text("".join(lines), encoding="utf-8")
    return len(lines)
