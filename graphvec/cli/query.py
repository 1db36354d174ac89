"""`graphvec neighbours | recommend | links | neighbourhood | analogy | query | plot`: the analyst's terminal."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer
from rich.table import Table

from .. import queries
from ..errors import GraphvecError
from ..plot import plot_vectors
from ..store import open_store
from . import app
from .options import LISTED
from .output import key_value_table


def _table(title: str, rows: list[dict], columns: list[str], formats: dict | None = None) -> Table:
    formats = formats or {}
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column, justify="right" if column in formats else "left")
    for row in rows:
        table.add_row(*[formats.get(c, _text)(row.get(c)) for c in columns])
    return table


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def _score(value) -> str:
    return "" if value is None else f"{value:.3f}"


def _count(value) -> str:
    return "" if value is None else f"{value:,}"


@app.command("neighbours")
def neighbours(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="A label name; a document id with --document; a node id on a generic graph store."),
    k: int = typer.Option(10, "-k", help="How many neighbours."),
    document: bool = typer.Option(False, "--document", help="NAME is a document id: list the nearest documents."),
    graph: Optional[bool] = typer.Option(None, "--graph/--labels", help="NAME is a generic graph's node (Node/LINK), or a "
                                         "label. Default: whichever the store holds."),
    min_df: int = LISTED["min_df"],
):
    """Nearest labels to a label (cosine, co-occurrence count, df), documents to a document, or
    nodes to a node of a generic graph (whether already linked, degree).

    Example: graphvec neighbours machine-learning -k 10
    """
    output = ctx.obj["output"]
    with open_store(ctx.obj["store"], read_only=True) as store:
        node = not document and queries.on_graph(store, graph)
        rows = queries.neighbours(store, name, k, document=document, node=node, min_df=min_df)
        stored = document and queries.reads_stored_answers(store, "Document")
    kind = "document" if document else "node" if node else "label"
    data = {"query": name, "kind": kind, "k": k, "rows": rows}
    if document:
        table = _table(f"documents nearest to {name}", rows, ["id", "score", "title", "labels"], {"score": _score})
        tied = max((r["tied"] for r in rows), default=1)

        def render_documents(console):
            console.print(table)
            if tied > 1:
                order = ("by id (as the stored SIMILAR lists hold them)" if stored
                         else "by title words shared with this document")
                console.print(f"[dim]up to {tied:,} documents share a score (the same labels give the same vector); "
                              f"equal scores are ordered {order}[/dim]")
    elif node:
        render = _table(f"nodes nearest to {name}", rows, ["id", "score", "linked", "degree"],
                        {"score": _score, "degree": _count, "linked": lambda v: "yes" if v else ""})
    else:
        render = _table(f"labels nearest to {name}", rows, ["name", "score", "cooccurrence", "df"],
                        {"score": _score, "cooccurrence": _count, "df": _count})
    output.emit(data, render_documents if document else lambda console: console.print(render))


@app.command("recommend")
def recommend(
    ctx: typer.Context,
    document: Optional[str] = typer.Argument(None, help="A document id: the labels it lacks, best first."),
    label: Optional[str] = typer.Option(None, "--label", help="Instead: the documents that lack this label, best first "
                                        "(closest by vector; on a large embedded store, by the stored PREDICTED score)."),
    k: int = typer.Option(5, "-k", help="How many."),
):
    """Labels to add to a document (its current labels marked), or documents to add a label to.

    Example: graphvec recommend 1234 -k 5
    """
    output = ctx.obj["output"]
    if (document is None) == (label is None):
        raise GraphvecError("give a document id, or --label NAME (not both)")
    with open_store(ctx.obj["store"], read_only=True) as store:
        if label is not None:
            rows = queries.recommend_documents(store, label, k)
            data = {"label": label, "k": k, "rows": rows}
            output.emit(data, lambda console: console.print(
                _table(f"documents without {label}, best first", rows, ["id", "score", "title", "labels"], {"score": _score})))
            return
        data = queries.recommend(store, document, k)

    def render(console):
        table = Table(title=f"labels for document {document}", title_justify="left")
        for column, justify in (("", "left"), ("label", "left"), ("score", "right"), ("df", "right")):
            table.add_column(column, justify=justify)
        for row in data["recommended"]:
            table.add_row(f"#{row['rank']}", row["name"], _score(row["score"]), _count(row["df"]))
        for row in data["has"]:
            table.add_row("has", f"[dim]{row['name']}[/dim]", "", _count(row["df"]))
        console.print(table)
        if data["note"]:
            console.print(f"[yellow]note:[/yellow] {data['note']}")

    output.emit(data, render)


@app.command("links")
def links(
    ctx: typer.Context,
    k: int = typer.Option(20, "-k", help="How many pairs."),
    graph: Optional[bool] = typer.Option(None, "--graph/--labels", help="Pairs of a generic graph's nodes (Node/LINK), or of "
                                         "labels. Default: whichever the store holds."),
    min_component: int = typer.Option(queries.MIN_COMPONENT, "--min-component",
                                      help="Leave out nodes in connected components smaller than this (1: keep all)."),
    min_df: int = LISTED["min_df"],
):
    """The most similar pairs not connected yet: candidate new CO_OCCURS (or LINK) edges.

    Example: graphvec links -k 20
    """
    output = ctx.obj["output"]
    with open_store(ctx.obj["store"], read_only=True) as store:
        graph = queries.on_graph(store, graph)
        left_out = queries.small_components(store, "Node" if graph else "Label", min_component)
        rows = queries.predicted_links(store, k, graph=graph, exclude=left_out, min_df=min_df)
    data = {"k": k, "rows": rows, "min_component": min_component, "nodes_left_out": len(left_out)}

    def render(console):
        console.print(_table("predicted links", rows, ["source", "target", "score"], {"score": _score}))
        if left_out:
            console.print(f"[dim]{len(left_out):,} nodes in components of fewer than {min_component} nodes left out "
                          "(--min-component 1 keeps them)[/dim]")

    output.emit(data, render)


@app.command("neighbourhood")
def neighbourhood(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="A label name, or a node id on a generic graph store."),
    k: int = typer.Option(10, "-k", help="How many of each."),
    graph: Optional[bool] = typer.Option(None, "--graph/--labels", help="NAME is a generic graph's node (Node/LINK), or a "
                                         "label. Default: whichever the store holds."),
    min_df: int = LISTED["min_df"],
):
    """Graph neighbours next to embedding neighbours: a label's co-occurring labels, or a node's
    linked nodes (heaviest first). What the embedding adds, and what it confirms.

    Example: graphvec neighbourhood arduino -k 10
    """
    output = ctx.obj["output"]
    with open_store(ctx.obj["store"], read_only=True) as store:
        node = queries.on_graph(store, graph)
        data = queries.node_neighbourhood(store, name, k) if node else queries.label_neighbourhood(store, name, k, min_df=min_df)
    side, heading, amount = ("graph", "linked to", _score) if node else ("cooccurrence", "co-occurs with",
                                                                        lambda v: f"{int(v):,}")

    def render(console):
        table = Table(title=f"{name}: graph and embedding neighbours", title_justify="left")
        columns = [("#", "right"), (heading, "left"), ("weight" if node else "count", "right")]
        columns += [("shared neighbours", "right")] if node else []
        for column, justify in columns + [("embedding neighbour", "left"), ("cosine", "right")]:
            table.add_column(column, justify=justify)
        both = set(data["in_both"])
        for i in range(max(len(data[side]), len(data["embedding"]))):
            left = data[side][i] if i < len(data[side]) else None
            right = data["embedding"][i] if i < len(data["embedding"]) else None
            mark = lambda row: ("[bold]" + row["name"] + "[/bold]") if row["name"] in both else row["name"]  # noqa: E731
            shared = [f"{left['common']:,}" if left else ""] if node else []
            table.add_row(str(i + 1), mark(left) if left else "", amount(left["score"]) if left else "", *shared,
                          mark(right) if right else "", _score(right["score"]) if right else "")
        console.print(table)
        console.print(f"in both lists (bold): {len(both)} of {k}")

    output.emit(data, render)


@app.command("analogy")
def analogy(
    ctx: typer.Context,
    a: str = typer.Argument(...), b: str = typer.Argument(...), c: str = typer.Argument(...),
    k: int = typer.Option(10, "-k"),
    label: Optional[str] = typer.Option(None, "--label", help="Node label the three names belong to. Default: Label, or Node "
                                        "on a generic graph store."),
    min_df: int = LISTED["min_df"],
):
    """Nodes nearest to A − B + C, like word2vec analogies (A, B and C themselves left out).

    Example: graphvec analogy arduino c++ python
    """
    output = ctx.obj["output"]
    with open_store(ctx.obj["store"], read_only=True) as store:
        rows = queries.analogy(store, a, b, c, k, label=label, min_df=min_df)
    output.emit({"a": a, "b": b, "c": c, "rows": rows},
                lambda console: console.print(_table(f"{a} − {b} + {c}", rows, ["name", "score"], {"score": _score})))


@app.command("query")
def query(
    ctx: typer.Context,
    path: Path = typer.Argument(..., help="A .cypher file, e.g. cypher/embedded/similar_labels.cypher."),
    params: List[str] = typer.Option([], "--param", "-p", help="name=value, repeatable; numbers are passed as numbers."),
):
    """Run any Cypher file against the store, with parameters.

    Example: graphvec query cypher/embedded/similar_labels.cypher -p name=pid -p k=5
    """
    output = ctx.obj["output"]
    values = queries.parse_params(params)
    with open_store(ctx.obj["store"], read_only=True) as store:
        rows = queries.run_query(store, path, values)
    columns = list(rows[0]) if rows else []
    formats = {c: _score for c in columns if rows and isinstance(rows[0][c], float)}
    output.emit({"file": str(path), "params": values, "rows": rows},
                lambda console: console.print(_table(f"{path.name} ({len(rows)} rows)", rows, columns, formats)))


@app.command("plot")
def plot(
    ctx: typer.Context,
    label: Optional[str] = typer.Option(None, "--label", help="Whose vectors to draw: Label, Document, Node … "
                                        "Default: Label, or Node on a generic graph store."),
    out: Path = typer.Option(Path("map.png"), "--out", "-o", help=".png, .svg or .pdf"),
    method: str = typer.Option("auto", "--method", help="tsne, pca, or auto (t-SNE up to 5,000 nodes)."),
    names: int = typer.Option(30, "--names", help="How many of the best-connected nodes to name on the map."),
    seed: int = typer.Option(42, "--seed"),
    min_df: int = LISTED["min_df"],
):
    """A 2-D map of the vectors, coloured by community, best-connected nodes named.

    Example: graphvec plot --label Label --out map.png
    """
    output = ctx.obj["output"]
    with open_store(ctx.obj["store"], read_only=True) as store:
        data = plot_vectors(store, label, out, method=method, names=names, seed=seed, min_df=min_df)
    output.emit(data, lambda console: console.print(key_value_table("plot", {k: v for k, v in data.items() if k not in ("named", "legend")})))
