"""Skip-gram with negative sampling as Numba kernels over the int32 walk matrix.

The model of word2vec and gensim (Mikolov et al. 2013): within a randomly shrunk window, each
context node's input vector learns to predict the centre's output vector against `negative`
nodes drawn from the unigram^0.75 distribution; frequent nodes are down-sampled; the learning
rate decays linearly.  As in gensim (the reference trainer), a pair whose logit is already beyond
±6 is skipped and input vectors start uniform in ±1/d.

One deliberate difference, from Ji et al. 2016 ("Parallelizing Word2Vec in Shared and Distributed
Memory"): the negatives are drawn once per centre and shared by its whole window instead of per
(centre, context) pair.  The centre's and its negatives' output rows then fit one L1-resident
block that every context row is scored against, so the random rows touched per token fall from
about 66 to about 7, the six dot products run in one vectorised pass, and the rows a centre
will need are prefetched two centres ahead.  Measured against gensim on the same walks (README,
"Benchmarks"), link-prediction AUC and BlogCatalog Macro-F1 stay within the spread between runs.

Threads update the shared matrices without locks (Hogwild, as word2vec itself does), so only a
single-thread run is bit-for-bit reproducible.
"""

from __future__ import annotations

import numpy as np
from llvmlite import ir
from numba import njit, prange, types
from numba.core import cgutils
from numba.extending import intrinsic

from .kernels import GOLDEN, below, build_alias_tables, mix, unit  # the same counter-based streams as the walks

MAX_EXP = 6.0  # pairs with a logit beyond ±MAX_EXP are skipped, as gensim does: their gradient is saturated
SIGMOID_STEPS = 1000
LOOKAHEAD = 2  # centres ahead whose rows are prefetched
# word2vec's precomputed sigmoid over [-MAX_EXP, MAX_EXP]: a table read instead of exp() per pair.  Callers pass it
# explicitly: as a default argument it would enter the kernel's type signature by identity, and Numba's on-disk cache
# would then miss in every new process (13 s of compiling per `embed`, measured).
SIGMOID = (1.0 / (1.0 + np.exp(-(np.arange(SIGMOID_STEPS + 1) / SIGMOID_STEPS * 2 - 1) * MAX_EXP))).astype(np.float32)


@intrinsic
def _prefetch(typingctx, matrix, row, column):
    """Ask the CPU to start loading matrix[row, column]'s cache line (llvm.prefetch, for writing,
    kept in all cache levels); it does nothing else, so a wrong guess costs one instruction."""
    def codegen(context, builder, signature, args):
        matrix_type = signature.args[0]
        array = context.make_array(matrix_type)(context, builder, args[0])
        indices = [context.cast(builder, args[i], signature.args[i], types.intp) for i in (1, 2)]
        pointer = cgutils.get_item_pointer(context, builder, matrix_type, array, indices)
        byte_pointer, i32 = ir.IntType(8).as_pointer(), ir.IntType(32)
        function = cgutils.get_or_insert_function(builder.module, ir.FunctionType(ir.VoidType(), [byte_pointer, i32, i32, i32]),
                                                  "llvm.prefetch")
        builder.call(function, [builder.bitcast(pointer, byte_pointer), i32(1), i32(3), i32(1)])
        return context.get_dummy_value()
    return types.void(matrix, row, column), codegen


@njit(inline="always")
def _prefetch_row(matrix, row):
    for column in range(0, matrix.shape[1], 16):  # 16 float32 = one 64-byte cache line
        _prefetch(matrix, row, column)


def negative_weights(counts: np.ndarray, exponent: float = 0.75) -> np.ndarray:
    """Each node's weight as a negative: count^exponent, and 0 for a node never seen, whatever the
    exponent (0^0 is 1 and 0^-x infinite, but gensim never draws a word outside its vocabulary)."""
    counts = np.asarray(counts, dtype=np.float64)
    return np.where(counts > 0, np.power(np.maximum(counts, 1e-300), exponent), 0.0)


