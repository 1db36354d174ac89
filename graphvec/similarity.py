"""Top-k cosine neighbours within one set of vectors (for SIMILAR relationships).

Exact search is faiss's flat inner-product index over the normalised vectors: blocked BLAS
products with a running heap per query, so memory stays small and no n × n matrix is formed.
Its cost grows as n²·d (100k × 128 took 21 s on 2 cores), so above EXACT_LIMIT vectors graphvec
switches to a faiss IVF index (k-means lists, each query comparing the vectors of its NPROBE
nearest lists), whose cost grows as n^1.5 and which needs no compile in a new process, unlike
the NN-descent it replaces (pynndescent: 28 s of Numba compile per process, and 9.5 GB with a
recall of 0.94 at 1M documents).  A SIMILAR write picks how many lists to probe on one sample of
1,000 nodes (the fewest that reach RECALL_TARGET against exact search), then measures the recall
it reports on another.
"""

from __future__ import annotations

import numpy as np

EXACT_LIMIT = 120_000
RECALL_TARGET = 0.95  # what a SIMILAR write's sampled recall@k must reach; the search probes more lists until it does
NPROBE = 6  # lists a query probes where nothing is tuned (update's searches): recall@10 0.969 / 0.987 at 4 / 8 over 200k document vectors
SEARCH_BLOCK = 100_000  # queries per faiss call, so the result buffers stay small


NORM_BLOCK = 1 << 18


def normalise(vectors: np.ndarray, *, in_place: bool = False) -> np.ndarray:
    """Rows scaled to unit length (zero rows stay zero), as a new float32 matrix, or `vectors`
    itself when `in_place` (a copy the caller made for this) or when its rows already are: a
    second n × d copy of five million documents is 2.5 GB."""
    # by blocks of rows: the norm of a whole matrix squares it first, a 2.5 GB temporary at 5M documents
    norms = np.concatenate([np.linalg.norm(vectors[start:start + NORM_BLOCK], axis=1, keepdims=True)
                            for start in range(0, len(vectors), NORM_BLOCK)] or [np.zeros((0, 1), np.float32)])
    norms[norms == 0] = 1.0
    if vectors.dtype == np.float32 and vectors.flags.c_contiguous:
        if in_place:
            vectors /= norms
            return vectors
        if np.all(np.abs(norms - 1.0) < 1e-6):
            return vectors
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)


