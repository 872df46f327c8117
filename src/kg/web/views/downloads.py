"""``/downloads``: the files of ``dist/`` (dumps, VoID, CSV tables and their Data Package) with size,
count and SHA-256."""

from __future__ import annotations

import csv
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.build.dumps import DUMP_FORMATS, dump_name, sha256_file
from kg.build.tables import TABLES

_digests: dict[tuple[str, int, int], str] = {}
_listed: dict[tuple[str, str, str], list[Download]] = {}  # the last build's listing
_lock = threading.Lock()


@dataclass(frozen=True)
class Download:
    name: str
    title: str
    media_type: str
    size: int
    count: int | None
    unit: str
    sha256: str


def digest(path: Path) -> str:
    """SHA-256 of ``path``, remembered while the file is unchanged."""
    stat = path.stat()
    key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    with _lock:
        if key not in _digests:
            _digests[key] = sha256_file(path)
        return _digests[key]


def _csv_rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as fh:
        return max(sum(1 for _ in csv.reader(fh)) - 1, 0)


def listing(dist: Path, info: dict[str, Any]) -> list[Download]:
    """Every file of ``dist`` offered for download, in the order the page shows them (``info``:
    the build's ``build.json``), worked out once per build and remembered until the next one."""
    key = (str(dist), str(info.get("build_id", "")), str(info.get("built_at", "")))
    if not key[1]:  # no build.json to tell one build from the next
        return _files(dist, info)
    with _lock:
        found = _listed.get(key)
    if found is None:
        found = _files(dist, info)
        with _lock:
            _listed.clear()
            _listed[key] = found
    return found


def _files(dist: Path, info: dict[str, Any]) -> list[Download]:
    sums: dict[str, str] = info.get("dumps", {})
    out = []
    for fmt in DUMP_FORMATS:
        path = dist / dump_name(fmt)
        if path.is_file():
            count = info.get("quads" if fmt.dataset else "triples")
            unit = "quads" if fmt.dataset else "triples"
            part = "default graph and all named graphs" if fmt.dataset else "default graph: data and ontology"
            title = f"{fmt.label} ({part})"
            sha = sums.get(path.name) or digest(path)
            out.append(Download(path.name, title, fmt.media_type, path.stat().st_size, count, unit, sha))
    void = dist / "void.ttl"
    if void.is_file():
        n = sum(1 for _ in ox.parse(path=str(void), format=ox.RdfFormat.TURTLE))
        title = "VoID and DCAT description of the dataset"
        out.append(
            Download("void.ttl", title, "text/turtle", void.stat().st_size, n, "triples", digest(void))
        )
    for name, title in TABLES.items():
        path = dist / "csv" / name
        if path.is_file():
            size = path.stat().st_size
            out.append(
                Download(f"csv/{name}", title, "text/csv", size, _csv_rows(path), "rows", digest(path))
            )
    package = dist / "csv" / "datapackage.json"
    if package.is_file():
        tables = len(json.loads(package.read_text(encoding="utf-8")).get("resources", []))
        title = "Table schemas of the CSV tables (Frictionless Data Package)"
        size = package.stat().st_size
        out.append(
            Download(
                package.relative_to(dist).as_posix(),
                title,
                "application/json",
                size,
                tables,
                "tables",
                digest(package),
            )
        )
    return out


def media_type(name: str, offered: list[Download]) -> str | None:
    for d in offered:
        if d.name == name:
            return d.media_type
    if name == "SHA256SUMS" or (
        name.endswith(".sha256") and name[: -len(".sha256")] in {d.name for d in offered}
    ):
        return "text/plain"
    return "application/json" if name == "build.json" else None
