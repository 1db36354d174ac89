"""Where the embedded store should keep vectors: beside the nodes (today) or on them.

On a LadybugDB store holding the 100k-node / 1M-edge synthetic graph, 100k × 128 vectors (input
and context) are written three ways, each timed to the end of a checkpoint:

- `table`: graphvec's write today, a bulk COPY into a vector table beside the label's nodes,
  swapped in (`Store.write_vectors`);
- `rebuild`: vectors on the nodes, by rebuilding the node table: read every node and every
  relationship touching it, drop both tables, create the node table with vector columns, and COPY
  nodes (with their vectors) and relationships back; on a documents graph every relationship type
  touching the label (HAS_LABEL, CO_OCCURS, SIMILAR, PREDICTED) would have to be re-copied too;
- `set`: vectors on the nodes by `SET` of array properties on the existing nodes (4k-row batches).

A second graph has the documents' shape, where a rebuild of Document has to carry every
relationship type touching it: 100k documents with 3 labels each among 5k labels (HAS_LABEL),
SIMILAR top-10 of documents and of labels in one multi-pair table, PREDICTED top-10 per document.
There `table` and `rebuild` write the 100k Document vectors, and `rebuild_dropping_derived`
carries HAS_LABEL only, dropping SIMILAR and PREDICTED (which a full `embed` rewrites after the
vectors anyway, but `embed-documents` and `update` keep for the labels they do not touch).

The issue's bar: switch to vectors on the nodes if one way is within 1.5× of `table`.  Usage:
`.venv/bin/python benchmarks/bench_vectors_on_nodes.py`; prints JSON, writes
bench-out/vectors_on_nodes.json.
"""

from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from common import OUT, synthetic_graph, write_edge_list  # noqa: E402

DIM = 128


def _column(matrix: np.ndarray) -> pa.Array:
    return pa.FixedSizeListArray.from_arrays(pa.array(np.ascontiguousarray(matrix, np.float32).ravel()), matrix.shape[1])


def _fresh_store(folder: Path, src, dst, weight):
    import ladybug

    path = folder / f"store-{time.time_ns()}.lbug"
    db = ladybug.Database(str(path))
    conn = ladybug.Connection(db)
    n = int(max(src.max(), dst.max())) + 1
    conn.execute("CREATE NODE TABLE Node(id STRING PRIMARY KEY, classes STRING[])")
    conn.execute("CREATE REL TABLE LINK(FROM Node TO Node, weight DOUBLE)")
    ids = np.arange(n).astype(str)
    conn.execute("COPY Node FROM $rows", {"rows": pa.table({"id": ids, "classes": pa.array([[] for _ in range(n)], pa.list_(pa.string()))})})
    conn.execute("COPY LINK FROM $rows", {"rows": pa.table({"from": ids[src], "to": ids[dst], "weight": weight})})
    conn.execute("CHECKPOINT")
    return db, conn, ids


def rebuild(conn, ids, vectors, context) -> float:
    started = time.perf_counter()
    nodes = conn.execute("MATCH (n:Node) RETURN n.id AS id, n.classes AS classes").get_as_arrow()
    links = conn.execute("MATCH (a:Node)-[r:LINK]->(b:Node) RETURN a.id AS `from`, b.id AS `to`, r.weight AS weight").get_as_arrow()
    order = {key: i for i, key in enumerate(ids)}
    rows = np.fromiter((order[k] for k in nodes.column("id").to_pylist()), np.int64, count=nodes.num_rows)
    conn.execute("BEGIN TRANSACTION")
    conn.execute("DROP TABLE LINK")
    conn.execute("DROP TABLE Node")
    conn.execute(f"CREATE NODE TABLE Node(id STRING PRIMARY KEY, classes STRING[], embedding FLOAT[{DIM}], "
                 f"context_embedding FLOAT[{DIM}], embedding_run STRING)")
    conn.execute("COMMIT")
    conn.execute("COPY Node FROM $rows", {"rows": nodes.append_column("embedding", _column(vectors[rows]))
                                          .append_column("context_embedding", _column(context[rows]))
                                          .append_column("embedding_run", pa.array(["bench"] * nodes.num_rows))})
    conn.execute("CREATE REL TABLE LINK(FROM Node TO Node, weight DOUBLE)")
    conn.execute("COPY LINK FROM $rows", {"rows": links})
    conn.execute("CHECKPOINT")
    return time.perf_counter() - started


