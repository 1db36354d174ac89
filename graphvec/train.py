"""Walks → vectors: skip-gram with negative sampling, by graphvec's Numba kernels or gensim.

Two trainers implement the same model.  `numba` (default; graphvec.sgns) works directly on int32
walks, stored (`train`) or streamed from the walk engine and never stored (`train_streamed`, what
`embed` uses); on the same walks it ran 6.6x as many tokens per second as gensim's better feeding
path, at the same link-prediction AUC and Macro-F1 within the spread between runs (README,
"Benchmarks").  `gensim` (Word2Vec) is the reference the tests and the benchmark compare it
with.  The rest of this docstring is about the gensim path.

Defaults follow Neo4j GDS node2vec (dimension 128, window 10, 5 negatives, 1 epoch); the learning
rate decays linearly from 0.025 (word2vec's skip-gram default) to 0.0001 over the whole run.
Frequent nodes are down-sampled with threshold 1e-3 (GDS positiveSamplingFactor).

Node ids reach gensim as compact decimal tokens; the vocabulary is built once from token counts
(`build_vocab_from_freq`), never by scanning strings.  Two feeding paths exist:

- `corpus_file`: the int32 walks are written as text by a Numba formatter and read by gensim's
  C++ reader, one reader per worker with the GIL released;
- `iterable` (default): walk rows are handed to gensim as lists of decimal strings, one block at
  a time.  Strings, not ints: gensim 4.4 builds its negative-sampling table by reading each
  vocabulary slot's count with `get_vecattr(slot, 'count')`, which looks an int up as a key
  first, so int node ids get some other node's count and the table is scrambled.  That bug made
  the reference look better than word2vec on PPI link prediction (AUC 0.78 against 0.74 for
  the same walks, where gensim fed strings, and graphvec's kernel, both give 0.74).

The benchmark measures both on the same walks (see the README).  On this 2-core machine they
came within ±12% of each other, each winning on one graph.  Training runs in segments, each taking its share
of the learning-rate schedule; between segments the progress bar advances and `timeout_s` is
checked, so a timeout keeps every vector learned so far.

Reproducibility (both trainers): with `workers=1` the same seed gives the same vectors.  With
several workers the threads race on shared rows (Hogwild, as in word2vec's C code), so vectors
differ slightly from run to run while their quality does not.
"""

from __future__ import annotations

import logging
import math
import os
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import numpy as np
from numba import njit

from .errors import GraphvecError


@dataclass(frozen=True)
class TrainParams:
    dimensions: int = 128
    window: int = 10
    negative: int = 5
    epochs: int = 1
    learning_rate: float = 0.025
    min_learning_rate: float = 0.0001
    sample: float = 0.001
    model: str = "skipgram"  # or "cbow": faster, weaker on rare nodes
    seed: int = 42
    workers: int | None = None
    timeout_s: float | None = None
    feeding: str = "iterable"
    trainer: str = "numba"  # graphvec's own skip-gram kernels (graphvec.sgns), or "gensim", the reference
    negative_exponent: float = 0.75  # negatives drawn ∝ count^exponent: 0.75 word2vec's, 0 uniform (gensim ns_exponent)

    def validate(self) -> "TrainParams":
        if self.model not in ("skipgram", "cbow"):
            raise GraphvecError(f"--model must be skipgram or cbow, not {self.model!r}")
        if self.trainer not in ("gensim", "numba"):
            raise GraphvecError(f"--trainer must be gensim or numba, not {self.trainer!r}")
        if self.feeding not in ("corpus_file", "iterable"):
            raise GraphvecError(f"--feeding must be corpus_file or iterable, not {self.feeding!r}")
        for name, value in (("--dimensions", self.dimensions), ("--window", self.window), ("--epochs", self.epochs)):
            if value < 1:
                raise GraphvecError(f"{name} must be at least 1, not {value}")
        if not 0 <= self.sample < 1:
            raise GraphvecError(f"--sample must be in [0, 1), not {self.sample}")
        if self.negative < 1:
            raise GraphvecError(f"--negative must be at least 1, not {self.negative}")
        if not -1 <= self.negative_exponent <= 1:
            raise GraphvecError(f"--negative-exponent must be between -1 and 1, not {self.negative_exponent}")
        if not 0 < self.min_learning_rate <= self.learning_rate:
            raise GraphvecError("need 0 < --min-learning-rate <= --learning-rate")
        if self.timeout_s is not None and self.timeout_s <= 0:
            raise GraphvecError("--timeout must be positive")
        return self


