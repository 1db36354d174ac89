"""The main job, step by step and end to end: project → walk → train → write back.

Each step is a plain function that the CLI calls; files carry the state between separate
commands (`walks.npy` + `walks.npy.json`, `vectors.npz`), so `graphvec train` and `graphvec write`
can redo one step without the others.  Every file records the projection spec and the store
fingerprint it came from, and a later step refuses to mix files from different graph states.
"""

from __future__ import annotations

import json
import tempfile
import time
import uuid
from dataclasses import asdict
from pathlib import Path

import numpy as np
import pandas as pd

from . import align, documents as docvec, estimate, walks as walk_engine, writeback
from .cooccurrence import incidence
from .errors import GraphvecError
from .projection import Projection, ProjectionSpec, project, require_kind
from .stats import run_records
from .store import Store
from .train import TrainParams, Vectors, fold_in, train, train_streamed
from .writeback import RunInfo, VectorSet, write_back, write_sets


def spec_from_dict(data: dict) -> ProjectionSpec:
    return ProjectionSpec(tuple(data["node_labels"]), tuple((t, w) for t, w in data["relationships"]), data["directed"],
                          tuple((a, b) for a, b in data["node_keys"]), data["min_df"])


def _prepare_walks(projection: Projection, params: walk_engine.WalkParams, method: str, workers, force):
    """What storing and streaming walks share: the method check, the plan and its memory check, the
    walk metadata, and a function that starts the walks (each call yields the same chunks)."""
    walk_engine.check_method(method, params)
    weighted = projection.weighted and method == "node2vec"
    plan = walk_engine.plan(projection.indptr, weighted, params)
    memory = walk_engine.check_memory(plan, force)
    metadata = walk_engine.walk_metadata(params, projection.summary(), projection.spec, workers) | {"method": method, "weighted": weighted}

    def make_walks():
        return walk_engine.iter_walks(projection.indptr, projection.indices, projection.weights, params, weighted=weighted,
                                      directed=projection.directed, chunk_walks=plan.chunk_walks, workers=workers)

    return plan, memory, metadata, make_walks


def _walk_report(projection: Projection, params: walk_engine.WalkParams, plan, memory: dict, metadata: dict, output,
                 seconds: float) -> dict:
    return {"output": output, "method": metadata["method"], "weighted": metadata["weighted"], "walks": plan.total_walks,
            "walk_length": params.walk_length, "steps": plan.total_steps, "seconds": round(seconds, 3),
            "steps_per_second": round(plan.total_steps / max(seconds, 1e-9)), "memory_estimate_bytes": plan.memory(),
            "available_bytes": memory["available_bytes"], "params": asdict(params), "nodes": projection.node_count}


def walk_to_file(projection: Projection, params: walk_engine.WalkParams, method: str, path: Path, *, workers=None,
                 force=False, on_steps=None) -> dict:
    plan, memory, metadata, make_walks = _prepare_walks(projection, params, method, workers, force)
    started = time.perf_counter()
    walk_engine.write_walks(path, make_walks(), plan.total_walks, params.walk_length, metadata,
                            on_chunk=(lambda n: on_steps(n * params.walk_length)) if on_steps else None)
    return _walk_report(projection, params, plan, memory, metadata, str(path), time.perf_counter() - started)


def walk_and_train(projection: Projection, params: walk_engine.WalkParams, method: str, train_params: TrainParams, *,
                   workers=None, force=False, on_steps=None, on_tokens=None) -> tuple[dict, Vectors]:
    """Walks streamed into the numba trainer, never stored (what `embed` does unless --keep-walks
    or --trainer gensim): the walk engine runs once to count tokens and again while training."""
    plan, memory, metadata, make_walks = _prepare_walks(projection, params, method, workers, force)
    count_seconds = 0.0
    started = time.perf_counter()

    def on_counted(walks: int) -> None:
        nonlocal count_seconds
        count_seconds = time.perf_counter() - started
        if on_steps:
            on_steps(walks * params.walk_length)

    vectors = train_streamed(make_walks, projection.node_count, train_params, on_progress=on_tokens, on_counted=on_counted)
    _record_run(vectors, metadata, projection.node_count)
    return _walk_report(projection, params, plan, memory, metadata, None, count_seconds) | {"stored": False}, vectors


