"""A SPARQL tokenizer just careful enough to find keywords outside strings, IRIs and comments.

It follows the SPARQL 1.1 terminals where they matter for safety (strings with escapes, long
strings, IRIs, comments, prefixed names, variables) and lumps everything else into ``punct``
or ``other`` tokens. It never fails: text it does not understand becomes one-character tokens,
so a query it misreads can only be refused, never let through unseen.

It runs in time linear in the length of the text, whatever the text: every rule either matches
what it scanned or fails within the run of characters it started on, and no rule is retried
inside a run another rule has scanned. (A prefixed-name rule tried at every character of a long
``a-a-a-…`` run once made this quadratic: 64 KB took 44 s.) Names, numbers and prefixed names are
therefore read as one *run* of name characters first, and split afterwards.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from itertools import islice
from typing import NamedTuple

_PN_CHARS_BASE = (
    r"A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u02FF\u0370-\u037D\u037F-\u1FFF\u200C-\u200D\u2070-\u218F"
    r"\u2C00-\u2FEF\u3001-\uD7FF\uF900-\uFDCF\uFDF0-\uFFFD\U00010000-\U000EFFFF"
)
_PN_CHARS_U = _PN_CHARS_BASE + "_"
_PN_CHARS = _PN_CHARS_U + r"\-0-9\u00B7\u0300-\u036F\u203F-\u2040"
_PLX = r"%[0-9A-Fa-f]{2}|\\[_~.\-!$&'()*+,;=/?#@%]"
_UCHAR = r"\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8}"
_NUMBER = r"[0-9]++(?:\.[0-9]*+)?+(?:[eE][+-]?[0-9]++)?+|\.[0-9]++(?:[eE][+-]?[0-9]++)?+"

# Every repetition is possessive (``*+``, ``++``): once a rule has scanned characters it never
# gives them back to try another split, so no rule can backtrack over a long input. Each match is
# the whitespace and comments before a token, then the token (the one named group that took part);
# at the end of the text, only what precedes it.
_TOKEN = re.compile(
    r"(?:\s++|#[^\n\r]*+)*+(?:"
    + "|".join(
        [
            r"(?P<string>'''(?:(?:''|')?+(?:[^'\\]++|\\.))*+'''"
            r'|"""(?:(?:""|")?+(?:[^"\\]++|\\.))*+"""'
            r"|'(?:[^'\\\n\r]++|\\.)*+'"
            r'|"(?:[^"\\\n\r]++|\\.)*+")',
            rf"(?P<iri><(?:[^<>\"{{}}|^`\\\x00-\x20]++|{_UCHAR})*+>)",
            rf"(?P<var>[?$][{_PN_CHARS_U}0-9][{_PN_CHARS_U}0-9\u00B7\u0300-\u036F\u203F-\u2040]*+)",
            rf"(?P<bnode>_:[{_PN_CHARS_U}0-9][{_PN_CHARS}.]*+)",
            r"(?P<lang>@[A-Za-z]++(?:-[A-Za-z0-9]++)*+)",
            rf"(?P<number>{_NUMBER})",
            rf"(?P<run>(?:[{_PN_CHARS_U}:]|{_PLX})(?:[{_PN_CHARS}.:]++|{_PLX})*+)",
            r"(?P<punct>[{}()\[\]])",
            r"(?P<other>.)",
        ]
    )
    + ")?+",
    re.DOTALL,
)
_KINDS = {index: name for name, index in _TOKEN.groupindex.items()}
_RUN, _BNODE = _TOKEN.groupindex["run"], _TOKEN.groupindex["bnode"]
_PREFIX = re.compile(rf"(?:[{_PN_CHARS_BASE}](?:[{_PN_CHARS}.]*+(?<=[{_PN_CHARS}]))?+)?+")
_PIECE = re.compile(rf"(?P<name>[A-Za-z_][A-Za-z0-9_]*+)|(?P<number>{_NUMBER})|(?P<other>.)", re.DOTALL)
_UNESCAPE = re.compile(_UCHAR)


class Token(NamedTuple):  # a tuple: made for every token of every query, so made cheaply
    kind: str  # string | iri | var | bnode | pname | lang | name | number | punct | other
    text: str
    offset: int


def tokens(text: str, most: int | None = None) -> list[Token]:
    """The tokens of ``text``, without whitespace and comments; the first ``most`` only, when given
    (the text after them is not read)."""
    return list(islice(_scan(text), most))


def _scan(text: str) -> Iterator[Token]:
    kinds = _KINDS
    for match in _TOKEN.finditer(text):
        index = match.lastindex
        if index is None:  # the text ended after whitespace or a comment
            continue
        offset, value = match.start(index), match.group(index)
        if index == _RUN:
            colon = value.find(":")
            if colon < 0 and value.isascii() and value.isidentifier():
                yield Token("name", value, offset)  # most runs: keywords and function names
            elif colon >= 0 and value[-1] != "." and _ascii_prefix(value[:colon]):
                yield Token("pname", value, offset)  # most of the others: ex:name, ex:
            else:
                yield from _run(value, offset)
        elif index == _BNODE:
            yield from _trailing_dots("bnode", value, offset)
        else:
            yield Token(kinds[index], value, offset)


def _ascii_prefix(text: str) -> bool:
    """``text`` is empty or a plain ASCII prefix name (a letter, then letters, digits or ``_``):
    what ``_PREFIX`` accepts in most queries, told without running it."""
    return not text or (text.isascii() and text.isidentifier() and text[0] != "_")


def _trailing_dots(kind: str, text: str, offset: int) -> Iterator[Token]:
    """``text`` as one ``kind`` token, except that dots at its end are separate tokens."""
    body = text.rstrip(".")
    if len(body) < len(text) and (len(body) - len(body.rstrip("\\"))) % 2:
        body += "."  # an escaped dot (``\\.``) belongs to the name
    if body:
        yield Token(kind, body, offset)
    for i in range(len(body), len(text)):
        yield Token("other", ".", offset + i)


def _run(text: str, offset: int) -> Iterator[Token]:
    """A run of name characters: a prefixed name when it has a colon after a valid prefix,
    else names, numbers and one-character tokens (as a regular-expression tokenizer would split it).
    """
    colon = text.find(":")
    if colon >= 0 and _PREFIX.fullmatch(text, 0, colon):
        yield from _trailing_dots("pname", text, offset)
        return
    if colon > 0:  # what precedes the colon is no prefix: split it, and read the rest again
        yield from _pieces(text[:colon], offset)
        yield from _run(text[colon:], offset + colon)
        return
    yield from _pieces(text, offset)


def _pieces(text: str, offset: int) -> Iterator[Token]:
    for match in _PIECE.finditer(text):
        yield Token(match.lastgroup or "other", match.group(), offset + match.start())


def unescape_codepoints(text: str) -> str:
    """Replace ``\\uXXXX`` and ``\\UXXXXXXXX`` escapes by the characters they stand for."""

    def char(match: re.Match[str]) -> str:
        value = int(match.group()[2:], 16)
        return chr(value) if value <= 0x10FFFF and not 0xD800 <= value <= 0xDFFF else "\ufffd"

    return _UNESCAPE.sub(char, text)
