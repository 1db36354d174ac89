"""`graphvec walk`: random walks over a projection, written to a .npy file."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from .. import walks
from ..pipeline import walk_to_file
from ..projection import project
from ..store import open_store
from . import app
from .inspect import _P, spec_from_options
from .output import err_console, key_value_table


def walk_options():
    return dict(
        method=typer.Option("node2vec", "--method", help="deepwalk (uniform, ignores weights) or node2vec (p/q, weighted when the projection is)."),
        return_factor=typer.Option(1.0, "--return-factor", "-p", help="node2vec p (returnFactor): higher = fewer immediate returns."),
        in_out_factor=typer.Option(1.0, "--in-out-factor", "-q", help="node2vec q (inOutFactor): >1 stays local, <1 explores outward."),
        walks_per_node=typer.Option(10, "--walks-per-node", help="walksPerNode"),
        walk_length=typer.Option(80, "--walk-length", help="walkLength, in nodes"),
        seed=typer.Option(42, "--seed", help="Same seed, same walks, whatever --workers is."),
        workers=typer.Option(None, "--workers", help="Threads (default: all cores)."),
        force=typer.Option(False, "--force", help="Run even if the memory estimate exceeds free memory."),
    )


_W = walk_options()


@app.command("walk")
def walk(
    ctx: typer.Context,
    method: str = _W["method"], return_factor: float = _W["return_factor"], in_out_factor: float = _W["in_out_factor"],
    walks_per_node: int = _W["walks_per_node"], walk_length: int = _W["walk_length"], seed: int = _W["seed"],
    workers: Optional[int] = _W["workers"], force: bool = _W["force"],
    output_path: Path = typer.Option(Path("walks.npy"), "--output", "-o", help="Where to write the int32 walk matrix (.npy)."),
    preset: Optional[str] = _P["preset"], node_labels: List[str] = _P["node_labels"],
    relationships: List[str] = _P["relationships"], directed: bool = _P["directed"],
    node_keys: List[str] = _P["node_keys"], min_df: Optional[int] = _P["min_df"], no_cache: bool = _P["no_cache"],
):
    """Generate random walks (DeepWalk or node2vec) over a projection of the store.

    Example: graphvec walk --method node2vec -p 0.5 -q 2 --walks-per-node 10 --walk-length 80 --seed 42 --output walks.npy
    """
    output = ctx.obj["output"]
    params = walks.WalkParams(walk_length, walks_per_node, return_factor, in_out_factor, seed).validate()
    spec = spec_from_options(preset, node_labels, relationships, directed, node_keys, min_df)
    with open_store(ctx.obj["store"], read_only=True) as store:
        projection = project(store, spec, use_cache=not no_cache)
    weighted = projection.weighted and method == "node2vec"
    estimate = walks.plan(projection.indptr, weighted, params).memory()
    if not output.as_json:
        err_console.print(key_value_table("memory estimate", {k: f"{v / 2**20:,.1f} MiB" for k, v in estimate.items()}))
    with output.progress("walking", total=projection.node_count * walks_per_node * walk_length, unit="steps") as bar:
        data = walk_to_file(projection, params, method, output_path, workers=workers, force=force, on_steps=bar.advance)
    output.emit(data, lambda console: console.print(key_value_table("walk", {
        k: v for k, v in data.items() if k not in ("memory_estimate_bytes", "params")})))