def set_in_place(conn, ids, vectors, context) -> float:
    started = time.perf_counter()
    conn.execute(f"ALTER TABLE Node ADD embedding FLOAT[{DIM}]")
    conn.execute(f"ALTER TABLE Node ADD context_embedding FLOAT[{DIM}]")
    for start in range(0, len(ids), 4000):
        batch = pa.table({"key": ids[start:start + 4000], "e": _column(vectors[start:start + 4000]),
                          "c": _column(context[start:start + 4000])})
        conn.execute("LOAD FROM $rows MATCH (n:Node {id: key}) SET n.embedding = e, n.context_embedding = c", {"rows": batch})
    conn.execute("CHECKPOINT")
    return time.perf_counter() - started


def table_write(folder: Path, src, dst, weight, vectors, context) -> float:
    """graphvec's own write path, on a store graphvec ingested."""
    from graphvec.embedding import Embedding
    from graphvec.ingest import ingest_graph
    from graphvec.projection import PRESETS, project
    from graphvec.sources import read_graph
    from graphvec.store import open_store

    edge_file = folder / "edges.txt"
    write_edge_list(edge_file, src, dst, weight)
    with open_store(str(folder / "graphvec.lbug")) as store:
        n = int(max(src.max(), dst.max())) + 1
        ingest_graph(store, read_graph(edge_file, weighted=True))
        projection = project(store, PRESETS["graph"], use_cache=False)
        rows = projection.names.astype(np.int64)
        embedding = Embedding.from_projection(projection, vectors[rows], context[rows], np.ones(n, bool), "bench")
        started = time.perf_counter()
        store.write_vectors("Node", "id", embedding.to_arrow(), "bench")
        store._execute("CHECKPOINT")
        return time.perf_counter() - started


def _rebuild_documents(conn, vectors, context, *, carry_derived: bool) -> None:
    """Document's table again with vector columns, its relationships carried into staging tables
    and everything swapped in one transaction.  Without `carry_derived`, SIMILAR and PREDICTED
    (which a full `embed` rewrites after the vectors anyway) are dropped instead of carried."""
    nodes = conn.execute("MATCH (d:Document) RETURN d.id AS id, d.title AS title").get_as_arrow()
    order = np.fromiter((int(k) for k in nodes.column("id").to_pylist()), np.int64, count=nodes.num_rows)
    derived = " r.score AS score, r.rank AS rank, r.run AS run"
    reads = {"HAS_LABEL": "MATCH (d:Document)-[r:HAS_LABEL]->(l:Label) RETURN d.id AS `from`, l.name AS `to`"}
    if carry_derived:
        reads |= {"SIMILAR_D": "MATCH (a:Document)-[r:SIMILAR]->(b:Document) RETURN a.id AS `from`, b.id AS `to`," + derived,
                  "SIMILAR_L": "MATCH (a:Label)-[r:SIMILAR]->(b:Label) RETURN a.name AS `from`, b.name AS `to`," + derived,
                  "PREDICTED": "MATCH (d:Document)-[r:PREDICTED]->(l:Label) RETURN d.id AS `from`, l.name AS `to`," + derived}
    rels = {name: conn.execute(query).get_as_arrow() for name, query in reads.items()}
    conn.execute(f"CREATE NODE TABLE Document_staging(id STRING PRIMARY KEY, title STRING, embedding FLOAT[{DIM}], "
                 f"context_embedding FLOAT[{DIM}], embedding_run STRING)")
    conn.execute("COPY Document_staging FROM $rows", {"rows": nodes.append_column("embedding", _column(vectors[order]))
                                                      .append_column("context_embedding", _column(context[order]))
                                                      .append_column("embedding_run", pa.array(["new"] * nodes.num_rows))})
    conn.execute("CREATE REL TABLE HAS_LABEL_staging(FROM Document_staging TO Label)")
    swap = ["DROP TABLE HAS_LABEL", "DROP TABLE SIMILAR", "DROP TABLE PREDICTED", "DROP TABLE Document",
            "ALTER TABLE Document_staging RENAME TO Document", "ALTER TABLE HAS_LABEL_staging RENAME TO HAS_LABEL"]
    if carry_derived:
        conn.execute("CREATE REL TABLE SIMILAR_staging(FROM Document_staging TO Document_staging, FROM Label TO Label, "
                     "score DOUBLE, rank INT64, run STRING)")
        conn.execute("CREATE REL TABLE PREDICTED_staging(FROM Document_staging TO Label, score DOUBLE, rank INT64, run STRING)")
        swap += ["ALTER TABLE SIMILAR_staging RENAME TO SIMILAR", "ALTER TABLE PREDICTED_staging RENAME TO PREDICTED"]
    conn.execute("COPY HAS_LABEL_staging FROM $rows", {"rows": rels["HAS_LABEL"]})
    if carry_derived:
        conn.execute("COPY SIMILAR_staging FROM $rows (from='Document_staging', to='Document_staging')", {"rows": rels["SIMILAR_D"]})
        conn.execute("COPY SIMILAR_staging FROM $rows (from='Label', to='Label')", {"rows": rels["SIMILAR_L"]})
        conn.execute("COPY PREDICTED_staging FROM $rows", {"rows": rels["PREDICTED"]})
    conn.execute("BEGIN TRANSACTION")
    for statement in swap:
        conn.execute(statement)
    conn.execute("COMMIT")