def negative_sampler(counts: np.ndarray, exponent: float = 0.75) -> tuple[np.ndarray, np.ndarray]:
    """An alias table over nodes for the unigram^exponent distribution (`negative_weights`):
    exact, O(1) per draw, and 8 bytes per node, so it stays in cache where word2vec's
    10⁸-entry table would not."""
    weights = negative_weights(counts, exponent).astype(np.float32)
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
    slot = below(x, n)
    if np.float64(x & np.uint64(0xFFFFFFFF)) * (1.0 / 4294967296.0) >= prob[slot]:
        slot = alias[slot]
    return slot


@njit(inline="always")
def _target(d, centre, state, n_nodes, neg_prob, neg_alias):
    """Draw d of a pair: 0 is the positive (the centre, label 1); the others are negatives
    (label 0), and a negative that hits the centre is skipped (returned as -1)."""
    if d == 0:
        return centre, 1.0, state
    state += GOLDEN
    target = _negative(mix(state), n_nodes, neg_prob, neg_alias)
    if target == centre:
        return -1, 0.0, state
    return target, 0.0, state


@njit(inline="always", fastmath=True)
def _gradient(f, label, alpha, sigmoid):
    if f >= MAX_EXP or f <= -MAX_EXP:
        return 0.0
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
    """One positive and `negative` negative targets for CBOW's input (the context mean):
    accumulates the input's gradient, updates the targets'
    output rows, and returns the advanced random state."""
    for d in range(negative + 1):
        target, label, state = _target(d, centre, state, n_nodes, neg_prob, neg_alias)
        if target < 0:
            continue
        row_out = w_out[target]
        g = np.float32(_gradient(_dot(source, row_out), label, alpha, sigmoid))
        _update(gradient, source, row_out, g)
    return state


@njit(inline="always", fastmath=True)
def _context_six(source, o, alpha, sigmoid):
    """One context row against a block of exactly six targets (the default: the centre and five
    negatives), in two passes over the dimensions: six dot products at once, then every update
    (the context row's, and each target row's in the block), so each row is read once per pass
    and the loops vectorise across dimensions."""
    f0 = f1 = f2 = f3 = f4 = f5 = np.float32(0.0)
    for k in range(source.shape[0]):
        x = source[k]
        f0 += x * o[0, k]
        f1 += x * o[1, k]
        f2 += x * o[2, k]
        f3 += x * o[3, k]
        f4 += x * o[4, k]
        f5 += x * o[5, k]
    g0 = np.float32(_gradient(f0, 1.0, alpha, sigmoid))
    g1 = np.float32(_gradient(f1, 0.0, alpha, sigmoid))
    g2 = np.float32(_gradient(f2, 0.0, alpha, sigmoid))
    g3 = np.float32(_gradient(f3, 0.0, alpha, sigmoid))
    g4 = np.float32(_gradient(f4, 0.0, alpha, sigmoid))
    g5 = np.float32(_gradient(f5, 0.0, alpha, sigmoid))
    for k in range(source.shape[0]):
        x = source[k]
        source[k] = x + (g0 * o[0, k] + g1 * o[1, k] + g2 * o[2, k] + g3 * o[3, k] + g4 * o[4, k] + g5 * o[5, k])
        o[0, k] += g0 * x
        o[1, k] += g1 * x
        o[2, k] += g2 * x
        o[3, k] += g3 * x
        o[4, k] += g4 * x
        o[5, k] += g5 * x


