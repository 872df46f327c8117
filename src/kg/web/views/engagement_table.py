"""``engagements.csv``: one row per engagement (mission, programme, package, initiative) with its
start, end or "ongoing", status and the dated history of the events that changed it. Made from the
engine with the rule of the engagement pages and the timeline (:mod:`kg.web.views.engagement`),
in two queries, once per version of the data."""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass

from kg.engine.base import QueryEngine
from kg.web.views.engagement import SUMMARIES, summaries_of, summarize
from kg.web.views.offload import Offload
from kg.web.views.page_data import PageData
from kg.web.views.queries import PROLOGUE, Row, select

NAME = "csv/engagements.csv"
TITLE = "Engagements table (CSV): start, end or ongoing, status, history"
COLUMNS = [
    "engagement", "label", "class", "start", "end", "ongoing", "status", "dated_from", "conducted_by",
    "history",
]  # fmt: skip
DETAILS = f"""{PROLOGUE}
SELECT ?e (SAMPLE(?l) AS ?label) (GROUP_CONCAT(DISTINCT ?cl; SEPARATOR="; ") AS ?classes)
  (GROUP_CONCAT(DISTINCT ?by; SEPARATOR="; ") AS ?conductors) WHERE {{
  ?e a/rdfs:subClassOf* nio:Engagement ; rdfs:label ?l .
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


def table_of(details: list[Row], summary_rows: list[Row]) -> Table:
    """The table from the rows of ``DETAILS`` and ``SUMMARIES`` (CPU work: off the event loop)."""
    about = summaries_of(summary_rows)
    rows = []
    for d in details:
        s = about.get(d["e"]) or summarize([])
        history = [f"{c.when}: {c.label}" + (f" ({c.change})" if c.change else "") for c in s.history]
        rows.append(
            {
                "engagement": d["e"],
                "label": d["label"],
                "class": _sorted(d.get("classes", "")),
                "start": s.first[:10],
                "end": (s.last or "")[:10],
                "ongoing": "true" if s.ongoing else "false",
                "status": s.status or "",
                "dated_from": s.dated_from,
                "conducted_by": _sorted(d.get("conductors", "")),
                "history": " | ".join(history),
            }
        )
    rows.sort(key=lambda r: (r["start"], r["end"], r["label"]))
    out = io.StringIO()
    writer = csv.DictWriter(out, COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    body = out.getvalue().encode("utf-8")
    return Table(body, len(rows), hashlib.sha256(body).hexdigest())


async def engagements_table(engine: QueryEngine, data: PageData, offload: Offload) -> Table:
    """The table for the engine's current version of the data (two queries, once per build)."""

    async def build() -> Table:
        details, summaries = await select(engine, DETAILS), await select(engine, SUMMARIES)
        return await offload.run(table_of, details, summaries)

    return await data.get("engagements table", engine, build)
