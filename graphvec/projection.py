"""Store → CSR arrays: the only place graph data crosses from the database into numpy.

A projection names node labels and relationship types (each with an optional weight property),
like a GDS native projection.  Nodes get dense ids once, here, sorted by label then key, so the
same store state always yields the same ids.  The result is cached on disk under a fingerprint of
the store state and the projection spec, so walks after the first do not re-read the database.

CSR layout: `indptr` int64 (edge counts can pass 2³¹), `indices` int32 sorted within each row
(the walk engine binary-searches rows), `weights` float32.  Undirected projections store each
edge in both rows; a self-loop appears once.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import scipy.sparse as sp

from .cypher import quote_identifier
from .embedding import DEFAULT_NODE_KEYS
from .errors import GraphvecError
from .store import Store


@dataclass(frozen=True)
class ProjectionSpec:
    """What to project.  `relationships` pairs a type with its weight property (None: weight 1)."""

    node_labels: tuple[str, ...]
    relationships: tuple[tuple[str, str | None], ...]
    directed: bool = False
    node_keys: tuple[tuple[str, str], ...] = ()
    min_df: int | None = None  # applies to Label nodes: labels rarer than this are left out

    @property
    def weighted(self) -> bool:
        return any(weight for _, weight in self.relationships)

    def key_for(self, label: str) -> str:
        return dict(self.node_keys).get(label, DEFAULT_NODE_KEYS.get(label, "id"))

    @classmethod
    def from_dict(cls, data: dict) -> "ProjectionSpec":
        """The spec a run record or walk file stored (asdict of one)."""
        return cls(tuple(data["node_labels"]), tuple((t, w) for t, w in data["relationships"]), data["directed"],
                   tuple((a, b) for a, b in data["node_keys"]), data["min_df"])

    def digest(self) -> str:
        return hashlib.sha256(json.dumps(asdict(self), sort_keys=True).encode()).hexdigest()[:16]


PRESETS = {
    "labels": ProjectionSpec(("Label",), (("CO_OCCURS", "count"),)),
    "bipartite": ProjectionSpec(("Document", "Label"), (("HAS_LABEL", None),)),
    "both": ProjectionSpec(("Document", "Label"), (("HAS_LABEL", None), ("CO_OCCURS", None))),
    "graph": ProjectionSpec(("Node",), (("LINK", "weight"),)),
}


def holds_only_a_graph(counts: dict) -> bool:
    """A store with Node/LINK and no labels: what commands project and answer about when no option
    names it (a store of documents otherwise)."""
    return bool(counts.get("Node")) and not counts.get("Label")


BIPARTITE_DOCUMENT_LIMIT = 200_000  # above this many documents the default projection is `labels`


def default_preset(store: Store) -> str:
    """The projection a command uses when none is named: `bipartite` on a store of documents and
    labels, `graph` on a store holding only a generic graph (Node/LINK).

    Bipartite, not CO_OCCURS by count, NPMI or both: on robotics, cooking, biology and Reuters it
    recommends best or level (with the vectors alone, +18% to +40% MRR over CO_OCCURS by count),
    its labels' nearest neighbours co-occur with them often (74-85%), and its vectors do not
    collapse into one direction (mean top-10 cosine 0.52-0.69, against 0.76-0.90 by count);
    benchmarks/bench_default_projection.py and the README's "Projections".

    Above BIPARTITE_DOCUMENT_LIMIT documents the default is `labels`: bipartite walks start from
    every document, so its training grows with the corpus (880M tokens, about 17 minutes on 2
    cores, at 1M documents) while `labels` grows with the label vocabulary, and documents get
    their vectors from their labels either way.  With the blend, recommendations from the two
    differ by at most 0.009 MRR on the measured corpora."""
    require_complete(store)
    counts = store.counts()
    if holds_only_a_graph(counts):
        return "graph"
    if counts.get("Label"):
        return "bipartite" if counts.get("HAS_LABEL") and counts.get("Document", 0) <= BIPARTITE_DOCUMENT_LIMIT else "labels"
    raise GraphvecError(f"{store.location}: the store holds neither labels nor a Node/LINK graph; ingest first, or name "
                        "the projection with --node-label and --relationship")


def resolve_spec(preset: str | None, node_labels: list[str], relationships: list[str], directed: bool,
                 node_keys: list[str], min_df: int | None, store: Store | None = None) -> ProjectionSpec:
    """A projection from a preset name or from explicit labels, types and keys (GDS-style), as the
    command line gives them; with neither, the store's default (`default_preset`)."""
    if node_labels or relationships:
        if preset:
            raise GraphvecError("give either --projection or --node-label/--relationship, not both")
        if not node_labels or not relationships:
            raise GraphvecError("a custom projection needs --node-label and --relationship (TYPE or TYPE:weightProperty)")
        keys = []
        for item in node_keys:
            label, sep, key = item.partition(":")
            if not sep:
                raise GraphvecError(f"--node-key takes LABEL:property, not {item!r}")
            keys.append((label, key))
        return ProjectionSpec(tuple(node_labels), tuple(parse_relationship(r) for r in relationships), directed,
                              tuple(keys), min_df)
    name = preset or (default_preset(store) if store is not None else "bipartite")
    if name not in PRESETS:
        raise GraphvecError(f"unknown projection {name!r} (choose from {', '.join(PRESETS)})")
    base = PRESETS[name]
    return ProjectionSpec(base.node_labels, base.relationships, directed, base.node_keys, min_df)


