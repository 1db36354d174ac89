"""Rare labels: what leaving labels seen in fewer than `min_df` documents out of the walks does.

For each corpus, three hiding seeds and min_df 1, 2, 3 and 5, the label-recommendation protocol
(`graphvec evaluate label-recommendation`, bipartite projection, the README's settings) reports
MRR and Hits@10 against the co-occurrence baseline, and how often frequent labels (df >= 20) have
rare ones (df < 5, or a single document) among their 10 nearest labels.  Usage:
`.venv/bin/python benchmarks/bench_rare_labels.py [--corpora robotics,cooking]`; prints one JSON
line per run and a summary, writes bench-out/rare_labels.json.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))
from common import OUT, REPO, SHARED  # noqa: E402

CORPORA = {
    "robotics": (REPO / "datasets" / "robotics" / "robotics.csv", {"labels_field": "tags", "label_sep": " "}),
    "cooking": (SHARED / "stackexchange_kaggle" / "cooking.csv", {"labels_field": "tags", "label_sep": " "}),
    "biology": (SHARED / "stackexchange_kaggle" / "biology.csv", {"labels_field": "tags", "label_sep": " "}),
    "reuters": (SHARED / "reuters21578" / "modapte_90.jsonl", {"labels_field": "labels", "id_field": "newid"}),
}
MIN_DF = (1, 2, 3, 5)
SEEDS = (42, 43, 44)  # the hiding seeds bench_evaluate.py uses


def corpora():
    """(name, documents × labels incidence) for each corpus `--corpora a,b` picks (all by default);
    a corpus whose file is absent is reported as skipped, one JSON line."""
    from graphvec.evaluate import corpus_incidence
    from graphvec.sources import read_documents

    chosen = sys.argv[sys.argv.index("--corpora") + 1].split(",") if "--corpora" in sys.argv else list(CORPORA)
    for name in chosen:
        path, options = CORPORA[name]
        if not path.exists():
            print(json.dumps({"corpus": name, "skipped": f"{path} not found"}), flush=True)
            continue
        yield name, corpus_incidence(read_documents(path, **options).labels)[0]


def run_grid(variants: dict[str, dict], summary_keys: tuple[str, ...], output: str) -> None:
    """The label-recommendation protocol on each corpus (`--corpora a,b` picks some), once per
    variant (name → protocol keyword arguments) and hiding seed; one JSON line per run, then the
    mean and spread per corpus and variant, also written to bench-out/<output>."""
    from graphvec.evaluate import label_recommendation
    from graphvec.node2vec import Node2Vec

    rows, chosen = [], []
    for name, x in corpora():
        chosen.append(name)
        for variant, arguments in variants.items():
            for seed in SEEDS:
                result = label_recommendation(x, Node2Vec(random_state=seed, workers=2), **arguments)
                row = {"corpus": name, "variant": variant, "seed": seed, "mrr": result["mrr"], "hits@10": result["hits@10"],
                       "cooccurrence_mrr": result["baselines"]["cooccurrence"]["mrr"],
                       "cooccurrence_hits@10": result["baselines"]["cooccurrence"]["hits@10"],
                       "labels_without_vector": result["protocol"]["labels_without_vector"], **result["neighbours"]}
                rows.append(row)
                print(json.dumps(row), flush=True)
    summary = {}
    for name in chosen:
        for variant in variants:
            group = [r for r in rows if r["corpus"] == name and r["variant"] == variant]
            if group:
                summary[f"{name} {variant}"] = {key: [round(float(np.mean([r[key] for r in group])), 4),
                                                      round(float(np.std([r[key] for r in group])), 4)] for key in summary_keys}
    OUT.mkdir(exist_ok=True)
    (OUT / output).write_text(json.dumps({"runs": rows, "summary_mean_std": summary}, indent=2))
    print(json.dumps(summary, indent=2))


def main() -> None:
    run_grid({f"min_df={n}": {"projection": "bipartite", "min_df": n} for n in MIN_DF},
             ("mrr", "hits@10", "cooccurrence_mrr", "share_rare", "share_single_document", "labels_without_vector"), "rare_labels.json")


if __name__ == "__main__":
    main()
