"""The triple count on the landing page, in build.json, in VoID and at the endpoint is one number."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx

from helpers import Server


def test_landing_page_and_endpoint_count_the_same_triples(live_server: Server, built_repo: Path) -> None:
    page = httpx.get(live_server.url + "/", headers={"Accept": "text/html"}, timeout=30).text
    shown = re.search(r"<strong>([\d,]+) triples</strong>", page)
    assert shown, "the landing page shows no triple count"
    r = httpx.post(
        live_server.url + "/sparql",
        data={"query": "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )
    counted = int(r.json()["results"]["bindings"][0]["n"]["value"])
    info = json.loads((built_repo / "build.json").read_text())
    assert int(shown.group(1).replace(",", "")) == counted == info["triples"]
