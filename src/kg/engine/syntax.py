"""Oxigraph's SPARQL syntax errors, rewritten for people: where, which token, what to do.

Oxigraph reports ``error at LINE:COLUMN: expected one of …``, a list that mixes tokens (``"{"``,
``FILTER``), character classes (whole Unicode ranges), and the parser's own reasons ("Prefix not
found", "The SELECT contains a variable that is unbound"). ``explain`` keeps the position, names
the token found there, lists the expected tokens whole (character classes left out), gives a
reason as a reason, and for an unknown prefix says which prefixes exist, from what the plan read.
"""

from __future__ import annotations

import re

from kg.engine.plan import QueryPlan
from kg.namespaces import PREFIXES

_AT = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
# the items of the list: a quoted token, a character class (its quoted characters may hold
# "]" or ","), or anything else up to the next comma
_ITEM = re.compile(r"\"(?:[^\"\\]|\\.)*\"|\[(?:'(?:[^'\\]|\\.)*'|[^\]'])*\]|[^,]+", re.DOTALL)
_ESCAPE = re.compile(r"\\(.)")
_NEAR = re.compile(r"\s*(\S{1,40})")  # what stands at the error's position (shown, not read)
HINTS = {
    "The SELECT contains a variable that is unbound": "with GROUP BY or an aggregate such as COUNT, "
    "select only the grouped variables and aggregates (SAMPLE(?x) picks one value of another)",
}


def expected(detail: str) -> tuple[list[str], list[str]]:
    """The tokens and the reasons in the ``expected …`` part of an Oxigraph error."""
    detail = detail.strip().removeprefix("expected one of ").removeprefix("expected ")
    found, reasons = [], []
    for match in _ITEM.finditer(detail):
        item = match.group().strip()
        if not item or item.startswith("[") or item == "<unreported>":
            continue  # a character class, or nothing the parser reports
        if item.startswith('"'):
            found.append(_ESCAPE.sub(r"\1", item[1:-1]))
        elif " " in item:
            reasons.append(item)
        else:
            found.append(item)  # a keyword
    return list(dict.fromkeys(found)), list(dict.fromkeys(reasons))


def _offset(text: str, line: int, column: int) -> int:
    """The character offset of 1-based ``line``/``column`` in ``text``."""
    lines = text.split("\n")
    before = sum(len(x) + 1 for x in lines[: max(0, line - 1)])
    return min(len(text), before + max(0, column - 1))


def explain(plan: QueryPlan, message: str) -> str:
    """A readable sentence for Oxigraph's syntax error ``message`` on the query of ``plan``."""
    query = plan.query
    match = _AT.match(message.strip())
    if match is None:
        return f"Malformed query: {message}"
    line, column, detail = int(match[1]), int(match[2]), match[3]
    where = f"line {line}, column {column}"
    wanted, reasons = expected(detail)
    if "Prefix not found" in reasons and plan.unknown:
        unknown = ", ".join(f"`{p}:`" for p in plan.unknown)
        first = plan.unknown[0]
        known = ", ".join(f"`{p}:`" for p in sorted(PREFIXES))
        declared = ", ".join(f"`{p}:`" for p in plan.declared)
        also = f"; this query declares {declared}" if declared else ""
        return (
            f"Malformed query at {where}: unknown prefix {unknown}; declare it with PREFIX {first}: <…>, "
            f"or use one of the predeclared prefixes: {known}{also}."
        )
    at = _NEAR.match(query, _offset(query, line, column))
    near = f"near `{at[1]}`" if at else "at the end of the query"
    if reasons:
        said = "; ".join(r[0].lower() + r[1:] if r[1:2].islower() else r for r in reasons)
        why = ": " + "; ".join([said, *(HINTS[r] for r in reasons if r in HINTS)])
    elif wanted:
        listed = ", ".join(f"`{w}`" for w in wanted)
        why = f": expected {listed}" if len(wanted) == 1 else f": expected one of {listed}"
    else:
        why = ""
    text_line = query.split("\n")[line - 1] if 0 < line <= query.count("\n") + 1 else ""
    pointer = f"\n  {text_line}\n  {' ' * (column - 1)}^" if text_line.strip() else ""
    return f"Malformed query at {where}, {near}{why}.{pointer}"
