"""Example queries for the editor and the landing page: the competency queries of ``queries/``.

Each is shown by its question (``# question:``), falling back to its title (``# title:``). PREFIX
lines that only repeat a predeclared prefix (``kg.namespaces.PREFIXES``) are dropped: the endpoint
and the editor know those prefixes already.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kg.namespaces import PREFIXES

PREFIX_LINE = re.compile(r"^\s*PREFIX\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>\s*$", re.IGNORECASE)


@dataclass(frozen=True)
class Example:
    name: str
    """The file's stem (``cq-01-engagements-start-end``): a stable anchor."""
    title: str
    question: str
    query: str


def _comment(text: str, key: str) -> str | None:
    for line in text.splitlines():
        if line.lower().startswith(f"# {key}:"):
            return line.split(":", 1)[1].strip()
    return None


def query_title(path: Path, text: str) -> str:
    """The ``# title:`` comment of a query file, or a title made from its file name."""
    return _comment(text, "title") or path.stem.replace("-", " ").capitalize()


def without_predeclared_prefixes(text: str) -> str:
    """``text`` without the PREFIX lines that declare a predeclared prefix with its usual IRI."""
    kept = []
    for line in text.splitlines():
        m = PREFIX_LINE.match(line)
        if m and PREFIXES.get(m.group(1) or "") == m.group(2):
            continue
        kept.append(line)
    return "\n".join(kept).strip("\n") + "\n"


def examples(folder: Path) -> list[Example]:
    """Every ``*.rq`` in ``folder``, in file-name order."""
    found = []
    if folder.is_dir():
        for path in sorted(folder.glob("*.rq")):
            text = path.read_text(encoding="utf-8")
            title = query_title(path, text)
            question = _comment(text, "question") or title
            found.append(Example(path.stem, title, question, without_predeclared_prefixes(text)))
    return found
