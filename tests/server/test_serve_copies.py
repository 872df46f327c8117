"""Serving copies left by a crashed server are reclaimed at the next start; live ones are kept."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from kg.engine.stores import COPY_PREFIX, OWNER, prepare_store, reclaim_stale_copies


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_copies_of_gone_owners_are_removed_and_live_ones_kept(tmp_path: Path) -> None:
    stale = tmp_path / f"{COPY_PREFIX}stale"
    live = tmp_path / f"{COPY_PREFIX}live"
    reused = tmp_path / f"{COPY_PREFIX}reused"  # our PID, but another process's start time
    fresh = tmp_path / f"{COPY_PREFIX}fresh"  # no owner yet: being created
    old = tmp_path / f"{COPY_PREFIX}old"  # no owner, untouched for hours
    for folder in (stale, live, reused, fresh, old):
        (folder / "store").mkdir(parents=True)
    (stale / OWNER).write_text(f"{dead_pid()} 1")
    (live / OWNER).write_text(str(os.getpid()))
    (reused / OWNER).write_text(f"{os.getpid()} 1")
    os.utime(old, (time.time() - 7200, time.time() - 7200))
    other = tmp_path / "kg-something-else"
    other.mkdir()
    removed = reclaim_stale_copies(tmp_path)
    assert sorted(removed) == sorted([stale, reused, old])
    assert live.is_dir() and fresh.is_dir() and other.is_dir()


def test_a_new_copy_names_its_owner_and_clears_stale_ones(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    stale = tmp_path / f"{COPY_PREFIX}crashed"
    (stale / "store").mkdir(parents=True)
    (stale / OWNER).write_text(f"{dead_pid()} 1")
    data = tmp_path / "extra.nt"
    data.write_text("<http://a.example/s> <http://a.example/p> <http://a.example/o> .\n")
    prepared = prepare_store(None, [data])
    try:
        assert prepared.tmp is not None and prepared.tmp.parent == tmp_path
        assert (prepared.tmp / OWNER).read_text().split()[0] == str(os.getpid())
        assert not stale.exists()
        assert reclaim_stale_copies(tmp_path) == []  # ours is alive
    finally:
        shutil.rmtree(prepared.tmp or tmp_path / "none", ignore_errors=True)
