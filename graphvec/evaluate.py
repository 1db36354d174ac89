"""Evaluation protocols: link prediction, node classification and label recommendation.

Each protocol is a pure function over arrays (a CSR graph, a node × class matrix, a documents ×
labels incidence matrix) that learns vectors with the same walk engine and trainer as `embed`,
in memory, and scores them with scikit-learn, as the papers do:

- link prediction follows node2vec §4.4: half of the edges are removed at random while every
  connected component stays connected (a random spanning forest is never removed), as many
  non-edges are drawn as negatives, vectors are learned on the residual graph only, and a
  logistic regression on Hadamard features is fitted on one half of the pairs and scored on the
  other;
- node classification follows DeepWalk's scoring: one-vs-rest L2 logistic regression, each test
  node predicted with as many labels as it truly has;
- label recommendation hides one label from a share of the documents with two or more and ranks
  it with `scoring.score_block`, the same code that writes PREDICTED, next to two baselines
  computed in the same run.

A p/q grid picks its point on training data only (cross-validation inside the training pairs or
the labelled nodes), then reports the held-out figure of that point, so the grid cannot tune on
the figures it reports.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import replace

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import minimum_spanning_tree

from . import documents
from .cooccurrence import cooccurrence, incidence
from .embedding import Embedding
from .errors import GraphvecError
from .node2vec import Node2Vec
from .projection import Projection, build_csr
from .scoring import DOCUMENT_METHODS, METHODS, LabelModel, cooccurrence_counts, hide_labels, rank_hidden

BASELINES = ("popularity", "cooccurrence")
ABLATIONS = ("pmi", "counts")  # the blend without the counts, and without the vectors


# -- learning vectors on an in-memory graph ---------------------------------------------------

def learn(model: Node2Vec, projection: Projection, on_tokens=None) -> Embedding:
    """`model` fitted on an in-memory graph, exactly as `embed` fits it on a store's projection."""
    progress = (lambda name, total, unit: _Tokens(on_tokens)) if on_tokens else None
    return model.fit(projection, progress=progress).embedding_


class _Tokens:
    """Hands the training bar's advances to an `on_tokens` callback (the walks' counting pass too)."""

    def __init__(self, on_tokens):
        self.advance = on_tokens

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


# -- link prediction --------------------------------------------------------------------------

def split_edges(src: np.ndarray, dst: np.ndarray, n: int, share: float, seed: int):
    """node2vec §4.4: remove `share` of the edges, never one of a random spanning forest, and draw
    as many non-edges; returns (residual src, residual dst, removed edges, non-edges).

    Self-loops are never removed or predicted: a node's link to itself is not a link to find."""
    if not 0 < share < 1:
        raise GraphvecError(f"--remove must be between 0 and 1, not {share}")
    src, dst = np.asarray(src, dtype=np.int64), np.asarray(dst, dtype=np.int64)
    lo, hi = np.minimum(src, dst), np.maximum(src, dst)
    loop = lo == hi
    codes = lo * n + hi
    codes_unique, first = np.unique(codes[~loop], return_index=True)
    pair_lo, pair_hi = lo[~loop][first], hi[~loop][first]
    m = len(codes_unique)
    rng = np.random.default_rng(seed)
    # random weights make the minimum spanning forest a random one; it keeps every component whole
    random_weight = rng.random(m) + 1e-9
    forest = minimum_spanning_tree(sp.coo_matrix((random_weight, (pair_lo, pair_hi)), shape=(n, n))).tocoo()
    in_forest = np.isin(codes_unique, np.minimum(forest.row, forest.col).astype(np.int64) * n + np.maximum(forest.row, forest.col))
    removable = np.flatnonzero(~in_forest)
    wanted = int(round(share * m))
    if wanted > len(removable):
        raise GraphvecError(f"cannot remove {share:.0%} of the {m:,} edges and keep the graph connected: only "
                            f"{len(removable):,} are outside a spanning forest; lower --remove")
    removed = np.zeros(m, dtype=bool)
    removed[rng.choice(removable, size=wanted, replace=False)] = True
    positives = np.stack([pair_lo[removed], pair_hi[removed]], axis=1)
    negatives = _non_edges(codes_unique, n, wanted, rng)
    keep = np.concatenate([np.flatnonzero(loop), np.flatnonzero(~loop)[first[~removed]]])
    return src[keep], dst[keep], positives, negatives


