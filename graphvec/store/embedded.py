"""LadybugDB (the maintained fork of Kùzu): an in-process Cypher database stored at a path.

Rows arrive as Arrow tables and go in through `COPY` and `LOAD FROM $rows`, which run at column
speed; `UNWIND` of Python lists was measured at about 15 s per 10k rows and is never used.  A
whole write runs in one transaction, so a failure leaves the store exactly as it was.
"""

from __future__ import annotations

from pathlib import Path

import ladybug
import pyarrow as pa

from .. import cypher
from ..errors import GraphvecError
from .base import Store, WriteStep


class EmbeddedStore(Store):
    dialect = "embedded"

    def __init__(self, path: str | Path, *, read_only: bool = False):
        self.location = str(path)
        path = Path(path)
        if read_only and not path.exists():
            raise GraphvecError(f"{path}: no store here; run 'graphvec ingest' first or pass --store")
        if path.parent and not path.parent.exists():
            raise GraphvecError(f"{path}: folder {path.parent} does not exist")
        try:
            # LadybugDB's default checkpoint threshold on purpose: a larger one made vector updates
            # look faster only by deferring the checkpoint, which then took superlinear time
            # (100k x 128 vectors: 64 MB threshold 63 s in all, 256 MB over 4 min, default 20 s).
            self._db = ladybug.Database(str(path), read_only=read_only)
            self._conn = ladybug.Connection(self._db)
        except RuntimeError as exc:
            message = str(exc)
            if "lock" in message.lower():
                raise GraphvecError(f"{path}: the store is open in another process (close it and retry)") from None
            raise GraphvecError(f"{path}: cannot open the store: {message}") from None
        self._schemas_done: set[str] = set()

    def _execute(self, text: str, params: dict | None = None):
        return self._conn.execute(text, params or {})

    def _rows(self, text: str, params: dict | None) -> pa.Table:
        result = self._execute(text, params)
        if not result.get_column_names():  # DDL and writes return no columns
            return pa.table({})
        return _internal_ids_as_int(result.get_as_arrow())

    def read(self, name: str, params: dict | None = None, **identifiers) -> pa.Table:
        return self._rows(cypher.load(self.dialect, name).render(**identifiers), params)

    def run_text(self, text: str, params: dict | None = None) -> pa.Table:
        try:
            return self._rows(text, params)
        except RuntimeError as exc:
            raise GraphvecError(f"query failed: {exc}") from None

    def _run_statement(self, text: str) -> None:
        self._execute(text)

    def write(self, steps: list[WriteStep], meta: dict[str, str], on_batch=None, atomic: bool = True) -> None:
        self.ensure_schema("schema_meta")
        if atomic:
            self._execute("BEGIN TRANSACTION")
        try:
            for step in steps:
                if step.rows is not None and step.rows.num_rows == 0:
                    continue
                text = cypher.load(self.dialect, step.name).render(**step.identifiers)
                params = dict(step.params)
                if step.rows is not None:
                    params["rows"] = step.rows
                self._execute(text, params)
                if on_batch:
                    on_batch(step.name, step.rows.num_rows if step.rows is not None else 0)
            if meta:
                meta_rows = pa.table({"key": list(meta) + ["write_state"], "value": list(meta.values()) + ["complete"]})
                self._execute(cypher.load(self.dialect, "set_meta").text, {"rows": meta_rows})
            if atomic:
                self._execute("COMMIT")
        except BaseException:
            if atomic:
                self._execute("ROLLBACK")
            raise

    def close(self) -> None:
        conn, self._conn = getattr(self, "_conn", None), None
        if conn is not None:
            conn.close()
            self._db.close()


def _internal_ids_as_int(table: pa.Table) -> pa.Table:
    """LadybugDB returns `id(n)` as a struct {offset, table}; pack it into one int64 (table<<40 | offset).

    2^40 offsets per table is far beyond what one machine stores, and an int64 key keeps the
    projection's id mapping numeric instead of string-based.
    """
    for index, column_field in enumerate(table.schema):
        if pa.types.is_struct(column_field.type) and {f.name for f in column_field.type} == {"offset", "table"}:
            column = table.column(index).combine_chunks()
            offsets = column.field("offset").to_numpy(zero_copy_only=False).astype("int64")
            tables = column.field("table").to_numpy(zero_copy_only=False).astype("int64")
            table = table.set_column(index, column_field.name, pa.array((tables << 40) | offsets))
    return table
