"""Random streams and alias tables: the two kernels the walk engine and the trainer share.

Every draw comes from a counter-based SplitMix64 stream keyed by what is being drawn for (seed,
start node, walk number for a walk; seed and row for a training chunk), never from a shared
generator, so results do not depend on how work is split between threads.  Alias tables give
O(1) weighted draws: over a node's neighbours for walks, over nodes for negative sampling.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
TO_UNIT = 1.0 / 9007199254740992.0  # 2^-53


# --- random numbers: SplitMix64, one independent stream per walk ----------------------------

@njit(inline="always")
def mix(z):
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@njit(inline="always")
def walk_stream(seed, node, walk_number):
    return mix(mix(np.uint64(seed) ^ mix(np.uint64(node) + GOLDEN)) ^ mix(np.uint64(walk_number) * GOLDEN + np.uint64(1)))


@njit(inline="always")
def below(x, n):
    """Uniform integer in [0, n) from the top 32 bits (Lemire's multiply-shift; n < 2^32)."""
    return np.int64(((x >> np.uint64(32)) * np.uint64(n)) >> np.uint64(32))


@njit(inline="always")
def low_unit(x):
    """A uniform in [0, 1) from the low 32 bits, independent of `below`'s top 32 bits."""
    return np.float64(x & np.uint64(0xFFFFFFFF)) * (1.0 / 4294967296.0)


@njit(inline="always")
def unit(x):
    return np.float64(x >> np.uint64(11)) * TO_UNIT


# --- alias tables ---------------------------------------------------------------------------

@njit(parallel=True, nogil=True, cache=True)
def build_alias_tables(indptr, weights):
    """Vose alias tables for every row, aligned with the CSR: O(1) weighted neighbour sampling.

    prob[k] is the chance of keeping slot k of its row; alias[k] the row-relative slot used
    otherwise.  Built in parallel over nodes; 8 bytes per stored edge.
    """
    n = len(indptr) - 1
    prob = np.ones(len(weights), dtype=np.float32)
    alias = np.zeros(len(weights), dtype=np.int32)
    for v in prange(n):
        start = indptr[v]
        k = indptr[v + 1] - start
        if k <= 1:
            continue
        total = 0.0
        for j in range(k):
            total += weights[start + j]
        scaled = np.empty(k, dtype=np.float64)
        small = np.empty(k, dtype=np.int64)
        large = np.empty(k, dtype=np.int64)
        n_small = 0
        n_large = 0
        for j in range(k):
            scaled[j] = weights[start + j] * k / total
            if scaled[j] < 1.0:
                small[n_small] = j
                n_small += 1
            else:
                large[n_large] = j
                n_large += 1
        while n_small > 0 and n_large > 0:
            n_small -= 1
            s = small[n_small]
            g = large[n_large - 1]
            prob[start + s] = scaled[s]
            alias[start + s] = g
            scaled[g] = (scaled[g] + scaled[s]) - 1.0
            if scaled[g] < 1.0:
                n_large -= 1
                small[n_small] = g
                n_small += 1
        for j in range(n_large):
            prob[start + large[j]] = 1.0
        for j in range(n_small):  # only rounding leftovers reach here
            prob[start + small[j]] = 1.0
    return prob, alias
