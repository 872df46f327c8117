"""SHACL shapes and ontology tests.

Every fixture under ``tests/fixtures/shapes/pass`` and ``tests/fixtures/shapes/fail`` is
validated *together with* ``tests/fixtures/shapes/base.ttl`` (a small graph that conforms),
against ``shapes/*.ttl`` with ``ontology/*.ttl`` as the ontology graph, exactly as the build
does::

    pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True)

A fail fixture adds triples that break exactly one rule. It declares what the report must
contain in leading comment lines, one per expected (source shape, result path) pair::

    # expect: nis:EventShape-date nio:date
    # expect: nis:ParticipationShape-event ^nio:hasParticipation     (inverse path)
    # expect: nis:RequestShape-requester (nio:hasParticipation sem:roleType)   (sequence path)
    # expect: nis:QuantityValueShape -                                (no result path)

The set of (sh:sourceShape, sh:resultPath) pairs in the report must equal the expected set.

Speed: pyshacl re-parses each SHACL-SPARQL query for every focus node; ``_cached_sparql``
caches the parsed and translated query (rdflib's prepared-query pattern), which makes a
validation about five times faster without changing its result.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, RDF, RDFS, SH, SKOS

from helpers import REPO
from kg.build.sparql_cache import parsed_once

ROOT = REPO
FIXTURES = ROOT / "tests" / "fixtures" / "shapes"
BASE = FIXTURES / "base.ttl"
PASS = sorted((FIXTURES / "pass").glob("*.ttl"))
FAIL = sorted((FIXTURES / "fail").glob("*.ttl"))
ONTOLOGY_FILES = sorted((ROOT / "ontology").glob("*.ttl"))
SHAPES_FILES = sorted((ROOT / "shapes").glob("*.ttl"))

NIO = Namespace("https://w3id.org/nato-iraq/ontology#")
NIS = Namespace("https://w3id.org/nato-iraq/shapes#")
VANN = Namespace("http://purl.org/vocab/vann/")
OA = Namespace("http://www.w3.org/ns/oa#")
ONTOLOGY_BASE = "https://w3id.org/nato-iraq/ontology/"
SHAPES_BASE = "https://w3id.org/nato-iraq/shapes/"

PREFIXES = {
    "nis": str(NIS),
    "nio": str(NIO),
    "sem": "http://semanticweb.cs.vu.nl/2009/11/sem/",
    "org": "http://www.w3.org/ns/org#",
    "time": "http://www.w3.org/2006/time#",
    "prov": "http://www.w3.org/ns/prov#",
    "oa": str(OA),
    "schema": "https://schema.org/",
    "skos": str(SKOS),
    "dcterms": str(DCTERMS),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
}

# Terms the spec mentions only to say they are NOT used.
SPEC_REJECTED_TERMS = {"decisionText", "commends", "notOperatesIn", "startDate", "endDate"}


# ---------------------------------------------------------------- helpers


@pytest.fixture(scope="module", autouse=True)
def _cached_sparql() -> Iterator[None]:
    """Parse each SHACL-SPARQL string once, as ``kg build`` does (see kg.build.sparql_cache)."""
    with parsed_once():
        yield


def _load(paths) -> Graph:
    graph = Graph()
    for path in paths:
        graph.parse(path, format="turtle")
    return graph


@pytest.fixture(scope="session")
def ontology() -> Graph:
    assert ONTOLOGY_FILES, "no ontology/*.ttl found"
    return _load(ONTOLOGY_FILES)


@pytest.fixture(scope="session")
def shapes() -> Graph:
    assert SHAPES_FILES, "no shapes/*.ttl found"
    return _load(SHAPES_FILES)


SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")


def _with_sort_keys(data: Graph) -> Graph:
    """The fixture as the build hands it to SHACL: ``kg build`` adds ``nio:sortDate`` = the earliest begin."""
    for subject in set(data.subjects(SEM.hasEarliestBeginTimeStamp, None)):
        begins = list(data.objects(subject, SEM.hasEarliestBeginTimeStamp))
        if len(begins) == 1 and (subject, NIO.sortDate, None) not in data:
            data.add((subject, NIO.sortDate, begins[0]))
    return data


def _validate(fixture: Path | None, shapes: Graph, ontology: Graph) -> tuple[bool, Graph]:
    data = _with_sort_keys(_load([BASE] + ([fixture] if fixture else [])))
    conforms, report, text = pyshacl.validate(
        data, shacl_graph=shapes, ont_graph=ontology, inference="none", advanced=True
    )
    assert isinstance(report, Graph), text
    return conforms, report


def _expand(token: str) -> str:
    prefix, _, local = token.partition(":")
    if prefix not in PREFIXES:
        raise ValueError(f"unknown prefix in expectation: {token}")
    return PREFIXES[prefix] + local


def _parse_path(token: str) -> str:
    token = token.strip()
    if token == "-":
        return "-"
    if token.startswith("^"):
        return "^" + _expand(token[1:])
    if token.startswith("("):
        return "(" + " ".join(_expand(t) for t in token.strip("()").split()) + ")"
    return _expand(token)


def _render_path(graph: Graph, path) -> str:
    if path is None:
        return "-"
    if isinstance(path, URIRef):
        return str(path)
    inverse = graph.value(path, SH.inversePath)
    if inverse is not None:
        return "^" + str(inverse)
    if graph.value(path, RDF.first) is not None:
        return "(" + " ".join(str(p) for p in Collection(graph, path)) + ")"
    raise AssertionError(f"unexpected result path shape: {path}")


def _expectations(fixture: Path) -> set[tuple[str, str]]:
    expected = set()
    for line in fixture.read_text(encoding="utf-8").splitlines():
        match = re.match(r"#\s*expect:\s*(\S+)\s+(.+?)\s*$", line)
        if match:
            expected.add((_expand(match.group(1)), _parse_path(match.group(2))))
    return expected


def _top_results(report: Graph) -> list:
    """The report's own results (sh:result), not the nested sh:detail ones of sh:node."""
    reports = report.subjects(RDF.type, SH.ValidationReport)
    return [result for rep in reports for result in report.objects(rep, SH.result)]