def _non_edges(edge_codes: np.ndarray, n: int, count: int, rng: np.random.Generator) -> np.ndarray:
    """`count` distinct node pairs u < v that are not edges, uniformly at random."""
    possible = n * (n - 1) // 2 - len(edge_codes)
    if count > possible:
        raise GraphvecError(f"the graph has only {possible:,} non-edges, fewer than the {count:,} negatives needed")
    found = np.empty(0, dtype=np.int64)
    while len(found) < count:
        u = rng.integers(0, n, 2 * (count - len(found)) + 16)
        v = rng.integers(0, n, len(u))
        lo, hi = np.minimum(u, v), np.maximum(u, v)
        code = (lo * n + hi)[lo != hi]
        code = code[~np.isin(code, edge_codes)]
        _, first = np.unique(np.concatenate([found, code]), return_index=True)
        found = np.concatenate([found, code])[np.sort(first)]
    found = found[:count]
    return np.stack([found // n, found % n], axis=1)


def score_links(vectors: np.ndarray, positives: np.ndarray, negatives: np.ndarray, seed: int, *, cv_folds: int = 0) -> dict:
    """Hadamard features + logistic regression fitted on half of the pairs, ROC-AUC and AP on the
    other half; the plain cosine AUC on the same half.  `cv_folds` adds the cross-validated AUC
    inside the fitted half, which is what a p/q grid selects on."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import average_precision_score, roc_auc_score
    from sklearn.model_selection import cross_val_score

    pairs = np.concatenate([positives, negatives])
    truth = np.r_[np.ones(len(positives)), np.zeros(len(negatives))]
    order = np.random.default_rng(seed).permutation(len(truth))
    fit, held = order[: len(order) // 2], order[len(order) // 2:]
    features = vectors[pairs[:, 0]] * vectors[pairs[:, 1]]
    classifier = LogisticRegression(max_iter=2000)
    classifier.fit(features[fit], truth[fit])
    decision = classifier.decision_function(features[held])
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    cosine = np.sum(unit[pairs[held, 0]] * unit[pairs[held, 1]], axis=1)
    out = {"auc": round(float(roc_auc_score(truth[held], decision)), 4),
           "ap": round(float(average_precision_score(truth[held], decision)), 4),
           "auc_cosine": round(float(roc_auc_score(truth[held], cosine)), 4)}
    if cv_folds:
        cv = cross_val_score(LogisticRegression(max_iter=2000), features[fit], truth[fit], cv=cv_folds, scoring="roc_auc")
        out["auc_cv_train"] = round(float(cv.mean()), 4)
    return out


def link_prediction(src, dst, n: int, model: Node2Vec, *, remove: float = 0.5, p_grid=None, q_grid=None, on_point=None,
                    on_tokens=None) -> dict:
    """The node2vec link-prediction protocol on an undirected graph given as edge arrays."""
    seed = model.random_state
    res_src, res_dst, positives, negatives = split_edges(src, dst, n, remove, seed)
    residual = build_csr(res_src, res_dst, np.ones(len(res_src)), n, directed=False)
    isolated = int((np.diff(residual.indptr) == 0).sum())
    grid = _grid(model, p_grid, q_grid)
    projection = Projection.from_csr(residual)

    def evaluate(point: Node2Vec) -> dict:
        return score_links(learn(point, projection, on_tokens).vectors, positives, negatives, seed, cv_folds=3 if grid else 0)

    result = _run_grid(model, grid, evaluate, "auc_cv_train", on_point)
    return {**result, "protocol": {"removed_edges": len(positives), "non_edges": len(negatives),
                                   "residual_edges": len(res_src), "nodes": n, "isolated_in_residual": isolated,
                                   "remove": remove, "operator": "hadamard", "classifier": "logistic regression (L2, C=1)"}}


# -- node classification ---------------------------------------------------------------------

C_VALUES = (0.1, 1.0, 10.0, 100.0)  # inverse L2 strengths tried when the classifier tunes itself


def classify_nodes(vectors: np.ndarray, classes: sp.csr_matrix, train_ratio: float, repeats: int, seed: int,
                   c_values: tuple[float, ...] = C_VALUES) -> dict:
    """Mean Macro-/Micro-F1 over `repeats` random splits; nodes without a class are left out.

    With several `c_values`, the L2 strength is chosen once, by 3-fold cross-validated Macro-F1
    among the labelled nodes of the first split: rare classes (Wikipedia POS has classes of one
    node) are never predicted under strong regularisation, which costs Macro-F1 a third."""
    from sklearn.metrics import f1_score

    if not 0 < train_ratio < 1:
        raise GraphvecError(f"--train-ratio must be between 0 and 1, not {train_ratio}")
    if repeats < 1:
        raise GraphvecError(f"--repeats must be at least 1, not {repeats}")
    classes = sp.csr_matrix(classes, dtype=np.int8)
    labelled = np.flatnonzero(np.diff(classes.indptr) > 0)
    rng = np.random.default_rng(seed)
    splits = []
    for _ in range(repeats):
        order = rng.permutation(labelled)
        cut = int(round(train_ratio * len(order)))
        splits.append((order[:cut], order[cut:]))
    c = c_values[0] if len(c_values) == 1 else _choose_c(vectors, classes, splits[0][0], c_values, seed)
    macro, micro = [], []
    for fit, test in splits:
        truth = classes[test].toarray()
        predicted = _predict_top_k(vectors[fit], classes[fit].toarray(), vectors[test], truth.sum(axis=1), c)
        macro.append(f1_score(truth, predicted, average="macro", zero_division=0))
        micro.append(f1_score(truth, predicted, average="micro", zero_division=0))
    return {"macro_f1": round(float(np.mean(macro)), 4), "micro_f1": round(float(np.mean(micro)), 4),
            "macro_f1_std": round(float(np.std(macro)), 4), "micro_f1_std": round(float(np.std(micro)), 4), "C": c}


def _predict_top_k(x_fit, y_fit, x_test, k_per_row, c: float) -> np.ndarray:
    """One-vs-rest L2 logistic regression; each test row gets its `k` best-scoring classes."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.multiclass import OneVsRestClassifier

    usable = y_fit.any(axis=0)  # a class no training node has cannot be learned; it is never predicted
    classifier = OneVsRestClassifier(LogisticRegression(solver="liblinear", C=c))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        classifier.fit(x_fit, y_fit[:, usable])
    scores = np.full((len(x_test), y_fit.shape[1]), -np.inf)
    scores[:, usable] = classifier.decision_function(x_test).reshape(len(x_test), -1)
    top = np.argsort(-scores, axis=1, kind="stable")
    predicted = np.zeros((len(x_test), y_fit.shape[1]), dtype=np.int8)
    for row, k in enumerate(k_per_row):
        predicted[row, top[row, :k]] = 1
    return predicted


def _choose_c(vectors, classes, fit_nodes, c_values, seed) -> float:
    from sklearn.metrics import f1_score
    from sklearn.model_selection import KFold

    folds = list(KFold(3, shuffle=True, random_state=seed % 2**32).split(fit_nodes))
    best, best_score = c_values[0], -1.0
    for c in c_values:
        scores = []
        for inner_fit, inner_test in folds:
            truth = classes[fit_nodes[inner_test]].toarray()
            predicted = _predict_top_k(vectors[fit_nodes[inner_fit]], classes[fit_nodes[inner_fit]].toarray(),
                                       vectors[fit_nodes[inner_test]], truth.sum(axis=1), c)
            scores.append(f1_score(truth, predicted, average="macro", zero_division=0))
        if np.mean(scores) > best_score:
            best, best_score = c, float(np.mean(scores))
    return best


def node_classification(graph: sp.csr_matrix, classes: sp.csr_matrix, model: Node2Vec, *, train_ratio: float = 0.5,
                        repeats: int = 10, p_grid=None, q_grid=None, c_values: tuple[float, ...] = C_VALUES, on_point=None,
                        on_tokens=None) -> dict:
    """DeepWalk/node2vec node classification; a grid selects on a 2-fold split of one split's
    labelled nodes only."""
    seed = model.random_state
    grid = _grid(model, p_grid, q_grid)
    projection = Projection.from_csr(graph)
    classes = sp.csr_matrix(classes)
    counts = np.diff(classes.indptr)
    labelled = np.flatnonzero(counts > 0)
    tuning = np.random.default_rng(seed).permutation(labelled)[: int(round(train_ratio * len(labelled)))]

    def evaluate(point: Node2Vec) -> dict:
        vectors = learn(point, projection, on_tokens).vectors
        out = classify_nodes(vectors, classes, train_ratio, repeats, seed, c_values)
        if grid:
            out["macro_f1_tuning"] = classify_nodes(vectors[tuning], classes[tuning], 0.5, 2, seed + 1, (out["C"],))["macro_f1"]
        return out

    result = _run_grid(model, grid, evaluate, "macro_f1_tuning", on_point)
    return {**result, "protocol": {"nodes": graph.shape[0], "labelled_nodes": len(labelled), "classes": classes.shape[1],
                                   "train_ratio": train_ratio, "repeats": repeats, "labels_per_node": round(float(counts[labelled].mean()), 3),
                                   "classifier": "one-vs-rest logistic regression (L2, liblinear), top-k by true label count"}}


# -- label recommendation --------------------------------------------------------------------

def label_recommendation(x: sp.csr_matrix, model: Node2Vec, *, projection: str = "bipartite", holdout: float = 0.2,
                         score: str = "blend", min_df: int = 1, on_tokens=None) -> dict:
    """Hide one label from `holdout` of the documents with two or more, embed what is left with the
    chosen projection, and rank each hidden label among the labels its document lacks.

    `score` is what PREDICTED uses (`blend`) unless another is named; `ablations` ranks the same
    hidden labels by the blend's parts alone, so what the vectors add is measured in every run.

    Labels seen in fewer than `min_df` training documents are left out of the walks, as `embed
    --min-df` leaves them out of the projection: they get no vector and are scored by their prior
    only.  `neighbours` describes the frequent labels' nearest labels (`neighbour_figures`)."""
    if not 0 < holdout < 1:
        raise GraphvecError(f"--holdout must be between 0 and 1, not {holdout}")
    if score not in METHODS or score in BASELINES:
        raise GraphvecError(f"--score must be one of {', '.join(m for m in METHODS if m not in BASELINES)}, not {score!r}")
    x = sp.csr_matrix(x, dtype=np.float32)
    n_docs, n_labels = x.shape
    kept, docs, hidden = hide_labels(x, holdout, model.random_state)
    if len(docs) == 0:
        raise GraphvecError("no document has two or more labels: nothing can be hidden")
    df = np.asarray(kept.sum(axis=0)).ravel()
    walked = kept if min_df <= 1 else sp.csr_matrix(kept @ sp.diags((df >= min_df).astype(np.float32)))
    graph, label_rows = label_graph(walked, projection)
    vectors = learn(model, graph, on_tokens)
    scorer = LabelModel(np.asarray(kept.sum(axis=0)).ravel(), vectors.vectors[label_rows], vectors.context[label_rows],
                        cooccurrence_counts(kept), n_documents=n_docs)
    result = rank_hidden(kept, docs, hidden, scorer, score)
    result["baselines"] = {name: rank_hidden(kept, docs, hidden, scorer, name) for name in BASELINES}
    # the blend's parts alone: the vectors without the counts, the counts without the vectors
    result["ablations"] = {name: rank_hidden(kept, docs, hidden, scorer, name) for name in ABLATIONS if name != score}
    result["by_hidden_df"] = _by_hidden_df(kept, docs, hidden, scorer, score)
    result["beats_baselines"] = all(result["mrr"] > b["mrr"] and result["hits@10"] > b["hits@10"] for b in result["baselines"].values())
    if projection in ("bipartite", "both"):
        result["document_vectors"] = compare_document_vectors(kept, docs, hidden, scorer, vectors.vectors[:n_docs],
                                                              vectors.has_vector[label_rows])
    result["protocol"] = {"documents": n_docs, "labels": n_labels, "documents_with_two_or_more": int((np.diff(x.indptr) >= 2).sum()),
                          "hidden": len(docs), "holdout": holdout, "projection": projection, "score": score,
                          "labels_without_vector": int((~vectors.has_vector[label_rows]).sum()), "min_df": min_df}
    result["neighbours"] = neighbour_figures(vectors.vectors[label_rows], vectors.has_vector[label_rows], kept)
    return result


HIDDEN_DF_BANDS = ((0, 10), (10, 50), (50, None))  # rare, middling and frequent hidden labels


def _by_hidden_df(kept: sp.csr_matrix, docs: np.ndarray, hidden: np.ndarray, scorer: LabelModel, score: str) -> dict:
    """The same ranking split by the hidden label's training df: where each score's strength lies
    (vectors help the rarest labels, counts the middling ones)."""
    df = np.asarray(kept.sum(axis=0)).ravel()[hidden]
    out = {}
    for low, high in HIDDEN_DF_BANDS:
        chosen = (df >= low) & (df < high if high else True)
        if chosen.any():
            name = f"df {low}-{high - 1}" if high else f"df {low}+"
            out[name] = {"hidden": int(chosen.sum()),
                         **{method: rank_hidden(kept, docs[chosen], hidden[chosen], scorer, method)
                            for method in dict.fromkeys((score, *ABLATIONS, "cooccurrence"))}}
    return out


def neighbour_figures(vectors: np.ndarray, has_vector: np.ndarray, x: sp.csr_matrix, *, frequent: int = 20, rare: int = 5,
                      k: int = 10) -> dict:
    """What the k nearest labels (cosine, among labels with a vector) of the labels with df >=
    `frequent` look like: the share with df below `rare`, the share seen in one document only, the
    share that co-occur with the asking label at least once, and their mean cosine (near 1 for
    every label means the vectors collapsed into one direction)."""
    from .similarity import top_k_exact

    df = np.asarray(x.sum(axis=0)).ravel()
    rows = np.flatnonzero(has_vector)
    asking = df[rows] >= frequent
    if len(rows) <= k or not asking.any():
        return {"frequent_labels": 0, "share_rare": 0.0, "share_single_document": 0.0, "share_cooccurring": 0.0,
                "mean_cosine": 0.0}
    neighbours, scores = top_k_exact(vectors[rows], k)
    found = df[rows][neighbours[asking]]
    cooccurs = (x.T @ x).tocsr()
    pairs = cooccurs[np.repeat(rows[asking], neighbours.shape[1]), rows[neighbours[asking]].ravel()]
    return {"frequent_labels": int(asking.sum()), "share_rare": round(float((found < rare).mean()), 4),
            "share_single_document": round(float((found <= 1).mean()), 4),
            "share_cooccurring": round(float((np.asarray(pairs).ravel() > 0).mean()), 4),
            "mean_cosine": round(float(scores[asking].mean()), 4)}


def fold_in_quality(x: sp.csr_matrix, model: Node2Vec, *, fold_epochs: int | None = None, projection: str = "bipartite",
                    share: float = 0.1, holdout: float = 0.2, k: int = 10) -> dict:
    """How close fold-in (`graphvec update`) gets to re-learning everything.

    One label is hidden from `holdout` of the documents (as in `label_recommendation`); then
    `share` of the labels are removed, vectors are learned without them, and they are re-added and
    folded in.  A full training on the same graph is the reference; a second full training with
    another seed measures how much two full trainings themselves disagree.  Reported: the mean
    overlap of the re-added labels' top-k neighbours (fold-in against full, and full against
    full), and label-recommendation Hits@10 / MRR under both vector sets, overall and on the
    hidden labels that were re-added."""
    if not 0 < share < 1:
        raise GraphvecError(f"--share must be between 0 and 1, not {share}")
    seed = model.random_state
    kept, docs, hidden = hide_labels(sp.csr_matrix(x, dtype=np.float32), holdout, seed)
    n_labels = kept.shape[1]
    present = np.flatnonzero(np.asarray(kept.sum(axis=0)).ravel() > 0)
    removed = np.sort(np.random.default_rng([seed, 1]).choice(present, size=max(1, int(round(share * len(present)))), replace=False))
    reduced = kept.tolil(copy=True)
    reduced[:, removed] = 0
    reduced = sp.csr_matrix(reduced)
    reduced.eliminate_zeros()
    graph_reduced, label_rows = label_graph(reduced, projection)
    graph, _ = label_graph(kept, projection)
    base = learn(model, graph_reduced)
    new = int((~base.has_vector & (graph.degrees() > 0)).sum())
    folder = replace(model, epochs=fold_epochs or model.epochs)
    folded, fold_stats = folder.fold_in(graph, base)
    started = time.perf_counter()
    full = learn(model, graph)
    full_seconds = time.perf_counter() - started
    again = learn(replace(model, random_state=seed + 1), graph)
    rows = label_rows[removed]
    check = removed[full.has_vector[rows] & folded.has_vector[rows] & again.has_vector[rows]]
    df = np.asarray(kept.sum(axis=0)).ravel()
    cooccurrence = cooccurrence_counts(kept)

    def scorer(vectors: Embedding) -> LabelModel:
        return LabelModel(df, vectors.vectors[label_rows], vectors.context[label_rows], cooccurrence, n_documents=kept.shape[0])

    readded = np.isin(hidden, removed)
    recommend = {}
    for name, vectors in (("fold_in", folded), ("full", full)):
        recommend[name] = rank_hidden(kept, docs, hidden, scorer(vectors), "blend")
        recommend[name + "_readded_only"] = rank_hidden(kept, docs[readded], hidden[readded], scorer(vectors), "blend") if readded.any() else {}
    return {"overlap_fold_in_vs_full": _neighbour_overlap(folded.vectors[label_rows], full.vectors[label_rows], check, k),
            "overlap_full_vs_full": _neighbour_overlap(again.vectors[label_rows], full.vectors[label_rows], check, k),
            "label_recommendation": recommend,
            "protocol": {"labels": n_labels, "removed_labels": len(removed), "compared_labels": len(check), "k": k,
                         "folded_nodes": new, "hidden": len(docs), "hidden_among_readded": int(readded.sum()),
                         "projection": projection, "fold_in": fold_stats, "full_training_seconds": round(full_seconds, 3)}}


def _neighbour_overlap(a: np.ndarray, b: np.ndarray, nodes: np.ndarray, k: int) -> float:
    """Mean share of the top-k cosine neighbours (among all rows) that two vector sets agree on, for `nodes`."""
    def top(vectors):
        unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
        scores = unit[nodes] @ unit.T
        scores[np.arange(len(nodes)), nodes] = -np.inf
        return np.argsort(-scores, axis=1, kind="stable")[:, :k]

    ta, tb = top(a), top(b)
    return round(float(np.mean([len(np.intersect1d(x, y)) / k for x, y in zip(ta, tb)])), 4) if len(nodes) else float("nan")


def compare_document_vectors(kept: sp.csr_matrix, docs: np.ndarray, hidden: np.ndarray, model: LabelModel,
                             walked: np.ndarray, label_has_vector: np.ndarray) -> dict:
    """Document vectors learned from the bipartite walks against vectors derived from the
    documents' remaining labels (graphvec.documents), ranked by the same document scores.

    Keys are `<source>/<score>`: source `walks`, `labels-idf`, `labels-idf-pc1` (first principal
    component removed) or `labels-uniform`; score `document-cosine` or `document-pmi`."""
    n_docs = kept.shape[0]
    sources = {"walks": walked}
    for name, weighting, remove in (("labels-idf", "idf", False), ("labels-idf-pc1", "idf", True),
                                    ("labels-uniform", "uniform", False)):
        sources[name] = documents.from_labels(kept, model.embedding, model.context, label_has_vector,
                                              documents.label_weights(model.df, n_docs, weighting),
                                              remove_first_pc=remove).embedding
    return {f"{name}/{score}": rank_hidden(kept, docs, hidden, model, score, documents=vectors)
            for name, vectors in sources.items() for score in DOCUMENT_METHODS}


def label_graph(x: sp.csr_matrix, projection: str) -> tuple[Projection, np.ndarray]:
    """The in-memory twin of the store's `bipartite`, `both` and `labels` projections, and of
    CO_OCCURS weighted by NPMI (`labels-npmi`, above-chance pairs only): the projection (Document
    and Label nodes, so the model's defaults are `embed`'s) and the rows that hold the labels."""
    n_docs, n_labels = x.shape
    if projection in ("bipartite", "both"):  # HAS_LABEL, and for `both` CO_OCCURS too, unweighted as in the store
        coo = x.tocoo()
        src, dst = coo.row.astype(np.int64), coo.col.astype(np.int64) + n_docs
        if projection == "both":
            pairs = sp.triu(cooccurrence_counts(x), k=1).tocoo()
            src, dst = np.concatenate([src, pairs.row + n_docs]), np.concatenate([dst, pairs.col + n_docs])
        graph = build_csr(src, dst, np.ones(len(src)), n_docs + n_labels, directed=False)
        codes = np.concatenate([np.zeros(n_docs, np.int8), np.ones(n_labels, np.int8)])
        return Projection.from_csr(graph, node_label=codes, label_names=("Document", "Label")), np.arange(n_docs, n_docs + n_labels)
    if projection in ("labels", "labels-npmi"):
        if projection == "labels":
            pairs = sp.triu(cooccurrence_counts(x), k=1).tocoo()
            src, dst, weight = pairs.row, pairs.col, pairs.data
        else:  # CO_OCCURS by npmi; walks need positive weights, so pairs seen less often than chance are left out
            stats = cooccurrence(x)
            positive = stats.npmi > 0
            src, dst, weight = stats.i[positive], stats.j[positive], stats.npmi[positive]
        graph = build_csr(src.astype(np.int64), dst.astype(np.int64), weight.astype(np.float64), n_labels, directed=False)
        return Projection.from_csr(graph, label_names=("Label",)), np.arange(n_labels)
    raise GraphvecError(f"--projection must be bipartite, labels, labels-npmi or both, not {projection!r}")


def corpus_incidence(labels: list[list[str]]) -> tuple[sp.csr_matrix, list[str]]:
    """Documents × labels 0/1 matrix from per-document label lists, labels in sorted order."""
    names = sorted({label for row in labels for label in row})
    index = {name: i for i, name in enumerate(names)}
    rows = np.repeat(np.arange(len(labels)), [len(row) for row in labels])
    cols = np.fromiter((index[label] for row in labels for label in row), dtype=np.int64, count=len(rows))
    return incidence(rows, cols, len(labels), len(names)), names


# -- grids -----------------------------------------------------------------------------------

def _grid(model: Node2Vec, p_grid, q_grid) -> list[Node2Vec]:
    """The (p, q) points to try, or [] when no grid was asked for."""
    if not p_grid and not q_grid:
        return []
    ps = list(p_grid or [model.return_factor])
    qs = list(q_grid or [model.in_out_factor])
    return [replace(model, return_factor=float(p), in_out_factor=float(q)).validate() for p in ps for q in qs]


def _run_grid(model: Node2Vec, grid: list[Node2Vec], evaluate, select_on: str, on_point) -> dict:
    """One evaluation, or every grid point and the one chosen by `select_on` (training data only)."""
    if not grid:
        return {**evaluate(model), "p": model.return_factor, "q": model.in_out_factor}
    points = []
    for params in grid:
        point = {"p": params.return_factor, "q": params.in_out_factor, **evaluate(params)}
        points.append(point)
        if on_point:
            on_point(point)
    best = max(points, key=lambda point: point[select_on])
    return {**best, "selected_on": select_on, "grid": points}


def graph_arrays(edges) -> tuple[np.ndarray, np.ndarray, np.ndarray, int, sp.csr_matrix | None]:
    """An EdgeList read by `sources.read_graph` as dense-id arrays: (src, dst, weight, n, classes),
    classes being a nodes × classes 0/1 matrix when the file carries them (.mat `group`)."""
    index = {name: i for i, name in enumerate(edges.nodes)}
    src = np.fromiter((index[k] for k in edges.src), dtype=np.int64, count=len(edges.src))
    dst = np.fromiter((index[k] for k in edges.dst), dtype=np.int64, count=len(edges.dst))
    classes = None
    if edges.classes is not None:
        names = sorted({c for row in edges.classes.values() for c in row}, key=lambda c: (len(c), c))
        column = {c: j for j, c in enumerate(names)}
        rows = [(index[node], column[c]) for node, row in edges.classes.items() for c in row]
        r, c = (np.array(a, dtype=np.int64) for a in zip(*rows)) if rows else (np.empty(0, np.int64), np.empty(0, np.int64))
        classes = sp.csr_matrix((np.ones(len(r), dtype=np.int8), (r, c)), shape=(len(edges.nodes), len(names)))
    return src, dst, np.asarray(edges.weight, dtype=np.float64), len(edges.nodes), classes
