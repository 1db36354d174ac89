"""The Cypher files in `cypher/<dialect>/` are the only queries graphvec runs.

Keeping the text in files (not in Python strings) gives one source of truth that an analyst can
paste into Neo4j Browser, and lets CI lint every Neo4j query with Neo4j's own parser.

Values always travel as query parameters.  Identifiers (labels, relationship types, property
names) cannot be parameters in either dialect, so a few files carry `{{name}}` placeholders; they
are filled only with names that pass `quote_identifier`, which rejects anything that is not a
plain identifier and wraps the rest in backticks.  The embedded store's table rebuild also needs
column and node-pair lists; those are `Fragment`s, built only by `table_definition` and
`return_list` from validated names and type spellings.
"""

from __future__ import annotations

import functools
import os
import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .errors import GraphvecError

DIALECTS = ("embedded", "neo4j")
_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,127}$")
_PLACEHOLDER = re.compile(r"\{\{([a-z_]+)\}\}")
_QUOTED_PLACEHOLDER = re.compile(r"'\{\{([a-z_]+)\}\}'")
_PARAMS_LINE = re.compile(r"^//\s*params:\s*(.*)$", re.MULTILINE)
# A column type as the database spells it (INT64, STRING[], FLOAT[128], STRUCT(a INT64, b STRING),
# MAP(STRING, INT64) ...): no quotes, backticks, semicolons or comments can appear in one.
_TYPE = re.compile(r"^[A-Za-z][A-Za-z0-9_ ,()\[\]]{0,1000}$")
# Default expressions carried over: literals only (NULL, numbers, booleans, plain quoted strings).
_DEFAULT = re.compile(r"^(NULL|-?[0-9]+(\.[0-9]+)?|(?i:true|false)|'[^'\\]*')$")


@functools.lru_cache(maxsize=None)
def _shipped_dir() -> Path:
    try:
        folder = resources.files("graphvec.cypher_files")
    except ModuleNotFoundError:  # the checkout put on sys.path by hand, never installed
        return Path(__file__).resolve().parent.parent / "cypher"
    # Installed (wheel or editable), the files are on disk; a folder without __init__.py may come
    # back as a namespace MultiplexedPath, whose children are plain paths.
    return Path(str(folder.joinpath("neo4j"))).parent


def cypher_dir() -> Path:
    """The `cypher/` folder the package was installed with (override with GRAPHVEC_CYPHER_DIR).

    Found through importlib.resources, so an installed wheel uses its own copy and a checkout uses
    the files beside the code, never a folder that happens to be in the working directory.
    """
    override = os.environ.get("GRAPHVEC_CYPHER_DIR")
    return Path(override) if override else _shipped_dir()


def shipped_query(dialect: str, name: str) -> Path | None:
    """The shipped file for a bare query name (`similar_labels`), so `graphvec query` works the same
    from an installed wheel as from a checkout; None when there is no such file."""
    if not _IDENTIFIER.match(name):
        return None
    path = cypher_dir() / dialect / f"{name}.cypher"
    return path if path.is_file() else None


def quote_identifier(name: str, what: str = "name") -> str:
    """Validate a user-supplied label, type or property name and return it backtick-quoted.

    Only letters, digits and underscores are accepted: that covers every name graphvec creates and
    the usual naming of user graphs, and it makes injection through an identifier impossible.
    """
    if not isinstance(name, str) or not _IDENTIFIER.match(name):
        raise GraphvecError(
            f"invalid {what} {name!r}: use letters, digits and underscores, starting with a letter"
        )
    return f"`{name}`"


@dataclass(frozen=True)
class Fragment:
    """DDL text made only from validated parts (see `table_definition`); `render` inserts it as is."""

    text: str


