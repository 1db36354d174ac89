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
                         keep_walks=keep_walks)

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


@app.command("train")
def train_command(
    ctx: typer.Context,
    walks_path: Path = typer.Argument(Path("walks.npy"), help="Walks written by 'graphvec walk'."),
    output_path: Path = typer.Option(Path("vectors.npz"), "--output", "-o"),
    seed: int = _W["seed"], workers: Optional[int] = _W["workers"],
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
