"""The evaluation protocols on small real graphs with real walks and training.

The published reproductions (BlogCatalog, PPI, POS, Facebook, the document corpora) are
benchmarks (`benchmarks/bench_evaluate.py`); here each protocol is checked for what it must do:
the split keeps the graph connected, the metrics separate real structure from noise, the
baselines are what they claim to be, and the JSON keys stay as documented.
"""

from __future__ import annotations

import json
import math

import networkx as nx
import numpy as np
import pytest
import scipy.io
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from graphvec import evaluate
from graphvec.scoring import LabelModel, cooccurrence_counts, hide_labels, rank_hidden
from graphvec.sources import read_documents
from graphvec.node2vec import Node2Vec
from graphvec.projection import Projection

from .conftest import ROBOTICS, run_cli

FAST = Node2Vec(walk_length=40, walks_per_node=10, dimensions=32, window=5, workers=2, random_state=7)


def planted_partition(blocks=4, size=50, p_in=0.3, p_out=0.01, seed=3):
    graph = nx.planted_partition_graph(blocks, size, p_in, p_out, seed=seed)
    edges = np.array(sorted(graph.edges()), dtype=np.int64)
    return edges, blocks * size, np.repeat(np.arange(blocks), size)


def test_split_keeps_every_component_connected_and_draws_true_non_edges():
    edges, n, _ = planted_partition()
    # a second component and a self-loop: both must survive the split untouched in kind
    extra = np.array([[n, n + 1], [n + 1, n + 2], [n + 2, n], [5, 5]])
    edges = np.concatenate([edges, extra])
    n += 3
    src, dst = edges[:, 0], edges[:, 1]
    res_src, res_dst, positives, negatives = evaluate.split_edges(src, dst, n, 0.5, seed=11)
    m = int((src != dst).sum())
    assert len(positives) == len(negatives) == round(0.5 * m)
    original = sp.coo_matrix((np.ones(len(src)), (src, dst)), shape=(n, n))
    residual = sp.coo_matrix((np.ones(len(res_src)), (res_src, res_dst)), shape=(n, n))
    assert connected_components(residual, directed=False)[0] == connected_components(original, directed=False)[0]
    assert len(res_src) + len(positives) == len(src)
    edge_set = {(min(a, b), max(a, b)) for a, b in zip(src.tolist(), dst.tolist())}
    residual_set = {(min(a, b), max(a, b)) for a, b in zip(res_src.tolist(), res_dst.tolist())}
    assert all(tuple(pair) in edge_set and tuple(pair) not in residual_set for pair in positives.tolist())
    assert (5, 5) in residual_set  # self-loops are never removed
    negative_set = {tuple(pair) for pair in negatives.tolist()}
    assert len(negative_set) == len(negatives)
    assert all(u < v and (u, v) not in edge_set for u, v in negative_set)


def test_split_refuses_when_the_graph_cannot_stay_connected():
    path = np.arange(10)
    with pytest.raises(evaluate.GraphvecError, match="keep the graph connected"):
        evaluate.split_edges(path[:-1], path[1:], 10, 0.5, seed=0)  # a tree: every edge is a bridge


def test_link_prediction_finds_planted_structure_and_not_noise():
    edges, n, _ = planted_partition()
    result = evaluate.link_prediction(edges[:, 0], edges[:, 1], n, FAST)
    assert result["auc"] > 0.8 and result["ap"] > 0.8
    assert result["protocol"]["removed_edges"] == result["protocol"]["non_edges"]
    _, _, positives, negatives = evaluate.split_edges(edges[:, 0], edges[:, 1], n, 0.5, seed=FAST.random_state)
    noise = np.random.default_rng(0).normal(size=(n, 32)).astype(np.float32)
    assert abs(evaluate.score_links(noise, positives, negatives, seed=0)["auc"] - 0.5) < 0.1


def test_node_classification_recovers_blocks_and_random_vectors_do_not(tmp_path):
    edges, n, block = planted_partition()
    classes = sp.csr_matrix((np.ones(n), (np.arange(n), block)), shape=(n, 4))
    graph = evaluate.build_csr(edges[:, 0], edges[:, 1], np.ones(len(edges)), n, directed=False)
    good = FAST.fit(Projection.from_csr(graph)).embedding_.vectors
    assert evaluate.classify_nodes(good, classes, 0.5, 3, seed=1, c_values=(1.0,))["macro_f1"] > 0.9
    noise = np.random.default_rng(1).normal(size=(n, 32))
    assert evaluate.classify_nodes(noise, classes, 0.5, 3, seed=1, c_values=(1.0,))["macro_f1"] < 0.45


