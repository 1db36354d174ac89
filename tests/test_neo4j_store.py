"""The Neo4j store sends exactly the files in cypher/neo4j, values only as parameters, in batches.

No Neo4j server can be installed here, so these tests record what the store hands the driver
(the driver's own API: execute_query and session().execute_write) and check it; the connection
test uses the real driver against a closed port.
"""

from __future__ import annotations

import re

import pytest

from graphvec import cypher
from graphvec.errors import GraphvecError
from graphvec.ingest import ingest_documents
from graphvec.sources import read_documents
from graphvec.store.neo4j import BATCH_ROWS, Neo4jStore

from .conftest import ROBOTICS


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
    return {cypher.load("neo4j", p.stem).text: p.stem for p in (cypher.cypher_dir() / "neo4j").glob("*.cypher")}


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
    assert "[r:`KNOWS`]" in query and "r.`strength` AS weight" in query
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


def test_write_back_sends_vectors_in_batches_then_similar_then_the_vector_index():
    import numpy as np

    from graphvec.projection import Projection, ProjectionSpec
    from graphvec.train import Vectors
    from graphvec.writeback import write_back

    n = 25
    names = np.array([f"label-{i:02d}" for i in range(n)], dtype=object)
    spec = ProjectionSpec(("Label",), (("CO_OCCURS", "count"),))
    projection = Projection(np.arange(n + 1, dtype=np.int64), np.zeros(n, dtype=np.int32), np.ones(n, dtype=np.float32),
                            names, np.zeros(n, dtype=np.int8), ("Label",), False, True, spec, "fp")
    rng = np.random.default_rng(0)
    vectors = Vectors(rng.standard_normal((n, 8)).astype(np.float32), rng.standard_normal((n, 8)).astype(np.float32),
                      np.ones(n, dtype=bool), {}, {"walk": {"method": "node2vec"}})
    driver = RecordingDriver()
    write_back(Neo4jStore(driver, "neo4j://example:7687"), projection, vectors, run_id="run1", top_k_neighbours=3)
    markers = {"set_embeddings": "SET n.embedding = row.embedding", "create_similar": "MERGE (a)-[r:SIMILAR]->(b)",
               "upsert_run": "MERGE (r:EmbeddingRun", "vector_index": "CREATE VECTOR INDEX", "delete_similar": "DELETE r } IN TRANSACTIONS"}

    def kind_of(query):
        return next((name for name, marker in markers.items() if marker in query), "other")

    sent = [(kind_of(q), p, mode) for q, p, mode in driver.sent]
    names_sent = [name for name, _, _ in sent]
    vector_rows = [row for name, p, _ in sent if name == "set_embeddings" for row in p["rows"]]
    assert len(vector_rows) == n and len(vector_rows[0]["embedding"]) == 8 and vector_rows[0]["run"] == "run1"
    index_at = names_sent.index("vector_index")
    assert "`vector.dimensions`: 8" in driver.sent[index_at][0] and "FOR (n:`Label`)" in driver.sent[index_at][0]
    assert index_at > max(i for i, name in enumerate(names_sent) if name == "set_embeddings")
    delete = names_sent.index("delete_similar")
    assert sent[delete][2] == "autocommit"  # CALL { … } IN TRANSACTIONS cannot run in a managed transaction
    assert delete < names_sent.index("create_similar")
    similar_rows = [row for name, p, _ in sent if name == "create_similar" for row in p["rows"]]
    assert len(similar_rows) == n * 3 and all(r["a"] != r["b"] for r in similar_rows)
    runs = [p["rows"][0]["status"] for name, p, _ in sent if name == "upsert_run"]
    assert runs[0] == "writing" and runs[-1] == "complete"


class AnsweringDriver(RecordingDriver):
    """A RecordingDriver that answers reads whose text contains a marker with the given rows."""

    def __init__(self, answers: dict[str, list[dict]]):
        super().__init__()
        self.answers = answers

    def execute_query(self, query, parameters=None, database_=None, **_):
        self.sent.append((query, dict(parameters or {}), "auto"))
        for marker, rows in self.answers.items():
            if marker in query:
                keys = list(rows[0]) if rows else []
                return [dict(row) for row in rows], None, keys
        keys = re.findall(r"\bAS (\w+)", query.split("RETURN")[-1]) if "RETURN" in query else []
        return [], None, keys


def test_predicted_labels_are_sent_after_the_old_ones_are_deleted_and_skip_existing_labels():
    from graphvec.writeback import write_predictions

    labels = [{"name": n, "df": df} for n, df in (("a", 5), ("b", 3), ("c", 1), ("d", 8))]
    pairs = [{"doc": "d1", "label": "a"}, {"doc": "d1", "label": "b"}, {"doc": "d2", "label": "c"}]
    vectors = [{"key": n, "embedding": [float(i), 1.0], "context": [1.0, float(i)], "run": "r"} for i, n in enumerate("abcd")]
    driver = AnsweringDriver({"RETURN l.name AS name, l.df AS df": labels, "RETURN d.id AS doc": pairs,
                              "n.embedding AS embedding": vectors,
                              "MATCH (n) RETURN labels(n)": [{"kind": "Label", "n": 4}]})
    report = write_predictions(Neo4jStore(driver, "neo4j://example:7687"), "run1", k=2)
    names = [q for q, _, _ in driver.sent]
    delete = next(i for i, q in enumerate(names) if "PREDICTED" in q and "DELETE r" in q)
    create = next(i for i, q in enumerate(names) if "MERGE (d)-[r:PREDICTED]->(l)" in q)
    assert delete < create and driver.sent[delete][2] == "autocommit"
    rows = driver.sent[create][1]["rows"]
    assert report == {"documents": 2, "relationships": 4, "k": 2, "method": "pmi"}
    by_doc = {}
    for row in rows:
        by_doc.setdefault(row["a"], []).append(row)
    assert [r["b"] for r in by_doc["d1"]] == ["d", "c"]  # a and b are d1's own labels
    assert "c" not in [r["b"] for r in by_doc["d2"]] and [r["rank"] for r in by_doc["d2"]] == [1, 2]
    assert all(r["run"] == "run1" for r in rows)
