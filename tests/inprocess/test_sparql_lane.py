"""The endpoint's fast lane (kg.web.lane) answers exactly as the app's full stack does.

``GET``/``POST /sparql`` skip FastAPI's routing; every rule the rest of the service applies
(security headers, CORS, gzip, limits, conditional GET, errors) must still hold for them. Each
request here is sent twice, through the lane and through FastAPI's own stack, and the answers
must be the same, header for header.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from helpers.inprocess import build_mini, client
from kg.web.lane import Service

EVENT = "https://w3id.org/nato-iraq/id/event/2020-05-01-meeting"
SELECT = f"SELECT ?p ?o WHERE {{ <{EVENT}> ?p ?o }} ORDER BY ?p ?o"
JSON_RESULTS = {"Accept": "application/sparql-results+json"}
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
REQUESTS: list[tuple[str, dict[str, Any]]] = [
    ("GET", {"params": {"query": SELECT}, "headers": JSON_RESULTS}),
    ("GET", {"params": {"query": SELECT}, "headers": {"Accept": "text/csv", "Accept-Encoding": "gzip"}}),
    ("GET", {"params": {"query": SELECT}, "headers": {**JSON_RESULTS, "Origin": "https://example.org"}}),
    ("GET", {"params": {"query": SELECT}, "headers": {"Accept": "text/html"}}),
    ("GET", {"headers": {"Accept": "text/turtle"}}),
    ("GET", {"params": {"query": "SELECT * WHERE { ?s nio2:x ?o }"}, "headers": JSON_RESULTS}),
    ("POST", {"data": {"query": SELECT}, "headers": JSON_RESULTS}),
    ("POST", {"content": SELECT.encode(), "headers": {"Content-Type": "application/sparql-query"}}),
    ("POST", {"content": b"query=", "headers": FORM}),
    ("POST", {"content": b"ASK {}", "headers": {"Content-Type": "text/plain"}}),
    ("POST", {"content": b"update=INSERT%20DATA%20%7B%7D", "headers": FORM}),
    ("POST", {"content": b"query=%FF", "headers": FORM}),
]
VARYING = {"date", "x-cache"}  # the clock, and whether the result cache had it


def stable_headers(response: Any) -> list[tuple[str, str]]:
    return sorted((k, v) for k, v in response.headers.multi_items() if k not in VARYING)


class FullStack:
    """The same app, entered through FastAPI's own stack (routing included), not the lane."""

    def __init__(self, app: Service) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await FastAPI.__call__(self.app, scope, receive, send)


@pytest.fixture(scope="module")
def clients(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, TestClient]]:
    root = build_mini(tmp_path_factory.mktemp("lane"))
    with client(root) as lane:
        app = lane.app
        assert isinstance(app, Service)
        with TestClient(FullStack(app), base_url=str(lane.base_url)) as full:
            yield lane, full


@pytest.mark.parametrize(("method", "request_kwargs"), REQUESTS)
def test_the_lane_answers_as_the_full_stack_does(
    clients: tuple[TestClient, TestClient], method: str, request_kwargs: dict[str, Any]
) -> None:
    lane, full = clients
    a = lane.request(method, "/sparql", **request_kwargs)
    b = full.request(method, "/sparql", **request_kwargs)
    assert a.status_code == b.status_code, (a.text, b.text)
    assert a.content == b.content
    assert stable_headers(a) == stable_headers(b)
    assert "content-security-policy" in a.headers and a.headers["x-content-type-options"] == "nosniff"


def test_the_lane_is_taken_and_the_router_is_not(
    clients: tuple[TestClient, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    lane, _ = clients
    app = lane.app
    assert isinstance(app, Service)
    routed: list[str] = []
    original = app.router.__class__.__call__

    async def spy(router: Any, scope: Scope, receive: Receive, send: Send) -> None:
        routed.append(scope["path"])
        await original(router, scope, receive, send)

    monkeypatch.setattr(type(app.router), "__call__", spy)
    assert lane.get("/sparql", params={"query": SELECT}, headers=JSON_RESULTS).status_code == 200
    assert lane.post("/sparql", data={"query": SELECT}, headers=JSON_RESULTS).status_code == 200
    assert routed == []
    assert lane.head("/sparql", params={"query": SELECT}).status_code == 200  # HEAD: the route
    assert lane.get("/dataset").status_code == 200
    assert routed == ["/sparql", "/dataset"]


def test_an_unexpected_error_in_the_lane_is_a_plain_500(
    clients: tuple[TestClient, TestClient], monkeypatch: pytest.MonkeyPatch
) -> None:
    lane, _ = clients
    app = lane.app
    assert isinstance(app, Service)

    async def broken(request: Any) -> Any:
        raise RuntimeError("secret detail")

    monkeypatch.setattr(app, "lane_handler", broken)
    monkeypatch.setattr(app, "_lane", None)
    r = lane.post("/sparql", data={"query": SELECT})
    assert r.status_code == 500 and "secret" not in r.text and "logged" in r.text
    assert r.headers["x-content-type-options"] == "nosniff"
