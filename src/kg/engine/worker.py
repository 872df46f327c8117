"""One query worker: a process that opens the store read-only and answers queries one at a time.

Started by :mod:`kg.engine.pool` as ``python -m kg.engine.worker STORE``. Requests (a pickled
``QueryPlan``) and answers (a JSON header, then the body) are length-prefixed frames on
stdin/stdout (the real stdout is moved aside at start-up so that stray prints go to stderr).
The pool kills this process when a query runs past its time limit; a crash here costs this
worker only. It ignores Ctrl-C (SIGINT): stopping it is the server's business, and the kernel
kills it when the server dies.
"""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import os
import pickle
import resource
import signal
import sys
import traceback
import urllib.request
from typing import BinaryIO

import pyoxigraph as ox

from kg.engine.embedded import run_plan
from kg.engine.plan import Dataset, QueryPlan
from kg.engine.process import HEADER
from kg.engine.results import QueryError

FETCH_LIMIT = 32 * 1024 * 1024
RDF_ACCEPT = "application/n-triples, text/turtle;q=0.9, application/rdf+xml;q=0.8, application/ld+json;q=0.7"


def read_frame(stream: BinaryIO) -> bytes | None:
    head = stream.read(HEADER.size)
    if len(head) < HEADER.size:
        return None
    (size,) = HEADER.unpack(head)
    data = stream.read(size)
    return data if len(data) == size else None


def write_frames(stream: BinaryIO, *frames: bytes) -> None:
    for frame in frames:
        stream.write(HEADER.pack(len(frame)))
        stream.write(frame)
    stream.flush()


def fetch_graph(url: str, timeout: float) -> list[ox.Triple | ox.Quad]:
    """GET an allowlisted remote graph (bounded in size and time) and parse it."""
    request = urllib.request.Request(url, headers={"Accept": RDF_ACCEPT, "User-Agent": "kg-serve"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # allowlisted http(s) only
            data = response.read(FETCH_LIMIT + 1)
            media = response.headers.get_content_type()
    except OSError as err:
        raise QueryError(f"Could not fetch the remote graph <{url}>: {err}", 502) from None
    if len(data) > FETCH_LIMIT:
        raise QueryError(f"The remote graph <{url}> is larger than {FETCH_LIMIT} bytes.", 502)
    fmt = ox.RdfFormat.from_media_type(media) or ox.RdfFormat.TURTLE
    try:
        return list(ox.parse(data, format=fmt, base_iri=url))
    except (SyntaxError, ValueError) as err:
        raise QueryError(f"The remote graph <{url}> is not RDF this endpoint can read: {err}", 502) from None


def with_remote_graphs(store: ox.Store, dataset: Dataset, timeout: float) -> ox.Store:
    """An in-memory store holding exactly the graphs the query names, remote ones downloaded."""
    merged = ox.Store()
    for name in dict.fromkeys(dataset.default_graphs + dataset.named_graphs):
        graph = ox.NamedNode(name)
        if name in dataset.fetch:
            merged.bulk_extend(
                ox.Quad(t.subject, t.predicate, t.object, graph) for t in fetch_graph(name, timeout)
            )
        else:
            merged.bulk_extend(store.quads_for_pattern(None, None, None, graph))
    return merged


def answer(store: ox.Store, plan: QueryPlan, union_stored: bool = False) -> tuple[bytes, bytes]:
    """The header and body frames for one plan."""
    try:
        target = with_remote_graphs(store, plan.dataset, plan.timeout) if plan.dataset.fetch else store
        result = run_plan(target, plan, union_stored and target is store)
    except QueryError as err:
        return json.dumps({"ok": False, "status": err.status, "message": err.message}).encode(), b""
    except MemoryError:
        message = "The query needed more memory than this endpoint allows one query; narrow it down."
        return json.dumps({"ok": False, "status": 503, "message": message, "retire": True}).encode(), b""
    except Exception:
        traceback.print_exc(file=sys.stderr)
        message = "The query engine failed on this query (internal error)."
        return json.dumps({"ok": False, "status": 500, "message": message}).encode(), b""
    head = {"ok": True, "kind": result.kind, "media": result.media_type, "truncated": result.truncated}
    return json.dumps({**head, "rows": result.rows}).encode(), result.body


def die_with_parent() -> None:
    """On Linux, have the kernel kill this worker when the server dies, even in mid-query."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # 1 = PR_SET_PDEATHSIG
    if os.getppid() == 1:  # the server was already gone
        sys.exit(0)


def limit_memory(megabytes: int) -> None:
    """Cap this process's address space: an allocation past it fails (MemoryError in Python, an
    abort in Oxigraph's Rust code), so one query cannot take the machine's memory."""
    limit = megabytes * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


PIPE_SIZE = 1024 * 1024  # answers up to this size cross to the server in one write, one wake-up


def widen_pipe(fd: int, size: int = PIPE_SIZE) -> None:
    """Ask Linux for a larger pipe buffer on ``fd`` (the default, 64 KiB, splits a large answer
    into many writes, each waking the server; the kernel may cap it: then it stays as it is)."""
    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, size)


def main(argv: list[str]) -> int:
    die_with_parent()
    # Ctrl-C in a terminal reaches every process of the server: the server stops its workers itself
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    store_path = argv[1]
    union_stored = "--union-stored" in argv[2:]  # the default graph holds the union of the named graphs
    for arg in argv[2:]:
        if arg.startswith("--memory-mb="):
            limit_memory(int(arg.split("=", 1)[1]))
    widen_pipe(1)
    out = os.fdopen(os.dup(1), "wb", buffering=PIPE_SIZE)
    os.dup2(2, 1)  # anything printed from now on goes to stderr, not into the frames
    store = ox.Store.read_only(store_path)
    write_frames(out, json.dumps({"ready": True}).encode(), b"")  # an answer with an empty body
    source = sys.stdin.buffer
    while (frame := read_frame(source)) is not None:
        write_frames(out, *answer(store, pickle.loads(frame), union_stored))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
