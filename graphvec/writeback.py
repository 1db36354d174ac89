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
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)
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


@dataclass
class VectorSet:
    """One node label's vectors as they will be written: node keys, both vector sets, which nodes
    have a vector, and (to pick the sample nodes shown) their degrees."""

    label: str
    key: str
    names: np.ndarray
    embedding: np.ndarray
    context: np.ndarray
    has_vector: np.ndarray
    degrees: np.ndarray | None = None

    @property
    def ids(self) -> dict:
        return {"label": self.label, "key": self.key}

    def rows(self, run_id: str, mask: np.ndarray | None = None) -> pa.Table:
        mask = self.has_vector if mask is None else mask & self.has_vector
        return pa.table({"key": pa.array(self.names[mask].astype(str)), "embedding": _vector_column(self.embedding[mask]),
                         "context": _vector_column(self.context[mask]), "run": pa.array([run_id] * int(mask.sum()), pa.string())})


def vector_sets(projection: Projection, vectors: Vectors) -> list[VectorSet]:
    """A projection's trained vectors, one set per node label."""
    sets = []
    degrees = projection.degrees()
    for code, label in enumerate(projection.label_names):
        members = np.flatnonzero(projection.node_label == code)
        sets.append(VectorSet(label, projection.spec.key_for(label), projection.names[members], vectors.vectors[members],
                              vectors.context[members], vectors.trained[members], degrees[members]))
    return sets


@dataclass
class RunInfo:
    """What a run record says about how its vectors were made."""

    run_id: str
    method: str
    parameters: dict
    fingerprint: str
    created_at: str = field(default_factory=lambda: time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))


def run_info(run_id: str, vectors: Vectors, projection: Projection, **extra) -> RunInfo:
    """The run record of vectors trained on a projection; `extra` joins the parameters (how
    documents got vectors, alignment, the run an update extends)."""
    meta = vectors.metadata
    return RunInfo(run_id, meta.get("walk", {}).get("method", "unknown"),
                   {"walk": meta.get("walk", {}), "train": meta.get("train_params", {}), "spec": asdict(projection.spec), **extra},
                   projection.fingerprint, meta.get("created_at", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())))


def run_record(run: RunInfo, sets: list[VectorSet], status: str, seconds: float) -> pa.Table:
    dimensions = next((int(s.embedding.shape[1]) for s in sets), 0)
    return pa.table({
        "id": [run.run_id], "created_at": [run.created_at], "method": [run.method],
        "parameters": [json.dumps(run.parameters, default=_plain)], "nodes": [int(sum(int(s.has_vector.sum()) for s in sets))],
        "dimensions": [dimensions], "graph_fingerprint": [run.fingerprint], "seconds": [float(seconds)], "status": [status],
        "labels": [",".join(s.label for s in sets)],
    })


def _plain(value):
    return value.tolist() if isinstance(value, (np.ndarray, np.generic)) else str(value)


def write_back(store: Store, projection: Projection, vectors: Vectors, *, run_id: str, top_k_neighbours: int = 10,
               predict_k: int = 10, exact_limit: int = EXACT_LIMIT, progress=None, stop_after_batches: int | None = None,
               documents: VectorSet | None = None, parameters: dict | None = None) -> WriteReport:
    """Write the vectors, SIMILAR top-k and the run record; safe to re-run, resumes after a crash.

    `documents`, when given, are the Document vectors to write instead of the projection's own
    (derived from the label vectors, graphvec.documents).  `stop_after_batches` interrupts the
    write after that many vector batches (the tests use it to check that a re-run completes an
    interrupted write).
    """
    if len(vectors.vectors) != projection.node_count:
        raise GraphvecError(f"the vectors cover {len(vectors.vectors)} nodes but the projection has {projection.node_count}; "
                            "the graph changed since training: run 'graphvec embed' again")
    sets = [s for s in vector_sets(projection, vectors) if documents is None or s.label != documents.label]
    if documents is not None:
        sets.append(documents)
    return write_sets(store, sets, run_info(run_id, vectors, projection, **(parameters or {})), top_k=top_k_neighbours,
                      predict_k=predict_k if "Label" in projection.label_names else 0, exact_limit=exact_limit,
                      progress=progress, stop_after_batches=stop_after_batches)


