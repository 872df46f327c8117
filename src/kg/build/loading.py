"""Parse RDF files into quads, reporting syntax errors with file, line and column."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox

from kg.build.inputs import InputFile


class LoadError(Exception):
    """One or more files could not be parsed; ``problems`` holds one line per error."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass
class LoadedFile:
    source: InputFile
    quads: list[ox.Quad] = field(default_factory=list)
    generated: bool = False  # made by the build (kg.build.generate), not read from a file


def rdf_format_for(path: Path) -> ox.RdfFormat | None:
    """Oxigraph's syntax for ``path`` from its extension (``.ttl``, ``.nt``, ``.jsonld`` …), if any."""
    ext = path.suffix.lstrip(".").lower()
    aliases = {"json": "jsonld", "owl": "rdf", "xml": "rdf"}
    return ox.RdfFormat.from_extension(aliases.get(ext, ext))


def _via_rdflib(path: Path, display: str) -> bytes:
    """N-Quads of a file in a syntax only rdflib reads (TriX, HexTuples …)."""
    from rdflib import Dataset
    from rdflib.util import guess_format

    fmt = guess_format(str(path))
    if fmt is None:
        raise LoadError([f"{display}: unknown RDF file extension '{path.suffix}'"])
    dataset = Dataset()
    try:
        dataset.parse(str(path), format=fmt)
    except Exception as err:  # rdflib's parsers raise many kinds of errors
        raise LoadError([f"{display}: syntax error ({fmt}): {err}"]) from None
    return dataset.serialize(format="nquads").encode("utf-8")


def _syntax_problem(display: str, err: SyntaxError) -> str:
    where = display
    if err.lineno is not None:
        where += f":{err.lineno}"
        if err.offset is not None:
            where += f":{err.offset}"
    message = str(err.msg) if err.msg else str(err)
    return f"{where}: syntax error: {message}"


RDFLIB_DEFAULT_GRAPH = "urn:x-rdflib:default"


def _is_default(graph: object, unnamed_is_default: bool) -> bool:
    """Whether ``graph`` is the file's default graph (rdflib gives unnamed graphs blank nodes)."""
    if isinstance(graph, ox.DefaultGraph):
        return True
    if isinstance(graph, ox.NamedNode):
        return graph.value == RDFLIB_DEFAULT_GRAPH
    return unnamed_is_default and isinstance(graph, ox.BlankNode)


def parse_file(source: InputFile, root: Path) -> LoadedFile:
    """Parse one file into quads in its own named graph (strict, as Oxigraph reads RDF)."""
    graph = ox.NamedNode(source.graph)
    fmt = rdf_format_for(source.path)
    display = source.display(root)
    try:
        if fmt is None:
            data = _via_rdflib(source.path, display)
            parsed = list(ox.parse(data, format=ox.RdfFormat.N_QUADS))
        else:
            base = source.path.resolve().as_uri()
            parsed = list(ox.parse(path=str(source.path), format=fmt, base_iri=base))
    except SyntaxError as err:
        raise LoadError([_syntax_problem(display, err)]) from None
    except (OSError, ValueError) as err:
        raise LoadError([f"{display}: cannot read: {err}"]) from None
    # triples, and a dataset's default graph, go to the file's own named graph
    quads = [
        ox.Quad(t.subject, t.predicate, t.object, graph)
        if isinstance(t, ox.Triple) or _is_default(t.graph_name, unnamed_is_default=fmt is None)
        else t
        for t in parsed
    ]
    return LoadedFile(source, quads)


def parse_all(sources: Iterable[InputFile], root: Path) -> list[LoadedFile]:
    """Parse every file; report every broken file, not just the first."""
    loaded: list[LoadedFile] = []
    problems: list[str] = []
    for src in sources:
        try:
            loaded.append(parse_file(src, root))
        except LoadError as err:
            problems.extend(err.problems)
    if problems:
        raise LoadError(problems)
    return loaded
