"""`graphvec embed | train | write | export`: vectors from walks, into the store, and out again."""

from __future__ import annotations

import re
from pathlib import Path
from typing import List, Optional

import numpy as np
import typer
from rich.table import Table

from .. import walks
from ..errors import GraphvecError
from ..pipeline import embed as run_embed
from ..pipeline import load_walks, projection_for, train_from_walks
from ..store import open_store
from ..train import TrainParams, Vectors, default_sample
from ..writeback import write_back
from . import app
from .inspect import _P, spec_from_options
from .output import key_value_table
from .walk import _W


def parse_duration(text: Optional[str]) -> Optional[float]:
    """'90s', '30m', '2h' or plain seconds."""
    if text is None:
        return None
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text)
    if not match:
        raise GraphvecError(f"--timeout takes a duration like 90s, 30m or 2h, not {text!r}")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def train_options():
    return dict(
        dimensions=typer.Option(128, "--dimensions", help="embeddingDimension"),
        window=typer.Option(10, "--window", help="windowSize: context nodes on each side"),
        negative=typer.Option(5, "--negative", help="negativeSamplingRate"),
        epochs=typer.Option(1, "--epochs", help="iterations over the walks"),
        learning_rate=typer.Option(0.025, "--learning-rate", help="initialLearningRate, decays linearly to --min-learning-rate"),
        min_learning_rate=typer.Option(0.0001, "--min-learning-rate"),
        sample=typer.Option(None, "--sample", help="positiveSamplingFactor: down-sampling threshold of frequent nodes "
                            "(default: 0 when Label nodes are embedded, else 0.001)."),
        model=typer.Option("skipgram", "--model", help="skipgram, or cbow (faster, weaker on rare nodes)"),
        timeout=typer.Option(None, "--timeout", help="Stop training after this long (30m, 2h) and keep what was learned."),
        feeding=typer.Option("iterable", "--feeding", help="With --trainer gensim: how walks reach it, iterable (default) or corpus_file."),
        trainer=typer.Option("numba", "--trainer", help="numba (default, graphvec's own kernels) or gensim (the reference)."),
    )


_T = train_options()


def _train_params(dimensions, window, negative, epochs, learning_rate, min_learning_rate, model, timeout, feeding, seed, workers,
                  trainer, sample, node_labels):
    sample = default_sample(node_labels) if sample is None else sample
    return TrainParams(dimensions, window, negative, epochs, learning_rate, min_learning_rate, sample=sample, model=model, seed=seed,
                       workers=workers, timeout_s=parse_duration(timeout), feeding=feeding, trainer=trainer).validate()