@njit(inline="always", fastmath=True)
def _window_shared(sentence, position, start, stop, centre, drawn, alpha, sigmoid, w_in, w_out, targets, out_rows, out_loaded,
                   gradient):
    """Skip-gram for one centre with its negatives shared by the whole window.

    The centre's output row and its drawn negatives' rows are copied into a small block (6 × d
    floats, L1-resident), and every context row of the window is scored against it in turn.  The
    block is updated after each context, so each sees the targets as word2vec's sequential pairs
    would; at the end only the block's net change is added to w_out (`out_loaded` keeps the rows
    as loaded), so concurrent threads' updates to those rows are not overwritten.  Summing the
    contexts' changes against the block as loaded instead (stale, as in Ji et al.) was 10–38%
    faster but cost 0.08 link-prediction AUC on BlogCatalog (0.76 against gensim's 0.84)."""
    dimensions = w_in.shape[1]
    n_targets = 1
    targets[0] = centre
    for target in drawn:
        if target != centre:
            targets[n_targets] = target
            n_targets += 1
    for j in range(n_targets):
        row = w_out[targets[j]]
        for k in range(dimensions):
            out_rows[j, k] = row[k]
            out_loaded[j, k] = row[k]
    for c in range(start, stop):
        if c == position:
            continue
        source = w_in[sentence[c]]
        if n_targets == 6:
            _context_six(source, out_rows, alpha, sigmoid)
            continue
        for k in range(dimensions):
            gradient[k] = 0.0
        for j in range(n_targets):
            g = np.float32(_gradient(_dot(source, out_rows[j]), 1.0 if j == 0 else 0.0, alpha, sigmoid))
            for k in range(dimensions):
                gradient[k] += g * out_rows[j, k]
                out_rows[j, k] += g * source[k]
        for k in range(dimensions):
            source[k] += gradient[k]
    for j in range(n_targets):
        row = w_out[targets[j]]
        for k in range(dimensions):
            row[k] += out_rows[j, k] - out_loaded[j, k]


@njit(inline="always")
def _prefetch_centre(sentence, drawn, position, window, size, w_in, w_out):
    """Start loading what centre `position` will touch that its predecessors did not: its output
    row, its negatives' output rows, and the input row entering the window on its right."""
    _prefetch_row(w_out, sentence[position])
    for target in drawn[position]:
        _prefetch_row(w_out, target)
    if position + window < size:
        _prefetch_row(w_in, sentence[position + window])


@njit(inline="always")
def _chunk(first_row, rows, chunk, n_chunks, row_offset, seed):
    """Rows [lo, hi) of one parallel chunk, and its random state keyed by its first row's number
    in the whole run."""
    lo = first_row + (rows * chunk) // n_chunks
    hi = first_row + (rows * (chunk + 1)) // n_chunks
    return lo, hi, mix(np.uint64(seed) ^ mix(np.uint64(lo + row_offset) + GOLDEN))


@njit(parallel=True, nogil=True, fastmath=True, cache=True)
def train_segment(walks, first_row, last_row, row_offset, w_in, w_out, neg_prob, neg_alias, keep, window, negative,
                  alpha_start, alpha_end, skipgram, seed, n_chunks, sigmoid):
    """Train on walks[first_row:last_row]; returns the number of centre tokens processed.

    Row r's random stream is keyed by r + row_offset, its row number in the whole run, so chunks
    streamed from the walk engine never repeat each other's draws.

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
        lo, hi, state = _chunk(first_row, rows, chunk, n_chunks, row_offset, seed)
        sentence = np.empty(length, dtype=np.int64)
        gradient = np.empty(dimensions, dtype=np.float32)
        hidden = np.empty(dimensions, dtype=np.float32)
        targets = np.empty(negative + 1, dtype=np.int64)
        out_rows = np.empty((negative + 1, dimensions), dtype=np.float32)
        out_loaded = np.empty((negative + 1, dimensions), dtype=np.float32)
        drawn = np.empty((length, negative), dtype=np.int64)
        count = 0
        for row in range(lo, hi):
            alpha = alpha_start + (alpha_end - alpha_start) * ((row - lo) / max(1, hi - lo))
            size = 0
            for j in range(length):
                node = walks[row, j]
                if node < 0:
                    break
                state += GOLDEN
                if keep[node] < 1.0 and unit(mix(state)) >= keep[node]:
                    continue
                sentence[size] = node
                size += 1
            if skipgram:  # every centre's negatives drawn up front, so their rows can be fetched early
                for position in range(size):
                    for d in range(negative):
                        state += GOLDEN
                        drawn[position, d] = _negative(mix(state), n_nodes, neg_prob, neg_alias)
                for position in range(min(size, LOOKAHEAD)):
                    _prefetch_centre(sentence, drawn, position, window, size, w_in, w_out)
            for position in range(size):
                centre = sentence[position]
                state += GOLDEN
                shrink = below(mix(state), window)
                start = max(0, position - window + shrink)
                stop = min(size, position + window - shrink + 1)
                if skipgram:
                    if position + LOOKAHEAD < size:
                        _prefetch_centre(sentence, drawn, position + LOOKAHEAD, window, size, w_in, w_out)
                    _window_shared(sentence, position, start, stop, centre, drawn[position], alpha, sigmoid, w_in, w_out,
                                   targets, out_rows, out_loaded, gradient)
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
    """gensim's initialisation: input vectors uniform in ±1/d, output vectors zero."""
    rng = np.random.default_rng(seed)
    w_in = ((rng.random((n_nodes, dimensions), dtype=np.float32) * 2 - 1) / dimensions).astype(np.float32)
    return w_in, np.zeros((n_nodes, dimensions), dtype=np.float32)


