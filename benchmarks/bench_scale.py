"""How every step's time and peak memory grow with the corpus: 100k → 1M → 5M documents.

    python benchmarks/bench_scale.py [100k 1m 5m]     # all three: about 2 hours on 2 cores, 5M alone 90 minutes
    python benchmarks/bench_scale.py --plot           # redraw the PNG from the results kept

Each size is a planted-topic corpus (synthetic_corpus.py: 10k / 100k / 500k labels) with one label
held out of 2,000 documents.  Every step is the command a user would type, run in its own process
so that its peak resident memory (sampled every 0.2 s, children included) is its own:

    ingest → estimate → embed (default projection, SIMILAR top-10, PREDICTED top-10) → stats →
    the four analyst queries (cold and warm) → ingest 5% more documents → update →
    re-ingest the whole file with 1% of documents changed

Quality at scale comes from the held-out labels: Hits@10 of the stored PREDICTED against the two
baselines (most popular labels; labels co-occurring most with the document's others), and the
share of each label's SIMILAR neighbours from its own planted topic.  Results go to
bench-out/scale/<size>.json; the table and benchmarks/results/scale.png (log-log, with Lingo4G's
published memory footprints and graphvec's own estimate) are what the README shows.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from common import OUT, REPO  # noqa: E402
from synthetic_corpus import write_csv  # noqa: E402

RESULTS = OUT / "scale"
SHOWN = HERE / "results"  # what the README shows: the plot and the table
SIZES = {"100k": (100_000, 10_000), "1m": (1_000_000, 100_000), "5m": (5_000_000, 500_000)}
HELD_OUT = 2_000
ADDED = 0.05  # share of documents `update` gets
CHANGED = 0.01  # share of documents whose labels change before the re-ingest
READ = ["--labels-field", "tags", "--label-sep", " "]
GRAPHVEC = [sys.executable, str(REPO / "cli.py")]
# Lingo4G's embedding guide: documents, and the embedding memory its formulas give (labels at
# indexing + documents with their kNN index), for its three example projects
LINGO4G = {"arxiv": (2_200_000, (640 + 1020) * 2**20), "pubmed": (4_900_000, (1780 + 2840) * 2**20),
           "uspto": (11_000_000, (1600 + 7620) * 2**20)}


def measured(name: str, args: list[str], env: dict | None = None, refusal: bool = False) -> dict:
    """Run one command; its wall time, peak RSS (whole process tree) and parsed --json output.
    With `refusal`, a command that exits with graphvec's one-line error is a result too (`refused`)."""
    import psutil

    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
                               env={**os.environ, **(env or {})})
    peak = 0
    watcher = psutil.Process(process.pid)

    def sample():
        nonlocal peak
        while process.poll() is None:
            try:
                peak = max(peak, sum(p.memory_info().rss for p in [watcher, *watcher.children(recursive=True)]))
            except psutil.Error:
                pass
            time.sleep(0.2)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    out, err = process.communicate()
    thread.join()
    seconds = time.perf_counter() - started
    if process.returncode != 0 and refusal and "Traceback" not in err:
        print(f"  {name}: refused in {seconds:.1f} s: {err.strip()}", flush=True)
        return {"seconds": round(seconds, 2), "peak_bytes": int(peak), "refused": err.strip()}
    if process.returncode != 0:
        raise RuntimeError(f"{name} failed ({process.returncode}): {err.strip()[-1500:]}")
    try:
        data = json.loads(out) if out.strip().startswith(("{", "[")) else {"stdout": out[-2000:]}
    except json.JSONDecodeError:
        data = {"stdout": out[-2000:]}
    print(f"  {name}: {seconds:.1f} s, peak {peak / 2**30:.2f} GiB", flush=True)
    return {"seconds": round(seconds, 2), "peak_bytes": int(peak), "output": data}


def corpus(size: str) -> tuple[Path, Path, Path]:
    """The base file (held-out labels removed), the 5% addition and the changed full file, made once."""
    documents, labels = SIZES[size]
    folder = RESULTS / size
    folder.mkdir(parents=True, exist_ok=True)
    base, added, changed = folder / "corpus.csv", folder / "added.csv", folder / "changed.csv"
    if not base.exists():
        write_csv(base, documents, labels, seed=7, hold_out=HELD_OUT)
    if not added.exists():
        write_csv(added, int(documents * (1 + ADDED)), labels, seed=7, first=documents)
    if not changed.exists():
        _changed_copy(base, added, changed, labels)
    return base, added, changed


