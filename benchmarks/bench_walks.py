"""Walk throughput and peak memory against PecanPy (SparseOTF and PreComp), same graphs, same run.

Graphs: the 100k-node / 1M-edge synthetic power-law graph (weighted) and BlogCatalog (unweighted,
from ../shared/datasets).  Settings: 10 walks per node, length 80, 2 threads, p=q=1 and p=0.5 q=2.
Every contender runs in its own process, so peak RSS (ru_maxrss) is its own.

graphvec does its full `walk` job: alias tables, walks, and the memory-mapped .npy on disk.
PecanPy 2.0.9 (with the NumPy 1 type aliases its nptyping import needs restored) is timed from its CSR (.npz) through `preprocess_transition_probs` (PreComp's
second-order tables) and its numba walk kernel; its final conversion of every walk into a list of
strings is *not* timed, which favours it.  PecanPy compiles its kernels at every run (closures
over the graph arrays); that compile time is part of its figure, as a user pays it.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import OUT, SHARED, synthetic_graph  # noqa: E402

WALKS, LENGTH, THREADS = 10, 80, 2


def graph_file(name: str) -> Path | None:
    from graphvec.projection import build_csr

    path = OUT / f"csr-{name}.npz"
    if path.exists():
        return path
    if name == "powerlaw":
        src, dst, weight = synthetic_graph()
        n = 100_000
    else:
        import scipy.io
        import scipy.sparse as sp

        mat = SHARED / "blogcatalog" / "blogcatalog.mat"
        if not mat.exists():
            return None
        upper = sp.triu(sp.coo_matrix(scipy.io.loadmat(str(mat))["network"]), format="coo")
        src, dst, weight, n = upper.row, upper.col, upper.data.astype(float), upper.shape[0]
    csr = build_csr(np.asarray(src), np.asarray(dst), np.asarray(weight, dtype=float), n, directed=False)
    np.savez(path, IDs=np.array([str(i) for i in range(n)]), data=csr.data.astype(np.float32),
             indptr=csr.indptr.astype(np.uint64), indices=csr.indices.astype(np.uint32))
    return path


def restore_numpy1_aliases() -> None:
    """PecanPy 2.0.9 imports nptyping, which names NumPy 1 aliases that NumPy 2 removed."""
    for old, new in {"bool8": "bool_", "object0": "object_", "int0": "intp", "uint0": "uintp", "void0": "void",
                     "bytes0": "bytes_", "str0": "str_", "float_": "float64", "complex_": "complex128",
                     "longfloat": "longdouble", "singlecomplex": "complex64", "cfloat": "complex128",
                     "longcomplex": "clongdouble", "clongfloat": "clongdouble", "string_": "bytes_", "unicode_": "str_"}.items():
        if not hasattr(np, old):
            setattr(np, old, getattr(np, new))


def child(tool: str, path: str, p: float, q: float, weighted: bool) -> dict:
    data = np.load(path)
    n = len(data["indptr"]) - 1
    steps = n * WALKS * LENGTH
    if tool == "graphvec":
        from graphvec.walks import WalkParams, iter_walks, write_walks

        indptr, indices, weights = data["indptr"].astype(np.int64), data["indices"].astype(np.int32), data["data"]
        tiny = WalkParams(5, 1, p, q)
        for _ in iter_walks(indptr[:11], indices, weights, tiny, weighted=weighted, workers=THREADS):
            pass  # load the cached compiled kernels before timing
        started = time.perf_counter()
        params = WalkParams(LENGTH, WALKS, p, q, seed=42)
        write_walks(OUT / "bench-walks.npy", iter_walks(indptr, indices, weights, params, weighted=weighted, directed=False, workers=THREADS),
                    n * WALKS, LENGTH, {})
        seconds = time.perf_counter() - started
    else:
        restore_numpy1_aliases()
        from numba_progress import ProgressBar
        from pecanpy import pecanpy as node2vec

        graph = getattr(node2vec, tool)(p=p, q=q, workers=THREADS, verbose=False, random_state=42)
        graph.read_npz(path, weighted=weighted)
        started = time.perf_counter()
        graph._preprocess_transition_probs()
        start_nodes = np.concatenate([np.arange(graph.num_nodes, dtype=np.uint32)] * WALKS)
        np.random.default_rng(42).shuffle(start_nodes)
        with ProgressBar(total=len(start_nodes), disable=True) as progress:
            graph._random_walks(len(start_nodes), LENGTH, 42, start_nodes, graph.get_has_nbrs(),
                                graph.get_move_forward(), progress)
        seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"seconds": round(seconds, 2), "steps": steps, "steps_per_second": round(steps / seconds), "peak_rss_mb": round(peak)}


def run_child(*args) -> dict:
    out = subprocess.run([sys.executable, __file__, "child", *map(str, args)], capture_output=True, text=True)
    if out.returncode != 0:
        return {"error": out.stderr.strip().splitlines()[-1] if out.stderr.strip() else "failed"}
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    results = {}
    for name, weighted in (("powerlaw", True), ("blogcatalog", False)):
        path = graph_file(name)
        if path is None:
            results[name] = {"skipped": "../shared/datasets/blogcatalog not present"}
            continue
        for p, q in ((1.0, 1.0), (0.5, 2.0)):
            key = f"{name} p={p} q={q}"
            row = {tool: run_child(tool, path, p, q, weighted) for tool in ("graphvec", "SparseOTF", "PreComp")}
            ours = row["graphvec"]
            for tool in ("SparseOTF", "PreComp"):
                if "seconds" in row[tool] and "seconds" in ours:
                    row[f"speedup_vs_{tool}"] = round(row[tool]["seconds"] / ours["seconds"], 2)
                    row[f"memory_ratio_vs_{tool}"] = round(ours["peak_rss_mb"] / row[tool]["peak_rss_mb"], 2)
            results[key] = row
            print(key, json.dumps(row), flush=True)
    (OUT / "walks.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "child":
        _, _, tool, path, p, q, weighted = sys.argv
        print(json.dumps(child(tool, path, float(p), float(q), weighted == "True")))
    else:
        main()
