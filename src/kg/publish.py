"""``kg publish``: put the built dataset into a SPARQL 1.1 Graph Store Protocol store.

One ``PUT URL?graph=IRI`` per named graph, which replaces that graph in the store, so running it
again changes nothing and a changed graph is swapped whole. The dataset's default graph (the merge
of its data and ontology graphs) goes into the graph ``kg.dumps.MERGED_GRAPH``, which the remote
engine queries as the default graph. The graphs come from ``dist/store``
(the graphs the embedded engine serves, the VoID graph included) or, when ``dist/`` holds only
the dumps, from ``nato-iraq.nq`` plus ``void.ttl``. Each graph is written to a temporary file
first, so the request has a length (some stores and proxies refuse chunked uploads) and memory
stays flat for large graphs. Blank nodes are scoped per graph (each source file's are its own).
"""

from __future__ import annotations

import tempfile
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
import pyoxigraph as ox

from kg.build.dumps import MERGED_GRAPH
from kg.engine import remote_config
from kg.formats import BY_KEY
from kg.namespaces import VOID_GRAPH

MEDIA_TYPES = {f.media_type: f.rdf_format for f in (BY_KEY["nt"], BY_KEY["ttl"])}
Progress = Callable[[str], None]
IN_MEMORY = 200_000  # graphs up to this many triples are sent from memory, larger ones from the file


class PublishError(Exception):
    """Publishing stopped; the message says where and why (with the store's own answer)."""


def credentials(
    token: str | None = None, user: str | None = None, password: str | None = None, digest: bool = False
) -> httpx.Auth | None:
    """See ``kg.engine.remote_config.credentials`` (a wrong combination is a PublishError)."""
    try:
        return remote_config.credentials(token, user, password, digest)
    except remote_config.CredentialsError as err:
        raise PublishError(str(err)) from None


@dataclass(frozen=True)
class Target:
    """A Graph Store Protocol endpoint and how to talk to it."""

    url: str
    auth: httpx.Auth | None = None
    graph_param: str = "graph"
    media_type: str = "application/n-triples"
    timeout: float = 300.0


def _from_store(path: Path) -> Iterator[tuple[str, Iterable[ox.Triple]]]:
    store = ox.Store.read_only(str(path))
    graphs: list[ox.NamedNode | ox.DefaultGraph] = [
        g for g in store.named_graphs() if isinstance(g, ox.NamedNode)
    ]
    if next(iter(store.quads_for_pattern(None, None, None, ox.DefaultGraph())), None) is not None:
        graphs.append(ox.DefaultGraph())  # kg build stores the default graph
    for graph in sorted(graphs, key=_graph_name):
        quads = store.quads_for_pattern(None, None, None, graph)
        yield _graph_name(graph), (q.triple for q in quads)


def _graph_name(graph: ox.NamedNode | ox.DefaultGraph) -> str:
    """The IRI a graph of the build is published under (its default graph: ``MERGED_GRAPH``)."""
    return graph.value if isinstance(graph, ox.NamedNode) else MERGED_GRAPH


def _from_dumps(dist: Path) -> Iterator[tuple[str, Iterable[ox.Triple]]]:
    dump = dist / "nato-iraq.nq"
    if not dump.is_file():
        raise PublishError(f"{dist}: neither store/ nor nato-iraq.nq found: run 'kg build' first")
    graphs: defaultdict[str, list[ox.Triple]] = defaultdict(list)
    for quad in ox.parse(path=str(dump), format=ox.RdfFormat.N_QUADS):
        if isinstance(quad.graph_name, ox.NamedNode | ox.DefaultGraph):
            graphs[_graph_name(quad.graph_name)].append(quad.triple)
    if (dist / "void.ttl").is_file():
        graphs[VOID_GRAPH] = [
            t.triple for t in ox.parse(path=str(dist / "void.ttl"), format=ox.RdfFormat.TURTLE)
        ]
    yield from sorted(graphs.items())


def dataset_graphs(dist: Path) -> Iterator[tuple[str, Iterable[ox.Triple]]]:
    """(named graph IRI, its triples) for every named graph of the built dataset, and its default
    graph as ``MERGED_GRAPH``, in IRI order."""
    if (dist / "store").is_dir():
        return _from_store(dist / "store")
    return _from_dumps(dist)


@contextmanager
def _spooled(triples: Iterable[ox.Triple], fmt: ox.RdfFormat) -> Iterator[tuple[IO[bytes], int]]:
    """The triples serialised into a temporary file (rewound), and how many there were."""
    with tempfile.TemporaryFile() as fh:
        count = 0

        def counted() -> Iterator[ox.Triple]:
            nonlocal count
            for triple in triples:
                count += 1
                yield triple

        ox.serialize(counted(), fh, fmt)
        fh.seek(0)
        yield fh, count


def _message(response: httpx.Response) -> str:
    text = " ".join(response.text.split())
    return text[:500] + (" …" if len(text) > 500 else "") if text else "(no message)"


def publish(dist: Path, target: Target, progress: Progress) -> tuple[int, int]:
    """PUT every named graph of ``dist`` to ``target``; return (graphs, triples) sent."""
    fmt = MEDIA_TYPES[target.media_type]
    done = triples_sent = 0
    started = time.monotonic()
    graphs = list(dataset_graphs(dist))
    with httpx.Client(auth=target.auth, timeout=target.timeout) as client:
        for index, (name, triples) in enumerate(graphs, start=1):
            url = httpx.URL(target.url).copy_merge_params({target.graph_param: name})
            with _spooled(triples, fmt) as (body, count):
                t0 = time.monotonic()
                content = body.read() if count <= IN_MEMORY else body  # bytes can be re-sent (Digest)
                try:
                    response = client.put(url, content=content, headers={"Content-Type": target.media_type})
                except httpx.HTTPError as err:
                    raise PublishError(
                        f"cannot reach {target.url}: {err or type(err).__name__}" + _so_far(done, len(graphs))
                    ) from None
            if not response.is_success:
                raise PublishError(
                    f"{target.url} refused graph <{name}>: HTTP {response.status_code} "
                    f"{response.reason_phrase}: {_message(response)}" + _so_far(done, len(graphs))
                )
            done, triples_sent = done + 1, triples_sent + count
            progress(
                f"[{index}/{len(graphs)}] <{name}>: {count:,} triples, "
                f"{response.status_code} {response.reason_phrase} in {time.monotonic() - t0:.2f} s"
            )
    progress(f"published {done} graphs, {triples_sent:,} triples in {time.monotonic() - started:.1f} s")
    return done, triples_sent


def _so_far(done: int, total: int) -> str:
    if not done:
        return ""
    return f" ({done} of {total} graphs were replaced before this; publishing again is safe)"
