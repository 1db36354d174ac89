"""Neo4j 5.x / 2025.x through the official driver.

Thin on purpose: it sends the files in `cypher/neo4j/` with parameters and nothing else, so the
tests can check exactly what goes over the wire.  Credentials come from NEO4J_USER,
NEO4J_PASSWORD and NEO4J_DATABASE and are never printed; errors name the URI only.
"""

from __future__ import annotations

import os
from urllib.parse import unquote, urlsplit, urlunsplit

import pyarrow as pa
import pyarrow.compute as pc

from .. import cypher
from ..errors import GraphvecError
from .base import LabelVectors, Store, WriteStep

BATCH_ROWS = 10_000
VECTOR_BATCH_ROWS = 10_000  # rows per write_vectors batch: the unit a crashed write resumes from
# Vectors are heavy rows (2 × 128 floats): 2,500 to a transaction wrote 10k of them faster than
# 10,000 to one (2.2 s against 2.3 s) and lets two sessions share the work.
ROWS_PER_TRANSACTION = {"store/set_embeddings": 2_500}
# Steps whose batches may land in any order, in parallel sessions: each touches its own nodes'
# properties or creates relationships (CREATE) that nothing else in the step reads.  With the
# server on the same two cores, two sessions took SIMILAR (100k) from 3.6 s to 2.5 s.
PARALLEL_STEPS = {"store/set_embeddings", "create_similar", "create_predicted"}
WRITE_SESSIONS = 2


def split_credentials(uri: str) -> tuple[str, str | None, str | None]:
    """(uri without user info, user, password) for `scheme://user:password@host:port/…`."""
    parts = urlsplit(uri)
    if "@" not in parts.netloc:
        return uri, None, None
    userinfo, _, host = parts.netloc.rpartition("@")
    user, has_password, password = userinfo.partition(":")
    return urlunsplit(parts._replace(netloc=host)), unquote(user) or None, unquote(password) if has_password else None


