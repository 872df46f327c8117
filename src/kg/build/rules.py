"""Statements ``kg build`` derives by stated rules from the claims and the integrated view.

- every participant of an event (or a request) is one of its actors (``sem:hasActor``), in the
  graph of each line that names it as a participant; a request's participant in the role
  "requester" is who asked (``nio:requestedBy``), in the role "on behalf of" whom it was made
  for (``nio:onBehalfOf``);
- an engagement's start (``nio:start``) is the earliest event that launched or established it;
  its end (``nio:end``) the latest event that discontinued it or renamed it into another; failing
  an end event, ``status:ongoing`` where a line says it is ongoing; failing either,
  ``status:not-stated``. Each such statement is in the graph of the lines that state the event's
  change;
- each event's source and target actor (``nio:eventSource``, ``nio:eventTarget``), chosen from
  its participants' roles in the order of ``SOURCE_ROLES`` and ``TARGET_ROLES``; failing a
  target, the other signatory of a signature, else the first beneficiary of the engagement the
  event changes (the rule of ``docs/event-data.md``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import pyoxigraph as ox

from kg.build.claims import (
    HAS_ACTOR,
    HAS_PARTICIPATION,
    NIO,
    ON_BEHALF_OF,
    PARTICIPANT,
    REQUESTED_BY,
    ROLE,
    ROLE_TYPE,
    Claims,
    Statement,
    Term,
)
from kg.build.rdfconv import term_value
from kg.namespaces import PREFIXES, RESOURCE

RDF_TYPE = PREFIXES["rdf"] + "type"
ORG = PREFIXES["org"]
CHANGE = RESOURCE + "concept/change-type/"
STATUS = RESOURCE + "concept/status/"

STARTS = (CHANGE + "launch", CHANGE + "establishment")
ENDS = (CHANGE + "discontinuation",)
RENAMING = CHANGE + "renaming"

SOURCE_ROLES = (
    "decision-maker",
    "authoriser",
    "sender",
    "requester",
    "visitor",
    "declarant",
    "announcer",
    "commender",
    "signatory",
    "author",
    "provider",
    "member",
    "victor",
    "attendee",
)
"""Roles of the actor who acts (ICEWS's source, POLECAT's actor), the first found wins."""
TARGET_ROLES = (
    "recipient",
    "authorised",
    "beneficiary",
    "counterpart",
    "host",
    "joined-organisation",
    "trainee",
    "subject",
    "on-behalf-of",
)
"""Roles of the actor acted upon (ICEWS's target, POLECAT's recipient), the first found wins."""


def _iri(value: str) -> ox.NamedNode:
    return ox.NamedNode(value)


def actor_claims(claims: Claims) -> None:
    """Add the claims that follow from participations: actors, requesters, on whose behalf."""
    participations: list[tuple[Term, Term]] = []
    participants: dict[Term, list[tuple[Term, Statement]]] = defaultdict(list)
    roles: dict[Term, list[tuple[str, Statement]]] = defaultdict(list)
    for statement in claims.by_statement:
        s, p, o = statement
        if p.value == HAS_PARTICIPATION:
            participations.append((s, o))
        elif p.value == PARTICIPANT:
            participants[s].append((o, statement))
        elif p.value == ROLE:
            roles[s].append((term_value(o).removeprefix(ROLE_TYPE), statement))
    for event, part in participations:
        for actor, by in participants.get(part, []):
            claim = claims.by_statement[by]
            derived: list[tuple[str, set[int]]] = [(HAS_ACTOR, set(claim.lines))]
            for role, role_statement in roles.get(part, []):
                both = claim.lines & claims.by_statement[role_statement].lines
                if role == "requester" and both:
                    derived.append((REQUESTED_BY, both))
                elif role == "on-behalf-of" and both:
                    derived.append((ON_BEHALF_OF, both))
            for predicate, lines in derived:
                follows: Statement = (event, _iri(predicate), actor)  # type: ignore[assignment]
                claims.add(follows, lines, claim.passages, claim.files[0])


@dataclass
class Derived:
    quads: list[tuple[Term, str, Term]] = field(default_factory=list)
    lines: dict[Statement, set[int]] = field(default_factory=dict)


def _index(triples: list[ox.Triple]) -> dict[tuple[Term, str], list[Term]]:
    found: dict[tuple[Term, str], list[Term]] = defaultdict(list)
    for t in triples:
        found[(t.subject, t.predicate.value)].append(t.object)
    return found


def engagement_periods(triples: list[ox.Triple], claims: Claims) -> Derived:
    """``nio:start`` and ``nio:end`` of every engagement, each with the lines behind it."""
    values = _index(triples)
    typed: dict[Term, set[str]] = defaultdict(set)
    for t in triples:
        if t.predicate.value == RDF_TYPE:
            typed[t.subject].add(t.object.value)  # type: ignore[union-attr]
    engagements = sorted((s for s, cs in typed.items() if NIO + "Engagement" in cs), key=str)
    affected: dict[Term, list[Term]] = defaultdict(list)
    for t in triples:
        if t.predicate.value == NIO + "affects":
            affected[t.object].append(t.subject)
    out = Derived()

    def sort_key(event: Term) -> str:
        dates = values.get((event, NIO + "sortDate"), [])
        return (term_value(dates[0]) if dates else "9999") + str(event)

    def lines_of(event: Term, engagement: Term, changes: tuple[str, ...]) -> set[int]:
        """The lines that state both that the event changed the engagement and how."""
        affects = claims.lines((event, _iri(NIO + "affects"), engagement))  # type: ignore[arg-type]
        kind: set[int] = set()
        for change in changes:
            kind |= claims.lines((event, _iri(NIO + "changeType"), _iri(change)))  # type: ignore[arg-type]
        return (affects & kind) or affects

    for engagement in engagements:
        starts = []
        ends = []
        for event in affected.get(engagement, []):
            changes = {term_value(c) for c in values.get((event, NIO + "changeType"), [])}
            for change in changes & set(STARTS):
                starts.append((event, change))
            for change in changes & set(ENDS):
                ends.append((event, change))
            original = values.get((event, ORG + "originalOrganization"), [])
            if RENAMING in changes and engagement in original:
                ends.append((event, RENAMING))
        start: Term = _iri(STATUS + "not-stated")
        start_lines: set[int] = set()
        if starts:
            event, _change = min(starts, key=lambda ec: sort_key(ec[0]))
            start, start_lines = event, lines_of(event, engagement, STARTS)
        end: Term = _iri(STATUS + "not-stated")
        end_lines: set[int] = set()
        if ends:
            event, change = max(ends, key=lambda ec: sort_key(ec[0]))
            end, end_lines = event, lines_of(event, engagement, (change,))
        elif _iri(STATUS + "ongoing") in values.get((engagement, NIO + "status"), []):
            end = _iri(STATUS + "ongoing")
            end_lines = claims.lines((engagement, _iri(NIO + "status"), end))  # type: ignore[arg-type]
        for predicate, value, lines in ((NIO + "start", start, start_lines), (NIO + "end", end, end_lines)):
            out.quads.append((engagement, predicate, value))
            if lines:
                out.lines[(engagement, _iri(predicate), value)] = lines  # type: ignore[index]
    return out


def event_parties(triples: list[ox.Triple]) -> Derived:
    """``nio:eventSource`` and ``nio:eventTarget`` of every event with participations."""
    values = _index(triples)
    typed = {t.subject for t in triples if t.predicate.value == RDF_TYPE and t.object.value == NIO + "Event"}  # type: ignore[union-attr]
    out = Derived()
    for event in sorted(typed, key=str):
        parts = sorted(values.get((event, HAS_PARTICIPATION), []), key=str)
        cast: list[tuple[Term, set[str]]] = []
        for part in parts:
            for actor in values.get((part, PARTICIPANT), []):
                cast.append(
                    (actor, {term_value(r).removeprefix(ROLE_TYPE) for r in values.get((part, ROLE), [])})
                )
        source = _first(cast, SOURCE_ROLES)
        target = _first([(a, r) for a, r in cast if a != source], TARGET_ROLES)
        if target is None and source is not None:  # a signature: the other signatory
            target = next((a for a, rs in cast if a != source and "signatory" in rs), None)
        if target is None:  # else whom the engagement it changes benefits
            served = [
                b
                for engagement in sorted(values.get((event, NIO + "affects"), []), key=str)
                for b in sorted(values.get((engagement, NIO + "beneficiary"), []), key=str)
                if b != source
            ]
            target = served[0] if served else None
        if source is not None:
            out.quads.append((event, NIO + "eventSource", source))
        if target is not None:
            out.quads.append((event, NIO + "eventTarget", target))
    return out


def _first(cast: list[tuple[Term, set[str]]], order: tuple[str, ...]) -> Term | None:
    for role in order:
        for actor, roles in cast:
            if role in roles:
                return actor
    return None