@app.command("embed")
def embed(
    ctx: typer.Context,
    method: str = _W["method"], return_factor: float = _W["return_factor"], in_out_factor: float = _W["in_out_factor"],
    walks_per_node: int = _W["walks_per_node"], walk_length: int = _W["walk_length"], seed: int = _W["seed"],
    workers: Optional[int] = _W["workers"], force: bool = _W["force"],
    dimensions: int = _T["dimensions"], window: int = _T["window"], negative: int = _T["negative"], epochs: int = _T["epochs"],
    learning_rate: float = _T["learning_rate"], min_learning_rate: float = _T["min_learning_rate"], model: str = _T["model"],
    timeout: Optional[str] = _T["timeout"], feeding: str = _T["feeding"], trainer: str = _T["trainer"],
    sample: Optional[float] = _T["sample"],
    top_k: int = typer.Option(10, "--top-k", help="SIMILAR relationships per node (0: none)"),
    predict_k: int = typer.Option(10, "--predict-k", help="PREDICTED labels per document, when labels are embedded (0: none)"),
    keep_walks: Optional[Path] = typer.Option(None, "--keep-walks", help="Also keep the walks in this .npy file (they are otherwise streamed into the trainer, never stored)."),
    document_vectors: str = typer.Option("labels", "--document-vectors", help="When labels are embedded: documents get the IDF-weighted "
                                         "mean of their labels' vectors (labels, default), or keep what the walks gave them (walks)."),
    remove_first_pc: bool = typer.Option(False, "--remove-first-pc", help="With --document-vectors labels: project the documents' "
                                         "common first principal component out."),
    align_previous: bool = typer.Option(False, "--align-previous", help="Rotate the new vectors onto the stored ones (orthogonal "
                                        "Procrustes on the nodes both runs embedded): same neighbours, stable coordinates."),
    preset: Optional[str] = _P["preset"], node_labels: List[str] = _P["node_labels"],
    relationships: List[str] = _P["relationships"], directed: bool = _P["directed"],
    node_keys: List[str] = _P["node_keys"], min_df: Optional[int] = _P["min_df"], no_cache: bool = _P["no_cache"],
):
    """Project, walk, train and write back in one go: vectors, SIMILAR top-k and a run record.

    Example: graphvec embed --method node2vec -p 1 -q 1 --dimensions 128 --window 10 --epochs 1 --top-k 10
    """
    output = ctx.obj["output"]
    walk_params = walks.WalkParams(walk_length, walks_per_node, return_factor, in_out_factor, seed).validate()
    spec = spec_from_options(preset, node_labels, relationships, directed, node_keys, min_df)
    train_params = _train_params(dimensions, window, negative, epochs, learning_rate, min_learning_rate, model, timeout,
                                 feeding, seed, workers, trainer, sample, spec.node_labels)
    with open_store(ctx.obj["store"]) as store:
        data = run_embed(store, spec, walk_params, method, train_params, top_k=top_k, predict_k=predict_k, workers=workers, force=force,
                         use_cache=not no_cache, progress=lambda name, total, unit: output.progress(name, total, unit),
                         keep_walks=keep_walks, document_vectors=document_vectors, remove_first_pc=remove_first_pc,
                         align_previous=align_previous)

    def render(console):
        table = Table(title=f"embed: run {data['run_id']}", title_justify="left")
        for column in ("step", "seconds", "rate"):
            table.add_column(column, justify="right" if column != "step" else "left")
        table.add_row("project", f"{data['timings_s']['project']:.2f}", "")
        walk_step = "walk" if data["walk"].get("stored", True) else "walk (counting pass; streamed into training)"
        table.add_row(walk_step, f"{data['timings_s']['walk']:.2f}", f"{data['walk']['steps_per_second']:,} steps/s")
        table.add_row("train", f"{data['timings_s']['train']:.2f}", f"{data['train']['tokens_per_second']:,} tokens/s")
        table.add_row("write", f"{data['timings_s']['write']:.2f}", "")
        console.print(table)
        if data["alignment"]:
            a = data["alignment"]
            console.print(a.get("note") or f"aligned onto run {a['previous_run']} over {a['shared_nodes']:,} shared nodes: mean cosine "
                          f"old/new {a['mean_cosine_unaligned']:.3f} → {a['mean_cosine']:.3f}", highlight=False)
        _print_vector_summary(console, data["train"], data["write"], data["nodes_without_vector_examples"])

    output.emit(data, render)


def _print_vector_summary(console, stats, write, examples):
    rows = {"nodes embedded": stats["nodes_embedded"], "nodes without vector": stats["nodes_without_vector"],
            "  never walked": stats["nodes_never_walked"], "  no neighbour in any walk": stats["nodes_without_neighbours"],
            "training stopped at --timeout": stats["stopped_early"]}
    if write:
        rows["SIMILAR"] = {label: f"{v['relationships']} ({v['method']}, k={v['k']})" for label, v in write["similar"].items()} or "none"
        if write.get("predicted"):
            rows["PREDICTED"] = f"{write['predicted']['relationships']} (k={write['predicted']['k']} labels per document)"
    console.print(key_value_table("vectors", rows))
    for label, samples in (write or {}).get("samples", {}).items():
        table = Table(title=f"nearest neighbours ({label}, best-connected nodes)", title_justify="left")
        table.add_column(label)
        table.add_column("nearest by cosine")
        for sample in samples:
            table.add_row(sample["node"], ", ".join(f"{name} {score:.2f}" for name, score in sample["neighbours"]))
        console.print(table)
    if examples:
        console.print("without vector: " + ", ".join(examples), highlight=False)


