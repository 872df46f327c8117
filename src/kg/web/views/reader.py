"""``/source/<slug>``: a source document read line by line, and ``/source/<slug>.txt``, its stored copy.

Each line has an anchor (``#L26``) and lists what was taken from it: the resources its statements
are about (the subjects of its named graph ``graph/line/<N>``, where the build puts what the line
claims, and nothing else), the discrepancies that cite it (``nio:claim``), and a link to those
statements. A statement's line link on the other
pages lands here, on its line, highlighted. The text is the stored copy named by the source's
``nio:storedCopy`` (a path under the project root), served only if its SHA-256 is the one the
graph states.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

from kg.engine.base import QueryEngine
from kg.namespaces import GRAPH, PREFIXES
from kg.web.iris import SOURCES, href
from kg.web.views.page_data import PageData
from kg.web.views.queries import PROLOGUE, iri_literal, select

PARTICIPATION = PREFIXES["participation"]


@dataclass
class Line:
    number: int
    text: str
    passages: list[tuple[str, str]] = field(default_factory=list)
    """(name, href) of the line's passages."""
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


@dataclass
class ReaderPage:
    source: Source
    lines: list[Line]
    has_text: bool
    """The stored copy is here (else only the quoted lines are listed, without their text)."""
    source_href: str
    copy_href: str


def source_query(iri: str) -> str:
    s = iri_literal(iri)
    return f"""{PROLOGUE}
SELECT ?title ?url ?copy ?sha WHERE {{
  {s} ?p ?o .
  OPTIONAL {{ {s} rdfs:label|dcterms:title ?title }}
  OPTIONAL {{ {s} schema:url ?url }}
  OPTIONAL {{ {s} nio:storedCopy ?copy }}
  OPTIONAL {{ {s} nio:sha256 ?sha }}
}} LIMIT 1"""


def lines_query(iri: str) -> str:
    """Each passage of the source with its line, and what the line is about: the subjects of the
    line's graph (whose ``prov:wasDerivedFrom`` is the line's passage), and what cites the passage."""
    return f"""{PROLOGUE}
SELECT DISTINCT ?line ?pa ?x ?xl WHERE {{
  ?pa oa:hasSource {iri_literal(iri)} ; nio:sourceLine ?line .
  OPTIONAL {{ {{ ?x nio:claim ?pa }}
             UNION {{ ?g prov:wasDerivedFrom ?pa ; nio:sourceLine ?n . GRAPH ?g {{ ?x ?p ?o }} }}
             FILTER(isIRI(?x)) OPTIONAL {{ ?x rdfs:label ?xl }} }}
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
    iri = SOURCES + slug
    try:
        rows = await select(engine, source_query(iri))
    except ValueError:
        return None
    if not rows:
        return None
    r = rows[0]
    return Source(iri, r.get("title", slug), r.get("url"), r.get("copy"), r.get("sha"))


async def line_graphs(engine: QueryEngine, data: PageData) -> dict[int, tuple[str, int]]:
    """Line → (its named graph of statements, how many), read once per build."""

    async def read() -> dict[int, tuple[str, int]]:
        return {int(r["line"]): (r["g"], int(r["n"])) for r in await select(engine, LINE_GRAPHS)}

    return await data.get("line graphs", engine, read)


async def reader_page(
    engine: QueryEngine, data: PageData, source: Source, text: str | None, prefix: str
) -> ReaderPage:
    """Every line of the text (or, without it, every line a passage quotes) with what it gave."""
    numbered = dict(enumerate(text.splitlines(), start=1)) if text is not None else {}
    passages: dict[int, set[str]] = defaultdict(set)
    derived: dict[int, dict[str, str]] = defaultdict(dict)
    for r in await select(engine, lines_query(source.iri)):
        n = int(r["line"])
        passages[n].add(r["pa"])
        if r.get("x") and not r["x"].startswith(PARTICIPATION):  # reached through their events
            derived[n][r["x"]] = r.get("xl", r["x"].rsplit("/", 1)[-1])
    statements = await line_graphs(engine, data)
    lines = []
    for n in sorted(set(numbered) | set(passages)):
        graph, count = statements.get(n, ("", 0))
        lines.append(
            Line(
                n,
                numbered.get(n, ""),
                sorted((p.rsplit("/", 1)[-1], href(p, prefix)) for p in passages[n]),
                sorted((label, href(x, prefix)) for x, label in derived[n].items()),
                count,
                href(graph, prefix) if graph else "",
            )
        )
    slug = source.iri[len(SOURCES) :]
    return ReaderPage(
        source, lines, text is not None, href(source.iri, prefix), f"{prefix}/source/{quote(slug)}.txt"
    )