def write_sets(store: Store, sets: list[VectorSet], run: RunInfo, *, top_k: int = 10, predict_k: int = 0,
               exact_limit: int = EXACT_LIMIT, progress=None, stop_after_batches: int | None = None) -> WriteReport:
    """Write each set's vectors, then its SIMILAR top-k and vector index, then PREDICTED; the run
    record says `writing` until the last step has landed, and the store's meta then names it
    the latest run."""
    started = time.perf_counter()
    report = WriteReport(run.run_id)
    store.ensure_schema("schema_runs")
    store.write([WriteStep("upsert_run", run_record(run, sets, "writing", 0.0))], {})
    for s in sets:
        report.labels[s.label] = {"nodes": int(len(s.names)), "embedded": int(s.has_vector.sum()),
                                  "without_vector": int((~s.has_vector).sum())}
    if progress is not None:
        progress.update(total=int(sum(int(s.has_vector.sum()) for s in sets)))
    batches_done = 0

    def landed(rows: int) -> None:
        nonlocal batches_done
        batches_done += 1
        if progress is not None:
            progress.advance(rows)
        if stop_after_batches is not None and batches_done >= stop_after_batches:
            raise GraphvecError(f"write interrupted after {batches_done} batches (run {run.run_id} is incomplete)")

    for s in sets:
        skipped = store.write_vectors(s.label, s.key, s.rows(run.run_id), run.run_id, on_batch=landed)
        report.skipped_already_written += skipped
        if skipped and progress is not None:
            progress.advance(skipped)
    for s in sets:
        if top_k > 0 and s.has_vector.sum() > 1:
            report.similar[s.label], report.samples[s.label] = write_similar(store, s, run.run_id, top_k, exact_limit)
        store.write([WriteStep("create_vector_index", identifiers={**s.ids, "index_name": f"embedding_{s.label}",
                                                                   "dimensions": int(s.embedding.shape[1])})], {})
    meta = {"embedding_run": run.run_id, "embedding_fingerprint": run.fingerprint}
    if predict_k > 0 and any(s.label == "Label" for s in sets) and store.counts().get("HAS_LABEL"):
        report.predicted = write_predictions(store, run.run_id, predict_k)
        meta["predicted_k"] = str(predict_k)
    report.seconds = round(time.perf_counter() - started, 3)
    store.write([WriteStep("upsert_run", run_record(run, sets, "complete", report.seconds))], meta)
    return report


def write_similar(store: Store, s: VectorSet, run_id: str, k: int, exact_limit: int = EXACT_LIMIT) -> tuple[dict, list]:
    """Replace a label's SIMILAR relationships by each embedded node's top-k cosine neighbours."""
    embedded = np.flatnonzero(s.has_vector)
    neighbours, scores, method = top_k(s.embedding[embedded], k, exact_limit=exact_limit)
    table = _similar_rows(s.names[embedded], s.names[embedded[neighbours]], scores, run_id)
    store.ensure_schema_with("schema_similar", label=s.label)
    # Two statements, not one transaction: LadybugDB 0.22 crashed (segfault) when a
    # transaction deleted every SIMILAR of 100k nodes and then copied 1M new ones.  The
    # run record still says `writing` until both have landed, so a crash in between is
    # reported by `stats` and completed by re-running.
    store.write([WriteStep("delete_similar", identifiers=s.ids)], {}, atomic=False)
    store.write([WriteStep("create_similar", table, identifiers=s.ids)], {}, atomic=False)
    degrees = s.degrees[embedded] if s.degrees is not None else np.zeros(len(embedded))
    samples = [{"node": str(s.names[embedded[i]]),
                "neighbours": [[str(s.names[embedded[j]]), round(float(sc), 3)] for j, sc in zip(neighbours[i][:5], scores[i][:5])]}
               for i in np.argsort(-degrees, kind="stable")[:3]]
    return {"k": int(neighbours.shape[1]), "relationships": int(table.num_rows), "method": method}, samples


