"""Training and write-back on real stores: vectors, SIMILAR, replacement, resumption, quality."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pyarrow as pa
import pytest

from dataclasses import asdict, replace

from graphvec.embedding import Embedding
from graphvec.errors import GraphvecError
from graphvec.ingest import ingest_documents, ingest_graph
from graphvec.node2vec import Node2Vec
from graphvec.pipeline import embed, embed_documents
from graphvec.projection import PRESETS, ProjectionSpec, project
from graphvec.similarity import top_k_exact, top_k_approximate
from graphvec.sources import read_documents, read_graph
from graphvec.stats import store_stats
from graphvec.store import LabelVectors
from graphvec.store import neo4j as neo4j_store
from graphvec.train import TrainParams, format_walks, train
from graphvec.walks import WalkParams
from graphvec.writeback import write_back

from .conftest import KARATE, ROBOTICS

FAST = Node2Vec(walk_length=20, walks_per_node=10, dimensions=32, window=5, epochs=3, workers=1, random_state=7, method="deepwalk")


def stored_vectors(store, label, key):
    table = store.read_vectors(label, key)
    return {k: np.array(v, dtype=np.float32) for k, v in zip(table.column("key").to_pylist(), table.column("embedding").to_pylist())}


def similar_rows(store, label, key):
    text = (f"MATCH (a:{label})-[r:SIMILAR]->(b:{label}) RETURN a.{key} AS a, b.{key} AS b, r.score AS score, "
            f"r.rank AS rank, r.run AS run")
    return store.run_text(text).to_pylist()


def test_karate_embed_writes_every_vector_and_exact_similar(store):
    ingest_graph(store, read_graph(KARATE))
    result = embed(store, PRESETS["graph"], FAST, top_k=5)
    vectors = stored_vectors(store, "Node", "id")
    assert len(vectors) == 34 and all(v.shape == (32,) for v in vectors.values())
    assert result.train["nodes_embedded"] == 34 and result.train["nodes_without_vector"] == 0
    rows = similar_rows(store, "Node", "id")
    by_node = {}
    for row in rows:
        by_node.setdefault(row["a"], []).append(row)
    assert len(by_node) == 34 and all(len(v) == 5 for v in by_node.values())
    assert all(r["a"] != r["b"] for r in rows) and {r["run"] for r in rows} == {result.run_id}
    keys = sorted(vectors)
    matrix = np.stack([vectors[k] for k in keys])
    unit = matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
    sims = unit @ unit.T
    np.fill_diagonal(sims, -np.inf)
    for node, neighbours in by_node.items():
        neighbours.sort(key=lambda r: r["rank"])
        scores = [r["score"] for r in neighbours]
        assert scores == sorted(scores, reverse=True)
        i = keys.index(node)
        expected = np.sort(sims[i])[::-1][:5]
        assert np.allclose(scores, expected, atol=1e-5)
        assert {keys.index(r["b"]) for r in neighbours} <= set(np.flatnonzero(sims[i] >= expected[-1] - 1e-5))


def test_second_embed_replaces_rather_than_duplicates(store):
    ingest_graph(store, read_graph(KARATE))
    first = embed(store, PRESETS["graph"], FAST, top_k=3)
    second = embed(store, PRESETS["graph"], replace(FAST, method="node2vec"), top_k=4)
    rows = similar_rows(store, "Node", "id")
    assert len(rows) == 34 * 4 and {r["run"] for r in rows} == {second.run_id}
    runs = store.read("read_runs").to_pylist()
    assert {r["id"] for r in runs} == {first.run_id, second.run_id} and all(r["status"] == "complete" for r in runs)
    status = store_stats(store)["embeddings"]
    assert status["latest_run"] == second.run_id and status["stale"] is False
    assert status["labels"]["Node"]["by_run"] == {second.run_id: 34}


def test_dimension_change_rewrites_the_vector_columns(store):
    ingest_graph(store, read_graph(KARATE))
    embed(store, PRESETS["graph"], FAST, top_k=2)
    embed(store, PRESETS["graph"], replace(FAST, dimensions=16, epochs=1), top_k=2)
    assert {v.shape for v in stored_vectors(store, "Node", "id").values()} == {(16,)}


def test_a_full_write_takes_vectors_from_nodes_that_have_none_now_and_a_rerun_skips_it(store):
    """Embedding.to_arrow hands every node to the store, null where it has no vector (the columns
    stay views of the matrices): those nodes lose their old vector, the others get exactly theirs."""
    ingest_graph(store, read_graph(KARATE))
    first = embed(store, PRESETS["graph"], FAST, top_k=3)
    projection = project(store, PRESETS["graph"])
    rng = np.random.default_rng(3)
    has = np.ones(projection.node_count, dtype=bool)
    has[[0, 5, 33]] = False
    vectors = Embedding.from_projection(projection, rng.standard_normal((projection.node_count, 32)).astype(np.float32),
                                        rng.standard_normal((projection.node_count, 32)).astype(np.float32), has, "partial",
                                        {"walk": {"method": "test"}, "spec": asdict(projection.spec), "fingerprint": projection.fingerprint})
    assert vectors.to_arrow().column("embedding").null_count == 3
    report = write_back(store, vectors, top_k=3)
    assert report.skipped_already_written == 0
    stored = stored_vectors(store, "Node", "id")
    assert set(stored) == {str(k) for k in vectors.keys[has]}
    assert all(np.array_equal(stored[str(k)], v) for k, v in zip(vectors.keys[has], vectors.vectors[has]))
    assert store_stats(store)["embeddings"]["labels"]["Node"]["by_run"] == {"partial": 31}
    assert first.run_id not in {r["run"] for r in similar_rows(store, "Node", "id")}
    again = write_back(store, vectors, top_k=3)
    assert again.skipped_already_written == 31
    assert set(stored_vectors(store, "Node", "id")) == set(stored)


def test_interrupted_write_is_reported_and_a_rerun_completes_it(store, monkeypatch):
    ingest_documents(store, read_documents(ROBOTICS))
    projection = project(store, PRESETS["bipartite"])
    first = embed(store, PRESETS["bipartite"], FAST, top_k=3)
    rng = np.random.default_rng(0)
    vectors = Embedding.from_projection(projection, rng.standard_normal((projection.node_count, 32)).astype(np.float32),
                                        rng.standard_normal((projection.node_count, 32)).astype(np.float32),
                                        np.ones(projection.node_count, dtype=bool), "second",
                                        {"walk": {"method": "test"}, "spec": asdict(projection.spec), "fingerprint": projection.fingerprint})
    if store.dialect == "neo4j":
        # Neo4j sets node properties batch by batch: with 1,000-row batches the crash lands inside
        # Document's vectors, leaving a mix of two runs that stats must report
        monkeypatch.setattr(neo4j_store, "VECTOR_BATCH_ROWS", 1000)
    # the embedded store rebuilds Document's and Label's tables and swaps both in at once: the
    # crash lands after both staging tables were filled, before the swap, so nothing changed
    with pytest.raises(GraphvecError, match="interrupted"):
        write_back(store, vectors, top_k=3, stop_after_batches=2)
    report = store_stats(store)
    assert any("did not finish" in w for w in report["warnings"])
    runs = report["embeddings"]["labels"]
    if store.dialect == "neo4j":
        assert runs["Document"]["by_run"] == {"second": 2000, first.run_id: 771}
        assert any("Document: vectors from 2 different runs are mixed" in w for w in report["warnings"])
        landed = 2000
    else:
        assert runs["Document"]["by_run"] == {first.run_id: 2771}
        assert store.counts().get("Document_graphvec_staging") == 2771, "the staging table was filled"
        assert store.fingerprint() == projection.fingerprint, "staging tables are not part of the graph"
        landed = 0
    assert runs["Label"]["by_run"] == {first.run_id: 231}, "a label's vectors are never a mix of two runs"
    resumed = write_back(store, vectors, top_k=3)
    assert resumed.skipped_already_written == landed
    final = store_stats(store)
    assert not any("did not finish" in w or "mixed" in w for w in final["warnings"])
    assert final["embeddings"]["labels"]["Label"]["by_run"] == {"second": 231}
    assert final["embeddings"]["labels"]["Document"]["by_run"] == {"second": 2771}
    assert not [kind for kind in final["counts"] if kind.endswith("_staging")]
    assert final["counts"]["HAS_LABEL"] == 6520 and final["counts"]["CO_OCCURS"] == report["counts"]["CO_OCCURS"]
    assert store.run_text("MATCH (l:Label {name: 'arduino'}) RETURN l.df AS df").to_pylist() == [{"df": 282}]
    label_similar = store.run_text("MATCH (a:Label)-[r:SIMILAR]->(b:Label) RETURN count(r) AS n").to_pylist()[0]["n"]
    document_similar = store.run_text("MATCH (a:Document)-[r:SIMILAR]->(b:Document) RETURN count(r) AS n").to_pylist()[0]["n"]
    assert (label_similar, document_similar) == (231 * 3, 2771 * 3)
    stored = stored_vectors(store, "Label", "name")
    assert np.allclose(stored["arduino"], vectors.for_label("Label")["arduino"])


def test_write_back_leaves_the_graph_fingerprint_alone(store):
    ingest_graph(store, read_graph(KARATE))
    before = store.fingerprint()
    embed(store, PRESETS["graph"], FAST, top_k=2)
    assert len(stored_vectors(store, "Node", "id")) == 34 and store.counts()["SIMILAR"] == 68
    assert store.fingerprint() == before


def test_a_user_property_named_embedding_is_never_overwritten(embedded_store):
    store = embedded_store
    store.run_text("CREATE NODE TABLE Node(id STRING PRIMARY KEY, classes STRING[], embedding STRING)")
    store.run_text("CREATE (:Node {id: 'a', embedding: 'mine'})")
    ingest_graph(store, read_graph(KARATE))
    with pytest.raises(GraphvecError, match="own property 'embedding'"):
        embed(store, PRESETS["graph"], FAST, top_k=2)
    assert store.run_text("MATCH (n:Node {id: 'a'}) RETURN n.embedding AS e").to_pylist() == [{"e": "mine"}]


def test_vectors_land_on_the_nodes_and_the_rebuild_keeps_everything_else(embedded_store):
    """The embedded store writes vectors by rebuilding the node tables: the user's own columns
    (defaults, lists, structs), relationship tables of every shape touching them, and the
    SIMILAR pairs of labels not written this time must all come through unchanged."""
    store = embedded_store
    ingest_documents(store, read_documents(ROBOTICS))
    store.run_text("ALTER TABLE Label ADD note STRING DEFAULT 'unreviewed'")
    store.run_text("ALTER TABLE Label ADD extra STRUCT(source STRING, score DOUBLE)")
    store.run_text("MATCH (l:Label {name: 'arduino'}) SET l.note = 'reviewed', l.extra = {source: 'me', score: 0.5}")
    store.run_text("CREATE NODE TABLE Reviewer(handle STRING PRIMARY KEY)")
    store.run_text("CREATE REL TABLE SEE_ALSO(FROM Label TO Label, FROM Reviewer TO Label, since INT64, tags STRING[])")
    store.run_text("CREATE (:Reviewer {handle: 'ann'})")
    store.run_text("MATCH (a:Label {name: 'arduino'}), (b:Label {name: 'raspberry-pi'}) CREATE (a)-[:SEE_ALSO {since: 2020, tags: ['hw']}]->(b)")
    store.run_text("MATCH (r:Reviewer), (b:Label {name: 'ros'}) CREATE (r)-[:SEE_ALSO {since: 2021}]->(b)")
    counts = store.counts()
    first = embed(store, PRESETS["labels"], FAST, top_k=3, predict_k=2)
    row = store.run_text("MATCH (l:Label {name: 'arduino'}) RETURN l.note AS note, l.extra AS extra, l.df AS df, "
                         "l.embedding AS e, l.embedding_run AS run").to_pylist()[0]
    assert (row["note"], row["extra"], row["df"], row["run"]) == ("reviewed", {"source": "me", "score": 0.5}, 282, first.run_id)
    assert np.allclose(row["e"], first.embedding["arduino"])
    assert store.run_text("MATCH (l:Label {name: 'ros'}) RETURN l.note AS n").to_pylist() == [{"n": "unreviewed"}]
    store.run_text("CREATE (:Label {name: 'brand-new'})")
    assert store.run_text("MATCH (l:Label {name: 'brand-new'}) RETURN l.note AS n").to_pylist() == [{"n": "unreviewed"}], "default kept"
    store.run_text("MATCH (l:Label {name: 'brand-new'}) DELETE l")
    see_also = store.run_text("MATCH (a)-[r:SEE_ALSO]->(b:Label) RETURN label(a) AS kind, b.name AS b, r.since AS since, r.tags AS tags "
                              "ORDER BY since").to_pylist()
    assert see_also == [{"kind": "Label", "b": "raspberry-pi", "since": 2020, "tags": ["hw"]},
                        {"kind": "Reviewer", "b": "ros", "since": 2021, "tags": None}]
    after = store.counts()
    assert {k: after[k] for k in counts if k != "GraphvecMeta"} == {k: n for k, n in counts.items() if k != "GraphvecMeta"}
    embedded = first.write.labels["Label"]["embedded"] + first.write.labels["Document"]["embedded"]
    assert after["SIMILAR"] == 3 * embedded and after["PREDICTED"] > 0
    # Document vectors only: Label's SIMILAR and PREDICTED are carried, not rewritten
    label_similar = store.run_text("MATCH (:Label)-[r:SIMILAR]->(:Label) RETURN r.run AS run, count(*) AS n").to_pylist()
    predicted = store.run_text("MATCH (:Document)-[r:PREDICTED]->(:Label) RETURN count(*) AS n").to_pylist()
    documents = embed_documents(store, top_k=2)
    assert store.run_text("MATCH (:Label)-[r:SIMILAR]->(:Label) RETURN r.run AS run, count(*) AS n").to_pylist() == label_similar
    assert store.run_text("MATCH (:Document)-[r:PREDICTED]->(:Label) RETURN count(*) AS n").to_pylist() == predicted
    assert store.run_text("MATCH (:Document)-[r:SIMILAR]->(:Document) RETURN r.run AS run, count(*) AS n").to_pylist() == [
        {"run": documents["run_id"], "n": 2 * documents["with_vector"]}]
    assert store.vector_runs("Label") == {first.run_id: first.write.labels["Label"]["embedded"]}
    assert store.vector_runs("Document") == {documents["run_id"]: documents["with_vector"]}


def test_merging_vectors_keeps_the_others_whether_rebuilt_or_set_in_place(store):
    """`update` adds vectors: many at once rebuild the table (embedded), a few are set in place;
    either way every other node keeps its vector and run, and nothing else changes."""
    ingest_graph(store, read_graph(KARATE))
    first = embed(store, PRESETS["graph"], FAST, top_k=2)
    links = store.counts()["LINK"]
    rng = np.random.default_rng(3)
    expected = {k: first.embedding[k] for k in first.embedding.keys}
    for run, keys in (("many", [str(k) for k in range(1, 21)]), ("few", ["30", "31"])):
        vectors = rng.standard_normal((len(keys), 32)).astype(np.float32)
        rows = pa.table({"key": keys, "embedding": pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), 32),
                         "context": pa.FixedSizeListArray.from_arrays(pa.array(vectors.ravel()), 32), "run": [run] * len(keys)})
        assert store.write_vectors([LabelVectors("Node", "id", rows)], run, merge=True) == 0
        expected.update(zip(keys, vectors))
        assert store.write_vectors([LabelVectors("Node", "id", rows)], run, merge=True) == len(keys), "a re-run skips"
    stored = stored_vectors(store, "Node", "id")
    assert set(stored) == set(expected) and all(np.allclose(stored[k], expected[k]) for k in expected)
    assert store.vector_runs("Node") == {"many": 20, "few": 2, first.run_id: 12}
    assert store.counts()["LINK"] == links


def test_vector_tables_of_earlier_versions_are_dropped_and_user_tables_kept(embedded_store):
    store = embedded_store
    ingest_graph(store, read_graph(KARATE))
    store.run_text("CREATE NODE TABLE NodeEmbedding(key STRING PRIMARY KEY, embedding FLOAT[2], context_embedding FLOAT[2], run STRING)")
    store.run_text("CREATE NODE TABLE LabelEmbedding(key STRING PRIMARY KEY, note STRING)")
    embed(store, PRESETS["graph"], FAST, top_k=2)
    counts = store.counts()
    assert "NodeEmbedding" not in counts and store.node_columns("NodeEmbedding") == []
    assert [c["name"] for c in store.node_columns("LabelEmbedding")] == ["key", "note"]


def test_a_serial_keyed_label_is_refused_before_anything_changes(embedded_store):
    store = embedded_store
    store.run_text("CREATE NODE TABLE Item(id SERIAL PRIMARY KEY, name STRING)")
    store.run_text("CREATE REL TABLE LIKES(FROM Item TO Item)")
    for name in "abcd":
        store.run_text("CREATE (:Item {name: $n})", {"n": name})
    store.run_text("MATCH (a:Item), (b:Item) WHERE a.id < b.id CREATE (a)-[:LIKES]->(b)")
    spec = ProjectionSpec(("Item",), (("LIKES", None),), node_keys=(("Item", "name"),))
    with pytest.raises(GraphvecError, match="Item has a SERIAL primary key"):
        embed(store, spec, FAST, top_k=1)
    counts = store.counts()
    assert (counts["Item"], counts["LIKES"]) == (4, 6) and not [kind for kind in counts if kind.endswith("_staging")]
    assert [c["name"] for c in store.node_columns("Item")] == ["id", "name"]


def test_isolated_nodes_get_no_vector_and_are_counted(store, tmp_path):
    path = tmp_path / "g.txt"
    path.write_text("a b\nb c\nc a\nlonely lonely\n", encoding="utf-8")
    ingest_graph(store, read_graph(path))
    store.run_text("CREATE (:Node {id: 'isolated', classes: []})")
    result = embed(store, PRESETS["graph"], FAST, top_k=2)
    assert result.train["nodes_without_vector"] == 1
    assert "isolated" in result.nodes_without_vector_examples
    assert "isolated" not in stored_vectors(store, "Node", "id")


def test_karate_factions_are_separable():
    from sklearn.linear_model import LogisticRegression

    graph = nx.karate_club_graph()
    edges = np.array(graph.edges())
    from graphvec.projection import build_csr
    from graphvec.walks import iter_walks

    csr = build_csr(edges[:, 0], edges[:, 1], np.ones(len(edges)), 34, directed=False)
    walk_matrix = np.concatenate([c.copy() for c in iter_walks(csr.indptr.astype(np.int64), csr.indices.astype(np.int32), None,
                                                               WalkParams(40, 40, 1.0, 1.0, seed=3), weighted=False, directed=False)])
    vectors = train(walk_matrix, 34, TrainParams(dimensions=16, window=5, epochs=5, workers=1, seed=3))
    labels = np.array([graph.nodes[i]["club"] == "Mr. Hi" for i in range(34)])
    rng = np.random.default_rng(0)
    order = rng.permutation(34)
    train_idx, test_idx = order[:17], order[17:]
    model = LogisticRegression(max_iter=1000).fit(vectors.vectors[train_idx], labels[train_idx])
    assert model.score(vectors.vectors[test_idx], labels[test_idx]) >= 0.9


@pytest.mark.parametrize("trainer", ["numba", "gensim"])
def test_single_worker_training_is_reproducible(trainer):
    rng = np.random.default_rng(1)
    walk_matrix = rng.integers(0, 50, size=(400, 20)).astype(np.int32)
    a = train(walk_matrix, 60, TrainParams(dimensions=8, workers=1, seed=5, trainer=trainer))
    b = train(walk_matrix, 60, TrainParams(dimensions=8, workers=1, seed=5, trainer=trainer))
    assert np.array_equal(a.vectors, b.vectors)
    assert a.trained.sum() == 50 and not a.trained[50:].any()
    c = train(walk_matrix, 60, TrainParams(dimensions=8, workers=1, seed=6, trainer=trainer))
    assert not np.array_equal(a.vectors, c.vectors)


def test_gensim_feeding_paths_cover_the_same_nodes():
    rng = np.random.default_rng(1)
    walk_matrix = rng.integers(0, 50, size=(400, 20)).astype(np.int32)
    a = train(walk_matrix, 60, TrainParams(dimensions=8, workers=1, trainer="gensim", feeding="corpus_file"))
    c = train(walk_matrix, 60, TrainParams(dimensions=8, workers=1, trainer="gensim", feeding="iterable"))
    assert a.trained.sum() == c.trained.sum() == 50


def test_numba_trainer_matches_gensim_on_link_prediction():
    """The same model, two implementations: held-out edges of a planted partition must rank alike."""
    from sklearn.metrics import roc_auc_score

    import networkx as nx

    from graphvec.projection import build_csr
    from graphvec.walks import iter_walks

    graph = nx.stochastic_block_model([40] * 10, [[0.25 if i == j else 0.01 for j in range(10)] for i in range(10)], seed=3)
    edges = np.array(graph.edges())
    rng = np.random.default_rng(0)
    order = rng.permutation(len(edges))
    held, kept = edges[order[:150]], edges[order[150:]]
    negatives = rng.integers(0, 400, size=(600, 2))
    negatives = np.array([p for p in negatives if p[0] != p[1] and not graph.has_edge(*p)][:150])
    csr = build_csr(kept[:, 0], kept[:, 1], np.ones(len(kept)), 400, directed=False)
    walk_matrix = np.concatenate([c.copy() for c in iter_walks(csr.indptr.astype(np.int64), csr.indices.astype(np.int32), None,
                                                               WalkParams(40, 10, seed=2), weighted=False, directed=False)])
    scores = {}
    for trainer in ("numba", "gensim"):
        vectors = train(walk_matrix, 400, TrainParams(dimensions=32, window=5, epochs=2, workers=1, seed=1, trainer=trainer)).vectors
        unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
        pairs = np.concatenate([held, negatives])
        scores[trainer] = roc_auc_score(np.r_[np.ones(len(held)), np.zeros(len(negatives))],
                                        np.sum(unit[pairs[:, 0]] * unit[pairs[:, 1]], axis=1))
    assert min(scores.values()) > 0.75 and abs(scores["numba"] - scores["gensim"]) < 0.03


@pytest.mark.parametrize("trainer", ["numba", "gensim"])
def test_timeout_keeps_what_was_learned(trainer):
    rng = np.random.default_rng(2)
    walk_matrix = rng.integers(0, 200, size=(20000, 40)).astype(np.int32)
    result = train(walk_matrix, 200, TrainParams(dimensions=16, workers=1, timeout_s=1e-6, trainer=trainer))
    assert result.stats["stopped_early"] is True and result.stats["tokens_trained"] < result.stats["tokens"]


def test_format_walks_writes_what_gensim_reads():
    walk_matrix = np.array([[3, 17, 250, -1], [0, 1, 2, 3]], dtype=np.int32)
    buffer = np.empty(100, dtype=np.uint8)
    used = format_walks(walk_matrix, buffer)
    assert buffer[:used].tobytes() == b"3 17 250\n0 1 2 3\n"


def test_exact_top_k_matches_brute_force_and_the_ivf_recall():
    rng = np.random.default_rng(4)
    vectors = rng.standard_normal((600, 16)).astype(np.float32)
    indices, scores = top_k_exact(vectors, 10)
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    sims = unit @ unit.T
    np.fill_diagonal(sims, -np.inf)
    brute = np.argsort(-sims, axis=1)[:, :10]
    assert np.array_equal(indices, brute)
    assert np.allclose(scores, np.take_along_axis(sims, brute, axis=1), atol=1e-6)
    approx, _ = top_k_approximate(vectors, 10, seed=1, workers=1)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(approx, brute)])
    assert recall > 0.9


def test_a_label_with_fewer_than_k_other_nodes_gets_all_of_them(store, tmp_path):
    path = tmp_path / "g.txt"
    path.write_text("a b\nb c\nc a\n", encoding="utf-8")
    ingest_graph(store, read_graph(path))
    embed(store, PRESETS["graph"], FAST, top_k=10)
    rows = similar_rows(store, "Node", "id")
    assert len(rows) == 3 * 2 and sorted(r["rank"] for r in rows) == [1, 1, 1, 2, 2, 2]


def test_the_estimator_and_the_embed_command_give_identical_vectors(tmp_path):
    """`Node2Vec(random_state=…, workers=1).fit(projection)` is exactly what `graphvec embed --seed … --workers 1` writes."""
    from graphvec.store import open_store

    from .conftest import run_cli

    location = str(tmp_path / "karate.lbug")
    assert run_cli("--store", location, "ingest", "graph", str(KARATE)).returncode == 0
    done = run_cli("--store", location, "embed", "--projection", "graph", "--seed", "5", "--workers", "1", "--dimensions", "16",
                   "--walks-per-node", "5", "--walk-length", "20", "-p", "0.5", "-q", "2", "--json")
    assert done.returncode == 0, done.stderr
    with open_store(location, read_only=True) as store:
        stored = store.read_embedding("Node")
        projection = project(store, PRESETS["graph"])
    fitted = Node2Vec(walk_length=20, walks_per_node=5, return_factor=0.5, in_out_factor=2, dimensions=16, random_state=5,
                      workers=1).fit(projection).embedding_
    rows = fitted.rows_of(stored.keys)
    assert len(stored) == 34 and (rows >= 0).all()
    assert np.array_equal(stored.vectors, fitted.vectors[rows]) and np.array_equal(stored.context, fitted.context[rows])
    other = Node2Vec(walk_length=20, walks_per_node=5, return_factor=0.5, in_out_factor=2, dimensions=16, random_state=6,
                     workers=1).fit(projection).embedding_
    assert not np.allclose(other.vectors[rows], stored.vectors), "another seed must give other vectors"


def test_gensim_negative_table_follows_each_nodes_own_count():
    """gensim 4 reads each vocabulary slot's count by position with get_vecattr, which looks an int
    up as a key first; with int node ids the negative-sampling table got other nodes' counts (PPI
    link-prediction AUC moved by 0.04).  The table's steps must be each slot's own count^0.75."""
    from graphvec.train import gensim_model

    counts = np.zeros(40, dtype=np.int64)
    counts[[3, 7, 11, 20, 39]] = [1, 1000, 5, 300, 40]  # ids far from their frequency rank
    model, keys = gensim_model(TrainParams(dimensions=8, workers=1, trainer="gensim"), counts, 1)
    steps = np.diff(np.concatenate([[0], model.cum_table.astype(np.float64)]))
    own = np.array([counts[int(key)] for key in model.wv.index_to_key], dtype=np.float64) ** 0.75
    assert list(model.wv.index_to_key) == ["7", "20", "39", "11", "3"]
    assert np.allclose(steps / steps.sum(), own / own.sum(), atol=1e-6)


@pytest.mark.parametrize("exponent", [0.0, 0.75, 1.0])
def test_negatives_follow_count_to_the_negative_exponent(exponent):
    """Both trainers draw negatives ∝ count^--negative-exponent: the numba sampler measured over
    many draws, gensim's table step by step."""
    from numba import njit

    from graphvec import sgns
    from graphvec.kernels import GOLDEN, mix
    from graphvec.train import gensim_model

    counts = np.array([1, 4, 9, 100, 400, 2500, 10], dtype=np.int64)
    want = counts.astype(np.float64) ** exponent
    want /= want.sum()
    prob, alias = sgns.negative_sampler(counts, exponent)

    @njit
    def draw(n, prob, alias, k):
        seen = np.zeros(n, np.int64)
        state = np.uint64(7)
        for _ in range(k):
            state += GOLDEN
            seen[sgns._negative(mix(state), n, prob, alias)] += 1
        return seen

    got = draw(len(counts), prob, alias, 400_000) / 400_000
    assert np.allclose(got, want, atol=0.004)
    model, _ = gensim_model(TrainParams(dimensions=8, workers=1, trainer="gensim", negative_exponent=exponent), counts, 1)
    steps = np.diff(np.concatenate([[0], model.cum_table.astype(np.float64)]))
    own = np.array([want[int(key)] for key in model.wv.index_to_key])
    assert np.allclose(steps / steps.sum(), own, atol=1e-6)


