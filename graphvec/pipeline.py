"""The jobs: `embed`, `update` and `embed-documents`, each project → fit → write back.

Each job reads a projection, gets vectors from the model (graphvec.node2vec) or from stored
ones, and hands one Embedding to the one write-back protocol (writeback.write_back), which tags
everything with the run id and keeps the run record.  Files carry the state between the separate
commands (`walk` → walks.npy + .json, `train` → vectors.npz, `write`): each records the
projection spec and the store fingerprint it came from, and a later step refuses to mix files
from different graph states.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from . import documents as docvec, estimate
from .cooccurrence import incidence
from .embedding import Embedding, new_run_id, positions
from .errors import GraphvecError
from .node2vec import Node2Vec, step_bar
from .projection import Projection, ProjectionSpec, project, require_kind
from .stats import embedding_status, run_records
from .store import Store
from .writeback import RunInfo, WriteReport, check_counts, write_back


def projection_for(store: Store, spec_data: dict, fingerprint: str, what: str) -> Projection:
    """Re-read the projection a file was made from, and make sure the graph has not changed since."""
    projection = project(store, ProjectionSpec.from_dict(spec_data))
    if projection.fingerprint != fingerprint:
        raise GraphvecError(f"the graph changed since {what} was made (fingerprint {fingerprint} → {projection.fingerprint}); "
                            "run 'graphvec embed' again")
    return projection


DOCUMENT_SOURCES = ("labels", "walks")


def workload_for(store: Store, spec: ProjectionSpec, model: Node2Vec, top_k: int, stored_walks: bool = False,
                 predict_k: int = 10) -> estimate.Workload:
    """What a job on this projection will hold, from the store's counts alone (nothing is read):
    a relationship counts twice in an undirected projection, once in a directed one; documents
    outside the projection count when they will get vectors from their labels."""
    counts = store.counts()
    for label in spec.node_labels:
        require_kind(store, counts, label, "nodes with label")
    nodes = sum(counts[label] for label in spec.node_labels)
    entries = sum(counts.get(rel_type, 0) for rel_type, _ in spec.relationships) * (1 if spec.directed else 2)
    documents = counts.get("Document", 0) if "Label" in spec.node_labels and "Document" not in spec.node_labels else 0
    has_label = counts.get("HAS_LABEL", 0) if "Label" in spec.node_labels else 0
    return estimate.Workload(nodes, entries, model.dimensions, model.walks_per_node, model.walk_length, model.epochs, top_k,
                             model.follows_weights(spec.weighted), model.trainer, stored_walks or not model.streams_walks(),
                             documents=documents if has_label else 0, has_label=has_label, predict_k=predict_k if has_label else 0,
                             scored_documents=counts.get("Document", 0) if has_label else 0, database_cache=store.cache_bytes())


@dataclass
class EmbedResult:
    """What `embed` did: the vectors written (`embedding`, documents' derived from labels when
    they were), the run id, the time of each step, the fit's statistics and the write report.
    `to_dict()` is the `--json` output."""

    embedding: Embedding
    timings_s: dict
    total_s: float
    walk: dict
    train: dict
    write: WriteReport
    alignment: dict | None
    memory: dict
    nodes_without_vector_examples: list

    @property
    def run_id(self) -> str:
        return self.embedding.run_id

    def to_dict(self) -> dict:
        return {"run_id": self.run_id, "timings_s": self.timings_s, "total_s": self.total_s, "walk": self.walk, "train": self.train,
                "write": self.write.to_dict(), "alignment": self.alignment, "memory": self.memory,
                "nodes_without_vector_examples": self.nodes_without_vector_examples,
                "why_without_vector": "never walked or never had a neighbour in a walk (isolated node)"}


def embed(store: Store, spec: ProjectionSpec, model: Node2Vec | None = None, *, top_k: int = 10, predict_k: int = 10,
          force: bool = False, use_cache: bool = True, progress=None, keep_walks: Path | None = None,
          document_vectors: str = "labels", remove_first_pc: bool = False, align_previous: bool = False,
          keep_vectors: bool = True) -> EmbedResult:
    """project → fit → write back; `progress(step_name, total, unit)` gives a bar per step.

    When Label nodes are embedded and documents carry them, documents get vectors derived from
    their labels' (`document_vectors="labels"`, the default: it ranked labels better than
    walk-learned document vectors, README "Document vectors") or keep what the walks gave them
    (`"walks"`, only when Document is in the projection).  `align_previous` rotates the new
    vectors onto the stored ones (Embedding.rotate_onto) before they replace them.
    `keep_vectors=False` lets the write-back drop the written vectors before PREDICTED
    (write_back's `release`): the result's `embedding` then keeps its keys and has_vector but no
    vectors.  The command line does that; at 5M documents it keeps 5 GB out of the peak."""
    model = model or Node2Vec()
    check_counts(top_k, predict_k)
    if document_vectors not in DOCUMENT_SOURCES:
        raise GraphvecError(f"--document-vectors must be labels or walks, not {document_vectors!r}")
    model.validate(spec.node_labels)
    timings = {}
    started = time.perf_counter()
    workload = workload_for(store, spec, model, top_k, stored_walks=keep_walks is not None, predict_k=predict_k)
    memory = estimate.check(workload, force, "embed")
    projection = project(store, spec, use_cache=use_cache)
    timings["project"] = time.perf_counter() - started
    model.fit(projection, keep_walks=keep_walks, force=force, progress=progress)
    timings["walk"], timings["train"] = model.stats_.walk_seconds, model.stats_.train_seconds
    t0 = time.perf_counter()
    embedding = model.embedding_
    alignment = align_to_stored(store, projection, embedding) if align_previous else None
    parameters = {"documents": {"source": "walks" if "Document" in projection.label_names else "none"}}
    if document_vectors == "labels" and _labels_carry_documents(store, projection):
        documents, settings = documents_from_labels(store, embedding.for_label("Label"), "idf", remove_first_pc)
        parameters = {"documents": settings}
        embedding = embedding.with_label(documents)
        del documents  # joined into `embedding`: one copy of a million documents' vectors, not two
    if alignment is not None:
        parameters["alignment"] = alignment
    with step_bar(progress, "write", None, "nodes") as bar:
        report = write_back(store, embedding, run=RunInfo.of(embedding, **parameters), top_k=top_k, predict_k=predict_k, progress=bar,
                            release=not keep_vectors)
    timings["write"] = time.perf_counter() - t0
    trained = model.embedding_
    estimate.record_rates(timings, workload, model.stats_.walk["steps"], model.stats_.train["tokens_trained"],
                          not projection.notes.get("from_cache"))
    return EmbedResult(embedding, {k: round(v, 3) for k, v in timings.items()}, round(time.perf_counter() - started, 3),
                       model.stats_.walk, model.stats_.train, report, alignment, memory,
                       [str(n) for n in trained.keys[~trained.has_vector][:20]])


def _labels_carry_documents(store: Store, projection: Projection) -> bool:
    """Whether document vectors can be derived from this projection's label vectors."""
    return "Label" in projection.label_names and bool(store.counts().get("HAS_LABEL"))


def documents_from_labels(store: Store, labels: Embedding, weighting: str = "idf", remove_first_pc: bool = False,
                          component: np.ndarray | None = None) -> tuple[Embedding, dict]:
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
    df = np.zeros(len(labels), np.float64)
    rows = labels.rows_of(df_table.column("name"))
    df[rows[rows >= 0]] = np.asarray(df_table.column("df"), np.float64)[rows >= 0]
    doc_rows = positions(doc_ids, pairs.column("doc"))
    label_cols = labels.rows_of(pairs.column("label"))
    inside = label_cols >= 0  # labels below --min-df are outside the embedded set
    x = incidence(doc_rows[inside], label_cols[inside], len(doc_ids), len(labels))
    derived = docvec.from_labels(x, labels.vectors, labels.context, labels.has_vector,
                                 docvec.label_weights(df, len(doc_ids), weighting), remove_first_pc=remove_first_pc,
                                 component=component)
    settings = {"source": "labels", "weighting": weighting, "remove_first_pc": remove_first_pc,
                "component": None if derived.component is None else derived.component.tolist()}
    return Embedding(doc_ids, np.full(len(doc_ids), "Document", dtype=object), derived.embedding, derived.context, derived.has_vector,
                     labels.run_id, {"Document": "id"}, np.asarray(x.sum(axis=1)).ravel()), settings


def stored_labels(store: Store) -> Embedding:
    """The Label vectors the store holds, one row per Label node (zero where none)."""
    names = store.read("read_labels").column("name").to_pylist()
    labels = store.read_embedding("Label", keys=names)
    if not labels.runs:
        raise GraphvecError(f"{store.location}: no Label has a vector yet; run 'graphvec embed' with Label nodes first")
    return labels


def embed_documents(store: Store, *, weighting: str = "idf", remove_first_pc: bool = False, top_k: int = 10, progress=None) -> dict:
    """`graphvec embed-documents`: Document vectors from the stored Label vectors, written back
    with SIMILAR and a run record of their own."""
    check_counts(top_k)
    started = time.perf_counter()
    if not store.counts().get("HAS_LABEL"):
        raise GraphvecError(f"{store.location}: no document has a label (no HAS_LABEL relationships); ingest documents first")
    documents, settings = documents_from_labels(store, stored_labels(store), weighting, remove_first_pc)
    label_runs = store.vector_runs("Label")
    documents.run_id, created_at = new_run_id()
    run = RunInfo(documents.run_id, "label-mean", {"documents": settings, "label_runs": label_runs}, store.fingerprint(), created_at)
    report = write_back(store, documents, run=run, top_k=top_k, predict_k=0, progress=progress)
    return {"run_id": run.run_id, "documents": len(documents), "with_vector": int(documents.has_vector.sum()),
            "without_vector": int((~documents.has_vector).sum()), "weighting": weighting, "remove_first_pc": remove_first_pc,
            "label_runs": label_runs, "seconds": round(time.perf_counter() - started, 3), "write": report.to_dict()}


def align_to_stored(store: Store, projection: Projection, embedding: Embedding) -> dict:
    """Rotate `embedding` (in place) onto the vectors the store holds for the same nodes, and say
    how far they drifted: the mean cosine between each shared node's old and new vector, before
    and after the rotation."""
    try:
        stored = store.read_embedding(projection=projection)
    except GraphvecError:
        return {"previous_run": None, "shared_nodes": 0, "note": "no stored vectors to align to: coordinates left as trained"}
    return embedding.rotate_onto(stored)


def latest_training_run(store: Store) -> dict:
    """The newest complete run that trained vectors on a projection (what `update` extends)."""
    for record in run_records(store):
        if "spec" in record["parameters"] and record["status"] == "complete":
            return record
    raise GraphvecError(f"{store.location}: no complete 'graphvec embed' run to update (runs written by graphvec before "
                        "'update' existed do not record their projection); run 'graphvec embed' first")


def unfinished_update(store: Store, base: dict) -> dict | None:
    """The fold-in run that began extending `base` and did not finish writing, if any: `update`
    completes it rather than starting another (its vectors may have landed, so that a fresh start
    would find nothing new to write and leave its SIMILAR and PREDICTED half done)."""
    return next((r for r in run_records(store) if r["status"] != "complete" and r["method"] == "fold-in"
                 and r["parameters"].get("update_of") == base["id"]), None)


def _document_settings(store: Store) -> dict:
    """How documents got their vectors in the newest run that says so."""
    return next((r["parameters"]["documents"] for r in run_records(store) if r["parameters"].get("documents")), {})


def update(store: Store, *, epochs: int | None = None, top_k: int | None = None, workers: int | None = None, use_cache: bool = True,
           progress=None, force: bool = False, stop_after_batches: int | None = None) -> dict:
    """`graphvec update`: vectors for the nodes that have none, all existing vectors kept as they are.
    (A re-ingested document whose labels changed is one of them: ingest drops its old vector.)

    The newest `embed` run says what was projected and how it walked and trained: the same model
    (Node2Vec.from_run) folds in the projection's nodes that have no vector and at least one
    relationship (Node2Vec.fold_in: walks from them over the current graph, skip-gram on their
    rows only); documents get the weighted mean of their labels' vectors when that is how the run
    gave documents vectors.  The write-back adds only the new vectors, updates SIMILAR for the new
    nodes and for the nodes whose top-k they enter (k: `top_k`, or by default as many as each
    label's stored lists hold, so that a rewrite never shortens them), writes PREDICTED for the new
    documents when it was written, and the run record names the run it extends.

    Documents whose vectors come from their labels are not folded in (walk-learned vectors would
    be replaced at once).  When `graphvec stats` advises a full `embed` (too many nodes without a
    vector, or only relationships changed), update refuses unless `force`: fold-in learns nothing
    about how the old nodes changed.

    An update that did not finish writing (a crash, a full page cache) is completed by the next
    one: it keeps that run's id and the vectors it wrote, folds in what is still without a vector,
    and writes SIMILAR and PREDICTED for both (write_back skips or redoes each label's SIMILAR as
    the run record says).  `stop_after_batches` is write_back's (the tests interrupt with it)."""
    check_counts(top_k)
    started = time.perf_counter()
    base = latest_training_run(store)
    resumed = unfinished_update(store, base)
    advice = embedding_status(store).get("recommendation", "")
    advises_embed = advice.startswith("run 'graphvec embed'")
    if advises_embed and not force and resumed is None:  # the unfinished run already answered that advice
        raise GraphvecError(f"'graphvec stats' advises a full embed, not update ({advice.partition(': ')[2]}); "
                            "run 'graphvec embed', or pass --force to fold in anyway")
    parameters = base["parameters"]
    spec = ProjectionSpec.from_dict(parameters["spec"])
    model = Node2Vec.from_run(parameters, workers=workers, **({"epochs": epochs} if epochs else {}))
    projection = project(store, spec, use_cache=use_cache)
    stored = store.read_embedding(projection=projection)
    documents_settings = _document_settings(store)
    from_labels = documents_settings.get("source") == "labels" and _labels_carry_documents(store, projection)
    skip = None
    if from_labels and "Document" in projection.label_names:
        skip = projection.node_label == projection.label_names.index("Document")
    embedding, fold_stats = model.fold_in(projection, stored, progress=progress, skip=skip)
    embedding.run_id, created_at = new_run_id() if resumed is None else (resumed["id"], resumed["created_at"])
    added = embedding.has_vector & ~stored.has_vector
    fresh = {label: added[embedding.labels == label] for label in embedding.label_names}
    if resumed is not None:  # what the unfinished run wrote is this run's too
        for label in fresh:
            part = embedding.for_label(label)
            fresh[label] |= store.with_vector(label, part.key_property, part.keys, run=resumed["id"])
    if from_labels:
        component = documents_settings.get("component")
        documents, _ = documents_from_labels(store, embedding.for_label("Label"), documents_settings.get("weighting", "idf"),
                                             documents_settings.get("remove_first_pc", False),
                                             None if component is None else np.asarray(component, np.float32))
        fresh["Document"] = ~store.with_vector("Document", documents.key_property, documents.keys) & documents.has_vector
        if resumed is not None:
            fresh["Document"] |= store.with_vector("Document", documents.key_property, documents.keys, run=resumed["id"])
        # the other documents keep their stored vectors, and SIMILAR is searched over those: derived
        # again with today's document frequencies they drift by up to 0.006 in cosine
        at, kept = store.read_vectors_of("Document", documents.key_property, documents.keys)
        for start in range(0, len(at), 1 << 20):  # a million rows at a time: no second copy of them all
            rows, vectors = at[start:start + (1 << 20)], kept[start:start + (1 << 20)]
            keep = ~fresh["Document"][rows]
            documents.vectors[rows[keep]] = vectors[keep]
            documents.has_vector[rows[keep]] = True
        del at, kept
        embedding = embedding.with_label(documents)
        del documents  # joined into `embedding`, as in embed
    still_without = int((~(stored.has_vector | added | (False if skip is None else skip))).sum())
    common = {"update_of": base["id"], "fold_in": fold_stats, "still_without_vector": still_without, "stats_advice": advice,
              "forced": bool(force and advises_embed and resumed is None), "completes": None if resumed is None else resumed["id"],
              "why_without_vector": "no relationship in the projection"}
    if resumed is None and not any(mask.any() for mask in fresh.values()):  # nothing new: no run, no write
        labels = {label: {"new_vectors": 0, "nodes": int(len(mask)),
                          "without_vector": int((~embedding.for_label(label).has_vector).sum())} for label, mask in fresh.items()}
        return {"run_id": None, "new_vectors": {label: 0 for label in fresh}, "labels": labels, "similar": {}, "predicted": {},
                "seconds": round(time.perf_counter() - started, 3), **common}
    kept = {run_id: n for run_id, n in stored.runs.items() if run_id != embedding.run_id}
    run = RunInfo(embedding.run_id, "fold-in", {"update_of": base["id"], "kept_runs": kept, "spec": parameters["spec"],
                                                "walk": parameters["walk"], "train": asdict(model.train_params(spec.node_labels)),
                                                "documents": documents_settings, "fold_in": fold_stats,
                                                **({} if resumed is None else
                                                   {"similar_steps": resumed["parameters"].get("similar_steps", {}),
                                                    "fold_in_first_attempt": resumed["parameters"].get("fold_in")})},
                  projection.fingerprint, created_at)
    report = write_back(store, embedding, run=run, top_k=top_k, predict_k=None, fresh=fresh, stop_after_batches=stop_after_batches)
    labels = {label: {"new_vectors": v["new_vectors"], "nodes": v["nodes"], "without_vector": v["without_vector"]}
              for label, v in report.labels.items()}
    return {"run_id": run.run_id, "new_vectors": {k: v["new_vectors"] for k, v in labels.items()}, "labels": labels,
            "similar": report.similar, "predicted": report.predicted, "seconds": round(time.perf_counter() - started, 3), **common}
