"""Shared benchmark inputs: the deterministic synthetic graph and measuring helpers."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "bench-out"
SHARED = REPO.parent / "shared" / "datasets"


def synthetic_graph() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """powerlaw_cluster_graph(100_000, 10, 0.2, seed=42), edges sorted, weights U(0.1, 1) with seed 42.

    Exactly the graph the issues quote figures for, cached as .npz after the first build.
    """
    OUT.mkdir(exist_ok=True)
    cache = OUT / "powerlaw_100k.npz"
    if cache.exists():
        data = np.load(cache)
        return data["src"], data["dst"], data["weight"]
    import networkx as nx

    graph = nx.powerlaw_cluster_graph(100_000, 10, 0.2, seed=42)
    edges = np.array(sorted((min(u, v), max(u, v)) for u, v in graph.edges()), dtype=np.int64)
    weight = np.random.default_rng(42).uniform(0.1, 1.0, len(edges))
    np.savez(cache, src=edges[:, 0], dst=edges[:, 1], weight=weight)
    return edges[:, 0], edges[:, 1], weight


def write_edge_list(path: Path, src, dst, weight) -> None:
    with path.open("w") as handle:
        for u, v, w in zip(src.tolist(), dst.tolist(), weight.tolist()):
            handle.write(f"{u} {v} {w:.6f}\n")


def timed(fn, *args, **kwargs):
    started = time.perf_counter()
    value = fn(*args, **kwargs)
    return value, time.perf_counter() - started


def run_isolated(code: str) -> dict:
    """Run a snippet in a fresh interpreter and return {'seconds', 'peak_rss_mb', 'stdout'}.

    A child process gives each contender its own peak-memory figure (ru_maxrss of the child).
    """
    started = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO,
                            env={**os.environ, "PYTHONPATH": str(REPO)})
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(result.stderr[-2000:])
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"seconds": seconds, "peak_rss_mb": max(peak, before) / 1024, "stdout": result.stdout}