def default_sample(node_labels) -> float:
    """Down-sampling threshold when the user gives none: none at all when labels are embedded.

    word2vec's down-sampling drops tokens of frequent nodes, so e(l)·c(L) underestimates how
    often a popular label L follows l by the share of L's tokens dropped.  Label recommendation's
    naive-Bayes score (graphvec.scoring) reads e·c as PMI, and measured with `graphvec evaluate
    label-recommendation` the bias costs it its lead over co-occurrence counting on every Stack
    Exchange corpus (README, "Evaluation").  Generic graphs keep GDS's and gensim's 0.001."""
    return 0.0 if "Label" in tuple(node_labels) else 0.001


@dataclass
class Vectors:
    """What a trainer returns: vectors aligned with the graph's dense row numbers (named by
    Node2Vec.fit as an Embedding); `trained[i]` says whether node i has one."""

    vectors: np.ndarray
    context: np.ndarray
    trained: np.ndarray
    stats: dict = field(default_factory=dict)
    metadata: dict = field(default_factory=dict)


@njit(cache=True, nogil=True)
def format_walks(walks, out):
    """Write walks as text lines of decimal node ids ("12 7 33\\n"); -1 padding is dropped.

    Returns the number of bytes used.  `out` must hold 11 bytes per token plus one per row.
    """
    position = 0
    digits = np.empty(12, dtype=np.uint8)
    for i in range(walks.shape[0]):
        first = True
        for j in range(walks.shape[1]):
            value = walks[i, j]
            if value < 0:
                break
            if not first:
                out[position] = 32
                position += 1
            first = False
            n = 0
            while True:
                digits[n] = 48 + value % 10
                value //= 10
                n += 1
                if value == 0:
                    break
            for k in range(n - 1, -1, -1):
                out[position] = digits[k]
                position += 1
        out[position] = 10
        position += 1
    return position


def count_tokens(chunks: Iterable[np.ndarray], n_nodes: int) -> tuple[np.ndarray, np.ndarray, int, int]:
    """Token counts per node, and which nodes ever have a neighbour within a walk (trainable).

    A node whose every walk is just itself (isolated) gives skip-gram no pair to learn from: it
    would keep its random initial vector, so it gets no vector at all.
    """
    counts = np.zeros(n_nodes, dtype=np.int64)
    in_context = np.zeros(n_nodes, dtype=bool)
    rows = tokens = 0
    for chunk in chunks:
        valid = chunk >= 0
        lengths = valid.sum(axis=1)
        tokens += int(lengths.sum())
        rows += len(chunk)
        counts += np.bincount(chunk[valid], minlength=n_nodes)
        paired = chunk[lengths >= 2]
        in_context[paired[paired >= 0]] = True
    return counts, in_context, rows, tokens


def _run_segments(make_pieces, pieces_per_epoch, params, started, train_segment, on_progress) -> tuple[int, bool]:
    """Drive a trainer piece by piece; `make_pieces()` yields one epoch's (walks, start, stop).

    Each piece takes its share of the linear learning-rate schedule; the deadline is checked and
    progress reported between pieces."""
    deadline = started + params.timeout_s if params.timeout_s else None
    schedule = np.linspace(params.learning_rate, params.min_learning_rate, params.epochs * pieces_per_epoch + 1)
    done_tokens, step = 0, 0
    for epoch in range(params.epochs):
        first_row = 0
        for index, (walks, start, stop) in enumerate(make_pieces()):
            if deadline is not None and time.perf_counter() >= deadline:
                return done_tokens, True
            tokens = int((walks[start:stop] >= 0).sum())
            train_segment(epoch, index, walks, start, stop, first_row, tokens, float(schedule[step]), float(schedule[step + 1]))
            first_row += stop - start
            done_tokens += tokens
            step += 1
            if on_progress:
                on_progress(tokens)
    return done_tokens, False


def _segments(total_rows: int, target: int = 10) -> list[tuple[int, int]]:
    size = max(1, math.ceil(total_rows / target))
    return [(start, min(total_rows, start + size)) for start in range(0, total_rows, size)]


