"""Which projection `graphvec embed` should use on a store of documents when none is named.

For each corpus and three hiding seeds, the label-recommendation protocol runs on the `labels`
projection (CO_OCCURS weighted by count), on CO_OCCURS weighted by NPMI (`labels-npmi`: walks need
positive weights, so pairs seen less often than chance are left out, as `embed --relationship
CO_OCCURS:npmi` would refuse them), on `both` (HAS_LABEL and CO_OCCURS, unweighted) and on
`bipartite` (HAS_LABEL), everything else at
`embed`'s defaults, and reports MRR and Hits@10 with the co-occurrence baseline, and two
neighbour-list figures over the labels seen in 20 or more documents: the mean cosine of their 10
nearest labels (near 1 everywhere means the vectors collapsed into one direction) and the share
of those neighbours that co-occur with them at least once.  Usage:
`.venv/bin/python benchmarks/bench_default_projection.py [--corpora robotics,cooking] [--only labels-npmi,both]`; prints
one JSON line per run and a summary, writes bench-out/default_projection.json.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from bench_rare_labels import run_grid  # noqa: E402

PROJECTIONS = ("labels", "labels-npmi", "both", "bipartite")


def main() -> None:
    only = sys.argv[sys.argv.index("--only") + 1].split(",") if "--only" in sys.argv else PROJECTIONS
    run_grid({projection: {"projection": projection} for projection in PROJECTIONS if projection in only},
             ("mrr", "hits@10", "cooccurrence_mrr", "mean_cosine", "share_cooccurring", "share_rare"), "default_projection.json")


if __name__ == "__main__":
    main()