def load_walks(path: Path) -> tuple[np.ndarray, dict]:
    path = Path(path)
    meta_path = path.with_name(path.name + ".json")
    if not path.exists() or not meta_path.exists():
        raise GraphvecError(f"{path}: no walk file (with its .json) here; run 'graphvec walk' first")
    return np.load(path, mmap_mode="r"), json.loads(meta_path.read_text())


def projection_for(store: Store, spec_data: dict, fingerprint: str, what: str) -> Projection:
    """Re-read the projection a file was made from, and make sure the graph has not changed since."""
    projection = project(store, spec_from_dict(spec_data))
    if projection.fingerprint != fingerprint:
        raise GraphvecError(f"the graph changed since {what} was made (fingerprint {fingerprint} → {projection.fingerprint}); "
                            "run 'graphvec embed' again")
    return projection


def train_from_walks(walk_matrix: np.ndarray, walk_meta: dict, n_nodes: int, params: TrainParams, on_tokens=None) -> Vectors:
    vectors = train(walk_matrix, n_nodes, params, on_progress=on_tokens)
    _record_run(vectors, walk_meta, n_nodes)
    return vectors


def _record_run(vectors: Vectors, walk_meta: dict, n_nodes: int) -> None:
    vectors.metadata.update({
        "run_id": uuid.uuid4().hex[:12], "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "walk": {"method": walk_meta.get("method"), **walk_meta.get("params", {})}, "spec": walk_meta["spec"],
        "fingerprint": walk_meta["projection"]["fingerprint"], "nodes": n_nodes,
    })


DOCUMENT_SOURCES = ("labels", "walks")


def workload_for(store: Store, spec: ProjectionSpec, walk_params: walk_engine.WalkParams, train_params: TrainParams, method: str,
                 top_k: int, stored_walks: bool = False) -> estimate.Workload:
    """What a job on this projection will hold, from the store's counts alone (nothing is read):
    a relationship counts twice in an undirected projection, once in a directed one."""
    counts = store.counts()
    for label in spec.node_labels:
        require_kind(store, counts, label, "nodes with label")
    nodes = sum(counts[label] for label in spec.node_labels)
    entries = sum(counts.get(rel_type, 0) for rel_type, _ in spec.relationships) * (1 if spec.directed else 2)
    return estimate.Workload(nodes, entries, train_params.dimensions, walk_params.walks_per_node, walk_params.walk_length,
                             train_params.epochs, top_k, spec.weighted and method == "node2vec", train_params.trainer,
                             stored_walks or train_params.trainer == "gensim")


