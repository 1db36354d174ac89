"""`graphvec evaluate link-prediction | node-classification | label-recommendation | fold-in`.

The files are read the way `ingest` reads them, vectors are learned in memory with `embed`'s
walk and training options, and nothing is written to the store.
"""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Optional

import typer
from rich.table import Table

from .. import evaluate as protocols
from .. import sources
from ..errors import GraphvecError
from ..projection import build_csr
from .ingest import read_documents
from .options import DOCUMENT, GRAPH, GRID, TRAIN, WALK, node2vec
from .output import key_value_table

app = typer.Typer(no_args_is_help=True, help="Measure vector quality with the protocols the literature uses.")

def _floats(text: Optional[str], option: str) -> list[float] | None:
    if not text:
        return None
    try:
        values = [float(v) for v in text.split(",") if v.strip()]
    except ValueError:
        raise GraphvecError(f"{option} takes comma-separated numbers, like 0.25,1,4; not {text!r}") from None
    if not values:
        raise GraphvecError(f"{option} is empty")
    return values


def _params(method, return_factor, in_out_factor, walks_per_node, walk_length, seed, workers, dimensions, window, negative,
            epochs, learning_rate, min_learning_rate, model, trainer, sample, negative_exponent, node_labels=("Node",)):
    """The model the options describe, and the settings the JSON output reports."""
    estimator = node2vec(method, return_factor, in_out_factor, walks_per_node, walk_length, seed, workers, dimensions, window,
                         negative, epochs, learning_rate, min_learning_rate, model, None, "iterable", trainer, sample,
                         negative_exponent).validate(node_labels)
    train_params = estimator.train_params(node_labels)
    settings = {"method": method, "seed": seed, "walk": asdict(estimator.walk_params()),
                "train": {k: v for k, v in asdict(train_params).items() if k not in ("timeout_s", "feeding", "workers")}}
    return estimator, settings


class _Progress:
    """One bar: over grid points when there is a grid, else over training tokens (rate and ETA).

    It appears at the first progress, so an input error before any work prints only its line."""

    def __init__(self, output, points: int | None, tokens: int):
        self.points, self._output, self._tokens = points, output, tokens
        self._cm = self._bar = None

    def __enter__(self):
        return self

    def _advance(self, amount: float) -> None:
        if self._bar is None:
            self._cm = self._output.progress("grid points", total=self.points, unit="points") if self.points else \
                self._output.progress("training", total=self._tokens, unit="tokens")
            self._bar = self._cm.__enter__()
        self._bar.advance(amount)

    @property
    def on_point(self):
        return (lambda point: self._advance(1)) if self.points else None

    @property
    def on_tokens(self):
        return None if self.points else self._advance

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc) if self._cm else False


def _points(ps, qs) -> int | None:
    """How many grid points the options ask for, or None without a grid."""
    return len(ps or [1]) * len(qs or [1]) if (ps or qs) else None


def _tokens(nodes: int, estimator) -> int:
    """What the training bar counts: the walks' counting pass, then each epoch's tokens."""
    return nodes * estimator.walks_per_node * estimator.walk_length * (1 + estimator.epochs)


def _grid_table(points: list[dict], metrics: list[str], chosen: dict, select_on: str) -> Table:
    table = Table(title=f"p/q grid (chosen by {select_on}, training data only)", title_justify="left")
    for column in ["p", "q", *metrics, select_on]:
        table.add_column(column, justify="right")
    for point in points:
        mark = " ←" if (point["p"], point["q"]) == (chosen["p"], chosen["q"]) else ""
        table.add_row(f"{point['p']:g}", f"{point['q']:g}", *(f"{point[m]:.4f}" for m in metrics), f"{point[select_on]:.4f}{mark}")
    return table


