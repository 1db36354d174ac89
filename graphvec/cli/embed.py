"""`graphvec embed | train | write | export`: vectors from walks, into the store, and out again."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import numpy as np
import typer
from rich.table import Table

from .. import estimate
from ..embedding import Embedding
from ..errors import GraphvecError
from ..pipeline import embed as run_embed
from ..pipeline import projection_for
from ..projection import resolve_spec
from ..store import open_store
from ..walks import load_walks
from ..writeback import write_back
from . import app
from .options import PROJECTION, TRAIN, WALK, node2vec
from .output import key_value_table




@app.command("embed")
def embed(
    ctx: typer.Context,
    method: str = WALK["method"], return_factor: float = WALK["return_factor"], in_out_factor: float = WALK["in_out_factor"],
    walks_per_node: int = WALK["walks_per_node"], walk_length: int = WALK["walk_length"], seed: int = WALK["seed"],
    workers: Optional[int] = WALK["workers"], force: bool = WALK["force"],
    dimensions: int = TRAIN["dimensions"], window: int = TRAIN["window"], negative: int = TRAIN["negative"], epochs: int = TRAIN["epochs"],
    learning_rate: float = TRAIN["learning_rate"], min_learning_rate: float = TRAIN["min_learning_rate"], model: str = TRAIN["model"],
    timeout: Optional[str] = TRAIN["timeout"], feeding: str = TRAIN["feeding"], trainer: str = TRAIN["trainer"],
    sample: Optional[float] = TRAIN["sample"], negative_exponent: float = TRAIN["negative_exponent"],
    top_k: int = typer.Option(10, "--top-k", help="SIMILAR relationships per node (0: none)"),
    predict_k: int = typer.Option(10, "--predict-k", help="PREDICTED labels per document, when labels are embedded (0: none)"),
    keep_walks: Optional[Path] = typer.Option(None, "--keep-walks", help="Also keep the walks in this .npy file (they are otherwise streamed into the trainer, never stored)."),
    document_vectors: str = typer.Option("labels", "--document-vectors", help="When labels are embedded: documents get the IDF-weighted "
                                         "mean of their labels' vectors (labels, default), or keep what the walks gave them (walks)."),
    remove_first_pc: bool = typer.Option(False, "--remove-first-pc", help="With --document-vectors labels: project the documents' "
                                         "common first principal component out."),
    align_previous: bool = typer.Option(False, "--align-previous", help="Rotate the new vectors onto the stored ones (orthogonal "
                                        "Procrustes on the nodes both runs embedded): same neighbours, stable coordinates."),
    preset: Optional[str] = PROJECTION["preset"], node_labels: List[str] = PROJECTION["node_labels"],
    relationships: List[str] = PROJECTION["relationships"], directed: bool = PROJECTION["directed"],
    node_keys: List[str] = PROJECTION["node_keys"], min_df: Optional[int] = PROJECTION["min_df"], no_cache: bool = PROJECTION["no_cache"],
):
    """Project, walk, train and write back in one go: vectors, SIMILAR top-k and a run record.

    Example: graphvec embed --method node2vec -p 1 -q 1 --dimensions 128 --window 10 --epochs 1 --top-k 10
    """
    output = ctx.obj["output"]
    estimator = node2vec(method, return_factor, in_out_factor, walks_per_node, walk_length, seed, workers, dimensions, window,
                         negative, epochs, learning_rate, min_learning_rate, model, timeout, feeding, trainer, sample,
                         negative_exponent)
    with open_store(ctx.obj["store"]) as store:
        spec = resolve_spec(preset, node_labels, relationships, directed, node_keys, min_df, store)
        data = run_embed(store, spec, estimator, top_k=top_k, predict_k=predict_k, force=force, use_cache=not no_cache,
                         progress=lambda name, total, unit: output.progress(name, total, unit), keep_walks=keep_walks,
                         document_vectors=document_vectors, remove_first_pc=remove_first_pc, align_previous=align_previous,
                         keep_vectors=False).to_dict()

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
    method: str = WALK["method"], return_factor: float = WALK["return_factor"], in_out_factor: float = WALK["in_out_factor"],
    walks_per_node: int = WALK["walks_per_node"], walk_length: int = WALK["walk_length"],
    dimensions: int = TRAIN["dimensions"], epochs: int = TRAIN["epochs"], trainer: str = TRAIN["trainer"],
    top_k: int = typer.Option(10, "--top-k", help="SIMILAR relationships per node"),
    keep_walks: bool = typer.Option(False, "--keep-walks", help="Walks stored in a file (as --keep-walks, or 'walk' + 'train')."),
    preset: Optional[str] = PROJECTION["preset"], node_labels: List[str] = PROJECTION["node_labels"],
    relationships: List[str] = PROJECTION["relationships"], directed: bool = PROJECTION["directed"],
    node_keys: List[str] = PROJECTION["node_keys"], min_df: Optional[int] = PROJECTION["min_df"],
):
    """Memory and time 'graphvec embed' with these options would need here, before running it.

    Example: graphvec estimate --projection labels --dimensions 256 --walks-per-node 20
    """
    from ..pipeline import workload_for

    output = ctx.obj["output"]
    with open_store(ctx.obj["store"], read_only=True) as store:
        spec = resolve_spec(preset, node_labels, relationships, directed, node_keys, min_df, store)
        estimator = node2vec(method, return_factor, in_out_factor, walks_per_node, walk_length, dimensions=dimensions,
                             epochs=epochs, trainer=trainer).validate(spec.node_labels)
        workload = workload_for(store, spec, estimator, top_k, keep_walks)
    memory = estimate.memory(workload)
    rates, source = estimate.load_rates(workload)
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
    top_k: Optional[int] = typer.Option(None, "--top-k", help="SIMILAR relationships per node (default: as many as each "
                                        "label's stored lists hold; 0: leave SIMILAR alone)"),
    workers: Optional[int] = WALK["workers"], no_cache: bool = PROJECTION["no_cache"],
    force: bool = typer.Option(False, "--force", help="Fold in even when 'graphvec stats' advises a full embed."),
):
    """Give vectors to nodes added since the last embed, keeping every existing vector as it is.

    New labels and other nodes are folded in (walks from them, skip-gram on their rows only); new
    documents get the mean of their labels' vectors.  SIMILAR is updated where the new nodes enter it.
    An update that did not finish (a crash, a full page cache) is completed by running update again.

    Example: graphvec ingest docs more.csv --labels-field tags && graphvec update
    """
    from ..pipeline import update as run

    output = ctx.obj["output"]
    with open_store(ctx.obj["store"]) as store:
        data = run(store, epochs=epochs, top_k=top_k, workers=workers, use_cache=not no_cache, force=force,
                   progress=lambda name, total, unit: output.progress(name, total, unit))

    def render(console):
        rows = {"extends run": data["update_of"], **{f"new {label} vectors": n for label, n in data["new_vectors"].items()},
                "SIMILAR": {label: f"{v['new_nodes']} new, {v['old_nodes_changed']} changed" if "new_nodes" in v else v["written"]
                            for label, v in data["similar"].items()} or "unchanged",
                "still without vector (no relationship)": data["still_without_vector"], "seconds": data["seconds"]}
        if data["fold_in"]:
            rows["fold-in"] = f"{data['fold_in']['walks']:,} walks, {data['fold_in']['tokens_trained']:,} tokens, {data['fold_in']['seconds']:.2f} s"
        if data["completes"]:
            rows["completes"] = f"run {data['completes']}, which an earlier update left unfinished"
        if data["forced"]:
            rows["forced"] = f"'graphvec stats' advised: {data['stats_advice']}"
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
    seed: int = WALK["seed"], workers: Optional[int] = WALK["workers"], force: bool = WALK["force"],
    dimensions: int = TRAIN["dimensions"], window: int = TRAIN["window"], negative: int = TRAIN["negative"], epochs: int = TRAIN["epochs"],
    learning_rate: float = TRAIN["learning_rate"], min_learning_rate: float = TRAIN["min_learning_rate"], model: str = TRAIN["model"],
    timeout: Optional[str] = TRAIN["timeout"], feeding: str = TRAIN["feeding"], trainer: str = TRAIN["trainer"],
    sample: Optional[float] = TRAIN["sample"], negative_exponent: float = TRAIN["negative_exponent"],
):
    """Train skip-gram vectors on a walk file; writes vectors.npz for 'graphvec write'.

    Example: graphvec train walks.npy --dimensions 128 --window 10 --output vectors.npz
    """
    output = ctx.obj["output"]
    _, walk_meta = load_walks(walks_path)
    walk = walk_meta["params"]
    estimator = node2vec(walk_meta.get("method") or "node2vec", walk["return_factor"], walk["in_out_factor"], walk["walks_per_node"],
                         walk["walk_length"], seed, workers, dimensions, window, negative, epochs, learning_rate, min_learning_rate,
                         model, timeout, feeding, trainer, sample, negative_exponent).validate(walk_meta["spec"]["node_labels"])
    estimate.check(estimate.workload_from_walks(walk_meta, estimator), force, "train", "walk+train")
    with open_store(ctx.obj["store"], read_only=True) as store:
        projection = projection_for(store, walk_meta["spec"], walk_meta["projection"]["fingerprint"], str(walks_path))
    estimator.fit(projection, walks_file=walks_path, progress=lambda name, total, unit: output.progress("training", total, unit))
    estimator.embedding_.save(output_path)
    data = {"output": str(output_path), **estimator.stats_.train, "run_id": estimator.embedding_.run_id}
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
    embedding = Embedding.load(vectors_path)
    with open_store(ctx.obj["store"]) as store:
        projection = projection_for(store, embedding.metadata["spec"], embedding.metadata["fingerprint"], str(vectors_path))
        embedding.degrees = projection.degrees()
        with output.progress("writing", unit="nodes") as bar:
            report = write_back(store, embedding, top_k=top_k, predict_k=predict_k, progress=bar)
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
    output = ctx.obj["output"]
    if fmt not in ("npy", "word2vec"):
        raise GraphvecError(f"--format must be npy or word2vec, not {fmt!r}")
    with open_store(ctx.obj["store"], read_only=True) as store:
        if label not in store.counts():
            raise GraphvecError(f"{store.location}: no nodes with label {label!r}")
        stored = store.read_embedding(label, key=key)
    if len(stored) == 0:
        raise GraphvecError(f"no {label} node has a vector yet: run 'graphvec embed' first")
    if fmt == "npy":
        np.save(output_path, stored.context if context else stored.vectors)
        keys_path = output_path.with_suffix(".keys.txt")
        keys_path.write_text("\n".join(stored.keys.astype(str)) + "\n", encoding="utf-8")
        written = [str(output_path), str(keys_path)]
    else:
        stored.save_word2vec_format(output_path, context=context)
        written = [str(output_path)]
    data = {"label": label, "vectors": len(stored), "dimensions": stored.dimensions, "files": written}
    output.emit(data, lambda console: console.print(key_value_table("export", data)))
