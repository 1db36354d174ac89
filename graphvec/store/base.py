"""The store interface: named reads, atomic-or-resumable lists of named writes, and metadata.

A store only knows how to run the query files of its dialect.  Callers say *what* to run by file
name (`read_documents`, `create_has_label` …) and hand rows as an Arrow table; each dialect's file
decides *how* (LadybugDB: `COPY`/`LOAD FROM $rows`; Neo4j: `UNWIND $rows AS row … MERGE`).
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass, field

import pyarrow as pa

from .. import cypher



@dataclass
class WriteStep:
    """Run query file `name` over `rows` (omit rows for a statement without $rows)."""

    name: str
    rows: pa.Table | None = None
    params: dict = field(default_factory=dict)
    identifiers: dict = field(default_factory=dict)


GRAPHVEC_OWN = {"GraphvecMeta", "EmbeddingRun", "SIMILAR", "PREDICTED"}


class Store(ABC):
    dialect: str = ""
    location: str = ""

    # -- queries -------------------------------------------------------------------------
    @abstractmethod
    def read(self, name: str, params: dict | None = None, **identifiers) -> pa.Table:
        """Run a read query file and return all rows as an Arrow table."""

    @abstractmethod
    def run_text(self, text: str, params: dict | None = None) -> pa.Table:
        """Run an arbitrary query (the `graphvec query` command: analysts' own files)."""

    def ensure_schema_with(self, name: str, **identifiers) -> None:
        """Run a schema file whose placeholders name a label (e.g. vector columns of one table)."""
        key = (name, tuple(sorted(identifiers.items())))
        if key in self._schemas_done:
            return
        for statement in cypher.statements(cypher.load(self.dialect, name).render(**identifiers)):
            self._run_statement(statement)
        self._schemas_done.add(key)

    def ensure_schema(self, name: str) -> None:
        """Run a schema file (idempotent DDL: tables, constraints, indexes)."""
        self.ensure_schema_with(name)

    @abstractmethod
    def _run_statement(self, text: str) -> None: ...

    @abstractmethod
    def write(self, steps: list[WriteStep], meta: dict[str, str], on_batch=None, atomic: bool = True) -> None:
        """Apply the steps so that the store ends with all of them or, after a failure, says so.

        The embedded store runs them in one transaction (all or nothing), or, with atomic=False,
        each step as its own statement.  Neo4j runs them in batches of about 10k rows per
        transaction, marks the store `write_state=incomplete` first and `complete` last; every step
        is idempotent, so re-running the same command resumes.  An empty `meta` leaves the store's
        state keys alone (write-back tracks its progress in its run record instead).
        """

    @abstractmethod
    def close(self) -> None: ...

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- metadata ------------------------------------------------------------------------
    def counts(self) -> dict[str, int]:
        """Nodes per label and relationships per type."""
        return {row["kind"]: row["n"] for row in self.read("count_all").to_pylist()}

    def meta(self) -> dict[str, str]:
        if "GraphvecMeta" not in self.counts():
            return {}
        table = self.read("read_meta")
        return dict(zip(table.column("key").to_pylist(), table.column("value").to_pylist()))

    def fingerprint(self) -> str:
        """Identifies the store's graph state: changes whenever graphvec writes to it.

        The meta `version` is renewed by every ingest; node and relationship counts catch most
        edits made by other tools as well (use `--no-cache` after edits that keep them).  What
        graphvec derives from the graph (vectors, SIMILAR, run records) does not count: writing
        vectors back leaves the fingerprint, and so the cached projection, as it was.
        """
        graph_counts = {k: v for k, v in self.counts().items() if k not in GRAPHVEC_OWN}
        payload = json.dumps({"version": self.meta().get("version", ""), "counts": graph_counts}, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def new_version_meta(**extra: str) -> dict[str, str]:
    meta = {"version": uuid.uuid4().hex, "updated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    meta.update({k: str(v) for k, v in extra.items()})
    return meta
