"""The Neo4j store against the real server `make test` starts, and what only a recording shows.

Behaviour (ingest, projection, write-back, update, queries) is tested on both stores by the
parametrised suites.  Here: what is Neo4j's own (float32 vectors through setNodeVectorProperty,
the vector index and its use, the manual's queries, auth, a failed write resumed), and two checks
a server cannot make, kept on a recording of what the store hands the driver: every query sent is
a file of cypher/neo4j, and values travel only as parameters.
"""

from __future__ import annotations

import re

import numpy as np
import pytest

from graphvec import cypher
from graphvec.errors import GraphvecError
from graphvec.ingest import ingest_documents
from graphvec.sources import read_documents
from graphvec.store import WriteStep, open_store
from graphvec.store.neo4j import BATCH_ROWS, Neo4jStore, split_credentials

from .conftest import ROBOTICS, run_cli


class RecordingDriver:
    """Stands in for neo4j.Driver: records (query, parameters); answers reads with no rows."""

    def __init__(self):
        self.sent: list[tuple[str, dict, str]] = []

    def execute_query(self, query, parameters=None, database_=None, **_):
        self.sent.append((query, dict(parameters or {}), "auto"))
        keys = re.findall(r"\bAS (\w+)", query.split("RETURN")[-1]) if "RETURN" in query else []
        return [], None, keys

    def session(self, database=None):
        return _Session(self)

    def close(self):
        pass


class _Session:
    def __init__(self, driver):
        self.driver = driver

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def execute_write(self, work):
        return work(_Tx(self.driver))

    def run(self, query, parameters=None):
        self.driver.sent.append((query, dict(parameters or {}), "autocommit"))
        return _Result()


class _Tx:
    def __init__(self, driver):
        self.driver = driver

    def run(self, query, parameters=None):
        self.driver.sent.append((query, dict(parameters or {}), "write"))
        return _Result()


class _Result:
    def consume(self):
        return None


def file_texts():
    root = cypher.cypher_dir() / "neo4j"
    names = [p.relative_to(root).with_suffix("").as_posix() for p in root.rglob("*.cypher")]
    return {cypher.load("neo4j", name).text: name for name in names}


def test_ingest_sends_only_project_queries_with_parameters_in_batches():
    driver = RecordingDriver()
    store = Neo4jStore(driver, "neo4j://example:7687")
    ingest_documents(store, read_documents(ROBOTICS))
    texts = file_texts()
    statements = {s: name for text, name in texts.items() for s in cypher.statements(text)}
    names = []
    for query, params, _ in driver.sent:
        assert query in texts or query in statements, f"sent a query that is not a cypher/neo4j file: {query[:80]}"
        names.append(texts.get(query) or statements[query])
        for declared in re.findall(r"\$(\w+)", query):
            assert declared in params, f"{names[-1]} uses ${declared} but it was not sent"
    # Constraints exist before any write; the store is marked incomplete first and complete last.
    first_write = next(i for i, (_, _, kind) in enumerate(driver.sent) if kind == "write")
    assert {"schema_documents", "schema_meta"} <= set(names[:first_write])
    meta_writes = [(i, p["rows"]) for i, ((q, p, _), n) in enumerate(zip(driver.sent, names)) if n == "set_meta"]
    assert meta_writes[0][1] == [{"key": "write_state", "value": "incomplete"}]
    assert {"key": "write_state", "value": "complete"} in meta_writes[-1][1]
    assert meta_writes[0][0] < first_write < meta_writes[-1][0]
    batches = [(n, p["rows"]) for (q, p, kind), n in zip(driver.sent, names) if kind == "write"]
    assert all(0 < len(rows) <= BATCH_ROWS for _, rows in batches)
    sent_pairs = [row for n, rows in batches if n == "create_has_label" for row in rows]
    assert len(sent_pairs) == 6520 and set(sent_pairs[0]) == {"doc", "label"}
    assert sum(1 for n, _ in batches if n == "create_has_label") == 1  # 6,520 rows fit one batch
    assert sum(len(rows) for n, rows in batches if n == "create_cooccurs") == 2505


