"""The CAMEO/PLOVER codes and the documented join with a GDELT-style event table work."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pyoxigraph as ox

from helpers import REPO

EXAMPLES = REPO / "docs" / "examples"


def test_join_query_uses_the_fixture_rows() -> None:
    rows = list(csv.DictReader((EXAMPLES / "gdelt-style-events.csv").open(encoding="utf-8")))
    query = (EXAMPLES / "gdelt-join.rq").read_text(encoding="utf-8")
    values = re.findall(r'\("(\d+)" "(\d{4})-(\d\d)-(\d\d)"\^\^xsd:date "(\w+)" "(\w+)" "(\d+)"\)', query)
    expected = [
        (
            r["GLOBALEVENTID"],
            r["SQLDATE"][:4],
            r["SQLDATE"][4:6],
            r["SQLDATE"][6:],
            r["Actor1Code"],
            r["Actor2Code"],
            r["EventCode"],
        )
        for r in rows
    ]
    assert values == expected


def test_join_finds_the_matching_events(store: ox.Store) -> None:
    result = store.query((EXAMPLES / "gdelt-join.rq").read_text(encoding="utf-8"))
    assert isinstance(result, ox.QuerySolutions)
    matches = {(s["id"].value, s["event"].value.rsplit("/", 1)[-1]) for s in result}
    assert matches == {
        ("900001", "2015-07-31-dcb-package-agreed"),
        ("900002", "2016-03-01-stoltenberg-visit-iraq"),
        ("900003", "2018-01-22-mattis-letter-of-request"),
    }


def test_codebook_versions_are_recorded(store: ox.Store) -> None:
    result = store.query(
        """SELECT ?v WHERE { <https://w3id.org/nato-iraq/id/scheme/cameo>
             <http://www.w3.org/2002/07/owl#versionInfo> ?v }"""
    )
    assert isinstance(result, ox.QuerySolutions)
    assert [s["v"].value for s in result] == ["1.1b3"]


def test_dyadic_table_carries_actor_and_event_codes(built_repo: Path, store: ox.Store) -> None:
    rows = list(csv.DictReader((built_repo / "csv" / "dyadic.csv").open(encoding="utf-8")))
    visit = [r for r in rows if r["event"].endswith("2016-03-01-stoltenberg-visit-iraq")]
    assert visit and all(r["cameo_codes"] == "042" and r["plover_types"] == "CONSULT" for r in visit)
    assert {r["source_cameo"] for r in visit} == {"IGOWSTNAT"}
    assert "IRQGOV" in {r["target_cameo"] for r in visit}
    loose = store.query(
        """PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
           SELECT ?e WHERE { ?e <https://w3id.org/nato-iraq/ontology#eventType> ?t
             FILTER NOT EXISTS { ?e <https://w3id.org/nato-iraq/ontology#eventType>/skos:closeMatch ?c
               FILTER (STRSTARTS(STR(?c), "https://w3id.org/nato-iraq/id/concept/cameo/")) } }"""
    )
    assert isinstance(loose, ox.QuerySolutions)
    only_loose = {s["e"].value for s in loose}
    uncoded = {r["event"] for r in rows if not r["cameo_codes"]}
    assert uncoded <= only_loose, "a dyad lacks the CAMEO code of its event type"
    assert len(uncoded) < len({r["event"] for r in rows}) / 4
