"""The embedding model as an estimator: `Node2Vec(...).fit(projection).embedding_`.

Every path that learns vectors goes through this class: `embed`, `walk` + `train`, `update`'s
fold-in, the evaluation protocols and the benchmarks.  The parameters carry the names the CLI
and Neo4j GDS use (walk_length, walks_per_node, return_factor, in_out_factor, dimensions …), are
checked in one place, and decide in one place whether walks follow weights, whether walks are
streamed into the trainer or stored, and which trainer runs.  `method="deepwalk"` gives uniform
first-order walks that ignore weights; `"node2vec"` (the default) follows weights when the
projection has them and takes p and q.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from . import walks as walk_engine
from .embedding import Embedding, new_run_id
from .errors import GraphvecError
from .train import TrainParams, default_sample, fold_in, train, train_streamed

METHODS = ("node2vec", "deepwalk")


@dataclass
class FitStats:
    """What one fit did: its walks (count, steps, rate, memory) and its training (tokens, rate,
    nodes with and without a vector)."""

    walk: dict = field(default_factory=dict)
    train: dict = field(default_factory=dict)

    @property
    def walk_seconds(self) -> float:
        return float(self.walk.get("seconds", 0.0))

    @property
    def train_seconds(self) -> float:
        """Training alone: a streamed fit's walk seconds are its counting pass, inside training's clock."""
        seconds = float(self.train.get("seconds", 0.0))
        return seconds - self.walk_seconds if not self.walk.get("stored", True) else seconds


@dataclass
class Node2Vec:
    walk_length: int = 80
    walks_per_node: int = 10
    return_factor: float = 1.0
    in_out_factor: float = 1.0
    dimensions: int = 128
    window: int = 10
    negative: int = 5
    epochs: int = 1
    learning_rate: float = 0.025
    min_learning_rate: float = 0.0001
    sample: float | None = None  # None: 0 when Label nodes are embedded, else 0.001 (train.default_sample)
    model: str = "skipgram"
    trainer: str = "numba"
    negative_exponent: float = 0.75
    feeding: str = "iterable"
    timeout_s: float | None = None
    random_state: int = 42
    workers: int | None = None
    method: str = "node2vec"

    # -- parameters -------------------------------------------------------------------------
    def validate(self, node_labels=("Node",)) -> "Node2Vec":
        """Check every parameter (one-line errors naming the CLI option) before any work starts."""
        if self.method not in METHODS:
            raise GraphvecError(f"--method must be deepwalk or node2vec, not {self.method!r}")
        walk_params = self.walk_params().validate()
        if self.method == "deepwalk" and walk_params.second_order:
            raise GraphvecError("DeepWalk walks are uniform: -p/-q need --method node2vec")
        self.train_params(node_labels).validate()
        return self

    def walk_params(self) -> walk_engine.WalkParams:
        return walk_engine.WalkParams(self.walk_length, self.walks_per_node, self.return_factor, self.in_out_factor,
                                      self.random_state)

    def train_params(self, node_labels=("Node",)) -> TrainParams:
        sample = default_sample(node_labels) if self.sample is None else self.sample
        return TrainParams(self.dimensions, self.window, self.negative, self.epochs, self.learning_rate, self.min_learning_rate,
                           sample=sample, model=self.model, seed=self.random_state, workers=self.workers,
                           timeout_s=self.timeout_s, feeding=self.feeding, trainer=self.trainer,
                           negative_exponent=self.negative_exponent)

    def follows_weights(self, weighted: bool) -> bool:
        """Whether walks follow relationship weights, for a projection that has them (`weighted`)."""
        return self.method == "node2vec" and weighted

    def streams_walks(self, keep_walks: Path | None = None) -> bool:
        """The numba trainer takes walks as they are generated; gensim, or a request to keep them, stores them."""
        return self.trainer == "numba" and keep_walks is None

    @classmethod
    def from_run(cls, parameters: dict, **overrides) -> "Node2Vec":
        """The model a stored run record describes (what `update` folds new nodes in with)."""
        walk = dict(parameters["walk"])
        trained = parameters["train"]
        settings = {"walk_length": walk["walk_length"], "walks_per_node": walk["walks_per_node"],
                    "return_factor": walk["return_factor"], "in_out_factor": walk["in_out_factor"],
                    "random_state": walk.get("seed", 42), "method": walk.get("method") or "node2vec",
                    **{name: trained[name] for name in ("dimensions", "window", "negative", "epochs", "learning_rate",
                                                         "min_learning_rate", "sample", "model", "negative_exponent")
                       if name in trained}}
        return cls(**(settings | overrides))

    # -- walks ------------------------------------------------------------------------------
    def _plan(self, projection, force: bool):
        weighted = self.follows_weights(projection.weighted)
        plan = walk_engine.plan(projection.indptr, weighted, self.walk_params())
        return weighted, plan, walk_engine.check_memory(plan, force)

    def walks(self, projection, *, chunk_walks: int | None = None):
        """The walks, chunk by chunk (each chunk is reused: copy what you keep).  The same seed gives
        the same walks whatever `workers` is."""
        weighted = self.follows_weights(projection.weighted)
        return walk_engine.iter_walks(projection.indptr, projection.indices, projection.weights, self.walk_params(),
                                      weighted=weighted, directed=projection.directed, chunk_walks=chunk_walks,
                                      workers=self.workers)

    def _walk_metadata(self, projection, weighted: bool) -> dict:
        return walk_engine.walk_metadata(self.walk_params(), projection.summary(), projection.spec, self.workers) | {
            "method": self.method, "weighted": weighted}

    def _walk_report(self, projection, plan, memory: dict, weighted: bool, output, seconds: float, stored: bool) -> dict:
        return {"output": output, "method": self.method, "weighted": weighted, "walks": plan.total_walks,
                "walk_length": self.walk_length, "steps": plan.total_steps, "seconds": round(seconds, 3),
                "steps_per_second": round(plan.total_steps / max(seconds, 1e-9)), "memory_estimate_bytes": plan.memory(),
                "available_bytes": memory["available_bytes"], "params": asdict(self.walk_params()), "nodes": projection.node_count,
                "stored": stored}

    def write_walks(self, projection, path: Path, *, force: bool = False, on_steps=None) -> dict:
        """Walks into an int32 .npy (memory-mapped while written) with a .json of how they were made."""
        self.validate(projection.label_names)
        weighted, plan, memory = self._plan(projection, force)
        started = time.perf_counter()
        walk_engine.write_walks(path, self.walks(projection, chunk_walks=plan.chunk_walks), plan.total_walks, self.walk_length,
                                self._walk_metadata(projection, weighted),
                                on_chunk=(lambda n: on_steps(n * self.walk_length)) if on_steps else None)
        return self._walk_report(projection, plan, memory, weighted, str(path), time.perf_counter() - started, True)

    # -- fitting ----------------------------------------------------------------------------
    def fit(self, projection, *, keep_walks: Path | None = None, walks_file: Path | None = None, force: bool = False,
            progress=None) -> "Node2Vec":
        """Walk and train on `projection`; sets `embedding_` (an Embedding named after the
        projection's nodes, tagged with a new run id) and `stats_` (FitStats).

        Walks are streamed into the numba trainer and never stored, unless `keep_walks` names a
        file for them or the trainer is gensim.  `walks_file` trains on walks written earlier by
        `write_walks` (`graphvec walk` then `graphvec train`).  `progress(name, total, unit)`
        returns a context manager with `advance(n)`: one bar per step."""
        self.validate(projection.label_names)
        train_params = self.train_params(projection.label_names)
        total_steps = projection.node_count * self.walks_per_node * self.walk_length
        walk_settings = {"method": self.method, **asdict(self.walk_params())}
        if walks_file is not None:
            walk_matrix, walk_meta = walk_engine.load_walks(walks_file)
            walk_report = {"output": str(walks_file), "stored": True, "seconds": 0.0, **{k: walk_meta.get(k) for k in ("method", "weighted")}}
            with step_bar(progress, "train", int((walk_matrix >= 0).sum()) * self.epochs, "tokens") as bar:
                vectors = train(walk_matrix, projection.node_count, train_params, on_progress=bar.advance)
            walk_settings = {"method": walk_meta.get("method"), **walk_meta.get("params", {})}
        elif self.streams_walks(keep_walks):
            weighted, plan, memory = self._plan(projection, force)
            count_seconds = 0.0
            started = time.perf_counter()
            with step_bar(progress, "walk+train", total_steps * (1 + self.epochs), "steps") as bar:
                def on_counted(walks: int) -> None:
                    nonlocal count_seconds
                    count_seconds = time.perf_counter() - started
                    bar.advance(walks * self.walk_length)

                vectors = train_streamed(lambda: self.walks(projection, chunk_walks=plan.chunk_walks), projection.node_count,
                                         train_params, on_progress=bar.advance, on_counted=on_counted)
            walk_report = self._walk_report(projection, plan, memory, weighted, None, count_seconds, False)
        else:
            with tempfile.TemporaryDirectory() as tmp:
                path = Path(keep_walks) if keep_walks is not None else Path(tmp) / "walks.npy"
                with step_bar(progress, "walk", total_steps, "steps") as bar:
                    walk_report = self.write_walks(projection, path, force=force, on_steps=bar.advance)
                walk_matrix, _ = walk_engine.load_walks(path)
                with step_bar(progress, "train", int((walk_matrix >= 0).sum()) * self.epochs, "tokens") as bar:
                    vectors = train(walk_matrix, projection.node_count, train_params, on_progress=bar.advance)
                del walk_matrix
        run_id, created_at = new_run_id()
        metadata = {"created_at": created_at, "walk": walk_settings, "train_params": asdict(train_params),
                    "spec": asdict(projection.spec), "fingerprint": projection.fingerprint, "nodes": projection.node_count}
        self.embedding_ = Embedding.from_projection(projection, vectors.vectors, vectors.context, vectors.trained, run_id, metadata)
        self.stats_ = FitStats(walk_report, vectors.stats)
        return self

    def fit_transform(self, projection, **options) -> Embedding:
        return self.fit(projection, **options).embedding_

    def fold_in(self, projection, stored: Embedding, *, progress=None, skip: np.ndarray | None = None) -> tuple[Embedding, dict]:
        """Vectors for the projection's nodes that `stored` (aligned with the projection, as from
        `Store.read_embedding(projection=...)`) has none for and that have a relationship, in the
        space of the stored ones, which stay exactly as they are (train.fold_in).  Nodes where
        `skip` is True are left without one (documents whose vectors come from their labels).
        Returns the whole embedding, old and new rows, and the fold-in's statistics."""
        self.validate(projection.label_names)
        new = ~stored.has_vector & (projection.degrees() > 0)  # an isolated node gets no walk
        if skip is not None:
            new &= ~skip
        if not new.any():
            return stored, {}
        with step_bar(progress, "fold-in", None, "tokens") as bar:
            folded = fold_in(projection.indptr, projection.indices, projection.weights, stored.vectors, stored.context,
                             np.flatnonzero(new), self.walk_params(), self.train_params(projection.label_names),
                             weighted=self.follows_weights(projection.weighted), directed=projection.directed,
                             workers=self.workers, on_progress=bar.advance, on_total=lambda total: bar.update(total=total))
        result = Embedding.from_projection(projection, folded.vectors, folded.context, stored.has_vector | folded.trained,
                                           stored.run_id, stored.metadata)
        result.runs = dict(stored.runs)
        return result, folded.stats


class step_bar:
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