def train_streamed(make_walks: Callable[[], Iterable[np.ndarray]], n_nodes: int, params: TrainParams, *,
                   on_progress: Callable[[int], None] | None = None, on_counted: Callable[[int], None] | None = None) -> Vectors:
    """Train the numba kernels on walks that are never stored: `make_walks()` must yield the same
    chunks every time it is called (graphvec's walks do: each walk has its own seeded stream).

    A first pass only counts tokens per node (the negative-sampling and down-sampling tables
    need them before training starts); then each epoch generates the walks again and trains on
    every chunk as it comes.  Generating walks costs 1–2% of training them, so walking twice is
    cheaper than holding walks_per_node × walk_length int32 tokens per node in memory.
    `on_counted(walks)` reports the counting pass chunk by chunk.
    """
    params.validate()
    if params.trainer != "numba":
        raise GraphvecError("streamed walks need --trainer numba (gensim reads stored walks)")
    workers = params.workers or os.cpu_count() or 1
    started = time.perf_counter()
    lengths = []

    def counted():
        for chunk in make_walks():
            lengths.append(len(chunk))
            if on_counted:
                on_counted(len(chunk))
            yield chunk

    counts, in_context, rows, total_tokens = count_tokens(counted(), n_nodes)
    if total_tokens == 0:
        raise GraphvecError("the walks are empty: nothing to train on")
    per_chunk = max(1, math.ceil(10 / len(lengths)))  # about ten pieces in all, for progress and the deadline

    def pieces():
        for chunk in make_walks():
            for start, stop in _segments(len(chunk), per_chunk):
                yield chunk, start, stop

    n_pieces = sum(len(_segments(n, per_chunk)) for n in lengths)
    return _train_numba(pieces, n_pieces, n_nodes, params, counts, in_context, total_tokens, started, workers, on_progress,
                        streamed=True)


def train(walks: np.ndarray, n_nodes: int, params: TrainParams, *, on_progress: Callable[[int], None] | None = None,
          workdir: Path | None = None) -> Vectors:
    """Train skip-gram (or CBOW) vectors on an int32 walk matrix (may be a read-only memory map).

    `on_progress(tokens)` is called as segments finish.  Returns vectors for the projection's
    nodes; rows of nodes that never had a neighbour in a walk are zero and `trained` is False.
    """
    params.validate()
    workers = params.workers or os.cpu_count() or 1
    started = time.perf_counter()
    chunk_rows = 65_536
    counts, in_context, rows, total_tokens = count_tokens((walks[i: i + chunk_rows] for i in range(0, len(walks), chunk_rows)), n_nodes)
    if total_tokens == 0:
        raise GraphvecError("the walks are empty: nothing to train on")
    seen = np.flatnonzero(counts > 0)
    if params.trainer == "numba":
        walks = np.asarray(walks)
        segments = _segments(rows)
        return _train_numba(lambda: ((walks, a, b) for a, b in segments), len(segments), n_nodes, params, counts, in_context,
                            total_tokens, started, workers, on_progress)
    model, keys = gensim_model(params, counts, workers)
    segments = _segments(rows)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        segment_files = _write_segments(walks, segments, Path(tmp)) if params.feeding == "corpus_file" else None

        def train_segment(epoch, index, walks, start, stop, first_row, tokens, start_alpha, end_alpha):
            alphas = dict(start_alpha=start_alpha, end_alpha=end_alpha)
            if segment_files is not None:
                model.train(corpus_file=str(segment_files[index]), total_words=tokens, epochs=1, **alphas)
            else:
                model.train(corpus_iterable=_RowIterable(walks, start, stop, keys), total_examples=stop - start,
                            total_words=tokens, epochs=1, **alphas)

        done_tokens, stopped_early = _run_segments(lambda: ((walks, a, b) for a, b in segments), len(segments), params, started,
                                                   train_segment, on_progress)
    vectors = np.zeros((n_nodes, params.dimensions), dtype=np.float32)
    context = np.zeros((n_nodes, params.dimensions), dtype=np.float32)
    trained = np.zeros(n_nodes, dtype=bool)
    learnable = seen[in_context[seen]]
    if len(learnable) and done_tokens:
        rows_in_model = np.fromiter((model.wv.key_to_index[keys[i]] for i in learnable), dtype=np.int64, count=len(learnable))
        vectors[learnable] = model.wv.vectors[rows_in_model]
        context[learnable] = model.syn1neg[rows_in_model]
        trained[learnable] = True
    stats = _stats(started, total_tokens, params, done_tokens, stopped_early, trained, counts, in_context, workers)
    return Vectors(vectors, context, trained, stats, {"train_params": asdict(params)})


