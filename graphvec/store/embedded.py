"""LadybugDB (the maintained fork of Kùzu): an in-process Cypher database stored at a path.

Rows arrive as Arrow tables and go in through `COPY` and `LOAD FROM $rows`, which run at column
speed; `UNWIND` of Python lists was measured at about 15 s per 10k rows and is never used.  A
write of up to a million rows runs in one transaction, so a failure leaves the store exactly as it
was; a larger one commits in resumable steps and marks the store incomplete until the last lands.
"""

from __future__ import annotations

import os

from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import ladybug
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .. import cypher
from ..embedding import vector_matrix
from ..errors import GraphvecError
from .base import LabelVectors, Store, WriteStep


# rows per transaction when vectors are set in place: the commit of one transaction setting 50k
# document vectors in a 1M-node table took 328 s, 25 transactions of 2,000 took 21 s together
# (LadybugDB 0.22; 5,000 or 10,000 a transaction 27-29 s)
IN_PLACE_BATCH = 2_000
# LadybugDB 0.22 at 1M documents: a relationship deleted by key costs about 6 times one copied
# (33 µs against 5.6 µs), so replacing more than a sixth of a pattern's rows is cheaper by
# clearing it (a table rebuild) and copying every row again
DELETE_OVER_COPY = 6
# rows one write may hold in a single transaction (see EmbeddedStore.write), and per transaction past it
ONE_TRANSACTION_ROWS = 1_000_000
STEP_BATCH_ROWS = 1_000_000
# steps whose rows each stand for many relationships: at 5M documents a delete of 300k SIMILAR
# lists (3M relationships) fitted the 3 GiB page cache in one transaction, while an update
# re-deriving 45k re-labelled documents, deleting many more lists at once, did not
ROWS_PER_TRANSACTION = {"delete_similar_from": 100_000}
CLEAR_BY_DELETE = 100_000  # relationships a clear deletes outright; more and it rebuilds the table
BUFFER_POOL_SHARE = 0.25  # of physical memory, for LadybugDB's page cache ...
BUFFER_POOL_MOST = 3 << 30  # ... and no more than this


