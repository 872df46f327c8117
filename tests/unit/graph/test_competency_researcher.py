"""Competency questions 17-30, asked the way a researcher first writes them (one short SELECT each).

Expected answers are read from the stored source text wherever the question is about the source.
"""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from helpers import REPO
from helpers.source_text import lines, milestones

QUERIES = REPO / "queries"
ID = "https://w3id.org/nato-iraq/id/"


def query_text(number: int) -> str:
    (path,) = QUERIES.glob(f"cq-{number:02d}-*.rq")
    return path.read_text(encoding="utf-8")


def run(store: ox.Store, number: int) -> list[dict[str, str]]:
    result = store.query(query_text(number))
    assert isinstance(result, ox.QuerySolutions)
    names = [v.value for v in result.variables]
    rows = [{n: sol[n].value for n in names if sol[n] is not None} for sol in result]
    assert rows, f"cq-{number:02d} returned nothing"
    return rows


def milestone_date(text: str) -> str:
    """The date words a milestone line starts with ("22 June 2004", "End 2004", "2006")."""
    return text.split(":", 1)[0].strip()


@pytest.mark.parametrize("number", range(17, 31))
def test_researcher_queries_are_short_single_selects(number: int) -> None:
    text = query_text(number)
    body = "\n".join(line for line in text.splitlines() if not line.startswith(("#", "PREFIX")))
    assert body.count("SELECT") == 1, "one SELECT, no subquery"
    assert "UNION" not in body
    assert len([line for line in body.splitlines() if line.strip()]) <= 10, "short: at most 10 lines"


def test_cq17_events_at_the_request_of_an_iraqi_actor(store: ox.Store) -> None:
    rows = run(store, 17)
    dates = {r.get("dateText") for r in rows}
    # every milestone made at an Iraqi request (the letter itself is the request, not a response)
    iraqi = re.compile(r"Iraqi.*request|request (of|from) (the )?(Iraqi|government of Iraq)")
    expected = {
        milestone_date(text)
        for n, text in milestones()
        if "request" in text and iraqi.search(text) and "sends letter" not in text
    }
    assert expected >= {"December 2008", "5 October 2010", "31 July 2015", "July 2016", "October 2020"}
    assert expected <= dates, sorted(expected - dates)
    # line 2: the scale-up "at the government's request", which the source dates only after late 2017
    assert "scaled up its training and advising efforts in Iraq at the government’s request" in lines()[1]
    scale_up = [r for r in rows if r["event"] == ID + "event/2017-late-nato-scales-up"]
    assert scale_up and "dateText" not in scale_up[0] and scale_up[0]["date"] == "2017-10-01"
    requesters = {r["requesterLabel"] for r in rows}
    assert {"Nouri al-Maliki", "Haider al-Abadi", "Jawad al-Bulani", "Iyad Allawi"} <= requesters
    assert "James Mattis" not in requesters
    sorted_dates = [r["date"] for r in rows]
    assert sorted_dates == sorted(sorted_dates)


def test_cq18_every_iraqi_actor_in_one_pattern(store: ox.Store) -> None:
    labels = {r["label"] for r in run(store, 18)}
    for body in ("Ministry of Interior", "Federal Police Command", "Counter-Terrorism Service"):
        assert any(body in label for label in labels), body
    assert {"Iraqi security forces", "Iyad Allawi", "Haider al-Abadi"} <= labels
    assert any("government" in label.lower() for label in labels)
    assert not any("NATO" in label or "North Atlantic" in label for label in labels)


def test_cq19_every_nato_actor_in_one_pattern(store: ox.Store) -> None:
    labels = {r["label"] for r in run(store, 19)}
    assert {"North Atlantic Council", "Jens Stoltenberg"} <= labels
    assert any("Secretary General" in label for label in labels)
    assert any("Supreme Allied Commander Europe" in label for label in labels)
    assert any("Defence Ministers" in label for label in labels)
    assert not any("Iraq" in label for label in labels)


