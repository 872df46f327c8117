"""Render SPARQL results for a terminal (``kg query``): table, CSV, TSV or JSON."""

from __future__ import annotations

import json
from typing import Any

import pyoxigraph as ox

from kg.formats import RESULT_SERIALISERS as SOLUTION_FORMATS
from kg.namespaces import compact_iri

OUTPUT_FORMATS = ("table", "csv", "tsv", "json")


def _cell(term: Any) -> str:
    """A table cell: IRIs as compact names (``time:unitDay``) where a project prefix fits."""
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return compact_iri(term.value)
    if isinstance(term, ox.Literal):
        return term.value
    return str(term)


def render(result: Any, output: str) -> str:
    """Text for a pyoxigraph query result in the chosen ``output`` format."""
    if isinstance(result, ox.QueryBoolean) and output == "table":
        return "true" if bool(result) else "false"
    if isinstance(result, ox.QueryBoolean | ox.QuerySolutions) and output in SOLUTION_FORMATS:
        text = (result.serialize(format=SOLUTION_FORMATS[output]) or b"").decode("utf-8")
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False) if output == "json" else text
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        rows = [[_cell(sol[n]) for n in names] for sol in result]
        return _table(names, rows)
    data = ox.serialize(list(result), format=ox.RdfFormat.TURTLE)
    return (data or b"").decode("utf-8")


def _table(names: list[str], rows: list[list[str]]) -> str:
    """Aligned columns; no cell is ever cut, so every value can be copied whole."""
    widths = [max([len(n)] + [len(r[i]) for r in rows]) for i, n in enumerate(names)]

    def line(cells: list[str]) -> str:
        return " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    out = [line(names), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in rows]
    out.append(f"({len(rows)} row{'s' if len(rows) != 1 else ''})")
    return "\n".join(out)
