"""``/downloads``: the files of ``dist/`` (dumps, VoID, CSV tables and their Data Package) with size,
count and SHA-256."""

from __future__ import annotations

import asyncio
import csv
import json
import threading
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import FileResponse, Response

from kg.dumps import DUMP_FORMATS, dump_name, sha256_file
from kg.engine.base import QueryEngine
from kg.tables import ALL_TABLES, TABLES
from kg.web.engagement_table import NAME as ENGAGEMENTS
from kg.web.engagement_table import TITLE as ENGAGEMENTS_TITLE
from kg.web.engagement_table import engagements_table
from kg.web.templating import get_engine, get_settings, page

_digests: dict[tuple[str, int, int], str] = {}
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


def listing(dist: Path) -> list[Download]:
    """Every file of ``dist`` offered for download, in the order the page shows them."""
    info = json.loads((dist / "build.json").read_text()) if (dist / "build.json").is_file() else {}
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


async def offered(dist: Path, engine: QueryEngine) -> list[Download]:
    """``listing`` (read in a thread: it hashes files), plus the engagements table computed from
    ``engine`` where the build wrote none."""
    out = await asyncio.to_thread(listing, dist)
    if out and ENGAGEMENTS not in {d.name for d in out}:
        table = await engagements_table(engine)
        out.append(
            Download(
                ENGAGEMENTS, ENGAGEMENTS_TITLE, "text/csv", len(table.body), table.rows, "rows", table.sha256
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


def downloads_router() -> APIRouter:
    router = APIRouter(tags=["downloads"])

    @router.api_route("/downloads", methods=["GET", "HEAD"], response_model=None)
    async def downloads(request: Request) -> Response:
        """The list of downloads with their sizes, counts and SHA-256 checksums."""
        dist = get_settings(request).dist_dir
        files = await offered(dist, get_engine(request))
        built = (dist / "build.json").is_file()
        return page(request, "downloads.html", files=files, info_built=built, tables=ALL_TABLES)

    @router.api_route("/downloads/{name:path}", methods=["GET", "HEAD"], response_model=None)
    async def download(request: Request, name: str) -> Response:
        """One file of ``dist/``: a dump, its checksum, ``void.ttl``, ``build.json`` or a CSV table."""
        dist = get_settings(request).dist_dir
        if name == ENGAGEMENTS and not (dist / name).is_file():
            body = (await engagements_table(get_engine(request))).body
            headers = {"Content-Disposition": 'attachment; filename="engagements.csv"'}
            return Response(body, media_type="text/csv; charset=utf-8", headers=headers)
        kind = media_type(name, await asyncio.to_thread(listing, dist))
        path = dist / name
        if kind is None or not path.is_file():
            raise HTTPException(404, f"No download called {name!r}; see /downloads")
        charset = "; charset=utf-8" if kind.startswith("text/") else ""
        return FileResponse(path, media_type=kind + charset, filename=path.name)

    return router
