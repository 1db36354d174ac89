"""SIMILAR's approximate search, as it was and as it is, on the same vectors in the same process.

    python benchmarks/bench_similar_search.py STORE [LABEL]     # e.g. a bench_scale store, Document

Before: every node searched in row order at 6 lists, then, while the recall sampled on 1,000
nodes stayed under 0.95, the whole search again at twice the lists.  Now: the number of lists
chosen on a tuning sample first, every node searched once, list by list
(graphvec.similarity.top_k_measured).  Both run on the vectors the store holds for LABEL, one
after the other, so the ratio is between peers on one machine at one moment.  Writes
bench-out/similar_search.json.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np

from common import OUT

from graphvec import similarity
from graphvec.store import open_store


def row_order(unit: np.ndarray, k: int = 10, target: float = 0.95) -> tuple[np.ndarray, dict]:
    """The search before the change: row order, 6 lists, doubled until the sample says target."""
    index = similarity.ivf_index(unit, 42, nprobe=6)
    indices = np.empty((len(unit), k), dtype=np.int64)
    rounds = []
    while True:
        for start in range(0, len(unit), similarity.SEARCH_BLOCK):
            rows = np.arange(start, min(start + similarity.SEARCH_BLOCK, len(unit)))
            found_scores, found = index.search(unit[rows], k + 1)
            indices[rows] = similarity._ranked(found_scores, found, k, rows)[0]
        rounds.append({"nprobe": int(index.nprobe), "recall_at_k_sample": round(similarity.recall_at_k(unit, indices), 4)})
        if rounds[-1]["recall_at_k_sample"] >= target or index.nprobe >= index.nlist:
            return indices, {"rounds": rounds}
        index.nprobe = min(2 * index.nprobe, index.nlist)


def main() -> None:
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__.strip().splitlines()[2].strip())
    label = sys.argv[2] if len(sys.argv) == 3 else "Document"
    with open_store(sys.argv[1], read_only=True) as store:
        stored = store.read_embedding(label)
    unit = similarity.normalise(stored.vectors[stored.has_vector])
    del stored
    result = {"label": label, "vectors": len(unit)}
    started = time.perf_counter()
    _, before = row_order(unit)
    result["before"] = {"seconds": round(time.perf_counter() - started, 1), **before}
    started = time.perf_counter()
    _, _, now = similarity.top_k_measured(unit, 10)
    result["now"] = {"seconds": round(time.perf_counter() - started, 1), **now}
    result["now_over_before"] = round(result["now"]["seconds"] / result["before"]["seconds"], 3)
    OUT.mkdir(exist_ok=True)
    (OUT / "similar_search.json").write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
