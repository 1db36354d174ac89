"""`graphvec walk`: random walks over a projection, written to a .npy file."""

from __future__ import annotations

from pathlib import Path
from typing import List, Optional

import typer

from .. import walks
from ..projection import project, resolve_spec
from ..store import open_store
from . import app
from .options import PROJECTION, WALK, node2vec
from .output import err_console, key_value_table




@app.command("walk")
def walk(
    ctx: typer.Context,
    method: str = WALK["method"], return_factor: float = WALK["return_factor"], in_out_factor: float = WALK["in_out_factor"],
    walks_per_node: int = WALK["walks_per_node"], walk_length: int = WALK["walk_length"], seed: int = WALK["seed"],
    workers: Optional[int] = WALK["workers"], force: bool = WALK["force"],
    output_path: Path = typer.Option(Path("walks.npy"), "--output", "-o", help="Where to write the int32 walk matrix (.npy)."),
    preset: Optional[str] = PROJECTION["preset"], node_labels: List[str] = PROJECTION["node_labels"],
    relationships: List[str] = PROJECTION["relationships"], directed: bool = PROJECTION["directed"],
    node_keys: List[str] = PROJECTION["node_keys"], min_df: Optional[int] = PROJECTION["min_df"], no_cache: bool = PROJECTION["no_cache"],
):
    """Generate random walks (DeepWalk or node2vec) over a projection of the store.

    Example: graphvec walk --method node2vec -p 0.5 -q 2 --walks-per-node 10 --walk-length 80 --seed 42 --output walks.npy
    """
    output = ctx.obj["output"]
    with open_store(ctx.obj["store"], read_only=True) as store:
        spec = resolve_spec(preset, node_labels, relationships, directed, node_keys, min_df, store)
        model = node2vec(method, return_factor, in_out_factor, walks_per_node, walk_length, seed, workers).validate(spec.node_labels)
        projection = project(store, spec, use_cache=not no_cache)
    estimate = walks.plan(projection.indptr, model.follows_weights(projection.weighted), model.walk_params()).memory()
    if not output.as_json:
        err_console.print(key_value_table("memory estimate", {k: f"{v / 2**20:,.1f} MiB" for k, v in estimate.items()}))
    with output.progress("walking", total=projection.node_count * walks_per_node * walk_length, unit="steps") as bar:
        data = model.write_walks(projection, output_path, force=force, on_steps=bar.advance)
    output.emit(data, lambda console: console.print(key_value_table("walk", {
        k: v for k, v in data.items() if k not in ("memory_estimate_bytes", "params")})))