def parse_relationship(text: str) -> tuple[str, str | None]:
    """`TYPE` or `TYPE:weightProperty`, as given on the command line."""
    rel_type, _, weight = text.partition(":")
    return rel_type, (weight or None)


@dataclass
class Projection:
    indptr: np.ndarray
    indices: np.ndarray
    weights: np.ndarray
    names: np.ndarray
    node_label: np.ndarray
    label_names: tuple[str, ...]
    directed: bool
    weighted: bool
    spec: ProjectionSpec
    fingerprint: str
    notes: dict = field(default_factory=dict)

    @property
    def node_count(self) -> int:
        return len(self.indptr) - 1

    @property
    def edge_count(self) -> int:
        """Stored CSR entries (an undirected edge counts twice, a self-loop once)."""
        return int(self.indptr[-1])

    def degrees(self) -> np.ndarray:
        return np.diff(self.indptr)

    def to_scipy(self) -> sp.csr_matrix:
        n = self.node_count
        return sp.csr_matrix((self.weights, self.indices, self.indptr), shape=(n, n))

    def summary(self) -> dict:
        degrees = self.degrees()
        return {
            "nodes": self.node_count, "csr_entries": self.edge_count, "directed": self.directed,
            "weighted": self.weighted, "labels": {label: int((self.node_label == i).sum()) for i, label in enumerate(self.label_names)},
            "isolated_nodes": int((degrees == 0).sum()), "max_degree": int(degrees.max()) if len(degrees) else 0,
            "fingerprint": self.fingerprint, **self.notes,
        }

    @classmethod
    def from_csr(cls, graph, *, names=None, node_label: np.ndarray | None = None, label_names: tuple[str, ...] = ("Node",),
                 directed: bool = False) -> "Projection":
        """A graph held in memory (a square scipy sparse matrix) as a projection, so that code
        outside the store (the evaluation protocols, the benchmarks) fits exactly the model
        `embed` fits.  Weighted when its weights are not all equal; nodes named by row number
        unless `names` are given; `node_label` gives each row's index into `label_names`."""
        graph = sp.csr_matrix(graph)
        if graph.shape[0] != graph.shape[1]:
            raise GraphvecError(f"a graph's matrix must be square, not {graph.shape[0]} × {graph.shape[1]}")
        graph.sort_indices()
        n = graph.shape[0]
        weights = graph.data.astype(np.float32)
        weighted = graph.nnz > 0 and float(weights.min()) != float(weights.max())
        names = np.arange(n).astype(str).astype(object) if names is None else np.asarray(names, dtype=object)
        codes = np.zeros(n, np.int8) if node_label is None else np.asarray(node_label, np.int8)
        indptr, indices = graph.indptr.astype(np.int64), graph.indices.astype(np.int32)
        digest = hashlib.sha256()
        for array in (indptr, indices, weights, codes):
            digest.update(np.ascontiguousarray(array).tobytes())
        spec = ProjectionSpec(tuple(label_names), (("EDGE", "weight" if weighted else None),), directed)
        return cls(indptr, indices, weights, names, codes, tuple(label_names), directed, weighted, spec,
                   digest.hexdigest()[:16], {"source": "in-memory matrix"})

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp.npz")
        np.savez(tmp, indptr=self.indptr, indices=self.indices, weights=self.weights, names=self.names.astype(str),
                 node_label=self.node_label, meta=np.array(json.dumps({
                     "label_names": self.label_names, "directed": self.directed, "weighted": self.weighted,
                     "spec": asdict(self.spec), "fingerprint": self.fingerprint, "notes": self.notes})))
        os.replace(tmp, path)  # never leave a half-written cache file under the real name

    @classmethod
    def load(cls, path: Path) -> "Projection":
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            spec = meta["spec"]
            spec = ProjectionSpec(tuple(spec["node_labels"]), tuple((t, w) for t, w in spec["relationships"]),
                                  spec["directed"], tuple((a, b) for a, b in spec["node_keys"]), spec["min_df"])
            return cls(data["indptr"], data["indices"], data["weights"], data["names"].astype(object), data["node_label"],
                       tuple(meta["label_names"]), meta["directed"], meta["weighted"], spec, meta["fingerprint"], meta["notes"])