class Neo4jStore(Store):
    dialect = "neo4j"

    def __init__(self, driver, location: str, database: str | None = None):
        self._driver = driver
        self.location = location
        self._database = database
        self._schemas_done: set[str] = set()

    @classmethod
    def from_environment(cls, uri: str) -> "Neo4jStore":
        """Connect with NEO4J_USER / NEO4J_PASSWORD, or with credentials a user typed into the URI
        (`bolt://user:secret@host`), which are taken out of it: the store's location, and so every
        message and run record, shows the URI without them."""
        import neo4j

        uri, user, password = split_credentials(uri)
        password = password if password is not None else os.environ.get("NEO4J_PASSWORD")
        if password is None:
            raise GraphvecError(f"{uri}: set NEO4J_PASSWORD (and NEO4J_USER, default 'neo4j') to connect")
        user = user or os.environ.get("NEO4J_USER", "neo4j")
        driver = neo4j.GraphDatabase.driver(uri, auth=(user, password))
        try:
            driver.verify_connectivity()
        except Exception as exc:  # the driver raises many types; none may leak the password
            driver.close()
            if isinstance(exc, neo4j.exceptions.AuthError):
                raise GraphvecError(f"{uri}: Neo4j refused user {user!r}: check NEO4J_USER and NEO4J_PASSWORD") from None
            raise GraphvecError(f"{uri}: cannot connect to Neo4j ({type(exc).__name__})") from None
        return cls(driver, uri, os.environ.get("NEO4J_DATABASE") or None)

    def _run(self, text: str, params: dict | None = None) -> pa.Table:
        records, _, keys = self._driver.execute_query(text, params or {}, database_=self._database)
        columns = {key: [record[key] for record in records] for key in keys}
        return pa.table(columns) if keys else pa.table({})

    def read(self, name: str, params: dict | None = None, **identifiers) -> pa.Table:
        import neo4j

        try:
            return self._run(cypher.load(self.dialect, name).render(**identifiers), params)
        except neo4j.exceptions.Neo4jError as exc:  # e.g. a vector index a user dropped
            raise GraphvecError(f"{self.location}: {name}.cypher failed: {exc.message or exc.code}") from None

    def run_text(self, text: str, params: dict | None = None) -> pa.Table:
        try:
            return self._run(text, params)
        except Exception as exc:
            raise GraphvecError(f"query failed: {' '.join(str(exc).split())}") from None

    def _run_statement(self, text: str) -> None:
        self._run(text)

    def _set_meta(self, values: dict[str, str]) -> None:
        rows = [{"key": k, "value": v} for k, v in values.items()]
        self._run(cypher.load(self.dialect, "set_meta").text, {"rows": rows})

    def write(self, steps: list[WriteStep], meta: dict[str, str], on_batch=None, atomic: bool = True) -> None:
        self.ensure_schema("schema_meta")
        if meta:
            self._set_meta({"write_state": "incomplete"})
        with self._driver.session(database=self._database) as session:
            for step in steps:
                text = cypher.load(self.dialect, step.name).render(**step.identifiers)
                if step.rows is None:
                    # auto-commit: statements such as CALL { … } IN TRANSACTIONS must not run inside
                    # a managed transaction; Neo4j takes one statement per query
                    for statement in cypher.statements(text):
                        session.run(statement, step.params).consume()
                    continue
                rows = step.rows.to_pylist()
                size = ROWS_PER_TRANSACTION.get(step.name, BATCH_ROWS)
                batches = [rows[start: start + size] for start in range(0, len(rows), size)]
                if step.name in PARALLEL_STEPS and len(batches) > 1:
                    landed = self._write_in_parallel(text, step.params, batches)
                else:
                    landed = (self._write_batch(session, text, step.params, batch) for batch in batches)
                for batch_rows in landed:
                    if on_batch:
                        on_batch(step.name, batch_rows)
        if meta:
            self._set_meta({**meta, "write_state": "complete"})

    @staticmethod
    def _write_batch(session, text: str, params: dict, batch: list) -> int:
        # execute_write retries transient errors (deadlocks, leader changes) with backoff
        session.execute_write(lambda tx: tx.run(text, {**params, "rows": batch}).consume())
        return len(batch)

    def _write_in_parallel(self, text: str, params: dict, batches: list[list]):
        """Yield each batch's row count as it lands, in order; each worker thread has its own
        session (sessions are not thread-safe, the driver is)."""
        from concurrent.futures import ThreadPoolExecutor

        def work(batch: list) -> int:
            with self._driver.session(database=self._database) as session:
                return self._write_batch(session, text, params, batch)

        with ThreadPoolExecutor(WRITE_SESSIONS) as pool:
            yield from pool.map(work, batches)

    # -- vectors: node properties, written in batches ---------------------------------------
    def write_vectors(self, parts: list[LabelVectors], run_id: str, *, on_batch=None, merge: bool = False,
                      rewrites: frozenset = frozenset()) -> int:
        """Vectors are node properties, set in place batch by batch: a crash leaves a mix of two
        runs, which the run tags reveal and a re-run of the same run completes, skipping the nodes
        already written.  SIMILAR and PREDICTED are not touched here (`rewrites` is moot)."""
        return sum(self._write_label_vectors(part.label, part.key, part.rows, run_id, on_batch, merge) for part in parts)

    def _write_label_vectors(self, label: str, key: str, rows: pa.Table, run_id: str, on_batch, merge: bool) -> int:
        dimensions = rows.schema.field("embedding").type.list_size
        rows = rows.filter(pc.is_valid(rows.column("embedding"))) if rows.column("embedding").null_count else rows
        ids = {"label": label, "key": key}
        meta = self.meta()
        previous = meta.get(f"embedding_dimensions:{label}")
        if previous is not None and int(previous) != dimensions:
            self.write([WriteStep("store/drop_embedding", identifiers={**ids, "index_name": f"embedding_{label}"})], {})
        self.ensure_schema_with("store/schema_embedding", label=label, dimensions=dimensions)
        self.write([], {f"embedding_dimensions:{label}": str(dimensions)})
        current = self.read("store/read_node_runs", **ids).to_pylist()
        done = {str(r["key"]) for r in current if r["run"] == run_id}
        had = {str(r["key"]) for r in current if r["run"] is not None}
        keys = [str(k) for k in rows.column("key").to_pylist()]
        todo = rows.filter(pa.array([k not in done for k in keys]))
        for start in range(0, todo.num_rows, VECTOR_BATCH_ROWS):
            batch = todo.slice(start, VECTOR_BATCH_ROWS)
            self.write([WriteStep("store/set_embeddings", batch, identifiers=ids)], {}, atomic=False)
            if on_batch:
                on_batch(batch.num_rows)
        clear = [] if merge else sorted(had - set(keys))
        if clear:
            self.write([WriteStep("store/clear_embeddings", pa.table({"key": pa.array(clear, pa.string())}), identifiers=ids)], {},
                       atomic=False)
        return rows.num_rows - todo.num_rows

    def close(self) -> None:
        self._driver.close()
