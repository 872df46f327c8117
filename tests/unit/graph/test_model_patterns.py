"""The model patterns of ontology/README.md hold on the built graph (one test per rule)."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from helpers import REPO
from helpers.graph_store import P, select
from helpers.source_text import lines

ID = "https://w3id.org/nato-iraq/id/"


# ------------------------------------------------------------------ generated provenance


def test_generated_whole_line_passages_are_byte_identical_quotes_of_their_lines(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?p ?line ?exact WHERE {
             ?p a nio:Passage ; nio:sourceLine ?line ; oa:hasSelector/oa:exact ?exact .
             FILTER (REGEX(STR(?p), "/passage/L[0-9]+$"))
           }""",
    )
    source = lines()
    assert len(rows) >= 60
    for row in rows:
        assert row["exact"] == source[int(row["line"]) - 1], row["p"]


def test_no_whole_line_passage_or_its_selector_is_written_by_hand() -> None:
    data = REPO / "data"
    for path in data.glob("*.ttl"):
        text = path.read_text(encoding="utf-8")
        assert "a nio:Passage" not in text, path.name
        assert "a oa:TextQuoteSelector" not in text, path.name


def test_date_bounds_are_generated_not_written(store: ox.Store) -> None:
    data = REPO / "data"
    written = sum(
        p.read_text(encoding="utf-8").count("sem:hasEarliestBeginTimeStamp") for p in data.glob("*.ttl")
    )
    generated = select(
        store, "SELECT (COUNT(*) AS ?n) WHERE { ?e nio:date ?d ; sem:hasEarliestBeginTimeStamp ?b }"
    )
    assert int(generated[0]["n"]) >= 50
    assert written <= 3  # only periods without a nio:date carry hand-written bounds


def test_every_line_graph_is_described_in_the_default_graph(store: ox.Store) -> None:
    graphs = {
        g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode) and "/graph/line/" in g.value
    }
    described = {
        r["g"] for r in select(store, "SELECT ?g WHERE { ?g nio:sourceLine ?l ; prov:wasDerivedFrom ?p }")
    }
    assert graphs and graphs <= described


def test_per_line_graphs_hold_only_statements_of_the_default_graph(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT (COUNT(*) AS ?n) WHERE {
             GRAPH ?g { ?s ?p ?o } FILTER (STRSTARTS(STR(?g), "https://w3id.org/nato-iraq/graph/line/"))
             FILTER NOT EXISTS { ?s ?p ?o }
           }""",
    )
    assert rows[0]["n"] == "0"


# ------------------------------------------------------------------ default graph


def test_default_graph_holds_no_shapes_and_no_dataset_description(store: ox.Store) -> None:
    rows = select(store, "SELECT DISTINCT ?p WHERE { ?s ?p ?o }")
    predicates = {r["p"] for r in rows}
    assert not any(p.startswith("http://www.w3.org/ns/shacl#") for p in predicates)
    assert not any(p.startswith("http://rdfs.org/ns/void#") for p in predicates)
    named = {g.value for g in store.named_graphs() if isinstance(g, ox.NamedNode)}
    assert "https://w3id.org/nato-iraq/graph/void" in named
    assert any(g.startswith("https://w3id.org/nato-iraq/graph/shapes/") for g in named)


def test_counts_agree_build_void_and_store(built_repo: Path, store: ox.Store) -> None:
    import json

    from rdflib import Graph, URIRef
    from rdflib.namespace import VOID

    info = json.loads((built_repo / "build.json").read_text())
    void = Graph().parse(built_repo / "void.ttl")
    stated = int(void.value(URIRef("https://w3id.org/nato-iraq/dataset"), VOID.triples))
    counted = int(select(store, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")[0]["n"])
    assert info["triples"] == stated == counted


# ------------------------------------------------------------------ requests, actors, names, dates


def test_every_line_that_states_a_request_has_it_in_the_request_pattern(store: ox.Store) -> None:
    source = lines()
    # line 20 speaks of requests in general ("offers partners – at their request – assistance")
    stating = [n for n, text in enumerate(source, 1) if "request" in text.lower() and n != 20]
    assert len(stating) >= 12
    for n in stating:
        rows = select(
            store,
            f"""SELECT ?r WHERE {{ GRAPH <https://w3id.org/nato-iraq/graph/line/{n}> {{
                   {{ ?x nio:inResponseTo ?r }} UNION {{ ?r nio:requestedBy ?who }} }} }}""",
        )
        assert rows, f"line {n} states a request the graph does not record: {source[n - 1][:80]}"
    requests = select(store, "SELECT ?r WHERE { ?r a nio:Request ; nio:requestedBy ?who }")
    assert len({r["r"] for r in requests}) >= 12


def test_no_other_request_pattern_is_left(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?s WHERE {
             { ?s sem:roleType <https://w3id.org/nato-iraq/id/concept/role-type/requester> }
             UNION { ?s nio:requestedBy ?a FILTER NOT EXISTS { ?s a nio:Request } }
             UNION { ?s nio:onBehalfOf ?a FILTER NOT EXISTS { ?s a nio:Request } }
           }""",
    )
    assert not rows, rows