def cache_dir(store: Store) -> Path:
    override = os.environ.get("GRAPHVEC_CACHE")
    if override:
        return Path(override)
    return store.cache_dir()


def require_kind(store: Store, counts: dict, kind: str, what: str) -> None:
    """A label or relationship type the store must hold; the error lists what it does hold."""
    if kind not in counts:
        raise GraphvecError(f"{store.location}: no {what} {kind!r} (has: {', '.join(sorted(counts)) or 'nothing'})")


def require_complete(store: Store) -> None:
    """Refuse a store whose last ingest did not finish: vectors trained on half a corpus would be
    written back and look as good as any."""
    if store.meta().get("write_state") == "incomplete":
        raise GraphvecError(f"{store.location}: the last ingest did not finish; run the same ingest again to complete it")


def project(store: Store, spec: ProjectionSpec, *, use_cache: bool = True) -> Projection:
    """Read the chosen part of the store into CSR arrays (from the cache when the store is unchanged).

    Refused while an ingest is unfinished (require_complete)."""
    require_complete(store)
    fingerprint = store.fingerprint()
    path = cache_dir(store) / f"projection-{fingerprint}-{spec.digest()}.npz"
    if use_cache and path.exists():
        projection = Projection.load(path)
        projection.notes["from_cache"] = True
        return projection
    projection = _read_projection(store, spec, fingerprint)
    if use_cache:
        path.parent.mkdir(parents=True, exist_ok=True)
        projection.save(path)
    projection.notes["from_cache"] = False
    return projection


