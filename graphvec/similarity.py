"""Top-k cosine neighbours within one set of vectors (for SIMILAR relationships).

Exact search is faiss's flat inner-product index over the normalised vectors: blocked BLAS
products with a running heap per query, so memory stays small and no n × n matrix is formed.
Its cost grows as n²·d (100k × 128 took 21 s on 2 cores), so above EXACT_LIMIT vectors graphvec
switches to NN-descent (pynndescent, the method GDS's kNN uses), whose recall against exact
search the benchmark reports.  The limit sits where the two cost the same: NN-descent's own
search is fast (2.4 s at 100k) but it compiles its Numba code in every new process (28 s).
"""

from __future__ import annotations

import numpy as np

EXACT_LIMIT = 120_000


def normalise(vectors: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return (vectors / np.where(norms == 0, 1.0, norms)).astype(np.float32)


def top_k_exact(vectors: np.ndarray, k: int, workers: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(indices, scores), each n × min(k, n−1), best first; a node is never its own neighbour.

    Equal scores are ordered by node id, so the result does not depend on the thread count."""
    import faiss

    unit = np.ascontiguousarray(normalise(vectors))
    n = len(unit)
    k = min(k, n - 1)
    if k <= 0:
        return np.zeros((n, 0), dtype=np.int64), np.zeros((n, 0), dtype=np.float32)
    if workers:
        faiss.omp_set_num_threads(workers)
    index = faiss.IndexFlatIP(unit.shape[1])
    index.add(unit)
    found_scores, found = index.search(unit, k + 1)
    found_scores = np.where(found == np.arange(n)[:, None], -np.inf, found_scores)  # a node is not its own neighbour
    order = np.lexsort((found, -found_scores), axis=1)[:, :k]
    return np.take_along_axis(found, order, axis=1).astype(np.int64), np.take_along_axis(found_scores, order, axis=1)


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


def search(base: np.ndarray, queries: np.ndarray, k: int, exclude: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each query's top-k cosine neighbours among `base` rows: (indices, scores), best first, ties
    by index.  `exclude[i]` is a base row query i may not return (itself), or -1.  Rows short of
    k candidates are padded with -1 / -inf."""
    import faiss

    unit = np.ascontiguousarray(normalise(base))
    asked = min(k + (exclude is not None), len(unit))
    found_scores = np.full((len(queries), k), -np.inf, dtype=np.float32)
    found = np.full((len(queries), k), -1, dtype=np.int64)
    if asked == 0 or len(queries) == 0:
        return found, found_scores
    index = faiss.IndexFlatIP(unit.shape[1])
    index.add(unit)
    scores, indices = index.search(np.ascontiguousarray(normalise(queries)), asked)
    if exclude is not None:
        scores = np.where(indices == np.asarray(exclude)[:, None], -np.inf, scores)
    scores = np.where(indices < 0, -np.inf, scores)
    order = np.lexsort((indices, -scores), axis=1)[:, :k]
    width = order.shape[1]
    found[:, :width] = np.take_along_axis(indices, order, axis=1)
    found_scores[:, :width] = np.take_along_axis(scores, order, axis=1)
    found[~np.isfinite(found_scores)] = -1
    return found, found_scores
