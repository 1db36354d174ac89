"""The README's evaluation table: every figure is one `graphvec evaluate … --json` command below.

    python benchmarks/bench_evaluate.py                 # all, about 45 minutes on 2 cores
    python benchmarks/bench_evaluate.py --only lr-      # the entries whose name starts with lr-
    python benchmarks/bench_evaluate.py --rerun         # ignore results already in bench-out/eval/

Each command's JSON is kept in bench-out/eval/<name>.json, so an interrupted run resumes, and the
summary printed at the end (and written to bench-out/eval/summary.md) is built from those files.
Training uses two threads, whose lock-free updates make repeated runs differ slightly; the
label-recommendation entries therefore run three hiding seeds and report mean and spread.
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

RESULTS = OUT / "eval"
COMMON = ["--seed", "42", "--workers", "2"]
DEEPWALK = ["--walks-per-node", "80", "--walk-length", "40"]  # DeepWalk README's settings
GRID = ["--p-grid", "0.25,1,4", "--q-grid", "0.25,1,4"]

NODE_CLASSIFICATION = {  # name: (file, extra arguments, published Macro-F1, what the published figure is)
    "nc-blogcatalog-node2vec": ("blogcatalog/blogcatalog.mat", ["-p", "0.25", "-q", "0.25"], 0.2581, "node2vec, p=q=0.25"),
    "nc-blogcatalog-deepwalk": ("blogcatalog/blogcatalog.mat", DEEPWALK, 0.2768, "DeepWalk README, 80×40"),
    "nc-ppi-node2vec": ("ppi/PPI.mat", ["-p", "4", "-q", "1"], 0.1791, "node2vec, p=4 q=1"),
    "nc-pos-grid": ("wikipedia_pos/POS.mat", GRID, 0.1552, "node2vec, p=4 q=0.5"),
    "nc-pos-deepwalk": ("wikipedia_pos/POS.mat", ["-p", "4", "-q", "0.5", *DEEPWALK], 0.1552, "node2vec, p=4 q=0.5"),
}
LINK_PREDICTION = {
    "lp-facebook": ("facebook_combined/facebook_combined.txt", [], 0.968, "node2vec Table 4"),
    "lp-ppi": ("ppi/PPI.mat", [], 0.7719, "node2vec Table 4"),
    "lp-ppi-grid": ("ppi/PPI.mat", ["--p-grid", "0.25,0.5,1,2,4", "--q-grid", "0.25,0.5,1,2,4"], 0.7719, "node2vec Table 4"),
    "lp-ppi-deepwalk": ("ppi/PPI.mat", DEEPWALK, 0.7719, "node2vec Table 4"),
    "lp-ppi-uniform": ("ppi/PPI.mat", ["-p", "0.25", "-q", "4", "--negative-exponent", "0"], 0.7719, "node2vec Table 4"),
}
CORPORA = {
    "robotics": ("stackexchange_kaggle/robotics.csv", ["--labels-field", "tags", "--label-sep", " "]),
    "cooking": ("stackexchange_kaggle/cooking.csv", ["--labels-field", "tags", "--label-sep", " "]),
    "biology": ("stackexchange_kaggle/biology.csv", ["--labels-field", "tags", "--label-sep", " "]),
    "reuters": ("reuters21578/modapte_90.jsonl", ["--id-field", "newid", "--labels-field", "labels"]),
}
SEEDS = (42, 43, 44)


def commands() -> dict[str, list[str]]:
    out = {}
    for name, (path, extra, *_ ) in NODE_CLASSIFICATION.items():
        out[name] = ["node-classification", str(SHARED / path), "--repeats", "10", *extra, *COMMON]
    for name, (path, extra, *_) in LINK_PREDICTION.items():
        out[name] = ["link-prediction", str(SHARED / path), *extra, *COMMON]
    for corpus, (path, extra) in CORPORA.items():
        for seed in SEEDS:
            args = ["label-recommendation", str(SHARED / path), *extra, "--holdout", "0.2", "--seed", str(seed), "--workers", "2"]
            out[f"lr-{corpus}-{seed}"] = args
    return out


def run(name: str, args: list[str], rerun: bool) -> dict | None:
    path = RESULTS / f"{name}.json"
    if path.exists() and path.stat().st_size and not rerun:
        return json.loads(path.read_text())
    if not Path(args[1]).exists():
        print(f"skip {name}: {args[1]} is not present", file=sys.stderr)
        return None
    print(f"run  {name}: graphvec evaluate {' '.join(args)}", file=sys.stderr, flush=True)
    done = subprocess.run([sys.executable, str(REPO / "cli.py"), "--json", "evaluate", *args], capture_output=True, text=True)
    if done.returncode != 0:
        print(f"fail {name}: {done.stderr.strip()}", file=sys.stderr)
        return None
    path.write_text(done.stdout)
    return json.loads(done.stdout)


def summary(results: dict[str, dict]) -> str:
    lines = ["| figure | graphvec | published | command |", "|---|---|---|---|"]
    for name, (path, _, published, what) in NODE_CLASSIFICATION.items():
        if name in results:
            r = results[name]
            lines.append(f"| {name} Macro-F1 | {r['macro_f1']:.4f} ± {r['macro_f1_std']:.4f} (p={r['p']:g}, q={r['q']:g}, C={r['C']:g}) "
                         f"| {published} ({what}) | `{name}` |")
    for name, (path, _, published, what) in LINK_PREDICTION.items():
        if name in results:
            r = results[name]
            lines.append(f"| {name} AUC | {r['auc']:.4f} (AP {r['ap']:.4f}, cosine {r['auc_cosine']:.4f}; p={r['p']:g}, q={r['q']:g}) "
                         f"| {published} ({what}) | `{name}` |")
    lines += ["", "| corpus | score | Hits@1 | Hits@5 | Hits@10 | MRR | blend's lead, Hits@10 / MRR |", "|---|---|---|---|---|---|---|"]
    for corpus in CORPORA:
        runs = [results[f"lr-{corpus}-{seed}"] for seed in SEEDS if f"lr-{corpus}-{seed}" in results]
        if not runs:
            continue
        for score in ("blend", "pmi", "counts", "popularity", "cooccurrence"):
            rows = runs if score == "blend" else [r.get("ablations", {}).get(score) or r["baselines"].get(score) for r in runs]
            cells = []
            for metric in ("hits@1", "hits@5", "hits@10", "mrr"):
                values = np.array([row[metric] for row in rows])
                cells.append(f"{values.mean():.4f} ± {values.std():.4f}")
            if score != "blend":  # paired with the blend on the same hidden labels: the spread that decides a win
                gap = np.array([run["mrr"] - row["mrr"] for run, row in zip(runs, rows)])
                ten = np.array([run["hits@10"] - row["hits@10"] for run, row in zip(runs, rows)])
                cells.append(f"{ten.mean():+.4f} ± {ten.std():.4f} / {gap.mean():+.4f} ± {gap.std():.4f}")
            else:
                cells.append("")
            lines.append(f"| {corpus} ({len(runs)} seeds) | {score} | " + " | ".join(cells) + " |")
    lines += ["", "MRR by the hidden label's df in the training documents (mean over seeds; hidden labels per seed in brackets):", "",
              "| corpus | band | blend | pmi | counts | cooccurrence |", "|---|---|---|---|---|---|"]
    for corpus in CORPORA:
        runs = [results[f"lr-{corpus}-{seed}"] for seed in SEEDS if "by_hidden_df" in results.get(f"lr-{corpus}-{seed}", {})]
        for band in (runs[0]["by_hidden_df"] if runs else {}):
            rows = [run["by_hidden_df"][band] for run in runs if band in run["by_hidden_df"]]
            cells = [f"{np.mean([row[m]['mrr'] for row in rows]):.4f}" for m in ("blend", "pmi", "counts", "cooccurrence")]
            lines.append(f"| {corpus} | {band} ({np.mean([row['hidden'] for row in rows]):.0f}) | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    rerun = "--rerun" in sys.argv
    only = sys.argv[sys.argv.index("--only") + 1] if "--only" in sys.argv else ""
    RESULTS.mkdir(parents=True, exist_ok=True)
    results = {}
    for name, args in commands().items():
        if name.startswith(only):
            result = run(name, args, rerun)
            if result is not None:
                results[name] = result
    table = summary(results)
    (RESULTS / "summary.md").write_text(table + "\n")
    print(table)


if __name__ == "__main__":
    main()