def embed(store: Store, spec: ProjectionSpec, walk_params: walk_engine.WalkParams, method: str, train_params: TrainParams, *,
          top_k: int = 10, predict_k: int = 10, workers: int | None = None, force: bool = False, use_cache: bool = True, progress=None,
          keep_walks: Path | None = None, document_vectors: str = "labels", remove_first_pc: bool = False,
          align_previous: bool = False) -> dict:
    """project → walk → train → write back; `progress(step_name, total, unit)` gives a bar per step.

    When Label nodes are embedded and documents carry them, documents get vectors derived from
    their labels' (`document_vectors="labels"`, the default: it ranked labels better than
    walk-learned document vectors, README "Document vectors") or keep what the walks gave them
    (`"walks"`, only when Document is in the projection).  `align_previous` rotates the new
    vectors onto the stored ones (graphvec.align) before they replace them."""
    if document_vectors not in DOCUMENT_SOURCES:
        raise GraphvecError(f"--document-vectors must be labels or walks, not {document_vectors!r}")
    timings = {}
    started = time.perf_counter()
    workload = workload_for(store, spec, walk_params, train_params, method, top_k, stored_walks=keep_walks is not None)
    memory = estimate.check(workload, force, "embed")
    projection = project(store, spec, use_cache=use_cache)
    timings["project"] = time.perf_counter() - started
    total_steps = projection.node_count * walk_params.walks_per_node * walk_params.walk_length
    if train_params.trainer == "numba" and keep_walks is None:
        with _bar(progress, "walk+train", total_steps * (1 + train_params.epochs), "steps") as bar:
            walk_report, vectors = walk_and_train(projection, walk_params, method, train_params, workers=workers, force=force,
                                                  on_steps=bar.advance, on_tokens=bar.advance)
        timings["walk"] = walk_report["seconds"]
        timings["train"] = vectors.stats["seconds"] - walk_report["seconds"]
    else:
        with tempfile.TemporaryDirectory() as tmp:
            walk_path = keep_walks or Path(tmp) / "walks.npy"
            with _bar(progress, "walk", total_steps, "steps") as bar:
                walk_report = walk_to_file(projection, walk_params, method, walk_path, workers=workers, force=force,
                                           on_steps=bar.advance)
            timings["walk"] = walk_report["seconds"]
            walk_matrix, walk_meta = load_walks(walk_path)
            with _bar(progress, "train", int((walk_matrix >= 0).sum()) * train_params.epochs, "tokens") as bar:
                vectors = train_from_walks(walk_matrix, walk_meta, projection.node_count, train_params, on_tokens=bar.advance)
            del walk_matrix
        timings["train"] = vectors.stats["seconds"]
    t0 = time.perf_counter()
    alignment = align_to_stored(store, projection, vectors) if align_previous else None
    documents, parameters = None, {"documents": {"source": "walks" if "Document" in projection.label_names else "none"}}
    if document_vectors == "labels" and "Label" in projection.label_names and store.counts().get("HAS_LABEL"):
        label_set = next(s for s in writeback.vector_sets(projection, vectors) if s.label == "Label")
        documents, settings = documents_from_labels(store, label_set, "idf", remove_first_pc)
        parameters = {"documents": settings}
    if alignment is not None:
        parameters["alignment"] = alignment
    with _bar(progress, "write", None, "nodes") as bar:
        report = write_back(store, projection, vectors, run_id=vectors.metadata["run_id"], top_k_neighbours=top_k,
                            predict_k=predict_k, progress=bar, documents=documents, parameters=parameters)
    timings["write"] = time.perf_counter() - t0
    skipped = [str(n) for n in projection.names[~vectors.trained][:20]]
    estimate.record_rates(timings, walk_report["steps"], vectors.stats["tokens_trained"], projection.node_count,
                          projection.edge_count, not projection.notes.get("from_cache"))
    return {"run_id": vectors.metadata["run_id"], "timings_s": {k: round(v, 3) for k, v in timings.items()},
            "total_s": round(time.perf_counter() - started, 3), "walk": walk_report, "train": vectors.stats,
            "write": report.to_dict(), "alignment": alignment, "memory": memory, "nodes_without_vector_examples": skipped,
            "why_without_vector": "never walked or never had a neighbour in a walk (isolated node)"}


def stored_label_set(store: Store) -> VectorSet:
    """The Label vectors the store holds, one row per Label node (zero rows where none)."""
    names = np.array([str(n) for n in store.read("read_labels").column("name").to_pylist()], dtype=object)
    embedding, context, has_vector, runs = writeback.aligned_vectors(store, "Label", "name", names)
    if not runs:
        raise GraphvecError(f"{store.location}: no Label has a vector yet; run 'graphvec embed' with Label nodes first")
    return VectorSet("Label", "name", names, embedding, context, has_vector)


