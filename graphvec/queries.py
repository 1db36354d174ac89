"""What analysts ask of the stored vectors: neighbours, recommendations, predicted links, analogies.

Each function runs one of the query files in `cypher/<dialect>/` (the same text an analyst can
paste into Neo4j Browser or run with `graphvec query`) and returns plain rows; the CLI only
prints them.  Names that do not exist get a "did you mean" error, and nodes that exist without a
vector get an error that says why they have none.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import numpy as np

from . import cypher
from .errors import GraphvecError
from .projection import DEFAULT_NODE_KEYS, holds_only_a_graph
from .store import Store


# Labels seen in fewer documents are left out of what the analyst commands list.  A label on one
# or two documents gets almost those documents' vector and so sits next to anything: 21-41% of the
# 10 nearest labels of labels seen 20+ times had df < 5 (robotics, cooking, biology, reuters).
# Leaving them out of training instead never helped recommendation and cost robotics 0.022 MRR
# (benchmarks/bench_rare_labels.py), so they keep their vectors and are only not listed.
MIN_DF = 5


# Above this many nodes of a label, the embedded store answers `neighbours` and `recommend --label`
# from the relationships the latest run stored (SIMILAR, PREDICTED) instead of scanning every
# vector: a scan costs 16-50 µs a node in LadybugDB (1.6 s over 100k labels, 3.4 s over 1M
# documents, 0.5 s over 10k labels), an indexed read of a node's relationships a few
# milliseconds at any size.  Neo4j answers through its vector index instead.
SCAN_LIMIT = 5_000


def reads_stored_answers(store: Store, label: str) -> bool:
    """Whether questions about `label` nodes are answered from stored relationships (SCAN_LIMIT)."""
    return store.dialect == "embedded" and store.counts().get(label, 0) > SCAN_LIMIT


def on_graph(store: Store, graph: bool | None = None) -> bool:
    """Whether a command answers about a generic graph's nodes: as `graph` says, or, when it says
    nothing, whether the store holds only a generic graph (projection.holds_only_a_graph)."""
    return holds_only_a_graph(store.counts()) if graph is None else graph


def label_df(store: Store) -> dict[str, int]:
    """Each label's document frequency, by name."""
    return {str(r["name"]): r["df"] for r in store.read("read_labels").to_pylist()}


def neighbours(store: Store, name: str, k: int = 10, *, document: bool = False, node: bool | None = None,
               min_df: int = MIN_DF) -> list[dict]:
    """Nearest labels to a label (with co-occurrence count and df; labels seen in fewer than
    `min_df` documents left out), documents to a document, or a generic graph's nodes to a node
    (whether linked, degree); `node` None: a node when the store holds only a generic graph."""
    _positive(k)
    if document:
        _require_vector(store, "Document", name)
        if reads_stored_answers(store, "Document"):  # ties counted within the stored list only
            rows = _rows(store, "similar_documents_stored", id=name, k=k)
            group, sizes = _score_groups(np.array([r["score"] for r in rows]))
            return [row | {"tied": int(sizes[g])} for row, g in zip(rows, group)]
        return document_neighbours(store, name, k)
    if on_graph(store, node):
        _require_vector(store, "Node", name)
        return _rows(store, "similar_nodes", id=name, k=k)
    _require_vector(store, "Label", name)
    if reads_stored_answers(store, "Label"):
        return _rows(store, "similar_labels_stored", name=name, k=k, min_df=_min_df(min_df))
    return _rows(store, "similar_labels", name=name, k=k, min_df=_min_df(min_df))