@app.command("link-prediction")
def link_prediction(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="Edge list 'u v [w]', adjacency list or .mat (read as undirected)."),
    remove: float = typer.Option(0.5, "--remove", help="Share of edges removed and predicted (node2vec: 0.5)."),
    p_grid: Optional[str] = GRID["p_grid"], q_grid: Optional[str] = GRID["q_grid"],
    weighted: bool = GRAPH["weighted"], fmt: Optional[str] = GRAPH["fmt"], aggregate: str = GRAPH["aggregate"], encoding: str = GRAPH["encoding"],
    method: str = WALK["method"], return_factor: float = WALK["return_factor"], in_out_factor: float = WALK["in_out_factor"],
    walks_per_node: int = WALK["walks_per_node"], walk_length: int = WALK["walk_length"], seed: int = WALK["seed"],
    workers: Optional[int] = WALK["workers"],
    dimensions: int = TRAIN["dimensions"], window: int = TRAIN["window"], negative: int = TRAIN["negative"], epochs: int = TRAIN["epochs"],
    learning_rate: float = TRAIN["learning_rate"], min_learning_rate: float = TRAIN["min_learning_rate"], model: str = TRAIN["model"],
    trainer: str = TRAIN["trainer"], sample: Optional[float] = TRAIN["sample"],
    negative_exponent: float = TRAIN["negative_exponent"],
):
    """Link prediction as in node2vec §4.4: ROC-AUC and AP of Hadamard features, and the cosine AUC.

    Example: graphvec evaluate link-prediction facebook_combined.txt -p 1 -q 1 --json
    """
    output = ctx.obj["output"]
    estimator, settings = _params(method, return_factor, in_out_factor, walks_per_node, walk_length, seed, workers,
                                   dimensions, window, negative, epochs, learning_rate, min_learning_rate, model, trainer, sample,
                                   negative_exponent)
    ps, qs = _floats(p_grid, "--p-grid"), _floats(q_grid, "--q-grid")
    src, dst, _, n, _ = protocols.graph_arrays(sources.read_graph(path, fmt=fmt, weighted=weighted, aggregate=aggregate,
                                                                  encoding=encoding))
    with _Progress(output, _points(ps, qs), _tokens(n, estimator)) as bar:
        result = protocols.link_prediction(src, dst, n, estimator, remove=remove, p_grid=ps, q_grid=qs, on_point=bar.on_point,
                                           on_tokens=bar.on_tokens)
    data = {"auc": result["auc"], "ap": result["ap"], "auc_cosine": result["auc_cosine"], "p": result["p"], "q": result["q"],
            "file": str(path), **settings, "protocol": result["protocol"], "grid": result.get("grid")}

    def render(console):
        console.print(key_value_table(f"link prediction: {path}", {
            "ROC-AUC (Hadamard + logistic regression)": data["auc"], "average precision": data["ap"],
            "ROC-AUC (cosine)": data["auc_cosine"], "p, q": f"{data['p']:g}, {data['q']:g}", **data["protocol"]}))
        if data["grid"]:
            console.print(_grid_table(data["grid"], ["auc", "ap"], result, result["selected_on"]))

    output.emit(data, render)


