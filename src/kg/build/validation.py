"""Validate the data with pyshacl and turn the report into lines a person can act on."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH
from rdflib.term import Node

from kg.build.loading import LoadedFile
from kg.build.rdfconv import short, term_value, to_rdflib
from kg.build.sparql_cache import parsed_once


@dataclass(frozen=True)
class ShapeResult:
    severity: str
    focus: str
    path: str
    shape: str
    message: str
    value: str
    files: tuple[str, ...]

    def __str__(self) -> str:
        where = ", ".join(self.files) or "(no file)"
        parts = [
            f"{self.severity}: {where}: {self.focus}",
            f"    path:    {self.path}",
            f"    shape:   {self.shape}",
            f"    message: {self.message}",
        ]
        if self.value:
            parts.append(f"    value:   {self.value}")
        return "\n".join(parts)


def _show(node: Node | None) -> str:
    if node is None:
        return "-"
    if isinstance(node, URIRef):
        return short(str(node))
    if isinstance(node, Literal):
        return repr(str(node)) + (f"^^{short(str(node.datatype))}" if node.datatype else "")
    return f"_:{node}" if node else "-"


def _where(lf: LoadedFile, subject: str, root: Path) -> str:
    """``file:line`` of the first line of ``lf`` that starts with ``subject`` (prefixed or full)."""
    display = lf.source.display(root)
    local = subject.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]
    try:
        lines = lf.source.path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return display
    for number, line in enumerate(lines, 1):
        head = line.split(" ", 1)[0]
        if head == f"<{subject}>" or (local and head.endswith(":" + local)):
            return f"{display}:{number}"
    return display


def _shape_name(shapes: Graph, shape: Node | None) -> str:
    """A named shape as is; a blank property shape as ``NodeShape › path``."""
    if shape is None or isinstance(shape, URIRef):
        return _show(shape)
    parent = shapes.value(None, SH.property, shape)
    path = shapes.value(shape, SH.path)
    if parent is not None:
        return f"{_show(parent)} › property {_show(path)}"
    return _show(shape)


def validate(loaded: list[LoadedFile], root: Path) -> tuple[bool, list[ShapeResult]]:
    """Run SHACL (shapes/ over data/, with ontology/ for the class hierarchy)."""
    import pyshacl  # slow to import: only when validating

    by_kind: dict[str, list[LoadedFile]] = defaultdict(list)
    for lf in loaded:
        by_kind[lf.source.kind].append(lf)
    data = to_rdflib(q for lf in by_kind["data"] + by_kind["extra"] for q in lf.quads)
    shapes = to_rdflib(q for lf in by_kind["shapes"] for q in lf.quads)
    ontology = to_rdflib(q for lf in by_kind["ontology"] for q in lf.quads)

    files_of: dict[str, set[int]] = defaultdict(set)  # subject → indexes of the files stating it
    data_files = by_kind["data"] + by_kind["extra"]
    for index, lf in enumerate(data_files):
        for q in lf.quads:
            files_of[term_value(q.subject)].add(index)

    with parsed_once():
        conforms, report, _text = pyshacl.validate(
            data,
            shacl_graph=shapes,
            ont_graph=ontology,
            inference="none",
            advanced=True,
            allow_warnings=True,
            abort_on_first=False,
        )
    assert isinstance(report, Graph)
    results: list[ShapeResult] = []
    # only the report's own results: nested ones (under sh:detail) would repeat them
    for res in report.objects(None, SH.result):
        focus = report.value(res, SH.focusNode)
        severity = report.value(res, SH.resultSeverity)
        results.append(
            ShapeResult(
                severity=str(severity).rsplit("#", 1)[-1] if severity else "Violation",
                focus=_show(focus),
                path=_show(report.value(res, SH.resultPath)),
                shape=_shape_name(shapes, report.value(res, SH.sourceShape)),
                message="; ".join(str(m) for m in report.objects(res, SH.resultMessage)) or "-",
                value=_show(report.value(res, SH.value)) if report.value(res, SH.value) is not None else "",
                files=tuple(
                    sorted(_where(data_files[i], str(focus), root) for i in files_of.get(str(focus), ()))
                ),
            )
        )
    results.sort(key=lambda r: (r.severity != "Violation", r.files, r.focus, r.path))
    ok = bool(conforms) or all(r.severity != "Violation" for r in results)
    return ok, results
