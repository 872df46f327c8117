"""Which graph a command works on: a checkout's, or the copy packaged with ``kg``.

A checkout is a folder holding ``ontology/``, ``data/`` and ``shapes/`` (the current folder or
one above it, or ``--root``); its build output is its own ``dist/``. Outside any checkout,
``kg serve``, ``kg query`` and ``kg stats`` use the sources packaged in the wheel
(``kg/bundle/``, see ``setup.py``), built once into a user cache folder keyed by the
version and the sources' content.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kg import __version__

PARTS = ("ontology", "data", "shapes")
PACKAGED = Path(__file__).resolve().parent / "bundle"
CODE_CHECKOUT = Path(__file__).resolve().parents[2]  # the checkout of an editable install


class NoProject(Exception):
    """No checkout here, and (where allowed) no packaged graph either."""


class NotBuilt(Exception):
    """The graph to query has no built store (a checkout before ``kg build``)."""


@dataclass(frozen=True)
class Project:
    root: Path  # holds ontology/, data/, shapes/, queries/
    dist: Path  # build output: dumps, void.ttl, csv/, store/
    packaged: bool  # True: the graph packaged with kg, built into the user cache


def is_checkout(folder: Path) -> bool:
    return all((folder / part).is_dir() for part in PARTS)


def find_checkout(start: Path | None = None) -> Path | None:
    """The nearest folder, from ``start`` (default: the current folder) upwards, that is a checkout."""
    here = (start or Path.cwd()).resolve()
    return next((c for c in (here, *here.parents) if is_checkout(c)), None)


def packaged_sources() -> Path | None:
    """The sources packaged in the wheel; for an editable install, the checkout it runs from."""
    return next((p for p in (PACKAGED, CODE_CHECKOUT) if is_checkout(p)), None)


def cache_home() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nato-iraq-kg"


def content_key(root: Path) -> str:
    """Version and a digest of every file under ``root``'s ontology/, data/, shapes/ and queries/."""
    digest = hashlib.sha256()
    for part in (*PARTS, "queries"):
        for path in sorted((root / part).rglob("*")):
            if path.is_file():
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return f"{__version__}-{digest.hexdigest()[:12]}"


def locate(root: Path | None = None, *, packaged_ok: bool = True) -> Project:
    """``root`` if given; else the checkout around the current folder; else the packaged graph."""
    if root is not None:
        root = root.resolve()
        return Project(root, root / "dist", packaged=False)
    found = find_checkout()
    if found is not None:
        return Project(found, found / "dist", packaged=False)
    sources = packaged_sources() if packaged_ok else None
    if sources is None:
        raise NoProject(
            f"no project found: {Path.cwd()} and the folders above it hold no ontology/, data/ and "
            "shapes/ (run this in a checkout, or pass --root)"
        )
    return Project(sources, cache_home() / content_key(sources), packaged=True)


def _quiet(_: str) -> None:
    return None


def built_store(project: Project, progress: Callable[[str], None] = _quiet) -> Path:
    """The Oxigraph store of ``project`` to query (``kg query``, ``kg stats``, ``kg.api``).

    The packaged graph is built into the user cache the first time (about 10 s; raises
    ``kg.build.pipeline.BuildFailed`` if that fails); a checkout's must have been built (``NotBuilt``).
    """
    store = project.dist / "store"
    if not store.is_dir() and project.packaged:
        from kg.build.pipeline import build

        progress("building the packaged graph once (about 10 s)")
        build(project.root, project.dist, progress=progress)
    if not store.is_dir():
        raise NotBuilt(f"{store} not found: run 'kg build' first")
    return store