@app.command("node-classification")
def node_classification(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="A .mat file with 'network' (adjacency) and 'group' (node × class)."),
    train_ratio: float = typer.Option(0.5, "--train-ratio", help="Share of labelled nodes the classifier learns from."),
    repeats: int = typer.Option(10, "--repeats", help="Random splits averaged."),
    regularisation: str = typer.Option("auto", "--C", help="Inverse L2 strength of the logistic regression, or auto: chosen "
                                       "from 0.1, 1, 10, 100 by cross-validation on the first split's labelled nodes."),
    p_grid: Optional[str] = GRID["p_grid"], q_grid: Optional[str] = GRID["q_grid"],
    method: str = WALK["method"], return_factor: float = WALK["return_factor"], in_out_factor: float = WALK["in_out_factor"],
    walks_per_node: int = WALK["walks_per_node"], walk_length: int = WALK["walk_length"], seed: int = WALK["seed"],
    workers: Optional[int] = WALK["workers"],
    dimensions: int = TRAIN["dimensions"], window: int = TRAIN["window"], negative: int = TRAIN["negative"], epochs: int = TRAIN["epochs"],
    learning_rate: float = TRAIN["learning_rate"], min_learning_rate: float = TRAIN["min_learning_rate"], model: str = TRAIN["model"],
    trainer: str = TRAIN["trainer"], sample: Optional[float] = TRAIN["sample"],
    negative_exponent: float = TRAIN["negative_exponent"],
):
    """Multi-label node classification (DeepWalk / node2vec): Macro- and Micro-F1 over random splits.

    Example: graphvec evaluate node-classification blogcatalog.mat --train-ratio 0.5 --repeats 10 --json
    """
    output = ctx.obj["output"]
    estimator, settings = _params(method, return_factor, in_out_factor, walks_per_node, walk_length, seed, workers,
                                   dimensions, window, negative, epochs, learning_rate, min_learning_rate, model, trainer, sample,
                                   negative_exponent)
    if regularisation == "auto":
        c_values = protocols.C_VALUES
    else:
        c_values = tuple(_floats(regularisation, "--C") or ())
        if len(c_values) != 1 or not c_values[0] > 0:
            raise GraphvecError(f"--C takes auto or one positive number, not {regularisation!r}")
    ps, qs = _floats(p_grid, "--p-grid"), _floats(q_grid, "--q-grid")
    edges = sources.read_graph(path)
    src, dst, weight, n, classes = protocols.graph_arrays(edges)
    if classes is None or classes.shape[1] == 0:
        raise GraphvecError(f"{path}: no node classes ('group' matrix); node classification needs them")
    graph = build_csr(src, dst, weight, n, directed=False)
    with _Progress(output, _points(ps, qs), _tokens(n, estimator)) as bar:
        result = protocols.node_classification(graph, classes, estimator, train_ratio=train_ratio, repeats=repeats, p_grid=ps,
                                               q_grid=qs, c_values=c_values, on_point=bar.on_point, on_tokens=bar.on_tokens)
    data = {"macro_f1": result["macro_f1"], "micro_f1": result["micro_f1"], "macro_f1_std": result["macro_f1_std"],
            "micro_f1_std": result["micro_f1_std"], "C": result["C"], "p": result["p"], "q": result["q"], "file": str(path),
            **settings, "protocol": result["protocol"], "grid": result.get("grid")}

    def render(console):
        console.print(key_value_table(f"node classification: {path}", {
            "Macro-F1": f"{data['macro_f1']:.4f} ± {data['macro_f1_std']:.4f}",
            "Micro-F1": f"{data['micro_f1']:.4f} ± {data['micro_f1_std']:.4f}", "C": data["C"],
            "p, q": f"{data['p']:g}, {data['q']:g}", **data["protocol"]}))
        if data["grid"]:
            console.print(_grid_table(data["grid"], ["macro_f1", "micro_f1"], result, result["selected_on"]))

    output.emit(data, render)