def documents_from_labels(store: Store, labels: VectorSet, weighting: str = "idf", remove_first_pc: bool = False,
                          component: np.ndarray | None = None) -> tuple[VectorSet, dict]:
    """Every Document's vector as the weighted mean of its labels' (graphvec.documents), and the
    settings that made them (kept in the run record, the removed component included, so that
    `update` derives later documents the same way)."""
    if weighting not in docvec.WEIGHTINGS:
        raise GraphvecError(f"--weighting must be one of {', '.join(docvec.WEIGHTINGS)}, not {weighting!r}")
    # sorted, as projections order nodes: SIMILAR's ties between equal vectors then break the same
    # way whatever order the database returns documents in
    doc_ids = np.array(sorted(str(d) for d in store.read("read_documents").column("id").to_pylist()), dtype=object)
    pairs = store.read("read_has_label")
    df_table = store.read("read_labels")
    label_index = pd.Index(labels.names)
    df = np.zeros(len(labels.names), np.float64)
    df[label_index.get_indexer([str(n) for n in df_table.column("name").to_pylist()])] = np.asarray(df_table.column("df"), np.float64)
    doc_rows = pd.Index(doc_ids).get_indexer([str(d) for d in pairs.column("doc").to_pylist()])
    label_cols = label_index.get_indexer([str(n) for n in pairs.column("label").to_pylist()])
    inside = label_cols >= 0  # labels below --min-df are outside the embedded set
    x = incidence(doc_rows[inside], label_cols[inside], len(doc_ids), len(labels.names))
    derived = docvec.from_labels(x, labels.embedding, labels.context, labels.has_vector,
                                 docvec.label_weights(df, len(doc_ids), weighting), remove_first_pc=remove_first_pc,
                                 component=component)
    settings = {"source": "labels", "weighting": weighting, "remove_first_pc": remove_first_pc,
                "component": None if derived.component is None else derived.component.tolist()}
    return VectorSet("Document", "id", doc_ids, derived.embedding, derived.context, derived.has_vector,
                     np.asarray(x.sum(axis=1)).ravel()), settings


def embed_documents(store: Store, *, weighting: str = "idf", remove_first_pc: bool = False, top_k: int = 10, progress=None) -> dict:
    """`graphvec embed-documents`: Document vectors from the stored Label vectors, written back
    with SIMILAR and a run record of their own."""
    started = time.perf_counter()
    if not store.counts().get("HAS_LABEL"):
        raise GraphvecError(f"{store.location}: no document has a label (no HAS_LABEL relationships); ingest documents first")
    labels = stored_label_set(store)
    documents, settings = documents_from_labels(store, labels, weighting, remove_first_pc)
    label_runs = store.vector_runs("Label")
    run = RunInfo(uuid.uuid4().hex[:12], "label-mean", {"documents": settings, "label_runs": label_runs}, store.fingerprint())
    report = write_sets(store, [documents], run, top_k=top_k, progress=progress)
    return {"run_id": run.run_id, "documents": len(documents.names), "with_vector": int(documents.has_vector.sum()),
            "without_vector": int((~documents.has_vector).sum()), "weighting": weighting, "remove_first_pc": remove_first_pc,
            "label_runs": label_runs, "seconds": round(time.perf_counter() - started, 3), "write": report.to_dict()}


def align_to_stored(store: Store, projection: Projection, vectors: Vectors) -> dict:
    """Rotate `vectors` (in place) onto the vectors the store holds for the same nodes, and say
    how far they drifted: the mean cosine between each shared node's old and new vector, before
    and after the rotation."""
    previous = store.meta().get("embedding_run")
    try:
        embedding, _, has, _ = _stored_vectors(store, projection)
    except GraphvecError:
        return {"previous_run": None, "shared_nodes": 0, "note": "no stored vectors to align to: coordinates left as trained"}
    shared = has & vectors.trained
    if shared.sum() < vectors.vectors.shape[1]:
        raise GraphvecError(f"--align-previous needs at least as many nodes embedded by both runs as dimensions "
                            f"({int(shared.sum())} < {vectors.vectors.shape[1]}): too few to fit a rotation")
    before = align.mean_cosine(vectors.vectors[shared], embedding[shared])
    r = align.rotation(vectors.vectors[shared], embedding[shared])
    vectors.vectors[:] = np.where(vectors.trained[:, None], vectors.vectors @ r, 0)
    vectors.context[:] = np.where(vectors.trained[:, None], vectors.context @ r, 0)
    return {"previous_run": previous, "shared_nodes": int(shared.sum()), "mean_cosine": round(align.mean_cosine(vectors.vectors[shared], embedding[shared]), 4),
            "mean_cosine_unaligned": round(before, 4)}


