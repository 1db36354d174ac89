"""Stable coordinates across rebuilds: rotate new vectors onto the previous run's.

Skip-gram's solution is only defined up to a rotation: two trainings of the same graph give
vectors that agree on every cosine but not on coordinates, which breaks whatever stored or cached
the old ones.  An orthogonal Procrustes fit (Schönemann 1966; scipy.linalg.orthogonal_procrustes)
on the nodes both runs embedded finds the rotation R minimising ‖new·R − old‖.  Input and context
vectors turn by the same R, so every dot product e·c, every cosine and so every neighbour ranking
is exactly what it was before the rotation; only the coordinates move towards the old ones.
"""

from __future__ import annotations

import numpy as np
from scipy.linalg import orthogonal_procrustes


def rotation(new: np.ndarray, old: np.ndarray) -> np.ndarray:
    """The orthogonal matrix R that best maps rows of `new` onto the same rows of `old`."""
    r, _ = orthogonal_procrustes(np.asarray(new, np.float64), np.asarray(old, np.float64))
    return r.astype(np.float32)


def mean_cosine(a: np.ndarray, b: np.ndarray) -> float:
    """Mean cosine between matching rows: 1 means no drift at all."""
    na = np.linalg.norm(a, axis=1)
    nb = np.linalg.norm(b, axis=1)
    return float(np.mean(np.sum(a * b, axis=1) / np.maximum(na * nb, 1e-12)))
