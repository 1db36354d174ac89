"""What writing vectors onto the nodes of the embedded store costs, against two peers.

graphvec writes vectors as node columns by rebuilding the label's node table and every
relationship table touching it (`EmbeddedStore.write_vectors`).  Two peers are measured on the same
data in the same run, each timed to the end of a checkpoint:

- `table`: a bulk COPY into a vector table beside the nodes, keyed like them (how graphvec kept
  vectors before, and the cheapest possible write: it touches nothing else);
- `set`: `SET` of array properties on the existing nodes, 4k-row `LOAD FROM` statements.

Graphs: the 100k-node / 1M-edge synthetic graph (100k × 128 vectors, input and context), written
twice by graphvec (the second write also reads back the first write's vector columns, the steady
state of re-embedding); and a documents-shaped store (100k documents with 3 labels each among 5k
labels; SIMILAR top-10 of documents and of labels in one multi-pair table; PREDICTED top-10 per
document) where Document's vectors are written the way `embed-documents` does (SIMILAR between
documents is rewritten right after, so not carried) and the way `update` does: 1k new vectors set in
place, 50k new vectors by a rebuild that carries every relationship and the other vectors.

The issue's bar was 1.5× `table`.  Usage: `.venv/bin/python benchmarks/bench_vectors_on_nodes.py`;
prints JSON, writes bench-out/vectors_on_nodes.json.
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


def _rows(keys: np.ndarray, vectors: np.ndarray, context: np.ndarray, run: str) -> pa.Table:
    return pa.table({"key": pa.array(keys.astype(str)), "embedding": _column(vectors), "context": _column(context),
                     "run": pa.array([run] * len(keys), pa.string())})


def _checkpointed(store, fn) -> float:
    started = time.perf_counter()
    fn()
    store._execute("CHECKPOINT")
    return time.perf_counter() - started


def table_peer(store, label: str, keys: np.ndarray, vectors, context) -> float:
    """COPY into a vector table beside the nodes."""
    def write():
        store._execute(f"CREATE NODE TABLE {label}VectorsPeer(key STRING PRIMARY KEY, embedding FLOAT[{DIM}], "
                       f"context_embedding FLOAT[{DIM}], run STRING)")
        store._execute(f"COPY {label}VectorsPeer FROM $rows", {"rows": _rows(keys, vectors, context, "peer")})
    seconds = _checkpointed(store, write)
    store._execute(f"DROP TABLE {label}VectorsPeer")
    return seconds


def set_peer(store, label: str, key: str, keys: np.ndarray, vectors, context) -> float:
    """SET array properties of the existing nodes, in 4k-row statements."""
    def write():
        store._execute(f"ALTER TABLE {label} ADD embedding_peer FLOAT[{DIM}]")
        store._execute(f"ALTER TABLE {label} ADD context_peer FLOAT[{DIM}]")
        for start in range(0, len(keys), 4000):
            batch = pa.table({"key": keys[start:start + 4000].astype(str), "e": _column(vectors[start:start + 4000]),
                              "c": _column(context[start:start + 4000])})
            store._execute(f"LOAD FROM $rows MATCH (n:{label} {{{key}: key}}) SET n.embedding_peer = e, n.context_peer = c",
                           {"rows": batch})
    seconds = _checkpointed(store, write)
    store._execute(f"ALTER TABLE {label} DROP embedding_peer")
    store._execute(f"ALTER TABLE {label} DROP context_peer")
    return seconds


def generic_graph(folder: Path, vectors, context) -> dict:
    from graphvec.ingest import ingest_graph
    from graphvec.sources import read_graph
    from graphvec.store import LabelVectors, open_store

    src, dst, weight = synthetic_graph()
    edge_file = folder / "edges.txt"
    write_edge_list(edge_file, src, dst, weight)
    keys = np.arange(len(vectors))
    report = {"nodes": len(vectors), "relationships": int(len(src)), "dimensions": DIM}
    with open_store(str(folder / "graph.lbug")) as store:
        ingest_graph(store, read_graph(edge_file, weighted=True))
        store._execute("CHECKPOINT")
        report["table_s"] = table_peer(store, "Node", keys, vectors, context)
        report["set_s"] = set_peer(store, "Node", "id", keys, vectors, context)
        for attempt, run in (("graphvec_s", "first"), ("graphvec_again_s", "second")):
            part = LabelVectors("Node", "id", _rows(keys, vectors, context, run))
            report[attempt] = _checkpointed(store, lambda: store.write_vectors([part], run))
        check = store.run_text("MATCH (n:Node {id: '7'}) RETURN n.embedding AS e").column("e")[0].as_py()
        assert np.allclose(check, vectors[7]), "node 7 must carry its vector"
        assert store.counts()["LINK"] == len(src), "every relationship is carried"
    return report


def documents_graph(folder: Path, vectors, context) -> dict:
    from graphvec.store import LabelVectors, open_store

    rng = np.random.default_rng(1)
    n_docs, n_labels = len(vectors), 5_000
    docs = np.arange(n_docs).astype(str)
    labels = np.array([f"l{i}" for i in range(n_labels)])

    def rel_rows(sources, targets, width):
        return pa.table({"a": np.repeat(sources, width), "b": targets.ravel(), "score": rng.random(len(sources) * width),
                         "rank": np.tile(np.arange(1, width + 1), len(sources)), "run": ["old"] * (len(sources) * width)})

    report = {"documents": n_docs, "labels": n_labels}
    with open_store(str(folder / "documents.lbug")) as store:
        store.ensure_schema("schema_documents")
        store.ensure_schema_with("schema_similar", label="Document")
        store.ensure_schema_with("schema_similar", label="Label")
        store.ensure_schema("schema_predicted")
        store._execute("COPY Document FROM $rows", {"rows": pa.table({"id": docs, "title": [f"title {d}" for d in docs]})})
        store._execute("COPY Label FROM $rows", {"rows": pa.table({"name": labels, "df": np.ones(n_labels, np.int64)})})
        store._execute("COPY HAS_LABEL FROM $rows",
                       {"rows": pa.table({"from": np.repeat(docs, 3), "to": labels[rng.integers(0, n_labels, n_docs * 3)]})})
        store._execute("COPY SIMILAR FROM $rows (from='Document', to='Document')",
                       {"rows": rel_rows(docs, docs[rng.integers(0, n_docs, (n_docs, 10))], 10)})
        store._execute("COPY SIMILAR FROM $rows (from='Label', to='Label')",
                       {"rows": rel_rows(labels, labels[rng.integers(0, n_labels, (n_labels, 10))], 10)})
        store._execute("COPY PREDICTED FROM $rows", {"rows": rel_rows(docs, labels[rng.integers(0, n_labels, (n_docs, 10))], 10)})
        store._execute("CHECKPOINT")
        counts = store.counts()
        report["relationships"] = int(counts["HAS_LABEL"] + counts["SIMILAR"] + counts["PREDICTED"])
        keys = np.arange(n_docs)
        report["table_s"] = table_peer(store, "Document", keys, vectors, context)
        part = LabelVectors("Document", "id", _rows(keys, vectors, context, "documents"))
        report["graphvec_embed_documents_s"] = _checkpointed(store, lambda: store.write_vectors(
            [part], "documents", rewrites=frozenset({("SIMILAR", "Document", "Document")})))
        store._execute("COPY SIMILAR FROM $rows (from='Document', to='Document')",  # what embed-documents writes next
                       {"rows": rel_rows(docs, docs[rng.integers(0, n_docs, (n_docs, 10))], 10)})
        store._execute("CHECKPOINT")
        for name, size in (("graphvec_update_1k_in_place_s", 1_000), ("graphvec_update_50k_carrying_everything_s", 50_000)):
            part = LabelVectors("Document", "id", _rows(keys[:size], vectors[:size] + 1, context[:size], name))
            report[name] = _checkpointed(store, lambda: store.write_vectors([part], name, merge=True))
            assert store.vector_runs("Document")[name] == size
        assert store.counts() == counts, "every relationship is carried"
    return report


def main() -> None:
    OUT.mkdir(exist_ok=True)
    rng = np.random.default_rng(0)
    n = 100_000
    vectors, context = rng.standard_normal((n, DIM)).astype(np.float32), rng.standard_normal((n, DIM)).astype(np.float32)
    folder = Path(tempfile.mkdtemp(prefix="graphvec-bench-vectors-"))
    try:
        report = {"generic_graph": generic_graph(folder, vectors, context), "documents_graph": documents_graph(folder, vectors, context)}
        for part in report.values():
            for name in [k for k in part if k.endswith("_s")]:
                part[name] = round(part[name], 2)
                if name != "table_s":
                    part[name.removesuffix("_s") + "_over_table"] = round(part[name] / part["table_s"], 2)
        import ladybug

        report["ladybug"] = ladybug.__version__
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    (OUT / "vectors_on_nodes.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
