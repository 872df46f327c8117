"""Jinja2 templates (``src/kg/templates/``) and the dependencies every page router uses."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, select_autoescape

from kg.settings import Settings
from kg.web.deps import get_engine as get_engine
from kg.web.deps import get_settings as get_settings
from kg.web.iris import href, path_prefix
from kg.web.render.entity import Renderer, text_fragment
from kg.web.routes.assets import asset_url
from kg.web.views.labels import compact, term_labels


@lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("kg", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["text_fragment"] = text_fragment
    env.filters["compact"] = compact
    env.globals["asset"] = asset_url
    return env


def prefix_of(request: Request) -> str:
    settings: Settings = request.app.state.settings  # a plain function: no provider to await
    return path_prefix(settings.public_url or "")


async def get_renderer(request: Request) -> Renderer:
    """A renderer with the term labels of the engine's current data."""
    labels = await term_labels(await get_engine(request))
    return Renderer(labels, prefix_of(request), labels.known)


def page(
    request: Request, template: str, status: int = 200, headers: dict[str, str] | None = None, **ctx: Any
) -> HTMLResponse:
    """Render ``template`` with ``ctx`` (plus ``prefix`` and ``href``) as an HTML response."""
    prefix = prefix_of(request)
    html = (
        environment()
        .get_template(template)
        .render(prefix=prefix, href=lambda iri: href(iri, prefix), request_path=request.url.path, **ctx)
    )
    return HTMLResponse(html, status_code=status, headers=headers)