def top_k_exact(vectors: np.ndarray, k: int, workers: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(indices, scores), each n × min(k, n−1), best first; a node is never its own neighbour.

    Equal scores are ordered by node id, so the result does not depend on the thread count."""
    import faiss

    unit = normalise(vectors)
    n = len(unit)
    k = min(k, n - 1)
    if k <= 0:
        return np.zeros((n, 0), dtype=np.int64), np.zeros((n, 0), dtype=np.float32)
    if workers:
        faiss.omp_set_num_threads(workers)
    found_scores, found = faiss.knn(unit, unit, k + 1, metric=faiss.METRIC_INNER_PRODUCT)
    return _ranked(found_scores, found, k, np.arange(n))  # a node is not its own neighbour


def _ranked(found_scores: np.ndarray, found: np.ndarray, k: int, exclude: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """A faiss answer as (indices, scores), k per row, best first and equal scores by index:
    `exclude[i]` (a row's own index, or -1) and faiss's -1 fillers dropped, short rows padded
    with -1 / -inf.  Ordering ties here is what makes every search independent of thread count."""
    if exclude is not None:
        found_scores = np.where(found == np.asarray(exclude)[:, None], -np.inf, found_scores)
    found_scores = np.where(found < 0, -np.inf, found_scores)
    order = np.lexsort((found, -found_scores), axis=1)[:, :k]
    indices = np.full((len(found), k), -1, dtype=np.int64)
    scores = np.full((len(found), k), -np.inf, dtype=np.float32)
    indices[:, :order.shape[1]] = np.take_along_axis(found, order, axis=1)
    scores[:, :order.shape[1]] = np.take_along_axis(found_scores, order, axis=1)
    indices[~np.isfinite(scores)] = -1
    return indices, scores


def ivf_lists(n: int) -> int:
    """Inverted lists for n vectors: 2·√n, so a query probing p lists compares about p·√n/2
    vectors, and never so many that a list trains on fewer than 64 points."""
    return int(max(1, min(2 * np.sqrt(n), n // 64)))


def ivf_index(unit: np.ndarray, seed: int, metric: str = "ip", nprobe: int | None = None):
    """A trained and filled faiss IVF-Flat index over `unit` rows, probing `nprobe` lists
    (NPROBE) per query.

    IVF rather than HNSW: it is deterministic (k-means from a fixed seed on a fixed sample, then
    every vector added to the list of its nearest centroid, with no insertion-order races, so the
    same vectors give the same neighbours whatever the thread count), and on label-derived document
    vectors it was both faster and better (200k documents: IVF recall 0.969 in 6.7 s, HNSW M=32
    0.936 in 27 s; benchmarks/bench_scale.py).  k-means trains on 64 points per list, so it takes
    seconds at any n."""
    import faiss

    n, d = unit.shape
    lists = ivf_lists(n)
    faiss_metric = faiss.METRIC_INNER_PRODUCT if metric == "ip" else faiss.METRIC_L2
    quantizer = faiss.IndexFlatIP(d) if metric == "ip" else faiss.IndexFlatL2(d)
    index = faiss.IndexIVFFlat(quantizer, d, lists, faiss_metric)
    index.cp.seed = seed
    sample = np.random.default_rng(seed).choice(n, size=min(n, 64 * lists), replace=False)
    index.train(np.ascontiguousarray(unit[np.sort(sample)]))
    index.add(unit)
    index.nprobe = min(NPROBE if nprobe is None else nprobe, index.nlist)
    return index


def top_k_approximate(vectors: np.ndarray, k: int, seed: int = 42, workers: int | None = None,
                      nprobe: int = NPROBE) -> tuple[np.ndarray, np.ndarray]:
    """(indices, scores) like top_k_exact, from an IVF index probing `nprobe` lists per query.

    A row short of k neighbours (its probed lists held fewer) is padded with -1 / -inf."""
    indices, scores, _ = _top_k_ivf(vectors, k, seed, workers, nprobe, None)
    return indices, scores


def _top_k_ivf(vectors: np.ndarray, k: int, seed: int, workers: int | None, nprobe: int,
               target: float | None) -> tuple[np.ndarray, np.ndarray, dict]:
    """top_k_approximate; with `target`, the lists to probe are chosen first on a tuning sample
    (the fewest in TUNE_PROBES whose recall@k there reaches it), every vector is searched once at
    that, and the recall reported is measured on another sample; should that one fall short, the
    search is repeated with the next count up (or every list)."""
    import faiss

    unit = normalise(vectors)
    n = len(unit)
    k = min(k, n - 1)
    if workers:
        faiss.omp_set_num_threads(workers)
    index = ivf_index(unit, seed, nprobe=nprobe)
    if target is None:
        indices, scores = _search_in_list_order(index, unit, k)
        return indices, scores, {}
    index.nprobe, tuning = _tuned_nprobe(index, unit, k, target, seed)
    rounds = []
    while True:
        indices, scores = _search_in_list_order(index, unit, k)
        rounds.append({"nprobe": int(index.nprobe), "recall_at_k_sample": round(recall_at_k(unit, indices), 4)})
        if rounds[-1]["recall_at_k_sample"] >= target or index.nprobe >= index.nlist:
            return indices, scores, {**rounds[-1], "lists": int(index.nlist), "tuning": tuning, "rounds": rounds}
        index.nprobe = min(next((p for p in TUNE_PROBES if p > index.nprobe), 2 * index.nprobe), index.nlist)


def _search_in_list_order(index, unit: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Every row's top-k among the index's own rows, searched list by list: a query's nearest
    list is the one it was filed in, so queries taken in the order of the lists share the lists
    they probe while those are in the CPU's caches, and each answer is the same as in any order
    (200k queries over 1M synthetic vectors: 2.4× faster than row order; over 5M: 1.24×)."""
    order = _list_order(index)
    n = len(unit)
    indices = np.empty((n, k), dtype=np.int64)
    scores = np.empty((n, k), dtype=np.float32)
    for start in range(0, n, SEARCH_BLOCK):
        rows = order[start:start + SEARCH_BLOCK]
        found_scores, found = index.search(unit[rows], k + 1)
        indices[rows], scores[rows] = _ranked(found_scores, found, k, rows)
    return indices, scores


def _list_order(index) -> np.ndarray:
    """The index's rows list after list, as filed."""
    import faiss

    invlists = faiss.extract_index_ivf(index).invlists
    return np.concatenate([faiss.rev_swig_ptr(invlists.get_ids(i), invlists.list_size(i)).copy()
                           for i in range(invlists.nlist) if invlists.list_size(i)] or [np.zeros(0, np.int64)])


TUNE_PROBES = (1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256)
TUNE_MARGIN = 0.005  # the tuning sample must beat the target by this, so the reporting sample rarely falls short


def _tuned_nprobe(index, unit: np.ndarray, k: int, target: float, seed: int) -> tuple[int, list]:
    """The fewest lists to probe whose recall@k on 1,000 sampled rows (not the rows recall is
    reported on) reaches `target` + TUNE_MARGIN, with what each count tried measured: a search
    of every vector costs p lists' worth per query, and a round at a count too low to pass was a
    whole wasted search (500k label vectors: 6 lists, 0.925, then 12)."""
    rows = np.sort(np.random.default_rng([seed, 1]).choice(len(unit), size=min(1000, len(unit)), replace=False))
    _, exact_scores = search(unit, unit[rows], k, exclude=rows, exact_limit=1 << 40)
    tried = []
    for p in [p for p in TUNE_PROBES if p < index.nlist] + [index.nlist]:
        index.nprobe = p
        found_scores, found = index.search(unit[rows], k + 1)
        _, scores = _ranked(found_scores, found, k, rows)
        tried.append({"nprobe": int(p), "recall_at_k_sample": round(_recall(scores, exact_scores), 4)})
        if tried[-1]["recall_at_k_sample"] >= target + TUNE_MARGIN:
            break
    return int(index.nprobe), tried


def recall_at_k(vectors: np.ndarray, approximate: np.ndarray, sample: int = 1000, seed: int = 0) -> float:
    """Share of the exact top-k that `approximate` (n × k) found, on `sample` random rows: what
    every approximate SIMILAR write reports, so its quality is measured where it is used.

    A found neighbour counts when its cosine is at least the exact k-th best: among equal
    vectors (documents with the same labels) any k of the tied ones are an exact answer."""
    n, k = approximate.shape
    if k == 0:
        return 1.0
    rows = np.sort(np.random.default_rng(seed).choice(n, size=min(sample, n), replace=False))
    _, exact_scores = search(vectors, vectors[rows], k, exclude=rows, exact_limit=1 << 40)
    found = approximate[rows]
    neighbours = normalise(vectors[np.maximum(found, 0)].reshape(-1, vectors.shape[1]), in_place=True).reshape(len(rows), k, -1)
    scores = np.einsum("ijk,ik->ij", neighbours, normalise(vectors[rows], in_place=True))
    return _recall(np.where(found >= 0, scores, -np.inf), exact_scores)


def _recall(found_scores: np.ndarray, exact_scores: np.ndarray) -> float:
    """Share of the exact top-k found, from the cosines of what was found (-inf: nothing) and of
    the exact answer, row by row: a found neighbour at least as close as the exact k-th counts."""
    kth = np.where(np.isfinite(exact_scores[:, -1]), exact_scores[:, -1], -np.inf)[:, None]
    good = np.isfinite(found_scores) & (found_scores >= kth - 1e-5)
    wanted = np.isfinite(exact_scores).sum(axis=1)
    return float(np.mean(np.minimum(good.sum(axis=1), wanted) / np.maximum(wanted, 1)))


def top_k(vectors: np.ndarray, k: int, *, exact_limit: int = EXACT_LIMIT, seed: int = 42) -> tuple[np.ndarray, np.ndarray, str]:
    if len(vectors) <= exact_limit:
        return (*top_k_exact(vectors, k), "exact")
    return (*top_k_approximate(vectors, k, seed), "ivf")


def top_k_measured(vectors: np.ndarray, k: int, *, exact_limit: int = EXACT_LIMIT, seed: int = 42,
                   target: float = RECALL_TARGET) -> tuple[np.ndarray, np.ndarray, dict]:
    """top_k with a recall floor, as SIMILAR writes it: past `exact_limit` the IVF search probes
    twice as many lists until its recall@k on 1,000 sampled rows reaches `target` (500k trained
    label vectors gave 0.929 at NPROBE lists, 5M label-derived documents 0.968); the report says
    how many lists it probed and what each round measured.  Deterministic: the sample is seeded."""
    if len(vectors) <= exact_limit:
        return (*top_k_exact(vectors, k), {"method": "exact"})
    indices, scores, info = _top_k_ivf(vectors, k, seed, None, NPROBE, target)
    return indices, scores, {"method": "ivf", **info}


QUERY_BATCH = 1 << 20  # query rows gathered at a time when they are given as rows of a matrix


def search(base: np.ndarray, queries: np.ndarray, k: int, exclude: np.ndarray | None = None, *,
           exact_limit: int = EXACT_LIMIT, seed: int = 42, query_rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Each query's top-k cosine neighbours among `base` rows: (indices, scores), best first, ties
    by index.  `exclude[i]` is a base row query i may not return (itself), or -1.  Rows short of
    k candidates are padded with -1 / -inf.  Exact while queries × base stays within what an
    exact top-k over `exact_limit` vectors compares, through an IVF index (NPROBE lists) beyond.

    With `query_rows` the queries are those rows of `queries`, gathered QUERY_BATCH at a time:
    `update` asks for the 5M old documents' best new ones, and a gathered copy of them is 2.5 GB."""
    import faiss

    unit = normalise(base)
    count = len(queries) if query_rows is None else len(query_rows)
    asked = min(k + (exclude is not None), len(unit))
    if asked == 0 or count == 0:
        return np.full((count, k), -1, dtype=np.int64), np.full((count, k), -np.inf, dtype=np.float32)
    if len(unit) * count > exact_limit ** 2 and len(unit) > 64:
        index = ivf_index(unit, seed)
        run = lambda batch: index.search(batch, asked)  # noqa: E731
    else:  # brute force over the base as it is, not copied into a flat index
        run = lambda batch: faiss.knn(batch, unit, asked, metric=faiss.METRIC_INNER_PRODUCT)  # noqa: E731
    if query_rows is None:
        scores, indices = run(normalise(queries))
    else:
        found = [run(normalise(queries[query_rows[start:start + QUERY_BATCH]], in_place=True))
                 for start in range(0, count, QUERY_BATCH)]
        scores, indices = np.concatenate([f[0] for f in found]), np.concatenate([f[1] for f in found])
    return _ranked(scores, indices, k, exclude)
