"""Resolvable IRIs: every IRI under BASE answers at the same path here, in the format asked for.

Content negotiation is decided in ``serve_document``: a file extension wins, then ``?format=``,
then the Accept header (with q-values). The answer is 200 with the description itself (see
docs/linked-data.md for why not 303), ``Vary: Accept``, ``Content-Location`` of the chosen
format's own URL and ``Link: rel=alternate`` for the others.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from rdflib import Graph, URIRef

from kg.engine.base import QueryEngine, QueryError
from kg.namespaces import GRAPH, ONTOLOGY, SHAPES
from kg.web.http.errors import engine_error_response
from kg.web.iris import Target, local_href, target_for
from kg.web.render.entity import Renderer
from kg.web.render.ontology_docs import OntologyDocs
from kg.web.render.pages import get_engine, get_renderer, page, prefix_of
from kg.web.render.rdf import CONTEXT, FORMATS, RDF_FORMATS, negotiate, serialize
from kg.web.routes.search import find
from kg.web.views.engagement import summary
from kg.web.views.participation import participants, took_part_in
from kg.web.views.provenance import statement_lines
from kg.web.views.queries import (
    Description,
    describe,
    describe_query,
    graph_contents_query,
    graphs_under_query,
    iri_literal,
    ontology_query,
)

VOID_GRAPH = GRAPH + "void"
HAS_PARTICIPATION = URIRef(ONTOLOGY + "hasParticipation")
PARTICIPANT = URIRef(ONTOLOGY + "participant")
AFFECTS = URIRef(ONTOLOGY + "affects")
METHODS = ["GET", "HEAD"]


async def fetch(engine: QueryEngine, target: Target) -> Description:
    """The RDF served for ``target``: a whole document for document IRIs (the ontology, the shapes,
    a module of either, a named graph, the dataset's VoID), else the resource's description."""
    path = target.path
    if path == "ontology":
        return await describe(engine, ontology_query())
    if path == "shapes":
        return await describe(engine, graphs_under_query(GRAPH + "shapes/", SHAPES))
    if path.startswith("graph/"):
        return await describe(engine, graph_contents_query(target.iri))
    document = None
    if path == "dataset":
        document = graph_contents_query(VOID_GRAPH)
    elif path.startswith("dataset/"):  # a part of the VoID description: only in its named graph
        iri, void = iri_literal(target.iri), iri_literal(VOID_GRAPH)
        document = (
            f"CONSTRUCT {{ {iri} ?p ?o . ?x ?q {iri} }} "
            f"WHERE {{ GRAPH {void} {{ {{ {iri} ?p ?o }} UNION {{ ?x ?q {iri} }} }} }}"
        )
    elif path.startswith(("ontology/", "shapes/")):
        document = graph_contents_query(GRAPH + path, target.iri)
    if document is not None:
        found = await describe(engine, document)
        if len(found):
            return found
    return await describe(engine, describe_query(target.iri))


def alternates(target: Target, prefix: str) -> str:
    doc = local_href(target.iri, prefix)
    return ", ".join(f'<{doc}.{f.key}>; rel="alternate"; type="{f.media_type}"' for f in FORMATS.values())


async def serve_document(request: Request, path: str, default: str = "html") -> Response:
    """Answer for the request path ``path`` (after the public address, without leading ``/``)."""
    engine = await get_engine(request)
    prefix = prefix_of(request)
    target = target_for(path)
    key = negotiate(
        target.extension, request.query_params.get("format"), request.headers.get("accept"), default
    )
    headers = {"Vary": "Accept", "Link": alternates(target, prefix)}
    if key is None:
        offered = ", ".join(f.media_type for f in FORMATS.values())
        return PlainTextResponse(f"Not acceptable. Available: {offered}\n", 406, headers)
    try:
        found = await fetch(engine, target)
    except ValueError:  # characters no IRI of the dataset has (space, quotes, brackets)
        return await not_found(request, target.iri, key, headers)
    except QueryError as err:
        return engine_error_response(request, err)
    if not len(found):
        return await not_found(request, target.iri, key, headers)
    if target.extension is None:
        headers["Content-Location"] = f"{local_href(target.iri, prefix)}.{key}"
    fmt = FORMATS[key]
    if key != "html":
        return Response(serialize(found, key), media_type=fmt.content_type, headers=headers)
    graph = found.graph
    renderer = await get_renderer(request)
    if target.path == "ontology" or (target.path.startswith("ontology/") and target.path.count("/") == 1):
        return ontology_page(request, target, graph, renderer, headers)
    node = URIRef(target.iri)
    view = renderer.resource(target.iri, graph, await statement_lines(engine, target.iri, prefix))
    engaged = target.path.startswith("id/engagement/") or (None, AFFECTS, node) in graph
    contents = []
    if target.path.startswith("graph/") or target.path == "shapes":
        subjects = sorted({s for s in graph.subjects() if isinstance(s, URIRef) and s != URIRef(target.iri)})
        contents = [renderer.value(graph, s) for s in subjects]
    parts = await participants(engine, target.iri, prefix) if (node, HAS_PARTICIPATION, None) in graph else []
    did = await took_part_in(engine, target.iri, prefix) if (None, PARTICIPANT, node) in graph else []
    about = await summary(engine, target.iri, prefix) if engaged else None
    timeline = f"{prefix}/timeline?actor={quote(target.iri, safe='')}" if did else None
    return page(
        request, "resource.html", headers=headers, view=view, contents=contents, parts=parts, did=did,
        summary=about, timeline=timeline,
    )  # fmt: skip


def ontology_page(
    request: Request, target: Target, graph: Graph, renderer: Renderer, headers: dict[str, str]
) -> Response:
    module = None if target.path == "ontology" else target.iri
    view = OntologyDocs(graph, renderer).view(module)
    title = view.modules[0].title if module and view.modules else "NATO–Iraq ontology"
    doc = local_href(target.iri, prefix_of(request))
    formats = [(f.label, f"{doc}.{f.key}") for f in RDF_FORMATS]
    return page(request, "ontology.html", headers=headers, view=view, title=title, formats=formats)


async def not_found(request: Request, iri: str, key: str, headers: dict[str, str]) -> Response:
    if key != "html":
        return PlainTextResponse(f"Nothing is known about <{iri}>.\n", 404, headers)
    words = iri.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")
    hits = []
    for word in sorted(words.split(), key=len, reverse=True)[:2]:
        if len(word) > 3:
            hits += await find(await get_engine(request), word, prefix_of(request), limit=5)
    suggestions = list({h.iri: h for h in hits}.values())[:8]
    return page(request, "not_found.html", 404, headers, iri=iri, suggestions=suggestions, q=words)


def _tree(root: str) -> Callable[[Request, str], Awaitable[Response]]:
    async def handler(request: Request, rest: str) -> Response:
        return await serve_document(request, f"{root}/{rest}")

    return handler


def _document(doc: str) -> Callable[[Request], Awaitable[Response]]:
    async def handler(request: Request) -> Response:
        return await serve_document(request, doc)

    return handler


def _document_ext(doc: str) -> Callable[[Request, str], Awaitable[Response]]:
    async def handler(request: Request, ext: str) -> Response:
        return await serve_document(request, f"{doc}.{ext}")

    return handler


def resources_router() -> APIRouter:
    router = APIRouter(tags=["linked data"])
    for root in ("id", "graph", "ontology", "dataset", "shapes"):
        router.add_api_route(f"/{root}/{{rest:path}}", _tree(root), methods=METHODS, response_model=None)
    for doc in ("ontology", "dataset", "shapes"):
        router.add_api_route(f"/{doc}", _document(doc), methods=METHODS, response_model=None)
        router.add_api_route(f"/{doc}.{{ext}}", _document_ext(doc), methods=METHODS, response_model=None)

    @router.api_route("/.well-known/void", methods=METHODS, response_model=None)
    async def well_known_void(request: Request) -> Response:
        """The VoID description of the dataset (Turtle unless the client prefers another format)."""
        return await serve_document(request, "dataset", default="ttl")

    @router.get("/context.jsonld", response_model=None)
    async def context() -> Response:
        """The JSON-LD context the JSON-LD descriptions are compacted with."""
        return JSONResponse(CONTEXT, media_type="application/ld+json")

    return router
