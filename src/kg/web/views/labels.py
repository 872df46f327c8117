"""Human labels for IRIs: the ontology's ``rdfs:label`` where it has one, else a readable name."""

from __future__ import annotations

import re

from rdflib import Graph, Literal, URIRef
from rdflib.term import Node

from kg.engine.base import QueryEngine
from kg.namespaces import PREFIXES
from kg.web.views.page_data import build_data
from kg.web.views.queries import select, term_labels_query

P = PREFIXES
STANDARD: dict[str, str] = {
    P["rdf"] + "type": "type",
    P["rdfs"] + "label": "label",
    P["rdfs"] + "comment": "comment",
    P["rdfs"] + "subClassOf": "subclass of",
    P["rdfs"] + "subPropertyOf": "subproperty of",
    P["rdfs"] + "isDefinedBy": "defined by",
    P["skos"] + "prefLabel": "preferred label",
    P["skos"] + "altLabel": "alternative label",
    P["skos"] + "definition": "definition",
    P["skos"] + "exactMatch": "exact match",
    P["skos"] + "closeMatch": "close match",
    P["skos"] + "relatedMatch": "related match",
    P["owl"] + "sameAs": "same as",
    P["prov"] + "wasDerivedFrom": "derived from (source passage)",
    P["sem"] + "hasActor": "actor",
    P["sem"] + "hasPlace": "place",
    P["sem"] + "roleType": "role",
    P["sem"] + "subEventOf": "part of event",
    P["sem"] + "hasEarliestBeginTimeStamp": "earliest begin",
    P["sem"] + "hasLatestEndTimeStamp": "latest end",
    P["time"] + "unitType": "date precision",
    P["oa"] + "exact": "exact quote",
    P["oa"] + "hasSelector": "selector",
    P["oa"] + "hasSource": "source",
    P["dcterms"] + "isPartOf": "part of",
    P["time"] + "unitDay": "day",
    P["time"] + "unitMonth": "month",
    P["time"] + "unitYear": "year",
}
LABEL_PREDICATES = (P["rdfs"] + "label", P["skos"] + "prefLabel", P["dcterms"] + "title")


def compact(iri: str) -> str:
    """``nio:Event`` for an IRI in a known namespace (longest namespace wins), else the IRI."""
    best = ""
    name = iri
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(ns) > len(best):
            best, name = ns, f"{prefix}:{iri[len(ns) :]}"
    return name


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


class TermLabels:
    """The ontology's labels of its terms, as read for one version of the data (see ``term_labels``)."""

    def __init__(self, labels: dict[str, str]) -> None:
        self.labels = labels

    def known(self, iri: str) -> str | None:
        """The ontology's or a standard label of ``iri``; ``None`` if it has none."""
        return self.labels.get(iri) or STANDARD.get(iri)

    def __call__(self, iri: str) -> str:
        return self.known(iri) or humanize(iri)


async def term_labels(engine: QueryEngine) -> TermLabels:
    """The term labels of ``engine``'s data, read from it once per build."""

    async def read() -> TermLabels:
        rows = await select(engine, term_labels_query())
        return TermLabels({r["term"]: r["label"] for r in sorted(rows, key=lambda r: r["label"])})

    return await build_data(engine, "term labels", read)
