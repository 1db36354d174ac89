"""End to end: walks + skip-gram, graphvec against PecanPy+gensim, fastnode2vec and GRAPE.

Same settings for all: 10 walks × 80 steps per node, p = q = 1, dimension 128, window 10,
5 negatives, 1 epoch, 2 threads.  Each contender runs in its own process on the same residual
graph (10% of the edges held out at random with seed 0); its wall time and peak RSS are its own.
Quality: link-prediction AUC of the held-out edges against as many random non-edges (Hadamard
features + logistic regression, as `graphvec evaluate` scores it), and on BlogCatalog the
Macro-F1 of node classification.

graphvec is timed for `embed` from its store (projection, walks, training, write-back of vectors
and SIMILAR top-10); ingest is a one-off and is reported separately.  It runs twice: with its
numba trainer (the default, walks streamed) and as `graphvec-gensim` (the same pipeline with the
reference gensim trainer fed by corpus_file), which is the quality bar for the numba trainer.
The peers start from an edge-list file and end with vectors in memory.  Numba's compiled code is
cached on disk, so graphvec's first run after an install also compiles; run once untimed first.

Also measured here: the trainers on the same walks (graphvec's numba kernels on stored and on
streamed walks, gensim fed by corpus_file and by an iterable), write-back of 100k × 128 vectors
into the embedded store, and NN-descent's recall@10 against exact search.

Graphs: BlogCatalog (../shared/datasets) and a planted partition (stochastic block model, 50
blocks × 200 nodes, expected degree 16 inside a block and 4 across).  The 100k-node / 1M-edge
synthetic graph is available with `--big`: the gensim-based peers need over 15 minutes there.
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

DIM, WINDOW, WALKS, LENGTH, THREADS = 128, 10, 10, 80, 2


def graph_edges(name: str) -> tuple[np.ndarray, int] | None:
    if name == "blogcatalog":
        import scipy.io
        import scipy.sparse as sp

        mat = SHARED / "blogcatalog" / "blogcatalog.mat"
        if not mat.exists():
            return None
        upper = sp.triu(sp.coo_matrix(scipy.io.loadmat(str(mat))["network"]), k=1).tocoo()
        return np.stack([upper.row, upper.col], axis=1).astype(np.int64), upper.shape[0]
    if name == "sbm":
        import networkx as nx

        blocks, size = 50, 200
        p_in, p_out = 16 / (size - 1), 4 / (size * (blocks - 1))
        probs = [[p_in if i == j else p_out for j in range(blocks)] for i in range(blocks)]
        graph = nx.stochastic_block_model([size] * blocks, probs, seed=42)
        return np.array(sorted((min(u, v), max(u, v)) for u, v in graph.edges()), dtype=np.int64), blocks * size
    src, dst, _ = synthetic_graph()
    return np.stack([src, dst], axis=1), 100_000


def split(edges: np.ndarray, n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(edges))
    held = edges[order[: len(edges) // 10]]
    train = edges[order[len(edges) // 10:]]
    existing = set(map(tuple, edges.tolist()))
    negatives = []
    while len(negatives) < len(held):
        u, v = rng.integers(0, n, 2)
        if u != v and (min(u, v), max(u, v)) not in existing:
            negatives.append((min(u, v), max(u, v)))
    return train, held, np.array(negatives)


def auc(vectors: np.ndarray, positives: np.ndarray, negatives: np.ndarray) -> dict:
    """graphvec evaluate's link-prediction scores (Hadamard features + logistic regression fitted
    on one half of the pairs, AUC on the other half; cosine AUC on that half too).  Cosine ignores
    how connected a node is, which on hub-heavy graphs such as BlogCatalog (where degree alone
    reaches AUC 0.95) puts it below chance; the Hadamard score does not."""
    from graphvec.evaluate import score_links

    return score_links(vectors, positives, negatives, seed=0)


def macro_f1(vectors: np.ndarray) -> dict:
    """BlogCatalog node classification as `graphvec evaluate node-classification` does it (50%
    training, C chosen by cross-validation, mean of 5 splits)."""
    import scipy.io
    import scipy.sparse as sp

    from graphvec.evaluate import classify_nodes

    groups = sp.csr_matrix(scipy.io.loadmat(str(SHARED / "blogcatalog" / "blogcatalog.mat"))["group"])
    result = classify_nodes(vectors, groups, 0.5, 5, 0)
    return {"macro_f1": result["macro_f1"], "micro_f1": result["micro_f1"]}


# --- contenders (run in a child process) ------------------------------------------------------

def run_graphvec(edge_file: Path, n: int, out: Path, trainer: str = "numba") -> dict:
    from graphvec.ingest import ingest_graph
    from graphvec.pipeline import embed
    from graphvec.projection import PRESETS
    from graphvec.sources import read_graph
    from graphvec.store import open_store

    store_path = OUT / f"e2e-{edge_file.stem}-{trainer}.lbug"
    for path in OUT.glob(f"e2e-{edge_file.stem}-{trainer}.lbug*"):
        import shutil
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    t0 = time.perf_counter()
    with open_store(str(store_path)) as store:
        ingest_graph(store, read_graph(edge_file))
        ingest_s = time.perf_counter() - t0
        started = time.perf_counter()
        result = embed(store, PRESETS["graph"], model(trainer=trainer, feeding="corpus_file"), top_k=10)
        seconds = time.perf_counter() - started
        stored = store.read_embedding("Node")
    vectors = np.zeros((n, DIM), dtype=np.float32)
    vectors[stored.keys.astype(np.int64)] = stored.vectors
    np.save(out, vectors)
    return {"seconds": seconds, "ingest_s": round(ingest_s, 2), "timings_s": result.timings_s,
            "tokens_per_second": result.train["tokens_per_second"], "similar": result.write.similar}


def model(**changes):
    """The model every graphvec figure here comes from: DeepWalk walks, the shared sizes."""
    from graphvec.node2vec import Node2Vec

    settings = dict(walk_length=LENGTH, walks_per_node=WALKS, dimensions=DIM, window=WINDOW, negative=5, epochs=1,
                    workers=THREADS, random_state=42, method="deepwalk")
    return Node2Vec(**(settings | changes))


def run_pecanpy(edge_file: Path, n: int, out: Path) -> dict:
    sys.path.insert(0, str(HERE))
    from bench_walks import restore_numpy1_aliases

    restore_numpy1_aliases()
    from pecanpy import pecanpy as node2vec

    started = time.perf_counter()
    graph = node2vec.SparseOTF(p=1, q=1, workers=THREADS, verbose=False, random_state=42)
    graph.read_edg(str(edge_file), weighted=False, directed=False, delimiter=" ")
    embedding = graph.embed(dim=DIM, num_walks=WALKS, walk_length=LENGTH, window_size=WINDOW, epochs=1)
    seconds = time.perf_counter() - started
    vectors = np.zeros((n, DIM), dtype=np.float32)
    vectors[np.array(graph.nodes, dtype=np.int64)] = embedding
    np.save(out, vectors)
    return {"seconds": seconds}


def run_fastnode2vec(edge_file: Path, n: int, out: Path) -> dict:
    from fastnode2vec import Graph, Node2Vec

    started = time.perf_counter()
    edges = [tuple(line.split()) for line in edge_file.read_text().splitlines()]
    graph = Graph(edges, directed=False, weighted=False)
    model = Node2Vec(graph, dim=DIM, walk_length=LENGTH, window=WINDOW, p=1.0, q=1.0, workers=THREADS, seed=42)
    model.train(epochs=WALKS)
    seconds = time.perf_counter() - started
    vectors = np.zeros((n, DIM), dtype=np.float32)
    for key in model.wv.index_to_key:
        vectors[int(key)] = model.wv[key]
    np.save(out, vectors)
    return {"seconds": seconds}


def run_grape(edge_file: Path, n: int, out: Path) -> dict:
    sys.path.insert(0, str(HERE))
    from bench_walks import restore_numpy1_aliases

    restore_numpy1_aliases()
    from embiggen.embedders.ensmallen_embedders.node2vec_skipgram import Node2VecSkipGramEnsmallen
    from ensmallen import Graph

    started = time.perf_counter()
    graph = Graph.from_csv(edge_path=str(edge_file), directed=False, edge_list_separator=" ", edge_list_header=False,
                           sources_column_number=0, destinations_column_number=1, verbose=False)
    model = Node2VecSkipGramEnsmallen(embedding_size=DIM, epochs=1, number_of_negative_samples=5, walk_length=LENGTH,
                                      iterations=WALKS, window_size=WINDOW, return_weight=1.0, explore_weight=1.0,
                                      max_neighbours=n, random_state=42, verbose=False)  # n ≥ any degree: no neighbour sampling
    result = model.fit_transform(graph, return_dataframe=True)
    seconds = time.perf_counter() - started
    frame = result.get_node_embedding_from_index(0)
    vectors = np.zeros((n, DIM), dtype=np.float32)
    vectors[frame.index.astype(np.int64)] = frame.to_numpy(dtype=np.float32)
    np.save(out, vectors)
    return {"seconds": seconds}


CONTENDERS = {"graphvec": run_graphvec, "graphvec-gensim": lambda *args: run_graphvec(*args, trainer="gensim"),
              "pecanpy+gensim": run_pecanpy, "fastnode2vec": run_fastnode2vec, "grape": run_grape}


def child(name: str, edge_file: str, n: int, out: str) -> None:
    result = CONTENDERS[name](Path(edge_file), n, Path(out))
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(result))


def run_child(name: str, edge_file: Path, n: int, out: Path, timeout_s: int = 1800) -> dict:
    try:
        done = subprocess.run([sys.executable, __file__, "child", name, str(edge_file), str(n), str(out)],
                              capture_output=True, text=True, timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return {"error": f"did not finish within {timeout_s} s"}
    if done.returncode != 0:
        return {"error": (done.stderr.strip().splitlines() or ["failed"])[-1]}
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- component measurements -------------------------------------------------------------------

def bench_feeding(edges: np.ndarray, n: int) -> dict:
    import tempfile

    from graphvec.projection import Projection, build_csr

    projection = Projection.from_csr(build_csr(edges[:, 0], edges[:, 1], np.ones(len(edges)), n, directed=False))
    base = model(walks_per_node=4, random_state=1)
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        walks = Path(tmp) / "walks.npy"
        base.write_walks(projection, walks)  # the same walks for every trainer
        for trainer, feeding in (("gensim", "corpus_file"), ("gensim", "iterable"), ("numba", "iterable")):
            stats = model(walks_per_node=4, random_state=1, trainer=trainer, feeding=feeding).fit(projection, walks_file=walks).stats_.train
            key = f"gensim {feeding}" if trainer == "gensim" else "numba"
            out[key] = {"seconds": stats["seconds"], "tokens_per_second": stats["tokens_per_second"]}
    stats = base.fit(projection).stats_.train
    out["numba streamed (walks generated twice, included)"] = {"seconds": stats["seconds"], "tokens_per_second": stats["tokens_per_second"]}
    out["ratio_corpus_file_over_iterable"] = round(out["gensim corpus_file"]["tokens_per_second"] / out["gensim iterable"]["tokens_per_second"], 2)
    best_gensim = max(out["gensim corpus_file"]["tokens_per_second"], out["gensim iterable"]["tokens_per_second"])
    out["ratio_numba_over_best_gensim"] = round(out["numba"]["tokens_per_second"] / best_gensim, 2)
    return out


def bench_writeback() -> dict:
    from graphvec.projection import PRESETS, project
    from graphvec.similarity import top_k_approximate, top_k_exact
    from graphvec.embedding import Embedding
    from graphvec.store import open_store
    from graphvec.writeback import write_back

    store_path = OUT / "bench-powerlaw.lbug"
    if not store_path.exists():
        return {"skipped": "run the store benchmark first (it builds bench-powerlaw.lbug)"}
    with open_store(str(store_path)) as store:
        projection = project(store, PRESETS["graph"])
        rng = np.random.default_rng(0)
        vectors = Embedding.from_projection(projection, rng.standard_normal((projection.node_count, DIM)).astype(np.float32),
                                            rng.standard_normal((projection.node_count, DIM)).astype(np.float32),
                                            np.ones(projection.node_count, dtype=bool), f"bench-{int(time.time())}",
                                            {"walk": {"method": "benchmark"}, "fingerprint": projection.fingerprint})
        started = time.perf_counter()
        write_back(store, vectors, top_k=0)
        store._execute("CHECKPOINT")
        vectors_s = time.perf_counter() - started
        peer_s = _in_place_property_write(store, projection, vectors)
    recall = {}
    for name in ("sbm", "blogcatalog"):
        path = OUT / f"e2e-{name}-graphvec.npy"
        if not path.exists():
            continue
        real = np.load(path)
        real = real[np.linalg.norm(real, axis=1) > 0]
        exact, _ = top_k_exact(real, 10)
        started = time.perf_counter()
        approx, _ = top_k_approximate(real, 10, workers=THREADS)
        seconds = time.perf_counter() - started
        hits = np.mean([len(set(a.tolist()) & set(b.tolist())) / 10 for a, b in zip(approx, exact)])
        recall[name] = {"nodes": len(real), "nn_descent_s": round(seconds, 2), "recall_at_10": round(float(hits), 4)}
    return {"vectors_100k_x128_write_s": round(vectors_s, 2), "target_s": 10,
            "peer_in_place_properties_s": round(peer_s, 2), "speedup_vs_in_place": round(peer_s / vectors_s, 2),
            "nn_descent_recall_on_graphvec_vectors": recall}


def _in_place_property_write(store, projection, vectors) -> float:
    """The peer: the same vectors and context vectors SET as array properties of the existing
    nodes (LOAD FROM in 4k-row statements, the fastest in-place batch size measured), checkpoint
    included: the in-place write graphvec avoids by rebuilding the node table."""
    import pyarrow as pa

    def column(matrix):
        return pa.FixedSizeListArray.from_arrays(pa.array(np.ascontiguousarray(matrix).ravel()), matrix.shape[1])

    for name in ("embedding", "context_embedding"):
        store._execute(f"ALTER TABLE Node ADD IF NOT EXISTS {name}_peer FLOAT[{DIM}]")
    started = time.perf_counter()
    keys = projection.names.astype(str)
    for start in range(0, len(keys), 4000):
        rows = pa.table({"key": keys[start:start + 4000], "e": column(vectors.vectors[start:start + 4000]),
                         "c": column(vectors.context[start:start + 4000])})
        store._execute("LOAD FROM $rows MATCH (n:Node {id: key}) SET n.embedding_peer = e, n.context_embedding_peer = c",
                       {"rows": rows})
    store._execute("CHECKPOINT")
    seconds = time.perf_counter() - started
    for name in ("embedding", "context_embedding"):
        store._execute(f"ALTER TABLE Node DROP {name}_peer")
    return seconds


def _option(name: str) -> list[str] | None:
    if name in sys.argv:
        return sys.argv[sys.argv.index(name) + 1].split(",")
    return None


def main() -> None:
    """Options: --big (add the 100k graph), --graphs a,b and --contenders x,y (re-run some, merging
    into bench-out/embed.json), --repeats N (each contender N times, interleaved; the median is
    reported), --skip-components (no feeding / write-back measurements), --writeback-only."""
    big = "--big" in sys.argv
    saved = OUT / "embed.json"
    results: dict = json.loads(saved.read_text()) if saved.exists() and _option("--contenders") else {}
    graphs = _option("--graphs") or (["sbm", "blogcatalog"] + (["powerlaw"] if big else []))
    contenders = _option("--contenders") or list(CONTENDERS)
    for name in graphs:
        loaded = graph_edges(name)
        if loaded is None:
            results[name] = {"skipped": "../shared/datasets/blogcatalog not present"}
            continue
        edges, n = loaded
        train_edges, held, negatives = split(edges, n)
        edge_file = OUT / f"e2e-{name}.edges"
        edge_file.write_text("".join(f"{u} {v}\n" for u, v in train_edges.tolist()))
        row = results.get(name, {}) | {"nodes": n, "train_edges": len(train_edges), "held_out": len(held)}
        repeats = int((_option("--repeats") or ["1"])[0])
        runs: dict = {contender: [] for contender in contenders}
        for _ in range(repeats):  # interleaved, so that the VM's slow spells hit every contender alike
            for contender in contenders:
                out = OUT / f"e2e-{name}-{contender}.npy"
                measured = run_child(contender, edge_file, n, out)
                print(name, contender, json.dumps(measured), flush=True)
                runs[contender].append(measured)
        for contender, measured_runs in runs.items():
            ok = [m for m in measured_runs if "error" not in m]
            if not ok:
                row[contender] = measured_runs[-1]
                continue
            times = sorted(m["seconds"] for m in ok)
            row[contender] = ok[-1] | {"seconds": round(float(np.median(times)), 2), "runs_s": [round(t, 2) for t in times]}
        for contender in CONTENDERS:  # (re)score every contender whose vectors are on disk
            out = OUT / f"e2e-{name}-{contender}.npy"
            if out.exists() and "seconds" in row.get(contender, {}):
                for key in ("auc", "auc_hadamard", "ap", "auc_cosine", "macro_f1", "micro_f1"):
                    row[contender].pop(key, None)
                vectors = np.load(out)
                row[contender].update(auc(vectors, held, negatives))
                if name == "blogcatalog":
                    row[contender].update(macro_f1(vectors))
        ours = row.get("graphvec", {}).get("seconds")
        for contender in CONTENDERS:
            theirs = row.get(contender, {}).get("seconds")
            if contender != "graphvec" and ours and theirs:
                row[f"speedup_vs_{contender}"] = round(theirs / ours, 2)
        results[name] = row
        if name == "blogcatalog" and "--skip-components" not in sys.argv:
            results["feeding_paths_blogcatalog"] = bench_feeding(edges, n)
            print("feeding", json.dumps(results["feeding_paths_blogcatalog"]), flush=True)
        saved.write_text(json.dumps(results, indent=2))
    if "--skip-components" not in sys.argv:
        results["writeback"] = bench_writeback()
        print("writeback", json.dumps(results["writeback"]), flush=True)
    saved.write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    if "--writeback-only" in sys.argv:
        print(json.dumps(bench_writeback(), indent=2))
    elif len(sys.argv) > 1 and sys.argv[1] == "child":
        child(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    else:
        main()