def _changed_copy(base: Path, added: Path, out: Path, n_labels: int) -> None:
    """Base + addition with the last label of every 100th document replaced by another of its topic
    prefix's labels, so that a re-ingest changes 1% of documents' HAS_LABEL."""
    rng = np.random.default_rng(11)
    with out.open("w") as target:
        for number, path in enumerate((base, added)):
            with path.open() as source:
                header = source.readline()
                if number == 0:
                    target.write(header)
                for i, line in enumerate(source):
                    if i % round(1 / CHANGED) == 0 and number == 0:
                        doc, title, tags = line.rstrip("\n").split(",", 2)
                        tags = tags.split(" ")
                        topic = tags[-1].rsplit("-", 1)[0]
                        tags[-1] = f"{topic}-{int(rng.integers(1, 4))}"
                        line = f"{doc},{title},{' '.join(dict.fromkeys(tags))}\n"
                    target.write(line)


def query_timings(store: Path, label: str, document: str) -> dict:
    """The four analyst questions, each cold (first call in a new process) and warm (median of 5)."""
    code = f"""
import json, time
from graphvec.store import open_store
from graphvec import queries as Q
out = {{}}
with open_store({str(store)!r}, read_only=True) as store:  # as the analyst commands open it
    asks = {{"neighbours": lambda: Q.neighbours(store, {label!r}, 10),
            "neighbours --document": lambda: Q.neighbours(store, {document!r}, 10, document=True),
            "recommend": lambda: Q.recommend(store, {document!r}, 10),
            "recommend --label": lambda: Q.recommend_documents(store, {label!r}, 10)}}
    for name, ask in asks.items():
        times = []
        for _ in range(6):
            started = time.perf_counter(); rows = ask(); times.append(time.perf_counter() - started)
        out[name] = {{"cold_ms": round(times[0] * 1000, 1), "warm_ms": round(sorted(times[1:])[2] * 1000, 1)}}
print(json.dumps(out))
"""
    return measured("queries", [sys.executable, "-c", code])["output"]


def quality(store: Path, base: Path) -> dict:
    """Hits@10 of the held-out labels in the stored PREDICTED, against popularity and co-occurrence
    counted on the ingested file, and the planted-topic share of label SIMILAR neighbours."""
    files = {"predicted": "// params: ids\nMATCH (d:Document)-[p:PREDICTED]->(l:Label) WHERE d.id IN $ids RETURN d.id AS doc, l.name AS label\n",
             "similar": "// params: none\nMATCH (a:Label)-[s:SIMILAR]->(b:Label) WHERE a.df >= 20 RETURN a.name AS a, b.name AS b\n"}
    for name, text in files.items():
        (RESULTS / f"quality_{name}.cypher").write_text(text)
    code = f"""
import json
from graphvec.queries import run_query
from graphvec.store import open_store
hidden = json.load(open({str(base.with_suffix('.hidden.json'))!r}))
with open_store({str(store)!r}, read_only=True) as store:
    rows = run_query(store, {str(RESULTS / 'quality_predicted.cypher')!r}, {{"ids": list(hidden)}})
    similar = run_query(store, {str(RESULTS / 'quality_similar.cypher')!r})
print(json.dumps({{"predicted": rows, "similar": similar}}))
"""
    data = measured("quality", [sys.executable, "-c", code])["output"]
    hidden = json.loads(base.with_suffix(".hidden.json").read_text())
    predicted: dict[str, set] = {}
    for row in data["predicted"]:
        predicted.setdefault(str(row["doc"]), set()).add(row["label"])
    df, pairs = _counts(base)
    popular = sorted(df, key=lambda name: (-df[name], name))
    hits = {"graphvec PREDICTED": 0, "popularity": 0, "co-occurrence": 0}
    for doc, truth in hidden.items():
        kept = set(truth["kept"])
        hits["graphvec PREDICTED"] += truth["hidden"] in predicted.get(doc, ())
        hits["popularity"] += truth["hidden"] in [name for name in popular[:10 + len(kept)] if name not in kept][:10]
        votes: dict[str, int] = {}
        for name in kept:
            for other, count in pairs.get(name, {}).items():
                if other not in kept:
                    votes[other] = votes.get(other, 0) + count
        ranked = sorted(votes, key=lambda name: (-votes[name], -df.get(name, 0), name))
        if len(ranked) < 10:
            ranked += [name for name in popular if name not in kept and name not in votes][:10 - len(ranked)]
        hits["co-occurrence"] += truth["hidden"] in ranked[:10]
    same_topic = [row["a"].rsplit("-", 1)[0] == row["b"].rsplit("-", 1)[0] for row in data["similar"]]
    return {"hits@10": {name: round(count / len(hidden), 4) for name, count in hits.items()}, "documents": len(hidden),
            "similar_same_topic": round(float(np.mean(same_topic)), 4) if same_topic else None,
            "similar_pairs_checked": len(same_topic)}