@njit(parallel=True, nogil=True, fastmath=True, cache=True)
def fold_in_segment(walks, first_row, last_row, row_offset, w_in, w_out, trainable, neg_prob, neg_alias, ctx_prob, ctx_alias,
                    pressure, window, negative, alpha_start, alpha_end, seed, n_chunks, sigmoid):
    """Skip-gram on walks[first_row:last_row] that changes only the rows of `trainable` nodes.

    Every other vector is frozen: a pair is trained only when its context or its centre is
    trainable, and each update lands only on trainable rows, so new nodes are placed in the
    existing space without moving it (what `graphvec update` needs).  Negatives are drawn per
    pair, as word2vec does: fold-in sees few tokens, so the shared-window trick of
    `train_segment` would buy nothing.

    What fold-in walks lack is the pressure a full training puts on a node's output vector by
    drawing it as a negative for other nodes' contexts (without it a new node's output vector
    agrees with everything and it is recommended everywhere).  So each positive pair of a
    trainable centre adds `pressure[centre]` negative updates on average, its output vector
    against contexts drawn from the token distribution (`ctx_prob`/`ctx_alias`); in a full run
    a node is drawn as a negative negative·P_neg / P_token times per occurrence as a centre.
    Returns the number of centre tokens processed."""
    dimensions = w_in.shape[1]
    length = walks.shape[1]
    rows = last_row - first_row
    n_nodes = len(neg_prob)
    processed = np.zeros(n_chunks, dtype=np.int64)
    for chunk in prange(n_chunks):
        lo, hi, state = _chunk(first_row, rows, chunk, n_chunks, row_offset, seed)
        gradient = np.empty(dimensions, dtype=np.float32)
        count = 0
        for row in range(lo, hi):
            alpha = alpha_start + (alpha_end - alpha_start) * ((row - lo) / max(1, hi - lo))
            size = 0
            while size < length and walks[row, size] >= 0:
                size += 1
            for position in range(size):
                centre = walks[row, position]
                state += GOLDEN
                shrink = below(mix(state), window)
                start = max(0, position - window + shrink)
                stop = min(size, position + window - shrink + 1)
                for c in range(start, stop):
                    context = walks[row, c]
                    if c == position or not (trainable[context] or trainable[centre]):
                        continue
                    source = w_in[context]
                    for k in range(dimensions):
                        gradient[k] = 0.0
                    for d in range(negative + 1):
                        target, label, state = _target(d, centre, state, n_nodes, neg_prob, neg_alias)
                        if target < 0:
                            continue
                        row_out = w_out[target]
                        g = np.float32(_gradient(_dot(source, row_out), label, alpha, sigmoid))
                        if g == 0.0:
                            continue
                        for k in range(dimensions):
                            gradient[k] += g * row_out[k]
                        if trainable[target]:
                            for k in range(dimensions):
                                row_out[k] += g * source[k]
                    if trainable[context]:
                        for k in range(dimensions):
                            source[k] += gradient[k]
                    if trainable[centre]:
                        state += GOLDEN
                        extra = int(pressure[centre] + unit(mix(state)))
                        row_out = w_out[centre]
                        for _ in range(extra):
                            state += GOLDEN
                            other = _negative(mix(state), n_nodes, ctx_prob, ctx_alias)
                            if other == centre:
                                continue
                            g = np.float32(_gradient(_dot(w_in[other], row_out), 0.0, alpha, sigmoid))
                            for k in range(dimensions):
                                row_out[k] += g * w_in[other, k]
            count += size
        processed[chunk] = count
    return processed.sum()
