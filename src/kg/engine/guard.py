"""What a query asks for, read before any engine sees it: form, size, updates, remote IRIs.

``inspect_query`` reads the token stream of :mod:`kg.engine.lexer` (strings, IRIs and comments
are single tokens, so a ``SERVICE`` inside a string or a comment is not a keyword), in time
linear in the query's length. It refuses updates (403) and queries too complex for the engine
(400): more than ``max_tokens`` tokens, brackets nested deeper than ``max_depth``, or more than
``max_chain`` of one operator or keyword (``UNION``, ``MINUS``, ``BIND``, ``&&``, ``/`` …) or of
items in one bracket (a collection, an argument list). Oxigraph's parser and planner recurse
over such chains and overflow the worker's stack at a few thousand (see docs/sparql-service.md).
It reports every ``SERVICE`` target and every
``FROM``/``FROM NAMED`` graph as an absolute IRI, resolving ``PREFIX`` and ``BASE`` declarations;
a target it cannot resolve (a variable, an unknown prefix, a relative IRI without a base) is
reported as ``None`` so that the policy refuses it.
"""

from __future__ import annotations

import hashlib
from collections import Counter, OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import islice
from urllib.parse import urljoin

from kg import defaults
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
MAX_DEPTH, MAX_TOKENS, MAX_CHAIN = defaults.MAX_DEPTH, defaults.MAX_TOKENS, defaults.MAX_CHAIN


# keywords and operators whose repetition makes Oxigraph's parser or planner recurse once more
CHAINED_WORDS = {"UNION", "MINUS", "OPTIONAL", "BIND", "FILTER", "VALUES", "GRAPH", "SERVICE", "IN"}
CHAINED_OPS = {"+", "-", "*", "/", "|", "^", "!", "&", "=", "<", ">", ".", ";", ",", "{"}
ITEM_KINDS = {"string", "iri", "var", "bnode", "pname", "name", "number", "punct"}
SIMPLE_KINDS = {"other", "name", "punct"}  # the tokens a chain limit stops the reading at
DECLARING = {"BASE", "PREFIX", "SERVICE", "FROM"}  # keywords followed by what they declare or name


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
    deepest_at: int = 0  # character offset of the first bracket at ``depth``
    tokens: int = 0  # read up to the token limit only: more means "too many"
    complete: bool = True  # False: reading stopped once a limit was passed
    limits: tuple[int, int, int] = (0, 0, 0)  # the limits it was read with (depth, tokens, chain)
    chains: Counter[str] = field(default_factory=Counter)  # operator or keyword → occurrences
    most_items: int = 0  # most items in one (…) or […] group
    most_items_at: int = 0


_MEMO: OrderedDict[tuple[bytes, bool], QueryShape] = OrderedDict()
MEMO_SIZE = 2048


def inspect_query(
    text: str,
    max_depth: int = MAX_DEPTH,
    prefixes: Mapping[str, str] | None = None,
    *,
    max_tokens: int = MAX_TOKENS,
    max_chain: int = MAX_CHAIN,
) -> QueryShape:
    """Read ``text``; raise QueryError (400 too complex, 403 update) or return its shape.

    ``prefixes`` are the ones the engine predeclares. When the text holds ``\\u`` escapes outside
    strings and IRIs, it is read a second time with every escape resolved, and the findings of
    both readings are merged, so an escape cannot hide a keyword from this check. Shapes are
    remembered by a SHA-256 digest of the text (clients repeat queries), so a repeated query is
    read once. Linear in the length of ``text``, but up to a second for
    the largest bodies: call it off the event loop.
    """
    memo = prefixes is None or prefixes is PREFIXES
    key = (hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest(), prefixes is PREFIXES)
    hit = _MEMO.get(key) if memo else None
    limits = (max_depth, max_tokens, max_chain)
    if hit is None or (not hit.complete and any(a > b for a, b in zip(limits, hit.limits, strict=True))):
        hit = _inspect(text, prefixes, limits)  # (again: it stopped early, at a lower limit)
        if memo:
            _MEMO[key] = hit
            while len(_MEMO) > MEMO_SIZE:
                try:
                    _MEMO.popitem(last=False)
                except KeyError:  # emptied by another thread meanwhile
                    break
    check_complexity(hit, max_depth, max_tokens, max_chain)
    return hit


def check_complexity(shape: QueryShape, max_depth: int, max_tokens: int, max_chain: int) -> None:
    """Raise QueryError(400) when ``shape`` passes one of the complexity limits."""
    advice = "Split the query or simplify it; the limits are listed in the service's documentation."
    if shape.depth > max_depth:
        raise QueryError(
            f"Query nested too deeply: more than {max_depth} levels of brackets "
            f"(at character {shape.deepest_at + 1}; limit {max_depth}). {advice}",
            400,
        )
    for what, count in shape.chains.most_common(1):
        if count > max_chain:
            raise QueryError(
                f"Query too complex: {count} times '{what}' (limit {max_chain} of any one operator "
                f"or keyword). {advice}",
                400,
            )
    if shape.most_items > max_chain:
        raise QueryError(
            f"Query too complex: {shape.most_items} items in one bracket group at character "
            f"{shape.most_items_at + 1} (limit {max_chain}). {advice}",
            400,
        )
    if shape.tokens > max_tokens or not shape.complete:
        raise QueryError(f"Query too long: more than {max_tokens} tokens (limit {max_tokens}). {advice}", 400)


