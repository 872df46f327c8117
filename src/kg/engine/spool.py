"""Large results waiting on disk for their clients: bounded per client and in total, deleted at once.

A worker's answer larger than ``SPOOL_OVER`` bytes waits for its client in an anonymous temporary
file (it has no name in ``$TMPDIR``, and the system frees its space as soon as it is closed, or
if the server dies). Spooled results count against two caps: ``per_client`` bytes for one client
address, ``total`` bytes for all. A result that would pass either is refused with 503 and
``Retry-After`` (its bytes are read from the worker and dropped). A spool is closed as soon as
its last chunk is read, as soon as its reader is closed, or once nothing has read from it for
``idle`` seconds: the web layer drops a client that takes no part of a response for its send
timeout, so a spool left unread longer than that has no client any more (a dropped response is
not always closed at once: Python closes an abandoned stream only when it collects it).
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import IO

from kg import defaults
from kg.engine.results import QueryError

SPOOL_OVER = 4 * 1024 * 1024  # answers larger than this wait for their client in a temporary file
CHUNK = 256 * 1024


@dataclass(eq=False)
class Spool:
    """One result on disk, for ``client``."""

    file: IO[bytes]
    client: str | None
    size: int
    last_read: float = field(default_factory=time.monotonic)


class Spools:
    """The results on disk: at most ``total`` bytes, ``per_client`` bytes for one client."""

    def __init__(
        self,
        total: int = defaults.SPOOL_MB << 20,
        per_client: int = defaults.CLIENT_SPOOL_MB << 20,
        idle: float = defaults.SEND_TIMEOUT,
    ) -> None:
        self.total, self.per_client, self.idle = total, per_client, idle
        self.open: set[Spool] = set()
        self.used = 0
        self.used_by: Counter[str | None] = Counter()

    def start(self, client: str | None, size: int) -> Spool:
        """A file for a result of ``size`` bytes for ``client``; QueryError(503) when it does not fit."""
        if self.used_by[client] + size > self.per_client:
            raise QueryError(
                f"Your address has {self.used_by[client] >> 20} MiB of large results waiting to be read; "
                f"this one ({size >> 20} MiB) would pass the limit of {self.per_client >> 20} MiB. Read "
                "them (or close their connections), or narrow this query down with a LIMIT.",
                503,
            )
        if self.used + size > self.total:
            raise QueryError(
                "The server holds as many large results as it can for clients that have not read "
                "them yet; try again in a moment, or narrow this query down with a LIMIT.",
                503,
            )
        spool = Spool(tempfile.TemporaryFile(prefix="kg-result-"), client, size)  # noqa: SIM115 - closed by close()
        self.open.add(spool)
        self.used += size
        self.used_by[client] += size
        return spool

    def close(self, spool: Spool) -> None:
        """Delete ``spool`` (its file has no name: closing it frees its space); once only."""
        if spool not in self.open:
            return
        self.open.discard(spool)
        spool.file.close()
        self.used -= spool.size
        self.used_by[spool.client] -= spool.size
        if not self.used_by[spool.client]:
            del self.used_by[spool.client]

    async def chunks(self, spool: Spool) -> AsyncIterator[bytes]:
        """The result in ``spool`` from its start, in chunks; deleted when read to its end or closed."""
        try:
            spool.file.seek(0)
            while spool in self.open and (chunk := spool.file.read(CHUNK)):
                spool.last_read = time.monotonic()
                yield chunk
        finally:
            self.close(spool)

    def sweep(self) -> None:
        """Delete the spools nothing has read from for ``idle`` seconds (their clients are gone)."""
        now = time.monotonic()
        for spool in [s for s in self.open if now - s.last_read > self.idle]:
            self.close(spool)
