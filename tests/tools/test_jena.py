"""Apache Jena, an independent toolkit, reads every Turtle file and every dump."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from helpers import REPO
from helpers.jena import riot
from kg.build.dumps import DUMP_FORMATS, dump_name

pytestmark = pytest.mark.usefixtures("jena")
COUNT = re.compile(r"\b(Triples|Quads) = ([\d,]+)")


def test_hand_edited_turtle_is_valid_for_jena() -> None:
    files = sorted(p for d in ("ontology", "data", "shapes") for p in (REPO / d).glob("*.ttl"))
    assert len(files) >= 10
    result = riot("--validate", *files)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ERROR" not in result.stderr and "WARN" not in result.stderr, result.stderr


def test_every_dump_is_valid_for_jena(built_repo: Path) -> None:
    info = json.loads((built_repo / "build.json").read_text())
    for fmt in DUMP_FORMATS:
        dump = built_repo / dump_name(fmt)
        result = riot("--validate", dump)
        assert result.returncode == 0, dump.name + result.stdout + result.stderr
        assert "ERROR" not in result.stderr, result.stderr
        counted = riot("--count", dump)
        expected = info["quads"] if fmt.dataset else info["triples"]
        # riot says "Quads = N", or "Triples = T : Quads = Q" (JSON-LD: default-graph triples apart)
        said = {k: int(v.replace(",", "")) for k, v in COUNT.findall(counted.stdout + counted.stderr)}
        assert said and sum(said.values()) == expected, (dump.name, counted.stdout + counted.stderr)


def test_jena_rejects_a_broken_file(tmp_path: Path) -> None:
    """The check above can fail: Jena does report a syntax error."""
    bad = tmp_path / "bad.ttl"
    bad.write_text("<a> <b> .\n")
    assert riot("--validate", bad).returncode != 0
    bad_jsonld = tmp_path / "bad.jsonld"
    bad_jsonld.write_text('[{"@id": ')
    assert riot("--validate", bad_jsonld).returncode != 0