def latest_training_run(store: Store) -> dict:
    """The newest complete run that trained vectors on a projection (what `update` extends)."""
    for record in run_records(store):
        if "spec" in record["parameters"] and record["status"] == "complete":
            return record
    raise GraphvecError(f"{store.location}: no complete 'graphvec embed' run to update (runs written by graphvec before "
                        "'update' existed do not record their projection); run 'graphvec embed' first")


def _stored_vectors(store: Store, projection: Projection) -> tuple[np.ndarray, np.ndarray, np.ndarray, dict]:
    """The stored vectors of a projection's nodes, aligned with its ids; and which runs they came from."""
    embedding = context = None
    has = np.zeros(projection.node_count, dtype=bool)
    runs: dict = {}
    for code, label in enumerate(projection.label_names):
        members = np.flatnonzero(projection.node_label == code)
        values, contexts, found, by_run = writeback.aligned_vectors(store, label, projection.spec.key_for(label),
                                                                    projection.names[members])
        if not by_run:
            continue
        if embedding is None:
            embedding = np.zeros((projection.node_count, values.shape[1]), np.float32)
            context = np.zeros_like(embedding)
        if values.shape[1] != embedding.shape[1]:
            raise GraphvecError(f"{label} vectors have {values.shape[1]} dimensions, others {embedding.shape[1]}: run 'graphvec embed'")
        embedding[members[found]] = values[found]
        context[members[found]] = contexts[found]
        has[members[found]] = True
        for run, count in by_run.items():
            runs[run] = runs.get(run, 0) + count
    if embedding is None:
        raise GraphvecError(f"{store.location}: no stored vectors for {', '.join(projection.label_names)}; run 'graphvec embed' first")
    return embedding, context, has, runs


def _document_settings(store: Store) -> dict:
    """How documents got their vectors in the newest run that says so."""
    return next((r["parameters"]["documents"] for r in run_records(store) if r["parameters"].get("documents")), {})