@app.command("label-recommendation")
def label_recommendation(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="Documents: CSV with a header row, or JSONL (read as by 'ingest docs')."),
    holdout: float = typer.Option(0.2, "--holdout", help="Share of the documents with two or more labels that lose one."),
    projection: str = typer.Option("bipartite", "--projection", help="bipartite (documents and labels), labels (CO_OCCURS by count), "
                                   "labels-npmi (CO_OCCURS by npmi, pairs above chance) or both (HAS_LABEL and CO_OCCURS)."),
    score: str = typer.Option("blend", "--score", help="blend (what PREDICTED and 'recommend' use: the vectors' PMI plus the counts), "
                              "pmi (vectors only), counts (the blend without vectors) or cosine."),
    labels_field: str = DOCUMENT["labels_field"], label_sep: Optional[str] = DOCUMENT["label_sep"], id_field: str = DOCUMENT["id_field"],
    title_field: str = DOCUMENT["title_field"], fmt: Optional[str] = DOCUMENT["fmt"], encoding: str = DOCUMENT["encoding"],
    on_error: str = DOCUMENT["on_error"],
    method: str = WALK["method"], return_factor: float = WALK["return_factor"], in_out_factor: float = WALK["in_out_factor"],
    walks_per_node: int = WALK["walks_per_node"], walk_length: int = WALK["walk_length"], seed: int = WALK["seed"],
    workers: Optional[int] = WALK["workers"],
    dimensions: int = TRAIN["dimensions"], window: int = TRAIN["window"], negative: int = TRAIN["negative"], epochs: int = TRAIN["epochs"],
    learning_rate: float = TRAIN["learning_rate"], min_learning_rate: float = TRAIN["min_learning_rate"], model: str = TRAIN["model"],
    trainer: str = TRAIN["trainer"], sample: Optional[float] = TRAIN["sample"],
    negative_exponent: float = TRAIN["negative_exponent"],
):
    """Hide one label per document and rank it: Hits@1/5/10 and MRR, against popularity and co-occurrence, and the blend's parts alone.

    Example: graphvec evaluate label-recommendation robotics.csv --labels-field tags --label-sep " " --holdout 0.2 --json
    """
    output = ctx.obj["output"]
    estimator, settings = _params(method, return_factor, in_out_factor, walks_per_node, walk_length, seed, workers,
                                   dimensions, window, negative, epochs, learning_rate, min_learning_rate, model, trainer, sample,
                                   negative_exponent, ("Document", "Label"))
    corpus = read_documents(path, labels_field, label_sep, id_field, title_field, fmt, encoding, on_error)
    x, _ = protocols.corpus_incidence(corpus.labels)
    nodes = x.shape[1] + (x.shape[0] if projection in ("bipartite", "both") else 0)
    with _Progress(output, None, _tokens(nodes, estimator)) as bar:
        result = protocols.label_recommendation(x, estimator, projection=projection, holdout=holdout, score=score,
                                                on_tokens=bar.on_tokens)
    metrics = ("hits@1", "hits@5", "hits@10", "mrr")
    data = {**{m: result[m] for m in metrics}, "baselines": result["baselines"], "ablations": result["ablations"],
            "by_hidden_df": result["by_hidden_df"],
            "beats_baselines": result["beats_baselines"],
            "document_vectors": result.get("document_vectors"), "file": str(path), **settings, "protocol": result["protocol"]}

    def render(console):
        table = Table(title=f"label recommendation: {path} ({result['protocol']['hidden']:,} hidden labels)", title_justify="left")
        table.add_column("score")
        for m in metrics:
            table.add_column(m, justify="right")
        table.add_row(f"embedding ({score}, {projection})", *(f"{data[m]:.4f}" for m in metrics), style="bold")
        for name, row in data["ablations"].items():
            table.add_row(f"ablation: {name}", *(f"{row[m]:.4f}" for m in metrics), style="dim")
        for name, row in data["baselines"].items():
            table.add_row(f"baseline: {name}", *(f"{row[m]:.4f}" for m in metrics))
        console.print(table)
        if data["document_vectors"]:
            documents = Table(title="the same, ranked from one vector per document (walk-learned or derived from its labels)",
                              title_justify="left")
            for column in ("document vector / score", *metrics):
                documents.add_column(column, justify="left" if column.startswith("document") else "right")
            for name, row in data["document_vectors"].items():
                documents.add_row(name, *(f"{row[m]:.4f}" for m in metrics))
            console.print(documents)
        verdict = "beats both baselines" if data["beats_baselines"] else "[yellow]does not beat both baselines[/yellow]"
        console.print(f"the embedding {verdict} on Hits@10 and MRR")

    output.emit(data, render)


