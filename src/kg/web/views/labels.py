"""The names of the ontology's terms (classes, properties, units) that pages show: the ontology's
``rdfs:label``, or a standard name for the common vocabularies' terms."""

from __future__ import annotations

from kg.engine.base import QueryEngine
from kg.namespaces import GRAPH, PREFIXES
from kg.web.views.page_data import PageData
from kg.web.views.queries import PROLOGUE, select, string_literal

P = PREFIXES
STANDARD: dict[str, str] = {
    P["rdf"] + "type": "type",
    P["rdfs"] + "label": "label",
    P["rdfs"] + "comment": "comment",
    P["rdfs"] + "subClassOf": "subclass of",
    P["rdfs"] + "subPropertyOf": "subproperty of",
    P["rdfs"] + "isDefinedBy": "defined by",
    P["skos"] + "prefLabel": "preferred label",
    P["skos"] + "altLabel": "alternative label",
    P["skos"] + "definition": "definition",
    P["skos"] + "exactMatch": "exact match",
    P["skos"] + "closeMatch": "close match",
    P["skos"] + "relatedMatch": "related match",
    P["owl"] + "sameAs": "same as",
    P["prov"] + "wasDerivedFrom": "derived from (source passage)",
    P["sem"] + "hasActor": "actor",
    P["sem"] + "hasPlace": "place",
    P["sem"] + "roleType": "role",
    P["sem"] + "subEventOf": "part of event",
    P["sem"] + "hasEarliestBeginTimeStamp": "earliest begin",
    P["sem"] + "hasLatestEndTimeStamp": "latest end",
    P["time"] + "unitType": "date precision",
    P["oa"] + "exact": "exact quote",
    P["oa"] + "hasSelector": "selector",
    P["oa"] + "hasSource": "source",
    P["dcterms"] + "isPartOf": "part of",
    P["time"] + "unitDay": "day",
    P["time"] + "unitMonth": "month",
    P["time"] + "unitYear": "year",
}


TERM_LABELS = f"""{PROLOGUE}
SELECT ?term ?label WHERE {{
  GRAPH ?g {{ ?term rdfs:label ?label }}
  FILTER(STRSTARTS(STR(?g), {string_literal(GRAPH + "ontology/")}) && isIRI(?term))
  FILTER(LANG(?label) = "" || LANGMATCHES(LANG(?label), "en"))
}}"""
"""Labels of every term the ontology graphs label (classes, properties, units)."""


async def term_labels(engine: QueryEngine, data: PageData) -> dict[str, str]:
    """The label of every term the ontology of ``engine``'s data labels, and of the standard
    terms it does not (``STANDARD``), read once per build."""

    async def read() -> dict[str, str]:
        rows = await select(engine, TERM_LABELS)
        return {**STANDARD, **{r["term"]: r["label"] for r in sorted(rows, key=lambda r: r["label"])}}

    return await data.get("term labels", engine, read)
