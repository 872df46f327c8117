"""How the statements of a description graph are shown: each term as a ``Value`` (its text, link
and note, and its ``Evidence``: the source lines that state it, each in its own words, or the
outside source it comes from — worked out here so that a template only prints them), each
property as a ``Row``, the source passages, the outside links, and a resource's whole
``ResourceView``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import quote

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.namespaces import NIO_STORED_COPY, ONTOLOGY, PREFIXES, compact_iri
from kg.web.iris import RDF_FORMATS, Link
from kg.web.views.dates import PRECISIONS, when

P = PREFIXES
VOID_CLASS, VOID_PROPERTY = URIRef(P["void"] + "class"), URIRef(P["void"] + "property")
VOID_ENTITIES, VOID_TRIPLES = URIRef(P["void"] + "entities"), URIRef(P["void"] + "triples")
SHOWN_ELSEWHERE = {P["rdfs"] + "comment", P["prov"] + "wasDerivedFrom"}
"""Shown above (the comment) or below (the quotations) the properties table of a page."""
RDF_TYPE = URIRef(P["rdf"] + "type")
MATCHES = ("exactMatch", "closeMatch", "relatedMatch", "broadMatch", "narrowMatch")
EXTERNAL = {URIRef(P["skos"] + m): m.replace("Match", " match") for m in MATCHES}
EXTERNAL[URIRef(P["owl"] + "sameAs")] = "same as"
FIRST = [P["rdf"] + "type", P["rdfs"] + "label", P["skos"] + "prefLabel", P["skos"] + "altLabel"]
LABEL_PREDICATES = (P["rdfs"] + "label", P["skos"] + "prefLabel", P["dcterms"] + "title")
LineRef = tuple[int, str]
"""A source line and the link to it in the source reader (``""``: no reader for its source)."""


@dataclass
class Wording:
    """Lines that state a statement in words or at a precision of their own ("July 2018", a
    month, where the value shown is the day another line gives)."""

    text: str
    lines: list[LineRef]
    note: str = ""
    """The precision of a date."""
    href: str | None = None
    """The page of a resource the lines name instead."""


@dataclass
class Evidence:
    """Where a statement comes from."""

    lines: list[LineRef] = field(default_factory=list)
    """The lines whose graph (``graph/line/N``) states it as shown."""
    also: list[Wording] = field(default_factory=list)
    """The lines that state it in other words or at another precision."""
    outside: list[tuple[str, str]] = field(default_factory=list)
    """(name, link) of the outside sources its named graph is declared to be derived from."""
    derived: bool = False
    """``kg build`` derived it by rule from other statements (no line states it as such)."""


Evidences = dict[tuple[str, str], Evidence]
"""(predicate IRI, object's lexical value) → its evidence; (predicate IRI, ``""``) → the lines'
wordings of a property that the page cannot tie to one of its values."""


@dataclass
class Value:
    text: str
    href: str | None = None
    note: str = ""
    """Language, datatype or compact IRI, shown small."""
    nested: list[Row] = field(default_factory=list)
    evidence: Evidence | None = None
    """Where the statement comes from (source lines, an outside source)."""
    anchor: str = ""
    """The fragment of a hash IRI listed on its own document's page (its ``id`` there)."""


@dataclass
class Row:
    label: str
    href: str
    iri: str
    compact: str
    values: list[Value]
    also: list[Wording] = field(default_factory=list)
    """How lines word the property where the page shows several values and cannot tell which
    one they state (the lines disagree: the discrepancy banner names them)."""


@dataclass
class Passage:
    iri: str
    href: str
    line: str | None
    exact: str | None
    prefix: str | None
    suffix: str | None
    source_title: str | None
    source_href: str | None
    """The source page, with a text fragment that highlights the quote."""
    reader_href: str | None = None
    """The passage's line in the source reader (``/source/<slug>#L<n>``)."""


@dataclass
class ResourceView:
    iri: str
    label: str
    types: list[Value]
    definition: str | None
    comment: str | None
    when: str | None
    date_text: str | None
    rows: list[Row]
    inverse: list[Row]
    passages: list[Passage]
    external: list[Value]
    downloads: list[tuple[str, str]]
    date_evidence: list[Wording] = field(default_factory=list)
    """The date as each line words it, with its lines (the date shown first)."""
    concerned_by: list[Value] = field(default_factory=list)
    """The discrepancies about this resource (a banner at the top of its page)."""


def natural(text: str) -> list[tuple[int, int | str]]:
    """Sort key that puts ``L2`` before ``L10``."""
    return [(0, int(t)) if t.isdigit() else (1, t) for t in re.split(r"(\d+)", text.lower()) if t]


def humanize(iri: str) -> str:
    """A readable name made from the end of an IRI: ``hasEarliestBeginTimeStamp`` → ``has earliest
    begin time stamp``."""
    local = re.split(r"[#/]", iri.rstrip("/#"))[-1] or iri
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", " ", local).replace("_", " ").split()
    return " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words) or local


def label_in(graph: Graph, node: Node) -> str | None:
    """The best English label ``graph`` has for ``node`` (label, prefLabel, title)."""
    for predicate in LABEL_PREDICATES:
        values = [o for o in graph.objects(node, URIRef(predicate)) if isinstance(o, Literal)]
        english = [v for v in values if v.language in (None, "en") or str(v.language).startswith("en")]
        chosen = sorted(english or values, key=str)
        if chosen:
            return str(chosen[0])
    return None


def _one(graph: Graph, s: Node, p: str) -> str | None:
    values = sorted(str(o) for o in graph.objects(s, URIRef(p)))
    return values[0] if values else None


class Values:
    """Turns the terms of description graphs into ``Value``s; ``known`` gives the ontology's (or a
    standard) label of a term, ``links`` the link and compact name of every IRI of the graph
    (``kg.web.iris.links``), ``evidence`` where each statement of the resource comes from."""

    def __init__(
        self, known: Mapping[str, str], links: Mapping[str, Link], evidence: Evidences | None = None
    ) -> None:
        self.known, self.links = known, links
        self.evidence: Evidences = evidence or {}

    def term_label(self, iri: str) -> str:
        """The name of a predicate or class: its label, else one made from its IRI."""
        return self.known.get(iri) or humanize(iri)

    def value(
        self, graph: Graph, node: Node, depth: int = 0, subject: Node | None = None, predicate: str = ""
    ) -> Value:
        if isinstance(node, Literal):
            note = f"@{node.language}" if node.language else compact_iri(str(node.datatype or ""))
            copy = None
            if predicate == NIO_STORED_COPY and subject is not None:
                reader = self.links[str(subject)].reader
                copy = f"{reader}.txt" if reader else None
            found = self.evidence.get((predicate, str(node))) if depth == 0 else None
            return Value(str(node), copy, "" if note == "xsd:string" else note, evidence=found)
        if isinstance(node, BNode):
            return Value("", None, "", self.rows(graph, node, depth + 1) if depth < 2 else [])
        iri = str(node)
        label = label_in(graph, node) or self.known.get(iri) or self.partition_label(graph, node)
        found = self.evidence.get((predicate, iri)) if depth == 0 else None
        link = self.links[iri]
        return Value(label or link.compact, link.href, link.compact if label else "", evidence=found)

    def partition_label(self, graph: Graph, node: Node) -> str | None:
        """``event (nio:Event): 51 resources`` for a VoID class or property partition."""
        for part, count, unit in (
            (VOID_CLASS, VOID_ENTITIES, "resources"),
            (VOID_PROPERTY, VOID_TRIPLES, "triples"),
        ):
            term = next(iter(graph.objects(node, part)), None)
            if term is not None:
                n = next(iter(graph.objects(node, count)), None)
                name, short = self.known.get(str(term)), self.links[str(term)].compact
                shown = f"{name} ({short})" if name else short
                if n is None:
                    return shown
                return f"{shown}: {n} {unit[:-1] if str(n) == '1' else unit}"
        return None

    def row(self, p: str, values: list[Value], top: bool = False) -> Row:
        """The row of ``p`` (``top``: a statement of the page's resource itself)."""
        link = self.links[p]
        unplaced = self.evidence.get((p, "")) if top else None
        return Row(
            self.term_label(p), link.href, p, link.compact, sorted(values, key=lambda v: natural(v.text)),
            unplaced.also if unplaced else [],
        )  # fmt: skip

    def rows(self, graph: Graph, subject: Node, depth: int = 0) -> list[Row]:
        by_predicate: dict[str, list[Node]] = {}
        for p, o in graph.predicate_objects(subject):
            by_predicate.setdefault(str(p), []).append(o)
        order = {p: i for i, p in enumerate(FIRST)}
        keys = sorted(by_predicate, key=lambda p: (order.get(p, len(order)), self.term_label(p).lower()))
        return [
            self.row(p, [self.value(graph, o, depth, subject, p) for o in by_predicate[p]], depth == 0)
            for p in keys
        ]

    def inverse(self, graph: Graph, iri: URIRef) -> list[Row]:
        by_predicate: dict[str, list[Node]] = {}
        for s, p in graph.subject_predicates(iri):
            if s != iri:
                by_predicate.setdefault(str(p), []).append(s)
        keys = sorted(by_predicate, key=lambda p: self.term_label(p).lower())
        return [self.row(p, [self.value(graph, s) for s in by_predicate[p]]) for p in keys]

    def passages(self, graph: Graph, iri: URIRef) -> list[Passage]:
        found = set(graph.objects(iri, URIRef(P["prov"] + "wasDerivedFrom")))
        found |= set(graph.objects(iri, URIRef(ONTOLOGY + "claim")))
        if (iri, URIRef(P["oa"] + "hasSelector"), None) in graph:
            found.add(iri)
        out = []
        for pa in found:
            selector = next(iter(graph.objects(pa, URIRef(P["oa"] + "hasSelector"))), None)
            source = next(iter(graph.objects(pa, URIRef(P["oa"] + "hasSource"))), None)
            line = _one(graph, pa, ONTOLOGY + "sourceLine")
            exact = _one(graph, selector, P["oa"] + "exact") if selector else None
            url = _one(graph, source, P["schema"] + "url") if source else None
            reader = self.links[str(source)].reader if isinstance(source, URIRef) else None
            out.append(
                Passage(
                    str(pa),
                    self.links[str(pa)].href if isinstance(pa, URIRef) else "",
                    line,
                    exact,
                    _one(graph, selector, P["oa"] + "prefix") if selector else None,
                    _one(graph, selector, P["oa"] + "suffix") if selector else None,
                    label_in(graph, source) if source else None,
                    text_fragment(url, exact) if url and exact else url,
                    reader + (f"#L{line}" if line else "") if reader else None,
                )
            )
        return sorted(out, key=lambda p: (int(p.line) if p.line and p.line.isdigit() else 0, p.iri))

    def external(self, graph: Graph, iri: URIRef) -> list[Value]:
        links: dict[str, list[str]] = {}
        for p, name in EXTERNAL.items():
            for o in graph.objects(iri, p):
                if isinstance(o, URIRef) and self.links[str(o)].href == str(o):  # not served here
                    links.setdefault(str(o), []).append(name)
        return [Value(site_name(t), t, ", ".join(sorted(set(r)))) for t, r in sorted(links.items())]

    def resource(self, iri: str, href: str, graph: Graph) -> ResourceView:
        """The page model of ``iri`` (served at ``href``), each value with its evidence."""
        node = URIRef(iri)
        precision = PRECISIONS.get(_one(graph, node, P["time"] + "unitType") or "")
        date_text = _one(graph, node, ONTOLOGY + "dateText")
        earliest = _one(graph, node, P["sem"] + "hasEarliestBeginTimeStamp")
        latest = _one(graph, node, P["sem"] + "hasLatestEndTimeStamp")
        doc = href.partition("#")[0]
        comments = sorted(str(c) for c in graph.objects(node, URIRef(P["rdfs"] + "comment")))
        return ResourceView(
            iri=iri,
            label=label_in(graph, node) or self.term_label(iri),
            types=[self.value(graph, t) for t in sorted(graph.objects(node, RDF_TYPE), key=str)],
            definition=_one(graph, node, P["skos"] + "definition"),
            comment=" ".join(comments) or None,
            when=when(_one(graph, node, ONTOLOGY + "date"), date_text, precision, earliest, latest),
            date_text=date_text,
            rows=[r for r in self.rows(graph, node) if r.iri not in SHOWN_ELSEWHERE],
            inverse=self.inverse(graph, node),
            passages=self.passages(graph, node),
            external=self.external(graph, node),
            downloads=format_links(doc),
            date_evidence=self.date_evidence(graph, node),
            concerned_by=sorted(
                (self.value(graph, s) for s in graph.subjects(URIRef(ONTOLOGY + "concerns"), node)),
                key=lambda v: v.text,
            ),
        )

    def date_evidence(self, graph: Graph, node: URIRef) -> list[Wording]:
        """The date shown (``nio:date``, else a stated period's ``nio:dateText``) as each line words
        it: first the lines that give it as shown, then the others."""
        for p in (ONTOLOGY + "date", ONTOLOGY + "dateText"):
            value = _one(graph, node, p)
            found = self.evidence.get((p, value)) if value is not None else None
            if found is not None:
                shown = _one(graph, node, ONTOLOGY + "dateText") or value or ""
                first = [Wording(shown, found.lines)] if found.lines else []
                return first + found.also
        return []


def site_name(iri: str) -> str:
    """``Wikidata Q7184``, ``DBpedia: NATO`` or the IRI."""
    if iri.startswith(P["wd"]):
        return f"Wikidata {iri[len(P['wd']) :]}"
    if iri.startswith(P["dbr"]):
        return f"DBpedia: {iri[len(P['dbr']) :].replace('_', ' ')}"
    return iri


def text_fragment(url: str, exact: str) -> str:
    """``url`` with a text fragment that highlights ``exact`` in browsers that support it."""
    words = exact.split()

    def enc(text: str) -> str:
        return quote(text, safe="").replace("-", "%2D")

    if len(words) <= 8:
        return f"{url}#:~:text={enc(exact)}"
    return f"{url}#:~:text={enc(' '.join(words[:5]))},{enc(' '.join(words[-5:]))}"


def format_links(href: str) -> list[tuple[str, str]]:
    """(label, link) of the document at ``href`` in each RDF format, for a page's download links."""
    return [(f.label, f"{href}.{f.key}") for f in RDF_FORMATS]
