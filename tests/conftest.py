"""Shared fixtures: real embedded stores in temporary folders, the bundled and shared datasets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
DATASETS = REPO / "datasets"
SHARED = REPO.parent / "shared" / "datasets"
ROBOTICS = DATASETS / "robotics" / "robotics.csv"
KARATE = DATASETS / "karate" / "karate.adjlist"


def shared(relative: str) -> Path:
    """A file from ../shared/datasets, or a clean skip that says why."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"{path} is not present (the shared datasets folder sits beside the checkout in development)")
    return path


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("GRAPHVEC_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("GRAPHVEC_STORE", raising=False)
    monkeypatch.delenv("NEO4J_URI", raising=False)


@pytest.fixture
def store_path(tmp_path) -> Path:
    return tmp_path / "test.lbug"


@pytest.fixture
def store(store_path):
    from graphvec.store import open_store

    with open_store(str(store_path)) as opened:
        yield opened


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real console entry point as a user would."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, str(REPO / "cli.py"), *args], capture_output=True, text=True,
                          cwd=cwd or REPO, env=full_env, timeout=300)