def _results(report: Graph) -> set[tuple[str, str]]:
    return {
        (str(report.value(r, SH.sourceShape)), _render_path(report, report.value(r, SH.resultPath)))
        for r in _top_results(report)
    }


# ---------------------------------------------------------------- fixtures


def test_fixture_sets_are_not_empty():
    assert BASE.is_file()
    assert len(PASS) >= 3, "pass fixtures missing"
    assert len(FAIL) >= 10, "fail fixtures missing"
    for fixture in FAIL:
        assert _expectations(fixture), f"{fixture.name} declares no '# expect:' line"


def test_base_conforms(shapes, ontology):
    conforms, report = _validate(None, shapes, ontology)
    assert conforms, sorted(_results(report))


@pytest.mark.parametrize("fixture", PASS, ids=lambda p: p.stem)
def test_pass_fixture_conforms(fixture, shapes, ontology):
    conforms, report = _validate(fixture, shapes, ontology)
    assert conforms, sorted(_results(report))


@pytest.mark.parametrize("fixture", FAIL, ids=lambda p: p.stem)
def test_fail_fixture_breaks_exactly_the_expected_rule(fixture, shapes, ontology):
    conforms, report = _validate(fixture, shapes, ontology)
    assert not conforms
    assert _results(report) == _expectations(fixture)
    for result in _top_results(report):
        assert report.value(result, SH.resultSeverity) == SH.Violation
        message = report.value(result, SH.resultMessage)
        assert isinstance(message, Literal) and str(message).strip(), "result without message"


# ---------------------------------------------------------------- shapes are complete and documented


def test_every_class_is_a_target(shapes, ontology):
    declared = {c for c in ontology.subjects(RDF.type, OWL.Class) if str(c).startswith(str(NIO))}
    assert len(declared) >= 36
    targets = set(shapes.objects(None, SH.targetClass))
    missing = (declared | {SKOS.Concept, SKOS.ConceptScheme, OA.TextQuoteSelector}) - targets
    assert not missing, sorted(missing)