@app.command("estimate")
def estimate_command(
    ctx: typer.Context,
    method: str = _W["method"], return_factor: float = _W["return_factor"], in_out_factor: float = _W["in_out_factor"],
    walks_per_node: int = _W["walks_per_node"], walk_length: int = _W["walk_length"],
    dimensions: int = _T["dimensions"], epochs: int = _T["epochs"], trainer: str = _T["trainer"],
    top_k: int = typer.Option(10, "--top-k", help="SIMILAR relationships per node"),
    keep_walks: bool = typer.Option(False, "--keep-walks", help="Walks stored in a file (as --keep-walks, or 'walk' + 'train')."),
    preset: Optional[str] = _P["preset"], node_labels: List[str] = _P["node_labels"],
    relationships: List[str] = _P["relationships"], directed: bool = _P["directed"],
    node_keys: List[str] = _P["node_keys"], min_df: Optional[int] = _P["min_df"],
):
    """Memory and time 'graphvec embed' with these options would need here, before running it.

    Example: graphvec estimate --projection labels --dimensions 256 --walks-per-node 20
    """
    from .. import estimate
    from ..pipeline import workload_for

    output = ctx.obj["output"]
    walk_params = walks.WalkParams(walk_length, walks_per_node, return_factor, in_out_factor).validate()
    walks.check_method(method, walk_params)
    spec = spec_from_options(preset, node_labels, relationships, directed, node_keys, min_df)
    train_params = TrainParams(dimensions=dimensions, epochs=epochs, trainer=trainer).validate()
    with open_store(ctx.obj["store"], read_only=True) as store:
        workload = workload_for(store, spec, walk_params, train_params, method, top_k, keep_walks)
    memory = estimate.memory(workload)
    rates, source = estimate.load_rates()
    data = {"workload": estimate.workload_dict(workload), "memory_bytes": memory, "available_bytes": estimate.available_bytes(),
            "seconds": estimate.seconds(workload, rates), "rates": rates, "rates_from": source}
    data["fits"] = memory["peak"] <= data["available_bytes"]

    def render(console):
        table = Table(title=f"estimate: {workload.nodes:,} nodes, {workload.csr_entries:,} CSR entries", title_justify="left")
        table.add_column("part")
        table.add_column("MiB", justify="right")
        for part, size in memory["parts"].items():
            table.add_row(part.replace("_", " "), f"{size / 2**20:,.1f}")
        for step, size in memory["steps"].items():
            table.add_row(f"[bold]while {step}[/bold]", f"{size / 2**20:,.1f}")
        table.add_row("[bold]peak[/bold]", f"[bold]{memory['peak'] / 2**20:,.1f}[/bold]")
        table.add_row("available now", f"{data['available_bytes'] / 2**20:,.1f}")
        console.print(table)
        console.print(key_value_table(f"time in seconds ({source})", data["seconds"]))
        if not data["fits"]:
            console.print("[yellow]warning:[/yellow] the peak exceeds the memory available now: embed would refuse without --force")

    output.emit(data, render)


@app.command("update")
def update(
    ctx: typer.Context,
    epochs: Optional[int] = typer.Option(None, "--epochs", help="Passes of fold-in over its walks (default: the embed run's)."),
    top_k: int = typer.Option(10, "--top-k", help="SIMILAR relationships per node (0: leave SIMILAR alone)"),
    workers: Optional[int] = _W["workers"], no_cache: bool = _P["no_cache"],
):
    """Give vectors to nodes added since the last embed, keeping every existing vector as it is.

    New labels and other nodes are folded in (walks from them, skip-gram on their rows only); new
    documents get the mean of their labels' vectors.  SIMILAR is updated where the new nodes enter it.

    Example: graphvec ingest docs more.csv --labels-field tags && graphvec update
    """
    from ..pipeline import update as run

    output = ctx.obj["output"]
    with open_store(ctx.obj["store"]) as store:
        data = run(store, epochs=epochs, top_k=top_k, workers=workers, use_cache=not no_cache,
                   progress=lambda name, total, unit: output.progress(name, total, unit))

    def render(console):
        rows = {"extends run": data["update_of"], **{f"new {label} vectors": n for label, n in data["new_vectors"].items()},
                "SIMILAR": {label: f"{v['new_nodes']} new, {v['old_nodes_changed']} changed" for label, v in data["similar"].items()} or "unchanged",
                "still without vector (no relationship)": data["still_without_vector"], "seconds": data["seconds"]}
        if data["fold_in"]:
            rows["fold-in"] = f"{data['fold_in']['walks']:,} walks, {data['fold_in']['tokens_trained']:,} tokens, {data['fold_in']['seconds']:.2f} s"
        console.print(key_value_table(f"update: run {data['run_id']}" if data["run_id"] else "update: nothing new, nothing written", rows))

    output.emit(data, render)


