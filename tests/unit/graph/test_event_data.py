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
    assert all(r["cameo_codes"] and r["plover_types"] for r in rows), "every event has its own codes"


def test_events_table_is_shaped_like_an_icews_or_polecat_export(built_repo: Path, store: ox.Store) -> None:
    rows = list(csv.DictReader((built_repo / "csv" / "events.csv").open(encoding="utf-8")))
    events = store.query(
        "SELECT (COUNT(DISTINCT ?e) AS ?n) WHERE { ?e a <https://w3id.org/nato-iraq/ontology#Event> }"
    )
    assert isinstance(events, ox.QuerySolutions)
    assert len(rows) == int(next(iter(events))["n"].value) == len({r["event_id"] for r in rows})
    columns = list(rows[0])
    for first, then in (
        ("event_date", "source_actor_code"),
        ("source_actor_code", "cameo_code"),
        ("cameo_code", "target_actor_code"),
    ):
        assert columns.index(first) < columns.index(then)
    assert all(re.fullmatch(r"\d{3,4}", r["cameo_code"]) and r["plover_type"] for r in rows)
    assert all(r["event_date"] or r["earliest"] for r in rows)
    coded = [r for r in rows if r["source_actor_code"] and r["target_actor_code"]]
    assert len(coded) >= len(rows) * 3 / 4
    launch = next(r for r in rows if r["event_id"].endswith("/2018-07-11-nmi-launched"))
    assert (
        launch["event_date"],
        launch["source_actor_code"],
        launch["cameo_code"],
        launch["plover_type"],
    ) == ("2018-07-11", "IGOWSTNAT", "072", "AID")
    assert (launch["target_actor_code"], launch["target_country"], launch["source_lines"]) == (
        "IRQ",
        "IRQ",
        "12; 26; 66",
    )
    joined = next(r for r in rows if r["event_id"].endswith("/2017-05-25-nato-joins-coalition"))
    assert joined["target_actor_code"] == "IGO"  # the Global Coalition has an actor code
    victory = next(r for r in rows if r["event_id"].endswith("/2017-late-isis-defeated-in-iraq"))
    assert victory["target_actor_code"] == "IMG" and victory["source_country"] == "IRQ"  # ISIS too