def test_every_shape_has_an_iri_a_label_and_messages(shapes):
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    property_shapes = set(shapes.subjects(RDF.type, SH.PropertyShape))
    property_shapes |= set(shapes.objects(None, SH.property))
    constraints = set(shapes.objects(None, SH.sparql))
    for shape in node_shapes | property_shapes | constraints:
        assert isinstance(shape, URIRef) and str(shape).startswith(str(NIS)), f"anonymous shape: {shape}"
        label = shapes.value(shape, RDFS.label)
        assert isinstance(label, Literal) and label.language == "en", f"{shape} has no @en label"
    for shape in property_shapes | constraints:
        message = shapes.value(shape, SH.message)
        assert isinstance(message, Literal) and message.language == "en", f"{shape} has no @en sh:message"
    for shape in property_shapes:
        assert (shape, RDF.type, SH.PropertyShape) in shapes, f"{shape} not typed sh:PropertyShape"


def test_every_shapes_file_has_a_title():
    for path in SHAPES_FILES:
        graph = _load([path])
        title = graph.value(URIRef(SHAPES_BASE + path.stem), DCTERMS.title)
        assert isinstance(title, Literal) and title.language == "en", path.name


# ---------------------------------------------------------------- ontology


def test_ontology_metadata_conforms():
    metadata_shapes = _load([FIXTURES / "ontology-shapes.ttl"]) + _load([ROOT / "shapes" / "common.ttl"])
    conforms, _report, text = pyshacl.validate(
        _load(ONTOLOGY_FILES), shacl_graph=metadata_shapes, inference="none", advanced=True
    )
    assert conforms, text


@pytest.mark.parametrize("path", ONTOLOGY_FILES, ids=lambda p: p.stem)
def test_ontology_module_header(path):
    graph = _load([path])
    module = URIRef(ONTOLOGY_BASE + path.stem)
    assert (module, RDF.type, OWL.Ontology) in graph
    assert graph.value(module, OWL.versionIRI) == URIRef(f"{module}/{graph.value(module, OWL.versionInfo)}")
    assert graph.value(module, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert str(graph.value(module, VANN.preferredNamespacePrefix)) == "nio"
    assert str(graph.value(module, VANN.preferredNamespaceUri)) == str(NIO)
    for imported in graph.objects(module, OWL.imports):
        stem = str(imported).removeprefix(ONTOLOGY_BASE)
        assert (ROOT / "ontology" / f"{stem}.ttl").is_file(), f"{path.name} imports unknown {imported}"
    for term in set(graph.subjects()):
        if isinstance(term, URIRef) and str(term).startswith(str(NIO)):
            assert graph.value(term, RDFS.isDefinedBy) == module, f"{term} not defined by {module}"


def test_ontology_declares_every_term_of_the_spec(ontology):
    spec = (ROOT / "docs" / "modelling-spec.md").read_text(encoding="utf-8")
    named = set(re.findall(r"nio:([A-Za-z][A-Za-z0-9]*)", spec))
    named |= set(re.findall(r"^\| `([A-Z][A-Za-z]+)` \|", spec, flags=re.M))
    named -= SPEC_REJECTED_TERMS
    declared = {str(t).removeprefix(str(NIO)) for t in ontology.subjects() if str(t).startswith(str(NIO))}
    assert named - declared == set(), "spec terms missing from ontology/"
    assert declared - named == set(), "ontology terms missing from the spec"


def test_disjointness_axioms(ontology):
    members = set()
    for axiom in ontology.subjects(RDF.type, OWL.AllDisjointClasses):
        members |= set(Collection(ontology, ontology.value(axiom, OWL.members)))
    expected = {
        "Event",
        "Engagement",
        "Quantity",
        "MonetaryQuantity",
        "Passage",
        "Post",
        "Person",
        "Document",
        "SourceDocument",
        "Discrepancy",
        "Participation",
    }
    assert members == {NIO[name] for name in expected}
    assert NIO.Place not in members and NIO.Actor not in members  # a Country is both


def test_no_blank_node_domains_or_ranges(ontology):
    """Domains and ranges are single named classes or datatypes (no unions: OWL RL-friendly)."""
    for prop in (RDFS.domain, RDFS.range):
        for value in ontology.objects(None, prop):
            assert not isinstance(value, BNode)