def update_similar(store: Store, s: VectorSet, new: np.ndarray, run_id: str, k: int) -> dict:
    """Bring a label's SIMILAR up to date after `new` nodes got vectors, all others unchanged.

    A new node gets its top-k among every vector.  An old node's top-k can only change by new
    nodes entering it, so its stored list is merged with its k best new candidates, and only
    the nodes whose list changed are rewritten (the same lists a full rebuild would give, up to
    ties).  Cost: two searches against the new vectors instead of all pairs."""
    from .similarity import search

    have = np.flatnonzero(s.has_vector)
    vectors, names, is_new = s.embedding[have], s.names[have].astype(str), new[have]
    new_rows, old_rows = np.flatnonzero(is_new), np.flatnonzero(~is_new)
    if len(new_rows) == 0 or len(have) < 2:
        return {"k": k, "new_nodes": 0, "old_nodes_changed": 0, "relationships": 0}
    k = min(k, len(have) - 1)
    new_neighbours, new_scores = search(vectors, vectors[new_rows], k, exclude=new_rows)
    stored = store.read("read_similar", **s.ids)
    position = pd.Index(names)
    a = position.get_indexer([str(x) for x in stored.column("a").to_pylist()])
    b = position.get_indexer([str(x) for x in stored.column("b").to_pylist()])
    score = np.asarray(stored.column("score").to_numpy(zero_copy_only=False), dtype=np.float32)
    ok = (a >= 0) & (b >= 0)
    a, b, score = a[ok], b[ok], score[ok]
    order = np.lexsort((b, -score, a))
    a, b, score = a[order], b[order], score[order]
    slot = np.arange(len(a)) - np.searchsorted(a, a)  # rank within each node's list
    inside = slot < k
    current = np.full((len(have), k), -1, dtype=np.int64)
    current_scores = np.full((len(have), k), -np.inf, dtype=np.float32)
    current[a[inside], slot[inside]] = b[inside]
    current_scores[a[inside], slot[inside]] = score[inside]
    candidates, candidate_scores = search(vectors[new_rows], vectors[old_rows], k)
    candidates = np.where(candidates >= 0, new_rows[np.maximum(candidates, 0)], -1)
    changed = candidate_scores.max(axis=1) > current_scores[old_rows, -1]
    rows = old_rows[changed]
    merged = np.concatenate([current[rows], candidates[changed]], axis=1)
    merged_scores = np.concatenate([current_scores[rows], candidate_scores[changed]], axis=1)
    pick = np.lexsort((merged, -merged_scores), axis=1)[:, :k]
    sources = np.concatenate([rows, new_rows])
    targets = np.concatenate([np.take_along_axis(merged, pick, axis=1), new_neighbours])
    scores = np.concatenate([np.take_along_axis(merged_scores, pick, axis=1), new_scores])
    table = _similar_rows(names[sources], np.where(targets >= 0, names[np.maximum(targets, 0)], ""), scores, run_id)
    table = table.filter(pa.compute.is_finite(table.column("score")))
    store.ensure_schema_with("schema_similar", label=s.label)
    store.write([WriteStep("delete_similar_from", pa.table({"key": pa.array(names[sources])}), identifiers=s.ids)], {}, atomic=False)
    store.write([WriteStep("create_similar", table, identifiers=s.ids)], {}, atomic=False)
    return {"k": int(k), "new_nodes": int(len(new_rows)), "old_nodes_changed": int(changed.sum()), "relationships": int(table.num_rows)}


def _similar_rows(sources: np.ndarray, targets: np.ndarray, scores: np.ndarray, run_id: str) -> pa.Table:
    """SIMILAR rows {a, b, score, rank, run} from each source's best-first targets (sources × k)."""
    k = targets.shape[1]
    return pa.table({"a": pa.array(np.repeat(sources, k).astype(str)), "b": pa.array(targets.ravel().astype(str)),
                     "score": pa.array(scores.ravel().astype(np.float64)),
                     "rank": pa.array(np.tile(np.arange(1, k + 1, dtype=np.int64), len(sources))),
                     "run": pa.array([run_id] * (len(sources) * k), pa.string())})


def aligned_vectors(store: Store, label: str, key: str, names: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """The stored vectors of `label`'s nodes `names`, row i for names[i]: (embedding, context,
    which rows have one, how many stored vectors came from each run).  Rows without a stored
    vector are zero; stored vectors of nodes not in `names` are left out of the rows."""
    stored = store.read_vectors(label, key)
    dimensions = len(stored.column("embedding")[0]) if stored.num_rows else 0
    embedding = np.zeros((len(names), dimensions), np.float32)
    context = np.zeros((len(names), dimensions), np.float32)
    has = np.zeros(len(names), dtype=bool)
    rows = pd.Index(np.asarray(names).astype(str)).get_indexer([str(k) for k in stored.column("key").to_pylist()])
    found = rows >= 0
    embedding[rows[found]] = np.array(stored.column("embedding").to_pylist(), np.float32).reshape(-1, dimensions)[found]
    context[rows[found]] = np.array(stored.column("context").to_pylist(), np.float32).reshape(-1, dimensions)[found]
    has[rows[found]] = True
    runs: dict = {}
    for run in stored.column("run").to_pylist():
        runs[run] = runs.get(run, 0) + 1
    return embedding, context, has, runs


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
    embedding, context, _, _ = aligned_vectors(store, "Label", "name", names)
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
