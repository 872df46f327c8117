"""Oxigraph's SPARQL syntax errors, rewritten for people: where, which token, what to do.

Oxigraph reports ``error at LINE:COLUMN: expected one of …`` where the list may hold whole
Unicode ranges. ``explain`` keeps the position, names the token found there, drops the
character classes from the list and, for an unknown prefix, says which prefixes exist.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from kg.engine.lexer import Token, tokens

_AT = re.compile(r"error at (\d+):(\d+): (.*)", re.DOTALL)
_CLASSES = re.compile(r"\[[^\]]*\]")


def _offset(text: str, line: int, column: int) -> int:
    """The character offset of 1-based ``line``/``column`` in ``text``."""
    lines = text.split("\n")
    before = sum(len(x) + 1 for x in lines[: max(0, line - 1)])
    return min(len(text), before + max(0, column - 1))


def _token_at(toks: list[Token], offset: int) -> Token | None:
    for tok in toks:
        if tok.offset <= offset < tok.offset + len(tok.text) or tok.offset >= offset:
            return tok
    return None


def _token_before(toks: list[Token], offset: int) -> Token | None:
    found = None
    for tok in toks:
        if tok.offset < offset:
            found = tok
    return found


def _expected(detail: str) -> str:
    words = [w.strip() for w in _CLASSES.sub("", detail).replace("expected one of", "").split(",")]
    words = [w.replace("expected ", "") for w in words if w and w != "Prefix not found"]
    return ", ".join(dict.fromkeys(words))


def _declared(query: str) -> list[str]:
    toks = list(tokens(query))
    return [
        toks[i + 1].text
        for i, tok in enumerate(toks[:-1])
        if tok.kind == "name" and tok.text.upper() == "PREFIX" and toks[i + 1].kind == "pname"
    ]


def explain(query: str, message: str, prefixes: Mapping[str, str]) -> str:
    """A readable sentence for Oxigraph's syntax error ``message`` on ``query``."""
    match = _AT.match(message.strip())
    if match is None:
        return f"Malformed query: {message}"
    line, column, detail = int(match[1]), int(match[2]), match[3]
    where = f"line {line}, column {column}"
    offset = _offset(query, line, column)
    toks = list(tokens(query))
    if "Prefix not found" in detail:
        before = _token_before(toks, offset)
        if before is not None and before.kind == "pname":
            prefix = before.text.split(":", 1)[0] + ":"
            known = ", ".join(f"`{p}:`" for p in sorted(prefixes))
            declared = _declared(query)
            also = f"; this query declares {', '.join(f'`{p}`' for p in declared)}" if declared else ""
            return (
                f"Malformed query at {where}: unknown prefix `{prefix}` (in `{before.text}`); "
                f"declare it with PREFIX {prefix} <…>, or use one of the predeclared prefixes: {known}{also}."
            )
    found = _token_at(toks, offset) or _token_before(toks, offset)
    near = f"near `{found.text}`" if found is not None else "at the start of the query"
    expected = _expected(detail)
    text_line = query.split("\n")[line - 1] if 0 < line <= query.count("\n") + 1 else ""
    pointer = f"\n  {text_line}\n  {' ' * (column - 1)}^" if text_line.strip() else ""
    wanted = f": expected {expected}" if expected else ""
    return f"Malformed query at {where}, {near}{wanted}.{pointer}"