def test_node_classification_predicts_as_many_labels_as_a_node_has():
    """Two classes per node: predicting only the best one would cap Micro-F1 at 2/3."""
    n = 120
    rng = np.random.default_rng(2)
    first = rng.integers(0, 3, n)
    classes = sp.csr_matrix((np.ones(2 * n), (np.r_[np.arange(n), np.arange(n)], np.r_[first, first + 3])), shape=(n, 6))
    vectors = np.eye(6)[first] @ rng.normal(size=(6, 8)) + 0.01 * rng.normal(size=(n, 8))
    result = evaluate.classify_nodes(vectors, classes, 0.5, 2, seed=0, c_values=(10.0,))
    assert result["micro_f1"] > 0.95


def test_cli_node_classification_and_link_prediction_json(tmp_path):
    edges, n, block = planted_partition()
    adjacency = sp.coo_matrix((np.ones(len(edges)), (edges[:, 0], edges[:, 1])), shape=(n, n))
    mat = tmp_path / "planted.mat"
    scipy.io.savemat(mat, {"network": (adjacency + adjacency.T).tocsc(),
                           "group": sp.csc_matrix((np.ones(n), (np.arange(n), block)), shape=(n, 4))})
    fast = ["--walks-per-node", "10", "--walk-length", "40", "--dimensions", "32", "--window", "5", "--seed", "7"]
    done = run_cli("--json", "evaluate", "node-classification", str(mat), "--repeats", "2", "--C", "1", *fast)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert {"macro_f1", "micro_f1", "p", "q", "seed", "walk", "train", "protocol"} <= set(data)
    assert data["macro_f1"] > 0.9 and data["protocol"]["repeats"] == 2 and data["train"]["sample"] == 0.001

    edge_file = tmp_path / "planted.txt"
    edge_file.write_text("".join(f"{u} {v}\n" for u, v in edges.tolist()))
    done = run_cli("--json", "evaluate", "link-prediction", str(edge_file), "--p-grid", "0.5,2", *fast)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert {"auc", "ap", "auc_cosine", "p", "q", "grid"} <= set(data)
    assert [(point["p"], point["q"]) for point in data["grid"]] == [(0.5, 1.0), (2.0, 1.0)]
    chosen = max(data["grid"], key=lambda point: point["auc_cv_train"])  # selected on training pairs only
    assert (data["p"], data["auc"]) == (chosen["p"], chosen["auc"])


def test_cli_evaluation_errors_are_one_line(tmp_path):
    edge_file = tmp_path / "e.txt"
    edge_file.write_text("a b\nb c\nc a\n")
    cases = [
        (["evaluate", "node-classification", str(edge_file)], "no node classes"),
        (["evaluate", "link-prediction", str(edge_file), "--p-grid", "1,x"], "--p-grid takes comma-separated numbers"),
        (["evaluate", "link-prediction", str(edge_file), "--remove", "1.5"], "--remove must be between 0 and 1"),
        (["evaluate", "label-recommendation", str(ROBOTICS), "--label-sep", " ", "--holdout", "0"], "--holdout"),
        (["evaluate", "label-recommendation", str(ROBOTICS), "--label-sep", " ", "--score", "popularity"], "--score"),
    ]
    for args, message in cases:
        done = run_cli(*args)
        assert done.returncode == 2, (args, done.stderr)
        assert message in done.stderr and "Traceback" not in done.stderr
        assert len(done.stderr.strip().splitlines()) == 1


@pytest.fixture(scope="module")
def robotics_evaluation():
    fast = ["--walks-per-node", "5", "--walk-length", "40", "--dimensions", "64", "--seed", "5", "--workers", "1"]
    done = run_cli("--json", "evaluate", "label-recommendation", str(ROBOTICS), "--labels-field", "tags", "--label-sep", " ",
                   "--holdout", "0.2", *fast)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_label_recommendation_json_keys_and_baselines_recomputed_independently(robotics_evaluation):
    data = robotics_evaluation
    keys = ["hits@1", "hits@5", "hits@10", "mrr"]
    assert set(keys) <= set(data) and set(data["baselines"]) == {"popularity", "cooccurrence"}
    assert set(data["ablations"]) == {"pmi", "counts"} and data["protocol"]["score"] == "blend"
    bands = data["by_hidden_df"]  # every hidden label in exactly one band, each band ranked by every score
    assert sum(band["hidden"] for band in bands.values()) == data["protocol"]["hidden"]
    assert all({"blend", "pmi", "counts", "cooccurrence"} <= set(band) for band in bands.values())
    assert all(set(keys) <= set(row) for row in data["baselines"].values())
    assert data["train"]["sample"] == 0.0 and data["seed"] == 5
    # the same hidden labels, ranked by a plain loop over documents
    corpus = read_documents(ROBOTICS, labels_field="tags", label_sep=" ")
    x, _ = evaluate.corpus_incidence(corpus.labels)
    kept, docs, hidden = hide_labels(x, 0.2, 5)
    assert data["protocol"]["hidden"] == len(docs)
    df = np.asarray(kept.sum(axis=0)).ravel()
    pair = (kept.T @ kept).toarray()
    np.fill_diagonal(pair, 0)
    ranks = {"popularity": [], "cooccurrence": []}
    for d, target in zip(docs, hidden):
        has = set(kept[d].indices.tolist())
        candidates = [label for label in range(x.shape[1]) if label not in has]
        evidence = pair[sorted(has)].sum(axis=0)
        for name, score in (("popularity", df), ("cooccurrence", evidence + np.log(np.maximum(df, 1)) / (np.log(df.max()) + 1))):
            above = sum(score[c] > score[target] for c in candidates)
            ties = sum(score[c] == score[target] for c in candidates) - 1
            ranks[name].append(1 + above + ties / 2)
    for name, found in ranks.items():
        assert data["baselines"][name]["mrr"] == pytest.approx(np.mean(1 / np.array(found)), abs=1e-4)
        assert data["baselines"][name]["hits@10"] == pytest.approx(np.mean(np.array(found) <= 10), abs=1e-4)