def _read_projection(store: Store, spec: ProjectionSpec, fingerprint: str) -> Projection:
    if not spec.node_labels or not spec.relationships:
        raise GraphvecError("a projection needs at least one node label and one relationship type")
    for label in spec.node_labels:
        quote_identifier(label, "label")
        quote_identifier(spec.key_for(label), "node key")
    for rel_type, weight_property in spec.relationships:
        quote_identifier(rel_type, "relationship type")
        if weight_property:
            quote_identifier(weight_property, "weight property")
    counts = store.counts()
    nids, names, label_codes = [], [], []
    notes: dict = {}
    for code, label in enumerate(spec.node_labels):
        require_kind(store, counts, label, "nodes with label")
        table = _flat_lists(store.read("project_nodes", label=label, key=spec.key_for(label)))
        frame = pd.DataFrame({"nid": table.column("nid").to_numpy(zero_copy_only=False),
                              "key": [None if k is None else str(k) for k in table.column("key").to_pylist()]})
        if frame["key"].isna().any():
            missing = int(frame["key"].isna().sum())
            raise GraphvecError(f"{missing} {label} nodes have no {spec.key_for(label)!r} property; choose another key with --node-key")
        # --min-df given here wins; otherwise the threshold recorded at ingest applies
        min_df = spec.min_df if spec.min_df is not None else int(store.meta().get("min_df", 1))
        if label == "Label" and min_df > 1:
            df = store.read("read_labels")
            rare = set(np.asarray(df.column("name").to_pylist(), dtype=object)[np.asarray(df.column("df")) < min_df])
            keep = ~frame["key"].isin(rare)
            notes["labels_below_min_df"] = int((~keep).sum())
            frame = frame[keep]
        frame = frame.sort_values("key", kind="stable")
        nids.append(frame["nid"].to_numpy())
        names.append(frame["key"].to_numpy(dtype=object))
        label_codes.append(np.full(len(frame), code, dtype=np.int8))
    all_nids = np.concatenate(nids)
    index = pd.Index(all_nids)
    if not index.is_unique:
        raise GraphvecError("a node carries two of the projected labels; project one label at a time")
    n = len(index)
    sources, targets, weights = [], [], []
    outside = 0
    for rel_type, weight_property in spec.relationships:
        require_kind(store, counts, rel_type, "relationships of type")
        if weight_property:
            table = _flat_edges(store.read("project_edges_weighted", rel_type=rel_type, weight=weight_property))
        else:
            table = _flat_edges(store.read("project_edges", rel_type=rel_type))
        src = index.get_indexer(table.column("src").to_numpy(zero_copy_only=False))
        dst = index.get_indexer(table.column("dst").to_numpy(zero_copy_only=False))
        inside = (src >= 0) & (dst >= 0)
        outside += int((~inside).sum())
        if weight_property:
            w = table.column("weight").to_numpy(zero_copy_only=False)
            w = np.asarray(pd.to_numeric(pd.Series(w), errors="coerce"), dtype=np.float64)[inside]
            bad = ~np.isfinite(w) | (w <= 0)
            if bad.any():
                raise GraphvecError(f"{int(bad.sum())} {rel_type} relationships have a missing, zero, negative or "
                                    f"non-numeric {weight_property!r}; walks need positive weights")
        else:
            w = np.ones(int(inside.sum()), dtype=np.float64)
        sources.append(src[inside]); targets.append(dst[inside]); weights.append(w)
    notes["relationships_outside_projection"] = outside
    csr = build_csr(np.concatenate(sources), np.concatenate(targets), np.concatenate(weights), n, directed=spec.directed)
    return Projection(csr.indptr.astype(np.int64), csr.indices.astype(np.int32), csr.data.astype(np.float32),
                      np.concatenate(names), np.concatenate(label_codes), spec.node_labels, spec.directed,
                      spec.weighted, spec, fingerprint, notes)


def _flat_lists(table: pa.Table) -> pa.Table:
    """Rows of lists (Neo4j sends nodes 10,000 to a record) as one row per element."""
    if table.num_rows == 0 or not pa.types.is_list(table.schema.field(0).type):
        return table
    return pa.table({name: pc.list_flatten(table.column(name).combine_chunks()) for name in table.column_names})


def _flat_edges(table: pa.Table) -> pa.Table:
    """One row per edge, whether the store sent one per edge or one per source node with lists
    of targets (and weights), as Neo4j does to cut the driver's per-record cost."""
    if table.num_rows == 0 or not pa.types.is_list(table.schema.field("dst").type):
        return table
    dst = table.column("dst").combine_chunks()
    columns = {"src": pc.take(table.column("src"), pc.list_parent_indices(dst)), "dst": pc.list_flatten(dst)}
    if "weight" in table.column_names:
        columns["weight"] = pc.list_flatten(table.column("weight").combine_chunks())
    return pa.table(columns)


def build_csr(src: np.ndarray, dst: np.ndarray, weight: np.ndarray, n: int, *, directed: bool) -> sp.csr_matrix:
    """CSR with sorted rows; parallel edges are summed (GDS walks treat them as one heavier edge).

    Undirected: each edge is mirrored, except self-loops, which stay a single entry.
    """
    if not directed:
        loop = src == dst
        src, dst, weight = (np.concatenate((src, dst[~loop])), np.concatenate((dst, src[~loop])),
                            np.concatenate((weight, weight[~loop])))
    matrix = sp.coo_matrix((weight, (src, dst)), shape=(n, n)).tocsr()
    matrix.sum_duplicates()
    matrix.sort_indices()
    return matrix
