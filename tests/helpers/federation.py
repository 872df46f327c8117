"""Helpers shared by the federation and remote-store tests: a served root, comparable rows, an engine's
answer, a TCP listener."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from collections.abc import Sequence
from pathlib import Path

from helpers import REPO, wait_for
from kg.engine.base import QueryEngine, QueryResult, ask


def root_for(dist: Path, tmp: Path) -> Path:
    """A project root in ``tmp`` whose dist/ is ``dist`` (as conftest's ``live_server`` makes one)."""
    root = tmp / "root"
    root.mkdir()
    for part in ("ontology", "data", "shapes", "queries"):
        (root / part).symlink_to(REPO / part)
    (root / "dist").symlink_to(dist)
    (root / "pyproject.toml").write_text("# test root\n")
    return root


def _value(cell: dict[str, str]) -> str:
    if cell["type"] == "bnode":
        return "_:b"
    return " | ".join(sorted(cell["value"].split(" | ")))


def answer(engine: QueryEngine, query: str, accepted: Sequence[str], **dataset: Sequence[str]) -> QueryResult:
    """``engine``'s answer to ``query`` (planned under its own limits), from a synchronous test."""
    return asyncio.run(ask(engine, query, accepted, **dataset))


def rows(body: bytes) -> list[str]:
    """SPARQL JSON solutions as sorted, comparable strings (blank nodes made anonymous, and the
    parts of a GROUP_CONCAT with separator " | " sorted: SPARQL leaves their order open)."""
    data = json.loads(body)
    out = []
    for row in data["results"]["bindings"]:
        cells = {k: (_value(v), v.get("datatype"), v.get("xml:lang")) for k, v in row.items()}
        out.append(json.dumps(cells, sort_keys=True))
    return sorted(out)


class Listener:
    """A bare TCP listener on loopback that records every connection it accepts (and never answers)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.1)
        self.accepted: list[socket.socket] = []
        self.running = True
        threading.Thread(target=self._loop, daemon=True).start()

    def url(self, path: str = "/sparql") -> str:
        return f"http://127.0.0.1:{self.sock.getsockname()[1]}{path}"

    def _loop(self) -> None:
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.accepted.append(conn)  # kept open, unanswered

    def accepted_so_far(self) -> list[socket.socket]:
        """The connections made to this listener before this call. A connection of its own marks
        the point: it is accepted after every connection made before it (the kernel queues them in
        order), so once it is, no earlier one is still on its way."""
        with socket.create_connection(self.sock.getsockname()[:2]) as mark:
            me = mark.getsockname()
            wait_for(lambda: any(c.getpeername() == me for c in self.accepted), 10, "the listener's own mark")
        earlier = []
        for conn in list(self.accepted):
            if conn.getpeername() == me:
                break
            earlier.append(conn)
        return earlier

    def close(self) -> None:
        self.running = False
        for conn in self.accepted:
            conn.close()
        self.sock.close()
