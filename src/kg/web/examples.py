"""Example queries shown as query-editor tabs: the competency queries of ``queries/``."""

from __future__ import annotations

from pathlib import Path


def query_title(path: Path, text: str) -> str:
    """The ``# title:`` comment of a query file, or a title made from its file name."""
    for line in text.splitlines():
        if line.lower().startswith("# title:"):
            return line.split(":", 1)[1].strip()
    return path.stem.replace("-", " ").capitalize()


def load_examples(folder: Path) -> dict[str, dict[str, str]]:
    """Title → ``{"query": text}`` for every ``*.rq`` in ``folder``, in file-name order."""
    examples: dict[str, dict[str, str]] = {}
    if folder.is_dir():
        for path in sorted(folder.glob("*.rq")):
            text = path.read_text(encoding="utf-8")
            examples[query_title(path, text)] = {"query": text}
    return examples