def test_projection_identifiers_are_quoted_in_what_is_sent():
    driver = RecordingDriver()
    store = Neo4jStore(driver, "neo4j://example:7687")
    store.read("project_edges_weighted", rel_type="KNOWS", weight="strength")
    query = driver.sent[-1][0]
    assert "[r:`KNOWS`]" in query and "collect(r.`strength`) AS weight" in query
    with pytest.raises(GraphvecError):
        store.read("project_edges", rel_type="KNOWS]->() DETACH DELETE a //")


def test_connection_failure_is_one_line_and_never_shows_the_password(monkeypatch):
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret-pa55word")
    monkeypatch.setenv("NEO4J_USER", "analyst")
    with pytest.raises(GraphvecError) as info:
        Neo4jStore.from_environment("bolt://127.0.0.1:1")
    assert "bolt://127.0.0.1:1" in str(info.value) and "s3cret" not in str(info.value)


def test_missing_password_says_which_variable(monkeypatch):
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    with pytest.raises(GraphvecError, match="NEO4J_PASSWORD"):
        Neo4jStore.from_environment("neo4j://127.0.0.1:1")


def test_credentials_typed_into_the_uri_are_used_and_never_shown(neo4j_uri, monkeypatch):
    import os

    password = os.environ["NEO4J_PASSWORD"]
    host = neo4j_uri.split("://", 1)[1]
    monkeypatch.delenv("NEO4J_PASSWORD")
    with open_store(f"bolt://neo4j:{password}@{host}") as store:
        assert store.location == neo4j_uri and password not in store.location
        assert store.run_text("RETURN 1 AS one").to_pylist() == [{"one": 1}]
    result = run_cli("--store", f"bolt://neo4j:wrong-Secret-1@{host}", "stats", env={"NEO4J_PASSWORD": ""})
    assert result.returncode == 2 and "wrong-Secret-1" not in result.stderr + result.stdout
    assert result.stderr.startswith(f"error: {neo4j_uri}: Neo4j refused user 'neo4j'") and len(result.stderr.strip().splitlines()) == 1
    assert split_credentials("neo4j+s://u%40x:p%3Aw@db.example:7687/x") == ("neo4j+s://db.example:7687/x", "u@x", "p:w")


def test_a_wrong_password_is_one_line_without_the_password(neo4j_uri):
    result = run_cli("--store", neo4j_uri, "stats", env={"NEO4J_PASSWORD": "not-the-Password-9"})
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "not-the-Password-9" not in result.stderr + result.stdout and "check NEO4J_USER and NEO4J_PASSWORD" in result.stderr


def test_no_server_at_the_address_is_one_line(neo4j_uri):
    result = run_cli("--store", "bolt://127.0.0.1:9", "stats", env={"NEO4J_PASSWORD": "any-Password-9"})
    assert result.returncode == 2 and result.stderr == "error: bolt://127.0.0.1:9: cannot connect to Neo4j (ServiceUnavailable)\n"


def _embedded_robotics(store):
    from graphvec.node2vec import Node2Vec
    from graphvec.pipeline import embed
    from graphvec.projection import PRESETS

    ingest_documents(store, read_documents(ROBOTICS, label_sep=" "))
    model = Node2Vec(walk_length=20, walks_per_node=4, dimensions=24, window=5, workers=1, random_state=3, method="deepwalk")
    return embed(store, PRESETS["bipartite"], model, top_k=4, predict_k=3)


def test_vectors_are_float32_in_a_cosine_index_of_their_dimension(neo4j_store):
    store = neo4j_store
    _embedded_robotics(store)
    indexes = {r["name"]: r for r in store.run_text(
        "SHOW INDEXES YIELD name, type, labelsOrTypes, properties, options, state WHERE type = 'VECTOR'").to_pylist()}
    assert set(indexes) == {"embedding_Label", "embedding_Document"}
    for label in ("Label", "Document"):
        index = indexes[f"embedding_{label}"]
        config = index["options"]["indexConfig"]
        assert index["labelsOrTypes"] == [label] and index["properties"] == ["embedding"] and index["state"] == "ONLINE"
        assert config["vector.dimensions"] == 24 and config["vector.similarity_function"].lower() == "cosine"
    # float32 on the server: 0.1 comes back as float32's nearest value, not as the float64 0.1 sent
    row = {"key": "arduino", "embedding": [0.1] * 24, "context": [0.1] * 24, "run": "probe"}
    store.write([WriteStep("store/set_embeddings", __import__("pyarrow").Table.from_pylist([row]),
                           identifiers={"label": "Label", "key": "name"})], {})
    value = store.run_text("MATCH (l:Label {name: $n}) RETURN l.embedding AS e, l.context_embedding AS c", {"n": "arduino"}).to_pylist()[0]
    assert value["e"][0] == value["c"][0] == float(np.float32(0.1)) != 0.1