def test_every_body_post_and_person_acts_for_a_state_or_organisation(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?a WHERE {
             VALUES ?class { nio:Person nio:Post nio:GovernmentBody nio:OrganisationalBody nio:ArmedForces }
             ?a a ?class FILTER NOT EXISTS { ?a nio:actsFor ?state }
           }""",
    )
    assert not rows, rows


def test_unnamed_office_holders_are_posts_not_people(store: ox.Store) -> None:
    rows = select(store, "SELECT ?p ?l WHERE { ?p a nio:Person ; rdfs:label ?l }")
    assert len(rows) == 8
    assert not any("not named" in r["l"] or "unnamed" in r["p"] for r in rows)
    saceur = select(store, "SELECT ?e WHERE { ?e sem:hasActor post:saceur }")
    assert len(saceur) == 2  # authorised on 9 December 2004, gave the activation order on 16 December 2004


@pytest.mark.parametrize("name", ["Iyad", "Bulani", "Maliki", "Abadi", "Masum"])
def test_a_filter_on_the_usual_name_finds_the_person(store: ox.Store, name: str) -> None:
    rows = select(
        store, f'SELECT ?p WHERE {{ ?p a nio:Person ; rdfs:label ?l FILTER (CONTAINS(?l, "{name}")) }}'
    )
    assert len(rows) == 1


def test_source_spellings_are_alternative_labels_from_their_line(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?l ?line WHERE {
             GRAPH ?g { person:iyad-allawi skos:altLabel ?l } ?g nio:sourceLine ?line }""",
    )
    assert {(r["l"], r["line"]) for r in rows} == {("Ilyad Allawi", "32")}
    assert "Ilyad Allawi" in lines()[31]


def test_only_nio_date_mixes_datatypes_and_it_has_a_sort_key(store: ox.Store) -> None:
    rows = select(
        store,
        """SELECT ?p (COUNT(DISTINCT DATATYPE(?o)) AS ?n) WHERE {
             ?s ?p ?o FILTER (isLiteral(?o) && LANG(?o) = "")
           } GROUP BY ?p HAVING (COUNT(DISTINCT DATATYPE(?o)) > 1)""",
    )
    assert {r["p"] for r in rows} <= {"https://w3id.org/nato-iraq/ontology#date"}
    unsorted = select(
        store,
        """SELECT ?s WHERE { ?s nio:date ?d
             FILTER NOT EXISTS { ?s nio:sortDate ?k FILTER (DATATYPE(?k) = xsd:date) } }""",
    )
    assert not unsorted


# ------------------------------------------------------------------ over-interpretations (issue point 6)


def ask(store: ox.Store, query: str) -> bool:
    result = store.query(P + query)
    assert isinstance(result, ox.QueryBoolean)
    return bool(result)


def test_training_in_jordan_is_not_said_to_have_ended(store: ox.Store) -> None:
    assert "alongside the ongoing training in Jordan" in lines()[22]
    assert not ask(store, "ASK { engagement:dcb-training-jordan nio:status status:ended }")


def test_wales_expressed_readiness_and_decided_nothing(store: ox.Store) -> None:
    assert "expressed readiness to consider" in lines()[19]
    assert not ask(store, "ASK { event:2014-wales-summit-dcb-readiness a nio:Decision }")
    assert not ask(store, "ASK { event:2014-wales-summit-dcb-readiness nio:decidedBy ?x }")


def test_the_2014_summit_is_in_wales_not_newport(store: ox.Store) -> None:
    assert "Newport" not in "\n".join(lines())
    assert not ask(
        store, 'ASK { ?s ?p ?o FILTER (CONTAINS(STR(?s), "newport") || CONTAINS(STR(?o), "Newport")) }'
    )
    assert ask(store, 'ASK { event:2014-wales-summit sem:hasPlace ?p . ?p rdfs:label "Wales"@en }')


def test_nato_headquarters_is_not_placed(store: ox.Store) -> None:
    assert not ask(store, "ASK { organisation:nato-headquarters schema:containedInPlace ?p }")


def test_the_300_trainers_were_cleared_to_deploy_not_deployed(store: ox.Store) -> None:
    assert "paving the way to deploy an additional 300 trainers" in lines()[37]
    assert not ask(
        store, "ASK { quantity:additional-trainers-2004 nio:quantityKind quantitykind:trainers-deployed }"
    )


def test_the_50_officers_followed_the_first_elements(store: ox.Store) -> None:
    assert "on 7 August followed by a team of 50 officers" in lines()[33]
    assert not ask(store, "ASK { event:2004-08-07-ntim-first-elements-deployed nio:hasQuantity ?q }")
    assert ask(store, "ASK { engagement:ntim nio:hasQuantity quantity:ntim-team-officers }")


