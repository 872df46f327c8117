"""How to cite the dataset: a citation text and a BibTeX entry naming the version and the build."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

TITLE = "NATO–Iraq knowledge graph"
SOURCE_PAGE = "NATO, “Relations with Iraq”, https://www.nato.int/cps/en/natohq/topics_88247.htm"


@dataclass(frozen=True)
class Citation:
    text: str
    bibtex: str


def citation(info: dict[str, Any], version: str, url: str) -> Citation:
    """The citation of this build (``info`` is ``build.json``; empty before the first build)."""
    build = str(info.get("build_id") or "unbuilt")
    built = str(info.get("built_at") or "")
    day, year = built[:10], built[:4]
    when = f", {day}" if day else ""
    text = (
        f"{TITLE}, version {version} (build {build}{when}). Linked data derived from {SOURCE_PAGE}. "
        f"CC BY 4.0. {url}"
    )
    key = "nato_iraq_kg_" + version.replace(".", "_")
    fields = [
        ("title", f"{{{TITLE}}}"),
        ("version", version),
        ("note", f"Build {build}{when}. Derived from {SOURCE_PAGE}. License CC BY 4.0"),
        ("howpublished", f"\\url{{{url}}}"),
        ("url", url),
    ]
    if year:
        fields.append(("year", year))
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields)
    return Citation(text, f"@misc{{{key},\n{body}\n}}")
