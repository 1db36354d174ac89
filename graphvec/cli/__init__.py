"""The `graphvec` command: parses options, calls one library function, prints.

Errors a user can cause (GraphvecError) become one line on stderr and exit code 2.
"""

from __future__ import annotations

import sys
from typing import Optional

import typer

from ..errors import GraphvecError
from .output import Output, err_console

app = typer.Typer(add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
                  help="Graph embeddings on a graph database: ingest, project, walk, train, write back, query.")


@app.callback()
def _global(
    ctx: typer.Context,
    store: Optional[str] = typer.Option(None, "--store", "-s", help="Embedded store path, or a neo4j:// / bolt:// URI. Default: $GRAPHVEC_STORE, $NEO4J_URI, ./graphvec.lbug"),
    json_output: bool = typer.Option(False, "--json", help="Print one JSON object instead of tables and progress bars."),
):
    ctx.obj = {"store": store, "output": Output(json_output)}


from . import embed, evaluate, ingest, inspect, query, walk  # noqa: E402,F401  (importing registers the commands)

app.add_typer(ingest.app, name="ingest")
app.add_typer(evaluate.app, name="evaluate")


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--json" in args[1:]:  # accepted after the command too (`graphvec stats --json`), as the examples write it
        args = ["--json"] + [a for a in args if a != "--json"]
    try:
        app(args=args)
    except GraphvecError as exc:
        err_console.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        sys.exit(2)
