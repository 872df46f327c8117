"""What a query gives back: a result (``QueryResult``), or a ``QueryError`` that says why not.

The bottom of the engine package: it imports nothing from it, so every module may import it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Literal

ResultKind = Literal["solutions", "boolean", "graph"]


class QueryError(Exception):
    """The query cannot be run; ``status`` is the HTTP status that describes why."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class QueryResult:
    """One answer. ``truncated``: the row cap cut it. ``chunks``: the body, streamed, instead of ``body``."""

    kind: ResultKind
    body: bytes
    media_type: str
    truncated: bool = False
    rows: int | None = None
    chunks: AsyncIterator[bytes] | None = None
