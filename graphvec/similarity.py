"""Top-k cosine neighbours within one set of vectors (for SIMILAR relationships).

Exact search multiplies row blocks of the normalised matrix by its transpose, so memory stays at
one block × n scores (about 32 MB, plus its sort indices) instead of an n × n matrix.  Its cost grows as n²·d, so above
EXACT_LIMIT vectors graphvec switches to NN-descent (pynndescent, the method GDS's kNN uses),
whose recall against exact search the benchmark reports.
"""

from __future__ import annotations

import numpy as np

EXACT_LIMIT = 50_000
BLOCK_BYTES = 32 << 20


def normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def top_k_exact(vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """(indices, scores), each n × min(k, n−1), best first; a node is never its own neighbour."""
    unit = normalise(vectors)
    n = len(unit)
    k = min(k, n - 1)
    if k <= 0:
        return np.zeros((n, 0), dtype=np.int64), np.zeros((n, 0), dtype=np.float32)
    indices = np.empty((n, k), dtype=np.int64)
    scores = np.empty((n, k), dtype=np.float32)
    block = max(1, BLOCK_BYTES // (4 * n))
    for start in range(0, n, block):
        stop = min(n, start + block)
        sims = unit[start:stop] @ unit.T
        sims[np.arange(stop - start), np.arange(start, stop)] = -np.inf
        part = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        part_scores = np.take_along_axis(sims, part, axis=1)
        # ties are broken by node id so that the result does not depend on the block size
        order = np.lexsort((part, -part_scores), axis=1)
        indices[start:stop] = np.take_along_axis(part, order, axis=1)
        scores[start:stop] = np.take_along_axis(part_scores, order, axis=1)
    return indices, scores


def top_k_approximate(vectors: np.ndarray, k: int, seed: int = 42, workers: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    from pynndescent import NNDescent

    n = len(vectors)
    k = min(k, n - 1)
    index = NNDescent(normalise(vectors), metric="cosine", n_neighbors=k + 1, random_state=seed, n_jobs=workers or -1)
    neighbours, distances = index.neighbor_graph
    indices = np.empty((n, k), dtype=np.int64)
    scores = np.empty((n, k), dtype=np.float32)
    for i in range(n):
        keep = neighbours[i] != i
        row, dist = neighbours[i][keep][:k], distances[i][keep][:k]
        indices[i, : len(row)] = row
        scores[i, : len(row)] = 1.0 - dist
        if len(row) < k:  # NN-descent may return fewer than asked; pad with the last found
            indices[i, len(row):] = row[-1] if len(row) else i
            scores[i, len(row):] = scores[i, len(row) - 1] if len(row) else 0.0
    return indices, scores


def top_k(vectors: np.ndarray, k: int, *, exact_limit: int = EXACT_LIMIT, seed: int = 42) -> tuple[np.ndarray, np.ndarray, str]:
    if len(vectors) <= exact_limit:
        return (*top_k_exact(vectors, k), "exact")
    return (*top_k_approximate(vectors, k, seed), "nn-descent")
