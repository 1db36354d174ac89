"""Skip-gram with negative sampling as Numba kernels over the int32 walk matrix.

The same model as word2vec's C code and gensim (Mikolov et al. 2013): for every centre node and
every context node within a randomly shrunk window, the context's input vector is pushed towards
the centre's output vector and away from `negative` nodes drawn from the unigram^0.75
distribution; frequent nodes are down-sampled; the learning rate decays linearly.  Differences
from gensim are in the plumbing only: no vocabulary of strings (node ids index the matrices
directly), no Python between tokens, and the 128-wide dot products and updates are fused loops
the compiler vectorises.  Threads update the shared matrices without locks (Hogwild, as word2vec
itself does), so only a single-thread run is bit-for-bit reproducible.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

from .walks import _GOLDEN, _below, _mix, _unit  # the same counter-based SplitMix64 streams as the walks

MAX_EXP = 6.0  # word2vec clips the logit here: the gradient is already saturated
SIGMOID_STEPS = 1000
# word2vec's precomputed sigmoid over [-MAX_EXP, MAX_EXP]: a table read instead of exp() per pair
_SIGMOID = (1.0 / (1.0 + np.exp(-(np.arange(SIGMOID_STEPS + 1) / SIGMOID_STEPS * 2 - 1) * MAX_EXP))).astype(np.float32)


def negative_sampler(counts: np.ndarray, exponent: float = 0.75) -> tuple[np.ndarray, np.ndarray]:
    """An alias table over nodes for the unigram^0.75 distribution: exact, O(1) per draw, and
    8 bytes per node, so it stays in cache where word2vec's 10⁸-entry table would not."""
    from .walks import build_alias_tables

    weights = np.power(counts.astype(np.float64), exponent).astype(np.float32)
    prob, alias = build_alias_tables(np.array([0, len(weights)], dtype=np.int64), weights)
    return prob, alias


def keep_probabilities(counts: np.ndarray, sample: float) -> np.ndarray:
    """word2vec's down-sampling: P(keep) = (sqrt(f / (s·T)) + 1) · s·T / f, capped at 1."""
    total = counts.sum()
    if sample <= 0 or total == 0:
        return np.ones(len(counts), dtype=np.float32)
    threshold = sample * total
    with np.errstate(divide="ignore", invalid="ignore"):
        keep = (np.sqrt(counts / threshold) + 1.0) * threshold / counts
    return np.where(counts > 0, np.minimum(keep, 1.0), 0.0).astype(np.float32)


@njit(inline="always")
def _negative(x, n, prob, alias):
    slot = _below(x, n)
    if np.float64(x & np.uint64(0xFFFFFFFF)) * (1.0 / 4294967296.0) >= prob[slot]:
        slot = alias[slot]
    return slot


@njit(inline="always")
def _target(d, centre, state, n_nodes, neg_prob, neg_alias):
    """Draw d of a pair: 0 is the positive (the centre, label 1); the others are negatives
    (label 0), and a negative that hits the centre is skipped (returned as -1)."""
    if d == 0:
        return centre, 1.0, state
    state += _GOLDEN
    target = _negative(_mix(state), n_nodes, neg_prob, neg_alias)
    if target == centre:
        return -1, 0.0, state
    return target, 0.0, state


@njit(inline="always", fastmath=True)
def _gradient(f, label, alpha, sigmoid):
    if f >= MAX_EXP:
        return (label - 1.0) * alpha
    if f <= -MAX_EXP:
        return label * alpha
    return (label - sigmoid[int((f + MAX_EXP) * (SIGMOID_STEPS / (2 * MAX_EXP)))]) * alpha


@njit(inline="always", fastmath=True)
def _dot(a, b):
    total = np.float32(0.0)
    for k in range(a.shape[0]):
        total += a[k] * b[k]
    return total


@njit(inline="always", fastmath=True)
def _update(gradient, source, target, g):
    """gradient += g·target, then target += g·source (one pass over both rows)."""
    for k in range(source.shape[0]):
        gradient[k] += g * target[k]
        target[k] += g * source[k]


