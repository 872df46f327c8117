"""The CSV tables as a Frictionless Data Package: ``frictionless validate`` passes on a build, fails
on a broken table, and the schema is the one the writers use."""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import REPO
from kg.build.datapackage import descriptor
from kg.build.tables import ALL_TABLES, ENGAGEMENTS_TABLE

FRICTIONLESS = Path(sys.executable).parent / "frictionless"
ENGAGEMENT_NAMES = ENGAGEMENTS_TABLE.names


def validate(package: Path) -> subprocess.CompletedProcess[str]:
    """``frictionless validate`` (the test extra's command line), as a researcher runs it."""
    if not FRICTIONLESS.is_file():
        pytest.fail(f"{FRICTIONLESS} missing: run `make setup` (frictionless is in the test extra)")
    command = [str(FRICTIONLESS), "validate", "--json", str(package)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def errors(report: str) -> list[str]:
    found = json.loads(report)
    return [e["type"] for task in found["tasks"] for e in task["errors"]]


def test_frictionless_validates_the_built_tables(built_repo: Path) -> None:
    result = validate(built_repo / "csv" / "datapackage.json")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    report = json.loads(result.stdout)
    assert report["valid"] is True
    checked = {task["name"]: task["stats"]["rows"] for task in report["tasks"]}
    assert checked.keys() == {t.name for t in ALL_TABLES} and all(checked.values()), checked


def test_a_broken_table_fails_validation(built_repo: Path, tmp_path: Path) -> None:
    """Not a formality: a malformed date, a dyad of an unknown event and an edited file fail."""
    folder = shutil.copytree(built_repo / "csv", tmp_path / "csv")
    rows = list(csv.reader((folder / "dyadic.csv").open(encoding="utf-8", newline="")))
    rows[1][rows[0].index("event")] = "https://w3id.org/nato-iraq/id/event/nowhere"
    with (folder / "dyadic.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    events = (folder / "events.csv").read_text(encoding="utf-8").splitlines(keepends=True)
    earliest = events[0].split(",").index("earliest")
    cells = next(csv.reader([events[1]]))
    cells[earliest] = "2004-13-01"
    with (folder / "events.csv").open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows([next(csv.reader([events[0]])), cells])
        fh.writelines(events[2:])
    result = validate(folder / "datapackage.json")
    assert result.returncode != 0
    found = errors(result.stdout)
    assert {"foreign-key", "type-error", "hash-count"} <= set(found), found


def test_the_schema_is_the_writers_header_with_types_and_descriptions(built_repo: Path) -> None:
    package = json.loads((built_repo / "csv" / "datapackage.json").read_text(encoding="utf-8"))
    assert package == descriptor(ALL_TABLES, built_repo / "csv")
    for resource, table in zip(package["resources"], ALL_TABLES, strict=True):
        with (built_repo / "csv" / resource["path"]).open(encoding="utf-8", newline="") as fh:
            header = next(csv.reader(fh))
        fields = resource["schema"]["fields"]
        assert [f["name"] for f in fields] == header == table.names
        assert all(f["description"] and f["type"] for f in fields)
    by_name = {r["name"]: {f["name"]: f for f in r["schema"]["fields"]} for r in package["resources"]}
    assert by_name["events"]["event_id"]["rdfType"] == "https://w3id.org/nato-iraq/ontology#Event"
    assert by_name["dyadic"]["source_actor_iri"]["format"] == "uri"
    assert by_name["events"]["cameo_code"]["codebook"] == "https://w3id.org/nato-iraq/id/scheme/cameo"
    assert by_name["engagements"]["start_event"]["rdfType"] == "https://w3id.org/nato-iraq/ontology#Event"
    assert by_name["events"]["precision"]["constraints"]["enum"] == ["day", "month", "year", "part of year"]
    assert by_name["engagements"]["ongoing"]["type"] == "boolean"


def test_the_readme_lists_every_table() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for table in ALL_TABLES:
        assert f"csv/{table.path}" in readme, table.path
    assert "csv/datapackage.json" in readme


def readme_block(language: str, after: str) -> str:
    section = (REPO / "README.md").read_text(encoding="utf-8").split(after, 1)[1]
    return section.split(f"```{language}\n", 1)[1].split("```", 1)[0]


@pytest.fixture
def beside_dist(built_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current folder holds ``dist/``, the session's build."""
    (tmp_path / "dist").symlink_to(built_repo)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_the_readme_loads_the_tables_in_pandas_with_their_types(beside_dist: Path) -> None:
    import pandas as pd

    names: dict[str, object] = {}
    exec(compile(readme_block("python", "## Tables in pandas and R"), "README.md", "exec"), names)
    tables = names["tables"]
    assert isinstance(tables, dict) and tables.keys() == {t.name for t in ALL_TABLES}
    engagements = tables["engagements"]
    assert pd.api.types.is_datetime64_any_dtype(engagements["start"])
    assert engagements["ongoing"].dtype == "boolean" and engagements["ongoing"].any()
    with (beside_dist / "dist" / "csv" / "events.csv").open(encoding="utf-8", newline="") as fh:
        assert len(tables["events"]) == sum(1 for _ in csv.DictReader(fh))


def test_the_readme_loads_the_tables_in_r_with_their_types(beside_dist: Path, rscript: str) -> None:
    code = readme_block("r", "## Tables in pandas and R")
    code += '\ncat(vapply(tables$engagements, function(x) class(x)[1], ""), sep = ",")\n'
    done = subprocess.run([rscript, "-e", code], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr[-3000:]
    classes = dict(zip(ENGAGEMENT_NAMES, done.stdout.strip().splitlines()[-1].split(","), strict=True))
    assert (classes["start"], classes["end"], classes["ongoing"]) == ("Date", "Date", "logical")
