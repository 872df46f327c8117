"""The site's HTML: Jinja2 templates (``src/kg/templates/``) filled with a view model.

A template only prints what its view worked out (texts, links, anchors); the one thing every page
adds is the ``Site``: the path the service is published under and the versioned URLs of the
files the pages load.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape


@dataclass(frozen=True)
class Site:
    prefix: str
    """The path part of the public address (``""`` at the root of a host)."""
    assets: Mapping[str, str]
    """The URL of each file the pages load, by its plain name (``site.css``)."""


@lru_cache(maxsize=1)
def environment() -> Environment:
    return Environment(
        loader=PackageLoader("kg", "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render(site: Site, template: str, **context: Any) -> str:
    """``template`` filled with ``context``, the site's prefix and its assets' URLs."""
    return environment().get_template(template).render(prefix=site.prefix, assets=site.assets, **context)
