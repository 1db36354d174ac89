"""The README's freshness figures: document vectors from labels against walk-learned ones, and
fold-in against a full retrain.  Every figure is one `graphvec evaluate … --json` command.

    python benchmarks/bench_freshness.py            # about 25 minutes on 2 cores
    python benchmarks/bench_freshness.py --rerun    # ignore results already in bench-out/freshness/

Each command's JSON is kept in bench-out/freshness/<name>.json (an interrupted run resumes); the
summary is printed and written to bench-out/freshness/summary.md.  Three hiding seeds per corpus,
mean and spread reported: two training threads make repeated runs differ slightly.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import OUT, REPO, SHARED  # noqa: E402

RESULTS = OUT / "freshness"
CORPORA = {"robotics": "stackexchange_kaggle/robotics.csv", "cooking": "stackexchange_kaggle/cooking.csv",
           "biology": "stackexchange_kaggle/biology.csv"}
SEEDS = (1, 2, 3)
READ = ["--labels-field", "tags", "--label-sep", " "]


def run(name: str, args: list[str], rerun: bool) -> dict:
    path = RESULTS / f"{name}.json"
    if path.exists() and not rerun:
        return json.loads(path.read_text())
    result = subprocess.run([sys.executable, str(REPO / "cli.py"), "--json", "evaluate", *args], capture_output=True, text=True,
                            cwd=REPO)
    if result.returncode != 0:
        raise SystemExit(f"{name} failed: {result.stderr.strip()}")
    path.write_text(result.stdout)
    return json.loads(result.stdout)


def spread(values) -> str:
    return f"{np.mean(values):.4f} ± {np.std(values):.4f}"


def main() -> None:
    rerun = "--rerun" in sys.argv
    RESULTS.mkdir(parents=True, exist_ok=True)
    lines = ["## Document vectors (label recommendation, MRR; mean ± std over 3 hiding seeds)", "",
             "| corpus | pmi over labels | " + " | ".join(["walks cos", "walks pmi", "labels-idf cos", "labels-idf pmi",
                                                           "labels-idf-pc1 cos", "labels-idf-pc1 pmi"]) + " |",
             "|---" * 8 + "|"]
    fold_lines = ["## Fold-in against a full retrain (10% of labels; mean ± std over 3 seeds)", "",
                  "| corpus | overlap fold-in vs full | overlap full vs full | MRR fold-in | MRR full | MRR fold-in (re-added) | "
                  "MRR full (re-added) | fold-in s | full training s |", "|---" * 9 + "|"]
    for corpus, relative in CORPORA.items():
        path = SHARED / relative
        if not path.exists():
            print(f"skipping {corpus}: {path} is not present")
            continue
        docs = [run(f"lr-{corpus}-{seed}", ["label-recommendation", str(path), *READ, "--seed", str(seed), "--workers", "2"], rerun)
                for seed in SEEDS]
        cells = [spread([d["mrr"] for d in docs])]
        for key in ("walks", "labels-idf", "labels-idf-pc1"):
            for score in ("document-cosine", "document-pmi"):
                cells.append(spread([d["document_vectors"][f"{key}/{score}"]["mrr"] for d in docs]))
        lines.append(f"| {corpus} | " + " | ".join(cells) + " |")
        folds = [run(f"fold-{corpus}-{seed}", ["fold-in", str(path), *READ, "--seed", str(seed), "--workers", "2"], rerun)
                 for seed in SEEDS]
        rec = [f["label_recommendation"] for f in folds]
        fold_lines.append(f"| {corpus} | " + " | ".join([
            spread([f["overlap_fold_in_vs_full"] for f in folds]), spread([f["overlap_full_vs_full"] for f in folds]),
            spread([r["fold_in"]["mrr"] for r in rec]), spread([r["full"]["mrr"] for r in rec]),
            spread([r["fold_in_readded_only"]["mrr"] for r in rec]), spread([r["full_readded_only"]["mrr"] for r in rec]),
            spread([f["protocol"]["fold_in"]["seconds"] for f in folds]),
            spread([f["protocol"]["full_training_seconds"] for f in folds])]) + " |")
    summary = "\n".join(lines + [""] + fold_lines) + "\n"
    (RESULTS / "summary.md").write_text(summary)
    print(summary)


if __name__ == "__main__":
    main()
