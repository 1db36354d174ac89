"""The store interface: named reads, atomic-or-resumable lists of named writes, and metadata.

A store only knows how to run the query files of its dialect.  Callers say *what* to run by file
name (`read_documents`, `create_has_label` …) and hand rows as an Arrow table; each dialect's file
decides *how* (LadybugDB: `COPY`/`LOAD FROM $rows`; Neo4j: `UNWIND $rows AS row … MERGE`).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from abc import ABC, abstractmethod
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from .. import cypher
from ..embedding import DEFAULT_NODE_KEYS, Embedding, positions, utc_now, vector_matrix
from ..errors import GraphvecError



@dataclass
class WriteStep:
    """Run query file `name` over `rows` (omit rows for a statement without $rows)."""

    name: str
    rows: pa.Table | None = None
    params: dict = field(default_factory=dict)
    identifiers: dict = field(default_factory=dict)


@dataclass
class LabelVectors:
    """One label's vectors to write: `rows` {key, embedding, context, run}, keyed by property `key`;
    a row whose embedding is null is a node without a vector (Embedding.to_arrow)."""

    label: str
    key: str
    rows: pa.Table


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

        The embedded store runs them in one transaction (all or nothing) up to a million rows;
        past that, or with atomic=False, it commits them in batches (marked as below when `meta` is
        given).  Neo4j runs them in batches of about 10k rows per
        transaction, marks the store `write_state=incomplete` first and `complete` last; every step
        is idempotent, so re-running the same command resumes.  An empty `meta` leaves the store's
        state keys alone (write-back tracks its progress in its run record instead).
        """

    @abstractmethod
    def close(self) -> None: ...

    def clear(self, step: WriteStep, rel_type: str, source: str, target: str) -> None:
        """Remove every `rel_type` relationship from `source` to `target` nodes, which `step` (a
        query file deleting exactly those) does here; a store may do it another way."""
        self.write([step], {}, atomic=False)

    def rewrite_cheaper(self, replaced: int, total: int) -> bool:
        """Whether replacing `replaced` of a relationship pattern's `total` rows costs less by
        clearing the pattern and writing every row again than by deleting those rows one by one."""
        return False

    # -- vectors -------------------------------------------------------------------------
    @abstractmethod
    def write_vectors(self, parts: list[LabelVectors], run_id: str, *, on_batch=None, merge: bool = False,
                      rewrites: frozenset = frozenset()) -> int:
        """Make each part's rows the vectors of its label's nodes (properties `embedding`,
        `context_embedding`, `embedding_run`); return how many rows a previous, interrupted write
        of the same run had already landed (and were skipped).  Nodes of a written label that had a
        vector but get none now lose it; with `merge` (`graphvec update`), the rows are added to
        the vectors already there instead.  `rewrites` names the (relationship type, from label,
        to label) pairs the caller rewrites right after (SIMILAR, PREDICTED), which a store that
        has to copy relationships may leave out.  `on_batch(rows)` is called after each batch lands."""

    def read_vectors(self, label: str, key: str) -> pa.Table:
        """Every stored vector of `label`: {key, embedding, context, run}; empty when there is none."""
        return self.read("read_embeddings", label=label, key=key)

    def read_vectors_of(self, label: str, key: str, keys) -> tuple[np.ndarray, np.ndarray]:
        """(at, vectors): `vectors[i]` (float32) is the stored vector of `keys[at[i]]`, for each of
        `keys` that has one; the vectors alone, without their context vectors or runs (half the
        memory of read_vectors, and no second n × d matrix to put them in order)."""
        if not self.has_vectors(label):
            return np.zeros(0, np.int64), np.zeros((0, 0), np.float32)
        table = self.read("read_embedding_only", label=label, key=key)
        rows = positions(np.asarray(keys), table.column("key"))
        vectors = vector_matrix(table.column("embedding"), len(table.column("embedding")[0]) if table.num_rows else 0)
        found = rows >= 0
        return rows[found], vectors[found] if not found.all() else vectors

    def read_vector(self, label: str, key: str, value) -> dict | None:
        """One node's {embedding, context, run}, or None when it has no vector."""
        rows = self.read("read_node_vector", {"key": value}, label=label, key=key).to_pylist()
        return rows[0] if rows else None

    def vector_runs(self, label: str) -> dict:
        """How many of `label`'s nodes carry a vector of each run."""
        return {r["run"]: r["n"] for r in self.read("read_embedding_runs", label=label).to_pylist()}

    def with_vector(self, label: str, key: str, keys, run: str | None = None) -> np.ndarray:
        """Which of `keys` (nodes of `label`) carry a vector (of `run` when given), read without
        the vectors themselves (reading a million document vectors to learn this took 22 s in
        `update`)."""
        wanted = pa.array(np.asarray(keys).astype(str), pa.string())
        table = self.read("read_vector_keys", label=label, key=key)
        if run is not None:
            table = table.filter(pa.compute.equal(table.column("run"), run))
        stored = pa.compute.cast(table.column("key"), pa.string())
        return pa.compute.is_in(wanted, value_set=stored.combine_chunks()).to_numpy(zero_copy_only=False)

    def has_vectors(self, label: str) -> bool:
        return bool(self.vector_runs(label))

    def read_embedding(self, label: str | None = None, *, key: str | None = None, keys=None, projection=None) -> Embedding:
        """Stored vectors as an Embedding: of one label (every stored vector, or one row per given
        key in that order), or, with `projection`, one row per projection node in its order (what
        `update` and `--align-previous` compare a new training with).  Rows without a stored
        vector are zero and marked so."""
        if projection is None:
            key = key or DEFAULT_NODE_KEYS.get(label, "id")
            return Embedding.from_arrow(label, key, self.read_vectors(label, key), keys)
        members = [projection.node_label == code for code in range(len(projection.label_names))]
        parts = [self.read_embedding(label, key=projection.spec.key_for(label), keys=projection.names[rows])
                 for label, rows in zip(projection.label_names, members)]
        dimensions = {part.dimensions for part in parts if part.has_vector.any()}
        if not dimensions:
            raise GraphvecError(f"{self.location}: no stored vectors for {', '.join(projection.label_names)}; run 'graphvec embed' first")
        if len(dimensions) > 1:
            raise GraphvecError(f"{self.location}: stored vectors of {', '.join(projection.label_names)} differ in dimensions "
                                f"({', '.join(map(str, sorted(dimensions)))}); run 'graphvec embed'")
        d = dimensions.pop()
        n = projection.node_count
        vectors, context, has = np.zeros((n, d), np.float32), np.zeros((n, d), np.float32), np.zeros(n, bool)
        for rows, part in zip(members, parts):
            if part.has_vector.any():
                vectors[rows], context[rows], has[rows] = part.vectors, part.context, part.has_vector
        stored = Embedding.from_projection(projection, vectors, context, has, self.meta().get("embedding_run"))
        stored.runs = dict(sum((Counter(part.runs) for part in parts), Counter()))
        return stored

    def _derived(self, kind: str, counts: dict) -> bool:
        """Tables graphvec derives from the graph (vectors, SIMILAR, run records): not part of it."""
        return kind in GRAPHVEC_OWN

    def cache_bytes(self) -> int:
        """Memory this process's database client may hold as page cache while it writes (none:
        a server keeps its own)."""
        return 0

    def cache_dir(self) -> Path:
        """Where projections of this store are cached: per user, named after the store's location."""
        return Path.home() / ".cache" / "graphvec" / hashlib.sha256(self.location.encode()).hexdigest()[:12]

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
        counts = self.counts()
        graph_counts = {k: v for k, v in counts.items() if not self._derived(k, counts)}
        payload = json.dumps({"version": self.meta().get("version", ""), "counts": graph_counts}, sort_keys=True, default=str)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def new_version_meta(**extra: str) -> dict[str, str]:
    meta = {"version": uuid.uuid4().hex, "updated_at": utc_now()}
    meta.update({k: str(v) for k, v in extra.items()})
    return meta