def test_label_recommendation_embedding_beats_popularity(robotics_evaluation):
    data = robotics_evaluation
    assert data["mrr"] > 1.3 * data["baselines"]["popularity"]["mrr"]
    assert data["hits@10"] > data["baselines"]["popularity"]["hits@10"]


def test_evaluation_scores_with_the_same_code_as_recommend():
    """A model whose vectors favour one label must put that label first in both places."""
    from graphvec.scoring import top_labels

    x = sp.csr_matrix(np.array([[1, 1, 0, 0], [1, 1, 0, 0], [0, 1, 1, 0], [1, 0, 0, 1]], dtype=np.float32))
    embedding = np.zeros((4, 2), dtype=np.float32)
    context = np.zeros((4, 2), dtype=np.float32)
    embedding[0] = [1, 0]
    context[3] = [5, 0]  # label 3 follows label 0 strongly
    model = LabelModel(np.array([3, 3, 1, 1]), embedding, context, cooccurrence_counts(x), n_documents=4)
    indices, _ = top_labels(sp.csr_matrix(np.array([[1, 0, 1, 0]], dtype=np.float32)), model, 1)
    assert indices[0, 0] == 3
    result = rank_hidden(x, np.array([0]), np.array([3]), model, "pmi")
    assert result["hits@1"] == 1.0


def blend_by_loop(labels_of_document, df, n_documents, embedding, context, counts, with_vectors=True) -> np.ndarray:
    """The blend's score of every label for one document, pair by pair, as scoring's docstring states it."""
    from graphvec.scoring import BLEND_PSEUDO_DOCUMENTS, BLEND_VOTE, COUNTS_PSEUDO_DOCUMENTS

    gamma = BLEND_PSEUDO_DOCUMENTS if with_vectors else COUNTS_PSEUDO_DOCUMENTS
    scores = np.zeros(len(df))
    for label in range(len(df)):
        total, vote = math.log(max(df[label], 1)), 0.0
        for i in labels_of_document:
            pmi = float(np.dot(embedding[i].astype(np.float64), context[label])) if with_vectors else 0.0
            total += pmi
            if counts[i, label] > 0:
                expected = min(df[label] / n_documents * math.exp(pmi), 1.0)
                total += math.log(1 + counts[i, label] / (gamma * expected))
                vote += counts[i, label]
        scores[label] = total + BLEND_VOTE * math.log(1 + vote)
    return scores


def test_blend_is_the_vectors_pmi_plus_the_counts_pair_by_pair():
    from graphvec.scoring import score_block

    rng = np.random.default_rng(3)
    x = sp.csr_matrix((rng.random((40, 7)) < 0.3).astype(np.float32))
    counts = cooccurrence_counts(x)
    df = np.asarray(x.sum(0)).ravel()
    embedding, context = rng.normal(0, 0.7, (7, 4)).astype(np.float32), rng.normal(0, 0.7, (7, 4)).astype(np.float32)
    model = LabelModel(df, embedding, context, counts, n_documents=40)
    dense = counts.toarray()
    for method, with_vectors in (("blend", True), ("counts", False)):
        block = score_block(x[:10], model, method)
        for d in range(10):
            expected = blend_by_loop(x[d].indices, df, 40, embedding, context, dense, with_vectors)
            assert block[d] == pytest.approx(expected, rel=1e-4, abs=1e-4)
    # the counts move the ranking: without them the same vectors rank differently somewhere
    assert not np.array_equal(np.argsort(-score_block(x, model, "blend"), axis=1), np.argsort(-score_block(x, model, "pmi"), axis=1))
