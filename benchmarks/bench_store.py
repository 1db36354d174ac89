"""Store benchmarks: document ingest and projection, each against a peer measured in the same run.

- Ingest of cooking.csv (15,404 documents) into a fresh embedded store; peer: pandas reading the
  same CSV (the floor any ingest has to pay), target under 10 s.
- Projection of the 100k-node / 1M-edge synthetic graph from the embedded store into CSR; peer:
  networkx reading the same edges from a text edge list into a graph and converting it to a
  SciPy CSR (the usual way without a store), target under 5 s.
"""

from __future__ import annotations

import json
import shutil

import pandas as pd

from common import OUT, SHARED, synthetic_graph, timed, write_edge_list

from graphvec.ingest import ingest_documents, ingest_graph
from graphvec.projection import PRESETS, project
from graphvec.sources import EdgeList, Skips, read_documents
from graphvec.store import open_store


def bench_ingest() -> dict:
    path = SHARED / "stackexchange_kaggle" / "cooking.csv"
    if not path.exists():
        return {"skipped": f"{path} not present"}
    store_path = OUT / "bench-cooking.lbug"
    for p in OUT.glob("bench-cooking.lbug*"):
        shutil.rmtree(p) if p.is_dir() else p.unlink()
    _, peer_s = timed(pd.read_csv, path)

    def run():
        corpus = read_documents(path, labels_field="tags")
        with open_store(str(store_path)) as store:
            return ingest_documents(store, corpus)

    report, ours_s = timed(run)
    with open_store(str(store_path)) as store:
        _, rerun_s = timed(ingest_documents, store, read_documents(path))
    return {"documents": report.read, "labels": report.store_totals["labels"], "co_occurs": report.store_totals["co_occurs"],
            "graphvec_ingest_s": round(ours_s, 2), "idempotent_rerun_s": round(rerun_s, 2),
            "pandas_read_csv_s": round(peer_s, 2), "ratio_to_pandas_read": round(ours_s / peer_s, 2), "target_s": 10}


def bench_projection() -> dict:
    import networkx as nx

    src, dst, weight = synthetic_graph()
    store_path = OUT / "bench-powerlaw.lbug"
    if not store_path.exists():
        keys = [str(i) for i in range(100_000)]
        s, d = [keys[i] for i in src], [keys[i] for i in dst]
        s, d = [min(a, b) for a, b in zip(s, d)], [max(a, b) for a, b in zip(s, d)]
        edges = EdgeList(store_path, keys, s, d, weight, False, None, Skips())
        with open_store(str(store_path)) as store:
            ingest_graph(store, edges)
    edge_file = OUT / "powerlaw_100k.edges"
    if not edge_file.exists():
        write_edge_list(edge_file, src, dst, weight)
    with open_store(str(store_path), read_only=True) as store:
        cold, cold_s = timed(project, store, PRESETS["graph"], use_cache=False)
        project(store, PRESETS["graph"])
        _, warm_s = timed(project, store, PRESETS["graph"])

    def networkx_peer():
        graph = nx.read_weighted_edgelist(edge_file, nodetype=int)
        return nx.to_scipy_sparse_array(graph, weight="weight", format="csr")

    _, peer_s = timed(networkx_peer)
    return {"nodes": cold.node_count, "edges": int(len(src)), "projection_from_store_s": round(cold_s, 2),
            "projection_from_cache_s": round(warm_s, 3), "networkx_edgelist_to_csr_s": round(peer_s, 2),
            "ratio_networkx_over_graphvec": round(peer_s / cold_s, 2), "target_s": 5}


def main() -> None:
    OUT.mkdir(exist_ok=True)
    results = {"ingest_cooking": bench_ingest(), "projection_1M": bench_projection()}
    print(json.dumps(results, indent=2))
    (OUT / "store.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