def documents_graph(folder: Path, vectors, context) -> dict:
    """Document vectors on a documents-shaped store: vector table, or rebuild with every relationship."""
    import ladybug

    rng = np.random.default_rng(1)
    n_docs, n_labels = len(vectors), 5_000
    docs = np.arange(n_docs).astype(str)
    labels = np.array([f"l{i}" for i in range(n_labels)])
    has = rng.integers(0, n_labels, (n_docs, 3))
    similar_docs = rng.integers(0, n_docs, (n_docs, 10))
    similar_labels = rng.integers(0, n_labels, (n_labels, 10))
    predicted = rng.integers(0, n_labels, (n_docs, 10))

    def rel_rows(sources, targets, width):
        return pa.table({"from": np.repeat(sources, width), "to": targets.ravel().astype(str) if targets.dtype.kind != "U" else targets.ravel(),
                         "score": rng.random(len(sources) * width), "rank": np.tile(np.arange(1, width + 1), len(sources)),
                         "run": ["old"] * (len(sources) * width)})

    timings = {}
    for way in ("table", "rebuild", "rebuild_dropping_derived"):
        db = ladybug.Database(str(folder / f"docs-{way}.lbug"))
        conn = ladybug.Connection(db)
        conn.execute("CREATE NODE TABLE Document(id STRING PRIMARY KEY, title STRING)")
        conn.execute("CREATE NODE TABLE Label(name STRING PRIMARY KEY, df INT64)")
        conn.execute("CREATE REL TABLE HAS_LABEL(FROM Document TO Label)")
        conn.execute("CREATE REL TABLE SIMILAR(FROM Document TO Document, FROM Label TO Label, score DOUBLE, rank INT64, run STRING)")
        conn.execute("CREATE REL TABLE PREDICTED(FROM Document TO Label, score DOUBLE, rank INT64, run STRING)")
        conn.execute("COPY Document FROM $rows", {"rows": pa.table({"id": docs, "title": [f"title {d}" for d in docs]})})
        conn.execute("COPY Label FROM $rows", {"rows": pa.table({"name": labels, "df": np.ones(n_labels, np.int64)})})
        conn.execute("COPY HAS_LABEL FROM $rows", {"rows": pa.table({"from": np.repeat(docs, 3), "to": labels[has.ravel()]})})
        conn.execute("COPY SIMILAR FROM $rows (from='Document', to='Document')", {"rows": rel_rows(docs, docs[similar_docs], 10)})
        conn.execute("COPY SIMILAR FROM $rows (from='Label', to='Label')", {"rows": rel_rows(labels, labels[similar_labels], 10)})
        conn.execute("COPY PREDICTED FROM $rows", {"rows": rel_rows(docs, labels[predicted], 10)})
        conn.execute("CHECKPOINT")
        started = time.perf_counter()
        if way == "table":
            conn.execute(f"CREATE NODE TABLE DocumentEmbedding(key STRING PRIMARY KEY, embedding FLOAT[{DIM}], "
                         f"context_embedding FLOAT[{DIM}], run STRING)")
            conn.execute("COPY DocumentEmbedding FROM $rows", {"rows": pa.table({
                "key": docs, "embedding": _column(vectors), "context_embedding": _column(context), "run": ["new"] * n_docs})})
        else:
            _rebuild_documents(conn, vectors, context, carry_derived=way == "rebuild")
        conn.execute("CHECKPOINT")
        timings[way] = time.perf_counter() - started
        if way == "rebuild":
            count = conn.execute("MATCH (:Document)-[r:SIMILAR]->(:Document) RETURN count(r) AS n").get_as_arrow().column("n")[0].as_py()
            assert count == n_docs * 10, count
            check = conn.execute("MATCH (d:Document {id: '7'}) RETURN d.embedding AS e").get_as_arrow().column("e")[0].as_py()
            assert np.allclose(check, vectors[7])
        conn.close()
        db.close()
    return {"documents": n_docs, "labels": n_labels, "relationships": int(n_docs * 3 + n_docs * 10 + n_labels * 10 + n_docs * 10),
            "table_s": round(timings["table"], 2), "rebuild_s": round(timings["rebuild"], 2),
            "rebuild_over_table": round(timings["rebuild"] / timings["table"], 2),
            "rebuild_dropping_derived_s": round(timings["rebuild_dropping_derived"], 2),
            "rebuild_dropping_derived_over_table": round(timings["rebuild_dropping_derived"] / timings["table"], 2)}