def test_the_manuals_queries_work_and_neighbours_need_the_index(neo4j_store, tmp_path):
    store = neo4j_store
    _embedded_robotics(store)
    from graphvec import queries

    rows = queries.neighbours(store, "quadcopter", k=5)
    assert len(rows) == 5
    # as the Neo4j manual shows them, pasted as text through 'graphvec query'
    manual = tmp_path / "manual.cypher"
    manual.write_text("MATCH (l:Label {name: $name})\n"
                      "CALL db.index.vector.queryNodes('embedding_Label', $k, l.embedding) YIELD node, score\n"
                      "RETURN node.name AS name, score ORDER BY score DESC\n", encoding="utf-8")
    result = run_cli("--store", store.location, "--json", "query", str(manual), "-p", "name=quadcopter", "-p", "k=30")
    assert result.returncode == 0, result.stderr
    listed = [r["name"] for r in __import__("json").loads(result.stdout)["rows"]]
    assert listed[0] == "quadcopter" and {r["name"] for r in rows} <= set(listed)
    vector = store.run_text("MATCH (l:Label {name: $n}) RETURN l.embedding AS e", {"n": "quadcopter"}).to_pylist()[0]["e"]
    assert len(vector) == 24
    store.run_text("DROP INDEX embedding_Label")
    with pytest.raises(GraphvecError, match="similar_labels.cypher failed: .*embedding_Label"):
        queries.neighbours(store, "quadcopter", k=5)


def test_a_failed_write_is_marked_and_rerunning_the_ingest_completes_it(neo4j_store):
    store = neo4j_store
    ingest_documents(store, read_documents(ROBOTICS))
    counts = store.counts()
    # a write that fails half-way: the first step lands, the second is refused by the server
    good = WriteStep("upsert_documents", __import__("pyarrow").table({"id": ["new-doc"], "title": ["t"]}))
    bad = WriteStep("upsert_labels", __import__("pyarrow").table({"name": [None], "df": [1]}, ))
    with pytest.raises(Exception, match="null property value"):
        store.write([good, bad], {"version": "half"})
    assert store.meta()["write_state"] == "incomplete"
    from graphvec.stats import store_stats

    assert any("did not finish" in w for w in store_stats(store)["warnings"])
    from graphvec.projection import ProjectionSpec, project

    with pytest.raises(GraphvecError, match="last ingest did not finish"):  # no vectors from half a corpus
        project(store, ProjectionSpec(("Label",), (("CO_OCCURS", None),)))
    report = ingest_documents(store, read_documents(ROBOTICS))
    assert store.meta()["write_state"] == "complete" and report.new == 0 and report.unchanged == report.read
    assert store.counts()["Document"] == counts["Document"] + 1  # Neo4j has no rollback across batches: said, not hidden


def test_without_a_server_neo4j_tests_fail_in_ci_and_skip_elsewhere():
    import os
    import subprocess
    import sys

    from .conftest import REPO

    target = "tests/test_neo4j_store.py::test_a_wrong_password_is_one_line_without_the_password"
    env = {k: v for k, v in os.environ.items() if k not in ("GRAPHVEC_TEST_NEO4J_URI", "CI")}
    outcomes = {}
    for ci in ("true", ""):
        result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-rs", "-p", "no:cacheprovider", target],
                                capture_output=True, text=True, cwd=REPO, env={**env, "CI": ci}, timeout=300)
        outcomes[ci] = (result.returncode, result.stdout)
    assert outcomes["true"][0] == 1 and "1 error" in outcomes["true"][1] and "no Neo4j server" in outcomes["true"][1]
    assert outcomes[""][0] == 0 and "1 skipped" in outcomes[""][1] and "no Neo4j server" in outcomes[""][1]
