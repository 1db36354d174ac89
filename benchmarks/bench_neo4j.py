"""graphvec against Neo4j Graph Data Science, both working on the same Neo4j server.

The server is the one `make neo4j` runs (tools/neo4j: Neo4j Community 5.26 with GDS 2.13), started
here with a data folder of its own.  Each graph's training edges (10% held out at random, seed 0,
as in bench_embed.py) are loaded once with `graphvec ingest graph`, as (:Node)-[:LINK]->(:Node);
then each contender starts from that database and ends with vectors and top-10 neighbours in it:

- graphvec: `embed --projection graph` against Neo4j (projection read over Bolt, walks, training,
  write-back of vectors, SIMILAR top-10 and the vector index), in a child process of its own;
- gds-node2vec: gds.graph.project, gds.node2vec.mutate, gds.knn.write (topK 10) and
  gds.graph.nodeProperties.write of the vectors;
- gds-fastrp: the same with gds.fastRP.mutate, GDS's fast alternative.

Walk and training parameters are the same for graphvec and GDS node2vec: 10 walks × 80 steps per
node, p = q = 1, dimension 128, window 10, 5 negatives, 1 epoch, learning rate 0.025 down to
0.0001, concurrency 2.  Quality is scored by graphvec evaluate's code on the vectors read back from
Neo4j: link-prediction AUC on the held-out edges, and BlogCatalog's Macro-F1.  Memory: peak RSS of
graphvec's process, and of the JVM for the span of each contender (VmHWM, reset before each).

Reproducibility: graphvec's walks over two projections read from Neo4j are compared byte for
byte; GDS node2vec is run twice with the same randomSeed and its vectors compared.  Spread:
graphvec is trained again with seeds 43 and 44, and the two GDS node2vec runs are scored too, so a
difference in AUC between contenders can be read against the difference between seeds.

Usage: `.venv/bin/python benchmarks/bench_neo4j.py [--graphs sbm,blogcatalog] [--big]`; prints
one JSON object and writes bench-out/neo4j.json.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from bench_embed import DIM, LENGTH, THREADS, WALKS, WINDOW, auc, graph_edges, macro_f1, split  # noqa: E402
from bench_embed import model as shared_model  # noqa: E402
from common import OUT, REPO, run_isolated  # noqa: E402

LEARNING_RATE, MIN_LEARNING_RATE = 0.025, 0.0001


class Server:
    """tools/neo4j/serve in a temporary folder on a free port; the password lives in the environment."""

    def __init__(self):
        self.data = Path(tempfile.mkdtemp(prefix="graphvec-bench-neo4j-"))
        os.environ.setdefault("NEO4J_PASSWORD", secrets.token_hex(12))
        self.process = subprocess.Popen([str(REPO / "tools" / "neo4j" / "serve"), "--data", str(self.data), "--port", "0"],
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                                        env={**os.environ, "NEO4J_HEAP": os.environ.get("NEO4J_HEAP", "8g")})
        self.uri = self.process.stdout.readline().strip()
        if not self.uri.startswith("bolt://"):
            raise RuntimeError("Neo4j did not start")
        import neo4j

        self.driver = neo4j.GraphDatabase.driver(self.uri, auth=("neo4j", os.environ["NEO4J_PASSWORD"]))

    def query(self, text: str, **params) -> list[dict]:
        return [dict(r) for r in self.driver.execute_query(text, params)[0]]

    def autocommit(self, text: str) -> None:
        with self.driver.session() as session:
            session.run(text).consume()

    def reset_peak(self) -> None:
        Path(f"/proc/{self.process.pid}/clear_refs").write_text("5")  # resets VmHWM (Linux)

    def peak_mb(self) -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024)
        return float("nan")

    def wipe(self) -> None:
        self.query("CALL gds.graph.list() YIELD graphName CALL gds.graph.drop(graphName, false) YIELD graphName AS g RETURN count(g)")
        self.autocommit("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS")
        for row in self.query("SHOW CONSTRAINTS YIELD name"):  # before indexes: a constraint owns its index
            self.autocommit(f"DROP CONSTRAINT `{row['name']}`")
        for row in self.query("SHOW INDEXES YIELD name, type WHERE type <> 'LOOKUP'"):
            self.autocommit(f"DROP INDEX `{row['name']}`")

    def stop(self) -> None:
        self.driver.close()
        self.process.terminate()
        self.process.wait(timeout=120)
        shutil.rmtree(self.data, ignore_errors=True)


def read_vectors(server: Server, prop: str, n: int) -> np.ndarray:
    vectors = np.zeros((n, DIM), dtype=np.float32)
    rows = server.query(f"MATCH (n:Node) WHERE n.`{prop}` IS NOT NULL RETURN toInteger(n.id) AS id, n.`{prop}` AS v")
    vectors[np.array([r["id"] for r in rows])] = np.array([r["v"] for r in rows], dtype=np.float32)
    return vectors


def load(server: Server, train: np.ndarray, name: str) -> float:
    edge_file = OUT / f"neo4j-{name}-train.txt"
    edge_file.write_text("".join(f"{u} {v}\n" for u, v in train.tolist()))
    started = time.perf_counter()
    result = subprocess.run([sys.executable, str(REPO / "cli.py"), "--store", server.uri, "ingest", "graph", str(edge_file)],
                            capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
    if result.returncode:
        raise RuntimeError(result.stderr[-2000:])
    return time.perf_counter() - started


GRAPHVEC_CHILD = """
import json
from graphvec.node2vec import Node2Vec
from graphvec.pipeline import embed
from graphvec.projection import PRESETS
from graphvec.store import open_store
with open_store({uri!r}) as store:
    result = embed(store, PRESETS["graph"], Node2Vec(**{model!r}), top_k=10, use_cache=False)
