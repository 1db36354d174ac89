"""What the store holds, how fresh its vectors are, and what a user should be warned about."""

from __future__ import annotations

import json

from .queries import MIN_DF
from .store import Store

UPDATE_SHARE = 0.10  # above this share of nodes without vectors, a full embed is about as fast as fold-in and better


def store_stats(store: Store, top: int = 10) -> dict:
    counts = store.counts()
    meta = store.meta()
    warnings = []
    if meta.get("write_state") == "incomplete":
        warnings.append("the last write did not finish: re-run the same command to complete it")
    top_labels, rare = [], None
    if counts.get("Label"):
        labels = store.read("read_labels").to_pylist()
        top_labels = sorted(labels, key=lambda r: (-r["df"], r["name"]))[:top]
        below = sorted(r["name"] for r in labels if r["df"] < MIN_DF)
        rare = {"min_df": MIN_DF, "labels": len(below), "examples": below[:5],
                "note": "embedded like every label, but not listed by neighbours, links, neighbourhood, analogy or plot "
                        "unless --min-df is lowered"}
    embeddings = embedding_status(store)
    warnings.extend(embeddings.pop("warnings", []))
    counts.pop("GraphvecMeta", None)
    return {"store": store.location, "dialect": store.dialect, "counts": counts, "meta": meta,
            "fingerprint": store.fingerprint() if meta else None, "top_labels": top_labels, "rare_labels": rare,
            "embeddings": embeddings, "warnings": warnings}


def run_records(store: Store) -> list[dict]:
    """Every run record, newest first, parameters parsed."""
    if not store.counts().get("EmbeddingRun"):
        return []
    return [r | {"parameters": json.loads(r["parameters"] or "{}")} for r in store.read("read_runs").to_pylist()]


def _lineage(runs: dict, latest: str | None) -> set:
    """The latest run and every run whose vectors it kept (an update keeps its base's, and so on)."""
    seen, todo = set(), [latest]
    while todo:
        run = todo.pop()
        if run is None or run in seen:
            continue
        seen.add(run)
        parameters = runs.get(run, {}).get("parameters", {})
        todo.extend(parameters.get("kept_runs", {}))
        todo.append(parameters.get("update_of"))
    return seen


def embedding_status(store: Store) -> dict:
    """Staleness and consistency of the stored vectors, and what to run about it."""
    records = run_records(store)
    if not records:
        return {}
    counts = store.counts()
    runs = {r["id"]: r for r in records}
    meta = store.meta()
    latest = meta.get("embedding_run")
    status: dict = {"latest_run": latest, "runs": len(records), "warnings": []}
    unfinished = [r["id"] for r in records if r["status"] != "complete"]
    if unfinished:
        status["warnings"].append(f"run {unfinished[0]} did not finish writing: re-run the same 'graphvec write', 'embed' or 'update'")
    lineage = _lineage(runs, latest)
    labels = sorted({label for r in records for label in (r["labels"] or "").split(",") if label})
    per_label = {}
    for label in labels:
        if label not in counts:
            continue
        by_run = store.vector_runs(label)
        with_vector = sum(by_run.values())
        per_label[label] = {"with_vector": with_vector, "without_vector": counts[label] - with_vector, "by_run": by_run}
        foreign = sorted(run for run in by_run if run not in lineage)
        if len(by_run) > 1 and foreign:
            status["warnings"].append(f"{label}: vectors from {len(by_run)} different runs are mixed ({by_run}), "
                                      f"{', '.join(foreign)} not kept by the latest run")
    status["labels"] = per_label
    record = runs.get(latest)
    if record is not None:
        status["vectors_created_at"] = record["created_at"]
        status["graph_changed_at"] = meta.get("updated_at")
        status["stale"] = record["graph_fingerprint"] != store.fingerprint()
        missing = sum(v["without_vector"] for v in per_label.values())
        total = sum(counts.get(label, 0) for label in per_label)
        status["nodes_without_vector"] = missing
        status["recommendation"] = _recommend(status["stale"], missing, total)
        if status["stale"]:
            status["warnings"].append(f"the vectors (run {latest}, {record['created_at']}) are older than the graph "
                                      f"(changed {meta.get('updated_at', 'since')}): {status['recommendation']}")
    return status


def _recommend(stale: bool, missing: int, total: int) -> str:
    if not stale:
        return "nothing to do: the vectors match the graph"
    if missing == 0:
        return ("run 'graphvec embed': every node has a vector but relationships changed, which only a full training learns")
    share = missing / max(total, 1)
    if share <= UPDATE_SHARE:
        return f"run 'graphvec update': {missing:,} nodes ({share:.1%}) have no vector; fold-in gives them one and keeps the rest"
    return (f"run 'graphvec embed': {missing:,} nodes ({share:.0%}) have no vector, more than {UPDATE_SHARE:.0%}, where a full "
            "training is about as fast as fold-in and learns how the old nodes changed too")