@njit(inline="always", fastmath=True)
def _learn(source, gradient, centre, state, n_nodes, neg_prob, neg_alias, negative, alpha, sigmoid, w_out):
    """One positive and `negative` negative targets for one input row (a context row in
    skip-gram, the context mean in CBOW): accumulates the input's gradient, updates the targets'
    output rows, and returns the advanced random state."""
    for d in range(negative + 1):
        target, label, state = _target(d, centre, state, n_nodes, neg_prob, neg_alias)
        if target < 0:
            continue
        row_out = w_out[target]
        g = np.float32(_gradient(_dot(source, row_out), label, alpha, sigmoid))
        _update(gradient, source, row_out, g)
    return state


@njit(parallel=True, nogil=True, fastmath=True, cache=True)
def train_segment(walks, first_row, last_row, w_in, w_out, neg_prob, neg_alias, keep, window, negative, alpha_start,
                  alpha_end, skipgram, seed, n_chunks, sigmoid=_SIGMOID):
    """Train on walks[first_row:last_row]; returns the number of centre tokens processed.

    Rows are split into `n_chunks` contiguous chunks handled in parallel; the learning rate falls
    linearly from alpha_start to alpha_end across each chunk, so the whole segment follows the
    schedule whatever the thread count.
    """
    dimensions = w_in.shape[1]
    length = walks.shape[1]
    rows = last_row - first_row
    n_nodes = len(neg_prob)
    processed = np.zeros(n_chunks, dtype=np.int64)
    for chunk in prange(n_chunks):
        lo = first_row + (rows * chunk) // n_chunks
        hi = first_row + (rows * (chunk + 1)) // n_chunks
        state = _mix(np.uint64(seed) ^ _mix(np.uint64(lo) + _GOLDEN))
        sentence = np.empty(length, dtype=np.int64)
        gradient = np.empty(dimensions, dtype=np.float32)
        hidden = np.empty(dimensions, dtype=np.float32)
        count = 0
        for row in range(lo, hi):
            alpha = alpha_start + (alpha_end - alpha_start) * ((row - lo) / max(1, hi - lo))
            size = 0
            for j in range(length):
                node = walks[row, j]
                if node < 0:
                    break
                state += _GOLDEN
                if keep[node] < 1.0 and _unit(_mix(state)) >= keep[node]:
                    continue
                sentence[size] = node
                size += 1
            for position in range(size):
                centre = sentence[position]
                state += _GOLDEN
                shrink = _below(_mix(state), window)
                start = max(0, position - window + shrink)
                stop = min(size, position + window - shrink + 1)
                if skipgram:
                    for c in range(start, stop):
                        if c == position:
                            continue
                        source = w_in[sentence[c]]
                        gradient[:] = 0.0
                        state = _learn(source, gradient, centre, state, n_nodes, neg_prob, neg_alias, negative, alpha,
                                       sigmoid, w_out)
                        for k in range(dimensions):
                            source[k] += gradient[k]
                else:  # CBOW: the mean of the context predicts the centre
                    n_context = 0
                    for k in range(dimensions):
                        hidden[k] = 0.0
                        gradient[k] = 0.0
                    for c in range(start, stop):
                        if c != position:
                            n_context += 1
                            for k in range(dimensions):
                                hidden[k] += w_in[sentence[c], k]
                    if n_context == 0:
                        continue
                    for k in range(dimensions):
                        hidden[k] /= n_context
                    state = _learn(hidden, gradient, centre, state, n_nodes, neg_prob, neg_alias, negative, alpha, sigmoid,
                                   w_out)
                    for c in range(start, stop):
                        if c != position:
                            for k in range(dimensions):
                                w_in[sentence[c], k] += gradient[k]
            count += size
        processed[chunk] = count
    return processed.sum()


def initial_vectors(n_nodes: int, dimensions: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """word2vec's initialisation: input vectors uniform in ±0.5/d, output vectors zero."""
    rng = np.random.default_rng(seed)
    w_in = ((rng.random((n_nodes, dimensions), dtype=np.float32) - 0.5) / dimensions).astype(np.float32)
    return w_in, np.zeros((n_nodes, dimensions), dtype=np.float32)
