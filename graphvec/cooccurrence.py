"""Label co-occurrence statistics from the document–label incidence matrix.

With X the binary documents × labels matrix, Xᵀ·X holds document frequencies on its diagonal and
pair counts off it, so one sparse product replaces any loop over documents.  NPMI (Bouma 2009)
rescales PMI into [-1, 1]: npmi = ln(p(a,b) / (p(a)·p(b))) / −ln p(a,b), with p = count / N
documents; a pair present in every document (p(a,b) = 1) gets 1 by convention.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass
class Cooccurrence:
    """df per label, and one entry per unordered co-occurring pair (i < j) of kept labels."""

    df: np.ndarray
    i: np.ndarray
    j: np.ndarray
    count: np.ndarray
    npmi: np.ndarray


def incidence(doc_codes: np.ndarray, label_codes: np.ndarray, n_docs: int, n_labels: int) -> sp.csr_matrix:
    """Binary documents × labels CSR matrix from parallel arrays of (document, label) codes."""
    data = np.ones(len(doc_codes), dtype=np.int32)
    matrix = sp.csr_matrix((data, (np.asarray(doc_codes), np.asarray(label_codes))), shape=(n_docs, n_labels))
    matrix.sum_duplicates()
    matrix.data[:] = 1
    return matrix


def cooccurrence(x: sp.csr_matrix, min_df: int = 1) -> Cooccurrence:
    """Pair counts and NPMI among labels whose df ≥ min_df (rarer labels take part in no pair)."""
    n_docs = x.shape[0]
    df = np.asarray(x.sum(axis=0)).ravel().astype(np.int64)
    keep = df >= min_df
    kept = x[:, np.flatnonzero(keep)] if not keep.all() else x
    kept_ids = np.flatnonzero(keep)
    counts = sp.triu((kept.T @ kept).tocoo(), k=1).tocoo()
    i = kept_ids[counts.row].astype(np.int64)
    j = kept_ids[counts.col].astype(np.int64)
    c = counts.data.astype(np.int64)
    order = np.lexsort((j, i))
    i, j, c = i[order], j[order], c[order]
    p_ab = c / n_docs
    p_a = df[i] / n_docs
    p_b = df[j] / n_docs
    with np.errstate(divide="ignore", invalid="ignore"):
        npmi = np.log(p_ab / (p_a * p_b)) / -np.log(p_ab)
    npmi = np.where(p_ab >= 1.0, 1.0, npmi)
    return Cooccurrence(df, i, j, c, npmi.astype(np.float64))
