"""Document vectors from label vectors: a weighted mean, no walks and no training.

A document is the sum of what its labels mean, so its vector can be read off the label vectors
the moment it is ingested.  Two choices make the mean useful rather than a blur of popular labels:

- weights are the labels' inverse document frequency, smoothed as scikit-learn's TfidfTransformer
  does (ln((1 + N) / (1 + df)) + 1, never zero), so a label carried by half the corpus counts for
  less than one that singles out a topic;
- optionally the first principal component of all document vectors is projected out
  (`remove_first_pc`): it holds what every document shares (the corpus's common theme) and
  dominates cosine similarities otherwise.  The component is kept with the vectors, so
  documents added later are projected with the same direction rather than a new one.

The context vector is the same weighted mean of the labels' context vectors, so `d·c` scores
keep the meaning they have for labels.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

WEIGHTINGS = ("idf", "uniform")


@dataclass
class DocumentVectors:
    embedding: np.ndarray
    context: np.ndarray
    has_vector: np.ndarray  # False for a document none of whose labels has a vector
    component: np.ndarray | None  # the direction removed (unit length), or None


def label_weights(df: np.ndarray, n_documents: int, weighting: str = "idf") -> np.ndarray:
    if weighting == "uniform":
        return np.ones(len(df), dtype=np.float64)
    if weighting == "idf":
        return np.log((1.0 + n_documents) / (1.0 + np.asarray(df, dtype=np.float64))) + 1.0
    raise ValueError(f"unknown weighting {weighting!r}")


def first_component(vectors: np.ndarray) -> np.ndarray | None:
    """The unit direction of largest variance around the origin (Arora et al.'s common component):
    the top right singular vector of the uncentred matrix."""
    if len(vectors) < 2 or not np.any(vectors):
        return None
    _, _, vt = np.linalg.svd(np.asarray(vectors, dtype=np.float64), full_matrices=False)
    return vt[0].astype(np.float32)


def from_labels(x: sp.csr_matrix, label_embedding: np.ndarray, label_context: np.ndarray, label_has_vector: np.ndarray,
                weights: np.ndarray, *, remove_first_pc: bool = False, component: np.ndarray | None = None) -> DocumentVectors:
    """Vectors of the documents (rows of the documents × labels 0/1 matrix `x`).

    Labels without a vector do not take part in the mean.  With `remove_first_pc`, `component`
    (from an earlier call) is used when given, otherwise it is computed from these documents."""
    x = sp.csr_matrix(x, dtype=np.float32)
    usable = sp.diags((np.asarray(weights, dtype=np.float64) * label_has_vector).astype(np.float32))
    weighted = x @ usable
    total = np.asarray(weighted.sum(axis=1)).ravel()
    has_vector = total > 0
    scale = sp.diags(np.where(has_vector, 1.0 / np.where(has_vector, total, 1.0), 0.0).astype(np.float32))
    mean = scale @ weighted
    embedding = np.asarray(mean @ label_embedding, dtype=np.float32)
    context = np.asarray(mean @ label_context, dtype=np.float32)
    if remove_first_pc:
        if component is None:
            component = first_component(embedding[has_vector])
        if component is not None:
            embedding -= np.outer(embedding @ component, component).astype(np.float32)
            embedding[~has_vector] = 0.0
    return DocumentVectors(embedding, context, has_vector, component if remove_first_pc else None)
