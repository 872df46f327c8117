"""The CSV tables as a Frictionless Data Package: ``csv/datapackage.json``, written by ``kg build``.

Each table is defined once, where it is written (``kg.build.tables``): a
``Table`` lists its ``Column`` s in order, with a Table Schema type, a description, and whether
the values are IRIs of the graph (``rdfType``: their class) or codes of a codebook (``codebook``:
the scheme, and ``constraints.enum`` where the codes are few and fixed). The writers take their
header from the same list, so a column added, renamed or moved there is in the schema too.

``frictionless validate csv/datapackage.json`` checks every table against its schema, the
primary and foreign keys, and each file's size and SHA-256.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg import __version__
from kg.namespaces import BASE, ONTOLOGY, RESOURCE

LIST = "several values are separated by "
"""How a description says that a cell may hold a list (``"; "`` or ``" | "``)."""


@dataclass(frozen=True)
class Column:
    """One column of a CSV table, as a Table Schema field."""

    name: str
    type: str
    """Table Schema type: string, integer, number, boolean, date, year …"""
    description: str
    rdf_type: str | None = None
    """The values are IRIs of resources of this class (``nio:Event`` …)."""
    codebook: str | None = None
    """The values are codes of this scheme (an IRI of the graph, or the codebook's own address)."""
    enum: tuple[str, ...] = ()
    """The only values allowed (besides an empty cell)."""
    pattern: str | None = None
    """A regular expression every non-empty value matches."""

    def field(self) -> dict[str, Any]:
        out: dict[str, Any] = {"name": self.name, "type": self.type, "description": self.description}
        if self.type == "boolean":
            out |= {"trueValues": ["true"], "falseValues": ["false"]}
        if self.rdf_type:
            out |= {"format": "uri", "rdfType": self.rdf_type}
        if self.codebook:
            out["codebook"] = self.codebook
        constraints: dict[str, Any] = {}
        if self.enum:
            constraints["enum"] = list(self.enum)
        if self.pattern:
            constraints["pattern"] = self.pattern
        if constraints:
            out["constraints"] = constraints
        return out


@dataclass(frozen=True)
class Table:
    """One CSV table of ``csv/``: its file, what it holds, its columns and keys."""

    path: str
    """File name inside ``csv/`` (``events.csv``)."""
    title: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[tuple[str, str, str], ...] = field(default_factory=tuple)
    """(column, other table's file name, its column)."""

    @property
    def name(self) -> str:
        return self.path.removesuffix(".csv")

    @property
    def names(self) -> list[str]:
        """The header, in order."""
        return [c.name for c in self.columns]

    def resource(self, folder: Path) -> dict[str, Any]:
        """The Data Package resource of this table, with the size and hash of its file in ``folder``."""
        path = folder / self.path
        data = path.read_bytes()
        first_line = data.split(b"\n", 1)[0].decode("utf-8").rstrip("\r")
        header = next(csv.reader([first_line]), [])
        if header != self.names:
            raise ValueError(f"{path}: header {header} is not the schema's {self.names}")
        schema: dict[str, Any] = {"fields": [c.field() for c in self.columns], "missingValues": [""]}
        if self.primary_key:
            schema["primaryKey"] = list(self.primary_key)
        if self.foreign_keys:
            schema["foreignKeys"] = [
                {"fields": [col], "reference": {"resource": other.removesuffix(".csv"), "fields": [ref]}}
                for col, other, ref in self.foreign_keys
            ]
        return {
            "name": self.name,
            "path": self.path,
            "title": self.title,
            "description": self.description,
            "profile": "tabular-data-resource",
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "bytes": len(data),
            "hash": "sha256:" + hashlib.sha256(data).hexdigest(),
            "dialect": {"delimiter": ",", "header": True},
            "schema": schema,
        }


def descriptor(tables: Sequence[Table], folder: Path) -> dict[str, Any]:
    """The ``datapackage.json`` of ``tables`` written into ``folder``."""
    return {
        "profile": "tabular-data-package",
        "name": "nato-iraq-kg-tables",
        "title": "NATO–Iraq knowledge graph: tables",
        "description": "The events, dyads and engagements of the NATO–Iraq knowledge graph as CSV "
        "tables, derived from the graph by its build. IRI columns resolve to the graph's pages at "
        f"{BASE}; codebook columns hold codes of the schemes they name.",
        "version": __version__,
        "homepage": BASE,
        "licenses": [
            {
                "name": "CC-BY-4.0",
                "title": "Creative Commons Attribution 4.0",
                "path": "https://creativecommons.org/licenses/by/4.0/",
            }
        ],
        "sources": [
            {
                "title": "NATO, “Relations with Iraq”",
                "path": "https://www.nato.int/cps/en/natohq/topics_88247.htm",
            }
        ],
        "resources": [t.resource(folder) for t in tables],
    }


def write_datapackage(tables: Sequence[Table], folder: Path) -> Path:
    """Write ``folder/datapackage.json`` describing ``tables`` (already written there)."""
    path = folder / "datapackage.json"
    text = json.dumps(descriptor(tables, folder), indent=2, ensure_ascii=False) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


# Shared by the tables' column definitions.
NIO = ONTOLOGY
SCHEME = RESOURCE + "scheme/"
