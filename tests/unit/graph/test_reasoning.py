"""An OWL 2 RL closure of ontology + data as published (the build's default graph) is consistent (owlrl).

The raw data files hold authoring blocks (``nio:fromLine``) that the build expands, so the
published default graph is what is reasoned over.
"""

from __future__ import annotations

from pathlib import Path

import owlrl
import pytest
from owlrl.Namespaces import ERRNS
from rdflib import Graph
from rdflib.namespace import DCTERMS, OWL, RDF

from helpers import REPO


@pytest.fixture(scope="module")
def closure(built_repo: Path) -> Graph:
    graph = Graph()
    graph.parse(built_repo / "nato-iraq.nt", format="nt")
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics, rdfs_closure=False, axiomatic_triples=False).expand(graph)
    return graph


def test_nothing_is_inferred_to_be_owl_nothing(closure: Graph) -> None:
    members = list(closure.subjects(RDF.type, OWL.Nothing))
    assert not members, members[:10]


def test_no_declared_disjointness_is_broken(closure: Graph) -> None:
    broken = []
    for a, b in closure.subject_objects(OWL.disjointWith):
        shared = set(closure.subjects(RDF.type, a)) & set(closure.subjects(RDF.type, b))
        broken += [(str(x), str(a), str(b)) for x in shared]
    for axiom in closure.subjects(RDF.type, OWL.AllDisjointClasses):
        members = list(closure.items(closure.value(axiom, OWL.members)))
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                shared = set(closure.subjects(RDF.type, a)) & set(closure.subjects(RDF.type, b))
                broken += [(str(x), str(a), str(b)) for x in shared]
    assert not broken, broken[:10]


def test_owlrl_reports_no_inconsistency(closure: Graph) -> None:
    """owlrl writes each clash it finds (e.g. a disjointness or owl:Nothing) as an ErrorMessage."""
    messages = [str(closure.value(s, ERRNS.error)) for s in closure.subjects(RDF.type, ERRNS.ErrorMessage)]
    assert not messages, messages[:5]


def test_closure_is_not_trivial(closure: Graph) -> None:
    """Guard against an empty load making the checks above pass vacuously."""
    assert len(closure) > 5000
    assert any(closure.triples((None, OWL.disjointWith, None))) or any(
        closure.subjects(RDF.type, OWL.AllDisjointClasses)
    )


def test_ontology_modules_have_headers() -> None:
    for path in sorted((REPO / "ontology").glob("*.ttl")):
        g = Graph().parse(path)
        headers = list(g.subjects(RDF.type, OWL.Ontology))
        assert len(headers) == 1, path.name
        onto = headers[0]
        for prop in (OWL.versionInfo, DCTERMS.license, DCTERMS.title):
            assert g.value(onto, prop) is not None, f"{path.name}: missing {prop}"