class _Tokens:
    """The tokens of a text, read only as far as someone looked (``get``); the first ``EAGER``
    (all of most queries' tokens) are read at once, which is faster, and no more than that, so
    a text whose reading stops early at a limit is not tokenized to its end."""

    EAGER = 1024

    def __init__(self, text: str) -> None:
        self._stream = tokens(text)
        self._seen: list[Token] = list(islice(self._stream, self.EAGER))

    def get(self, i: int) -> Token | None:
        seen = self._seen
        if 0 <= i < len(seen):
            return seen[i]
        if i < 0:
            return None
        while len(seen) <= i:
            token = next(self._stream, None)
            if token is None:
                return None
            seen.append(token)
        return seen[i]


def _inspect(text: str, prefixes: Mapping[str, str] | None, limits: tuple[int, int, int]) -> QueryShape:
    shape = _read(_Tokens(text), dict(prefixes or {}), limits)
    if "\\u" in text or "\\U" in text:
        other = _read(_Tokens(unescape_codepoints(text)), dict(prefixes or {}), limits)
        for mine, theirs in (
            (shape.services, other.services),
            (shape.from_graphs, other.from_graphs),
            (shape.from_named, other.from_named),
        ):
            mine.extend(iri for iri in theirs if iri not in mine)
        shape.tokens = max(shape.tokens, other.tokens)
        shape.complete = shape.complete and other.complete
        shape.chains |= other.chains
        if other.depth > shape.depth:
            shape.depth, shape.deepest_at = other.depth, other.deepest_at
        if other.most_items > shape.most_items:
            shape.most_items, shape.most_items_at = other.most_items, other.most_items_at
    return shape


def _read(toks: _Tokens, prefixes: dict[str, str], limits: tuple[int, int, int]) -> QueryShape:
    """The shape of the query; reading stops (``complete`` False) as soon as a limit is passed."""
    max_depth, max_tokens, max_chain = limits
    shape = QueryShape(limits=limits)
    chains, top_chain = shape.chains, 0  # top_chain: the largest count in chains
    base: str | None = None
    items: list[list[int]] = []  # per open bracket: [items so far, offset, counts items (0/1)]
    get, i = toks.get, -1
    while (tok := get(i := i + 1)) is not None:
        kind, text = tok.kind, tok.text
        if (
            i >= max_tokens
            or shape.depth > max_depth
            or shape.most_items > max_chain
            or (top_chain > max_chain and kind in SIMPLE_KINDS)
        ):
            shape.tokens, shape.complete = i + 1, False
            return shape
        if items and items[-1][2] and kind in ITEM_KINDS and text not in CLOSERS:
            top = items[-1]
            top[0] += 1
            if top[0] > shape.most_items:
                shape.most_items, shape.most_items_at = top[0], top[1]
        if kind == "punct":
            if text in OPENERS:
                items.append([0, tok.offset, text != "{"])
                if text == "{":
                    chains["{"] += 1
                    top_chain = max(top_chain, chains["{"])
            elif items:
                items.pop()
            if len(items) > shape.depth:
                shape.depth, shape.deepest_at = len(items), tok.offset
            continue
        if kind == "other":
            if text in CHAINED_OPS and not _second_half(toks, i):
                chains[text] += 1
                top_chain = max(top_chain, chains[text])
            continue
        if kind != "name":
            continue
        word = text.upper()
        if word in CHAINED_WORDS:
            chains[word] += 1
            top_chain = max(top_chain, chains[word])
        if word in UPDATE_WORDS:
            raise QueryError(f"This endpoint is read-only: {word} (SPARQL Update) is not accepted.", 403)
        if word in FORMS:
            if shape.kind is None:
                shape.kind = FORMS[word]
        elif word in DECLARING:
            base = _declared(toks, i, word, base, prefixes, shape)
    shape.tokens = i
    return shape


def _declared(
    toks: _Tokens, i: int, word: str, base: str | None, prefixes: dict[str, str], shape: QueryShape
) -> str | None:
    """Read what the keyword ``word`` at ``toks[i]`` declares or names (BASE, PREFIX, SERVICE,
    FROM): note it in ``prefixes`` or ``shape``; return the base IRI from now on."""
    following = toks.get(i + 1)
    if word == "BASE" and following is not None and following.kind == "iri":
        base = _absolute(iri_value(following), base)
    elif word == "PREFIX" and following is not None and following.kind == "pname":
        target = toks.get(i + 2)
        if target is not None and target.kind == "iri":
            resolved = _absolute(iri_value(target), base)
            if resolved is not None:
                prefixes[following.text.split(":", 1)[0]] = resolved
    elif word == "SERVICE":
        j = i + 1
        if _is_word(toks.get(j), "SILENT"):
            j += 1
        shape.services.append(_target(toks.get(j), base, prefixes))
    elif word == "FROM":
        j = i + 1
        named = _is_word(toks.get(j), "NAMED")
        j += 1 if named else 0
        graph = _target(toks.get(j), base, prefixes)
        (shape.from_named if named else shape.from_graphs).append(graph)
    return base


def _is_word(tok: Token | None, word: str) -> bool:
    return tok is not None and tok.kind == "name" and tok.text.upper() == word


def _second_half(toks: _Tokens, i: int) -> bool:
    """Whether ``toks[i]`` completes a two-character operator (``&&``, ``||``) or is part of ``^^``
    (a datatype, not an inverse path), so that it is not counted again."""
    tok = toks.get(i)
    assert tok is not None
    prev = toks.get(i - 1)
    twin = prev is not None and prev.text == tok.text and prev.offset == tok.offset - 1
    if tok.text == "^":
        after = toks.get(i + 1)
        return twin or (after is not None and after.text == "^" and after.offset == tok.offset + 1)
    return twin and tok.text in "&|"


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
