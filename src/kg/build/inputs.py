"""Find the hand-edited input files and the named graph each one becomes."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from kg.namespaces import GRAPH

INPUT_DIRS = ("ontology", "data", "shapes")


@dataclass(frozen=True)
class InputFile:
    """One Turtle file of the repository and the named graph it is loaded into."""

    path: Path
    kind: str  # "ontology" | "data" | "shapes" | "extra"

    @property
    def graph(self) -> str:
        return f"{GRAPH}{self.kind}/{self.path.stem}"

    def display(self, root: Path) -> str:
        try:
            return str(self.path.relative_to(root))
        except ValueError:
            return str(self.path)


class InputError(Exception):
    """The set of input files is unusable (missing folder, nothing to load)."""


def find_inputs(root: Path) -> list[InputFile]:
    """Every ``*.ttl`` of ``ontology/``, ``data/`` and ``shapes/`` in a stable order.

    Fails when a folder is missing or holds no Turtle at all, so that a wrong root
    can never produce an empty "valid" build.
    """
    found: list[InputFile] = []
    for kind in INPUT_DIRS:
        folder = root / kind
        if not folder.is_dir():
            raise InputError(f"{folder}: folder not found (is {root} the project root?)")
        files = sorted(folder.glob("*.ttl"))
        if not files:
            raise InputError(f"{folder}: no *.ttl files to load")
        found.extend(InputFile(p, kind) for p in files)
    return found


def project_root(start: Path | None = None) -> Path:
    """The nearest folder, from ``start`` upwards, that holds ``pyproject.toml`` and ``data/``."""
    here = (start or Path.cwd()).resolve()
    for candidate in (here, *here.parents):
        if (candidate / "pyproject.toml").is_file() and (candidate / "data").is_dir():
            return candidate
    return here
