"""Content negotiation helpers for routers: the Accept parser of the one media-type table."""

from __future__ import annotations

from kg.formats import choose, parse_accept

__all__ = ["choose", "parse_accept"]
