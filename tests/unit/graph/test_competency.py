"""Each competency question (queries/cq-NN-*.rq) gives the answers the source text gives."""

from __future__ import annotations

import pyoxigraph as ox

from helpers import REPO

QUERIES = REPO / "queries"
ID = "https://w3id.org/nato-iraq/id/"


def run(store: ox.Store, number: int) -> list[dict[str, str]]:
    (path,) = QUERIES.glob(f"cq-{number:02d}-*.rq")
    result = store.query(path.read_text(encoding="utf-8"))
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    rows = [{n: sol[n].value for n in names if sol[n] is not None} for sol in result]
    assert rows, f"{path.name} returned nothing"
    return rows


def test_there_is_one_query_per_competency_question() -> None:
    numbers = sorted(int(p.name[3:5]) for p in QUERIES.glob("cq-*.rq"))
    assert numbers == list(range(1, 31))
    for path in QUERIES.glob("cq-*.rq"):
        text = path.read_text()
        assert text.startswith("# title: ") and "# question: " in text, path.name


def lines(row: dict[str, str], which: str) -> list[int]:
    """The lines cq-01 lists for an engagement's start or end ("start line 18, end line 46")."""
    return [int(part.split()[-1]) for part in row.get("lines", "").split(", ") if part.startswith(which)]


def test_cq01_engagements_with_start_and_end(store: ox.Store) -> None:
    rows = {r["engagement"].removeprefix(ID + "engagement/"): r for r in run(store, 1)}
    assert rows["ntm-i"]["end"] == "2011-12-31"  # discontinued 31 December 2011
    assert lines(rows["ntm-i"], "end") == [46]
    assert rows["ntm-i"]["start"].startswith("2004") and rows["ntm-i"]["startText"] == "End 2004"
    assert lines(rows["ntm-i"], "start") == [18, 39]  # in line order
    assert rows["ntim"]["start"] == "2004-07-30" and rows["ntim"]["end"] == "2004-12-16"  # renamed NTM-I
    assert rows["nmi"]["start"] == "2018-07-11" and rows["nmi"]["end"] == "ongoing"
    assert lines(rows["nmi"], "start") == [12, 26, 66]
    assert rows["ipcp"]["start"] == "2012-09-24"
    assert rows["dcb-package-iraq"]["start"] == "2015-07-31"
    # line 52's "between April and December 2016" dates the 350 officers' training, not an end
    assert (
        rows["dcb-training-jordan"]["start"] == "2016-04-01"
        and rows["dcb-training-jordan"]["end"] == "not stated"
    )
    assert rows["core-team"]["end"] == "not stated" and lines(rows["core-team"], "end") == []
    assert rows["transition-cell"]["start"] == "2012-06-01"
    assert rows["core-team"]["start"] == "2017-01-01"
    assert rows["in-country-training"]["start"] == "2017-01-01"
    assert rows["in-country-training"]["end"] == "ongoing" and lines(rows["in-country-training"], "end") == [
        23
    ]
    assert all(r.get("start") and r.get("end") for r in rows.values()), "an empty start or end"
    assert rows["dcb-initiative"]["start"] == "not stated"
    assert rows["gendarmerie-training"]["start"] == "not stated"  # line 42 says it was decided, not begun
    kinds = {r["kind"] for r in rows.values()}
    assert {"mission", "programme", "package", "initiative"} <= kinds


def test_cq02_events_of_2016_in_order(store: ox.Store) -> None:
    rows = run(store, 2)
    starts = [r["earliest"] for r in rows]
    assert starts == sorted(starts) and all(s.startswith("2016-") for s in starts)
    texts = [r["dateText"] for r in rows]
    for expected in (
        "February 2016",
        "1 March 2016",
        "April 2016",
        "19 May 2016",
        "July 2016",
        "18 October 2016",
    ):
        assert expected in texts
    precision = {r["dateText"]: r["precision"].lower() for r in rows}
    assert "day" in precision["1 March 2016"] and "month" in precision["July 2016"]
    assert len({r["event"] for r in rows}) == len(rows)  # one row per event


def test_cq03_north_atlantic_council_decisions(store: ox.Store) -> None:
    rows = run(store, 3)
    assert [r["dateText"] for r in rows] == [
        "22 September 2004",
        "26 April 2018",
        "22 June 2018",
        "August 2023",
    ]


def test_cq04_events_in_jordan(store: ox.Store) -> None:
    rows = run(store, 4)
    events = {r["event"] for r in rows}
    assert events == {ID + "event/2016-04-dcb-training-jordan-launched"}
    actors = {r.get("actorLabel") for r in rows}
    assert "NATO" in actors and "Iraqi security forces" in actors


def test_cq05_requests_by_iraqi_officials(store: ox.Store) -> None:
    rows = run(store, 5)
    asked = {(r["name"], r["dateText"]) for r in rows}
    assert ("Iyad Allawi", "22 June 2004") in asked
    assert ("Nouri al-Maliki", "December 2008") in asked
    assert ("Jawad al-Bulani", "5 October 2010") in asked
    assert ("Haider al-Abadi", "31 July 2015") in asked
    assert ("Haider al-Abadi", "July 2016") in asked
    assert {r["office"] for r in rows} >= {"Interim Iraqi Prime Minister", "Iraqi Minister of Interior"}
    assert "Jim Mattis" not in {r["name"] for r in rows}  # a US official, not an Iraqi one


def test_cq06_people_trained(store: ox.Store) -> None:
    rows = {r["wording"]: r for r in run(store, 6)}
    assert rows["over 5,000 military personnel"]["bound"] == "over"
    assert float(rows["over 5,000 military personnel"]["min"]) == 5000
    assert float(rows["over 10,000 police personnel"]["min"]) == 10000
    assert rows["15,000 Iraqi officers"]["bound"] == "exact"
    assert float(rows["350 Iraqi officers"]["value"]) == 350
    assert "max" not in rows["over 5,000 military personnel"]  # "over" is no upper bound


