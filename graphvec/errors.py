"""The one exception type a user can cause.

The CLI turns a GraphvecError into a single line on stderr and exit code 2; anything else that
escapes is a bug and keeps its traceback.  Messages name the file and line, or the node, so the
user can fix the input without reading code.
"""


import re

_USERINFO = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*:/{1,2})([^/@\s:]*):[^/@\s]*@")


class GraphvecError(Exception):
    """A mistake in the user's input, options or environment (not a bug in graphvec)."""


def located(path, line: int | None, message: str) -> GraphvecError:
    """Build an error that points at `path:line` the way compilers do, so editors can jump there."""
    where = f"{path}:{line}" if line is not None else f"{path}"
    return GraphvecError(f"{where}: {message}")


def mask_secrets(text: str) -> str:
    """`scheme://user:password@host` → `scheme://user:***@host` wherever it appears in a message,
    so no password a user typed into a URI is ever printed back, whichever code wrote the message."""
    return _USERINFO.sub(lambda m: f"{m.group(1)}{m.group(2)}:***@", text)
