"""``engagements.csv``: one row per engagement (mission, programme, package, initiative) with its
start, end or "ongoing", status and the dated history of the events that changed it. Made from the
engine (the same data as the engagement pages and the timeline): by ``kg build`` into
``dist/csv/`` (``write_table``), or once per version of the data for a ``dist/`` without it."""

from __future__ import annotations

import asyncio
import csv
import hashlib
import io
from dataclasses import dataclass
from pathlib import Path

from kg.engine.base import QueryEngine
from kg.tables import ENGAGEMENTS_TABLE
from kg.web.describe import PROLOGUE, select
from kg.web.engagement import summary
from kg.web.page_data import build_data
from kg.web.timeline import items

NAME = f"csv/{ENGAGEMENTS_TABLE.path}"
TITLE = ENGAGEMENTS_TABLE.title
COLUMNS = ENGAGEMENTS_TABLE.names
DETAILS = f"""{PROLOGUE}
SELECT ?e (GROUP_CONCAT(DISTINCT ?cl; SEPARATOR="; ") AS ?classes)
  (GROUP_CONCAT(DISTINCT ?by; SEPARATOR="; ") AS ?conductors) WHERE {{
  ?e a/rdfs:subClassOf* nio:Engagement .
  OPTIONAL {{ ?e a ?c . ?c rdfs:subClassOf+ nio:Engagement ; rdfs:label ?cl
             FILTER(LANGMATCHES(LANG(?cl), "en")) }}
  OPTIONAL {{ ?e nio:conductedBy/rdfs:label ?by }}
}} GROUP BY ?e"""


@dataclass(frozen=True)
class Table:
    body: bytes
    rows: int
    sha256: str


def _sorted(joined: str) -> str:
    """A GROUP_CONCAT in a stable order (engines concatenate in any order)."""
    return "; ".join(sorted(v for v in joined.split("; ") if v))


async def build(engine: QueryEngine) -> Table:
    details = {r["e"]: r for r in await select(engine, DETAILS)}
    everything, _ = await items(engine)
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    rows = 0
    for item in (i for i in everything if i.kind == "engagement"):
        about = await summary(engine, item.iri)
        history = [f"{c.when}: {c.label}" + (f" ({c.change})" if c.change else "") for c in about.history]
        writer.writerow(
            {
                "engagement": item.iri,
                "label": item.label,
                "class": _sorted(details.get(item.iri, {}).get("classes", "")),
                "start": item.start[:10],
                "end": (item.end or "")[:10],
                "ongoing": "true" if item.ongoing else "false",
                "status": about.status or "",
                "dated_from": item.note,
                "conducted_by": _sorted(details.get(item.iri, {}).get("conductors", "")),
                "history": " | ".join(history),
            }
        )
        rows += 1
    body = out.getvalue().encode("utf-8")
    return Table(body, rows, hashlib.sha256(body).hexdigest())


def write_table(store: Path, folder: Path) -> int:
    """Write ``engagements.csv`` of the built store at ``store`` into ``folder`` (``kg build``);
    return its number of rows."""
    from kg.engine.embedded import EmbeddedEngine

    engine = EmbeddedEngine(store)
    try:
        table = asyncio.run(build(engine))
    finally:
        engine.close()
    (folder / ENGAGEMENTS_TABLE.path).write_bytes(table.body)
    return table.rows


async def engagements_table(engine: QueryEngine) -> Table:
    """The table for the engine's current version of the data."""
    return await build_data(engine, "engagements table", lambda: build(engine))