def test_cq07_money(store: ox.Store) -> None:
    rows = {r["wording"]: r for r in run(store, 7)}
    eq = rows["Over Euro 115 million worth of military equipment"]
    assert eq["currency"] == "EUR" and float(eq["min"]) == 115e6 and eq["bound"] == "over"
    assert float(rows["Euro 17.5 million in trust fund donations"]["value"]) == 17.5e6
    usd = rows["nearly USD 300 million"]
    assert usd["currency"] == "USD" and float(usd["max"]) == 300e6 and usd["bound"] == "nearly"
    assert usd["paidFor"] == "reconstruction"


def test_cq08_shared_cooperation_areas(store: ox.Store) -> None:
    rows = {r["areaLabel"]: r for r in run(store, 8)}
    assert all(int(r["engagements"]) > 1 for r in rows.values())
    cied = rows["countering improvised explosive devices"]["in"]
    assert "DCB package for Iraq" in cied and "Individual Partnership and Cooperation Programme" in cied
    assert "explosive ordnance disposal" in rows


def test_cq09_events_with_the_global_coalition(store: ox.Store) -> None:
    dates = {r["dateText"] for r in run(store, 9)}
    assert {"July 2016", "25 May 2017", "22 January 2018", "February 2018"} <= dates


def test_cq10_how_missions_changed(store: ox.Store) -> None:
    rows = run(store, 10)
    ntmi = [(r["dateText"], r["change"]) for r in rows if r["mission"].endswith("/ntm-i")]
    assert ("16 December 2004", "renaming") in ntmi
    assert ("December 2008", "expansion") in ntmi
    assert ntmi[-1] == ("31 December 2011", "discontinuation")
    nmi = [(r["dateText"], r["change"]) for r in rows if r["mission"].endswith("/nmi")]
    assert ("spring 2020", "suspension") in nmi and ("August 2023", "scope extension") in nmi
    dates = [r["earliest"] for r in rows if r["mission"].endswith("/nmi")]
    assert dates == sorted(dates)


def test_cq11_source_sentence_and_address(store: ox.Store) -> None:
    (row,) = run(store, 11)
    assert row["line"] == "32" and row["quote"].startswith("22 June 2004: Interim Iraqi Prime Minister")
    assert row["address"] == "https://www.nato.int/cps/en/natohq/topics_88247.htm"


def test_cq12_wikidata_links(store: ox.Store) -> None:
    items = {r["label"]: r["item"] for r in run(store, 12)}
    assert items["Iyad Allawi"] == "http://www.wikidata.org/entity/Q313816"
    assert items["North Atlantic Council"] == "http://www.wikidata.org/entity/Q944947"
    assert items["Jens Stoltenberg"] == "http://www.wikidata.org/entity/Q57665"
    assert "Global Coalition to Defeat ISIS/Daesh" not in items  # no confirmed Wikidata item


def test_cq13_between_ntm_i_and_nmi(store: ox.Store) -> None:
    rows = run(store, 13)
    starts = [r["earliest"] for r in rows]
    assert min(starts) > "2011-12-31" and max(starts) < "2018-07-11"
    texts = {r["dateText"] for r in rows}
    assert {"May 2012", "June 2012", "24 September 2012", "31 July 2015", "22 June 2018"} <= texts
    assert "11 July 2018" not in texts and "31 December 2011" not in texts


def test_cq14_summits(store: ox.Store) -> None:
    rows = run(store, 14)
    summits = {(int(r["year"]), r["placeLabel"]) for r in rows}
    assert summits == {
        (2004, "Istanbul"),
        (2006, "Riga"),
        (2014, "Wales"),
        (2016, "Warsaw"),
        (2018, "Brussels"),
    }
    warsaw = [r for r in rows if r["placeLabel"] == "Warsaw"]
    assert len(warsaw) == 2 and all("decision" in r for r in warsaw)


def test_cq15_secretary_general_visits(store: ox.Store) -> None:
    rows = run(store, 15)
    met = {(r["dateText"], r.get("metOffice")) for r in rows}
    assert met == {
        ("1 March 2016", "Iraqi Prime Minister"),
        ("1 March 2016", "Iraqi President"),
        ("5 March 2018", "Iraqi Prime Minister"),
        ("5 March 2018", "Iraqi President"),
    }
    assert {r["visitorName"] for r in rows} == {"Jens Stoltenberg"}
    assert {"Haider al-Abadi", "Fuad Masum"} <= {r["metName"] for r in rows}


def test_cq16_contradictions(store: ox.Store) -> None:
    rows = run(store, 16)
    by_discrepancy: dict[str, set[int]] = {}
    for r in rows:
        by_discrepancy.setdefault(r["discrepancy"], set()).add(int(r["line"]))
    assert all(len(lines) >= 2 for lines in by_discrepancy.values())
    line_sets = list(by_discrepancy.values())
    assert any({4, 18} <= s for s in line_sets)  # 15,000 officers vs 5,000 + 10,000 personnel (by hand)
    assert any({27, 67} == s for s in line_sets)  # Allies expand NMI vs Defence Ministers plan to (by rule)
    assert not any({5, 45} <= s for s in line_sets)  # "In 2011" and "April 2011" agree
    quotes = " ".join(r["quote"] for r in rows)
    assert "15,000 Iraqi officers" in quotes and "over 5,000 military personnel" in quotes
    sides = {r["side"] for r in rows if "side" in r}
    assert (
        "Line 27: who decided NATO Allies" in sides and "Line 67: who decided NATO Defence Ministers" in sides
    )
