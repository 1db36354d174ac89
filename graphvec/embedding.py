"""Vectors with their node names: the object every step after training hands on.

An `Embedding` is what gensim users know as KeyedVectors, for a graph: one row per node, the
node's key and label, its input vector and its context (output) vector, whether it has a vector
at all, and the run that made it.  Training works on dense row numbers; the store works on node
keys.  The two meet here only: `Embedding.from_projection` names a training's rows, a store's
`read_embedding` returns one, and `rows_of` turns keys back into rows for everything else.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute  # noqa: F401  (pa.compute)

from . import align
from .errors import GraphvecError

DEFAULT_NODE_KEYS = {"Document": "id", "Label": "name", "Node": "id"}


def utc_now() -> str:
    """The timestamp every record graphvec writes carries (ISO 8601, UTC, seconds)."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def new_run_id() -> tuple[str, str]:
    """A new run's id and creation time: vector tags, SIMILAR's `run` and the run record use both."""
    return uuid.uuid4().hex[:12], utc_now()


def positions(keys: np.ndarray, query) -> np.ndarray:
    """Row of each queried key among `keys` (-1 where absent): how keyed rows from the store become arrays."""
    index = pd.Index(np.asarray(keys).astype(str))
    if not index.is_unique:
        raise GraphvecError("node keys repeat across labels here: look rows up in one label's Embedding (.for_label)")
    if isinstance(query, (pa.Array, pa.ChunkedArray)):  # a store column: no Python object per row on the way
        # each distinct key looked up once: relationship columns repeat their nodes' keys (10M
        # SIMILAR ends over 1M documents took 20 s a column as one Python string per row); chunk
        # by chunk and as int32, so 52M stored SIMILAR ends at 5M documents take no second copy
        chunks = query.chunks if isinstance(query, pa.ChunkedArray) else [query]
        rows = [np.zeros(0, np.int32)]
        for chunk in chunks:
            encoded = pa.compute.dictionary_encode(pa.compute.cast(chunk, pa.string()))
            found = pa.array(index.get_indexer(encoded.dictionary.to_numpy(zero_copy_only=False)).astype(np.int32))
            rows.append(pa.compute.fill_null(found.take(encoded.indices), -1).to_numpy(zero_copy_only=False))  # a null key: -1
        return np.concatenate(rows)
    return index.get_indexer([str(k) for k in query])


def vector_matrix(column: pa.Array | pa.ChunkedArray, dimensions: int) -> np.ndarray:
    """A column of equal-length float lists (no nulls) as an n × d float32 matrix, through
    Arrow's flat buffer (a Python list per vector cost 85 s and 8 GB at 1M vectors)."""
    if len(column) == 0:
        return np.zeros((0, dimensions), np.float32)
    chunks = column.chunks if isinstance(column, pa.ChunkedArray) else [column]
    flat = pa.concat_arrays([chunk.flatten() for chunk in chunks])
    return np.asarray(flat.to_numpy(zero_copy_only=False), np.float32).reshape(-1, dimensions)


def _vector_column(matrix: np.ndarray, absent: np.ndarray | None = None) -> pa.Array:
    """Rows of a float32 matrix as a FixedSizeList column, null where `absent`; a view of the
    matrix's buffer, not a copy, when it is already contiguous float32."""
    matrix = np.ascontiguousarray(matrix, dtype=np.float32)
    mask = pa.array(absent) if absent is not None and absent.any() else None
    return pa.FixedSizeListArray.from_arrays(pa.array(matrix.ravel()), matrix.shape[1], mask=mask)


