"""Outbound federation: ``SERVICE`` from this endpoint to a second, real endpoint on the operator's allowlist.

The second endpoint is ``oxigraph serve-read-only`` over another small policy dataset
(``tests/fixtures/federation/partnerships.ttl``); ``kg serve --allow-service`` names it. Targets
not on the allowlist are refused with 4xx before any connection is made (a bare TCP listener
counts the connections it gets), and an allowlisted target that never answers is stopped by the
same time limit as any query.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from helpers import FIXTURES, Server, start_server, stop_server
from helpers.federation import Listener, root_for
from helpers.oxigraph_server import Oxigraph, load, start_oxigraph, stop_oxigraph

pytestmark = [pytest.mark.server, pytest.mark.usefixtures("oxigraph_bin")]
TIMEOUT = 3


@dataclass
class Setup:
    ours: Server
    partners: Oxigraph
    silent: Listener  # allowlisted, never answers
    forbidden: Listener  # not allowlisted


@pytest.fixture(scope="module")
def setup(built_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Setup]:
    tmp = tmp_path_factory.mktemp("outbound")
    load(tmp / "partners", FIXTURES / "federation" / "partnerships.ttl")
    partners = start_oxigraph(tmp / "partners.log", tmp / "partners", read_only=True)
    silent, forbidden = Listener(), Listener()
    args = ["--root", str(root_for(built_repo, tmp)), "--query-timeout", str(TIMEOUT)]
    args += ["--allow-service", partners.query_url, "--allow-service", silent.url()]
    try:
        ours = start_server(args, tmp / "kg.log")
    except Exception:
        stop_oxigraph(partners)
        raise
    yield Setup(ours, partners, silent, forbidden)
    stop_server(ours)
    stop_oxigraph(partners)
    silent.close()
    forbidden.close()


def ask(server: Server, query: str) -> httpx.Response:
    return httpx.post(
        server.url + "/sparql", data={"query": query}, headers={"Accept": "text/csv"}, timeout=30
    )


def test_an_allowlisted_service_join_returns_the_joined_rows(setup: Setup) -> None:
    query = f"""PREFIX partners: <https://example.org/nato-partnerships/>
SELECT ?label ?framework WHERE {{
  ?country a nio:Country ; rdfs:label ?label .
  SERVICE <{setup.partners.query_url}> {{ ?country partners:framework ?framework }}
}} ORDER BY ?label"""
    answer = ask(setup.ours, query)
    assert answer.status_code == 200, answer.text
    assert answer.text.splitlines() == [
        "label,framework",
        "Australia,Partners across the globe",
        "Iraq,Partners across the globe",
        "Jordan,Mediterranean Dialogue",
        "Kuwait,Istanbul Cooperation Initiative",
    ]


def test_targets_off_the_allowlist_are_refused_and_never_contacted(setup: Setup) -> None:
    target = setup.forbidden.url()
    queries = [
        f"SELECT * WHERE {{ SERVICE <{target}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ SERVICE SILENT <{target}> {{ ?s ?p ?o }} }}",
        f"PREFIX r: <{setup.forbidden.url('/')}> SELECT * WHERE {{ SERVICE r:sparql {{ ?s ?p ?o }} }}",
        f"SELECT * FROM <{target}> WHERE {{ ?s ?p ?o }}",
        f"SELECT * WHERE {{ BIND(<{target}> AS ?x) SERVICE ?x {{ ?s ?p ?o }} }}",
        # the allowlisted host, another path (its update endpoint)
        f"SELECT * WHERE {{ SERVICE <{setup.partners.url}/update> {{ ?s ?p ?o }} }}",
    ]
    for query in queries:
        answer = ask(setup.ours, query)
        assert 400 <= answer.status_code < 500, (query, answer.status_code, answer.text)
    assert setup.forbidden.accepted_so_far() == []


def test_an_allowlisted_service_that_never_answers_is_stopped_by_the_time_limit(setup: Setup) -> None:
    # the client waits ten times the limit: the answer can only come from the server's limit
    answer = ask(setup.ours, f"SELECT * WHERE {{ SERVICE <{setup.silent.url()}> {{ ?s ?p ?o }} }}")
    assert answer.status_code == 503, answer.text
    assert f"ran longer than this endpoint's limit of {TIMEOUT} s" in answer.text, answer.text
    assert setup.silent.accepted  # it was allowlisted, so it was contacted
    fine = ask(setup.ours, "SELECT (COUNT(*) AS ?n) WHERE { ?s a nio:Country }")
    assert fine.status_code == 200 and fine.text.splitlines()[1] == "6"
