"""The whole front end over a remote store: the same answers, pages and timeline as over the embedded one.

The graph is published with ``kg publish`` into a real ``oxigraph serve``; a front end over it is
compared with ``live_server`` (the embedded engine). Two front ends are checked: the app of
``kg.web.app.create_app`` over a ``RemoteEngine`` served by uvicorn in this process (what
``kg serve --engine URL`` runs), and ``kg serve --engine URL`` itself.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pyoxigraph as ox
import pytest
import uvicorn
from rdflib import Graph
from rdflib.compare import isomorphic

from helpers import REPO, Server, free_port, start_server, stop_server, wait_for
from helpers.federation import root_for, rows
from helpers.oxigraph_server import Oxigraph, start_oxigraph, stop_oxigraph
from kg.engine.plan import limits_for
from kg.engine.remote import RemoteEngine
from kg.namespaces import BASE
from kg.publish import Target, publish
from kg.settings import Settings
from kg.web.app import create_app

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("oxigraph_bin")]
CQS = sorted((REPO / "queries").glob("cq-*.rq"))
JSON = "application/sparql-results+json"
PAGES = ["/", "/ontology", "/dataset", "/graph/data/links", "/search?q=training", "/downloads", "/id/none"]


@pytest.fixture(scope="module")
def store(built_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Oxigraph]:
    server = start_oxigraph(tmp_path_factory.mktemp("serve-engine") / "oxigraph.log")
    publish(built_repo, Target(server.store_url), lambda _: None)
    yield server
    stop_oxigraph(server)


@pytest.fixture(scope="module")
def in_process(store: Oxigraph, built_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """create_app over a RemoteEngine, served by uvicorn in a thread on loopback."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    root = root_for(built_repo, tmp_path_factory.mktemp("in-process"))
    settings = Settings(root=root, public_url=url, port=port)
    app = create_app(settings, RemoteEngine(store.query_url, limits=limits_for(settings)))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    wait_for(lambda: server.started, 30, "the in-process front end started")
    yield url
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def cli(store: Oxigraph, built_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``kg serve --engine URL`` over the store."""
    tmp = tmp_path_factory.mktemp("cli-engine")
    server = start_server(
        ["--root", str(root_for(built_repo, tmp)), "--engine", store.query_url], tmp / "log"
    )
    yield server.url
    stop_server(server)


@pytest.fixture(scope="module", params=["in-process", "cli"])
def remote_url(request: pytest.FixtureRequest) -> str:
    url: str = request.getfixturevalue(request.param.replace("-", "_"))
    return url


def sparql(url: str, query: str, accept: str = JSON) -> httpx.Response:
    return httpx.post(url + "/sparql", data={"query": query}, headers={"Accept": accept}, timeout=30)


@pytest.mark.parametrize("path", CQS, ids=[p.stem for p in CQS])
def test_competency_queries_give_the_same_rows(path: Path, remote_url: str, live_server: Server) -> None:
    query = path.read_text(encoding="utf-8")
    want = sparql(live_server.url, query)
    got = sparql(remote_url, query)
    assert (got.status_code, want.status_code) == (200, 200), got.text
    assert rows(got.content) == rows(want.content)


def test_the_endpoint_rules_are_the_same(remote_url: str, live_server: Server) -> None:
    for query in [
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }",
        "SELECT * WHERE { ?s ?p ",
    ]:
        got, want = sparql(remote_url, query), sparql(live_server.url, query)
        assert got.status_code == want.status_code and got.status_code in (400, 403), query
    described = httpx.get(remote_url + "/sparql", headers={"Accept": "text/turtle"}).text
    listing = json.loads(sparql(live_server.url, "SELECT DISTINCT ?g WHERE { GRAPH ?g {} }").content)
    for row in listing["results"]["bindings"]:
        assert row["g"]["value"] in described


def sample_iris(dist: Path) -> list[str]:
    """Every fifth resource IRI of the dataset and the first of each kind (``id/KIND/...``).

    Each page costs the front end ~25 ms of rdflib on either engine; all 600+ would take 30 s."""
    store = ox.Store.read_only(str(dist / "store"))
    found = {q.subject.value for q in store if isinstance(q.subject, ox.NamedNode)}
    iris = sorted(iri for iri in found if iri.startswith(BASE + "id/"))
    firsts = {iri.split("/")[4]: iri for iri in reversed(iris)}
    return sorted(set(iris[::5]) | set(firsts.values()))


def same_graph(a: bytes, b: bytes) -> bool:
    """Turtle documents ``a`` and ``b`` hold the same triples (up to blank node names)."""
    ta, tb = (set(ox.parse(x, format=ox.RdfFormat.TURTLE)) for x in (a, b))
    if ta == tb:
        return True
    if not any(isinstance(t.subject, ox.BlankNode) or isinstance(t.object, ox.BlankNode) for t in ta):
        return False
    return isomorphic(Graph().parse(data=a, format="turtle"), Graph().parse(data=b, format="turtle"))


def test_iris_resolve_to_the_same_description(remote_url: str, live_server: Server, built_repo: Path) -> None:
    iris = sample_iris(built_repo)
    assert len(iris) > 100

    def compare(iri: str) -> str | None:
        path = "/" + iri[len(BASE) :]
        got = httpx.get(remote_url + path, headers={"Accept": "text/turtle"}, timeout=30)
        want = httpx.get(live_server.url + path, headers={"Accept": "text/turtle"}, timeout=30)
        if (got.status_code, want.status_code) != (200, 200):
            return f"{iri}: {got.status_code} vs {want.status_code}"
        same = same_graph(got.content, want.content)
        return None if same else f"{iri}: descriptions differ"

    with ThreadPoolExecutor(8) as pool:
        problems = [p for p in pool.map(compare, iris) if p]
    assert problems == []


def page(url: str, path: str) -> tuple[int, list[str]]:
    """Status and the lines of a page, with the server's own address taken out."""
    answer = httpx.get(url + path, headers={"Accept": "text/html"}, timeout=30)
    return answer.status_code, answer.text.replace(url, "SERVER").splitlines()


@pytest.mark.parametrize("path", [*PAGES, "/id/org/north-atlantic-council", "/id/document/unscr-1546"])
def test_pages_are_the_same(path: str, remote_url: str, live_server: Server) -> None:
    assert page(remote_url, path) == page(live_server.url, path)


def test_the_timeline_is_the_same(remote_url: str, live_server: Server) -> None:
    status, lines = page(remote_url, "/timeline")
    want_status, want = page(live_server.url, "/timeline")
    assert (status, want_status) == (200, 200)
    # same lines; equal-labelled filter options may come in another order (rows arrive in another order)
    assert sorted(lines) == sorted(want)
    actor = "https://w3id.org/nato-iraq/id/country/italy"
    status, lines = page(remote_url, f"/timeline?actor={actor}")
    assert (status, sorted(lines)) == (200, sorted(page(live_server.url, f"/timeline?actor={actor}")[1]))
