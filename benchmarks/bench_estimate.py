"""`graphvec estimate` against the peak resident memory `graphvec embed` reaches, on the benchmark
graphs (SBM 10k, BlogCatalog, and with --big the 100k-node power-law graph).

    python benchmarks/bench_estimate.py [--big]

Each embed runs in its own process (the same options for both: node2vec on the graph
projection, 10 × 80 walks, d = 128, top-10 SIMILAR); its peak is the child's ru_maxrss.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_embed import graph_edges  # noqa: E402
from common import OUT, REPO  # noqa: E402

OPTIONS = ["--projection", "graph", "--seed", "1", "--workers", "2"]


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(REPO / "cli.py"), *args], capture_output=True, text=True, cwd=REPO)


def measure(name: str) -> dict:
    found = graph_edges(name)
    if found is None:
        return {"graph": name, "skipped": "dataset not present"}
    edges, n = found
    folder = OUT / "estimate"
    folder.mkdir(parents=True, exist_ok=True)
    edge_file = folder / f"{name}.txt"
    edge_file.write_text("".join(f"{u} {v}\n" for u, v in edges.tolist()))
    store = folder / f"{name}.lbug"
    for path in folder.glob(f"{name}.lbug*"):
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    assert cli("--store", str(store), "ingest", "graph", str(edge_file)).returncode == 0
    estimate = json.loads(cli("--json", "--store", str(store), "estimate", "--projection", "graph").stdout)
    code = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], capture_output=True); "
            "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024)")
    done = subprocess.run([sys.executable, "-c", code, sys.executable, str(REPO / "cli.py"), "--json", "--store", str(store),
                           "embed", *OPTIONS], capture_output=True, text=True)
    status, peak = done.stdout.split()
    predicted = estimate["memory_bytes"]["peak"]
    return {"graph": name, "nodes": n, "estimated_mib": round(predicted / 2**20), "measured_peak_mib": round(int(peak) / 2**20),
            "ratio": round(predicted / int(peak), 3), "embed_exit": int(status),
            "estimated_steps_mib": {k: round(v / 2**20) for k, v in estimate["memory_bytes"]["steps"].items()}}


def main() -> None:
    names = ["sbm", "blogcatalog"] + (["powerlaw"] if "--big" in sys.argv else [])
    results = [measure(name) for name in names]
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
