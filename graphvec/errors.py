"""The one exception type a user can cause.

The CLI turns a GraphvecError into a single line on stderr and exit code 2; anything else that
escapes is a bug and keeps its traceback.  Messages name the file and line, or the node, so the
user can fix the input without reading code.
"""


class GraphvecError(Exception):
    """A mistake in the user's input, options or environment (not a bug in graphvec)."""


def located(path, line: int | None, message: str) -> GraphvecError:
    """Build an error that points at `path:line` the way compilers do, so editors can jump there."""
    where = f"{path}:{line}" if line is not None else f"{path}"
    return GraphvecError(f"{where}: {message}")