print(json.dumps({{"timings_s": result.timings_s, "similar": result.write.similar}}))
"""


def model(seed: int = 42, **changes):
    """graphvec's side of the comparison: bench_embed's model (DeepWalk walks, so p = q = 1 and
    weights ignored, as GDS node2vec without relationshipWeightProperty) with GDS's learning-rate
    schedule spelled out."""
    return shared_model(random_state=seed, learning_rate=LEARNING_RATE, min_learning_rate=MIN_LEARNING_RATE, **changes)


def run_graphvec(server: Server, n: int) -> dict:
    server.reset_peak()
    from dataclasses import asdict

    child = run_isolated(GRAPHVEC_CHILD.format(uri=server.uri, model=asdict(model())))
    result = json.loads(child["stdout"].strip().splitlines()[-1])
    return {"seconds": round(child["seconds"], 1), "steps_s": result["timings_s"], "graphvec_peak_mb": round(child["peak_rss_mb"]),
            "jvm_peak_mb": server.peak_mb(), "vectors": read_vectors(server, "embedding", n)}


def run_gds(server: Server, n: int, algorithm: str) -> dict:
    server.reset_peak()
    steps = {}
    started = time.perf_counter()
    t = time.perf_counter()
    server.query("CALL gds.graph.project('bench', 'Node', {LINK: {orientation: 'UNDIRECTED'}})")
    steps["project"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    if algorithm == "node2vec":
        server.query("CALL gds.node2vec.mutate('bench', $config) YIELD nodePropertiesWritten", config=node2vec_config("vec"))
    else:
        server.query("CALL gds.fastRP.mutate('bench', {embeddingDimension: $dim, randomSeed: 42, concurrency: $threads, "
                     "mutateProperty: 'vec'}) YIELD nodePropertiesWritten", dim=DIM, threads=THREADS)
    steps["train"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    server.query("CALL gds.knn.write('bench', {nodeProperties: ['vec'], topK: 10, writeRelationshipType: 'GDS_SIMILAR', "
                 "writeProperty: 'score', concurrency: $threads}) YIELD relationshipsWritten", threads=THREADS)
    steps["knn_write"] = round(time.perf_counter() - t, 2)
    t = time.perf_counter()
    prop = f"gds_{algorithm}"
    server.query("CALL gds.graph.nodeProperties.write('bench', {vec: $prop}) YIELD propertiesWritten", prop=prop)
    steps["vectors_write"] = round(time.perf_counter() - t, 2)
    seconds = time.perf_counter() - started
    server.query("CALL gds.graph.drop('bench') YIELD graphName RETURN graphName")
    server.autocommit("MATCH ()-[r:GDS_SIMILAR]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS")
    return {"seconds": round(seconds, 1), "steps_s": steps, "jvm_peak_mb": server.peak_mb(), "vectors": read_vectors(server, prop, n)}


def node2vec_config(prop: str) -> dict:
    return {"walkLength": LENGTH, "walksPerNode": WALKS, "returnFactor": 1.0, "inOutFactor": 1.0, "embeddingDimension": DIM,
            "windowSize": WINDOW, "negativeSamplingRate": 5, "iterations": 1, "initialLearningRate": LEARNING_RATE,
            "minLearningRate": MIN_LEARNING_RATE, "randomSeed": 42, "concurrency": THREADS, "mutateProperty": prop}


def seed_spread(server: Server, n: int, held, negatives, seeds=(43, 44)) -> list[float]:
    """graphvec's link-prediction AUC with other seeds, trained exactly as `embed` trains on the
    projection read from Neo4j (in this process, no write-back), to tell a difference between
    contenders from the spread between seeds."""
    from graphvec.projection import PRESETS, project
    from graphvec.store import open_store

    with open_store(server.uri) as store:
        projection = project(store, PRESETS["graph"], use_cache=False)
    scores = []
    for seed in seeds:
        embedding = model(seed).fit(projection).embedding_
        vectors = np.zeros((n, DIM), dtype=np.float32)
        vectors[embedding.keys.astype(np.int64)] = embedding.vectors
        scores.append(auc(vectors, held, negatives)["auc"])
    return scores


def reproducibility(server: Server, small: bool, n: int, held, negatives) -> dict:
    """graphvec: walks over two projections read from Neo4j, byte for byte.  GDS: node2vec twice
    with the same randomSeed (only on small graphs: it is a full training each time)."""
    from graphvec.projection import PRESETS, project
    from graphvec.store import open_store

    digests = []
    for workers in (THREADS, 1):  # and with another thread count
        with open_store(server.uri) as store:
            projection = project(store, PRESETS["graph"], use_cache=False)
        digest = hashlib.sha256()
        for chunk in model(workers=workers).walks(projection):
            digest.update(np.ascontiguousarray(chunk).tobytes())
        digests.append(digest.hexdigest())
    result = {"graphvec_walks_identical": digests[0] == digests[1]}
    if small:
        server.query("CALL gds.graph.project('repro', 'Node', {LINK: {orientation: 'UNDIRECTED'}})")
        runs = []
        for _ in range(2):
            rows = server.query("CALL gds.node2vec.stream('repro', $config) YIELD nodeId, embedding "
                                "RETURN toInteger(gds.util.asNode(nodeId).id) AS id, embedding",
                                config={k: v for k, v in node2vec_config("x").items() if k != "mutateProperty"})
            vectors = np.zeros((n, DIM), dtype=np.float32)
            vectors[np.array([r["id"] for r in rows])] = np.array([r["embedding"] for r in rows], dtype=np.float32)
            runs.append(vectors)
        server.query("CALL gds.graph.drop('repro') YIELD graphName RETURN graphName")
        result["gds_node2vec_auc_repeats"] = [auc(run, held, negatives)["auc"] for run in runs]
        result["gds_node2vec_identical"] = bool(np.array_equal(runs[0], runs[1]))
        result["gds_node2vec_max_abs_difference"] = float(np.abs(runs[0] - runs[1]).max())
    return result


def warm_up() -> None:
    """Numba compiles graphvec's kernels on first use and caches them on disk (about 15 s): do it
    before anything is timed, as the README asks of anyone timing graphvec."""
    run_isolated("import scipy.sparse as sp\n"
                 "from graphvec.node2vec import Node2Vec\n"
                 "from graphvec.projection import Projection\n"
                 "g = sp.random(200, 200, density=0.05, format='csr', random_state=0)\n"
                 "Node2Vec(walk_length=10, walks_per_node=2, dimensions=8).fit(Projection.from_csr(g + g.T))\n")


def main() -> None:
    OUT.mkdir(exist_ok=True)
    names = sys.argv[sys.argv.index("--graphs") + 1].split(",") if "--graphs" in sys.argv else ["sbm", "blogcatalog"]
    if "--big" in sys.argv:
        names.append("powerlaw")
    warm_up()
    server = Server()
    report = {"server": server.query("CALL dbms.components() YIELD versions RETURN versions[0] AS neo4j, gds.version() AS gds")[0],
              "graphs": {}}
    try:
        for name in names:
            loaded = graph_edges(name)
            if loaded is None:
                report["graphs"][name] = "skipped: ../shared/datasets is not present"
                continue
            edges, n = loaded
            train, held, negatives = split(edges, n)
            server.wipe()
            entry = {"nodes": n, "training_edges": int(len(train)), "load_s": round(load(server, train, name), 1)}
            for contender, run in (("graphvec", lambda: run_graphvec(server, n)),
                                   ("gds-node2vec", lambda: run_gds(server, n, "node2vec")),
                                   ("gds-fastrp", lambda: run_gds(server, n, "fastrp"))):
                result = run()
                vectors = result.pop("vectors")
                result["link_prediction"] = auc(vectors, held, negatives)
                if name == "blogcatalog":
                    result["classification"] = macro_f1(vectors)
                entry[contender] = result
                print(name, contender, json.dumps(result), file=sys.stderr, flush=True)
            entry["graphvec_over_gds_node2vec_time"] = round(entry["graphvec"]["seconds"] / entry["gds-node2vec"]["seconds"], 3)
            entry["reproducibility"] = reproducibility(server, n <= 20_000, n, held, negatives)
            entry["graphvec"]["auc_other_seeds"] = seed_spread(server, n, held, negatives)
            report["graphs"][name] = entry
            (OUT / "neo4j.json").write_text(json.dumps(report, indent=2))
    finally:
        server.stop()
    (OUT / "neo4j.json").write_text(json.dumps(report, indent=2))
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
