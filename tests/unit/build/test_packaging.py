"""Where commands find the graph, one version everywhere, the data-release archive, kg query's table."""

from __future__ import annotations

import hashlib
import json
import re
import tarfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from helpers import FIXTURES, REPO, copy_project
from kg import __version__
from kg.build.release import ReleaseError, write_archive
from kg.build.tables import TABLES
from kg.cli import main
from kg.project import NoProject, content_key, locate

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def elsewhere(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The current folder is an empty one outside any checkout; the user cache is a temporary folder."""
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    monkeypatch.chdir(folder)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return folder


def test_a_checkout_is_found_from_a_subfolder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = copy_project(REPO, tmp_path / "p")
    monkeypatch.chdir(project / "data")
    found = locate()
    assert (found.root, found.dist, found.packaged) == (project, project / "dist", False)


def test_outside_a_checkout_build_says_no_project_and_serve_uses_the_packaged_graph(elsewhere: Path) -> None:
    with pytest.raises(NoProject, match="no project found"):
        locate(packaged_ok=False)
    packaged = locate()
    assert packaged.packaged and packaged.dist.is_relative_to(elsewhere.parent / "cache")
    assert packaged.dist.name == content_key(packaged.root) and packaged.dist.name.startswith(__version__)
    code, _, err = run("validate")
    assert code != 0 and "no project found" in err and str(elsewhere) in err


def test_the_cache_key_changes_with_the_content(tmp_path: Path) -> None:
    project = copy_project(REPO, tmp_path / "p")
    before = content_key(project)
    (project / "queries" / "extra.rq").write_text("ASK {}\n")
    assert content_key(project) != before


def test_kg_stats_outside_a_project_uses_the_packaged_graph(elsewhere: Path) -> None:
    code, out, err = run("stats")
    assert code == 0, err
    assert "using the graph packaged with kg" in err and "dist/store" not in err
    assert re.search(r"triples \(default graph\): +[0-9,]{5,}", out), out
    assert list(elsewhere.iterdir()) == []


def test_one_version_everywhere(built_repo: Path) -> None:
    code, out, _ = run("--version")
    assert code == 0 and out.strip() == f"kg, version {__version__}"
    info = json.loads((built_repo / "build.json").read_text())
    assert info["version"] == __version__ and info["build_id"].startswith(f"{__version__}+")
    void = (built_repo / "void.ttl").read_text()
    assert re.search(rf'dcat:version "{re.escape(__version__)}"', void), "VoID lacks dcat:version"
    citation = (REPO / "CITATION.cff").read_text()
    assert "cff-version: 1.2.0" in citation and f"\nversion: {__version__}\n" in citation
    assert f"## [{__version__}]" in (REPO / "CHANGELOG.md").read_text()


def test_the_data_archive_checksums_verify(built_repo: Path, tmp_path: Path) -> None:
    archive = write_archive(built_repo, tmp_path / "release")
    assert archive.name == f"nato-iraq-kg-data-{__version__}.tar.gz"
    with tarfile.open(archive) as tar:
        tar.extractall(tmp_path / "x", filter="data")
    top = tmp_path / "x" / f"nato-iraq-kg-data-{__version__}"
    listed = [line.split("  ", 1) for line in (top / "SHA256SUMS").read_text().splitlines()]
    names = {name for _, name in listed}
    assert {"nato-iraq.ttl", "nato-iraq.nq", "void.ttl", "build.json", "csv/datapackage.json"} <= names
    for digest, name in listed:
        assert hashlib.sha256((top / name).read_bytes()).hexdigest() == digest, name
    on_disk = {p.relative_to(top).as_posix() for p in top.rglob("*") if p.is_file()}
    assert on_disk == names | {"SHA256SUMS"}  # every file is covered, nothing else is shipped


def test_the_archive_refuses_an_incomplete_build(built_repo: Path, tmp_path: Path) -> None:
    partial = tmp_path / "partial"
    partial.mkdir()
    (partial / "build.json").write_text((built_repo / "build.json").read_text())
    with pytest.raises(ReleaseError, match="not a complete build"):
        write_archive(partial, tmp_path / "out")


def test_query_table_keeps_long_cells_whole_and_compacts_iris(built_repo: Path) -> None:
    query = """SELECT ?event ?label ?precision WHERE {
      ?event a/rdfs:subClassOf* nio:Event ; rdfs:label ?label ; time:unitType ?precision
    } ORDER BY DESC(STRLEN(?label)) LIMIT 1"""
    code, out, err = run("query", "--dist", str(built_repo), query)
    assert code == 0, err
    row = out.splitlines()[2]
    label = row.split(" | ")[1].strip()
    assert len(label) > 80 and not label.endswith("…")
    assert re.search(r"\| time:unit(Day|Month|Year)\b", row), row
    assert row.startswith("event:")
    code, out, _ = run("query", "--dist", str(built_repo), "-o", "csv", query)
    assert code == 0 and "http://www.w3.org/2006/time#unit" in out and label in out


def test_nothing_in_the_repository_refers_to_a_folder_beside_it() -> None:
    """The repository carries what it runs: no file names the project folder beside the checkout."""
    import subprocess

    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True)
    files = [REPO / name for name in listed.stdout.decode().split("\0") if name]
    assert len(files) > 50
    outside = "../" + "shared"
    found = [str(f.relative_to(REPO)) for f in files if f.is_file() and outside.encode() in f.read_bytes()]
    assert found == []


def test_two_builds_in_two_folders_have_one_build_id_which_changes_with_the_sources(tmp_path: Path) -> None:
    """The build id depends on the sources and the version only, not on the folder or the time
    (the installed wheel's packaged graph against this checkout's: test_install)."""
    from kg.build.pipeline import build

    first = copy_project(FIXTURES / "mini", tmp_path / "one")
    second = copy_project(FIXTURES / "mini", tmp_path / "elsewhere" / "deeper" / "two")
    build(first)
    build(second)
    ids = [json.loads((p / "dist" / "build.json").read_text())["build_id"] for p in (first, second)]
    assert ids[0] == ids[1]
    data = next((second / "data").glob("*.ttl"))
    data.write_text(data.read_text() + "\n# one more line\n")
    build(second)
    assert json.loads((second / "dist" / "build.json").read_text())["build_id"] != ids[0]


def test_the_data_archive_holds_every_table_downloads_offers(
    built_repo: Path, site: TestClient, tmp_path: Path
) -> None:
    offered = set(re.findall(r'href="/downloads/(csv/[^"]+)"', site.get("/downloads").text))
    assert {f"csv/{name}" for name in TABLES} | {"csv/datapackage.json"} <= offered
    with tarfile.open(write_archive(built_repo, tmp_path)) as tar:
        shipped = {name.split("/", 1)[1] for name in tar.getnames()}
        sums = tar.extractfile(f"nato-iraq-kg-data-{__version__}/SHA256SUMS")
        assert sums is not None
        summed = {line.split("  ", 1)[1] for line in sums.read().decode().splitlines()}
    assert offered <= shipped and offered <= summed