@app.command("embed-documents")
def embed_documents(
    ctx: typer.Context,
    weighting: str = typer.Option("idf", "--weighting", help="idf (default: rarer labels weigh more) or uniform."),
    remove_first_pc: bool = typer.Option(False, "--remove-first-pc", help="Project the first principal component of all "
                                         "document vectors out (the theme every document shares)."),
    top_k: int = typer.Option(10, "--top-k", help="SIMILAR relationships per document (0: none)"),
):
    """Give every document the weighted mean of its labels' vectors: no walks, no training.

    Example: graphvec embed-documents --weighting idf --remove-first-pc --top-k 10
    """
    from ..pipeline import embed_documents as run

    output = ctx.obj["output"]
    with open_store(ctx.obj["store"]) as store:
        with output.progress("writing", unit="documents") as bar:
            data = run(store, weighting=weighting, remove_first_pc=remove_first_pc, top_k=top_k, progress=bar)

    def render(console):
        console.print(key_value_table(f"embed-documents: run {data['run_id']}", {
            "documents": data["documents"], "with a vector": data["with_vector"],
            "without (no label has a vector)": data["without_vector"], "weighting": data["weighting"],
            "first component removed": data["remove_first_pc"], "from Label runs": data["label_runs"],
            "SIMILAR": {label: f"{v['relationships']} ({v['method']}, k={v['k']})" for label, v in data["write"]["similar"].items()} or "none",
            "seconds": data["seconds"]}))

    output.emit(data, render)


@app.command("train")
def train_command(
    ctx: typer.Context,
    walks_path: Path = typer.Argument(Path("walks.npy"), help="Walks written by 'graphvec walk'."),
    output_path: Path = typer.Option(Path("vectors.npz"), "--output", "-o"),
    seed: int = _W["seed"], workers: Optional[int] = _W["workers"], force: bool = _W["force"],
    dimensions: int = _T["dimensions"], window: int = _T["window"], negative: int = _T["negative"], epochs: int = _T["epochs"],
    learning_rate: float = _T["learning_rate"], min_learning_rate: float = _T["min_learning_rate"], model: str = _T["model"],
    timeout: Optional[str] = _T["timeout"], feeding: str = _T["feeding"], trainer: str = _T["trainer"],
    sample: Optional[float] = _T["sample"],
):
    """Train skip-gram vectors on a walk file; writes vectors.npz for 'graphvec write'.

    Example: graphvec train walks.npy --dimensions 128 --window 10 --output vectors.npz
    """
    output = ctx.obj["output"]
    walk_matrix, walk_meta = load_walks(walks_path)
    params = _train_params(dimensions, window, negative, epochs, learning_rate, min_learning_rate, model, timeout, feeding,
                           seed, workers, trainer, sample, walk_meta["spec"]["node_labels"])
    n_nodes = walk_meta["projection"]["nodes"]
    from .. import estimate

    estimate.check(estimate.Workload(n_nodes, walk_meta["projection"].get("csr_entries", 0), params.dimensions,
                                     walk_meta["params"]["walks_per_node"], walk_meta["params"]["walk_length"], params.epochs, 0,
                                     bool(walk_meta.get("weighted")), params.trainer, stored_walks=True), force, "train", "walk+train")
    with output.progress("training", total=int((walk_matrix >= 0).sum()) * params.epochs, unit="tokens") as bar:
        vectors = train_from_walks(walk_matrix, walk_meta, n_nodes, params, on_tokens=bar.advance)
    vectors.save(output_path)
    data = {"output": str(output_path), **vectors.stats, "run_id": vectors.metadata["run_id"]}
    output.emit(data, lambda console: console.print(key_value_table("train", data)))