def main() -> None:
    OUT.mkdir(exist_ok=True)
    src, dst, weight = synthetic_graph()
    n = int(max(src.max(), dst.max())) + 1
    rng = np.random.default_rng(0)
    vectors, context = rng.standard_normal((n, DIM)).astype(np.float32), rng.standard_normal((n, DIM)).astype(np.float32)
    folder = Path(tempfile.mkdtemp(prefix="graphvec-bench-vectors-"))
    try:
        report = {"nodes": n, "relationships": int(len(src)), "dimensions": DIM}
        report["table_s"] = round(table_write(folder, src, dst, weight, vectors, context), 2)
        db, conn, ids = _fresh_store(folder, src, dst, weight)
        report["rebuild_s"] = round(rebuild(conn, ids, vectors, context), 2)
        check = conn.execute("MATCH (n:Node {id: '7'}) RETURN n.embedding AS e").get_as_arrow().column("e")[0].as_py()
        assert np.allclose(check, vectors[7]), "the rebuilt table must hold node 7's vector"
        assert conn.execute("MATCH ()-[r:LINK]->() RETURN count(r) AS n").get_as_arrow().column("n")[0].as_py() == len(src)
        conn.close()
        db.close()
        db, conn, ids = _fresh_store(folder, src, dst, weight)
        report["set_s"] = round(set_in_place(conn, ids, vectors, context), 2)
        conn.close()
        db.close()
        for way in ("rebuild", "set"):
            report[f"{way}_over_table"] = round(report[f"{way}_s"] / report["table_s"], 2)
        report["documents_graph"] = documents_graph(folder, vectors, context)
        import ladybug

        report["ladybug"] = ladybug.__version__
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    (OUT / "vectors_on_nodes.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