def _counts(path: Path) -> tuple[dict, dict]:
    """Label df and pair co-occurrence counts of a corpus file (the baselines' statistics)."""
    df: dict[str, int] = {}
    pairs: dict[str, dict[str, int]] = {}
    with path.open() as source:
        source.readline()
        for line in source:
            tags = line.rstrip("\n").split(",", 2)[2].split(" ")
            for name in tags:
                df[name] = df.get(name, 0) + 1
                row = pairs.setdefault(name, {})
                for other in tags:
                    if other != name:
                        row[other] = row.get(other, 0) + 1
    return df, pairs


def run_size(size: str) -> dict:
    print(f"== {size}", flush=True)
    base, added, changed = corpus(size)
    store = RESULTS / size / "store.lbug"
    for path in store.parent.glob("store.lbug*"):
        subprocess.run(["rm", "-rf", str(path)], check=True)
    cli = [*GRAPHVEC, "--store", str(store), "--json"]
    steps = {"ingest": measured("ingest", [*cli, "ingest", "docs", str(base), *READ])}
    steps["estimate"] = measured("estimate", [*cli, "estimate"])
    steps["embed"] = measured("embed", [*cli, "embed"], refusal=True)
    if "refused" in steps["embed"]:  # estimate's refusal protected the machine: that is this size's result
        result = {"size": size, "documents": SIZES[size][0], "labels": SIZES[size][1], "steps": steps}
        (RESULTS / f"{size}.json").write_text(json.dumps(result, indent=1))
        return result
    steps["stats"] = measured("stats", [*cli, "stats"])
    hidden = json.loads(base.with_suffix(".hidden.json").read_text())
    result = {"size": size, "documents": SIZES[size][0], "labels": SIZES[size][1], "steps": steps,
              "queries": query_timings(store, "t3-2", next(iter(hidden))), "quality": quality(store, base)}
    (RESULTS / f"{size}.json").write_text(json.dumps(result, indent=1))  # kept even if a later step fails
    for name, args in (("ingest +5%", ["ingest", "docs", str(added), *READ]), ("update", ["update"]),
                       ("re-ingest changed", ["ingest", "docs", str(changed), *READ])):
        try:
            steps[name] = measured(name, [*cli, *args])
        except RuntimeError as exc:  # recorded, and the later steps are not run on a store in an unknown state
            print(f"  {exc}", flush=True)
            steps[name] = {"failed": str(exc)}
            break
    if "seconds" in steps.get("update", {}):
        result["update_over_embed"] = round(steps["update"]["seconds"] / steps["embed"]["seconds"], 3)
    (RESULTS / f"{size}.json").write_text(json.dumps(result, indent=1))
    return result


STEPS = ("ingest", "embed", "stats", "update", "re-ingest changed")


def _cell(r: dict, step: str) -> str:
    done = r["steps"].get(step)
    if done is None:
        return "—"
    if "refused" in done:
        return "refused"
    if "failed" in done:
        return "failed"
    return f"{done['seconds']:.0f} ({done['peak_bytes'] / 2**30:.1f})"


