"""Vectors → store: node vectors, SIMILAR relationships, a vector index, and a run record.

A write is tagged with its run id everywhere: each vector's run, each SIMILAR's `run`, and an
`(:EmbeddingRun {status})` record that says `writing` until the last step has landed and
`complete` after.  How vectors land is the store's business (`Store.write_vectors`): the embedded
store rebuilds the written labels' tables and swaps them in at once, so no label mixes two runs; Neo4j
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
import pyarrow.compute  # noqa: F401  (pa.compute)
import scipy.sparse as sp

from .embedding import Embedding, json_default, positions, utc_now
from .errors import GraphvecError
from .scoring import LABEL_LIMIT, LabelModel, candidate_recall, cooccurrence_counts, top_labels
from .similarity import EXACT_LIMIT, normalise, top_k_measured
from .store import LabelVectors, Store, WriteStep


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


@dataclass
class RunInfo:
    """What a run record says about how its vectors were made."""

    run_id: str
    method: str
    parameters: dict
    fingerprint: str
    created_at: str = field(default_factory=utc_now)

    @classmethod
    def of(cls, embedding: Embedding, **extra) -> "RunInfo":
        """The record of a trained embedding (its metadata says how it was walked and trained);
        `extra` joins the parameters (how documents got vectors, alignment …)."""
        meta = embedding.metadata
        return cls(embedding.run_id, meta.get("walk", {}).get("method", "unknown"),
                   {"walk": meta.get("walk", {}), "train": meta.get("train_params", {}), "spec": meta.get("spec", {}), **extra},
                   meta.get("fingerprint", ""), meta.get("created_at") or utc_now())


def run_record(run: RunInfo, sets: list[Embedding], status: str, seconds: float, written: dict | None = None) -> pa.Table:
    """One EmbeddingRun row; `written` (label → mask of new vectors) counts only what an update added."""
    dimensions = next((s.dimensions for s in sets), 0)
    nodes = sum(int(written[s.label].sum()) if written else int(s.has_vector.sum()) for s in sets)
    return pa.table({
        "id": [run.run_id], "created_at": [run.created_at], "method": [run.method],
        "parameters": [json.dumps(run.parameters, default=json_default)], "nodes": [nodes],
        "dimensions": [dimensions], "graph_fingerprint": [run.fingerprint], "seconds": [float(seconds)], "status": [status],
        "labels": [",".join(s.label for s in sets)],
    })


def check_counts(top_k: int, predict_k: int | None = None) -> None:
    """--top-k and --predict-k are counts: 0 turns the step off, a negative one is a mistake
    (checked before any work, so a typo never costs a training run)."""
    for flag, value in (("--top-k", top_k), ("--predict-k", predict_k)):
        if value is not None and (not isinstance(value, (int, np.integer)) or value < 0):
            raise GraphvecError(f"{flag} must be 0 (none) or more, not {value}")


def write_back(store: Store, embedding: Embedding, *, run: RunInfo | None = None, top_k: int | None = 10, predict_k: int = 10,
               exact_limit: int = EXACT_LIMIT, progress=None, stop_after_batches: int | None = None,
               fresh: dict | None = None, release: bool = False) -> WriteReport:
    """The one write-back protocol (`embed`, `write`, `embed-documents`, `update`): each label's
    vectors, then its SIMILAR top-k and vector index, then PREDICTED when labels were written and
    documents carry labels.  The run record says `writing` until the last step has landed, and
    the store's meta then names it the latest run.  Safe to re-run: a write of the same run skips
    what already landed.

    `fresh` (label → mask over that label's rows) adds only those vectors to the ones stored and
    brings SIMILAR up to date around them (`update`, where `top_k` None keeps each label's stored
    k); otherwise each label's vectors replace the stored ones.  `predict_k` None keeps
    PREDICTED's stored k (recomputed only when it was written).
    A fold-in write marks each label's SIMILAR in the run record as `started` before it deletes
    the lists it rewrites and `done` after the last batch: a re-run of the same run (`update`
    resumes an unfinished fold-in) skips a label that is done and rebuilds every list of one that
    was started, whose deleted lists can no longer be merged with.
    `release` lets go of `embedding`'s vectors (Embedding.release_vectors) once SIMILAR is written:
    PREDICTED needs only the stored label vectors, and its scoring and COPY then do not sit on
    every document's (the caller must not need them after: `embed` from the command line).
    `stop_after_batches` interrupts the write after that many batches, of vectors and then of
    relationships (the tests use it to check that a re-run completes an interrupted write)."""
    check_counts(top_k, predict_k)
    if top_k is None and fresh is None:
        raise GraphvecError("--top-k is needed when every vector is written")
    started = time.perf_counter()
    run = run or RunInfo.of(embedding)
    sets = _per_label(embedding)
    if fresh is not None:  # only nodes that have a vector can be new
        fresh = {s.label: fresh[s.label] & s.has_vector for s in sets}
    report = WriteReport(run.run_id)
    store.ensure_schema("schema_runs")
    store.write([WriteStep("upsert_run", run_record(run, sets, "writing", 0.0, fresh))], {})
    for s in sets:
        report.labels[s.label] = {"nodes": len(s), "embedded": int(s.has_vector.sum()), "without_vector": int((~s.has_vector).sum())}
        if fresh is not None:
            report.labels[s.label]["new_vectors"] = int(fresh[s.label].sum())
    if progress is not None:
        progress.update(total=int(sum(int(s.has_vector.sum()) for s in sets)))
    batches_done = 0

    def checkpoint(rows: int) -> None:
        nonlocal batches_done
        batches_done += 1
        if stop_after_batches is not None and batches_done >= stop_after_batches:
            raise GraphvecError(f"write interrupted after {batches_done} batches (run {run.run_id} is incomplete)")

    def landed(rows: int) -> None:
        if progress is not None:
            progress.advance(rows)
        checkpoint(rows)

    similar_steps = run.parameters.setdefault("similar_steps", {}) if fresh is not None else {}

    def mark(label: str, state: str, k: int) -> None:
        similar_steps[label] = {"state": state, "k": int(k)}
        store.write([WriteStep("upsert_run", run_record(run, sets, "writing", 0.0, fresh))], {})

    if predict_k is None:
        predict_k = int(store.meta().get("predicted_k", 0) or 0)
    predicting = predict_k > 0 and "Label" in embedding.label_names and bool(store.counts().get("HAS_LABEL"))
    # what this write rewrites right after the vectors: a store that copies relationships to
    # write vectors (the embedded one) need not carry these
    rewrites = set()
    if fresh is None:
        rewrites |= {("SIMILAR", s.label, s.label) for s in sets if top_k > 0 and s.has_vector.sum() > 1}
        if predicting:
            rewrites.add(("PREDICTED", "Document", "Label"))
    parts = [LabelVectors(s.label, s.key_property, s.to_arrow(None if fresh is None else fresh[s.label])) for s in sets
             if fresh is None or fresh[s.label].any()]
    skipped = store.write_vectors(parts, run.run_id, on_batch=landed, merge=fresh is not None, rewrites=frozenset(rewrites))
    del parts  # the Arrow copies of every vector: freed before the neighbour searches need their own
    if release:  # written: SIMILAR needs the vectors alone, and may normalise them where they lie
        embedding.release_vectors(context_only=True)
        sets = _per_label(embedding)
    release_freed_memory()
    report.skipped_already_written += skipped
    if skipped and progress is not None:
        progress.advance(skipped)
    for s in sets:
        if fresh is not None:
            step = similar_steps.get(s.label, {})
            if step.get("state") == "done":
                report.similar[s.label] = {"k": step["k"], "written": "already, by the interrupted run this one completes"}
            elif step.get("state") == "started":  # some lists were deleted: every list is computed again
                report.similar[s.label], _ = write_similar(store, s, run.run_id, step["k"], exact_limit, checkpoint)
                report.similar[s.label]["written"] = "every list (the interrupted run had deleted some)"
                mark(s.label, "done", step["k"])
            elif (top_k is None or top_k > 0) and fresh[s.label].any():
                report.similar[s.label] = update_similar(store, s, fresh[s.label], run.run_id, top_k,
                                                         started=lambda k, label=s.label: mark(label, "started", k),
                                                         checkpoint=checkpoint)
                if s.label in similar_steps:
                    mark(s.label, "done", similar_steps[s.label]["k"])
            continue
        if top_k > 0 and s.has_vector.sum() > 1:
            report.similar[s.label], report.samples[s.label] = write_similar(store, s, run.run_id, top_k, exact_limit, checkpoint,
                                                                             consume=release)
        store.write([WriteStep("create_vector_index", identifiers={**_ids(s), "index_name": f"embedding_{s.label}",
                                                                   "dimensions": s.dimensions})], {})
    meta = {"embedding_run": run.run_id, "embedding_fingerprint": run.fingerprint}
    if release:
        s = None  # the loop's last label holds views of the vectors too
        embedding.release_vectors()
        sets = _per_label(embedding)
    if predicting:
        release_freed_memory()
        only = None
        if fresh is not None:  # update: the new documents' recommendations (README "update")
            new_documents = next((s for s in sets if s.label == "Document"), None)
            only = new_documents.keys[fresh["Document"]] if new_documents is not None else np.array([], dtype=object)
        report.predicted = write_predictions(store, run.run_id, predict_k, documents=only, checkpoint=checkpoint)
        meta["predicted_k"] = str(predict_k)
    report.seconds = round(time.perf_counter() - started, 3)
    store.write([WriteStep("upsert_run", run_record(run, sets, "complete", report.seconds, fresh))], meta)
    return report


def _per_label(embedding: Embedding) -> list[Embedding]:
    """One Embedding per node label, views of `embedding`'s arrays (taken again once it lets go of some)."""
    return [embedding.for_label(label) for label in embedding.label_names]


def release_freed_memory() -> None:
    """Hand memory freed by large steps back to the system (glibc and Arrow's mimalloc keep it
    otherwise, and the next step's peak sits on top of it)."""
    import ctypes

    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


REL_BATCH = 2_000_000  # relationships per COPY: LadybugDB holds a COPY's rows in its page cache


def _create(store: Store, step: str, tables, identifiers: dict, checkpoint=None) -> int:
    """Relationships written in batches of REL_BATCH, one statement each (10M SIMILAR in one COPY
    needed more than 1 GB of LadybugDB's page cache); the run record covers a crash in between.
    `tables` is one Arrow table or an iterable of them (built one batch at a time, so that 50M
    rows never exist at once); `checkpoint(rows)` is called after each batch; returns the rows
    written."""
    written = 0
    for table in [tables] if isinstance(tables, pa.Table) else tables:
        for start in range(0, table.num_rows, REL_BATCH):
            batch = table.slice(start, REL_BATCH)
            store.write([WriteStep(step, batch, identifiers=identifiers)], {}, atomic=False)
            if checkpoint is not None:
                checkpoint(batch.num_rows)
        written += table.num_rows
    return written


def compact_rows(matrix: np.ndarray, rows: np.ndarray, block: int = 1 << 16) -> np.ndarray:
    """matrix[rows] (rows ascending) built inside `matrix` itself, which it overwrites: row i
    takes rows[i] ≥ i, block by block, so no block reads a row an earlier one wrote."""
    if len(rows) == len(matrix):
        return matrix
    if not matrix.flags.writeable:
        return matrix[rows]
    for start in range(0, len(rows), block):
        end = min(start + block, len(rows))
        matrix[start:end] = matrix[rows[start:end]]
    return matrix[:len(rows)]


def _ids(s: Embedding) -> dict:
    return {"label": s.label, "key": s.key_property}


def write_similar(store: Store, s: Embedding, run_id: str, k: int, exact_limit: int = EXACT_LIMIT,
                  checkpoint=None, consume: bool = False) -> tuple[dict, list]:
    """Replace a label's SIMILAR relationships by each embedded node's top-k cosine neighbours.

    `consume` lets the search take `s.vectors` itself (write_back's `release`: the caller is done
    with them), so 5M documents' vectors are not copied once more (2.6 GB) to be searched."""
    embedded = np.flatnonzero(s.has_vector)
    # the one matrix the search needs, normalised where it lies
    unit = normalise(compact_rows(s.vectors, embedded) if consume else s.vectors[embedded], in_place=True)
    neighbours, scores, search = top_k_measured(unit, k, exact_limit=exact_limit)
    store.ensure_schema_with("schema_similar", label=s.label)
    # Two statements, not one transaction: LadybugDB 0.22 crashed (segfault) when a
    # transaction deleted every SIMILAR of 100k nodes and then copied 1M new ones.  The
    # run record still says `writing` until both have landed, so a crash in between is
    # reported by `stats` and completed by re-running.
    store.clear(WriteStep("delete_similar", identifiers=_ids(s)), "SIMILAR", s.label, s.label)
    written = _create(store, "create_similar", _similar_batches(s.keys[embedded], np.arange(len(embedded)), neighbours, scores, run_id),
                      _ids(s), checkpoint)
    degrees = s.degrees[embedded] if s.degrees is not None else np.zeros(len(embedded))
    samples = [{"node": str(s.keys[embedded[i]]),
                "neighbours": [[str(s.keys[embedded[j]]), round(float(sc), 3)] for j, sc in zip(neighbours[i][:5], scores[i][:5]) if j >= 0]}
               for i in np.argsort(-degrees, kind="stable")[:3]]
    return {"k": int(neighbours.shape[1]), "relationships": int(written), **search}, samples


def update_similar(store: Store, s: Embedding, new: np.ndarray, run_id: str, k: int | None, *, started=None,
                   checkpoint=None) -> dict:
    """Bring a label's SIMILAR up to date after `new` nodes got vectors, all others unchanged.

    A new node gets its top-k among every vector.  An old node's top-k can only change by new
    nodes entering it, so its stored list is merged with its k best new candidates (the same
    lists a full rebuild would give, up to ties).  Cost: two searches against the new vectors
    instead of all pairs.

    The changed lists are then deleted and written again, or, when the store says that costs more
    (Store.rewrite_cheaper: on LadybugDB, past a sixth of the lists), the label's SIMILAR is
    cleared and every list written; unchanged rows keep the run that wrote them either way.
    `started(k)` is called before the first list is deleted (write_back records it, so that a
    re-run after a crash knows the stored lists can no longer be merged with)."""
    from .similarity import search

    have = np.flatnonzero(s.has_vector)
    names, is_new = s.keys[have].astype(str), new[have]
    new_rows, old_rows = np.flatnonzero(is_new), np.flatnonzero(~is_new)
    if len(new_rows) == 0 or len(have) < 2:
        return {"k": k, "new_nodes": 0, "old_nodes_changed": 0, "relationships": 0}
    vectors = normalise(s.vectors[have], in_place=True)  # one copy, which both searches take as it is
    stored = store.read("read_similar", **_ids(s))
    a = positions(names, stored.column("a"))
    b = positions(names, stored.column("b"))
    if k is None:  # as long as the longest stored list: a rewrite keeps every list's length
        k = int(np.bincount(a[a >= 0]).max()) if (a >= 0).any() else 0
        if k == 0:
            return {"k": 0, "new_nodes": 0, "old_nodes_changed": 0, "relationships": 0, "note": "no stored SIMILAR to extend"}
    k = min(k, len(have) - 1)
    score = np.asarray(stored.column("score").to_numpy(zero_copy_only=False), dtype=np.float32)
    runs = pa.compute.dictionary_encode(stored.column("run").cast(pa.string())).combine_chunks()
    run_names = np.append(runs.dictionary.to_numpy(zero_copy_only=False).astype(object), run_id)
    run_code = pa.compute.fill_null(runs.indices, len(run_names) - 1).to_numpy(zero_copy_only=False).astype(np.int32)
    del stored, runs  # the rows as strings: 2.5 GB at 5M documents, no longer needed for the merge below
    release_freed_memory()
    new_neighbours, new_scores = search(vectors, vectors[new_rows], k, exclude=new_rows)
    # an entry naming a node that gets a vector now is stale (a re-ingested document whose labels
    # changed lost its old one): dropped, it leaves a gap its new score competes for below
    ok = (a >= 0) & (b >= 0) & ~is_new[np.maximum(b, 0)]
    a, b, score, run_code = a[ok], b[ok], score[ok], run_code[ok]
    order = np.lexsort((b, -score, a))
    a, b, score, run_code = a[order], b[order], score[order], run_code[order]
    slot = np.arange(len(a)) - np.searchsorted(a, a)  # rank within each node's list
    inside = slot < k
    current = np.full((len(have), k), -1, dtype=np.int64)
    current_scores = np.full((len(have), k), -np.inf, dtype=np.float32)
    current_runs = np.full((len(have), k), len(run_names) - 1, dtype=np.int32)  # the run that wrote each row
    current[a[inside], slot[inside]] = b[inside]
    current_scores[a[inside], slot[inside]] = score[inside]
    current_runs[a[inside], slot[inside]] = run_code[inside]
    del a, b, score, run_code, order, slot, inside
    candidates, candidate_scores = search(vectors[new_rows], vectors, k, query_rows=old_rows)
    candidates = np.where(candidates >= 0, new_rows[np.maximum(candidates, 0)], -1)
    changed = candidate_scores.max(axis=1) > current_scores[old_rows, -1]
    rows = old_rows[changed]
    merged = np.concatenate([current[rows], candidates[changed]], axis=1)
    merged_scores = np.concatenate([current_scores[rows], candidate_scores[changed]], axis=1)
    pick = np.lexsort((merged, -merged_scores), axis=1)[:, :k]
    current[rows], current_scores[rows] = np.take_along_axis(merged, pick, axis=1), np.take_along_axis(merged_scores, pick, axis=1)
    current[new_rows], current_scores[new_rows] = new_neighbours, new_scores
    sources = np.concatenate([rows, new_rows])
    current_runs[sources] = len(run_names) - 1
    rewrite = store.rewrite_cheaper(len(sources) * k, len(have) * k)
    if rewrite:  # every list written again after one clear, unchanged ones with the run that wrote them
        sources = np.arange(len(have))
    runs = pa.DictionaryArray.from_arrays(pa.array(current_runs[sources].ravel()), pa.array(run_names.astype(str)))
    table = _similar_batches(names, sources, current[sources], current_scores[sources], runs)
    store.ensure_schema_with("schema_similar", label=s.label)
    if started is not None:
        started(k)
    if rewrite:
        store.clear(WriteStep("delete_similar", identifiers=_ids(s)), "SIMILAR", s.label, s.label)
    else:
        store.write([WriteStep("delete_similar_from", pa.table({"key": pa.array(names[sources])}), identifiers=_ids(s))], {}, atomic=False)
    written = _create(store, "create_similar", table, _ids(s), checkpoint)
    return {"k": int(k), "new_nodes": int(len(new_rows)), "old_nodes_changed": int(changed.sum()), "relationships": int(written),
            "written": "every list" if rewrite else "changed lists"}


def _similar_batches(keys: np.ndarray, sources: np.ndarray, targets: np.ndarray, scores: np.ndarray, run: str | pa.Array):
    """SIMILAR rows {a, b, score, rank, run}, about REL_BATCH at a time: `sources` and `targets`
    (sources × k, best first, -1 where a list is shorter) are rows of `keys`; `run` is the run id
    of every row or a column of one per row (dictionary-encoded is fine).  Keys are taken as Arrow
    strings, one per node, not one Python string per row; rows with no neighbour are left out."""
    k = targets.shape[1]
    names = pa.array(np.asarray(keys).astype(str))
    step = max(1, REL_BATCH // max(k, 1))
    for start in range(0, len(sources), step):
        part = slice(start, start + step)
        count = len(sources[part]) * k
        found = (targets[part] >= 0).ravel() & np.isfinite(scores[part]).ravel()
        runs = pa.repeat(pa.scalar(run, pa.string()), count) if isinstance(run, str) else run.slice(start * k, count).cast(pa.string())
        table = pa.table({"a": names.take(pa.array(np.repeat(sources[part], k))),
                          "b": names.take(pa.array(np.maximum(targets[part], 0).ravel())),
                          "score": pa.array(scores[part].ravel().astype(np.float64)),
                          "rank": pa.array(np.tile(np.arange(1, k + 1, dtype=np.int64), len(sources[part]))), "run": runs})
        yield table if found.all() else table.filter(pa.array(found))


def write_predictions(store: Store, run_id: str, k: int, method: str = "blend", documents: np.ndarray | None = None,
                      checkpoint=None) -> dict:
    """(:Document)-[:PREDICTED {score, rank, run}]->(:Label): each document's top-k missing labels.

    Scored by graphvec.scoring from the stored label vectors and the documents' current labels,
    so every document with at least one label gets recommendations, whether or not documents were
    in the projection.  A rebuild deletes the old PREDICTED first, like SIMILAR.  Past
    scoring.LABEL_LIMIT labels the scores come from candidates (co-occurring labels and a vector
    search), and the report gives their recall of the exact top-k on a sample of documents.

    `documents` (keys) rescores only those and replaces only their PREDICTED (`update`: the new
    documents, which carry `run_id`'s vectors; the others keep theirs, scored on the counts of the
    run that wrote them).
    """
    labels = store.read("read_labels")
    names = np.array([str(n) for n in labels.column("name").to_pylist()], dtype=object)
    stored = store.read_embedding("Label", keys=names)
    pairs = store.read("read_has_label")
    docs = pa.compute.dictionary_encode(pairs.column("doc").cast(pa.string())).combine_chunks()
    doc_codes = np.asarray(docs.indices, np.int64)
    doc_keys = docs.dictionary
    label_codes = stored.rows_of(pairs.column("label"))
    x = sp.csr_matrix((np.ones(len(label_codes), np.float32), (doc_codes, label_codes)), shape=(len(doc_keys), len(names)))
    x.data[:] = 1.0
    model = LabelModel(np.array(labels.column("df").to_pylist(), np.float64), stored.vectors, stored.context,
                       cooccurrence_counts(x), n_documents=len(doc_keys))
    if documents is not None:
        rows = np.flatnonzero(pa.compute.is_in(doc_keys, value_set=pa.array(np.asarray(documents, dtype=str))).to_numpy(zero_copy_only=False))
        x, doc_keys = x[rows], doc_keys.take(pa.array(rows))
        if len(rows) == 0:
            return {"documents": 0, "k": int(k), "method": method, "relationships": 0, "only_new_documents": True}
    started = time.perf_counter()
    indices, scores = top_labels(x, model, k, method)
    report = {"documents": int(len(doc_keys)), "k": int(k), "method": method, "only_new_documents": documents is not None, "scoring_s": round(time.perf_counter() - started, 3),
              "scored": "every label" if model.n_labels <= LABEL_LIMIT else "candidates"}
    if model.n_labels > LABEL_LIMIT:
        report["candidate_recall"] = round(candidate_recall(x, model, k, method, indices), 4)
    store.ensure_schema("schema_predicted")
    if documents is None:
        store.clear(WriteStep("delete_predicted"), "PREDICTED", "Document", "Label")
    else:
        # the documents rescored are those carrying this run's vectors (write_back set them first): a
        # scan by run, where a join against a key list filled LadybugDB's page cache at 5M documents
        store.write([WriteStep("delete_predicted_of_run", params={"run": run_id})], {}, atomic=False)
    written = _create(store, "create_predicted", _predicted_batches(doc_keys, pa.array(names.astype(str)), indices, scores, run_id), {},
                      checkpoint)
    return {**report, "relationships": int(written)}


def _predicted_batches(doc_keys: pa.Array, label_names: pa.Array, indices: np.ndarray, scores: np.ndarray, run_id: str):
    """PREDICTED rows {a, b, score, rank, run} about REL_BATCH at a time (documents × k, -1 where a
    document has fewer recommendations)."""
    step = max(1, REL_BATCH // max(indices.shape[1], 1))
    for start in range(0, len(indices), step):
        valid = indices[start:start + step] >= 0
        doc_rows, ranks = np.nonzero(valid)
        yield pa.table({"a": doc_keys.take(pa.array(doc_rows + start)), "b": label_names.take(pa.array(indices[start:start + step][valid])),
                        "score": pa.array(scores[start:start + step][valid].astype(np.float64)),
                        "rank": pa.array((ranks + 1).astype(np.int64)),
                        "run": pa.repeat(pa.scalar(run_id, pa.string()), int(valid.sum()))})