def test_cq20_the_source_names_eight_people(store: ox.Store) -> None:
    rows = run(store, 20)
    assert len(rows) == 8
    text = "\n".join(lines())
    for row in rows:
        spellings = [row["name"], *row.get("otherNames", "").split(" | ")]
        assert any(s and s in text for s in spellings), f"{row['name']}: no spelling found in the source"
    names = {r["name"] for r in rows}
    assert {"Iyad Allawi", "Jawad al-Bulani", "Jens Stoltenberg"} <= names  # usual names first
    assert "Ilyad Allawi" in next(r for r in rows if r["name"] == "Iyad Allawi")["otherNames"]


def test_cq21_facts_from_line_26(store: ox.Store) -> None:
    rows = run(store, 21)
    line = lines()[25]
    assert line.startswith("NATO Mission Iraq (NMI) was formally launched")
    subjects = {r["s"] for r in rows}
    assert ID + "engagement/nmi" in subjects
    objects = {r["o"] for r in rows}
    assert ID + "country/australia" in objects  # "partner country Australia"
    assert ID + "place/greater-baghdad-area" in objects  # "beyond the greater Baghdad area"
    # nothing from another line: the 2023 scope extension (line 28) is not here
    assert ID + "event/2023-08-nac-expands-nmi-scope" not in subjects


def test_cq22_lines_supporting_nmi_launch_date_agree(store: ox.Store) -> None:
    rows = run(store, 22)
    source = lines()
    expected = {n for n, text in enumerate(source, 1) if "launch" in text and "July 2018" in text}
    assert expected == {12, 26, 66}
    said = {(int(r["line"]), r["dateText"], r["date"], r["precision"].rsplit("#", 1)[-1]) for r in rows}
    assert said == {
        (12, "July 2018", "2018-07", "unitMonth"),
        (26, "July 2018", "2018-07", "unitMonth"),
        (66, "11 July 2018", "2018-07-11", "unitDay"),
    }
    assert all(r["dateText"] in source[int(r["line"]) - 1] for r in rows)  # each line in its own words
    assert {r["integrated"] for r in rows} == {"2018-07-11"}  # the most precise of the agreeing dates
    assert {r["agrees"] for r in rows} == {"yes"}


def test_cq23_every_event_sorts_on_one_date_key(store: ox.Store) -> None:
    rows = run(store, 23)
    keys = [r["date"] for r in rows]
    assert keys == sorted(keys)
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", k) for k in keys)
    dated = [r for r in rows if "dateText" in r]
    undated = [r for r in rows if "dateText" not in r]
    assert undated and all("after" in r for r in undated), "an event without a date is placed after another"
    assert all(re.search(r"\b(19|20)\d\d\b", r["dateText"]) or r["dateText"] == "7 August" for r in dated)
    assert rows[0]["date"].startswith("2004-06")  # the first milestone: 22 June 2004
    assert rows[-1]["dateText"] == milestone_date(milestones()[-1][1])  # August 2023
    year_of = {r["dateText"]: r["date"][:4] for r in dated}
    for _n, text in milestones():
        words = milestone_date(text)
        year = re.search(r"(19|20)\d\d", words)
        assert year and year_of.get(words) == year.group(0), words


def test_cq24_nmi_aims_and_limits(store: ox.Store) -> None:
    rows = run(store, 24)
    aims = " | ".join(r["label"] for r in rows if r["kind"] == "aim")
    limits = " | ".join(r["label"] for r in rows if r["kind"] == "limitation")
    line = lines()[25]
    for words in ("prevent the return of ISIS", "fight terrorism", "stabilise"):
        assert words in line and words in aims, words
    for words in ("direct control of the government", "beyond the greater Baghdad area", "combat operations"):
        assert words in line and words in limits, words


