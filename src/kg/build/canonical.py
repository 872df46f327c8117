"""``kg fmt``: one canonical Turtle form for every hand-edited file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph

from kg.build.inputs import InputFile
from kg.build.loading import parse_file
from kg.build.turtle_order import serialize
from kg.namespaces import PREFIXES


@dataclass(frozen=True)
class FormatOutcome:
    path: Path
    changed: bool


def _header(text: str) -> str:
    """The comment block at the top of a file, kept as written."""
    lines = []
    for line in text.splitlines(keepends=True):
        if line.startswith("#"):
            lines.append(line)
        else:
            break
    return "".join(lines)


def canonical(path: Path) -> str:
    """The canonical Turtle of ``path``: leading comments kept, then ``longturtle`` grouped by parent."""
    original = path.read_text(encoding="utf-8")
    graph = Graph(bind_namespaces="none")
    graph.parse(data=original, format="turtle", publicID=path.resolve().as_uri())
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)
    body = serialize(graph)
    header = _header(original)
    return header + ("\n" if header else "") + body.lstrip("\n")


def format_files(files: list[InputFile], root: Path, write: bool) -> list[FormatOutcome]:
    """Canonicalise ``files`` (writing them back when ``write``); report which differ.

    Files are first parsed strictly, so a syntax error is reported with file:line:column
    instead of being re-serialised.
    """
    outcomes = []
    for src in files:
        parse_file(src, root)  # raises LoadError with the position of a syntax error
        text = canonical(src.path)
        changed = text != src.path.read_text(encoding="utf-8")
        if changed and write:
            src.path.write_text(text, encoding="utf-8")
        outcomes.append(FormatOutcome(src.path, changed))
    return outcomes
