"""``/source/<slug>``: a source document read line by line, and ``/source/<slug>.txt``, its stored copy.

Each line has an anchor (``#L26``) and lists what was taken from it: the resources derived from its
passages (``prov:wasDerivedFrom`` or ``nio:claim``) and, where the build records them, the
statements it supports (the named graph ``graph/line/<N>``). A statement's line link on the other
pages lands here, on its line, highlighted. The text is the stored copy named by the source's
``nio:storedCopy`` (a path under the project root), served only if its SHA-256 is the one the
graph states.
"""

from __future__ import annotations

import asyncio
import hashlib
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import PlainTextResponse, Response

from kg.engine.base import QueryEngine
from kg.namespaces import GRAPH, PREFIXES, RESOURCE
from kg.web.iris import href
from kg.web.render.pages import get_engine, get_settings, page, prefix_of
from kg.web.views.queries import PROLOGUE, iri_literal, select

SOURCE = RESOURCE + "source/"
PARTICIPATION = RESOURCE + "participation/"


@dataclass
class Line:
    number: int
    text: str
    passages: list[tuple[str, str]] = field(default_factory=list)
    """(label, href) of the line's passages."""
    derived: list[tuple[str, str]] = field(default_factory=list)
    """(label, href) of the resources taken from the line."""
    statements: int = 0
    statements_href: str = ""


@dataclass
class Source:
    iri: str
    title: str
    url: str | None
    stored_copy: str | None
    sha256: str | None


def source_query(iri: str) -> str:
    s = iri_literal(iri)
    return f"""{PROLOGUE}PREFIX nio: <{PREFIXES["nio"]}>
SELECT ?title ?url ?copy ?sha WHERE {{
  {s} ?p ?o .
  OPTIONAL {{ {s} rdfs:label|dcterms:title ?title }}
  OPTIONAL {{ {s} schema:url ?url }}
  OPTIONAL {{ {s} nio:storedCopy ?copy }}
  OPTIONAL {{ {s} nio:sha256 ?sha }}
}} LIMIT 1"""


def lines_query(iri: str) -> str:
    return f"""{PROLOGUE}
SELECT ?line ?pa ?pal ?x ?xl WHERE {{
  ?pa oa:hasSource {iri_literal(iri)} ; nio:sourceLine ?line .
  OPTIONAL {{ ?pa rdfs:label ?pal }}
  OPTIONAL {{ ?x prov:wasDerivedFrom|nio:claim ?pa . FILTER(isIRI(?x))
             OPTIONAL {{ ?x rdfs:label ?xl }} }}
}}"""


LINE_GRAPHS = f"""{PROLOGUE}
SELECT ?g ?line (COUNT(*) AS ?n) WHERE {{
  GRAPH ?g {{ ?s ?p ?o }}
  FILTER(STRSTARTS(STR(?g), "{GRAPH}line/"))
  ?g nio:sourceLine ?line .
}} GROUP BY ?g ?line"""


def stored_text(root: Path, source: Source) -> str | None:
    """The stored copy's text, if it lies under ``root`` and has the SHA-256 the graph states."""
    if not source.stored_copy:
        return None
    relative = Path(os.path.normpath(source.stored_copy))
    if relative.is_absolute() or relative.parts[:1] == ("..",):
        return None
    path = root / relative
    if not path.is_file():
        return None
    data = path.read_bytes()
    if source.sha256 and hashlib.sha256(data).hexdigest() != source.sha256.lower():
        return None
    return data.decode("utf-8")


async def load_source(engine: QueryEngine, slug: str) -> Source | None:
    iri = SOURCE + slug
    try:
        rows = await select(engine, source_query(iri))
    except ValueError:
        return None
    if not rows:
        return None
    r = rows[0]
    return Source(iri, r.get("title", slug), r.get("url"), r.get("copy"), r.get("sha"))


async def read_lines(engine: QueryEngine, source: Source, text: str | None, prefix: str) -> list[Line]:
    """Every line of the text (or, without it, every line a passage quotes) with what it gave."""
    numbered = dict(enumerate(text.splitlines(), start=1)) if text is not None else {}
    passages: dict[int, dict[str, str]] = defaultdict(dict)
    derived: dict[int, dict[str, str]] = defaultdict(dict)
    for r in await select(engine, lines_query(source.iri)):
        n = int(r["line"])
        passages[n][r["pa"]] = r.get("pal", r["pa"].rsplit("/", 1)[-1])
        if r.get("x") and not r["x"].startswith(PARTICIPATION):  # reached through their events
            derived[n][r["x"]] = r.get("xl", r["x"].rsplit("/", 1)[-1])
    statements = {int(r["line"]): (r["g"], int(r["n"])) for r in await select(engine, LINE_GRAPHS)}
    out = []
    for n in sorted(set(numbered) | set(passages)):
        graph, count = statements.get(n, ("", 0))
        out.append(
            Line(
                n,
                numbered.get(n, ""),
                sorted(((label, href(p, prefix)) for p, label in passages[n].items()), key=lambda t: t[1]),
                sorted(((label, href(x, prefix)) for x, label in derived[n].items()), key=lambda t: t[0]),
                count,
                href(graph, prefix) if graph else "",
            )
        )
    return out


def reader_router() -> APIRouter:
    router = APIRouter(tags=["linked data"])

    @router.api_route("/source/{name}", methods=["GET", "HEAD"], response_model=None)
    async def reader(request: Request, name: str) -> Response:
        """The source read line by line (``/source/<slug>``) or its stored copy (``<slug>.txt``)."""
        slug, _, ext = name.partition(".")
        engine = await get_engine(request)
        source = await load_source(engine, slug) if ext in ("", "txt") else None
        if source is None:
            raise HTTPException(404, f"No source document called {slug!r}")
        text = await asyncio.to_thread(stored_text, (await get_settings(request)).root, source)
        if ext == "txt":
            if text is None:
                raise HTTPException(404, "The stored copy of this source is not available here")
            return PlainTextResponse(text, headers={"Content-Disposition": f'inline; filename="{slug}.txt"'})
        prefix = prefix_of(request)
        lines = await read_lines(engine, source, text, prefix)
        return page(
            request, "reader.html", source=source, lines=lines, has_text=text is not None,
            source_href=href(source.iri, prefix), copy_href=f"{prefix}/source/{slug}.txt",
        )  # fmt: skip

    return router