def table_definition(columns: list[dict], *, primary_key: str | None = None,
                     pairs: list[tuple[str, str]] = ()) -> Fragment:
    """The inside of `CREATE NODE|REL TABLE name(...)`: node pairs (`FROM a TO b`), then columns
    ({name, type, default_value}), then the primary key.  Names are validated and quoted; a type must
    look like a type and a default must be a plain literal, or this raises naming the column."""
    parts = [f"FROM {quote_identifier(a, 'table')} TO {quote_identifier(b, 'table')}" for a, b in pairs]
    for column in columns:
        name, kind, default = column["name"], str(column["type"]), str(column.get("default_value") or "NULL")
        if not _TYPE.match(kind):
            raise GraphvecError(f"column {name!r} has a type graphvec cannot copy: {kind!r}")
        if not _DEFAULT.match(default):
            raise GraphvecError(f"column {name!r} has a default graphvec cannot copy: {default!r}")
        parts.append(f"{quote_identifier(name, 'property')} {kind}" + ("" if default == "NULL" else f" DEFAULT {default}"))
    if primary_key is not None:
        parts.append(f"PRIMARY KEY({quote_identifier(primary_key, 'property')})")
    return Fragment(", ".join(parts))


def return_list(items: list[tuple[str, str, str]]) -> Fragment:
    """`v.property AS alias, ...` from (variable, property, alias) triples, every name validated."""
    return Fragment(", ".join(f"{quote_identifier(v, 'variable')}.{quote_identifier(p, 'property')} AS {quote_identifier(a, 'alias')}"
                              for v, p, a in items))


@dataclass(frozen=True)
class Query:
    """One query file: its text, the parameters its header declares, its placeholders."""

    dialect: str
    name: str
    text: str
    params: tuple[str, ...]
    placeholders: tuple[str, ...]

    def render(self, **identifiers) -> str:
        """Fill placeholders: `{{name}}` with a validated, backtick-quoted identifier; `'{{name}}'`
        (inside quotes, where a dialect wants a table name as a string) with the validated bare name;
        an int value (a vector dimension in DDL) with its decimal digits; a Fragment as it is."""
        missing = set(self.placeholders) - set(identifiers)
        if missing:
            raise ValueError(f"{self.dialect}/{self.name}.cypher needs identifiers {sorted(missing)}")

        def fill(match, quoted: bool) -> str:
            value = identifiers[match.group(1)]
            if isinstance(value, int) and not isinstance(value, bool):
                return str(int(value))
            if isinstance(value, Fragment) and not quoted:
                return value.text
            quoted_name = quote_identifier(value, match.group(1))
            return f"'{quoted_name[1:-1]}'" if quoted else quoted_name

        text = _QUOTED_PLACEHOLDER.sub(lambda m: fill(m, True), self.text)
        return _PLACEHOLDER.sub(lambda m: fill(m, False), text)

    @property
    def is_copy(self) -> bool:
        """A bulk `COPY … FROM` (embedded dialect), which the store never splits into batches."""
        return any(s.upper().startswith("COPY ") for s in statements(self.text))


@functools.lru_cache(maxsize=None)
def load(dialect: str, name: str) -> Query:
    if dialect not in DIALECTS:
        raise ValueError(f"unknown Cypher dialect {dialect!r}")
    path = cypher_dir() / dialect / f"{name}.cypher"
    text = path.read_text(encoding="utf-8")
    return Query(dialect, name, text.strip(), _declared_params(text), tuple(dict.fromkeys(_PLACEHOLDER.findall(text))))


def _declared_params(text: str) -> tuple[str, ...]:
    match = _PARAMS_LINE.search(text)
    if not match or match.group(1).strip() in ("", "none"):
        return ()
    return tuple(p.strip().lstrip("$") for p in match.group(1).split(",") if p.strip())


def statements(query_text: str) -> list[str]:
    """Split a file of several `;`-terminated statements (schema files) into single statements."""
    body = "\n".join(line for line in query_text.splitlines() if not line.lstrip().startswith("//"))
    return [s.strip() for s in body.split(";") if s.strip()]
