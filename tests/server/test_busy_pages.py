"""Under a busy pool every route answers 503 with Retry-After (never 500); bad IRIs get 4xx."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import httpx
import pytest

from helpers import FIXTURES, Server, copy_project, start_server, stop_server

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


def client(source: str) -> httpx.Client:
    """An HTTP client whose connections come from the loopback address ``source``."""
    return httpx.Client(transport=httpx.HTTPTransport(local_address=source), timeout=30)


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
        with client(f"127.0.0.{n + 2}") as http:
            while not stop.is_set():
                http.post(server.url + "/sparql", data={"query": f"{HOG} # {n}"})
                n += 2

    hogs = [threading.Thread(target=hog, args=(i,)) for i in range(2)]
    for thread in hogs:
        thread.start()
    answers: dict[str, httpx.Response] = {}

    def visit(n: int, route: str) -> None:
        with client(f"127.0.1.{n}") as http:  # one address each: this is about the pool, not fairness
            answers[f"{route} #{n}"] = http.get(server.url + route, headers={"Accept": "text/html"})

    try:
        visitors = [threading.Thread(target=visit, args=item) for item in enumerate(ROUTES * 2)]
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
    # The pool really was busy: an idle pool gives no 503. Routes whose data is computed once per
    # build (landing counts, timeline, search index) or already cached need no worker and get 200.
    assert len(busy) >= 2, statuses
    for r in answers.values():
        if r.status_code in (429, 503):
            assert r.headers.get("retry-after"), r.url
    pages = [r for r in busy if r.headers["content-type"].startswith("text/html")]
    assert pages and all("try again" in r.text for r in pages)


@pytest.mark.parametrize("path", ["/id/x%0D", "/id/%ZZ", "/id/a%00b", "/id/x%0Ay.ttl", "/id/%E2%80"])
def test_bad_iris_get_4xx_not_503(server: Server, path: str) -> None:
    for accept in ("text/html", "text/turtle"):
        r = httpx.get(server.url + path, headers={"Accept": accept}, timeout=30)
        assert r.status_code in (400, 404), (path, r.status_code, r.text[:200])
        assert "parser" not in r.text.lower() and "error at" not in r.text


@pytest.mark.parametrize(
    ("path", "accept", "script"),
    [
        ("/", "text/html", "script-src 'self';"),
        ("/timeline", "text/html", "script-src 'self';"),
        ("/id/event/2020-05-01-meeting", "text/html", "script-src 'self';"),
        ("/sparql", "text/html", "script-src 'self';"),
        ("/sparql?query=ASK%7B%7D", "text/html", "script-src 'self';"),
        ("/sparql?query=ASK%7B%7D", "application/sparql-results+json", "default-src 'none'"),
        ("/id/event/2020-05-01-meeting", "text/turtle", "default-src 'none'"),
        ("/static/favicon.svg", "*/*", "default-src 'none'"),
        ("/no/such/page", "text/html", ""),
    ],
)
def test_security_headers_on_every_answer(server: Server, path: str, accept: str, script: str) -> None:
    r = httpx.get(server.url + path, headers={"Accept": accept}, timeout=30)
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "strict-origin-when-cross-origin"
    assert r.headers["x-frame-options"] == "SAMEORIGIN"
    policy = r.headers["content-security-policy"]
    assert "frame-ancestors 'self'" in policy and script in policy
    assert "http:" not in policy and "https:" not in policy and "*" not in policy


def test_docs_pages_load_nothing_from_a_cdn(server: Server) -> None:
    for path in ("/docs", "/redoc"):
        r = httpx.get(server.url + path, timeout=30)
        assert r.status_code == 404 or "cdn" not in r.text.lower(), path
    assert httpx.get(server.url + "/openapi.json", timeout=30).status_code == 200


def test_trailing_slash_redirect_ignores_the_host_header(server: Server) -> None:
    r = httpx.get(server.url + "/timeline/", headers={"Host": "evil.example"}, timeout=30)
    assert r.status_code in (301, 307, 308)
    assert "evil.example" not in r.headers["location"]
    assert r.headers["location"].startswith("/timeline")
