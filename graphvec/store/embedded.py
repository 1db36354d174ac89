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
from .base import Store, WriteStep, vector_table


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
            raise GraphvecError(f"query failed: {' '.join(str(exc).split())}") from None

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

    # -- vectors: one table per label, replaced whole --------------------------------------
    def _vector_ids(self, label: str, key: str) -> dict:
        return {"label": label, "key": key, "vectors": vector_table(label), "staging": vector_table(label) + "_staging"}

    def write_vectors(self, label: str, key: str, rows: pa.Table, run_id: str, *, on_batch=None, merge: bool = False) -> int:
        """COPY the vectors into a staging table, then swap it for the label's vector table in one
        transaction: 100k x 128 vectors land in seconds, where updating array properties of the
        nodes in place took 16-20 s, and readers never see two runs mixed within a label.

        A label whose vector table already holds exactly this run's rows (an interrupted write
        being re-run) is skipped.  With `merge`, the label's current vectors that `rows` does not
        replace are copied into the new table too, so the swap still replaces the table whole.
        """
        ids = self._vector_ids(label, key)
        if merge:
            rows = self._merged(label, key, rows)
        existing = self.counts().get(ids["vectors"])
        if existing and not self.read("read_key_type", {"key": "context_embedding"}, label=ids["vectors"]).num_rows:
            raise GraphvecError(f"{self.location}: table {ids['vectors']} exists and is not a graphvec vector table; "
                                "rename it, graphvec keeps {label}'s vectors under that name")
        if existing == rows.num_rows and set(self.vector_runs(label)) == {run_id}:
            return rows.num_rows
        key_type = self.read("read_key_type", {"key": key}, label=label).column("type").to_pylist()
        if not key_type:
            raise GraphvecError(f"{self.location}: node table {label} has no property {key!r}")
        dimensions = rows.schema.field("embedding").type.list_size
        for statement in cypher.statements(cypher.load(self.dialect, "schema_embedding").render(
                **ids, key_type=key_type[0], dimensions=dimensions)):
            self._execute(statement)
        rows = rows.set_column(0, "key", rows.column("key").cast(_ARROW_KEY_TYPES.get(key_type[0], pa.string())))
        self._execute(cypher.load(self.dialect, "set_embeddings").render(**ids), {"rows": rows})
        if on_batch:
            on_batch(rows.num_rows)
        self._execute("BEGIN TRANSACTION")
        try:
            for statement in cypher.statements(cypher.load(self.dialect, "swap_embedding").render(**ids)):
                self._execute(statement)
            self._execute("COMMIT")
        except BaseException:
            self._execute("ROLLBACK")
            raise
        return 0

    def _merged(self, label: str, key: str, rows: pa.Table) -> pa.Table:
        existing = self.read_vectors(label, key)
        if existing.num_rows == 0:
            return rows
        dimensions = rows.schema.field("embedding").type.list_size
        old_keys = pa.array([str(k) for k in existing.column("key").to_pylist()], pa.string())
        incoming = set(rows.column("key").to_pylist())

        def fixed(column) -> pa.Array:
            values = column.combine_chunks().flatten().cast(pa.float32())
            return pa.FixedSizeListArray.from_arrays(values, dimensions)

        old = pa.table({"key": old_keys, "embedding": fixed(existing.column("embedding")), "context": fixed(existing.column("context")),
                        "run": existing.column("run").cast(pa.string())})
        old = old.filter(pa.array([k not in incoming for k in old_keys.to_pylist()]))
        return pa.concat_tables([old, rows.cast(old.schema)])

    def read_vectors(self, label: str, key: str) -> pa.Table:
        ids = self._vector_ids(label, key)
        if not self.counts().get(ids["vectors"]):
            return pa.table({"key": pa.array([], pa.string()), "embedding": pa.array([], pa.list_(pa.float32())),
                             "context": pa.array([], pa.list_(pa.float32())), "run": pa.array([], pa.string())})
        return self.read("read_embeddings", **ids)

    def read_vector(self, label: str, key: str, value) -> dict | None:
        if not self.counts().get(vector_table(label)):
            return None
        rows = self.read("read_node_vector", {"key": value}, **self._vector_ids(label, key)).to_pylist()
        return rows[0] if rows else None

    def vector_runs(self, label: str) -> dict:
        if not self.counts().get(vector_table(label)):
            return {}
        return {r["run"]: r["n"] for r in self.read("read_embedding_runs", vectors=vector_table(label)).to_pylist()}

    def cache_dir(self) -> Path:
        """Beside the store, so that deleting the store's folder deletes its cache too."""
        return Path(self.location + ".gvcache")

    def _derived(self, kind: str, counts: dict) -> bool:
        return super()._derived(kind, counts) or any(kind in (vector_table(label), vector_table(label) + "_staging")
                                                     for label in counts)

    def close(self) -> None:
        conn, self._conn = getattr(self, "_conn", None), None
        if conn is not None:
            conn.close()
            self._db.close()


_ARROW_KEY_TYPES = {"STRING": pa.string(), "INT64": pa.int64(), "INT32": pa.int32(), "INT16": pa.int16(),
                    "UINT64": pa.uint64(), "UINT32": pa.uint32(), "SERIAL": pa.int64()}


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
