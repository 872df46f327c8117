"""Under a busy pool every route answers 503 with Retry-After (never 500); bad IRIs get 4xx."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from conftest import FIXTURES, Server, copy_project, start_server, stop_server

pytestmark = pytest.mark.server

VALUES = "VALUES ?{} {{ " + " ".join(str(i) for i in range(300)) + " }} "
HOG = "SELECT (COUNT(*) AS ?n) WHERE { " + "".join(VALUES.format(v) for v in "abcd") + "}"
ROUTES = [
    "/",
    "/timeline",
    "/search?q=meeting",
    "/id/event/2020-05-01-meeting",
    "/id/event/2020-05-01-meeting.ttl",
    "/id/nothing-here-at-all",
    "/ontology",
    "/dataset",
    "/.well-known/void",
    "/shapes",
    "/sparql?query=ASK%20%7B%20FILTER(3%20%3E%201)%20%7D",
]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("busy")
    root = copy_project(FIXTURES / "mini", tmp / "mini")
    server = start_server(["--root", str(root), "--workers", "1", "--query-timeout", "2"], tmp / "log")
    yield server
    stop_server(server)


def test_no_route_answers_500_while_the_pool_is_busy(server: Server) -> None:
    stop = threading.Event()

    def hog(n: int) -> None:
        while not stop.is_set():
            httpx.post(server.url + "/sparql", data={"query": f"{HOG} # {n}"}, timeout=30)
            n += 2

    hogs = [threading.Thread(target=hog, args=(i,)) for i in range(2)]
    for thread in hogs:
        thread.start()
    answers: dict[str, httpx.Response] = {}

    def visit(route: str) -> None:
        answers[route] = httpx.get(server.url + route, headers={"Accept": "text/html"}, timeout=30)

    try:
        visitors = [threading.Thread(target=visit, args=(route,)) for route in ROUTES * 2]
        for thread in visitors:
            thread.start()
        for thread in visitors:
            thread.join()
    finally:
        stop.set()
        for thread in hogs:
            thread.join()
    statuses = {route: r.status_code for route, r in answers.items()}
    assert all(status != 500 for status in statuses.values()), statuses
    busy = [r for r in answers.values() if r.status_code == 503]
    assert len(busy) >= len(ROUTES) // 2, statuses  # the pool really was busy
    for r in busy:
        assert r.headers.get("retry-after"), r.url
    pages = [r for r in busy if r.headers["content-type"].startswith("text/html")]
    assert pages and all("try again" in r.text for r in pages)


@pytest.mark.parametrize("path", ["/id/x%0D", "/id/%ZZ", "/id/a%00b", "/id/x%0Ay.ttl", "/id/%E2%80"])
def test_bad_iris_get_4xx_not_503(server: Server, path: str) -> None:
    for accept in ("text/html", "text/turtle"):
        r = httpx.get(server.url + path, headers={"Accept": accept}, timeout=30)
        assert r.status_code in (400, 404), (path, r.status_code, r.text[:200])
        assert "parser" not in r.text.lower() and "error at" not in r.text
