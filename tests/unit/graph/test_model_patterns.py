"""The model patterns of ontology/README.md hold on the built graph (one test per rule)."""

from __future__ import annotations

import re
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
             { ?s sem:roleType roletype:requester
               FILTER NOT EXISTS { ?r a nio:Request ; nio:hasParticipation ?s } }
             UNION { ?s nio:requestedBy ?a FILTER NOT EXISTS { ?s a nio:Request } }
             UNION { ?s nio:onBehalfOf ?a FILTER NOT EXISTS { ?s a nio:Request } }
           }""",
    )
    assert not rows, rows


def test_requesters_are_found_like_every_other_actor(store: ox.Store) -> None:
    """Who asked is a participant of the request in the role requester, hence also its actor;
    nio:requestedBy is derived from that participation."""
    requested = {(r["r"], r["a"]) for r in select(store, "SELECT ?r ?a WHERE { ?r nio:requestedBy ?a }")}
    through_participation = {
        (r["r"], r["a"])
        for r in select(
            store,
            """SELECT ?r ?a WHERE { ?r a nio:Request ; sem:hasActor ?a ;
                 nio:hasParticipation [ nio:participant ?a ; sem:roleType roletype:requester ] }""",
        )
    }
    assert len(requested) >= 14 and requested == through_participation
    rows = select(
        store, "SELECT ?c WHERE { request:2015-dcb-package nio:hasParticipation/nio:inCapacityOf ?c }"
    )
    assert [r["c"] for r in rows] == [ID + "post/iraq-prime-minister"]  # Al-Abadi, line 21


def test_requests_are_dated_only_where_a_line_dates_them(store: ox.Store) -> None:
    dated = {r["r"] for r in select(store, "SELECT ?r WHERE { ?r a nio:Request ; nio:date ?d }")}
    assert dated == {
        ID + "event/2004-06-22-allawi-letter-of-request",
        ID + "event/2018-01-22-mattis-letter-of-request",
    }
    labels = select(
        store, "SELECT ?r ?l WHERE { ?r a nio:Request ; rdfs:label ?l FILTER NOT EXISTS { ?r nio:date ?d } }"
    )
    assert len(labels) >= 11
    assert not [r for r in labels if re.search(r"\b(19|20)\d\d\b", r["l"])], "a request label with a date"


def test_letters_are_linked_to_what_answered_them(store: ox.Store) -> None:
    source = lines()
    assert "requesting NATO support to his government through training" in source[31]
    assert "agree to assist Iraq with training of its security forces" in source[32]
    assert ask(
        store,
        """ASK { GRAPH <https://w3id.org/nato-iraq/graph/line/33> {
             event:2004-06-28-istanbul-summit-decision-to-assist-training
                 nio:inResponseTo event:2004-06-22-allawi-letter-of-request } }""",
    )
    assert "on behalf of the Global Coalition to Defeat ISIS/Daesh, for NATO to scale up" in source[59]
    assert (
        "At the request of the Iraqi government and the Global Coalition to Defeat ISIS/Daesh" in source[61]
    )
    assert ask(
        store,
        """ASK { GRAPH <https://w3id.org/nato-iraq/graph/line/62> {
             event:2018-02-defence-ministers-agree-nmi-planning
                 nio:inResponseTo event:2018-01-22-mattis-letter-of-request } }""",
    )
    assert "at the request of the interim Iraqi government" in source[17]
    assert ask(
        store,
        """ASK { GRAPH <https://w3id.org/nato-iraq/graph/line/39> {
             request:2004-interim-government-ntm-i
                 nio:relatedRequest event:2004-06-22-allawi-letter-of-request } }""",
    )


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


# ------------------------------------------------------------------ what a line does not say is not stated


def test_the_undated_scale_up_and_commendation_come_after_late_2017_without_a_date(store: ox.Store) -> None:
    assert (
        "Following the defeat of ISIS in Iraq and the restoration of sovereign control of all its territory "
        "in late 2017, NATO scaled up" in lines()[1]
    )
    assert (
        "NATO commended Iraqi security forces for defeating ISIS in Iraq and restoring sovereign control "
        "over all of its territory in late 2017" in lines()[10]
    )
    for slug in ("2017-late-nato-scales-up", "2017-late-nato-commends-iraqi-forces"):
        assert not ask(store, f"ASK {{ event:{slug} nio:date|nio:dateText ?d }}")
        assert not ask(store, f"ASK {{ event:{slug} sem:hasLatestEndTimeStamp ?d }}")
        assert ask(
            store, f"ASK {{ event:{slug} nio:after event:2017-late-isis-defeated-in-iraq ; nio:sortDate ?k }}"
        )


def test_the_wales_declaration_has_no_decision_maker(store: ox.Store) -> None:
    assert (
        "expressed readiness to consider" in lines()[5] and "expressed readiness to consider" in lines()[19]
    )
    assert not ask(
        store,
        "ASK { event:2014-wales-summit-dcb-readiness nio:hasParticipation/sem:roleType "
        "roletype:decision-maker }",
    )
    assert ask(
        store,
        "ASK { event:2014-wales-summit-dcb-readiness nio:hasParticipation/sem:roleType roletype:declarant }",
    )


def test_italy_announced_an_intention_and_provides_nothing(store: ox.Store) -> None:
    assert "Italy announces its intention to provide specialised training" in lines()[43]
    assert not ask(store, "ASK { ?p nio:participant country:italy ; sem:roleType roletype:provider }")
    assert not ask(store, "ASK { ?e nio:contributor country:italy }")
    assert ask(store, "ASK { ?p nio:participant country:italy ; sem:roleType roletype:announcer }")


def test_paving_the_way_to_deploy_is_no_size_increase(store: ox.Store) -> None:
    assert (
        "SACEUR gives the activation order paving the way to deploy an additional 300 trainers" in lines()[37]
    )
    assert not ask(
        store, "ASK { event:2004-12-16-saceur-activation-order nio:changeType changetype:size-increase }"
    )
    assert not ask(store, "ASK { engagement:ntm-i nio:hasQuantity quantity:additional-trainers-2004 }")


def test_project_prose_places_no_headquarters_and_ties_no_mission(store: ox.Store) -> None:
    brussels = select(store, "SELECT ?c WHERE { place:brussels rdfs:comment ?c }")
    assert not any("headquarters" in r["c"].lower() for r in brussels)
    assert "Training Implementation Mission" not in lines()[34]
    comment = select(store, "SELECT ?c WHERE { event:2004-09-22-nac-expands-assistance rdfs:comment ?c }")
    assert not any("delivered through the NATO Training Implementation Mission" in r["c"] for r in comment)


# ------------------------------------------------------------------ clauses once only in prose, now statement


def in_line(store: ox.Store, line: int, pattern: str) -> bool:
    return ask(store, f"ASK {{ GRAPH <https://w3id.org/nato-iraq/graph/line/{line}> {{ {pattern} }} }}")


@pytest.mark.parametrize(
    ("line", "words", "pattern"),
    [
        (
            4,
            "Relations with Iraq build on cooperation that developed through the NATO Training Mission",
            "engagement:iraq-partnership nio:buildsOn engagement:ntm-i",
        ),
        (
            6,
            "in the framework of NATO's Defence and Related Security Capacity Building (DCB) Initiative",
            "event:2014-wales-summit-dcb-readiness nio:about engagement:dcb-initiative",
        ),
        (
            20,
            "reaffirmed their commitment to the NATO-Iraq partnership",
            "event:2014-wales-summit-dcb-readiness nio:about engagement:iraq-partnership",
        ),
        (
            19,
            "undertook further efforts to develop the capacity of Iraq's security and defence institutions",
            "engagement:ipcp nio:aim aim:capacity-of-defence-and-security-institutions",
        ),
        (
            20,
            "launched to strengthen the Alliance's contribution to international security, stability and "
            "conflict prevention",
            "engagement:dcb-initiative nio:aim aim:strengthen-contribution-to-international-security",
        ),
        (20, "It is demand-driven", "engagement:dcb-initiative nio:principle principle:demand-driven"),
        (
            34,
            "to identify best methods for conducting training inside and outside Iraq",
            "engagement:ntim nio:aim aim:identify-best-training-methods",
        ),
        (
            42,
            "to bridge the gap between routine police work and military operations",
            "engagement:gendarmerie-training nio:aim aim:bridge-gap-between-police-and-military",
        ),
        (
            62,
            "to make current training efforts more sustainable",
            "event:2018-02-defence-ministers-agree-nmi-planning nio:aim aim:sustainable-training-efforts",
        ),
        (
            53,
            "to project stability beyond the Alliance’s borders by training local forces",
            "event:2016-05-19-foreign-ministers-project-stability nio:aim "
            "aim:project-stability-beyond-borders",
        ),
        (
            53,
            "to secure their own territory and push back against extremist groups",
            "event:2016-05-19-foreign-ministers-project-stability nio:aim "
            "aim:local-forces-secure-their-territory",
        ),
        (
            24,
            "on areas agreed upon with the Iraqi authorities",
            "engagement:in-country-training nio:principle principle:areas-agreed-with-iraqi-authorities",
        ),
        (
            24,
            "tailored to the needs of the Iraqi security forces and institutions",
            "engagement:in-country-training nio:principle principle:tailored-to-needs",
        ),
        (
            24,
            "NATO Allies keep progress under regular review, in close consultation with the Iraqi "
            "authorities",
            "engagement:in-country-training nio:principle principle:regular-review-in-consultation",
        ),
        (
            25,
            "to ensure complementarity with the activities of other members of the international community",
            "engagement:in-country-training nio:aim aim:complementarity-with-international-community",
        ),
        (
            14,
            "to include more Iraqi security institutions, and areas beyond Baghdad",
            "event:2021-02-defence-ministers-increase-nmi nio:scopeBeyond place:baghdad ; "
            "nio:hasParticipation/nio:participant organisation:iraqi-security-institutions",
        ),
        (
            27,
            "to include more Iraqi security institutions, and areas beyond Baghdad",
            "event:2021-02-defence-ministers-increase-nmi nio:scopeBeyond place:baghdad",
        ),
        (
            9,
            "Mobile security sector reform teams began to travel to Iraq to conduct training",
            "engagement:mobile-ssr-teams nio:cooperationArea area:training",
        ),
        (
            9,
            "a small Core Team of NATO civilian and military personnel",
            "engagement:core-team nio:personnelKind personnelkind:civilian, personnelkind:military ; "
            "nio:conductedBy organisation:nato",
        ),
        (
            9,
            "to coordinate training and capacity-building activities in support of Iraqi security forces",
            "engagement:core-team nio:aim aim:coordinate-training-and-capacity-building ; nio:beneficiary "
            "organisation:iraqi-security-forces",
        ),
        (
            58,
            "to coordinate in-country training and capacity-building activities",
            "engagement:core-team nio:coordinates engagement:in-country-training",
        ),
        (
            13,
            "in coordination with the Iraqi government and the Global Coalition to Defeat Daesh/ISIS",
            "engagement:nmi nio:coordinatesWith organisation:government-of-iraq, "
            "organisation:global-coalition-to-defeat-isis",
        ),
        (
            13,
            "the mission has now rebuilt its capacity in Baghdad",
            "event:2020-nmi-rebuilds-capacity nio:affects engagement:nmi ; sem:hasPlace place:baghdad ; "
            "nio:after event:2020-spring-nmi-suspension",
        ),
    ],
)
def test_a_clause_once_only_in_prose_is_a_statement_of_its_line(
    store: ox.Store, line: int, words: str, pattern: str
) -> None:
    assert words in lines()[line - 1]
    assert in_line(store, line, pattern), (line, pattern)


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
