"""Label recommendation: which labels a document lacks, best first, and how to measure that.

The default score reads skip-gram as a naive-Bayes model.  Skip-gram with negative sampling
learns input·context dot products that estimate pointwise mutual information (Levy & Goldberg,
2014), so for a document with labels l₁…lₘ and a candidate label L

    log P(L | l₁…lₘ) ≈ log P(L) + Σᵢ PMI(lᵢ, L) + const ≈ log df(L) + Σᵢ eᵢ · c_L

where e are the labels' `embedding` and c their `context_embedding`.  Plain cosine between
vectors throws the log-popularity prior away and, measured on Stack Exchange corpora, ranks
below simply recommending the most popular labels; the table in the README has the figures.

The default, `blend`, adds what the counts know.  For each pair the document's label i has
actually been seen with, the embedding's estimate P̂(L | i) = P(L)·exp(eᵢ·c_L) serves as the prior
of a Dirichlet estimate whose data are the pair's co-occurrence count c_iL, worth γ pseudo-
documents (Bayesian smoothing of the counts towards the embedding rather than towards
popularity).  In log space that is the PMI score above plus, per seen pair,
log(1 + c_iL / (γ·P̂(L | i))), plus w·log(1 + Σᵢ c_iL) for the plain co-occurrence vote, which
naive Bayes's product undervalues when one of several labels has never met the candidate.  The
corrections live on the co-occurring pairs only, a sparse labels × labels matrix, so scoring
costs what `pmi` costs.  γ and w are constants, chosen by cross-validation on training
documents only (benchmarks/bench_recommend.py); the README reports what each part adds,
including the same formula without vectors (`counts`), which comes close.

Everything here is numpy over a documents × labels incidence matrix, in row blocks, so the
documents × labels score matrix never exists whole.  `recommend` (write-back of PREDICTED) and
the label-recommendation evaluation use the same `score_block`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp

METHODS = ("blend", "pmi", "counts", "cosine", "popularity", "cooccurrence")
DOCUMENT_METHODS = ("document-cosine", "document-pmi")  # scores from a vector per document rather than its labels
BLOCK_CELLS = 8_000_000  # scores held at a time (32 MB of float32)
BLEND_PSEUDO_DOCUMENTS = 300.0  # γ: what the embedding's estimate of one pair is worth, in documents
BLEND_VOTE = 1.0  # w: weight of log(1 + summed co-occurrence counts)
COUNTS_PSEUDO_DOCUMENTS = 10.0  # γ of the ablation without vectors (smoothing towards popularity), its best on every corpus


@dataclass
class LabelModel:
    """What scoring needs about the labels: df and, for vector methods, the two vector sets.

    Labels without a vector (never walked) keep zero rows: they can still be recommended by their
    prior, never by a similarity they do not have."""

    df: np.ndarray
    embedding: np.ndarray | None = None
    context: np.ndarray | None = None
    cooccurrence: sp.csr_matrix | None = None
    n_documents: int | None = None  # documents behind df; P(L) = df / n_documents in the blend
    pseudo_documents: float = BLEND_PSEUDO_DOCUMENTS  # the blend's γ
    vote: float = BLEND_VOTE  # the blend's w
    _corrections: dict = field(default_factory=dict, repr=False)

    @property
    def n_labels(self) -> int:
        return len(self.df)

    def correction(self, with_vectors: bool) -> sp.csr_matrix:
        """log(1 + c_iL / (γ·P̂(L | i))) on the co-occurring pairs (i, L), computed once per model."""
        gamma = self.pseudo_documents if with_vectors else COUNTS_PSEUDO_DOCUMENTS
        if (with_vectors, gamma) not in self._corrections:
            if self.cooccurrence is None or not self.n_documents:
                raise ValueError("the blend needs co-occurrence counts and the number of documents")
            pairs = sp.coo_matrix(self.cooccurrence)
            rows, cols = pairs.row.astype(np.int64), pairs.col.astype(np.int64)
            logit = np.zeros(len(rows), np.float64)
            if with_vectors:
                for start in range(0, len(rows), 1_000_000):  # one million pair products at a time
                    part = slice(start, start + 1_000_000)
                    logit[part] = np.einsum("ij,ij->i", self.embedding[rows[part]], self.context[cols[part]], dtype=np.float64)
            expected = np.minimum(np.asarray(self.df, np.float64)[cols] / self.n_documents * np.exp(np.minimum(logit, 30.0)), 1.0)
            values = np.log1p(pairs.data / (gamma * np.maximum(expected, 1e-12)))
            self._corrections[with_vectors, gamma] = sp.csr_matrix((values.astype(np.float32), (rows, cols)), shape=pairs.shape)
        return self._corrections[with_vectors, gamma]


def score_block(x: sp.csr_matrix, model: LabelModel, method: str, documents: np.ndarray | None = None) -> np.ndarray:
    """Scores of every label for each document row of `x` (documents × labels, 0/1).

    The document methods score from `documents`, one vector per row of `x`: `document-cosine`
    is what a vector-index query by the document's vector returns, `document-pmi` reads d·c_L as
    PMI plus the label's log-popularity, as `pmi` does for the sum of the labels' vectors."""
    prior = np.log(np.maximum(model.df, 1)).astype(np.float32)
    if method == "popularity":
        return np.broadcast_to(prior, (x.shape[0], model.n_labels)).copy()
    if method == "cooccurrence":
        # how often each candidate co-occurred with the document's labels; popularity breaks ties
        counts = np.asarray((x @ model.cooccurrence).todense(), dtype=np.float32)
        return counts + prior / (prior.max() + 1.0)
    if method == "pmi":
        return prior + _pmi_evidence(x, model)
    if method in ("blend", "counts"):
        with_vectors = method == "blend"
        vote = model.vote * np.log1p(np.asarray((x @ model.cooccurrence).todense(), dtype=np.float32))
        seen = np.asarray((x @ model.correction(with_vectors)).todense(), dtype=np.float32)
        return prior + seen + vote + (_pmi_evidence(x, model) if with_vectors else 0.0)
    if method == "document-pmi":
        return prior + np.asarray(documents, dtype=np.float32) @ model.context.T
    if method == "document-cosine":
        return _unit(np.asarray(documents, dtype=np.float32)) @ _unit(model.embedding).T
    if method == "cosine":
        unit = _unit(model.embedding)
        centroid = np.asarray(x @ unit, dtype=np.float32)
        centroid /= np.maximum(np.linalg.norm(centroid, axis=1, keepdims=True), 1e-12)
        return centroid @ unit.T
    raise ValueError(f"unknown scoring method {method!r}; choose from {', '.join(METHODS)}")


def _pmi_evidence(x: sp.csr_matrix, model: LabelModel) -> np.ndarray:
    """Σᵢ eᵢ·c_L for every label L: the embedding's summed PMI estimates."""
    evidence = np.asarray(x @ model.embedding, dtype=np.float32)  # Σ eᵢ over the document's labels
    return evidence @ model.context.T


