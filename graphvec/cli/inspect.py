"""`graphvec stats` and `graphvec project`: what the store holds and what a projection reads."""

from __future__ import annotations

from typing import List, Optional

import typer
from rich.table import Table

from ..projection import project, resolve_spec
from ..stats import store_stats
from ..store import open_store
from . import app
from .options import PROJECTION
from .output import key_value_table


@app.command("stats")
def stats(ctx: typer.Context, top: int = typer.Option(10, "--top", help="How many of the most frequent labels to list.")):
    """Counts of nodes and relationships, graphvec's state, the most frequent labels.

    Example: graphvec stats --json
    """
    output = ctx.obj["output"]
    with open_store(ctx.obj["store"], read_only=True) as store:
        data = store_stats(store, top=top)

    def render(console):
        console.print(key_value_table(f"store {data['store']} ({data['dialect']})", {
            **data["counts"], "write state": data["meta"].get("write_state", "-"),
            "last write": data["meta"].get("updated_at", "-"), "min_df": data["meta"].get("min_df", "-"),
            "fingerprint": data["fingerprint"]}))
        if data["top_labels"]:
            table = Table(title="most frequent labels", title_justify="left")
            table.add_column("label"); table.add_column("df", justify="right")
            for row in data["top_labels"]:
                table.add_row(row["name"], f"{row['df']:,}")
            console.print(table)
        if data["rare_labels"] and data["rare_labels"]["labels"]:
            rare = data["rare_labels"]
            console.print(f"{rare['labels']:,} labels seen in fewer than {rare['min_df']} documents "
                          f"({', '.join(rare['examples'])} …): {rare['note']}", highlight=False)
        if data["embeddings"]:
            emb = data["embeddings"]
            console.print(key_value_table("vectors", {
                "latest run": emb.get("latest_run") or "-", "created": emb.get("vectors_created_at", "-"),
                "graph changed": emb.get("graph_changed_at") or "-", "stale": emb.get("stale", "-"),
                **{label: f"{v['with_vector']:,} with vector, {v['without_vector']:,} without" for label, v in emb["labels"].items()}}))
        for warning in data["warnings"]:
            console.print(f"[yellow]warning:[/yellow] {warning}")
        if data["embeddings"].get("recommendation") and not data["embeddings"].get("stale"):
            console.print(data["embeddings"]["recommendation"], highlight=False)

    output.emit(data, render)




@app.command("project")
def project_command(
    ctx: typer.Context,
    preset: Optional[str] = PROJECTION["preset"], node_labels: List[str] = PROJECTION["node_labels"],
    relationships: List[str] = PROJECTION["relationships"], directed: bool = PROJECTION["directed"],
    node_keys: List[str] = PROJECTION["node_keys"], min_df: Optional[int] = PROJECTION["min_df"], no_cache: bool = PROJECTION["no_cache"],
):
    """Project part of the store into CSR arrays (cached) and describe the result.

    Example: graphvec project --projection graph --json
    """
    output = ctx.obj["output"]
    with open_store(ctx.obj["store"], read_only=True) as store:
        spec = resolve_spec(preset, node_labels, relationships, directed, node_keys, min_df, store)
        projection = project(store, spec, use_cache=not no_cache)
    data = projection.summary()
    output.emit(data, lambda console: console.print(key_value_table("projection", data)))
