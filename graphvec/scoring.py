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
from numba import njit, prange

METHODS = ("blend", "pmi", "counts", "cosine", "popularity", "cooccurrence")
DOCUMENT_METHODS = ("document-cosine", "document-pmi")  # scores from a vector per document rather than its labels
BLOCK_CELLS = 8_000_000  # scores held at a time (32 MB of float32)
BLEND_PSEUDO_DOCUMENTS = 300.0  # γ: what the embedding's estimate of one pair is worth, in documents
BLEND_VOTE = 1.0  # w: weight of log(1 + summed co-occurrence counts)
LABEL_LIMIT = 20_000  # above this many labels, top_labels scores candidates rather than every label
CANDIDATE_METHODS = ("blend", "pmi", "counts", "cooccurrence")  # methods top_labels_by_candidates serves
CANDIDATE_BLOCK = 100_000  # documents scored at a time by candidates
PARTNERS = 50  # a label's most frequent co-occurring labels taken as candidates
LABEL_NPROBE = 16  # IVF lists the label search probes
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


def top_labels(x: sp.csr_matrix, model: LabelModel, k: int, method: str = "blend", *,
               label_limit: int | None = None, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Top-k labels each document lacks: (indices, scores), both documents × k, best first.

    Labels the document already has are never returned; a row with fewer than k candidates is
    padded with -1 / NaN.  Up to `label_limit` labels (LABEL_LIMIT) every label is scored
    (exact); above it the methods that read co-occurrence score candidates only (top_labels_by_candidates)."""
    limit = LABEL_LIMIT if label_limit is None else label_limit
    if model.n_labels > limit and method in CANDIDATE_METHODS:
        return top_labels_by_candidates(x, model, k, method, seed=seed)
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


def top_labels_by_candidates(x: sp.csr_matrix, model: LabelModel, k: int, method: str = "blend", *,
                             seed: int = 0, partners: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """top_labels in time that grows with documents × candidates instead of documents × labels.

    Every method here scores a label that never co-occurred with any of the document's labels by
    a part that does not depend on the pair's counts: `prior` alone (counts, cooccurrence: the
    vote and the correction are zero there), or `prior + Σe·c` (pmi, blend).  The candidates are
    (a) each of the document's labels' `partners` (PARTNERS) most frequent co-occurring labels, and
    (b) the best labels by that count-free part: the most popular ones when it is the prior alone,
    or a maximum-inner-product search when it is `prior + Σe·c`.  Every candidate is then scored
    in full, its counts looked up pair by pair.  The search runs on an IVF index
    (graphvec.similarity.ivf_index) of the label keys [c_L, log df_L] with the query [Σe, 1],
    turned into a nearest-neighbour problem by the usual extra coordinate √(M² − ‖key‖²)
    (Bachrach et al., 2014).  A label left out co-occurs rarely with the document's labels and
    ranks low by the count-free part, so it seldom belongs in the top k; the write-back measures
    how seldom (candidate_recall).  With every partner and an exhaustive search the ranking is
    exactly top_labels' (tested).  Taking every co-occurring label instead cost 678 s at 1M
    documents × 100k labels: a popular label co-occurs with thousands."""
    n_docs, n_labels = x.shape
    x = sp.csr_matrix(x, dtype=np.float32)
    x.sort_indices()
    prior = np.log(np.maximum(model.df, 1)).astype(np.float32)
    with_vectors = method in ("blend", "pmi")
    owned_max = int(np.diff(x.indptr).max(initial=0))
    extra = 2 * k + owned_max  # count-free candidates per document, enough after its own labels are removed
    cooccurrence = sp.csr_matrix(model.cooccurrence, dtype=np.float32)
    cooccurrence.sum_duplicates()  # canonical: sorted rows, one entry a pair
    if method in ("blend", "counts"):
        # LabelModel.correction is built on cooccurrence's own pairs, so in canonical form their
        # entries line up one for one
        correction = sp.csr_matrix(model.correction(method == "blend"), dtype=np.float32)
        correction.sum_duplicates()
        if not (np.array_equal(correction.indptr, cooccurrence.indptr) and np.array_equal(correction.indices, cooccurrence.indices)):
            raise ValueError("the correction's pairs differ from the co-occurrence counts' pairs")
        corrections = correction.data
    else:
        corrections = np.zeros(cooccurrence.nnz, np.float32)
    partner_ptr, partner_idx = _top_partners(cooccurrence, PARTNERS if partners is None else partners)
    index = _label_index(model, seed) if with_vectors else None
    popular = np.lexsort((np.arange(n_labels), -prior))[:extra]
    context = np.asarray(model.context if with_vectors else np.zeros((n_labels, 0)), np.float32)
    kind = {"blend": 0, "counts": 0, "pmi": 1, "cooccurrence": 2}[method]
    indices = np.full((n_docs, k), -1, dtype=np.int64)
    scores = np.full((n_docs, k), np.nan, dtype=np.float32)
    for start in range(0, n_docs, CANDIDATE_BLOCK):
        block = x[start: start + CANDIDATE_BLOCK]
        rows = block.shape[0]
        if with_vectors:
            evidence = np.asarray(block @ model.embedding, dtype=np.float32)
            query = np.hstack([evidence, np.ones((rows, 1), np.float32), np.zeros((rows, 1), np.float32)])
            _, found = index.search(np.ascontiguousarray(query), extra)
        else:
            evidence, found = np.zeros((rows, 0), np.float32), np.ascontiguousarray(np.broadcast_to(popular, (rows, len(popular))))
        block_indices, block_scores = _score_candidates(
            block.indptr, block.indices, found.astype(np.int64), partner_ptr, partner_idx, cooccurrence.indptr, cooccurrence.indices,
            cooccurrence.data, corrections, prior, evidence, context, float(model.vote), float(prior.max() + 1.0), kind, k, n_labels)
        indices[start: start + rows] = block_indices
        scores[start: start + rows] = np.where(block_indices >= 0, block_scores, np.nan)
    return indices, scores


def _top_partners(cooccurrence: sp.csr_matrix, most: int) -> tuple[np.ndarray, np.ndarray]:
    """Each label's `most` most frequent co-occurring labels (ties by index), as CSR arrays."""
    row = np.repeat(np.arange(cooccurrence.shape[0]), np.diff(cooccurrence.indptr))
    order = np.lexsort((cooccurrence.indices, -cooccurrence.data, row))
    slot = np.arange(len(order)) - np.searchsorted(row[order], row[order])
    keep = order[slot < most]
    counts = np.bincount(row[keep], minlength=cooccurrence.shape[0])
    return np.concatenate([[0], np.cumsum(counts)]).astype(np.int64), cooccurrence.indices[keep].astype(np.int64)


