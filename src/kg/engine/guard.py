"""What a query asks for, read before any engine sees it: form, depth, updates, remote IRIs.

``inspect_query`` reads the token stream of :mod:`kg.engine.lexer` (strings, IRIs and comments
are single tokens, so a ``SERVICE`` inside a string or a comment is not a keyword). It refuses
updates (403) and queries nested deeper than the limit (400: Oxigraph's recursive parser
overflows its stack at about 5,000 nested brackets). It reports every ``SERVICE`` target and every
``FROM``/``FROM NAMED`` graph as an absolute IRI, resolving ``PREFIX`` and ``BASE`` declarations;
a target it cannot resolve (a variable, an unknown prefix, a relative IRI without a base) is
reported as ``None`` so that the policy refuses it.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urljoin

from kg.engine.base import QueryError, ResultKind
from kg.engine.lexer import Token, iri_value, local_name, tokens, unescape_codepoints
from kg.namespaces import PREFIXES

FORMS: dict[str, ResultKind] = {
    "SELECT": "solutions",
    "ASK": "boolean",
    "CONSTRUCT": "graph",
    "DESCRIBE": "graph",
}
UPDATE_WORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "DROP", "CREATE", "ADD", "MOVE", "COPY", "WITH"}
OPENERS, CLOSERS = "{([", "})]"


@dataclass
class QueryShape:
    """What :func:`inspect_query` learnt (shared between callers: read it, don't change it).

    IRIs are absolute; ``None`` marks an unresolvable target. ``kind`` is None when the query
    form is not recognisable (the engine's parser will then say why).
    """

    kind: ResultKind | None = None
    services: list[str | None] = field(default_factory=list)
    from_graphs: list[str | None] = field(default_factory=list)
    from_named: list[str | None] = field(default_factory=list)
    depth: int = 0


_MEMO: OrderedDict[tuple[str, int, bool], QueryShape] = OrderedDict()
MEMO_SIZE, MEMO_TEXT = 2048, 8192


def inspect_query(text: str, max_depth: int, prefixes: Mapping[str, str] | None = None) -> QueryShape:
    """Read ``text``; raise QueryError (400 too deep, 403 update) or return its shape.

    ``prefixes`` are the ones the engine predeclares. When the text holds ``\\u`` escapes outside
    strings and IRIs, it is read a second time with every escape resolved, and the findings of
    both readings are merged, so an escape cannot hide a keyword from this check. Shapes of short
    queries are remembered (the web layer and the engine both ask; clients repeat queries).
    """
    memo = prefixes is None or prefixes is PREFIXES
    key = (text, max_depth, prefixes is PREFIXES)
    if memo and (hit := _MEMO.get(key)) is not None:
        return hit
    shape = _inspect(text, max_depth, prefixes)
    if memo and len(text) <= MEMO_TEXT:
        _MEMO[key] = shape
        while len(_MEMO) > MEMO_SIZE:
            try:
                _MEMO.popitem(last=False)
            except KeyError:  # emptied by another thread meanwhile
                break
    return shape


def _inspect(text: str, max_depth: int, prefixes: Mapping[str, str] | None) -> QueryShape:
    shape = _read(list(tokens(text)), max_depth, dict(prefixes or {}))
    if "\\u" in text or "\\U" in text:
        other = _read(list(tokens(unescape_codepoints(text))), max_depth, dict(prefixes or {}))
        for mine, theirs in (
            (shape.services, other.services),
            (shape.from_graphs, other.from_graphs),
            (shape.from_named, other.from_named),
        ):
            mine.extend(iri for iri in theirs if iri not in mine)
    return shape


def _read(toks: list[Token], max_depth: int, prefixes: dict[str, str]) -> QueryShape:
    shape = QueryShape()
    base: str | None = None
    depth = 0
    for i, tok in enumerate(toks):
        if tok.kind == "punct":
            depth += 1 if tok.text in OPENERS else -1
            if depth > max_depth:
                raise QueryError(
                    f"Query nested too deeply: more than {max_depth} levels of brackets "
                    f"(at character {tok.offset + 1}).",
                    400,
                )
            shape.depth = max(shape.depth, depth)
            continue
        if tok.kind != "name":
            continue
        word = tok.text.upper()
        following = toks[i + 1] if i + 1 < len(toks) else None
        if word in UPDATE_WORDS:
            raise QueryError(f"This endpoint is read-only: {word} (SPARQL Update) is not accepted.", 403)
        if word in FORMS and shape.kind is None:
            shape.kind = FORMS[word]
        elif word == "BASE" and following is not None and following.kind == "iri":
            base = _absolute(iri_value(following), base)
        elif word == "PREFIX" and following is not None and following.kind == "pname":
            target = toks[i + 2] if i + 2 < len(toks) else None
            if target is not None and target.kind == "iri":
                resolved = _absolute(iri_value(target), base)
                if resolved is not None:
                    prefixes[following.text.split(":", 1)[0]] = resolved
        elif word == "SERVICE":
            j = i + 1
            if j < len(toks) and toks[j].kind == "name" and toks[j].text.upper() == "SILENT":
                j += 1
            shape.services.append(_target(toks[j] if j < len(toks) else None, base, prefixes))
        elif word == "FROM":
            j = i + 1
            named = j < len(toks) and toks[j].kind == "name" and toks[j].text.upper() == "NAMED"
            j += 1 if named else 0
            graph = _target(toks[j] if j < len(toks) else None, base, prefixes)
            (shape.from_named if named else shape.from_graphs).append(graph)
    return shape


def _absolute(iri: str, base: str | None) -> str | None:
    if ":" in iri.split("/", 1)[0]:
        return iri
    return urljoin(base, iri) if base is not None else None


def _target(tok: Token | None, base: str | None, prefixes: Mapping[str, str]) -> str | None:
    """The absolute IRI a SERVICE/FROM target names, or None when it names none we can know."""
    if tok is None:
        return None
    if tok.kind == "iri":
        return _absolute(iri_value(tok), base)
    if tok.kind == "pname":
        prefix, _, local = tok.text.partition(":")
        namespace = prefixes.get(prefix)
        return None if namespace is None else namespace + local_name(local)
    return None
