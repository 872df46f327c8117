"""Resolvable IRIs: every IRI under BASE answers at the same path here, in the format asked for.

A file extension wins, then ``?format=``, then the Accept header (``kg.web.render.rdf.negotiate``).
The answer is 200 with the description itself (see docs/linked-data.md for why not 303),
``Vary: Accept``, ``Content-Location`` of the chosen format's own URL and ``Link: rel=alternate``
for the others. The RDF comes from one CONSTRUCT (``kg.web.views.documents``); an HTML page adds
one SELECT (``kg.web.views.entity``; a source line's graph: ``kg.web.views.line``); parsing,
laying out and writing run off the event loop.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response

from kg.engine.base import QueryEngine
from kg.web.deps import EngineDep, OffloadDep, PageDataDep, SiteDep
from kg.web.iris import RESOURCE_FORMATS, target_for
from kg.web.render.pages import Site, render
from kg.web.render.rdf import CONTEXT, negotiate, serialize
from kg.web.views import line
from kg.web.views.documents import fetch
from kg.web.views.entity import page
from kg.web.views.labels import term_labels
from kg.web.views.offload import Offload
from kg.web.views.ontology import ontology_page
from kg.web.views.page_data import PageData
from kg.web.views.search import search_index

METHODS = ["GET", "HEAD"]


async def document(
    request: Request,
    path: str,
    default: str,
    engine: QueryEngine,
    data: PageData,
    offload: Offload,
    site: Site,
) -> Response:
    """The answer for the request path ``path`` (after the public address, without its ``/``)."""
    target = target_for(path, site.prefix)
    key = negotiate(
        target.extension, request.query_params.get("format"), request.headers.get("accept"), default
    )
    headers = {"Vary": "Accept", "Link": target.alternates}
    if key is None:
        offered = ", ".join(f.media_type for f in RESOURCE_FORMATS.values())
        return PlainTextResponse(f"Not acceptable. Available: {offered}\n", 406, headers)
    if target.extension is None:
        headers["Content-Location"] = f"{target.href}.{key}"
    if key != "html":
        found = await fetch(engine, target)
        if not found:
            headers.pop("Content-Location", None)
            return PlainTextResponse(f"Nothing is known about <{target.iri}>.\n", 404, headers)
        body = await offload.run(serialize, found, key)
        return Response(body, media_type=RESOURCE_FORMATS[key].content_type, headers=headers)
    labels = await term_labels(engine, data)  # the ontology's names, for HTML only (once per build)
    if target.kind == "ontology":
        found = await fetch(engine, target)
        if found:
            about = await offload.run(ontology_page, target, found, labels, site.prefix)
            return HTMLResponse(
                await offload.run(render, site, "ontology.html", **vars(about)), headers=headers
            )
    elif target.kind == "line":
        said = await line.page(engine, target, labels, site.prefix, offload)
        if said is not None:
            return HTMLResponse(await offload.run(render, site, "line.html", **vars(said)), headers=headers)
    else:
        model = await page(engine, target, labels, site.prefix, offload)
        if model is not None:
            html = await offload.run(render, site, "resource.html", **vars(model))
            return HTMLResponse(html, headers=headers)
    headers.pop("Content-Location", None)
    words = target.iri.rstrip("/").rsplit("/", 1)[-1].replace("-", " ")
    index = await search_index(engine, data, offload)
    hits = await offload.run(index.suggestions, words, site.prefix)
    html = await offload.run(render, site, "not_found.html", iri=target.iri, suggestions=hits, q=words)
    return HTMLResponse(html, 404, headers)


Handler = Callable[..., Awaitable[Response]]


def _tree(root: str) -> Handler:
    """The handler of ``/<root>/<rest>``."""

    async def handler(
        request: Request,
        rest: str,
        engine: EngineDep,
        data: PageDataDep,
        offload: OffloadDep,
        site: SiteDep,
    ) -> Response:
        return await document(request, f"{root}/{rest}", "html", engine, data, offload, site)

    return handler


def _document(doc: str, default: str = "html") -> Handler:
    """The handler of ``/<doc>``."""

    async def handler(
        request: Request,
        engine: EngineDep,
        data: PageDataDep,
        offload: OffloadDep,
        site: SiteDep,
    ) -> Response:
        return await document(request, doc, default, engine, data, offload, site)

    return handler


def _with_extension(doc: str) -> Handler:
    """The handler of ``/<doc>.<ext>``."""

    async def handler(
        request: Request,
        ext: str,
        engine: EngineDep,
        data: PageDataDep,
        offload: OffloadDep,
        site: SiteDep,
    ) -> Response:
        return await document(request, f"{doc}.{ext}", "html", engine, data, offload, site)

    return handler


def resources_router() -> APIRouter:
    router = APIRouter(tags=["linked data"])
    for root in ("id", "graph", "ontology", "dataset", "shapes"):
        router.add_api_route(f"/{root}/{{rest:path}}", _tree(root), methods=METHODS, response_model=None)
    for doc in ("ontology", "dataset", "shapes"):
        router.add_api_route(f"/{doc}", _document(doc), methods=METHODS, response_model=None)
        router.add_api_route(f"/{doc}.{{ext}}", _with_extension(doc), methods=METHODS, response_model=None)
    router.add_api_route(
        "/.well-known/void", _document("dataset", default="ttl"), methods=METHODS, response_model=None,
        summary="The VoID description of the dataset (Turtle unless the client prefers another format)",
    )  # fmt: skip

    @router.get("/context.jsonld", response_model=None)
    async def context() -> Response:
        """The JSON-LD context the JSON-LD descriptions are compacted with."""
        return JSONResponse(CONTEXT, media_type="application/ld+json")

    return router
