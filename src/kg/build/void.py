"""Describe the dataset with VoID and DCAT: what it is, where it comes from, how big it is."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, VOID, XSD

from kg import __version__
from kg.build.dumps import DUMP_FORMATS, default_graph_triples, dump_name
from kg.build.rdfconv import term_value
from kg.build.tables import TABLES
from kg.namespaces import BASE, DATASET, GRAPH, PREFIXES, RESOURCE

SOURCE_PAGE = "https://www.nato.int/cps/en/natohq/topics_88247.htm"
LICENSE = "https://creativecommons.org/licenses/by/4.0/"
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SPDX = Namespace("http://spdx.org/rdf/terms#")


def describe(quads: list[ox.Quad], checksums: dict[str, str], sizes: dict[str, int]) -> Graph:
    """The VoID/DCAT description of the dataset made of ``quads``."""
    g = Graph()
    for prefix, iri in PREFIXES.items():
        g.bind(prefix, iri)
    g.bind("sd", SD)
    g.bind("spdx", SPDX)
    ds = URIRef(DATASET)
    triples = set(default_graph_triples(quads))  # the default graph: data and ontology
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal("NATO–Iraq relations knowledge graph", lang="en")))
    g.add((ds, RDFS.label, Literal("NATO–Iraq relations knowledge graph", lang="en")))
    g.add(
        (
            ds,
            DCTERMS.description,
            Literal(
                "Every fact of the NATO page 'Relations with Iraq' as RDF: actors, decisions, missions, "
                "events, figures, each traced to the exact sentence of the page it came from.",
                lang="en",
            ),
        )
    )
    g.add((ds, DCTERMS.publisher, Literal("NATO–Iraq knowledge graph project")))
    g.add((ds, DCTERMS.license, URIRef(LICENSE)))
    g.add((ds, DCTERMS.source, URIRef(SOURCE_PAGE)))
    g.add((ds, DCTERMS.source, URIRef(RESOURCE + "source/nato-relations-with-iraq")))
    g.add((ds, DCTERMS.hasVersion, Literal(__version__)))
    g.add((ds, URIRef(str(DCAT) + "version"), Literal(__version__)))
    g.add((ds, DCTERMS.modified, Literal(dt.date.today().isoformat(), datatype=XSD.date)))
    g.add((ds, VOID.uriSpace, Literal(BASE)))
    g.add((ds, VOID.sparqlEndpoint, URIRef(BASE + "sparql")))
    g.add((ds, VOID.rootResource, URIRef(RESOURCE + "source/nato-relations-with-iraq")))
    g.add((ds, FOAF.homepage, URIRef(BASE)))
    g.add((ds, VOID.triples, Literal(len(triples))))
    g.add(
        (
            ds,
            VOID.entities,
            Literal(len({t.subject for t in triples if term_value(t.subject).startswith(BASE)})),
        )
    )
    g.add((ds, VOID.distinctSubjects, Literal(len({t.subject for t in triples}))))
    g.add((ds, VOID.properties, Literal(len({t.predicate for t in triples}))))
    g.add((ds, VOID.distinctObjects, Literal(len({t.object for t in triples}))))
    for fmt in DUMP_FORMATS:
        name = dump_name(fmt)
        url = URIRef(f"{BASE}downloads/{name}")
        g.add((ds, VOID.dataDump, url))
        dist = URIRef(f"{DATASET}/distribution/{fmt.extension}")
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(f"{fmt.label} dump", lang="en")))
        g.add((dist, DCAT.downloadURL, url))
        g.add(
            (dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{fmt.media_type}"))
        )
        g.add((dist, DCTERMS.format, Literal(fmt.media_type)))
        g.add((dist, DCTERMS.license, URIRef(LICENSE)))
        if name in sizes:
            g.add((dist, DCAT.byteSize, Literal(sizes[name], datatype=XSD.nonNegativeInteger)))
        if name in checksums:
            ck = BNode()
            g.add((dist, SPDX.checksum, ck))
            g.add((ck, RDF.type, SPDX.Checksum))
            g.add((ck, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
            g.add((ck, SPDX.checksumValue, Literal(checksums[name], datatype=XSD.hexBinary)))
    for table, title in TABLES.items():
        dist = URIRef(f"{DATASET}/distribution/csv-{table.removesuffix('.csv')}")
        g.add((ds, DCAT.distribution, dist))
        g.add((dist, RDF.type, DCAT.Distribution))
        g.add((dist, DCTERMS.title, Literal(title, lang="en")))
        g.add((dist, DCAT.downloadURL, URIRef(f"{BASE}downloads/csv/{table}")))
        g.add((dist, DCAT.mediaType, URIRef("https://www.iana.org/assignments/media-types/text/csv")))
        g.add((dist, DCTERMS.format, Literal("text/csv")))
        g.add((dist, DCTERMS.license, URIRef(LICENSE)))
    _partitions(g, ds, quads, triples)
    _linksets(g, ds, quads)
    return g


LINK_TARGETS = {
    # key: (title, entity namespace, homepage, SPARQL endpoint)
    "wikidata": (
        "Wikidata",
        PREFIXES["wd"],
        "https://www.wikidata.org/",
        "https://query.wikidata.org/sparql",
    ),
    "dbpedia": ("DBpedia", PREFIXES["dbr"], "https://dbpedia.org/", "https://dbpedia.org/sparql"),
}


def _linksets(g: Graph, ds: URIRef, quads: list[ox.Quad]) -> None:
    """One ``void:Linkset`` per target dataset and link predicate, with its number of links and
    the named graph(s) holding them (each such graph's subset)."""
    for key, (title, namespace, homepage, endpoint) in LINK_TARGETS.items():
        found = {
            (q.triple, term_value(q.graph_name))
            for q in quads
            if isinstance(q.object, ox.NamedNode)
            and q.object.value.startswith(namespace)
            and term_value(q.subject).startswith(BASE)
        }
        links = Counter(t.predicate.value for t in {t for t, _ in found})
        graphs_of = {p: sorted({name for t, name in found if t.predicate.value == p}) for p in links}
        if not links:
            continue
        target = URIRef(f"{DATASET}/target/{key}")
        g.add((target, RDF.type, VOID.Dataset))
        g.add((target, DCTERMS.title, Literal(title)))
        g.add((target, RDFS.label, Literal(title, lang="en")))
        g.add((target, FOAF.homepage, URIRef(homepage)))
        g.add((target, VOID.uriSpace, Literal(namespace)))
        g.add((target, VOID.sparqlEndpoint, URIRef(endpoint)))
        for predicate, count in sorted(links.items()):
            linkset = URIRef(f"{DATASET}/linkset/{key}-{_slug(predicate)}")
            g.add((ds, VOID.subset, linkset))
            g.add((linkset, RDF.type, VOID.Linkset))
            name = _slug(predicate).replace("-", ":", 1)
            g.add((linkset, RDFS.label, Literal(f"Links to {title} by {name}", lang="en")))
            g.add((linkset, VOID.subjectsTarget, ds))
            g.add((linkset, VOID.objectsTarget, target))
            g.add((linkset, VOID.linkPredicate, URIRef(predicate)))
            g.add((linkset, VOID.triples, Literal(count)))
            for name in graphs_of[predicate]:
                g.add((URIRef(name), VOID.subset, linkset))


def _partitions(g: Graph, ds: URIRef, quads: list[ox.Quad], triples: set[ox.Triple]) -> None:
    """Class and property partitions, and one subset per named graph."""
    rdf_type = ox.NamedNode(str(RDF.type))
    classes = Counter(term_value(t.object) for t in triples if t.predicate == rdf_type)
    for cls, count in sorted(classes.items()):
        part = URIRef(f"{DATASET}/class/{_slug(cls)}")
        g.add((ds, VOID.classPartition, part))
        g.add((part, VOID["class"], URIRef(cls)))
        g.add((part, VOID.entities, Literal(count)))
    props = Counter(t.predicate.value for t in triples)
    for prop, count in sorted(props.items()):
        part = URIRef(f"{DATASET}/property/{_slug(prop)}")
        g.add((ds, VOID.propertyPartition, part))
        g.add((part, VOID.property, URIRef(prop)))
        g.add((part, VOID.triples, Literal(count)))
    per_graph = Counter(q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode))
    for name, count in sorted(per_graph.items()):
        sub = URIRef(name)
        g.add((ds, VOID.subset, sub))
        g.add((sub, RDF.type, VOID.Dataset))
        g.add((sub, RDF.type, SD.NamedGraph))
        g.add((sub, SD.name, sub))
        g.add((sub, VOID.triples, Literal(count)))
        g.add((sub, RDFS.label, Literal(f"Named graph {name[len(GRAPH) :]}", lang="en")))


def _slug(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns):
            return f"{prefix}-{iri[len(ns) :]}".replace("/", "-").replace("#", "-")
    return "".join(c if c.isalnum() else "-" for c in iri)[-80:]
