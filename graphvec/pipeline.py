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

from . import walks as walk_engine
from .errors import GraphvecError
from .projection import Projection, ProjectionSpec, project
from .store import Store
from .train import TrainParams, Vectors, train, train_streamed
from .writeback import write_back


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


def embed(store: Store, spec: ProjectionSpec, walk_params: walk_engine.WalkParams, method: str, train_params: TrainParams, *,
          top_k: int = 10, predict_k: int = 10, workers: int | None = None, force: bool = False, use_cache: bool = True, progress=None,
          keep_walks: Path | None = None) -> dict:
    """project → walk → train → write back; `progress(step_name, total, unit)` gives a bar per step."""
    timings = {}
    started = time.perf_counter()
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
    with _bar(progress, "write", None, "nodes") as bar:
        report = write_back(store, projection, vectors, run_id=vectors.metadata["run_id"], top_k_neighbours=top_k,
                            predict_k=predict_k, progress=bar)
    timings["write"] = time.perf_counter() - t0
    skipped = [str(n) for n in projection.names[~vectors.trained][:20]]
    return {"run_id": vectors.metadata["run_id"], "timings_s": {k: round(v, 3) for k, v in timings.items()},
            "total_s": round(time.perf_counter() - started, 3), "walk": walk_report, "train": vectors.stats,
            "write": report.to_dict(), "nodes_without_vector_examples": skipped,
            "why_without_vector": "never walked or never had a neighbour in a walk (isolated node)"}


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