def table(results: list[dict]) -> str:
    lines = ["| documents / labels | " + " | ".join(f"{s} s (GiB)" for s in STEPS) + " | estimate GiB | "
             "update / embed | Hits@10 graphvec / co-occ. / popular | SIMILAR same topic |",
             "|---" * (len(STEPS) + 5) + "|"]
    for r in results:
        estimate = r["steps"]["estimate"]["output"].get("memory_bytes", {}).get("peak")
        if "quality" in r:
            q = r["quality"]["hits@10"]
            ratio = f"{r['update_over_embed']:.2f}" if "update_over_embed" in r else "—"
            rest = (f"{ratio} | {q['graphvec PREDICTED']:.3f} / {q['co-occurrence']:.3f} / "
                    f"{q['popularity']:.3f} | {r['quality']['similar_same_topic']:.3f}")
        else:
            rest = "— | — | —"
        lines.append(f"| {r['documents']:,} / {r['labels']:,} | " + " | ".join(_cell(r, s) for s in STEPS) +
                     f" | {estimate / 2**30 if estimate else float('nan'):.1f} | {rest} |")
    refused = [r for r in results if "refused" in r["steps"]["embed"]]
    for r in refused:
        lines += ["", f"At {r['documents']:,} documents `embed` refused before starting: {r['steps']['embed']['refused']}"]
    answered = [r for r in results if "queries" in r]
    if answered:
        lines += ["", "| documents | " + " | ".join(f"{q} cold / warm ms" for q in answered[0]["queries"]) + " |",
                  "|---" * (len(answered[0]["queries"]) + 1) + "|"]
        for r in answered:
            lines.append(f"| {r['documents']:,} | " + " | ".join(f"{v['cold_ms']:.0f} / {v['warm_ms']:.0f}" for v in r["queries"].values()) + " |")
    return "\n".join(lines)


def plot(results: list[dict]) -> Path:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 5))
    for step in STEPS:
        ran = [r for r in results if "seconds" in r["steps"].get(step, {})]
        left.plot([r["documents"] for r in ran], [r["steps"][step]["seconds"] for r in ran], marker="o", label=step)
        right.plot([r["documents"] for r in ran], [r["steps"][step]["peak_bytes"] / 2**30 for r in ran], marker="o", label=step)
    docs = [r["documents"] for r in results]
    left.plot(docs, [results[0]["steps"]["embed"]["seconds"] * d / docs[0] for d in docs], ls=":", c="grey",
              label="linear from 100k embed")
    left.set(xscale="log", yscale="log", xlabel="documents", ylabel="wall seconds (2 cores)", title="time per step")
    estimates = [(r["documents"], r["steps"]["estimate"]["output"].get("memory_bytes", {}).get("peak")) for r in results]
    estimates = [(d, e) for d, e in estimates if e]
    if estimates:
        right.plot([d for d, _ in estimates], [e / 2**30 for _, e in estimates], marker="x", ls="--", c="black",
                   label="graphvec estimate (embed)")
    for r in results:
        if "refused" in r["steps"]["embed"]:
            right.annotate("embed refused\n(estimate > free)", (r["documents"], r["steps"]["estimate"]["output"]["memory_bytes"]["peak"] / 2**30),
                           textcoords="offset points", xytext=(-120, -4), fontsize=8)
    right.scatter([v[0] for v in LINGO4G.values()], [v[1] / 2**30 for v in LINGO4G.values()], marker="s", c="red",
                  label="Lingo4G embedding memory (published)")
    for name, (n, b) in LINGO4G.items():
        right.annotate(name, (n, b / 2**30), textcoords="offset points", xytext=(4, -10), fontsize=8)
    right.set(xscale="log", yscale="log", xlabel="documents", ylabel="peak resident GiB", title="peak memory per step")
    for axis in (left, right):
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=7)
    fig.tight_layout()
    SHOWN.mkdir(exist_ok=True)
    path = SHOWN / "scale.png"  # kept in the repository: the README shows it
    fig.savefig(path, dpi=110)
    return path


def main() -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    unknown = [a for a in sys.argv[1:] if a not in SIZES and a != "--plot"]
    if unknown:  # a typo must not start a two-hour run of every size
        sys.exit(f"usage: bench_scale.py [{' '.join(SIZES)}] [--plot]  (not {' '.join(unknown)})")
    names = [a for a in sys.argv[1:] if a in SIZES] or list(SIZES)
    if "--plot" not in sys.argv:
        for size in names:
            run_size(size)
    results = [json.loads((RESULTS / f"{s}.json").read_text()) for s in SIZES if (RESULTS / f"{s}.json").exists()]
    text = table(results)
    SHOWN.mkdir(exist_ok=True)
    (SHOWN / "scale.md").write_text(text + "\n")
    for r in results:
        (SHOWN / f"scale-{r['size']}.json").write_text(json.dumps({k: v for k, v in r.items()}, indent=1))
    print(text)
    print(plot(results))


if __name__ == "__main__":
    main()