def test_negative_exponent_reaches_the_run_record_and_is_checked(tmp_path):
    from .conftest import run_cli

    edges = tmp_path / "g.edges"
    edges.write_text("".join(f"{i} {(i + 1) % 30}\n{i} {(i + 7) % 30}\n" for i in range(30)))
    store = str(tmp_path / "g.lbug")
    assert run_cli("--store", store, "ingest", "graph", str(edges)).returncode == 0
    done = run_cli("--json", "--store", store, "embed", "--negative-exponent", "0", "--walks-per-node", "2", "--walk-length", "10",
                   "--dimensions", "8", "--workers", "1")
    assert done.returncode == 0, done.stderr
    from graphvec.pipeline import latest_training_run
    from graphvec.store import open_store

    with open_store(store) as opened:  # what `update` folds new nodes in with
        assert Node2Vec.from_run(latest_training_run(opened)["parameters"]).negative_exponent == 0.0
    bad = run_cli("--store", store, "embed", "--negative-exponent", "2")
    assert bad.returncode != 0 and "--negative-exponent must be between -1 and 1" in bad.stderr


@pytest.mark.parametrize("exponent", [-0.5, 0.0, 0.75])
def test_nodes_never_seen_are_never_drawn_as_negatives(exponent):
    """count^exponent would give a node with count 0 weight 1 at exponent 0 and infinity below;
    like gensim, which only draws from its vocabulary, such a node is never a negative."""
    from graphvec import sgns

    counts = np.array([0, 5, 0, 20, 1], dtype=np.int64)
    weights = sgns.negative_weights(counts, exponent)
    assert np.isfinite(weights).all() and (weights[counts == 0] == 0).all() and (weights[counts > 0] > 0).all()
    prob, alias = sgns.negative_sampler(counts, exponent)
    reachable = {slot for slot in range(len(counts)) if prob[slot] > 0} | {int(alias[slot]) for slot in range(len(counts)) if prob[slot] < 1}
    assert reachable == {1, 3, 4}


