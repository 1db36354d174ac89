"""`graphvec ingest docs|graph`: files into the store."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from .. import ingest, sources
from ..store import open_store
from .options import DOCUMENT, GRAPH
from .output import key_value_table

app = typer.Typer(no_args_is_help=True, help="Load documents with labels, or a generic graph, into the store.")




def read_documents(path, labels_field, label_sep, id_field, title_field, fmt, encoding, on_error) -> sources.Corpus:
    return sources.read_documents(path, id_field=id_field, title_field=title_field or None, labels_field=labels_field,
                                  label_sep=label_sep, encoding=encoding, fmt=fmt, on_error=on_error)


@app.command("docs")
def docs(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="CSV with a header row, or JSONL (one object per line)."),
    labels_field: str = DOCUMENT["labels_field"], label_sep: Optional[str] = DOCUMENT["label_sep"], id_field: str = DOCUMENT["id_field"],
    title_field: str = DOCUMENT["title_field"], fmt: Optional[str] = DOCUMENT["fmt"], encoding: str = DOCUMENT["encoding"],
    min_df: int = typer.Option(1, "--min-df", help="Labels in fewer documents are kept but left out of CO_OCCURS and projections."),
    on_error: str = DOCUMENT["on_error"],
):
    """Ingest documents and their labels; recompute label df and CO_OCCURS {count, npmi}.

    Example: graphvec ingest docs datasets/robotics/robotics.csv --labels-field tags --label-sep " "
    """
    output = ctx.obj["output"]
    corpus = read_documents(path, labels_field, label_sep, id_field, title_field, fmt, encoding, on_error)
    with open_store(ctx.obj["store"]) as store, output.progress("writing", unit="rows") as bar:
        report = ingest.ingest_documents(store, corpus, min_df=min_df, progress=bar)
    _print_report(output, report)


@app.command("graph")
def graph(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="Edge list 'u v [w]', adjacency list (.adjlist) or MATLAB .mat."),
    weighted: bool = GRAPH["weighted"],
    directed: bool = typer.Option(False, "--directed", help="Keep edge direction (default: undirected)."),
    fmt: Optional[str] = GRAPH["fmt"], aggregate: str = GRAPH["aggregate"], encoding: str = GRAPH["encoding"],
):
    """Ingest a generic graph as (:Node {id, classes})-[:LINK {weight}]->(:Node).

    Example: graphvec ingest graph datasets/karate/karate.adjlist
    """
    output = ctx.obj["output"]
    edges = sources.read_graph(path, fmt=fmt, weighted=weighted, directed=directed, aggregate=aggregate, encoding=encoding)
    with open_store(ctx.obj["store"]) as store, output.progress("writing", unit="rows") as bar:
        report = ingest.ingest_graph(store, edges, progress=bar)
    _print_report(output, report)


def _print_report(output, report) -> None:
    data = report.to_dict()

    def render(console):
        what = "documents" if report.kind == "documents" else "edges"
        console.print(key_value_table(f"ingest {report.kind}: {report.source}", {
            f"{what} read": report.read, "new": report.new, "updated": report.updated, "unchanged": report.unchanged,
            "skipped": report.skipped or "none", **report.notes, "rows written": report.written_rows,
            "store now holds": report.store_totals, "seconds": report.seconds}))
        for example in report.skipped_examples:
            console.print(f"[yellow]skipped[/yellow] {example}", highlight=False)

    output.emit(data, render)