def gensim_model(params: TrainParams, counts: np.ndarray, workers: int):
    """An untrained gensim Word2Vec whose vocabulary is every node with a count, keyed by its
    decimal id (never an int; see the module docstring), and those keys by node id."""
    from gensim.models import Word2Vec

    logging.getLogger("gensim").setLevel(logging.ERROR)
    model = Word2Vec(vector_size=params.dimensions, window=params.window, negative=params.negative,
                     sg=1 if params.model == "skipgram" else 0, hs=0, min_count=1, sample=params.sample,
                     alpha=params.learning_rate, min_alpha=params.min_learning_rate, seed=params.seed,
                     workers=workers, epochs=params.epochs, ns_exponent=params.negative_exponent)
    keys = np.array([str(i) for i in range(len(counts))], dtype=object)
    model.build_vocab_from_freq({keys[i]: int(counts[i]) for i in np.flatnonzero(counts > 0)})
    return model, keys


def _stats(started, total_tokens, params, done_tokens, stopped_early, trained, counts, in_context, workers) -> dict:
    seconds = time.perf_counter() - started
    return {"seconds": round(seconds, 3), "tokens": total_tokens * params.epochs, "tokens_trained": done_tokens,
            "tokens_per_second": round(done_tokens / max(seconds, 1e-9)), "stopped_early": stopped_early,
            "nodes_embedded": int(trained.sum()), "nodes_without_vector": int(len(trained) - trained.sum()),
            "nodes_never_walked": int((counts == 0).sum()), "nodes_without_neighbours": int(((counts > 0) & ~in_context).sum()),
            "trainer": params.trainer, "feeding": params.feeding if params.trainer == "gensim" else "in memory",
            "workers": workers}


def _train_numba(make_pieces, pieces_per_epoch, n_nodes, params, counts, in_context, total_tokens, started, workers, on_progress,
                 streamed=False) -> "Vectors":
    import numba

    from . import sgns

    numba.set_num_threads(max(1, min(workers, numba.config.NUMBA_NUM_THREADS)))
    neg_prob, neg_alias = sgns.negative_sampler(counts, params.negative_exponent)
    keep = sgns.keep_probabilities(counts, params.sample)
    w_in, w_out = sgns.initial_vectors(n_nodes, params.dimensions, params.seed)

    def train_segment(epoch, index, walks, start, stop, first_row, tokens, start_alpha, end_alpha):
        sgns.train_segment(walks, start, stop, first_row - start, w_in, w_out, neg_prob, neg_alias, keep, params.window,
                           params.negative, start_alpha, end_alpha, params.model == "skipgram", np.uint64(params.seed + epoch), 64,
                           sgns.SIGMOID)

    done_tokens, stopped_early = _run_segments(make_pieces, pieces_per_epoch, params, started, train_segment, on_progress)
    trained = (counts > 0) & in_context
    if done_tokens == 0:
        trained[:] = False
    vectors = np.where(trained[:, None], w_in, 0).astype(np.float32)
    context = np.where(trained[:, None], w_out, 0).astype(np.float32)
    stats = _stats(started, total_tokens, params, done_tokens, stopped_early, trained, counts, in_context, workers)
    if streamed:
        stats["feeding"] = "streamed from the walk engine (walks not stored)"
    return Vectors(vectors, context, trained, stats, {"train_params": asdict(params)})


class _RowIterable:
    """Walk rows as lists of node-id strings for gensim's iterable path (re-iterable, bounded memory)."""

    def __init__(self, walks: np.ndarray, start: int, stop: int, keys: np.ndarray):
        self.walks, self.start, self.stop, self.keys = walks, start, stop, keys

    def __iter__(self):
        for first in range(self.start, self.stop, 4096):
            block = np.asarray(self.walks[first: min(self.stop, first + 4096)])
            if block.min() >= 0:  # no walk ended early: one gather for the whole block
                yield from self.keys[block].tolist()
            else:
                for row in block:
                    yield self.keys[row[row >= 0]].tolist()


def _write_segments(walks: np.ndarray, segments: list[tuple[int, int]], folder: Path) -> list[Path]:
    paths = []
    for index, (start, stop) in enumerate(segments):
        path = folder / f"walks-{index:03d}.txt"
        with path.open("wb") as handle:
            for first in range(start, stop, 65_536):
                block = np.ascontiguousarray(walks[first: min(stop, first + 65_536)], dtype=np.int32)
                buffer = np.empty(block.size * 11 + len(block), dtype=np.uint8)
                used = format_walks(block, buffer)
                handle.write(buffer[:used].tobytes())
        paths.append(path)
    return paths


