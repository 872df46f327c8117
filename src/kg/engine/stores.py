"""The stores queries run on: the built one read-only, or a serving copy prepared at start-up.

Worker processes each open one on-disk store read-only. ``prepare_store`` decides which:

- With ``kg serve --data FILE``, the files must be visible to every worker, so a merged store
  (the build plus the files, each file in its own named graph as ``kg build --data`` would put
  it) is written into a temporary folder once, and the workers open that.
- A store written by ``kg build`` holds its own default graph (data and ontology only): it is served
  as it is (``union_stored``), with ``--data`` files added to it.
- Otherwise the default graph of this endpoint is the union of all named graphs. Oxigraph evaluates that
  union (``use_default_graph_as_union``) 10–40 % slower than a plain default graph on disk, so
  when the dataset holds at most ``union_limit`` quads the serving copy also stores every triple
  once in its default graph (the RDF merge of the named graphs), and queries read it directly.
  ``Prepared.union_stored`` says which.

A serving copy is removed when the server stops. One left behind by a server that crashed is
removed by the next server that starts: each copy names its owner process in ``owner.pid``.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg import defaults
from kg.build.inputs import InputFile
from kg.build.loading import parse_file, rdf_format_for

log = logging.getLogger("kg.engine")
COPY_PREFIX = "kg-serve-store-"
OWNER = "owner.pid"
TRIPLE_FORMATS = (ox.RdfFormat.N_TRIPLES, ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML)


@dataclass(frozen=True)
class Prepared:
    """The store the workers open, whether its default graph holds the union, what to delete later."""

    path: Path
    union_stored: bool = False
    tmp: Path | None = None


def open_store(store_path: Path | None, extra: Sequence[Path] = ()) -> ox.Store:
    """The built store read-only, or (with extra files) an in-memory copy with them added."""
    if not extra:
        return ox.Store.read_only(str(store_path)) if store_path is not None else ox.Store()
    store = ox.Store()
    if store_path is not None:
        store.bulk_extend(ox.Store.read_only(str(store_path)))
    _add_files(store, extra, union=stored_default(store_path))  # a built default graph takes them too
    return store


def _with_union(quads: Iterable[ox.Quad]) -> Iterator[ox.Quad]:
    for quad in quads:
        yield quad
        if not isinstance(quad.graph_name, ox.DefaultGraph):
            yield ox.Quad(quad.subject, quad.predicate, quad.object, ox.DefaultGraph())


def _add_files(store: ox.Store, extra: Sequence[Path], union: bool) -> None:
    for path in extra:
        source = InputFile(path.resolve(), "extra")
        fmt = rdf_format_for(path)
        if fmt in TRIPLE_FORMATS:  # big files: Oxigraph's bulk loader straight from the file
            graphs: list[ox.NamedNode | ox.DefaultGraph] = [ox.NamedNode(source.graph)]
            for graph in [*graphs, ox.DefaultGraph()] if union else graphs:
                store.bulk_load(path=str(path), format=fmt, base_iri=path.resolve().as_uri(), to_graph=graph)
        else:
            quads = parse_file(source, path.parent).quads
            store.bulk_extend(_with_union(quads) if union else quads)


def stored_default(store_path: Path | None) -> bool:
    """Whether the built store holds its own default graph (``kg build`` writes data + ontology there)."""
    if store_path is None or not store_path.is_dir():
        return False
    store = ox.Store.read_only(str(store_path))
    return next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None


def _size(store_path: Path | None, extra: Sequence[Path]) -> int:
    """Quads in the store plus a rough count for the files (one per 100 bytes)."""
    quads = len(ox.Store.read_only(str(store_path))) if store_path is not None and store_path.is_dir() else 0
    return quads + sum(p.stat().st_size // 100 for p in extra)


def prepare_store(
    store_path: Path | None, extra: Sequence[Path] = (), union_limit: int = defaults.UNION_LIMIT
) -> Prepared:
    """The store the workers should open (a temporary copy when needed; see the module doc)."""
    if stored_default(store_path):  # the build chose the default graph: serve it as it is
        if not extra:
            return Prepared(store_path, union_stored=True)  # type: ignore[arg-type]
        union_limit, stored = 0, True
    else:
        stored = False
    union = _size(store_path, extra) <= union_limit
    if not extra and not union and store_path is not None:
        return Prepared(store_path)
    reclaim_stale_copies()
    tmp = Path(tempfile.mkdtemp(prefix=COPY_PREFIX))
    try:
        (tmp / OWNER).write_text(_process_id(os.getpid()), encoding="utf-8")
        store = ox.Store(str(tmp / "store"))
        if store_path is not None and store_path.is_dir():
            built = ox.Store.read_only(str(store_path))
            store.bulk_extend(_with_union(built) if union else built)
        _add_files(store, extra, union or stored)
        store.flush()
        store.optimize()
        del store
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return Prepared(tmp / "store", union or stored, tmp)


def _process_id(pid: int) -> str:
    """``PID START``: the process and when it started (so a reused PID is not taken for it)."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="utf-8")
        start = stat.rsplit(")", 1)[1].split()[19]  # field 22, after the command name
    except (OSError, IndexError):
        start = "?"
    return f"{pid} {start}"


def _owner_alive(owner: str) -> bool:
    pid_text, _, start = owner.strip().partition(" ")
    try:
        pid = int(pid_text)
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    except ValueError:
        return False
    return start in ("", "?") or _process_id(pid).split(" ", 1)[1] in (start, "?")


def reclaim_stale_copies(folder: Path | None = None, older: float = 3600.0) -> list[Path]:
    """Delete serving copies whose owner process is gone; return them.

    A copy without an owner file (being created right now, or left by an older version) is
    deleted only when it was last changed more than ``older`` seconds ago.
    """
    removed = []
    for copy in Path(folder or tempfile.gettempdir()).glob(COPY_PREFIX + "*"):
        try:
            owner = (copy / OWNER).read_text(encoding="utf-8")
            stale = not _owner_alive(owner)
        except FileNotFoundError:
            stale = time.time() - copy.stat().st_mtime > older
        except OSError:
            continue
        if stale and copy.is_dir():
            shutil.rmtree(copy, ignore_errors=True)
            removed.append(copy)
    if removed:
        log.info(
            "removed %d serving cop%s left by stopped servers",
            len(removed),
            "y" if len(removed) == 1 else "ies",
        )
    return removed


def build_stamp(info: Path | None) -> str:
    """The ``build_id`` and ``built_at`` of a ``build.json`` file, or "" when there is none: it
    changes with every build (the build id alone stays the same when the sources do)."""
    try:
        found = json.loads(info.read_text(encoding="utf-8")) if info else {}
    except (OSError, ValueError):
        return ""
    return f"{found.get('build_id', '')}@{found.get('built_at', '')}" if found.get("build_id") else ""


def named_graph_iris(store: ox.Store) -> list[str]:
    """The IRIs of the named graphs of ``store``, sorted."""
    return sorted(g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode))


def graph_names(store_path: Path) -> list[str]:
    """The named graphs of the store at ``store_path`` (opened read-only for a moment)."""
    return named_graph_iris(ox.Store.read_only(str(store_path)))
