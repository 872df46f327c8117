"""The landing page at ``/``: what the dataset is, how big (resources of each kind, each count a
link to its list), where to go next, the example questions, and how to cite this build."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from kg import __version__
from kg.engine.base import QueryEngine, QueryError
from kg.web.iris import SPARQL_PATH
from kg.web.views.citation import Citation, citation
from kg.web.views.examples import Example
from kg.web.views.lists import KINDS
from kg.web.views.page_data import PageData
from kg.web.views.queries import PROLOGUE, select

COUNTS = f"""{PROLOGUE}
SELECT ?what (COUNT(DISTINCT ?s) AS ?n) WHERE {{
  VALUES (?what ?class) {{ {" ".join(f'("{slug}" {cls})' for slug, (cls, _) in KINDS.items())} }}
  ?s a/rdfs:subClassOf* ?class .
}} GROUP BY ?what"""


@dataclass(frozen=True)
class Landing:
    info: dict[str, Any]
    """``build.json``."""
    counts: list[tuple[str, int, str]]
    """(kind, how many, link to its list)."""
    examples: list[tuple[str, str, str]]
    """(question, query, link that opens it in the editor)."""
    public_url: str
    cite: Citation


async def counts(engine: QueryEngine, data: PageData) -> dict[str, int]:
    """Resources per kind (a key of ``KINDS``), read once per build; empty if the store cannot
    answer (the page is still useful without them)."""

    async def read() -> dict[str, int]:
        return {r["what"]: int(r["n"]) for r in await select(engine, COUNTS)}

    try:
        return await data.get("counts", engine, read)
    except QueryError:
        return {}


async def landing(
    engine: QueryEngine, data: PageData, info: dict[str, Any], examples: list[Example], url: str, prefix: str
) -> Landing:
    found = await counts(engine, data)
    return Landing(
        info,
        [(slug.replace("-", " "), found.get(slug, 0), f"{prefix}/list/{slug}") for slug in KINDS]
        if found
        else [],
        [(e.question, e.query, f"{SPARQL_PATH}?query={quote(e.query)}") for e in examples],
        url,
        citation(info, __version__, url),
    )
