"""Claims per line: every fact names the lines that state it, each line's graph holds what that
line says in its own words and at its own precision, and the default graph integrates the lines
by the stated rules (``docs/modelling-spec.md``, "Claims and the integrated view")."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from helpers import FIXTURES
from helpers.graph_store import select
from helpers.source_text import lines
from kg.build.claims import Claims, integrate
from kg.cli import main

ID = "https://w3id.org/nato-iraq/id/"
NIO = "https://w3id.org/nato-iraq/ontology#"
LINE = "https://w3id.org/nato-iraq/graph/line/"
MONTHS = [
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
]  # fmt: skip


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


# ------------------------------------------------------------------ no fact without a line


def test_a_fact_without_a_line_fails_the_build_naming_its_file_and_line(mini_project: Path) -> None:
    fixture = FIXTURES / "build" / "fact-without-line.ttl"
    (mini_project / "data" / fixture.name).write_text(fixture.read_text())
    written = fixture.read_text().splitlines()
    where = next(n for n, text in enumerate(written, 1) if "nio:date " in text)
    code, out = run("build", "--root", str(mini_project))
    assert code != 0
    assert "generating failed" in out
    assert f"data/fact-without-line.ttl:{where}: niq:event/unlined nio:date '2020-05-01'" in out
    assert "a fact without a line" in out
    assert not (mini_project / "dist").exists()


def test_a_fact_added_to_the_project_without_a_line_fails_the_build(repo_copy: Path) -> None:
    events = repo_copy / "data" / "events.ttl"
    text = events.read_text(encoding="utf-8")
    subject = "event:2018-07-11-nmi-launched\n"
    assert subject in text
    events.write_text(
        text.replace(subject, subject + '    nio:dateText "11 July 2018" ;\n', 1), encoding="utf-8"
    )
    where = events.read_text(encoding="utf-8").splitlines().index('    nio:dateText "11 July 2018" ;') + 1
    code, out = run("validate", "--root", str(repo_copy))
    assert code != 0
    assert f"data/events.ttl:{where}: niq:event/2018-07-11-nmi-launched nio:dateText '11 July 2018'" in out


def test_a_block_without_a_line_fails_the_build(mini_project: Path) -> None:
    (mini_project / "data" / "lineless-block.ttl").write_text(
        "@prefix nio: <https://w3id.org/nato-iraq/ontology#> .\n"
        "@prefix event: <https://w3id.org/nato-iraq/id/event/> .\n"
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        'event:2020-05-01-meeting nio:fromLine [ nio:date "2020-05-01"^^xsd:date ] .\n'
    )
    code, out = run("build", "--root", str(mini_project))
    assert code != 0
    assert (
        "data/lineless-block.ttl:4: niq:event/2020-05-01-meeting: a nio:fromLine block without nio:sourceLine"
        in out
    )


def test_every_hand_written_fact_is_a_claim_of_a_line_or_from_a_declared_outside_source(
    store: ox.Store,
) -> None:
    """Outside the line graphs, a data file's graph holds only types, labels, comments, the
    provenance machinery, vocabulary terms, and the passages a resource is derived from."""
    rows = select(
        store,
        """SELECT DISTINCT ?g ?s ?p ?o WHERE {
             GRAPH ?g { ?s ?p ?o }
             FILTER (STRSTARTS(STR(?g), "https://w3id.org/nato-iraq/graph/data/")
                     && ?g != <https://w3id.org/nato-iraq/graph/data/generated>)
             FILTER NOT EXISTS { ?g prov:wasDerivedFrom ?outside
                                 FILTER NOT EXISTS { ?outside a nio:Passage } }
             FILTER (?p NOT IN (rdf:type, rdfs:label, skos:prefLabel, rdfs:comment, prov:wasDerivedFrom))
             FILTER NOT EXISTS { VALUES ?kind { skos:Concept skos:ConceptScheme nio:Passage
                                                oa:TextQuoteSelector
                                                nio:SourceDocument nio:Discrepancy } ?s a ?kind }
             FILTER NOT EXISTS { GRAPH ?line { ?s ?p ?o }
                                 FILTER (STRSTARTS(STR(?line), "https://w3id.org/nato-iraq/graph/line/")) }
           }""",
    )
    assert not rows, rows[:5]
    outside = {
        r["o"]
        for r in select(
            store,
            "SELECT ?o WHERE { ?g prov:wasDerivedFrom ?o "
            'FILTER (STRSTARTS(STR(?g), "https://w3id.org/nato-iraq/graph/data/")) }',
        )
    }
    assert {
        ID + "document/alignment-table",
        ID + "document/cameo-codebook",
        ID + "document/plover-codebook",
    } <= outside


# ------------------------------------------------------------------ each line's graph: what that line says


def line_graph_rows(store: ox.Store, pattern: str) -> list[dict[str, str]]:
    return select(store, f"SELECT * WHERE {{ GRAPH ?g {{ {pattern} }} ?g nio:sourceLine ?line }}")


def test_line_graph_wordings_are_verbatim_from_their_line(store: ox.Store) -> None:
    source = lines()
    rows = line_graph_rows(store, "?s ?p ?text VALUES ?p { nio:dateText nio:valueText }")
    assert len(rows) >= 100
    wrong = [r for r in rows if r["text"] not in source[int(r["line"]) - 1]]
    assert not wrong, wrong[:5]


def _expected_precision(words: str, line: str) -> tuple[str, str]:
    """(datatype, value) of a date as worded; a day without a year takes the line's year."""
    year = re.search(r"(19|20)\d\d", words) or re.search(r"(19|20)\d\d", line)
    assert year, words
    month = next((i for i, m in enumerate(MONTHS, 1) if m in words), None)
    day = re.match(r"(\d{1,2}) ", words)
    if day and month:
        return "date", date(int(year.group(0)), month, int(day.group(1))).isoformat()
    if month:
        return "gYearMonth", f"{year.group(0)}-{month:02d}"
    return "gYear", year.group(0)


def test_no_line_graph_date_is_more_precise_than_its_line(store: ox.Store) -> None:
    source = lines()
    rows = line_graph_rows(
        store, "?s nio:date ?date ; nio:dateText ?text ; time:unitType ?unit BIND (DATATYPE(?date) AS ?dt)"
    )
    assert len(rows) >= 80
    for r in rows:
        line = source[int(r["line"]) - 1]
        datatype, value = _expected_precision(r["text"], line)
        assert (r["dt"].rsplit("#", 1)[-1], r["date"]) == (datatype, value), r
    units = {
        (int(r["line"]), r["unit"].rsplit("#", 1)[-1])
        for r in rows
        if r["s"] == ID + "event/2018-07-11-nmi-launched"
    }
    assert units == {(12, "unitMonth"), (26, "unitMonth"), (66, "unitDay")}


def test_a_date_without_a_year_keeps_the_lines_wording_and_infers_only_the_value(store: ox.Store) -> None:
    line = lines()[33]
    assert "deployed to Baghdad on 7 August followed" in line and "7 August 2004" not in line
    rows = line_graph_rows(
        store, "event:2004-08-07-ntim-first-elements-deployed nio:date ?d ; nio:dateText ?t"
    )
    assert [(r["line"], r["t"], r["d"]) for r in rows] == [("34", "7 August", "2004-08-07")]


CLEAR_REFERENCES = {
    (32, "org/interim-government-of-iraq"),  # "requesting NATO support to his government"
    (33, "org/iraqi-security-forces"),  # "assist Iraq with training of its security forces"
    (40, "org/nato"),  # "NTM-I", the NATO Training Mission-Iraq, "is fully staffed and funded"
    (51, "org/government-of-iraq"),  # "welcomes the government’s ongoing efforts"
}
"""Actors a line refers to clearly without naming them; every other actor is named in its line."""


def test_line_graph_actors_are_named_in_their_line(store: ox.Store) -> None:
    source = lines()
    names: dict[str, set[str]] = {}
    for r in select(
        store,
        """SELECT ?a ?n WHERE { { ?a a nio:Actor } UNION { ?a a nio:Post }
             { ?a rdfs:label ?n } UNION { ?a skos:prefLabel ?n } UNION { ?a skos:altLabel ?n } }""",
    ):
        names.setdefault(r["a"], set()).add(r["n"].lower())
    rows = select(
        store,
        """SELECT DISTINCT ?line ?actor WHERE {
             GRAPH ?g { { ?actor ?p ?o } UNION { ?s ?p ?actor } } ?g nio:sourceLine ?line .
             { ?actor a nio:Actor } UNION { ?actor a nio:Post } }""",
    )
    assert len(rows) >= 150
    unnamed = {
        (int(r["line"]), r["actor"].removeprefix(ID))
        for r in rows
        if not any(n in source[int(r["line"]) - 1].lower() for n in names[r["actor"]])
    }
    assert unnamed == CLEAR_REFERENCES
    for line, _actor in CLEAR_REFERENCES:
        assert re.search(r"his government|its security forces|NTM-I|the government’s", source[line - 1])


def test_line_26_names_no_leaders_and_says_july_2018(store: ox.Store) -> None:
    line = lines()[25]
    assert "Allied Leaders" not in line and "July 2018" in line and "11 July" not in line
    graph = "<https://w3id.org/nato-iraq/graph/line/26>"
    leaders = select(
        store, f"SELECT ?s WHERE {{ GRAPH {graph} {{ ?s ?p organisation:nato-allied-leaders }} }}"
    )
    assert not leaders
    dates = select(
        store, f"SELECT ?d WHERE {{ GRAPH {graph} {{ event:2018-07-11-nmi-launched nio:date ?d }} }}"
    )
    assert [r["d"] for r in dates] == ["2018-07"]


def test_project_comments_are_not_claims_of_a_line(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?g WHERE { GRAPH ?g { ?s ?p ?o } FILTER (STRSTARTS(STR(?g), "https://w3id.org/nato-iraq/graph/line/"))
             VALUES ?p { rdfs:comment rdfs:label skos:definition prov:wasDerivedFrom } }""",
    )
    assert not rows
    assert not select(
        store, "SELECT ?g WHERE { GRAPH <https://w3id.org/nato-iraq/graph/line/1> { ?s ?p ?o } }"
    )


def test_a_line_graph_holds_only_what_its_line_says(store: ox.Store) -> None:
    """Line 46 ("NTM-I is discontinued") holds nothing about NTM-I's trainees; line 1 (the page
    title) holds nothing; line 18 says "in 2004", not "End 2004"."""
    assert not select(
        store,
        """SELECT ?q WHERE { GRAPH <https://w3id.org/nato-iraq/graph/line/46> { ?s nio:hasQuantity ?q } }""",
    )
    rows = line_graph_rows(store, "event:2004-end-ntm-i-established nio:dateText ?t")
    assert {(r["line"], r["t"]) for r in rows} == {("18", "2004"), ("39", "End 2004")}
    assert "in 2004" in lines()[17] and "End 2004" in lines()[38]


# ------------------------------------------------------------------ the integrated view


def test_every_line_statement_is_integrated_or_superseded_by_an_agreeing_value(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT DISTINCT ?s ?p ?o WHERE {
             GRAPH ?g { ?s ?p ?o } FILTER (STRSTARTS(STR(?g), "https://w3id.org/nato-iraq/graph/line/"))
             FILTER NOT EXISTS { ?s ?p ?o }
           }""",
    )
    assert rows, "lines at a coarser precision than the integrated value keep their own"
    for r in rows:
        if r["p"] in (NIO + "date", NIO + "dateText", "http://www.w3.org/2006/time#unitType"):
            dated = select(store, f"SELECT ?d WHERE {{ <{r['s']}> nio:date|nio:dateText ?d }}")
            assert dated, r
        elif r["p"] == NIO + "decidedBy":
            narrower = select(
                store,
                f"SELECT ?n WHERE {{ <{r['s']}> nio:decidedBy ?n . "
                f"?n (nio:actsFor|org:subOrganizationOf)+ <{r['o']}> }}",
            )
            assert narrower, r
        else:
            pytest.fail(f"a line statement missing from the integrated view: {r}")


def test_dates_that_agree_at_different_precisions_give_the_most_precise(store: ox.Store) -> None:
    rows = select(store, "SELECT ?d ?t WHERE { event:2018-07-11-nmi-launched nio:date ?d ; nio:dateText ?t }")
    assert rows == [{"d": "2018-07-11", "t": "11 July 2018"}]
    rows = select(store, "SELECT ?d ?t WHERE { event:2011-04-partner-status nio:date ?d ; nio:dateText ?t }")
    assert rows == [{"d": "2011-04", "t": "April 2011"}]
    assert "In 2011, NATO agreed" in lines()[4] and "April 2011: Allies agree" in lines()[44]
    deciders = select(store, "SELECT ?a WHERE { event:2011-04-partner-status nio:decidedBy ?a }")
    assert [r["a"] for r in deciders] == [ID + "org/nato-allies"]  # the Allies act for NATO: the narrower


def test_lines_27_and_67_each_keep_their_claim_and_the_build_records_the_disagreement(
    store: ox.Store,
) -> None:
    line27, line67 = lines()[26], lines()[66]
    assert "NATO Allies agreed to expand NMI" in line27
    assert "NATO Defence Ministers agree to start planning for expanding" in line67
    event = "event:2020-10-defence-ministers-agree-nmi-expansion-planning"
    for n, decider, change in ((27, "nato-allies", "expansion"), (67, "nato-defence-ministers", "planning")):
        graph = f"<https://w3id.org/nato-iraq/graph/line/{n}>"
        rows = select(
            store,
            f"SELECT ?a ?c WHERE {{ GRAPH {graph} {{ {event} nio:decidedBy ?a ; nio:changeType ?c }} }}",
        )
        assert [(r["a"], r["c"]) for r in rows] == [
            (ID + f"org/{decider}", ID + f"concept/change-type/{change}")
        ]
    sides = select(
        store,
        f"""SELECT ?d ?property ?value ?line WHERE {{
              ?d a nio:Discrepancy ; nio:concerns {event} ; nio:rule ?rule ; nio:side ?side .
              ?side nio:onProperty ?property ; nio:claimedValue ?value ; nio:claim/nio:sourceLine ?line }}""",
    )
    found = {(r["property"].rsplit("#", 1)[-1], r["value"].rsplit("/", 1)[-1], int(r["line"])) for r in sides}
    assert found == {
        ("decidedBy", "nato-allies", 27),
        ("decidedBy", "nato-defence-ministers", 67),
        ("changeType", "expansion", 27),
        ("changeType", "planning", 67),
    }
    assert len({r["d"] for r in sides}) == 1
    both = select(store, f"SELECT ?a WHERE {{ {event} nio:decidedBy ?a }}")
    assert len(both) == 2  # side by side in the integrated view


def test_no_name_spelt_two_ways_is_lost_each_spelling_has_its_lines(store: ox.Store) -> None:
    source = lines()
    for resource, spellings in {
        "engagement:nmi": ("NATO Mission in Iraq", "NATO Mission Iraq"),
        "engagement:ntm-i": ("NATO Training Mission in Iraq", "NATO Training Mission-Iraq"),
        "engagement:ipcp": (
            "Individual Partnership and Cooperation Programme",
            "Individual Partnership Cooperation Programme",
        ),
        "organisation:global-coalition-to-defeat-isis": (
            "Global Coalition to Defeat ISIS/Daesh",
            "Global Coalition to Defeat Daesh/ISIS",
        ),
    }.items():
        rows = line_graph_rows(store, f"{resource} skos:altLabel ?name")
        for spelling in spellings:
            stated = {int(r["line"]) for r in rows if r["name"] == spelling}
            assert stated, (resource, spelling)
            assert all(spelling in source[n - 1] for n in stated), (resource, spelling)


# ------------------------------------------------------------------ the rules on their own


def _claims(*statements: tuple[str, str, ox.NamedNode | ox.Literal, set[int]]) -> Claims:
    claims = Claims()
    for s, p, o, line_numbers in statements:
        claims.add((ox.NamedNode(ID + s), ox.NamedNode(NIO + p), o), line_numbers, [], 0)
    return claims


def _date(value: str, datatype: str) -> ox.Literal:
    return ox.Literal(value, datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#" + datatype))


def test_rule_dates_that_contain_one_another_agree_on_the_most_precise() -> None:
    claims = _claims(
        ("event/e", "date", _date("2018-07", "gYearMonth"), {12, 26}),
        ("event/e", "dateText", ox.Literal("July 2018"), {12, 26}),
        ("event/e", "date", _date("2018-07-11", "date"), {66}),
        ("event/e", "dateText", ox.Literal("11 July 2018"), {66}),
    )
    out = integrate(claims, {}, {})
    assert not out.disagreements
    dates = {
        (str(o.value), frozenset(ls)) for (s, p, o), ls in out.statements.items() if p.value == NIO + "date"
    }
    assert dates == {("2018-07-11", frozenset({66}))}
    units = {(o.value.rsplit("#", 1)[-1], frozenset(ls)) for (s, p, o), ls in out.line_statements.items()}
    assert units == {("unitMonth", frozenset({12, 26})), ("unitDay", frozenset({66}))}


def test_rule_dates_that_do_not_contain_one_another_disagree_and_both_stay() -> None:
    claims = _claims(
        ("event/e", "date", _date("2016-02", "gYearMonth"), {22}),
        ("event/e", "dateText", ox.Literal("February 2016"), {22}),
        ("event/e", "date", _date("2017-01", "gYearMonth"), {9}),
        ("event/e", "dateText", ox.Literal("January 2017"), {9}),
    )
    out = integrate(claims, {}, {})
    dates = sorted(str(o.value) for (s, p, o) in out.statements if p.value == NIO + "date")
    assert dates == ["2016-02", "2017-01"]
    (found,) = out.disagreements
    assert found.rule.endswith("/date-precision")
    assert sorted((sorted(side.lines), side.text) for side in found.sides) == [
        ([9], "January 2017"),
        ([22], "February 2016"),
    ]


def test_rule_deciders_agree_when_one_acts_for_the_other_and_disagree_otherwise() -> None:
    nato, allies, ministers = (
        ox.NamedNode(ID + f"org/{x}") for x in ("nato", "nato-allies", "nato-defence-ministers")
    )
    parents = {allies: {nato}, ministers: {nato}}
    agreeing = integrate(
        _claims(("event/e", "decidedBy", nato, {5}), ("event/e", "decidedBy", allies, {45})), {}, parents
    )
    assert not agreeing.disagreements
    assert [o for (s, p, o) in agreeing.statements] == [allies]
    differing = integrate(
        _claims(("event/e", "decidedBy", allies, {27}), ("event/e", "decidedBy", ministers, {67})),
        {},
        parents,
    )
    assert {o for (s, p, o) in differing.statements} == {allies, ministers}
    (found,) = differing.disagreements
    assert found.rule.endswith("/actor-precision")


def test_rule_kinds_of_change_agree_when_one_line_includes_the_other() -> None:
    expansion, size, planning = (
        ox.NamedNode(ID + f"concept/change-type/{x}") for x in ("expansion", "size-increase", "planning")
    )
    agreeing = _claims(("event/e", "changeType", expansion, {2, 14}), ("event/e", "changeType", size, {14}))
    assert not integrate(agreeing, {}, {}).disagreements
    differing = _claims(("event/e", "changeType", expansion, {27}), ("event/e", "changeType", planning, {67}))
    assert [d.rule.rsplit("/", 1)[-1] for d in integrate(differing, {}, {}).disagreements] == ["value-set"]


def test_rule_one_value_per_figure() -> None:
    claims = _claims(
        ("quantity/q", "valueText", ox.Literal("350 Iraqi officers"), {7, 22}),
        ("quantity/q", "valueText", ox.Literal("350 officers"), {52}),
    )
    (found,) = integrate(claims, {}, {}).disagreements
    assert found.rule.endswith("/same-value") and len(found.sides) == 2


def test_the_discrepancies_generated_by_rule(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?d (GROUP_CONCAT(DISTINCT STR(?rule)) AS ?rules) WHERE {
             GRAPH <https://w3id.org/nato-iraq/graph/data/generated> { ?d a nio:Discrepancy ; nio:rule ?rule }
           } GROUP BY ?d""",
    )
    generated = {r["d"].removeprefix(ID + "discrepancy/") for r in rows}
    assert generated == {
        "event-2017-01-core-team-deployed",  # line 9: established; lines 23, 58: deployed
        "event-2020-10-defence-ministers-agree-nmi-expansion-planning",  # lines 27 and 67
    }
    hand_written = select(
        store,
        """SELECT ?d WHERE { ?d a nio:Discrepancy FILTER NOT EXISTS {
             GRAPH <https://w3id.org/nato-iraq/graph/data/generated> { ?d a nio:Discrepancy } } }""",
    )
    assert {r["d"].rsplit("/", 1)[-1] for r in hand_written} == {
        "mobile-teams-start",
        "ntm-i-establishment-date",
        "ntm-i-trainee-figures",
    }