def test_cq25_principles_and_aims_of_the_partnership(store: ox.Store) -> None:
    rows = run(store, 25)
    principles = {r["label"] for r in rows if r["kind"] == "principle"}
    line = lines()[16]
    stated = re.search(r"principles of (.*?)\.", line)
    assert stated
    expected = {p.strip() for p in re.split(r",| and ", stated.group(1).replace("respect for ", ""))}
    assert len(expected) == 4
    assert {p.removeprefix("respect for ") for p in principles} == expected
    aims = " | ".join(r["label"] for r in rows if r["kind"] == "aim")
    for words in ("security forces", "defence and security institutions", "national defence academies"):
        assert words in lines()[1] and words in aims, words


def test_cq26_coordination_partners(store: ox.Store) -> None:
    labels = {r["label"] for r in run(store, 26)}
    line = lines()[24]
    for name in (
        "United Nations",
        "Global Coalition to Defeat ISIS/Daesh",
        "European Union",
        "individual countries",
    ):
        assert name in line
        assert any(name.lower() in label.lower() for label in labels), name


def test_cq27_conditions_on_troop_increases(store: ox.Store) -> None:
    rows = run(store, 27)
    conditions = " | ".join(r["condition"] for r in rows)
    for n in (27, 68):
        assert "Any troop increases would be based on requirements" in lines()[n - 1]
    for words in ("requirements", "consent", "conditions on the ground", "incrementally"):
        assert words in conditions, words
    assert {r["dateText"] for r in rows} == {"February 2021"}


def test_cq28_every_event_has_its_own_cameo_and_plover_code(store: ox.Store) -> None:
    rows = run(store, 28)
    events = store.query("SELECT DISTINCT ?e WHERE { ?e a <https://w3id.org/nato-iraq/ontology#Event> }")
    assert isinstance(events, ox.QuerySolutions)
    assert {r["event"] for r in rows} == {s["e"].value for s in events}
    assert len(rows) == len({r["event"] for r in rows}), "one code of each codebook per event"
    assert all(re.fullmatch(r"\d{3,4}", r["cameo"]) and re.fullmatch(r"[A-Z]+", r["plover"]) for r in rows)
    code = {r["event"].removeprefix(ID + "event/"): r for r in rows}
    assert code["2016-03-01-stoltenberg-visit-iraq"]["cameo"] == "042"  # 042 "Make a visit"
    assert code["2012-09-24-ipcp-signed"]["plover"] == "SUPPORT"  # PLOVER files signing under SUPPORT
    assert code["2018-07-11-nmi-launched"]["cameo"] == "072"  # one-sided military aid, not 062
    assert code["2017-05-25-nato-joins-coalition"]["target"] == "IGO"  # the Coalition has a code
    assert code["2017-late-isis-defeated-in-iraq"]["target"] == "IMG"  # and ISIS
    assert code["2004-06-22-allawi-letter-of-request"]["source"] == "IRQGOV"


def test_cq29_actor_codes(store: ox.Store) -> None:
    rows = {r["label"]: r for r in run(store, 29)}
    assert rows["Iraq"]["cameo"] == "IRQ" and rows["Iraq"]["country"] == "IRQ"
    assert rows["Jordan"]["country"] == "JOR"
    assert rows["NATO"]["cameo"] == "IGOWSTNAT"
    gov = [r for r in rows.values() if r["cameo"] == "IRQGOV"]
    assert gov


def test_cq30_statements_from_outside_the_source(store: ox.Store) -> None:
    rows = run(store, 30)
    origins = {r["origin"] for r in rows}
    assert ID + "document/alignment-table" in origins
    wikidata = [r for r in rows if r["o"].startswith("http://www.wikidata.org/entity/")]
    assert wikidata, "the Wikidata links come from the alignment table"
    usual = {r["o"] for r in rows if r["p"].endswith("#prefLabel")}
    assert "Iyad Allawi" in usual
