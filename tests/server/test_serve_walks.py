"""A request reads top to bottom: the functions of ``kg`` it enters stay in few files and seldom
come back to a file they left (``benchmarks.walk``: counted on the app as ``kg serve`` runs it,
worker processes and uvicorn included)."""

from __future__ import annotations

from pathlib import Path

import pytest

from benchmarks.walk import Walk, walks
from helpers import REPO

pytestmark = pytest.mark.server

BUDGET = {"SPARQL GET, cache missed": (20, 6), "HTML entity page": (30, 10)}
"""Most stays and most returns for each request."""


@pytest.fixture(scope="module")
def measured(built_repo: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Walk]:
    root = tmp_path_factory.mktemp("walk-root")
    for part in ("ontology", "data", "shapes", "queries"):
        (root / part).symlink_to(REPO / part)
    (root / "dist").symlink_to(built_repo)
    return {w.name: w for w in walks(root)}


@pytest.mark.parametrize("name", list(BUDGET))
def test_a_request_stays_within_its_walk_budget(measured: dict[str, Walk], name: str) -> None:
    walk = measured[name]
    most_stays, most_returns = BUDGET[name]
    assert len(walk.stays) <= most_stays and walk.returns <= most_returns, walk.report()
