"""``kg build``: outputs, atomicity and the error reports of each failing stage."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Namespace, URIRef
from rdflib.namespace import RDF, VOID

from helpers import FIXTURES
from kg.build.dumps import DUMP_FORMATS, dump_name
from kg.cli import main

DUMPS = [dump_name(f) for f in DUMP_FORMATS]


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def tree_digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (to prove it did not change)."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_build_writes_dumps_checksums_void_and_store(mini_project: Path) -> None:
    code, out = run("build", "--root", str(mini_project))
    assert code == 0, out
    dist = mini_project / "dist"
    for name in DUMPS:
        data = (dist / name).read_bytes()
        assert data, name
        line = (dist / f"{name}.sha256").read_text()
        assert line == f"{hashlib.sha256(data).hexdigest()}  {name}\n"
        assert line in (dist / "SHA256SUMS").read_text()
    info = json.loads((dist / "build.json").read_text())
    # the dumps hold the same triples whatever the syntax
    expected = Graph().parse(dist / "nato-iraq.nt", format="nt")
    assert len(expected) == info["triples"]
    for name, fmt in [("nato-iraq.ttl", "turtle"), ("nato-iraq.rdf", "xml")]:
        assert len(Graph().parse(dist / name, format=fmt)) == info["triples"], name
    for name, fmt in [("nato-iraq.trig", "trig"), ("nato-iraq.jsonld", "json-ld")]:
        dataset = Dataset().parse(dist / name, format=fmt)
        assert len(list(dataset.quads((None, None, None, None)))) == info["quads"], name
    quads = list(ox.parse(path=str(dist / "nato-iraq.nq"), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == info["quads"]
    graphs = {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}
    assert graphs == {
        "https://w3id.org/nato-iraq/graph/ontology/mini",
        "https://w3id.org/nato-iraq/graph/data/mini",
        "https://w3id.org/nato-iraq/graph/data/generated",  # per-line graph index
        "https://w3id.org/nato-iraq/graph/line/2",  # the statements line 2 supports
        "https://w3id.org/nato-iraq/graph/shapes/mini",
    }
    # the default graph: data and ontology, without shapes or per-line copies
    default = [q for q in quads if isinstance(q.graph_name, ox.DefaultGraph)]
    assert len(default) == info["triples"]
    assert not any(q.predicate.value.startswith("http://www.w3.org/ns/shacl#") for q in default)
    store = ox.Store.read_only(str(dist / "store"))
    assert len(store) >= info["quads"]


def test_void_describes_the_dataset(mini_project: Path) -> None:
    assert run("build", "--root", str(mini_project))[0] == 0
    dist = mini_project / "dist"
    void = Graph().parse(dist / "void.ttl")
    ds = next(void.subjects(RDF.type, VOID.Dataset))
    dcterms = Namespace("http://purl.org/dc/terms/")
    for prop in (
        dcterms.title,
        dcterms.publisher,
        dcterms.license,
        dcterms.source,
        VOID.triples,
        VOID.uriSpace,
        VOID.sparqlEndpoint,
        VOID.dataDump,
    ):
        assert void.value(ds, prop) is not None, prop
    assert str(void.value(ds, VOID.uriSpace)) == "https://w3id.org/nato-iraq/"
    assert int(void.value(ds, VOID.triples)) == json.loads((dist / "build.json").read_text())["triples"]
    assert len(set(void.objects(ds, VOID.dataDump))) == 6


def test_broken_line_fails_with_file_and_line_and_keeps_dist(mini_project: Path) -> None:
    assert run("build", "--root", str(mini_project))[0] == 0
    before = tree_digest(mini_project / "dist")
    data = mini_project / "data" / "mini.ttl"
    lines = data.read_text().count("\n")
    with data.open("a") as fh:
        fh.write("event:broken a nio:Event ; this is not turtle\n")
    code, out = run("build", "--root", str(mini_project))
    assert code != 0
    assert f"data/mini.ttl:{lines + 1}:" in out
    assert tree_digest(mini_project / "dist") == before


@pytest.mark.parametrize(
    ("fixture", "focus", "path", "shape"),
    [
        ("event-without-date.ttl", "niq:event/undated", "nio:date", "nis:EventShape › property nio:date"),
        (
            "event-without-passage.ttl",
            "niq:event/unsourced",
            "prov:wasDerivedFrom",
            "nis:EventShape › property prov:wasDerivedFrom",
        ),
    ],
)
def test_shacl_violation_reports_focus_path_shape_message_file(
    mini_project: Path, fixture: str, focus: str, path: str, shape: str
) -> None:
    src = FIXTURES / "build" / fixture
    (mini_project / "data" / fixture).write_text(src.read_text())
    code, out = run("build", "--root", str(mini_project))
    assert code != 0
    assert "SHACL validation failed" in out
    assert f"data/{fixture}:" in out
    assert focus in out
    assert f"path:    {path}" in out
    assert f"shape:   {shape}" in out
    assert "message: " in out
    assert not (mini_project / "dist").exists()


def test_quote_missing_from_source_fails_naming_resource_and_quote(mini_project: Path) -> None:
    src = FIXTURES / "build" / "quote-not-in-source.ttl"
    (mini_project / "data" / "extra.ttl").write_text(src.read_text())
    code, out = run("build", "--root", str(mini_project))
    assert code != 0
    assert "quote check failed" in out
    assert "niq:passage/L9/quote" in out
    assert "'NATO met Iraq on 2 May 2020'" in out
    assert "data/extra.ttl:" in out


def test_changed_source_text_fails_its_checksum(mini_project: Path) -> None:
    (mini_project / "data" / "sources" / "mini.txt").write_text(
        "A tiny source text.\nNATO met Iraq on 1 May 2020 in Baghdad. Edited.\n"
    )
    code, out = run("build", "--root", str(mini_project))
    assert code != 0
    assert "sha256 is" in out


def test_empty_input_folder_fails(mini_project: Path) -> None:
    for f in (mini_project / "shapes").glob("*.ttl"):
        f.unlink()
    code, out = run("build", "--root", str(mini_project))
    assert code != 0
    assert "no *.ttl files" in out


def test_validate_writes_nothing(mini_project: Path) -> None:
    code, out = run("validate", "--root", str(mini_project))
    assert code == 0, out
    assert "valid" in out
    assert not (mini_project / "dist").exists()


def test_broken_line_in_the_real_data_keeps_the_real_dist(repo_copy: Path) -> None:
    """The acceptance check on the project's own data: build, break data/events.ttl, rebuild."""
    code, out = run("build", "--root", str(repo_copy))
    assert code == 0, out
    before = tree_digest(repo_copy / "dist")
    events = repo_copy / "data" / "events.ttl"
    line = events.read_text(encoding="utf-8").count("\n") + 1
    with events.open("a", encoding="utf-8") as fh:
        fh.write("event:oops nio:date ;\n")
    code, out = run("build", "--root", str(repo_copy))
    assert code != 0
    assert f"data/events.ttl:{line}:" in out
    assert tree_digest(repo_copy / "dist") == before


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("extra.nt", '<https://example.org/s> <https://example.org/p> "x" .\n'),
        ("extra.nq", '<https://example.org/s> <https://example.org/p> "x" <https://example.org/g> .\n'),
        (
            "extra.trix",  # read through rdflib: Oxigraph has no TriX parser
            '<TriX xmlns="http://www.w3.org/2004/03/trix/trix-1/"><graph><triple>'
            "<uri>https://example.org/s</uri><uri>https://example.org/p</uri><plainLiteral>x</plainLiteral>"
            "</triple></graph></TriX>",
        ),
    ],
)
def test_build_merges_another_dataset_as_named_graphs(mini_project: Path, name: str, text: str) -> None:
    extra = mini_project.parent / name
    extra.write_text(text)
    code, out = run("build", "--root", str(mini_project), "--data", str(extra))
    assert code == 0, out
    quads = list(ox.parse(path=str(mini_project / "dist" / "nato-iraq.nq"), format=ox.RdfFormat.N_QUADS))
    graphs = {
        q.graph_name.value
        for q in quads
        if q.subject.value == "https://example.org/s" and isinstance(q.graph_name, ox.NamedNode)
    }
    expected = (
        "https://example.org/g" if name.endswith(".nq") else "https://w3id.org/nato-iraq/graph/extra/extra"
    )
    assert graphs == {expected}
    void = Graph().parse(mini_project / "dist" / "void.ttl")
    assert (None, VOID.subset, URIRef(expected)) in void
