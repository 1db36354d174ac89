"""The `graphvec` command: parses options, calls one library function, prints.

Errors a user can cause (GraphvecError, a bad option) become one line on stderr and exit code 2;
with --json also one {"error": ...} object on stdout.  Ctrl-C says what state the store was left
in (exit 130).  Every message passes through mask_secrets first.
"""

from __future__ import annotations

import json
import sys
from typing import Optional

import typer

from ..errors import GraphvecError, mask_secrets
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


WRITING_COMMANDS = {"ingest", "embed", "update", "embed-documents", "write"}


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv[1:] if argv is None else argv)
    if "--json" in args[1:]:  # accepted after the command too (`graphvec stats --json`), as the examples write it
        args = ["--json"] + [a for a in args if a != "--json"]
    as_json = "--json" in args
    try:
        code = app(args=args, standalone_mode=False)
    except GraphvecError as exc:
        _fail(str(exc), 2, as_json)
    except (KeyboardInterrupt, typer.Abort):
        _fail(_interrupted(args), 130, as_json)
    except typer.TyperException as exc:  # a bad option or argument: the usual usage message, or one JSON line
        code = getattr(exc, "exit_code", 2)
        if not as_json and hasattr(exc, "show"):
            exc.show()
            sys.exit(code)
        _fail(exc.format_message() if hasattr(exc, "format_message") else str(exc), code, as_json)
    if code == 130:  # typer turns Ctrl-C into exit code 130
        _fail(_interrupted(args), 130, as_json)
    if isinstance(code, int) and code:
        sys.exit(code)


def _fail(message: str, code: int, as_json: bool) -> None:
    message = mask_secrets(message)
    if as_json:
        sys.stdout.write(json.dumps({"error": message, "exit_code": code}) + "\n")
    err_console.print(f"[red]error:[/red] {message}", highlight=False, soft_wrap=True)
    sys.exit(code)


def _interrupted(args: list[str]) -> str:
    """What Ctrl-C left behind: writes run in transactions or resumable batches, so the store holds
    the last completed step; say whether a run or an ingest is unfinished and how to finish it."""
    command, location = _command_and_store(args)
    if command not in WRITING_COMMANDS:
        return "interrupted"
    from ..stats import store_stats
    from ..store import open_store

    try:
        with open_store(location, read_only=True) as store:
            warnings = [w for w in store_stats(store)["warnings"] if "did not finish" in w or "incomplete" in w]
    except (GraphvecError, RuntimeError, OSError) as exc:
        return f"interrupted; the store could not be checked ({exc})"
    if warnings:
        return "interrupted; " + "; ".join(warnings)
    return "interrupted; the store is as the last completed step left it, nothing half-written; run the command again"


def _command_and_store(args: list[str]) -> tuple[str | None, str | None]:
    """The command name and the global --store value, read from the raw arguments."""
    store, rest = None, iter(args)
    for arg in rest:
        if arg in ("--store", "-s"):
            store = next(rest, None)
        elif arg.startswith("--store="):
            store = arg.partition("=")[2]
        elif not arg.startswith("-"):
            return arg, store
    return None, store