def document_neighbours(store: Store, document_id: str, k: int = 10, *, break_ties: bool = True) -> list[dict]:
    """Nearest documents; equal scores are broken by how many title words each shares with the
    query document (Jaccard), then by id, and each row says how many documents share its score.

    Documents carrying the same labels get the same label-derived vector, so ties at 1.000 are the
    rule, not the exception.  Their walk-learned vectors would differ only by noise (the walks see
    the same labels), so the title, the one thing the store holds about a document beyond its
    labels, is the secondary key.  The query file orders ties by id only."""
    rows = _ranked_rows(store, "similar_documents", k + 50,  # until the group at the k-th row is complete
                        lambda rows: rows[-1]["score"] < rows[min(k, len(rows)) - 1]["score"] - 1e-6, id=document_id)
    # ties are found on cosines computed here, in float64 from the stored vectors: each database
    # computes its own in its own precision, and two scores 1e-6 apart were one group in one store
    # and two in the other
    stored = store.read_embedding("Document", keys=[str(document_id)] + [str(r["id"]) for r in rows])
    unit = stored.vectors.astype(np.float64)
    unit /= np.maximum(np.linalg.norm(unit, axis=1, keepdims=True), 1e-300)
    exact = unit[1:] @ unit[0]
    order = np.argsort(-exact, kind="stable")
    rows = [rows[i] for i in order]
    group, sizes = _score_groups(exact[order])
    if break_ties and len(rows):
        words = _title_words(store.read("find_document_title", {"id": document_id}).column("title").to_pylist()[:1])
        overlap = [-_jaccard(words, _title_words([r["title"]])) for r in rows]
        order = sorted(range(len(rows)), key=lambda i: (group[i], overlap[i], str(rows[i]["id"])))
        rows, group = [rows[i] for i in order], group[order]
    return [row | {"tied": int(sizes[g])} for row, g in zip(rows[:k], group[:k])]


def _score_groups(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For falling scores: each one's group of equal scores, and each group's size."""
    if not len(scores):
        return np.array([], int), np.array([], int)
    group = np.concatenate([[0], np.cumsum(np.diff(scores) < -1e-6)])
    return group, np.bincount(group)


def _title_words(titles: list) -> set[str]:
    text = " ".join(t for t in titles if t).lower()
    return {w for w in "".join(c if c.isalnum() else " " for c in text).split() if len(w) > 2}


def _jaccard(a: set, b: set) -> float:
    return len(a & b) / len(a | b) if a | b else 0.0


def recommend(store: Store, document_id: str, k: int = 5) -> dict:
    """Labels a document lacks, best first (the stored PREDICTED relationships), and those it has."""
    _positive(k)
    _require_node(store, "Document", document_id)
    has = _rows(store, "document_labels", id=document_id)
    if not store.counts().get("PREDICTED"):
        raise GraphvecError("no recommendations stored yet: run 'graphvec embed' with a projection that includes Label "
                            "(for example --projection bipartite)")
    rows = _rows(store, "recommend_labels", id=document_id, k=k)
    if not rows:
        reason = ("it has no labels to recommend from" if not has
                  else "none of its labels has a vector, or it was added after the latest run: run 'graphvec embed' again")
        raise GraphvecError(f"document {document_id!r} has no recommendations: {reason}")
    stored_k = int(store.meta().get("predicted_k", len(rows)))
    return {"document": document_id, "has": has, "recommended": rows,
            "note": f"only the top {stored_k} are stored; run 'graphvec embed --predict-k {k}' for more" if k > stored_k else None}


def recommend_documents(store: Store, label: str, k: int = 10) -> list[dict]:
    """Documents without `label` whose vectors are closest to it; on a large embedded store
    (SCAN_LIMIT) the documents whose stored PREDICTED include it, by their recommendation score."""
    _positive(k)
    _require_vector(store, "Label", label)
    if reads_stored_answers(store, "Document") and store.counts().get("PREDICTED"):
        # two steps: the k-th best score from the label's relationships alone, then only the
        # documents at or above it (at 1M documents, 10–14 ms warm for popular labels where ranking
        # all of their 22k–36k documents by score and id took 48–67 ms)
        best = _rows(store, "recommend_documents_threshold", name=label, k=k)
        if not best:
            return []
        return _rows(store, "recommend_documents_predicted", name=label, k=k, threshold=best[-1]["score"])
    if not store.has_vectors("Document"):
        raise GraphvecError("documents have no vectors: embed with --projection bipartite (documents and labels)")
    return _rows(store, "recommend_documents", name=label, k=k)


MIN_COMPONENT = 10  # nodes in smaller connected components are left out of predicted links


def predicted_links(store: Store, k: int = 20, *, graph: bool | None = None, exclude: set[str] | None = None,
                    min_df: int = MIN_DF) -> list[dict]:
    """The most similar not-yet-connected pairs of labels, or of a generic graph's nodes (`graph`
    None: whichever the store holds; labels seen in fewer than `min_df` documents left out),
    leaving out pairs that touch a node in `exclude` (default:
    `small_components(store, label)`: inside a component of a few nodes every walk stays there,
    so each pair of its nodes scores about 1.0 and would crowd out every real candidate).

    The query file ranks every pair; this reads its best rows until k remain after leaving those out."""
    _positive(k)
    if not store.counts().get("SIMILAR"):
        raise GraphvecError("no SIMILAR relationships yet: run 'graphvec embed' first")
    graph = on_graph(store, graph)
    label = "Node" if graph else "Label"
    if not store.counts().get(label):
        raise GraphvecError(f"{store.location}: the store has no {label} nodes"
                            + ("" if graph else "; for a generic graph's nodes use --graph"))
    exclude = small_components(store, label) if exclude is None else exclude

    def kept(rows: list[dict]) -> list[dict]:
        return [r for r in rows if str(r["source"]) not in exclude and str(r["target"]) not in exclude]

    params = {} if graph else {"min_df": _min_df(min_df)}
    rows = _ranked_rows(store, "predicted_node_links" if graph else "predicted_links", k + min(len(exclude), 10_000),
                        lambda rows: len(kept(rows)) >= k, **params)
    return kept(rows)[:k]


def small_components(store: Store, label: str, min_size: int = MIN_COMPONENT) -> set[str]:
    """Keys of `label`'s nodes that lie in connected components of fewer than `min_size` nodes, in
    the projection the latest embed run used (the cached one, normally); empty without a run."""
    from scipy.sparse.csgraph import connected_components

    from .projection import ProjectionSpec, project
    from .stats import run_records

    spec = next((r["parameters"]["spec"] for r in run_records(store) if r["parameters"].get("spec")), None)
    if min_size <= 1 or spec is None or label not in spec["node_labels"]:
        return set()
    projection = project(store, ProjectionSpec.from_dict(spec))
    _, component = connected_components(projection.to_scipy(), directed=False)
    small = np.bincount(component)[component] < min_size
    mine = projection.node_label == projection.label_names.index(label)
    return {str(key) for key in projection.names[small & mine]}


def label_neighbourhood(store: Store, name: str, k: int = 10, *, min_df: int = MIN_DF) -> dict:
    """A label's co-occurrence neighbours and embedding neighbours, side by side (labels seen in
    fewer than `min_df` documents left out of both)."""
    _positive(k)
    _require_vector(store, "Label", name)
    rows = _rows(store, "label_neighbourhood", name=name, k=k, min_df=_min_df(min_df))
    return {"label": name, **_side_by_side(rows, "co-occurrence", "cooccurrence")}


def node_neighbourhood(store: Store, node: str, k: int = 10) -> dict:
    """A generic graph's node: its LINK neighbours (heaviest first) and embedding neighbours, side by side."""
    _positive(k)
    _require_vector(store, "Node", node)
    rows = _rows(store, "node_neighbourhood", id=node, k=k)
    return {"node": node, **_side_by_side(rows, "graph", "graph")}