@app.command("write")
def write_command(
    ctx: typer.Context,
    vectors_path: Path = typer.Argument(Path("vectors.npz"), help="Vectors written by 'graphvec train'."),
    top_k: int = typer.Option(10, "--top-k", help="SIMILAR relationships per node (0: none)"),
    predict_k: int = typer.Option(10, "--predict-k", help="PREDICTED labels per document, when labels are embedded (0: none)"),
):
    """Write trained vectors back to the store (resumes an interrupted write of the same file).

    Example: graphvec write vectors.npz --top-k 10
    """
    output = ctx.obj["output"]
    vectors = Vectors.load(vectors_path)
    with open_store(ctx.obj["store"]) as store:
        projection = projection_for(store, vectors.metadata["spec"], vectors.metadata["fingerprint"], str(vectors_path))
        with output.progress("writing", unit="nodes") as bar:
            report = write_back(store, projection, vectors, run_id=vectors.metadata["run_id"], top_k_neighbours=top_k,
                                predict_k=predict_k, progress=bar)
    data = report.to_dict()
    output.emit(data, lambda console: console.print(key_value_table("write", data)))


@app.command("export")
def export(
    ctx: typer.Context,
    label: str = typer.Option("Label", "--label", help="Which node label's vectors to export."),
    key: Optional[str] = typer.Option(None, "--node-key", help="Property naming the nodes (default: id, or name for Label)."),
    fmt: str = typer.Option("npy", "--format", help="npy (vectors.npy + .keys.txt) or word2vec (text format gensim and others read)."),
    output_path: Path = typer.Option(Path("vectors.npy"), "--output", "-o"),
    context: bool = typer.Option(False, "--context", help="Export the context (output) vectors instead."),
):
    """Export stored vectors for other tools.

    Example: graphvec export --label Label --format word2vec --output labels.w2v
    """
    from ..projection import DEFAULT_NODE_KEYS

    output = ctx.obj["output"]
    key = key or DEFAULT_NODE_KEYS.get(label, "id")
    with open_store(ctx.obj["store"], read_only=True) as store:
        if label not in store.counts():
            raise GraphvecError(f"{store.location}: no nodes with label {label!r}")
        table = store.read_vectors(label, key)
    if table.num_rows == 0:
        raise GraphvecError(f"no {label} node has a vector yet: run 'graphvec embed' first")
    keys = [str(k) for k in table.column("key").to_pylist()]
    matrix = np.array(table.column("context" if context else "embedding").to_pylist(), dtype=np.float32)
    if fmt == "npy":
        np.save(output_path, matrix)
        keys_path = output_path.with_suffix(".keys.txt")
        keys_path.write_text("\n".join(keys) + "\n", encoding="utf-8")
        written = [str(output_path), str(keys_path)]
    elif fmt == "word2vec":
        if any(any(c.isspace() for c in k) for k in keys):
            raise GraphvecError("some keys contain spaces, which the word2vec text format cannot hold; use --format npy")
        with output_path.open("w", encoding="utf-8") as handle:
            handle.write(f"{len(keys)} {matrix.shape[1]}\n")
            for name, row in zip(keys, matrix):
                handle.write(name + " " + " ".join(f"{x:.6g}" for x in row) + "\n")
        written = [str(output_path)]
    else:
        raise GraphvecError(f"--format must be npy or word2vec, not {fmt!r}")
    data = {"label": label, "vectors": len(keys), "dimensions": int(matrix.shape[1]), "files": written}
    output.emit(data, lambda console: console.print(key_value_table("export", data)))