def update(store: Store, *, epochs: int | None = None, top_k: int = 10, workers: int | None = None, use_cache: bool = True,
           progress=None) -> dict:
    """`graphvec update`: vectors for the nodes that have none, all existing vectors kept as they are.

    The newest `embed` run says what was projected and how it walked and trained.  Nodes of that
    projection without a vector and with at least one relationship are folded in (train.fold_in:
    walks from them over the current graph, skip-gram on their rows only); documents get the
    weighted mean of their labels' vectors when that is how the run gave documents vectors.
    SIMILAR is updated for the new nodes and for the nodes whose top-k they enter, PREDICTED is
    recomputed when it was written, and the run record names the run it extends."""
    started = time.perf_counter()
    base = latest_training_run(store)
    parameters = base["parameters"]
    spec = spec_from_dict(parameters["spec"])
    walk_settings = dict(parameters["walk"])
    method = walk_settings.pop("method", "node2vec") or "node2vec"
    walk_params = walk_engine.WalkParams(**{k: v for k, v in walk_settings.items() if k in walk_engine.WalkParams.__dataclass_fields__})
    train_settings = {k: v for k, v in parameters["train"].items() if k in TrainParams.__dataclass_fields__}
    train_params = TrainParams(**(train_settings | {"workers": workers, "trainer": "numba", "timeout_s": None}
                                  | ({"epochs": epochs} if epochs else {}))).validate()
    projection = project(store, spec, use_cache=use_cache)
    embedding, context, has, kept_runs = _stored_vectors(store, projection)
    documents_settings = _document_settings(store)
    derive_documents = documents_settings.get("source") == "labels"
    degree = projection.degrees()
    new = ~has & (degree > 0)
    run_id = uuid.uuid4().hex[:12]
    fold_stats = {}
    vectors = Vectors(embedding, context, has.copy())
    if new.any():
        weighted = projection.weighted and method == "node2vec"
        with _bar(progress, "fold-in", None, "tokens") as bar:
            folded = fold_in(projection.indptr, projection.indices, projection.weights, embedding, context, np.flatnonzero(new),
                             walk_params, train_params, weighted=weighted, directed=projection.directed, workers=workers,
                             on_progress=bar.advance)
        fold_stats = folded.stats
        vectors = Vectors(folded.vectors, folded.context, has | folded.trained)
    added = vectors.trained & ~has
    sets = writeback.vector_sets(projection, vectors)
    report: dict = {"labels": {}, "similar": {}}
    store.ensure_schema("schema_runs")
    documents = None
    if derive_documents and "Label" in projection.label_names and store.counts().get("HAS_LABEL"):
        label_set = next(s for s in sets if s.label == "Label")
        component = documents_settings.get("component")
        all_documents, _ = documents_from_labels(store, label_set, documents_settings.get("weighting", "idf"),
                                                 documents_settings.get("remove_first_pc", False),
                                                 None if component is None else np.asarray(component, np.float32))
        stored_docs = store.read_vectors("Document", "id")
        had = np.isin(all_documents.names, np.array([str(k) for k in stored_docs.column("key").to_pylist()], dtype=object))
        documents = (all_documents, ~had & all_documents.has_vector)
        sets = [s for s in sets if s.label != "Document"]
    updates = [(s, added[projection.node_label == projection.label_names.index(s.label)]) for s in sets]
    if documents is not None:
        updates.append(documents)
    if not any(fresh.any() for _, fresh in updates):  # nothing new: no run, no write
        return {"run_id": None, "update_of": base["id"], "new_vectors": {s.label: 0 for s, _ in updates},
                "labels": {s.label: {"new_vectors": 0, "nodes": int(len(s.names)), "without_vector": int((~s.has_vector).sum())}
                           for s, _ in updates},
                "similar": {}, "predicted": {}, "fold_in": {}, "seconds": round(time.perf_counter() - started, 3),
                "still_without_vector": int((~vectors.trained).sum()), "why_without_vector": "no relationship in the projection"}
    record_sets = [VectorSet(s.label, s.key, s.names, s.embedding, s.context, fresh) for s, fresh in updates]  # what this run wrote
    run = RunInfo(run_id, "fold-in", {"update_of": base["id"], "kept_runs": kept_runs, "spec": parameters["spec"],
                                      "walk": parameters["walk"], "train": asdict(train_params), "documents": documents_settings,
                                      "fold_in": fold_stats}, projection.fingerprint)
    store.write([writeback.WriteStep("upsert_run", writeback.run_record(run, record_sets, "writing", 0.0))], {})
    for s, fresh in updates:
        report["labels"][s.label] = {"new_vectors": int(fresh.sum()), "nodes": int(len(s.names)),
                                     "without_vector": int((~s.has_vector).sum())}
        if not fresh.any():
            continue
        store.write_vectors(s.label, s.key, s.rows(run_id, fresh), run_id, merge=True)
        if top_k > 0:
            report["similar"][s.label] = writeback.update_similar(store, s, fresh, run_id, top_k)
    meta = {"embedding_run": run_id, "embedding_fingerprint": projection.fingerprint}
    predicted_k = int(store.meta().get("predicted_k", 0) or 0)
    if predicted_k and "Label" in projection.label_names and store.counts().get("HAS_LABEL"):
        report["predicted"] = writeback.write_predictions(store, run_id, predicted_k)
    seconds = round(time.perf_counter() - started, 3)
    store.write([writeback.WriteStep("upsert_run", writeback.run_record(run, record_sets, "complete", seconds))], meta)
    return {"run_id": run_id, "update_of": base["id"], "new_vectors": {k: v["new_vectors"] for k, v in report["labels"].items()},
            "labels": report["labels"], "similar": report["similar"], "predicted": report.get("predicted", {}),
            "fold_in": fold_stats, "seconds": seconds,
            "still_without_vector": int((~vectors.trained).sum()), "why_without_vector": "no relationship in the projection"}


class _bar:
    """A progress bar for one step, or nothing when no progress factory was given."""

    def __init__(self, factory, name, total, unit):
        self._cm = factory(name, total, unit) if factory else None

    def __enter__(self):
        return self._cm.__enter__() if self._cm else _Silent()

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc) if self._cm else False


class _Silent:
    def advance(self, amount=1):
        pass

    def update(self, **fields):
        pass