def fold_in(indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray, embedding: np.ndarray, context: np.ndarray,
            new_nodes: np.ndarray, walk_params, params: TrainParams, *, weighted: bool, directed: bool,
            workers: int | None = None, on_progress: Callable[[int], None] | None = None,
            on_total: Callable[[int], None] | None = None) -> Vectors:
    """Vectors for `new_nodes` in the space of the existing ones, which stay exactly as they are.

    Walks start from each new node.  On an undirected graph two half-length walks from the same
    node are joined back to back, so the node sits in the middle of a full-length walk with
    context on both sides, as nodes mostly do in a full training (a reversed walk of an
    undirected graph is a walk too); a directed graph keeps forward walks.  Skip-gram then
    updates only the new nodes' rows (`sgns.fold_in_segment`), with negatives drawn from degree^0.75
    (degree being the walks' stationary distribution on an undirected graph), and with the
    negative pressure a full training would put on the new output vectors.  `params.epochs` passes are made
    over these walks (as many occurrences per new node as a full run gives it, `walks.fold_in_walks`),
    with the usual linear learning-rate decay.  Returns vectors for every node: the old rows as given, the new ones learned."""
    import numba

    from . import sgns
    from .walks import fold_in_walks, weighted_degrees

    started = time.perf_counter()
    workers = params.workers or os.cpu_count() or 1
    n = len(indptr) - 1
    new_nodes = np.unique(np.asarray(new_nodes, dtype=np.int32))
    degree = np.diff(indptr)
    if len(new_nodes) == 0 or (degree[new_nodes] == 0).all():
        raise GraphvecError("no new node has a relationship in the projection: nothing to fold in")
    new_nodes = new_nodes[degree[new_nodes] > 0]
    walks = fold_in_walks(indptr, indices, weights, new_nodes, walk_params, params.window, weighted=weighted, directed=directed,
                           workers=workers)
    walks = np.ascontiguousarray(walks)
    if on_total is not None:  # the progress bar's total, so it shows a rate and an ETA
        on_total(int((walks >= 0).sum()) * params.epochs)
    numba.set_num_threads(max(1, min(workers, numba.config.NUMBA_NUM_THREADS)))
    row_sums = weighted_degrees(indptr, weights) if weighted else degree.astype(np.float64)
    neg_prob, neg_alias = sgns.negative_sampler(row_sums, params.negative_exponent)
    ctx_prob, ctx_alias = sgns.negative_sampler(row_sums, exponent=1.0)
    share_negative = sgns.negative_weights(row_sums, params.negative_exponent)  # the distribution neg_alias draws from
    share_negative /= share_negative.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        pressure = np.where(row_sums > 0, params.negative * share_negative / (row_sums / row_sums.sum()), 0.0).astype(np.float32)
    trainable = np.zeros(n, dtype=np.bool_)
    trainable[new_nodes] = True
    w_in = np.ascontiguousarray(embedding, dtype=np.float32).copy()
    w_out = np.ascontiguousarray(context, dtype=np.float32).copy()
    fresh_in, _ = sgns.initial_vectors(len(new_nodes), w_in.shape[1], params.seed)
    w_in[new_nodes], w_out[new_nodes] = fresh_in, 0.0
    segments = _segments(len(walks))

    def train_segment(epoch, index, walk_rows, start, stop, first_row, tokens, start_alpha, end_alpha):
        sgns.fold_in_segment(walk_rows, start, stop, first_row - start, w_in, w_out, trainable, neg_prob, neg_alias, ctx_prob,
                             ctx_alias, pressure, params.window, params.negative, start_alpha, end_alpha, np.uint64(params.seed + epoch),
                             64, sgns.SIGMOID)

    done, stopped = _run_segments(lambda: ((walks, a, b) for a, b in segments), len(segments), params, started, train_segment,
                                  on_progress)
    stats = {"seconds": round(time.perf_counter() - started, 3), "new_nodes": int(len(new_nodes)), "walks": int(len(walks)),
             "walk_length": int(walks.shape[1]), "tokens_trained": int(done), "epochs": params.epochs, "stopped_early": stopped}
    return Vectors(w_in, w_out, trainable, stats, {"train_params": asdict(params)})
