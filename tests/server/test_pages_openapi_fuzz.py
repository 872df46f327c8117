"""The OpenAPI description declares /sparql's parameters, and fuzzing every route finds no 5xx.

The fuzzing is derandomized (hypothesis derives its examples from each test's name), so every
run sends the same inputs; the inputs it once found a 500 with are asked here too."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.schemas import BaseSchema

from helpers import FIXTURES, Server, copy_project, start_server, stop_server

pytestmark = pytest.mark.server
EXAMPLES = 15
ALL_CHECKS = list(HealthCheck)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    tmp = tmp_path_factory.mktemp("fuzz")
    root = copy_project(FIXTURES / "mini", tmp / "mini")
    server = start_server(["--root", str(root), "--query-timeout", "10"], tmp / "log")
    yield server
    stop_server(server)


@pytest.fixture(scope="module")
def api_schema(server: Server) -> BaseSchema:
    return schemathesis.openapi.from_url(server.url + "/openapi.json")


def test_sparql_parameters_are_declared(server: Server) -> None:
    paths = httpx.get(server.url + "/openapi.json", timeout=10).json()["paths"]
    get, post = paths["/sparql"]["get"], paths["/sparql"]["post"]
    assert {p["name"] for p in get["parameters"]} >= {"query", "default-graph-uri", "named-graph-uri"}
    bodies = {"application/x-www-form-urlencoded", "application/sparql-query"}
    assert set(post["requestBody"]["content"]) == bodies
    assert {"400", "429", "503"} <= set(get["responses"])


def test_no_route_answers_a_server_error(api_schema: BaseSchema) -> None:
    """A bounded run (a few examples per operation, under a minute) over every operation."""
    failures: list[str] = []
    calls: dict[str, int] = {}
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 10

    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=ALL_CHECKS, database=None,
            derandomize=True,
        )  # fmt: skip
        def check(case: schemathesis.Case) -> None:
            response = case.call(timeout=30)
            label = f"{case.method} {case.path}"
            calls[label] = calls.get(label, 0) + 1
            if response.status_code >= 500 and response.status_code != 503:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")
            if response.status_code == 503:
                assert response.headers.get("retry-after"), case.formatted_path

        check()
    assert failures == []
    assert len(calls) == len(operations) and sum(calls.values()) >= 3 * len(operations), calls


@pytest.mark.parametrize(
    ("query", "status"), [("to=9999", 200), ("from=%C2%B2", 400), ("from=%E2%91%A0", 400)]
)
def test_the_timeline_inputs_that_once_gave_a_500(server: Server, query: str, status: int) -> None:
    """``to=9999`` made the axis compute the year 10000; ``²`` and ``①`` pass ``str.isdigit``."""
    r = httpx.get(f"{server.url}/timeline?{query}", timeout=30)
    assert r.status_code == status, r.text[:300]