@njit(inline="always")
def _lookup(indptr, indices, row, column):
    """Position of `column` in a sorted CSR row, or -1."""
    low, high = indptr[row], indptr[row + 1]
    while low < high:
        middle = (low + high) // 2
        if indices[middle] < column:
            low = middle + 1
        else:
            high = middle
    return low if low < indptr[row + 1] and indices[low] == column else -1


@njit(parallel=True, nogil=True, cache=True)
def _score_candidates(doc_ptr, doc_labels, found, partner_ptr, partner_idx, co_ptr, co_idx, co_count, co_correction, prior,
                      evidence, context, vote, prior_scale, kind, k, n_labels):
    """Per document: gather its candidates (its labels' partners and `found`), score each in full
    (kind 0: prior + vote·log(1 + Σ count) + Σ correction [+ Σe·c]; 1: prior + Σe·c;
    2: Σ count + prior / prior_scale) and keep the k best, best first, equal scores by label."""
    n = len(doc_ptr) - 1
    out = np.full((n, k), -1, np.int64)
    best = np.full((n, k), -np.inf, np.float32)
    d = evidence.shape[1]
    for row in prange(n):
        first, last = doc_ptr[row], doc_ptr[row + 1]
        total = found.shape[1]
        for j in range(first, last):
            label = doc_labels[j]
            total += partner_ptr[label + 1] - partner_ptr[label]
        candidates = np.empty(total, np.int64)
        used = 0
        for t in range(found.shape[1]):
            if found[row, t] >= 0:
                candidates[used] = found[row, t]
                used += 1
        for j in range(first, last):
            label = doc_labels[j]
            for p in range(partner_ptr[label], partner_ptr[label + 1]):
                candidates[used] = partner_idx[p]
                used += 1
        candidates = np.sort(candidates[:used])
        filled = 0
        previous = -1
        for c in range(used):
            label = candidates[c]
            if label == previous:
                continue
            previous = label
            owned = False
            for j in range(first, last):
                if doc_labels[j] == label:
                    owned = True
            if owned:
                continue
            count = 0.0
            correction = 0.0
            for j in range(first, last):
                at = _lookup(co_ptr, co_idx, doc_labels[j], label)
                if at >= 0:
                    count += co_count[at]
                    correction += co_correction[at]
            if kind == 2:
                score = np.float32(count + prior[label] / prior_scale)
            else:
                score = prior[label]
                if kind == 0:
                    score += np.float32(vote * np.log1p(count) + correction)
                for t in range(d):
                    score += evidence[row, t] * context[label, t]
            if filled == k and (score < best[row, k - 1] or (score == best[row, k - 1] and label > out[row, k - 1])):
                continue
            slot = filled if filled < k else k - 1
            while slot > 0 and (best[row, slot - 1] < score or (best[row, slot - 1] == score and out[row, slot - 1] > label)):
                if slot < k:
                    best[row, slot] = best[row, slot - 1]
                    out[row, slot] = out[row, slot - 1]
                slot -= 1
            best[row, slot] = score
            out[row, slot] = label
            if filled < k:
                filled += 1
    return out, best


def _label_index(model: LabelModel, seed: int):
    """An IVF (L2) index on the labels' keys [c_L, log df_L, √(M² − ‖·‖²)], where nearest means
    largest c_L·Σe + log df_L for the query [Σe, 1, 0]."""
    from .similarity import ivf_index

    keys = np.hstack([np.asarray(model.context, np.float32), np.log(np.maximum(model.df, 1)).astype(np.float32)[:, None]])
    norms = np.einsum("ij,ij->i", keys, keys, dtype=np.float64)
    keys = np.hstack([keys, np.sqrt(np.maximum(norms.max() - norms, 0.0)).astype(np.float32)[:, None]])
    return ivf_index(np.ascontiguousarray(keys), seed, metric="l2", nprobe=LABEL_NPROBE)


def candidate_recall(x: sp.csr_matrix, model: LabelModel, k: int, method: str, found: np.ndarray,
                     sample: int = 1000, seed: int = 0) -> float:
    """Share of the exact top-k (every label scored) that the candidate search `found`, on `sample`
    random documents with at least one label."""
    have = np.flatnonzero(np.diff(x.indptr) > 0)
    if len(have) == 0:
        return 1.0
    rows = np.sort(np.random.default_rng(seed).choice(have, size=min(sample, len(have)), replace=False))
    exact, _ = top_labels(x[rows], model, k, method, label_limit=model.n_labels)
    hits = [len(set(a[a >= 0].tolist()) & set(b[b >= 0].tolist())) / max(1, int((b >= 0).sum())) for a, b in zip(found[rows], exact)]
    return float(np.mean(hits))


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
