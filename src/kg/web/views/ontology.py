"""The ontology's documentation page (``/ontology``, ``/ontology/<module>``), generated from its
graphs: modules, classes, properties and other terms, each with its anchor."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from rdflib import OWL, RDF, RDFS, SKOS, BNode, Graph, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS
from rdflib.term import Node

from kg.namespaces import ONTOLOGY, compact_iri
from kg.web.iris import Target, links
from kg.web.views.queries import Description
from kg.web.views.values import Value, Values, format_links, label_in

PROPERTY_TYPES = {
    OWL.ObjectProperty: "object property",
    OWL.DatatypeProperty: "datatype property",
    OWL.AnnotationProperty: "annotation property",
    RDF.Property: "property",
}
CHARACTERISTICS = {
    OWL.FunctionalProperty: "functional",
    OWL.InverseFunctionalProperty: "inverse functional",
    OWL.SymmetricProperty: "symmetric",
    OWL.TransitiveProperty: "transitive",
    OWL.AsymmetricProperty: "asymmetric",
    OWL.IrreflexiveProperty: "irreflexive",
}


@dataclass
class Term:
    iri: str
    anchor: str
    label: str
    compact: str
    kind: str
    definition: str | None
    module: Value | None
    relations: list[tuple[str, list[Value]]] = field(default_factory=list)


@dataclass
class Module:
    iri: str
    href: str
    title: str
    description: str | None
    version: str | None
    imports: list[Value]


@dataclass
class OntologyView:
    modules: list[Module]
    classes: list[Term]
    properties: list[Term]
    others: list[Term]


class OntologyDocs:
    """The documentation of the ontology ``graph`` (its terms shown with ``values``)."""

    def __init__(self, graph: Graph, values: Values) -> None:
        self.g = graph
        self.r = values

    def values(self, node: Node) -> list[Value]:
        """Links for a class expression: a named class, or the members of a union/intersection."""
        if isinstance(node, BNode):
            for op, word in ((OWL.unionOf, "or"), (OWL.intersectionOf, "and")):
                head = self.g.value(node, op)
                if head is not None:
                    members = [v for m in Collection(self.g, head) for v in self.values(m)]
                    return [Value(f"({word})", None), *members]
            on = self.g.value(node, OWL.onProperty)
            if on is not None:
                return [Value("restriction on", None), self.r.value(self.g, on)]
            return [Value("(anonymous)", None)]
        return [self.r.value(self.g, node)]

    def related(self, s: URIRef, p: URIRef, inverse: bool = False) -> list[Value]:
        nodes = self.g.subjects(p, s) if inverse else self.g.objects(s, p)
        return [v for n in sorted(nodes, key=str) for v in self.values(n)]

    def term(self, s: URIRef, kind: str) -> Term:
        iri = str(s)
        module = self.g.value(s, RDFS.isDefinedBy)
        definition = self.g.value(s, SKOS.definition) or self.g.value(s, RDFS.comment)
        t = Term(
            iri,
            iri[len(ONTOLOGY) :],
            label_in(self.g, s) or compact_iri(iri),
            compact_iri(iri),
            kind,
            str(definition) if definition else None,
            self.r.value(self.g, module) if module is not None else None,
        )
        pairs: list[tuple[str, URIRef, bool]] = [
            ("subclass of", RDFS.subClassOf, False),
            ("superclass of", RDFS.subClassOf, True),
            ("equivalent to", OWL.equivalentClass, False),
            ("disjoint with", OWL.disjointWith, False),
            ("domain of", RDFS.domain, True),
            ("in the range of", RDFS.range, True),
            ("subproperty of", RDFS.subPropertyOf, False),
            ("domain", RDFS.domain, False),
            ("range", RDFS.range, False),
            ("inverse of", OWL.inverseOf, False),
            ("type", RDF.type, False),
        ]
        for name, p, inv in pairs:
            values = self.related(s, p, inv)
            if values:
                t.relations.append((name, values))
        return t

    def view(self, module: str | None = None) -> OntologyView:
        g = self.g

        def ours(s: Node) -> bool:
            inside = isinstance(s, URIRef) and str(s).startswith(ONTOLOGY)
            return inside and (module is None or str(g.value(s, RDFS.isDefinedBy)) == module)

        classes = sorted({s for s in g.subjects(RDF.type, OWL.Class) if ours(s)}, key=str)
        props: dict[URIRef, str] = {}
        for rdf_type, kind in PROPERTY_TYPES.items():
            for s in g.subjects(RDF.type, rdf_type):
                if ours(s) and isinstance(s, URIRef):
                    props.setdefault(s, kind)
        for s, kind in list(props.items()):
            extra = [w for c, w in CHARACTERISTICS.items() if (s, RDF.type, c) in g]
            props[s] = ", ".join([kind, *extra])
        seen = set(classes) | set(props)
        others = sorted({s for s in g.subjects() if ours(s) and s not in seen}, key=str)
        modules = [
            Module(
                str(m),
                self.r.value(g, m).href or str(m),
                str(g.value(m, DCTERMS.title) or compact_iri(str(m))),
                str(g.value(m, DCTERMS.description) or "") or None,
                str(g.value(m, OWL.versionInfo) or "") or None,
                self.related(m, OWL.imports),  # type: ignore[arg-type]
            )
            for m in sorted(g.subjects(RDF.type, OWL.Ontology), key=str)
            if module is None or str(m) == module
        ]
        return OntologyView(
            modules,
            [self.term(c, "class") for c in classes if isinstance(c, URIRef)],
            [self.term(p, kind) for p, kind in sorted(props.items())],
            [self.term(o, "individual") for o in others if isinstance(o, URIRef)],
        )


@dataclass
class OntologyPage:
    view: OntologyView
    title: str
    formats: list[tuple[str, str]]
    """(label, link) of the page's RDF formats."""


def ontology_page(target: Target, found: Description, labels: Mapping[str, str], prefix: str) -> OntologyPage:
    """The documentation of the whole ontology, or of the module ``target`` (CPU work: off the loop)."""
    graph = found.graph
    module = None if target.path == "ontology" else target.iri
    terms = {str(t) for triple in graph for t in triple if isinstance(t, URIRef)}
    view = OntologyDocs(graph, Values(labels, links(terms, prefix))).view(module)
    title = view.modules[0].title if module and view.modules else "NATO–Iraq ontology"
    return OntologyPage(view, title, format_links(target.href))
