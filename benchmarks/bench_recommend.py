"""How the blend's two constants were chosen: cross-validation on training documents only.

For each corpus and hiding seed, the label-recommendation protocol hides labels from test
documents as `graphvec evaluate label-recommendation` does.  Inside the remaining training
documents a second, inner holdout hides one label from 20% of them; vectors are trained on what
is left, and every (γ, w) of the grid is scored on the inner hidden labels.  The point with the
best inner MRR is then applied to the test documents, with vectors trained on all training
documents, next to the shipped constants (scoring.BLEND_PSEUDO_DOCUMENTS, BLEND_VOTE) and the
best point in hindsight.  Usage: `.venv/bin/python benchmarks/bench_recommend.py [--corpora a,b]`;
prints one JSON line per run and writes bench-out/recommend.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import scipy.sparse as sp

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from bench_rare_labels import SEEDS, corpora  # noqa: E402
from common import OUT  # noqa: E402

GRID = [(gamma, vote) for gamma in (30, 100, 300, 1000, 3000) for vote in (0, 0.5, 1, 2)]


def grid_mrr(x: sp.csr_matrix, docs: np.ndarray, hidden: np.ndarray, seed: int) -> dict:
    """Train on `x` (the hidden labels already removed) and score every grid point on the hidden labels."""
    from graphvec.evaluate import label_graph, learn
    from graphvec.node2vec import Node2Vec
    from graphvec.scoring import LabelModel, cooccurrence_counts, rank_hidden

    graph, rows = label_graph(x, "bipartite")
    vectors = learn(Node2Vec(random_state=seed, workers=2), graph)
    base = dict(df=np.asarray(x.sum(axis=0)).ravel(), embedding=vectors.vectors[rows], context=vectors.context[rows],
                cooccurrence=cooccurrence_counts(x), n_documents=x.shape[0])
    return {point: rank_hidden(x, docs, hidden, LabelModel(**base, pseudo_documents=point[0], vote=point[1]), "blend")["mrr"]
            for point in GRID}


def main() -> None:
    from graphvec.scoring import BLEND_PSEUDO_DOCUMENTS, BLEND_VOTE, hide_labels

    rows = []
    for name, x in corpora():
        for seed in SEEDS:
            kept, docs, hidden = hide_labels(x, 0.2, seed)
            inner, inner_docs, inner_hidden = hide_labels(kept, 0.2, seed + 1000)
            training = ~np.isin(inner_docs, docs)  # test documents keep every label they have left
            restore = sp.csr_matrix((np.ones((~training).sum(), np.float32), (inner_docs[~training], inner_hidden[~training])),
                                    shape=kept.shape)
            inner = sp.csr_matrix(inner + restore)
            inner_mrr = grid_mrr(inner, inner_docs[training], inner_hidden[training], seed)
            test_mrr = grid_mrr(kept, docs, hidden, seed)
            picked = max(inner_mrr, key=inner_mrr.get)
            hindsight = max(test_mrr, key=test_mrr.get)
            row = {"corpus": name, "seed": seed, "cv_pick": picked, "test_mrr_at_cv_pick": test_mrr[picked],
                   "shipped": (BLEND_PSEUDO_DOCUMENTS, BLEND_VOTE), "test_mrr_shipped": test_mrr[(BLEND_PSEUDO_DOCUMENTS, BLEND_VOTE)],
                   "hindsight": hindsight, "test_mrr_hindsight": test_mrr[hindsight]}
            rows.append(row)
            print(json.dumps(row), flush=True)
    OUT.mkdir(exist_ok=True)
    (OUT / "recommend.json").write_text(json.dumps(rows, indent=2))


if __name__ == "__main__":
    main()