@dataclass
class Embedding:
    keys: np.ndarray  # object array of str: the node key (Label.name, Document.id …)
    labels: np.ndarray  # object array of str: each row's node label
    vectors: np.ndarray  # float32 (nodes × dimensions): the input vectors, what similarity uses
    context: np.ndarray  # float32, same shape: output vectors (e·c estimates PMI; graphvec.scoring)
    has_vector: np.ndarray  # bool: False for nodes never walked or never in a window
    run_id: str | None = None
    key_properties: dict = field(default_factory=dict)  # label → property holding the key
    degrees: np.ndarray | None = None  # in the projection; picks the sample nodes `embed` shows
    runs: dict = field(default_factory=dict)  # for stored vectors: how many came from each run
    metadata: dict = field(default_factory=dict)

    def __post_init__(self):
        self.keys = np.asarray(self.keys, dtype=object)
        self.labels = np.asarray(self.labels, dtype=object)
        self.has_vector = np.asarray(self.has_vector, dtype=bool)
        self._index: dict | None = None

    # -- building ---------------------------------------------------------------------------
    @classmethod
    def from_projection(cls, projection, vectors: np.ndarray, context: np.ndarray, has_vector: np.ndarray,
                        run_id: str | None = None, metadata: dict | None = None) -> "Embedding":
        """Name the rows of a training on `projection` (row i is the projection's node i)."""
        if len(vectors) != projection.node_count:
            raise GraphvecError(f"the vectors cover {len(vectors)} nodes but the projection has {projection.node_count}; "
                                "the graph changed since training: run 'graphvec embed' again")
        labels = np.asarray(projection.label_names, dtype=object)[projection.node_label.astype(np.int64)]
        return cls(projection.names, labels, vectors, context, has_vector, run_id,
                   {label: projection.spec.key_for(label) for label in projection.label_names}, projection.degrees(),
                   metadata=dict(metadata or {}))

    @classmethod
    def from_arrow(cls, label: str, key_property: str, table: pa.Table, keys=None) -> "Embedding":
        """Stored vectors ({key, embedding, context, run} rows) of one label.  With `keys`, one row
        per given key in that order, zero and without a vector where nothing is stored (stored
        vectors of other keys are left out); without, one row per stored vector."""
        stored = pa.compute.cast(table.column("key"), pa.string()).to_numpy(zero_copy_only=False).astype(object)
        dimensions = len(table.column("embedding")[0]) if table.num_rows else 0
        embedding = vector_matrix(table.column("embedding"), dimensions)
        context = vector_matrix(table.column("context"), dimensions)
        if keys is None:
            keys = stored
            rows = np.arange(len(stored))
        else:
            keys = np.array([str(k) for k in keys], dtype=object)
            rows = positions(keys, stored)
        found = rows >= 0
        n = len(keys)
        vectors, contexts, has = np.zeros((n, dimensions), np.float32), np.zeros((n, dimensions), np.float32), np.zeros(n, bool)
        vectors[rows[found]], contexts[rows[found]], has[rows[found]] = embedding[found], context[found], True
        runs = dict(Counter(table.column("run").to_pylist()))
        latest = max(runs, key=runs.get) if runs else None
        return cls(keys, np.full(n, label, dtype=object), vectors, contexts, has, latest, {label: key_property}, runs=runs)

    # -- KeyedVectors-like access -------------------------------------------------------------
    def __len__(self) -> int:
        return len(self.keys)

    @property
    def dimensions(self) -> int:
        return int(self.vectors.shape[1]) if self.vectors.ndim == 2 else 0

    @property
    def label_names(self) -> tuple[str, ...]:
        return tuple(str(label) for label in pd.unique(self.labels))  # not a Python loop over 5M rows: it is asked often

    @property
    def label(self) -> str:
        """The node label of a one-label Embedding (as `for_label` returns)."""
        if len(self.label_names) != 1:
            raise GraphvecError(f"this embedding holds {len(self.label_names)} node labels; take one with .for_label(label)")
        return self.label_names[0]

    @property
    def key_property(self) -> str:
        """The property naming the nodes of a one-label Embedding (Label.name, Document.id …)."""
        return self.key_properties[self.label]

    def _row(self, key) -> int:
        if self._index is None:
            frame = pd.Series(np.arange(len(self.keys)), index=self.keys.astype(str))
            self._index = {"rows": frame[~frame.index.duplicated(keep=False)].to_dict(),
                           "ambiguous": set(frame.index[frame.index.duplicated()])}
        key = str(key)
        if key in self._index["ambiguous"]:
            raise KeyError(f"{key!r} names nodes of several labels; pick one with .for_label(label)")
        if key not in self._index["rows"]:
            raise KeyError(f"{key!r} is not a node of this embedding")
        return self._index["rows"][key]

    def __contains__(self, key) -> bool:
        try:
            return bool(self.has_vector[self._row(key)])
        except KeyError:
            return False

    def __getitem__(self, key) -> np.ndarray:
        row = self._row(key)
        if not self.has_vector[row]:
            raise KeyError(f"{key!r} has no vector (never walked, or never had a neighbour in a walk)")
        return self.vectors[row]

    def rows_of(self, keys) -> np.ndarray:
        """Row of each key (-1 for keys that are not nodes here), for turning keyed data into arrays."""
        return positions(self.keys, keys)

    def for_label(self, label: str) -> "Embedding":
        """The rows of one node label, as an Embedding of their own."""
        if label not in self.label_names:
            raise GraphvecError(f"no {label} nodes in this embedding (has: {', '.join(self.label_names) or 'none'})")
        return self.select(self.labels == label)

    def with_label(self, part: "Embedding") -> "Embedding":
        """These rows with one label's rows replaced by (or joined with) `part`, which takes this run id."""
        label = part.label_names[0]
        parts = [self.for_label(name) for name in self.label_names if name != label] + [part]
        joined = Embedding.concat(parts)
        joined.run_id, joined.metadata = self.run_id, dict(self.metadata)
        return joined

    @classmethod
    def concat(cls, parts: list["Embedding"]) -> "Embedding":
        dimensions = {p.dimensions for p in parts}
        if len(dimensions) > 1:
            raise GraphvecError(f"cannot join vectors of {', '.join(map(str, sorted(dimensions)))} dimensions")
        degrees = None if any(p.degrees is None for p in parts) else np.concatenate([p.degrees for p in parts])
        runs = dict(sum((Counter(p.runs) for p in parts), Counter()))
        return cls(np.concatenate([p.keys for p in parts]), np.concatenate([p.labels for p in parts]),
                   np.concatenate([p.vectors for p in parts]), np.concatenate([p.context for p in parts]),
                   np.concatenate([p.has_vector for p in parts]), parts[0].run_id,
                   {k: v for p in parts for k, v in p.key_properties.items()}, degrees, runs, dict(parts[0].metadata))

    def select(self, mask: np.ndarray) -> "Embedding":
        """The rows where `mask` holds.  When they are one contiguous block (a label's rows always
        are: nodes are sorted by label) the arrays are views of these, as numpy slices are, so a
        million-document label is not copied to be written."""
        rows = np.flatnonzero(mask)
        if len(rows) and rows[-1] - rows[0] + 1 == len(rows):
            mask = slice(int(rows[0]), int(rows[-1]) + 1)
        return Embedding(self.keys[mask], self.labels[mask], self.vectors[mask], self.context[mask], self.has_vector[mask],
                         self.run_id, {k: v for k, v in self.key_properties.items() if k in set(self.labels[mask].tolist())},
                         None if self.degrees is None else self.degrees[mask], dict(self.runs), dict(self.metadata))

    def release_vectors(self, context_only: bool = False) -> None:
        """Let go of the context vectors, and unless `context_only` the vectors: each becomes an
        all-zero, read-only stand-in of the same shape that takes no memory, while keys, labels and
        has_vector stay.  For a writer done with them and facing a large step (5M documents'
        vectors are 5 GB)."""
        zero = np.broadcast_to(np.zeros((1, self.dimensions), np.float32), self.vectors.shape)
        self.context = zero
        if not context_only:
            self.vectors = zero

    def most_similar(self, key, topn: int = 10) -> list[tuple[str, float]]:
        """The `topn` nodes of the same label nearest to `key` by cosine, best first."""
        row = self._row(key)
        if not self.has_vector[row]:
            raise KeyError(f"{key!r} has no vector")
        candidates = np.flatnonzero((self.labels == self.labels[row]) & self.has_vector)
        candidates = candidates[candidates != row]
        unit = self.vectors[candidates] / np.maximum(np.linalg.norm(self.vectors[candidates], axis=1, keepdims=True), 1e-12)
        scores = unit @ (self.vectors[row] / max(float(np.linalg.norm(self.vectors[row])), 1e-12))
        best = np.argsort(-scores, kind="stable")[:topn]
        return [(str(self.keys[candidates[i]]), float(scores[i])) for i in best]

    def rotate_onto(self, other: "Embedding") -> dict:
        """Rotate these vectors, input and context alike, onto `other`'s (orthogonal Procrustes on
        the nodes both have vectors for): every cosine and e·c stays, coordinates move towards
        `other`'s.  Returns the drift, as the mean cosine between shared nodes before and after."""
        mine = pd.MultiIndex.from_arrays([self.labels.astype(str), self.keys.astype(str)])
        theirs = pd.MultiIndex.from_arrays([other.labels.astype(str), other.keys.astype(str)])
        rows = theirs.get_indexer(mine)
        shared = (rows >= 0) & self.has_vector
        shared[shared] = other.has_vector[rows[shared]]
        if shared.sum() < self.dimensions:
            raise GraphvecError(f"--align-previous needs at least as many nodes embedded by both runs as dimensions "
                                f"({int(shared.sum())} < {self.dimensions}): too few to fit a rotation")
        target = other.vectors[rows[shared]]
        before = align.mean_cosine(self.vectors[shared], target)
        r = align.rotation(self.vectors[shared], target)
        self.vectors[:] = np.where(self.has_vector[:, None], self.vectors @ r, 0)
        self.context[:] = np.where(self.has_vector[:, None], self.context @ r, 0)
        return {"previous_run": other.run_id, "shared_nodes": int(shared.sum()),
                "mean_cosine": round(align.mean_cosine(self.vectors[shared], target), 4), "mean_cosine_unaligned": round(before, 4)}

    # -- files and writing ----------------------------------------------------------------------
    def to_arrow(self, mask: np.ndarray | None = None) -> pa.Table:
        """{key, embedding, context, run} rows, what a store's write_vectors takes.  Without
        `mask`, one row per node, null where it has no vector: the vector columns are then views
        of these matrices, so five million documents' vectors are not copied to be written.  With
        it, the rows of the nodes within `mask` that have a vector."""
        if mask is None:
            absent = ~self.has_vector
            run = pa.repeat(pa.scalar(self.run_id, pa.string()), len(self))
            return pa.table({"key": pa.array(self.keys.astype(str)), "embedding": _vector_column(self.vectors, absent),
                             "context": _vector_column(self.context, absent),
                             "run": pa.compute.if_else(pa.array(self.has_vector), run, pa.scalar(None, pa.string()))})
        mask = mask & self.has_vector
        return pa.table({"key": pa.array(self.keys[mask].astype(str)), "embedding": _vector_column(self.vectors[mask]),
                         "context": _vector_column(self.context[mask]),
                         "run": pa.repeat(pa.scalar(self.run_id, pa.string()), int(mask.sum()))})

    def save_word2vec_format(self, path: Path, *, context: bool = False) -> int:
        """The word2vec text format gensim's KeyedVectors.load_word2vec_format reads (nodes with a
        vector only); returns how many were written."""
        keys = self.keys[self.has_vector].astype(str)
        if any(any(c.isspace() for c in k) for k in keys):
            raise GraphvecError("some keys contain spaces, which the word2vec text format cannot hold; use --format npy")
        matrix = (self.context if context else self.vectors)[self.has_vector]
        with Path(path).open("w", encoding="utf-8") as handle:
            handle.write(f"{len(keys)} {self.dimensions}\n")
            for name, row in zip(keys, matrix):
                handle.write(name + " " + " ".join(f"{x:.6g}" for x in row) + "\n")
        return len(keys)

    def save(self, path: Path) -> None:
        path = Path(path)
        tmp = path.with_name(path.name + ".partial.npz")
        np.savez(tmp, keys=self.keys.astype(str), labels=self.labels.astype(str), vectors=self.vectors, context=self.context,
                 has_vector=self.has_vector, meta=np.array(json.dumps({"run_id": self.run_id, "key_properties": self.key_properties,
                                                                        "metadata": self.metadata}, default=json_default)))
        os.replace(tmp, path)  # never a half-written file under the real name

    @classmethod
    def load(cls, path: Path) -> "Embedding":
        path = Path(path)
        if not path.exists():
            raise GraphvecError(f"{path}: no such file (run 'graphvec train' first)")
        try:
            with np.load(path, allow_pickle=False) as data:
                meta = json.loads(str(data["meta"]))
                return cls(data["keys"].astype(object), data["labels"].astype(object), data["vectors"], data["context"],
                           data["has_vector"], meta["run_id"], meta["key_properties"], metadata=meta["metadata"])
        except (KeyError, ValueError, OSError) as exc:
            raise GraphvecError(f"{path}: not a vectors file written by 'graphvec train' ({exc})") from None


def json_default(value):
    """How numpy values (and anything else json cannot write) go into the JSON graphvec stores."""
    return value.tolist() if isinstance(value, (np.ndarray, np.generic)) else str(value)