@app.command("fold-in")
def fold_in(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="Documents: CSV with a header row, or JSONL (read as by 'ingest docs')."),
    share: float = typer.Option(0.1, "--share", help="Share of the labels removed, then re-added and folded in."),
    holdout: float = typer.Option(0.2, "--holdout", help="Share of the documents with two or more labels that lose one."),
    projection: str = typer.Option("bipartite", "--projection", help="bipartite (documents and labels) or labels (CO_OCCURS by count)."),
    fold_epochs: int = typer.Option(1, "--fold-epochs", help="Passes of fold-in over its walks (as 'graphvec update --epochs')."),
    labels_field: str = DOCUMENT["labels_field"], label_sep: Optional[str] = DOCUMENT["label_sep"], id_field: str = DOCUMENT["id_field"],
    title_field: str = DOCUMENT["title_field"], fmt: Optional[str] = DOCUMENT["fmt"], encoding: str = DOCUMENT["encoding"],
    on_error: str = DOCUMENT["on_error"],
    method: str = WALK["method"], return_factor: float = WALK["return_factor"], in_out_factor: float = WALK["in_out_factor"],
    walks_per_node: int = WALK["walks_per_node"], walk_length: int = WALK["walk_length"], seed: int = WALK["seed"],
    workers: Optional[int] = WALK["workers"],
    dimensions: int = TRAIN["dimensions"], window: int = TRAIN["window"], negative: int = TRAIN["negative"], epochs: int = TRAIN["epochs"],
    learning_rate: float = TRAIN["learning_rate"], min_learning_rate: float = TRAIN["min_learning_rate"], model: str = TRAIN["model"],
    trainer: str = TRAIN["trainer"], sample: Optional[float] = TRAIN["sample"],
    negative_exponent: float = TRAIN["negative_exponent"],
):
    """How close fold-in ('graphvec update') gets to a full retrain: remove labels, fold them back in, compare.

    Example: graphvec evaluate fold-in robotics.csv --labels-field tags --label-sep " " --share 0.1 --json
    """
    output = ctx.obj["output"]
    estimator, settings = _params(method, return_factor, in_out_factor, walks_per_node, walk_length, seed, workers,
                                   dimensions, window, negative, epochs, learning_rate, min_learning_rate, model, trainer, sample,
                                   negative_exponent, ("Document", "Label"))
    if fold_epochs < 1:
        raise GraphvecError(f"--fold-epochs must be at least 1, not {fold_epochs}")
    corpus = read_documents(path, labels_field, label_sep, id_field, title_field, fmt, encoding, on_error)
    x, _ = protocols.corpus_incidence(corpus.labels)
    with output.progress("training (base, fold-in, full, full again)", unit="steps"):
        result = protocols.fold_in_quality(x, estimator, fold_epochs=fold_epochs, projection=projection, share=share,
                                           holdout=holdout)
    data = {**result, "file": str(path), **settings}

    def render(console):
        protocol = result["protocol"]
        console.print(key_value_table(f"fold-in against full retraining: {path}", {
            f"top-{protocol['k']} neighbour overlap, fold-in vs full": result["overlap_fold_in_vs_full"],
            f"top-{protocol['k']} neighbour overlap, full vs full (another seed)": result["overlap_full_vs_full"],
            "labels removed and folded back in": protocol["removed_labels"], "nodes folded in": protocol["folded_nodes"],
            "fold-in seconds": protocol["fold_in"]["seconds"]}))
        table = Table(title="label recommendation (blend) under each vector set", title_justify="left")
        for column in ("vectors", "hits@1", "hits@5", "hits@10", "mrr"):
            table.add_column(column, justify="left" if column == "vectors" else "right")
        for name, row in result["label_recommendation"].items():
            if row:
                table.add_row(name.replace("_", " "), *(f"{row[m]:.4f}" for m in ("hits@1", "hits@5", "hits@10", "mrr")))
        console.print(table)

    output.emit(data, render)
