"""Shared fixtures: real stores (embedded LadybugDB in temporary folders, and the real Neo4j server
that `make test` starts), the bundled and shared datasets.

`store` is parametrised over both databases, so a behaviour test written once runs on each.  The
Neo4j server's URI comes from GRAPHVEC_TEST_NEO4J_URI (set by tools/neo4j/with-server); without
it the Neo4j cases skip, saying why, except in CI (CI=true), where they fail.
"""

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


NEO4J_URI_VARIABLE = "GRAPHVEC_TEST_NEO4J_URI"
STORES = ("embedded", "neo4j")


@pytest.fixture(scope="session")
def neo4j_uri() -> str:
    uri = os.environ.get(NEO4J_URI_VARIABLE)
    if not uri:
        message = f"no Neo4j server: {NEO4J_URI_VARIABLE} is not set (run 'make test', which starts one)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return uri


def wipe_neo4j(uri: str) -> None:
    """Leave the server's database empty: no nodes, no indexes or constraints, no GDS graphs.

    Neo4j Community has one user database, so tests share it and each starts from nothing.
    """
    import neo4j

    with neo4j.GraphDatabase.driver(uri, auth=(os.environ.get("NEO4J_USER", "neo4j"), os.environ["NEO4J_PASSWORD"])) as driver:
        driver.execute_query("CALL gds.graph.list() YIELD graphName CALL gds.graph.drop(graphName, false) YIELD graphName AS g "
                             "RETURN count(g)")
        with driver.session() as session:
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
        for row in driver.execute_query("SHOW CONSTRAINTS YIELD name")[0]:
            driver.execute_query(f"DROP CONSTRAINT `{row['name']}`")
        for row in driver.execute_query("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'")[0]:
            driver.execute_query(f"DROP INDEX `{row['name']}`")


@pytest.fixture
def store_path(tmp_path) -> Path:
    return tmp_path / "test.lbug"


@pytest.fixture
def embedded_store(store_path):
    from graphvec.store import open_store

    with open_store(str(store_path)) as opened:
        yield opened


@pytest.fixture
def neo4j_store(neo4j_uri):
    from graphvec.store import open_store

    wipe_neo4j(neo4j_uri)
    with open_store(neo4j_uri) as opened:
        yield opened


@pytest.fixture(params=STORES)
def store(request):
    """An empty store of each kind: the behaviour tests run on both databases."""
    return request.getfixturevalue(f"{request.param}_store")


@pytest.fixture(params=STORES)
def store_location(request, tmp_path):
    """Where a new, empty store of each kind is: a path for the embedded store, a Bolt URI for Neo4j."""
    if request.param == "embedded":
        return str(tmp_path / "cli.lbug")
    uri = request.getfixturevalue("neo4j_uri")
    wipe_neo4j(uri)
    return uri


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    """Run the real console entry point as a user would."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, str(REPO / "cli.py"), *args], capture_output=True, text=True,
                          cwd=cwd or REPO, env=full_env, timeout=300)
