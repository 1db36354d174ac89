"""`graphvec stats` and `graphvec project`: what the store holds and what a projection reads."""

from __future__ import annotations

from typing import List, Optional

import typer
from rich.table import Table

from ..errors import GraphvecError
from ..projection import PRESETS, ProjectionSpec, parse_relationship, project
from ..stats import store_stats
from ..store import open_store
from . import app
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


def spec_from_options(preset: Optional[str], node_labels: List[str], relationships: List[str], directed: bool,
                      node_keys: List[str], min_df: Optional[int]) -> ProjectionSpec:
    """Build a projection from a preset or from explicit labels and types (GDS-style)."""
    if node_labels or relationships:
        if preset:
            raise GraphvecError("give either --projection or --node-label/--relationship, not both")
        if not node_labels or not relationships:
            raise GraphvecError("a custom projection needs --node-label and --relationship (TYPE or TYPE:weightProperty)")
        keys = []
        for item in node_keys:
            label, sep, key = item.partition(":")
            if not sep:
                raise GraphvecError(f"--node-key takes LABEL:property, not {item!r}")
            keys.append((label, key))
        return ProjectionSpec(tuple(node_labels), tuple(parse_relationship(r) for r in relationships), directed,
                              tuple(keys), min_df)
    name = preset or "labels"
    if name not in PRESETS:
        raise GraphvecError(f"unknown projection {name!r} (choose from {', '.join(PRESETS)})")
    base = PRESETS[name]
    return ProjectionSpec(base.node_labels, base.relationships, directed, base.node_keys, min_df)


def projection_options():
    """The options every command that projects shares (declared once, like sqlite-utils' output options)."""
    return dict(
        preset=typer.Option(None, "--projection", help="labels (CO_OCCURS by count), bipartite (HAS_LABEL), both, graph (LINK by weight)."),
        node_labels=typer.Option([], "--node-label", help="Custom projection: a node label (repeatable)."),
        relationships=typer.Option([], "--relationship", help="Custom projection: TYPE or TYPE:weightProperty (repeatable)."),
        directed=typer.Option(False, "--directed", help="Walk relationships in their stored direction only."),
        node_keys=typer.Option([], "--node-key", help="LABEL:property naming nodes of a custom label (default 'id')."),
        min_df=typer.Option(None, "--min-df", help="Leave out labels seen in fewer documents."),
        no_cache=typer.Option(False, "--no-cache", help="Re-read the store even when a cached projection matches."),
    )


_P = projection_options()


@app.command("project")
def project_command(
    ctx: typer.Context,
    preset: Optional[str] = _P["preset"], node_labels: List[str] = _P["node_labels"],
    relationships: List[str] = _P["relationships"], directed: bool = _P["directed"],
    node_keys: List[str] = _P["node_keys"], min_df: Optional[int] = _P["min_df"], no_cache: bool = _P["no_cache"],
):
    """Project part of the store into CSR arrays (cached) and describe the result.

    Example: graphvec project --projection graph --json
    """
    output = ctx.obj["output"]
    spec = spec_from_options(preset, node_labels, relationships, directed, node_keys, min_df)
    with open_store(ctx.obj["store"], read_only=True) as store:
        projection = project(store, spec, use_cache=not no_cache)
    data = projection.summary()
    output.emit(data, lambda console: console.print(key_value_table("projection", data)))
