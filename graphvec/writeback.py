"""Vectors → store: node vectors, SIMILAR relationships, a vector index, and a run record.

A write is tagged with its run id everywhere: each vector's run, each SIMILAR's `run`, and an
`(:EmbeddingRun {status})` record that says `writing` until the last step has landed and
`complete` after.  How vectors land is the store's business (`Store.write_vectors`): the embedded
store replaces a label's whole vector table in one swap, so a label never mixes two runs; Neo4j
sets node properties in 10k-row transactions, so a crash can leave a mix, but never silently:
`graphvec stats` reports the unfinished run and how many nodes carry which run.  Either way,
running the same `write` again skips what already landed and completes it.

SIMILAR holds, per node label, each node's top-k cosine neighbours within that label, computed by
graphvec.similarity; a rebuild deletes the label's old SIMILAR relationships first, so re-running
never duplicates them.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import scipy.sparse as sp

from .errors import GraphvecError
from .projection import Projection
from .scoring import LabelModel, top_labels
from .similarity import EXACT_LIMIT, top_k
from .store import Store, WriteStep
from .train import Vectors

@dataclass
class WriteReport:
    run_id: str
    labels: dict = field(default_factory=dict)
    similar: dict = field(default_factory=dict)
    samples: dict = field(default_factory=dict)
    skipped_already_written: int = 0
    predicted: dict = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return {"run_id": self.run_id, "labels": self.labels, "similar": self.similar, "samples": self.samples,
                "skipped_already_written": self.skipped_already_written, "predicted": self.predicted,
                "seconds": self.seconds}


def _vector_column(matrix: np.ndarray) -> pa.Array:
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    return pa.FixedSizeListArray.from_arrays(pa.array(matrix.ravel()), matrix.shape[1])


def run_record(run_id: str, vectors: Vectors, projection: Projection, status: str, seconds: float) -> pa.Table:
    meta = vectors.metadata
    method = meta.get("walk", {}).get("method", "unknown")
    return pa.table({
        "id": [run_id], "created_at": [meta.get("created_at", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))],
        "method": [method], "parameters": [json.dumps({"walk": meta.get("walk", {}), "train": meta.get("train_params", {})})],
        "nodes": [int(vectors.trained.sum())], "dimensions": [int(vectors.vectors.shape[1])],
        "graph_fingerprint": [projection.fingerprint], "seconds": [float(seconds)], "status": [status],
        "labels": [",".join(projection.label_names)],
    })


def write_back(store: Store, projection: Projection, vectors: Vectors, *, run_id: str, top_k_neighbours: int = 10,
               predict_k: int = 10, exact_limit: int = EXACT_LIMIT, progress=None,
               stop_after_batches: int | None = None) -> WriteReport:
    """Write the vectors, SIMILAR top-k and the run record; safe to re-run, resumes after a crash.

    `stop_after_batches` interrupts the write after that many vector batches (the tests use it to
    check that a re-run completes an interrupted write).
    """
    started = time.perf_counter()
    if len(vectors.vectors) != projection.node_count:
        raise GraphvecError(f"the vectors cover {len(vectors.vectors)} nodes but the projection has {projection.node_count}; "
                            "the graph changed since training: run 'graphvec embed' again")
    dimensions = int(vectors.vectors.shape[1])
    report = WriteReport(run_id)
    store.ensure_schema("schema_runs")
    store.write([WriteStep("upsert_run", run_record(run_id, vectors, projection, "writing", 0.0))], {})
    plans = []
    for code, label in enumerate(projection.label_names):
        members = np.flatnonzero(projection.node_label == code)
        trained = vectors.trained[members]
        plans.append((label, {"label": label, "key": projection.spec.key_for(label)}, members, trained))
        report.labels[label] = {"nodes": int(len(members)), "embedded": int(trained.sum()),
                                "without_vector": int((~trained).sum())}
    if progress is not None:
        progress.update(total=int(vectors.trained.sum()))
    batches_done = 0

    def landed(rows: int) -> None:
        nonlocal batches_done
        batches_done += 1
        if progress is not None:
            progress.advance(rows)
        if stop_after_batches is not None and batches_done >= stop_after_batches:
            raise GraphvecError(f"write interrupted after {batches_done} batches (run {run_id} is incomplete)")

    for label, ids, members, trained in plans:
        batch = members[trained]
        table = pa.table({"key": pa.array(projection.names[batch].astype(str)),
                          "embedding": _vector_column(vectors.vectors[batch]),
                          "context": _vector_column(vectors.context[batch]),
                          "run": pa.array([run_id] * len(batch), pa.string())})
        skipped = store.write_vectors(label, ids["key"], table, run_id, on_batch=landed)
        report.skipped_already_written += skipped
        if skipped and progress is not None:
            progress.advance(skipped)
    for label, ids, members, trained in plans:
        embedded = members[trained]
        if top_k_neighbours > 0 and len(embedded) > 1:
            neighbours, scores, method = top_k(vectors.vectors[embedded], top_k_neighbours, exact_limit=exact_limit)
            k = neighbours.shape[1]
            table = pa.table({"a": pa.array(np.repeat(projection.names[embedded], k).astype(str)),
                              "b": pa.array(projection.names[embedded[neighbours.ravel()]].astype(str)),
                              "score": pa.array(scores.ravel().astype(np.float64)),
                              "rank": pa.array(np.tile(np.arange(1, k + 1, dtype=np.int64), len(embedded))),
                              "run": pa.array([run_id] * (len(embedded) * k))})
            store.ensure_schema_with("schema_similar", label=label)
            # Two statements, not one transaction: LadybugDB 0.22 crashed (segfault) when a
            # transaction deleted every SIMILAR of 100k nodes and then copied 1M new ones.  The
            # run record still says `writing` until both have landed, so a crash in between is
            # reported by `stats` and completed by re-running.
            store.write([WriteStep("delete_similar", identifiers=ids)], {}, atomic=False)
            store.write([WriteStep("create_similar", table, identifiers=ids)], {}, atomic=False)
            report.similar[label] = {"k": int(k), "relationships": int(table.num_rows), "method": method}
            degrees = projection.degrees()[embedded]
            report.samples[label] = [
                {"node": str(projection.names[embedded[i]]),
                 "neighbours": [[str(projection.names[embedded[j]]), round(float(sc), 3)] for j, sc in zip(neighbours[i][:5], scores[i][:5])]}
                for i in np.argsort(-degrees, kind="stable")[:3]]
        store.write([WriteStep("create_vector_index", identifiers={**ids, "index_name": f"embedding_{label}",
                                                                   "dimensions": dimensions})], {})
    meta = {"embedding_run": run_id, "embedding_fingerprint": projection.fingerprint}
    if predict_k > 0 and "Label" in projection.label_names and store.counts().get("HAS_LABEL"):
        report.predicted = write_predictions(store, run_id, predict_k)
        meta["predicted_k"] = str(predict_k)
    report.seconds = round(time.perf_counter() - started, 3)
    store.write([WriteStep("upsert_run", run_record(run_id, vectors, projection, "complete", report.seconds))], meta)
    return report


def write_predictions(store: Store, run_id: str, k: int, method: str = "pmi") -> dict:
    """(:Document)-[:PREDICTED {score, rank, run}]->(:Label): each document's top-k missing labels.

    Scored by graphvec.scoring from the stored label vectors and the documents' current labels,
    so every document with at least one label gets recommendations, whether or not documents were
    in the projection.  A rebuild deletes the old PREDICTED first, like SIMILAR.
    """
    labels = store.read("read_labels")
    names = np.array(labels.column("name").to_pylist(), dtype=object)
    code = {name: i for i, name in enumerate(names)}
    pairs = store.read("read_has_label")
    doc_keys = np.array(pairs.column("doc").to_pylist(), dtype=object)
    docs, doc_codes = np.unique(doc_keys.astype(str), return_inverse=True)
    label_codes = np.array([code[name] for name in pairs.column("label").to_pylist()], dtype=np.int64)
    x = sp.csr_matrix((np.ones(len(label_codes), np.float32), (doc_codes, label_codes)), shape=(len(docs), len(names)))
    x.data[:] = 1.0
    stored = store.read_vectors("Label", "name")
    dimensions = len(stored.column("embedding")[0]) if stored.num_rows else 0
    embedding = np.zeros((len(names), dimensions), np.float32)
    context = np.zeros((len(names), dimensions), np.float32)
    rows = [code[key] for key in stored.column("key").to_pylist()]
    embedding[rows] = np.array(stored.column("embedding").to_pylist(), np.float32)
    context[rows] = np.array(stored.column("context").to_pylist(), np.float32)
    model = LabelModel(np.array(labels.column("df").to_pylist(), np.float64), embedding, context)
    indices, scores = top_labels(x, model, k, method)
    valid = indices >= 0
    doc_rows, ranks = np.nonzero(valid)
    table = pa.table({"a": pa.array(docs[doc_rows].astype(str)), "b": pa.array(names[indices[valid]].astype(str)),
                      "score": pa.array(scores[valid].astype(np.float64)), "rank": pa.array((ranks + 1).astype(np.int64)),
                      "run": pa.array([run_id] * int(valid.sum()), pa.string())})
    store.ensure_schema("schema_predicted")
    store.write([WriteStep("delete_predicted")], {}, atomic=False)
    store.write([WriteStep("create_predicted", table)], {}, atomic=False)
    return {"documents": int(len(docs)), "relationships": int(table.num_rows), "k": int(k), "method": method}


def embedding_status(store: Store) -> dict:
    """Staleness and consistency of the stored vectors, for `graphvec stats`."""
    counts = store.counts()
    if not counts.get("EmbeddingRun"):
        return {}
    runs = store.read("read_runs").to_pylist()
    meta = store.meta()
    latest = meta.get("embedding_run")
    status: dict = {"latest_run": latest, "runs": len(runs), "warnings": []}
    unfinished = [r["id"] for r in runs if r["status"] != "complete"]
    if unfinished:
        status["warnings"].append(f"run {unfinished[0]} did not finish writing: re-run the same 'graphvec write' or 'embed'")
    labels = sorted({label for r in runs for label in (r["labels"] or "").split(",") if label})
    per_label = {}
    for label in labels:
        if label not in counts:
            continue
        by_run = store.vector_runs(label)
        with_vector = sum(by_run.values())
        per_label[label] = {"with_vector": with_vector, "without_vector": counts[label] - with_vector, "by_run": by_run}
        if len(by_run) > 1:
            status["warnings"].append(f"{label}: vectors from {len(by_run)} different runs are mixed ({by_run})")
    status["labels"] = per_label
    latest_record = next((r for r in runs if r["id"] == latest), None)
    if latest_record is not None:
        status["stale"] = latest_record["graph_fingerprint"] != store.fingerprint()
        if status["stale"]:
            status["warnings"].append("the graph changed since the latest vectors were learned: run 'graphvec embed' again")
    return status