def test_an_embed_that_lets_go_of_its_vectors_writes_what_one_that_keeps_them_does(store):
    """The command line's embed drops the written vectors before PREDICTED (5 GB at 5M documents):
    the store gets the same vectors, SIMILAR and PREDICTED, and the result keeps keys and
    has_vector only."""
    ingest_documents(store, read_documents(ROBOTICS))

    def written():
        predicted = store.run_text("MATCH (d:Document)-[r:PREDICTED]->(l:Label) RETURN d.id AS d, l.name AS l, r.rank AS rank")
        return (sorted(map(tuple, (r.values() for r in predicted.to_pylist()))),
                sorted((r["a"], r["b"], r["rank"]) for r in similar_rows(store, "Document", "id")),
                {k: v.tobytes() for k, v in stored_vectors(store, "Document", "id").items()})

    kept = embed(store, PRESETS["labels"], FAST, top_k=3, predict_k=3)
    before = written()
    released = embed(store, PRESETS["labels"], FAST, top_k=3, predict_k=3, keep_vectors=False)
    after = written()
    assert len(before[0]) > 3 * 2000 and len(before[1]) > 3 * 2000 and len(before[2]) > 2000
    assert after == before
    assert kept.embedding.vectors.any() and not released.embedding.vectors.any()
    assert released.embedding.vectors.strides[0] == 0 and not released.embedding.vectors.flags.writeable
    assert np.array_equal(released.embedding.has_vector, kept.embedding.has_vector)
    assert released.write.predicted["relationships"] == len(after[0])
