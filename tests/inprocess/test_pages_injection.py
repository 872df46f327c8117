"""Every route asks the engine it is given: overriding ``get_engine`` (``app.dependency_overrides``)
is honoured by every page and the SPARQL endpoint. (``/downloads`` serves the files of the build
and asks no engine.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import Request
from fastapi.testclient import TestClient

from helpers.inprocess import MINI_GRAPH, api_routes, build_mini, client
from kg.engine.base import QueryEngine, QueryResult
from kg.engine.plan import QueryPlan
from kg.web.deps import get_engine

EVENT = "/id/event/2020-05-01-meeting"
ROUTES = {  # a request to each route that asks the engine, and the status it answers
    "/": 200,
    EVENT: 200,
    EVENT + ".ttl": 200,
    "/id/event/no-such-meeting": 404,
    "/ontology": 200,
    "/ontology.jsonld": 200,
    "/shapes": 200,
    "/dataset": 200,
    "/.well-known/void": 200,
    "/" + MINI_GRAPH.split("/nato-iraq/", 1)[1]: 200,
    "/timeline": 200,
    "/search?q=meeting": 200,
    "/list/events": 200,
    "/source/mini": 200,
    "/sparql?query=ASK%7B%7D": 200,
}


class Watched(QueryEngine):
    """Another engine over the same data, counting the plans it runs."""

    def __init__(self, inner: QueryEngine) -> None:
        self.inner, self.limits, self.runs, self.build = inner, inner.limits, 0, 0

    @property
    def version(self) -> str:
        """A new build for each test: what pages keep per build is read again."""
        return f"{self.inner.version}-{self.build}"

    async def run(self, plan: QueryPlan) -> QueryResult:
        self.runs += 1
        return await self.inner.run(plan)

    def named_graphs(self) -> list[str]:
        return self.inner.named_graphs()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, Watched]]:
    root: Path = build_mini(tmp_path_factory.mktemp("injection"))
    with client(root, cache_mb=0) as http:
        app = http.app
        watched = Watched(app.state.engine)  # type: ignore[attr-defined]

        def other(request: Request) -> QueryEngine:
            return watched

        app.dependency_overrides[get_engine] = other  # type: ignore[attr-defined]
        yield http, watched


@pytest.mark.parametrize("path", list(ROUTES))
def test_every_route_uses_the_engine_it_is_given(site: tuple[TestClient, Watched], path: str) -> None:
    http, watched = site
    watched.build += 1
    before = watched.runs
    r = http.get(path, headers={"Accept": "text/html"} if "sparql" not in path else {})
    assert r.status_code == ROUTES[path], r.text[:300]
    assert watched.runs > before, f"{path} did not ask the engine it was given"


def test_every_page_route_declares_its_engine(site: tuple[TestClient, Watched]) -> None:
    """A route that reaches the engine gets it through ``Depends(get_engine)``: none reads it from
    the app's state."""
    http, _ = site
    asking = {
        "/",
        "/timeline",
        "/search",
        "/list/{kind}",
        "/source/{name}",
        "/sparql",
    }
    routes = {r.path: r for r in api_routes(http.app.routes)}  # type: ignore[attr-defined]
    assert asking <= set(routes) and any(p.startswith("/id/") for p in routes)
    for path, route in routes.items():
        if path in asking or path.startswith(
            ("/id/", "/graph/", "/ontology", "/dataset", "/shapes", "/.well")
        ):
            calls = {d.call for d in route.dependant.dependencies}
            assert get_engine in calls, path