def _unit(vectors: np.ndarray) -> np.ndarray:
    return vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)


def top_labels(x: sp.csr_matrix, model: LabelModel, k: int, method: str = "blend") -> tuple[np.ndarray, np.ndarray]:
    """Top-k labels each document lacks: (indices, scores), both documents × k, best first.

    Labels the document already has are never returned; a row with fewer than k candidates is
    padded with -1 / NaN."""
    n_docs, n_labels = x.shape
    k_eff = min(k, n_labels)
    indices = np.full((n_docs, k), -1, dtype=np.int64)
    scores = np.full((n_docs, k), np.nan, dtype=np.float32)
    rows = max(1, BLOCK_CELLS // max(n_labels, 1))
    for start in range(0, n_docs, rows):
        block = x[start: start + rows]
        s = score_block(block, model, method).astype(np.float32)
        s[block.nonzero()] = -np.inf
        part = np.argpartition(-s, k_eff - 1, axis=1)[:, :k_eff] if k_eff < n_labels else np.tile(np.arange(n_labels), (len(s), 1))
        picked = np.take_along_axis(s, part, axis=1)
        order = np.lexsort((part, -picked), axis=1)
        part, picked = np.take_along_axis(part, order, axis=1), np.take_along_axis(picked, order, axis=1)
        valid = np.isfinite(picked)
        indices[start: start + len(s), :k_eff] = np.where(valid, part, -1)
        scores[start: start + len(s), :k_eff] = np.where(valid, picked, np.nan)
    return indices, scores


# -- evaluation --------------------------------------------------------------------------

def hide_labels(x: sp.csr_matrix, share: float, seed: int) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Hide one random label from a random `share` of the documents that have at least two.

    Returns the incidence matrix without the hidden labels, the documents and the hidden labels."""
    x = sp.csr_matrix(x, dtype=np.float32)
    rng = np.random.default_rng(seed)
    eligible = np.flatnonzero(np.diff(x.indptr) >= 2)
    chosen = np.sort(rng.choice(eligible, size=int(round(share * len(eligible))), replace=False))
    hidden = np.array([x.indices[x.indptr[d] + rng.integers(x.indptr[d + 1] - x.indptr[d])] for d in chosen], dtype=np.int64)
    kept = x.tolil(copy=True)
    for d, label in zip(chosen, hidden):
        kept[d, label] = 0
    kept = sp.csr_matrix(kept)
    kept.eliminate_zeros()
    return kept, chosen, hidden


def rank_hidden(x_kept: sp.csr_matrix, docs: np.ndarray, hidden: np.ndarray, model: LabelModel, method: str,
                ks=(1, 5, 10), documents: np.ndarray | None = None) -> dict:
    """Hits@k and MRR of each hidden label among the labels its document lacks (ties share ranks).

    `documents` (rows aligned with `x_kept`) feeds the document methods."""
    ranks = np.empty(len(docs), dtype=np.float64)
    rows = max(1, BLOCK_CELLS // max(model.n_labels, 1))
    for start in range(0, len(docs), rows):
        block_docs = docs[start: start + rows]
        block = x_kept[block_docs]
        s = score_block(block, model, method, None if documents is None else documents[block_docs]).astype(np.float64)
        s[block.nonzero()] = -np.inf
        target = s[np.arange(len(block_docs)), hidden[start: start + rows]][:, None]
        ranks[start: start + len(block_docs)] = 1 + (s > target).sum(1) + 0.5 * ((s == target).sum(1) - 1)
    out = {f"hits@{k}": round(float(np.mean(ranks <= k)), 4) for k in ks}
    out["mrr"] = round(float(np.mean(1.0 / ranks)), 4)
    return out


def cooccurrence_counts(x: sp.csr_matrix) -> sp.csr_matrix:
    """Label × label co-occurrence counts without the diagonal."""
    counts = sp.csr_matrix(x.T @ x, dtype=np.float32)
    counts.setdiag(0)
    counts.eliminate_zeros()
    return counts