def buffer_pool_bytes() -> int:
    """LadybugDB's page cache: a quarter of physical memory up to 3 GiB, or $GRAPHVEC_BUFFER_POOL_MB.

    Left at its default (80% of memory) the cache grows while a large write runs and stays
    resident; a fixed cap is what lets `graphvec estimate` count it.  Writes are batched to fit
    it (writeback.REL_BATCH); a write that still does not fit says to raise it."""
    configured = os.environ.get("GRAPHVEC_BUFFER_POOL_MB")
    if configured:
        try:
            return max(64, int(configured)) << 20
        except ValueError:
            raise GraphvecError(f"GRAPHVEC_BUFFER_POOL_MB must be a whole number of megabytes, not {configured!r}") from None
    import psutil

    return int(min(psutil.virtual_memory().total * BUFFER_POOL_SHARE, BUFFER_POOL_MOST))


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
            self._db = ladybug.Database(str(path), read_only=read_only, buffer_pool_size=buffer_pool_bytes())
            self._conn = ladybug.Connection(self._db)
        except RuntimeError as exc:
            message = str(exc)
            if "lock" in message.lower():
                raise GraphvecError(f"{path}: the store is open in another process (close it and retry)") from None
            raise GraphvecError(f"{path}: cannot open the store: {message}") from None
        self._schemas_done: set[str] = set()
        self._read_only, self._counts = read_only, None

    def _execute(self, text: str, params: dict | None = None):
        try:
            return self._conn.execute(text, params or {})
        except RuntimeError as exc:
            if "buffer pool is full" in str(exc):
                raise GraphvecError(f"{self.location}: LadybugDB's page cache ({buffer_pool_bytes() >> 20} MiB) is too small "
                                    "for this write; set GRAPHVEC_BUFFER_POOL_MB higher and run the same command again") from None
            raise

    def _rows(self, text: str, params: dict | None) -> pa.Table:
        result = self._execute(text, params)
        if not result.get_column_names():  # DDL and writes return no columns
            return pa.table({})
        # chunks no larger than the result: LadybugDB's adaptive size (10M values / columns) allocates
        # that many rows up front, 30 ms for one node's vector
        columns = len(result.get_column_names())
        return _internal_ids_as_int(result.get_as_arrow(max(1, min(10_000_000 // columns, result.get_num_tuples()))))

    def read(self, name: str, params: dict | None = None, **identifiers) -> pa.Table:
        return self._rows(cypher.load(self.dialect, name).render(**identifiers), params)

    def run_text(self, text: str, params: dict | None = None) -> pa.Table:
        try:
            return self._rows(text, params)
        except RuntimeError as exc:
            raise GraphvecError(f"query failed: {' '.join(str(exc).split())}") from None

    def _run_statement(self, text: str) -> None:
        self._execute(text)

    @contextmanager
    def _transaction(self):
        """Everything inside commits together, or rolls back on any exception (Ctrl-C included)."""
        self._execute("BEGIN TRANSACTION")
        try:
            yield
            self._execute("COMMIT")
        except BaseException:
            try:
                self._execute("ROLLBACK")
            except RuntimeError as exc:  # LadybugDB already rolled back the failed statement's transaction
                if "no active transaction" not in str(exc).lower():
                    raise
            raise  # the error that stopped the transaction, not the rollback's

    def write(self, steps: list[WriteStep], meta: dict[str, str], on_batch=None, atomic: bool = True) -> None:
        """Up to ONE_TRANSACTION_ROWS rows commit together or not at all.  A larger write commits
        step by step, STEP_BATCH_ROWS rows a transaction, between `write_state=incomplete` and
        `complete`, as on Neo4j: re-ingesting a changed 5M-document file (a keyed delete across
        14M HAS_LABEL rows, then 7.3M CO_OCCURS copied) did not fit a 3 GiB page cache as one
        transaction, while each step committed on a new connection did.  Every ingest step is idempotent and ingest
        writes the difference from what the store holds, so the same command run again resumes."""
        self.ensure_schema("schema_meta")
        meta_rows = None
        if meta:
            meta_rows = pa.table({"key": list(meta) + ["write_state"], "value": list(meta.values()) + ["complete"]})
        rows = sum(step.rows.num_rows for step in steps if step.rows is not None)
        if atomic and rows <= ONE_TRANSACTION_ROWS:
            with self._transaction():
                for step in steps:
                    self._write_step(step, step.rows, on_batch)
                if meta_rows is not None:
                    self._run("set_meta", {"rows": meta_rows})
            return
        if meta_rows is not None:
            self._run("set_meta", {"rows": pa.table({"key": ["write_state"], "value": ["incomplete"]})})
        for step in steps:
            # a connection keeps page-cache memory from the statements it ran: after the keyed
            # HAS_LABEL delete at 5M documents (even one deleting nothing), the CO_OCCURS copy failed
            # for want of cache on the same connection and ran on a new one (a CHECKPOINT did not
            # help); a new connection costs microseconds
            self._reconnect()
            for rows in self._batches(step):
                with self._transaction():
                    self._write_step(step, rows, on_batch)
        if meta_rows is not None:
            self._run("set_meta", {"rows": meta_rows})

    def _reconnect(self) -> None:
        self._conn.close()
        self._conn = ladybug.Connection(self._db)

    def _batches(self, step: WriteStep) -> list[pa.Table | None]:
        """A COPY goes whole: copying 7.3M CO_OCCURS rows into the emptied table at 5M documents took
        one statement, while the same rows in 1M-row COPYs, each committed, filled the page cache at
        the fourth (a COPY into a non-empty relationship table holds more than one into an empty one)."""
        if step.rows is None or cypher.load(self.dialect, step.name).is_copy:
            return [step.rows]
        size = ROWS_PER_TRANSACTION.get(step.name, STEP_BATCH_ROWS)
        return [step.rows.slice(start, size) for start in range(0, step.rows.num_rows, size)]

    def _write_step(self, step: WriteStep, rows: pa.Table | None, on_batch) -> None:
        if rows is not None and rows.num_rows == 0:
            return
        text = cypher.load(self.dialect, step.name).render(**step.identifiers)
        params = dict(step.params)
        if rows is None:  # DDL such as clear_cooccurs: one statement per call
            for statement in cypher.statements(text):
                self._execute(statement, params)
        else:
            self._execute(text, params | {"rows": rows})
        if on_batch:
            on_batch(step.name, rows.num_rows if rows is not None else 0)

    # -- vectors: node columns, written by rebuilding the label's tables -------------------
    def write_vectors(self, parts: list[LabelVectors], run_id: str, *, on_batch=None, merge: bool = False,
                      rewrites: frozenset = frozenset()) -> int:
        """Vectors become columns of the nodes (`embedding`, `context_embedding`, `embedding_run`),
        written by rebuilding each label's node table: LadybugDB rewrites array properties of
        existing nodes at about 300 µs a row, while a bulk COPY of the whole table runs at column
        speed (benchmarks/bench_vectors_on_nodes.py, 100k × 128 on a 1M-edge graph: 1.2× the COPY
        of a bare vector table, SET in place 4.5×).

        Each label's nodes, with every property the user gave them, are COPYed into a staging table
        with the vector columns; every relationship table touching one of those labels is COPYed
        into a staging table too (all its node pairs, except the `rewrites` pairs the caller is
        about to replace); then one transaction drops the originals and renames the staging tables.
        So readers see the old vectors of every written label or the new ones, never a mix, and an
        interruption before the swap leaves the store as it was (the staging tables are dropped by
        the next write).  Labels already holding exactly this run's vectors are skipped.

        An update adding vectors to fewer than a quarter of each label's nodes sets them in place
        instead, IN_PLACE_BATCH rows per transaction: at ~300 µs a row that is cheaper than copying
        every node (~80 µs each) and every relationship touching them.  Those batches are not one
        swap: until the last lands, some of the new nodes have vectors and others not yet, which
        the run record (`writing`) reports and a re-run completes.
        """
        tables = self._tables()
        self._drop_staging(tables)
        pending, skipped = [], 0
        for part in parts:
            plan = _NodePlan.read(self, part, run_id, merge)
            if plan.already_written:
                skipped += part.rows.num_rows - part.rows.column("run").null_count
            else:
                pending.append((part, plan))
        if not pending:
            return skipped
        plans = [plan for _, plan in pending]
        if any(plan.in_place is None for plan in plans):
            # one swap for every label or none: a label small enough to set in place is rebuilt with the others
            plans = [_NodePlan.read(self, part, run_id, merge, in_place=False) if plan.in_place is not None else plan
                     for part, plan in pending]
        if all(plan.in_place is not None for plan in plans):
            for plan in plans:
                for start in range(0, plan.in_place.num_rows, IN_PLACE_BATCH):
                    rows = plan.in_place.slice(start, IN_PLACE_BATCH)
                    with self._transaction():
                        self._run("store/set_node_vectors", {"rows": rows}, label=plan.label, key=plan.key)
                    if on_batch:
                        on_batch(rows.num_rows)
            return skipped
        rebuilt = {plan.label for plan in plans}
        connections = {name: self._connections(name) for name, kind in tables.items() if kind == "REL"}
        carried = {name: pairs for name, pairs in connections.items() if any(rebuilt & {a, b} for a, b, _, _ in pairs)}
        self._refuse_indexes(rebuilt | set(carried))
        rels = [_RelPlan.read(self, name, pairs, rebuilt, rewrites) for name, pairs in carried.items()]
        for plan in plans:
            self._run("store/create_node_table", table=_staging(plan.label), definition=plan.definition)
            self._run("store/copy_node_rows", {"rows": plan.rows}, table=_staging(plan.label))
            if on_batch:
                on_batch(plan.written)
        for rel in rels:
            self._stage(rel)
        legacy = [name for name in (label + "Embedding" for label in sorted(rebuilt))
                  if [c["name"] for c in self.node_columns(name)] == ["key", "embedding", "context_embedding", "run"]]
        with self._transaction():
            # stores written before vectors moved onto the nodes kept them in LabelEmbedding ...
            for name in [rel.name for rel in rels] + sorted(rebuilt) + legacy:
                self._run("store/drop_table", table=name)
            for name in sorted(rebuilt) + [rel.name for rel in rels]:
                self._run("store/rename_table", staging=_staging(name), table=name)
        return skipped

    def clear(self, step: WriteStep, rel_type: str, source: str, target: str) -> None:
        """Past CLEAR_BY_DELETE relationships, the table is rebuilt without them instead of
        running `step`: LadybugDB deletes about 40k relationships a second (10M document SIMILAR
        took 236 s) and copies 180k, and the rebuild copies only what it keeps."""
        tables = self._tables()
        connections = self._connections(rel_type) if tables.get(rel_type) == "REL" else []
        if not any((a, b) == (source, target) for a, b, _, _ in connections):
            return
        present = self.read("store/count_pattern", type=rel_type, source=source, target=target).column("n").to_pylist()
        if not present or present[0] <= CLEAR_BY_DELETE:
            return super().clear(step, rel_type, source, target)
        self._drop_staging(tables)
        self._refuse_indexes({rel_type})
        rel = _RelPlan.read(self, rel_type, connections, set(), frozenset({(rel_type, source, target)}))
        self._stage(rel)
        with self._transaction():
            self._run("store/drop_table", table=rel.name)
            self._run("store/rename_table", staging=_staging(rel.name), table=rel.name)

    def _stage(self, rel: "_RelPlan") -> None:
        """The staging copy of a relationship table, filled with the rows the plan carries."""
        self._run("store/create_rel_table", table=_staging(rel.name), definition=rel.definition)
        for (source, target), rows in rel.rows.items():  # the pairs as the staging table names them
            if rows.num_rows:
                self._run("store/copy_rel_rows", {"rows": rows}, table=_staging(rel.name), source=source, target=target)

    def rewrite_cheaper(self, replaced: int, total: int) -> bool:
        return replaced * DELETE_OVER_COPY > total

    def _run(self, name: str, params: dict | None = None, **identifiers) -> None:
        self._execute(cypher.load(self.dialect, name).render(**identifiers), params)

    def counts(self) -> dict[str, int]:
        """Nodes per label and relationships per type, one count per table: each is answered from
        the table, where count_all's grouped scan over every relationship took 225 ms at 100k
        documents and seconds at 1M, on every query."""
        if self._counts is not None:  # a read-only handle: nothing can change them
            return dict(self._counts)
        counts = {}
        for name, kind in self._tables().items():
            rows = self.read("store/count_nodes" if kind == "NODE" else "store/count_rels", table=name).column("n").to_pylist()
            if rows and rows[0]:
                counts[name] = int(rows[0])
        if self._read_only:
            self._counts = dict(counts)
        return counts

    def _tables(self) -> dict[str, str]:
        """Table name → NODE or REL."""
        rows = self.read("store/read_tables").to_pylist()
        return {r["name"]: r["type"] for r in rows}

    def _connections(self, rel: str) -> list[tuple[str, str, str, str]]:
        rows = self.read("store/read_connections", type=rel).to_pylist()
        return [(r["source"], r["target"], r["source_key"], r["target_key"]) for r in rows]

    def _drop_staging(self, tables: dict[str, str]) -> None:
        """Remove what an interrupted write left (relationship tables first: they reference nodes)."""
        for kind in ("REL", "NODE"):
            for name in sorted(t for t, k in tables.items() if k == kind and t.endswith(STAGING_SUFFIX)):
                self._run("store/drop_table", table=name)

    def _refuse_indexes(self, names: set[str]) -> None:
        for index in self.read("store/read_indexes").to_pylist():
            if index["table_name"] in names:
                raise GraphvecError(f"{self.location}: table {index['table_name']} has the {index['index_type']} index "
                                    f"{index['index_name']}, which writing vectors (a rebuild of the table) would drop; "
                                    "drop the index, embed, and create it again")

    def node_columns(self, label: str) -> list[dict]:
        """{name, type, default_value, primary_key} of a node table's columns; empty when there is no such table."""
        if self._tables().get(label) != "NODE":
            return []
        return self.read("store/read_node_columns", label=label).to_pylist()

    def _has_vectors_columns(self, label: str) -> bool:
        return any(c["name"] == "embedding_run" for c in self.node_columns(label))

    def read_vectors(self, label: str, key: str) -> pa.Table:
        if not self._has_vectors_columns(label):
            return pa.table({"key": pa.array([], pa.string()), "embedding": pa.array([], pa.list_(pa.float32())),
                             "context": pa.array([], pa.list_(pa.float32())), "run": pa.array([], pa.string())})
        return super().read_vectors(label, key)

    def read_vector(self, label: str, key: str, value) -> dict | None:
        return super().read_vector(label, key, value) if self._has_vectors_columns(label) else None

    def vector_runs(self, label: str) -> dict:
        return super().vector_runs(label) if self._has_vectors_columns(label) else {}

    def with_vector(self, label: str, key: str, keys, run: str | None = None) -> np.ndarray:
        if not self._has_vectors_columns(label):
            return np.zeros(len(keys), dtype=bool)
        return super().with_vector(label, key, keys, run)

    def cache_bytes(self) -> int:
        return buffer_pool_bytes()

    def cache_dir(self) -> Path:
        """Beside the store, so that deleting the store's folder deletes its cache too."""
        return Path(self.location + ".gvcache")

    def _derived(self, kind: str, counts: dict) -> bool:
        return super()._derived(kind, counts) or kind.endswith(STAGING_SUFFIX)

    def close(self) -> None:
        conn, self._conn = getattr(self, "_conn", None), None
        if conn is not None:
            conn.close()
            self._db.close()


_ARROW_KEY_TYPES = {"STRING": pa.string(), "INT64": pa.int64(), "INT32": pa.int32(), "INT16": pa.int16(),
                    "UINT64": pa.uint64(), "UINT32": pa.uint32()}
STAGING_SUFFIX = "_graphvec_staging"
VECTOR_COLUMNS = ("embedding", "context_embedding", "embedding_run")


def _staging(name: str) -> str:
    return name + STAGING_SUFFIX


def _fixed(values: np.ndarray, present: np.ndarray) -> pa.Array:
    """Rows of a float32 matrix as FLOAT[d] values, null where `present` is False."""
    flat = pa.array(np.ascontiguousarray(values, np.float32).ravel())
    return pa.FixedSizeListArray.from_arrays(flat, values.shape[1], mask=pa.array(~present))


@dataclass
class _NodePlan:
    """One label's rebuilt node table: its column list and every node's row, vectors included."""

    label: str
    key: str
    definition: cypher.Fragment
    rows: pa.Table
    written: int
    already_written: bool = False
    in_place: pa.Table | None = None  # rows to SET on existing nodes instead of a rebuild

    @classmethod
    def read(cls, store: "EmbeddedStore", part: LabelVectors, run_id: str, merge: bool, in_place: bool = True) -> "_NodePlan":
        label, where = part.label, store.location
        columns = store.node_columns(label)
        if not columns:
            raise GraphvecError(f"{where}: no node table {label}")
        names = {c["name"] for c in columns}
        if names & {"embedding", "context_embedding"} and "embedding_run" not in names:
            raise GraphvecError(f"{where}: node table {label} has its own property 'embedding' or 'context_embedding', "
                                "where graphvec writes vectors; rename it")
        (key_column,) = [c for c in columns if c["primary_key"]]
        if key_column["type"] == "SERIAL":
            raise GraphvecError(f"{where}: node table {label} has a SERIAL primary key, which a rebuild would renumber; "
                                "graphvec cannot write vectors onto it")
        if part.key not in names:
            raise GraphvecError(f"{where}: node table {label} has no property {part.key!r}")
        own = [c for c in columns if c["name"] not in VECTOR_COLUMNS]
        stored = {c["name"]: c["type"] for c in columns}
        wanted = [c["name"] for c in own] + (["embedding_run"] if "embedding_run" in stored else [])
        nodes = store.read("store/read_node_rows", label=label, columns=cypher.return_list([("n", c, c) for c in wanted]))
        n = nodes.num_rows
        keys = pc.cast(nodes.column(part.key), pa.string())
        part_rows = part.rows
        rows_at = pc.index_in(pc.cast(part_rows.column("key"), pa.string()), value_set=keys)
        if rows_at.null_count:
            missing = part_rows.column("key").filter(pc.is_null(rows_at))[0].as_py()
            raise GraphvecError(f"{where}: no {label} node with {part.key} {missing!r} to write a vector onto")
        at = rows_at.to_numpy(zero_copy_only=False).astype(np.int64)
        incoming = part_rows.column("run").combine_chunks()
        valid = pc.is_valid(incoming)
        written = len(at) - incoming.null_count
        old_runs = nodes.column("embedding_run").combine_chunks() if "embedding_run" in stored else pa.nulls(n, pa.string())
        old_at = old_runs.take(pa.array(at, pa.int64()))
        landed = pc.all(pc.fill_null(pc.equal(old_at.filter(valid), incoming.filter(valid)), False)).as_py()
        if written and landed and (merge or n - old_runs.null_count == written):
            return cls(label, part.key, cypher.Fragment(""), pa.table({}), 0, already_written=True)
        d = part_rows.schema.field("embedding").type.list_size
        merging = merge and n - old_runs.null_count > 0
        if merging and stored.get("embedding") != f"FLOAT[{d}]":
            raise GraphvecError(f"{where}: {label}'s stored vectors are {stored.get('embedding')}, the new ones FLOAT[{d}]; "
                                "run 'graphvec embed'")
        columns = own + [{"name": "embedding", "type": f"FLOAT[{d}]"}, {"name": "context_embedding", "type": f"FLOAT[{d}]"},
                         {"name": "embedding_run", "type": "STRING"}]
        definition = cypher.table_definition(columns, primary_key=key_column["name"])
        if not merging and len(at) == n:
            # every node has a row: the nodes' own columns follow the rows' order and the vector
            # columns are the rows' own (views of the Embedding's matrices), so no n × d matrix is copied
            table = nodes.select([c["name"] for c in own]).take(pa.array(at, pa.int64()))
            table = table.append_column("embedding", part_rows.column("embedding"))
            table = table.append_column("context_embedding", part_rows.column("context"))
            table = table.append_column("embedding_run", incoming)
            return cls(label, part.key, definition, table, written)
        if incoming.null_count:
            part_rows, at, incoming = part_rows.filter(valid), at[valid.to_numpy(zero_copy_only=False)], incoming.filter(valid)
        if merging and in_place and len(at) * 4 < n:
            key_type = _ARROW_KEY_TYPES.get(stored[part.key], pa.string())
            rows = part_rows.set_column(0, "key", pc.cast(part_rows.column("key"), key_type))
            return cls(label, part.key, cypher.Fragment(""), pa.table({}), len(at), in_place=rows)
        vectors, context = np.zeros((n, d), np.float32), np.zeros((n, d), np.float32)
        runs = np.full(n, None, object)
        if merging:
            old = store.read("store/read_node_rows", label=label, columns=cypher.return_list(
                [("n", part.key, "key"), ("n", "embedding", "embedding"), ("n", "context_embedding", "context")]))
            old = old.filter(pc.is_valid(old.column("embedding")))
            kept = pc.index_in(pc.cast(old.column("key"), pa.string()), value_set=keys).to_numpy(zero_copy_only=False).astype(np.int64)
            vectors[kept] = vector_matrix(old.column("embedding"), d)
            context[kept] = vector_matrix(old.column("context"), d)
            runs[kept] = old_runs.take(pa.array(kept, pa.int64())).to_numpy(zero_copy_only=False)
        vectors[at] = vector_matrix(part_rows.column("embedding"), d)
        context[at] = vector_matrix(part_rows.column("context"), d)
        runs[at] = incoming.to_numpy(zero_copy_only=False)
        present = runs != None  # noqa: E711
        table = nodes.select([c["name"] for c in own])
        table = table.append_column("embedding", _fixed(vectors, present)).append_column("context_embedding", _fixed(context, present))
        table = table.append_column("embedding_run", pa.array(runs, pa.string()))
        return cls(label, part.key, definition, table, len(at))


@dataclass
class _RelPlan:
    """One relationship table carried into the rebuild: its node pairs, columns and rows per pair."""

    name: str
    definition: cypher.Fragment
    rows: dict  # (source, target) as the staging table names them → the rows to COPY for that pair

    @classmethod
    def read(cls, store: "EmbeddedStore", name: str, connections: list[tuple[str, str, str, str]], rebuilt: set[str],
             rewrites: frozenset) -> "_RelPlan":
        columns = store.read("store/read_rel_columns", type=name).to_pylist()
        staged = lambda table: _staging(table) if table in rebuilt else table  # noqa: E731
        rows = {}
        for source, target, source_key, target_key in connections:
            if (name, source, target) in rewrites:
                continue
            returned = [("a", source_key, "from"), ("b", target_key, "to")] + [("r", c["name"], c["name"]) for c in columns]
            rows[(staged(source), staged(target))] = store.read("store/read_rel_rows", source=source, target=target, type=name,
                                                                columns=cypher.return_list(returned))
        pairs = [(staged(source), staged(target)) for source, target, _, _ in connections]
        return cls(name, cypher.table_definition(columns, pairs=pairs), rows)


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