def _side_by_side(rows: list[dict], kind: str, key: str) -> dict:
    """A neighbourhood file's rows split into the graph's list (rows of `kind`, returned under `key`)
    and the embedding's, with the names both list."""
    graph = [r for r in rows if r["kind"] == kind]
    embedded = [r for r in rows if r["kind"] == "embedding"]
    return {key: graph, "embedding": embedded, "in_both": sorted({r["name"] for r in graph} & {r["name"] for r in embedded})}


def analogy(store: Store, a: str, b: str, c: str, k: int = 10, *, label: str | None = None, min_df: int = MIN_DF) -> list[dict]:
    """Nodes nearest to a − b + c (unit vectors, cosine; a, b and c themselves excluded); `label`
    None: Label, or Node on a store that holds only a generic graph.  Labels seen in fewer than
    `min_df` documents are not answers."""
    _positive(k)
    label = label or ("Node" if on_graph(store) else "Label")
    for name in (a, b, c):
        _require_vector(store, label, name)
    stored = store.read_embedding(label)
    keys = [str(x) for x in stored.keys]
    unit = _unit(stored.vectors)
    a_row, b_row, c_row = stored.rows_of([a, b, c])
    target = _unit((unit[a_row] - unit[b_row] + unit[c_row])[None, :])[0]
    scores = unit @ target
    scores[[a_row, b_row, c_row]] = -np.inf
    if label == "Label" and _min_df(min_df) > 1:
        df = label_df(store)
        scores[np.array([df.get(key, 0) < min_df for key in keys])] = -np.inf
    order = np.lexsort((np.array(keys), -scores))[:k]
    return [{"name": keys[i], "score": float(scores[i])} for i in order if np.isfinite(scores[i])]