def test_february_2018_is_not_tied_to_the_mattis_letter(store: ox.Store) -> None:
    assert not ask(
        store,
        """ASK { event:2018-02-defence-ministers-agree-nmi-planning nio:inResponseTo ?r
                 FILTER (?r = event:2018-01-22-mattis-letter-of-request) }""",
    )


def test_key_counterparts_are_for_nato_in_baghdad_not_nmi(store: ox.Store) -> None:
    assert "Key counterparts for NATO in Baghdad" in lines()[22]
    assert not ask(store, "ASK { engagement:nmi nio:keyCounterpart ?x }")


def test_events_that_do_not_name_the_mission_do_not_affect_it(store: ox.Store) -> None:
    for slug, n in (("2004-09-22-nac-expands-assistance", 35), ("2004-11-concept-of-operations", 36)):
        assert "Training Implementation Mission" not in lines()[n - 1]
        assert not ask(store, f"ASK {{ event:{slug} nio:affects engagement:ntim }}")


def test_the_renamed_mission_is_not_said_to_have_ended(store: ox.Store) -> None:
    assert "changes the mission name" in lines()[37]
    assert not ask(store, "ASK { engagement:ntim nio:status status:ended }")


def test_summits_are_not_given_a_one_day_duration(store: ox.Store) -> None:
    for slug in ("2004-06-28-istanbul-summit", "2018-07-11-brussels-summit"):
        assert not ask(store, f"ASK {{ event:{slug} time:unitType time:unitDay }}")


# ------------------------------------------------------------------ facts once only in comments (point 5)


@pytest.mark.parametrize(
    ("subject", "prop", "line", "words"),
    [
        ("engagement:transition-cell", "nio:aim", 48, "smooth transition"),
        ("event:2011-12-31-ntm-i-discontinued", "nio:reason", 46, "legal status"),
        ("event:2020-spring-nmi-suspension", "nio:reason", 13, "COVID-19"),
        ("event:2016-10-18-al-jaafari-visit-nato-hq", "nio:topic", 56, "liberate Mosul"),
        ("event:2018-01-22-mattis-letter-of-request", "nio:aim", 60, "mission"),
        ("engagement:iraq-partnership", "nio:partnerCategory", 3, "partners across the globe"),
    ],
)
def test_fact_is_a_statement_from_its_line(
    store: ox.Store, subject: str, prop: str, line: int, words: str
) -> None:
    rows = select(
        store,
        f"""SELECT ?label WHERE {{
              GRAPH <https://w3id.org/nato-iraq/graph/line/{line}> {{ {subject} {prop} ?c }}
              ?c skos:prefLabel ?label }}""",
    )
    assert any(words.lower() in r["label"].lower() for r in rows), rows
    assert words.split()[-1].lower() in lines()[line - 1].lower()


def test_linked_facts_once_only_in_comments(store: ox.Store) -> None:
    assert "Following up on this" in lines()[26]
    assert ask(
        store,
        """ASK { GRAPH <https://w3id.org/nato-iraq/graph/line/27> {
             event:2021-02-defence-ministers-increase-nmi nio:followsUp
                 event:2020-10-defence-ministers-agree-nmi-expansion-planning } }""",
    )
    assert "by the NATO Summit in Brussels in July 2018" in lines()[59]
    assert ask(
        store, "ASK { event:2018-01-22-mattis-letter-of-request nio:dueBy event:2018-07-11-brussels-summit }"
    )
    assert "in which all individual Allies were already taking part" in lines()[9]
    assert ask(
        store,
        """ASK { GRAPH <https://w3id.org/nato-iraq/graph/line/10> {
             organisation:nato-allies org:memberOf organisation:global-coalition-to-defeat-isis .
             organisation:nato org:memberOf organisation:global-coalition-to-defeat-isis } }""",
    )
    assert "scaled up its training and advising efforts in Iraq at the government’s request" in lines()[1]
    assert ask(
        store,
        """ASK { GRAPH <https://w3id.org/nato-iraq/graph/line/2> {
             event:2017-late-nato-scales-up nio:inResponseTo ?r }
             ?r nio:requestedBy organisation:government-of-iraq }""",
    )


# ------------------------------------------------------------------ docs (point 12)

DOCS = [REPO / p for p in ("README.md", "ontology/README.md", "docs/modelling-spec.md", "docs/event-data.md")]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_docs_write_iris_the_way_sparql_accepts_them(doc: Path) -> None:
    import re

    text = doc.read_text(encoding="utf-8")
    assert not re.findall(r"niq:[a-z-]+/", text), "niq:kind/… is not a valid prefixed name; use event: …"


def test_the_predeclared_prefixes_are_documented() -> None:
    from kg.namespaces import PREFIXES

    spec = (REPO / "docs" / "modelling-spec.md").read_text(encoding="utf-8")
    missing = [p for p, iri in PREFIXES.items() if f"| `{p}:` | `{iri}` |" not in spec]
    assert not missing
