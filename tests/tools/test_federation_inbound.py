"""Inbound federation: independent engines use this endpoint as a ``SERVICE`` and join it with their own data.

Apache Jena ARQ (Debian's package) and Comunica (npm ``@comunica/query-sparql``) each run a query
over a small local RDF file of their own (``tests/fixtures/federation/``) joined with ``kg serve``
over the built graph, and must return exactly the expected rows.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from helpers import FIXTURES, REPO, Server

pytestmark = pytest.mark.server
LOCAL = FIXTURES / "federation"
ID = "https://w3id.org/nato-iraq/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"


def bindings(output: str) -> list[dict[str, str]]:
    """SPARQL JSON results as rows of plain values (datatype kept as ``^^`` suffix)."""
    data = json.loads(output)
    rows = []
    for row in data["results"]["bindings"]:
        rows.append(
            {k: v["value"] + (f"^^{v['datatype']}" if "datatype" in v else "") for k, v in row.items()}
        )
    return sorted(rows, key=lambda r: sorted(r.items()))


UNSCR_QUERY = """PREFIX unsc: <https://example.org/unsc-resolutions/>
PREFIX nio: <https://w3id.org/nato-iraq/ontology#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
# Which NATO engagements and events were based on a resolution of my dataset, and when was it adopted?
SELECT ?resolution ?adopted ?basedOnIt ?label WHERE {
  ?resolution unsc:adopted ?adopted .
  SERVICE <ENDPOINT> { ?basedOnIt nio:inAccordanceWith ?resolution ; rdfs:label ?label }
}"""
UNSCR_ROWS = [
    {
        "resolution": ID + "document/unscr-1546",
        "adopted": f"2004-06-08^^{XSD}date",
        "basedOnIt": ID + "engagement/ntm-i",
        "label": "NATO Training Mission-Iraq",
    },
    {
        "resolution": ID + "document/unscr-1546",
        "adopted": f"2004-06-08^^{XSD}date",
        "basedOnIt": ID + "event/2004-end-ntm-i-established",
        "label": "NTM-I is established",
    },
]


def test_jena_arq_joins_a_local_file_with_this_endpoint(
    live_server: Server, tmp_path: Path, jena: Path
) -> None:
    query = tmp_path / "unscr.rq"
    query.write_text(UNSCR_QUERY.replace("ENDPOINT", live_server.url + "/sparql"))
    result = subprocess.run(
        [str(jena), "arq", "--query", str(query), "--data", str(LOCAL / "unscr.ttl"), "--results=json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert bindings(result.stdout) == UNSCR_ROWS


MEMBERS_SERVICE = """PREFIX members: <https://example.org/nato-membership/>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
# Which NATO members of my dataset acted in the events of the NATO–Iraq graph?
SELECT ?state ?since ?event WHERE {
  ?state members:memberSince ?since .
  SERVICE <ENDPOINT> { ?event sem:hasActor ?state }
}"""
MEMBERS_SOURCES = """PREFIX members: <https://example.org/nato-membership/>
PREFIX nio: <https://w3id.org/nato-iraq/ontology#>
PREFIX sem: <http://semanticweb.cs.vu.nl/2009/11/sem/>
# The same join with both datasets as Comunica sources: which members acted on an engagement?
SELECT ?state ?since ?engagement WHERE {
  ?state members:memberSince ?since .
  ?event sem:hasActor ?state ; nio:affects ?engagement .
}"""


def run_comunica(command: list[str], query: str, sources: list[dict[str, str]]) -> list[dict[str, str]]:
    local = {
        "type": "serialized",
        "value": (LOCAL / "nato-members.ttl").read_text(encoding="utf-8"),
        "mediaType": "text/turtle",
        "baseIRI": "https://example.org/",
    }
    context = json.dumps({"sources": [local, *sources]})
    result = subprocess.run(
        [*command, "-c", context, "-q", query, "-t", "application/sparql-results+json"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    return bindings(result.stdout)


def test_comunica_joins_local_data_with_this_endpoint_as_service(
    live_server: Server, comunica: list[str]
) -> None:
    got = run_comunica(comunica, MEMBERS_SERVICE.replace("ENDPOINT", live_server.url + "/sparql"), [])
    assert got == [
        {
            "state": ID + "country/italy",
            "since": f"1949^^{XSD}gYear",
            "event": ID + "event/2010-10-05-italy-oil-policing-announcement",
        }
    ]


def test_comunica_federates_local_data_and_this_endpoint_as_sources(
    live_server: Server, comunica: list[str]
) -> None:
    got = run_comunica(comunica, MEMBERS_SOURCES, [{"type": "sparql", "value": live_server.url + "/sparql"}])
    assert got == [
        {
            "state": ID + "country/italy",
            "since": f"1949^^{XSD}gYear",
            "engagement": ID + "engagement/oil-policing-training",
        }
    ]