def run_query(store: Store, path: str | Path, params: dict | None = None) -> list[dict]:
    """Run any Cypher file with parameters (values as parameters, never spliced into the text).

    A shipped query can be named instead of a path (`similar_labels`, or the checkout-relative
    `cypher/neo4j/similar_labels.cypher`), so the README's examples work from an installed wheel.
    """
    path = Path(path)
    if not path.is_file():
        parts = path.parts
        checkout_relative = len(parts) == 3 and parts[0] == "cypher" and parts[1] in cypher.DIALECTS
        bare = len(parts) == 1
        dialect = parts[1] if checkout_relative else store.dialect
        shipped = cypher.shipped_query(dialect, path.name.removesuffix(".cypher")) if bare or checkout_relative else None
        if shipped is None:
            raise GraphvecError(f"{path}: no such query file (or shipped query name, such as similar_labels)")
        path = shipped
    text = path.read_text(encoding="utf-8")
    if "{{" in text:
        raise GraphvecError(f"{path}: this file has {{{{…}}}} placeholders that graphvec fills itself; it is not for 'graphvec query'")
    return store.run_text(text, params or {}).to_pylist()


def parse_params(pairs: list[str]) -> dict:
    """`-p name=value` pairs; integers and floats become numbers (so `-p k=5` works as LIMIT $k)."""
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise GraphvecError(f"parameter {pair!r}: write it as name=value")
        params[name.strip()] = _number_or_text(value)
    return params


# -- checks and reasons --------------------------------------------------------------------

def _rows(store: Store, query_file: str, /, **params) -> list[dict]:
    return store.read(query_file, params).to_pylist()


def _ranked_rows(store: Store, query_file: str, fetch: int, enough, /, **params) -> list[dict]:
    """The best `fetch` rows of a ranked query file (one taking `k`), read again four times as many
    at a time until `enough(rows)` holds or the file has no more rows."""
    while True:
        rows = _rows(store, query_file, k=fetch, **params)
        if len(rows) < fetch or enough(rows):
            return rows
        fetch *= 4


def _min_df(min_df: int) -> int:
    if min_df < 1:
        raise GraphvecError(f"--min-df must be at least 1 (1 lists every label), not {min_df}")
    return int(min_df)


def _positive(k: int) -> None:
    if k < 1:
        raise GraphvecError(f"-k must be at least 1, not {k}")


def _number_or_text(value: str):
    for kind in (int, float):
        try:
            return kind(value)
        except ValueError:
            pass
    return value


def _unit(matrix: np.ndarray) -> np.ndarray:
    return matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-12)


def _require_node(store: Store, label: str, name: str) -> None:
    counts = store.counts()
    if not counts.get(label):
        raise GraphvecError(f"{store.location}: the store has no {label} nodes")
    key = DEFAULT_NODE_KEYS.get(label, "id")
    if store.read("find_node", {"key": name}, label=label, key=key).num_rows:
        return
    message = f"no {label} with {key} {name!r}"
    if label == "Label":
        names = store.read("read_labels").column("name").to_pylist()
        close = difflib.get_close_matches(name, names, n=5, cutoff=0.6)
        close = close or sorted(n for n in names if name.lower() in n.lower())[:5]
        if close:
            message += f"; did you mean {', '.join(close)}?"
    raise GraphvecError(message)


def _require_vector(store: Store, label: str, name: str) -> None:
    """The node exists and has a vector; otherwise say which of the two fails, and why."""
    _require_node(store, label, name)
    key = DEFAULT_NODE_KEYS.get(label, "id")
    if store.read_vector(label, key, name) is not None:
        return
    if not store.has_vectors(label):
        raise GraphvecError(f"{label} nodes have no vectors yet: run 'graphvec embed' with a projection that includes {label}")
    from .stats import embedding_status

    status = embedding_status(store)
    if status.get("stale"):
        why = f"it was probably added after the latest run (the graph changed since): {status['recommendation']}"
    else:
        why = "no walk reached it in the latest run (it has no relationships in the projection, or its label was below min_df)"
    raise GraphvecError(f"{label} {name!r} has no vector: {why}")
