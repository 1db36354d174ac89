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
        import ladybug

        report["ladybug"] = ladybug.__version__
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    (OUT / "vectors_on_nodes.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
