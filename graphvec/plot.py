"""A 2-D map of one label's vectors: t-SNE (or PCA), coloured by community, best-connected nodes named.

Communities come from Louvain (networkx) on the stored SIMILAR graph, i.e. on the embedding's own
nearest-neighbour structure, so a colour that spreads over the map shows a community the 2-D
projection could not keep together.  Which nodes get a name: the best-connected ones in the graph
(most relationships, graphvec's own not counted), because those are the ones a reader knows.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import GraphvecError
from .projection import DEFAULT_NODE_KEYS
from .store import Store

TSNE_LIMIT = 5_000  # above this many points t-SNE takes minutes on two cores; PCA is used instead
COLOURS = 9  # largest communities get their own colour and legend entry; the rest are grey


def plot_vectors(store: Store, label: str, out: str | Path, *, method: str = "auto", names: int = 30, seed: int = 42) -> dict:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import networkx as nx

    out = Path(out)
    if out.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise GraphvecError(f"{out}: the map is written as .png, .svg or .pdf")
    if out.parent and not out.parent.exists():
        raise GraphvecError(f"{out}: folder {out.parent} does not exist")
    key = DEFAULT_NODE_KEYS.get(label, "id")
    if not store.counts().get(label):
        raise GraphvecError(f"{store.location}: the store has no {label} nodes")
    stored = store.read_embedding(label, key=key)
    if len(stored) < 3:
        raise GraphvecError(f"{label}: {len(stored)} nodes have vectors; a map needs at least 3 (run 'graphvec embed')")
    keys = [str(k) for k in stored.keys]
    vectors = stored.vectors

    if method == "auto":
        method = "tsne" if len(keys) <= TSNE_LIMIT else "pca"
    points = _two_d(vectors, method, seed)

    graph = nx.Graph()
    graph.add_nodes_from(range(len(keys)))
    similar = store.read("read_similar", label=label, key=key)
    if similar.num_rows:
        sources, targets = stored.rows_of(similar.column("a").to_pylist()), stored.rows_of(similar.column("b").to_pylist())
        for a, b, score in zip(sources.tolist(), targets.tolist(), similar.column("score").to_pylist()):
            if a >= 0 and b >= 0:
                graph.add_edge(a, b, weight=max(float(score), 1e-6))
    communities = sorted(nx.community.louvain_communities(graph, weight="weight", seed=seed), key=len, reverse=True)
    community = np.zeros(len(keys), dtype=np.int64)
    for index, members in enumerate(communities):
        community[list(members)] = index

    degree = {str(r["key"]): r["degree"] for r in store.read("read_degrees", label=label, key=key).to_pylist()}
    degrees = np.array([degree.get(k, 0) for k in keys])
    named = np.argsort(-degrees, kind="stable")[:names]

    figure, axes = plt.subplots(figsize=(12, 10), dpi=120)
    tab10 = plt.get_cmap("tab10")
    palette = [tab10(i) for i in (0, 1, 2, 3, 4, 5, 6, 8, 9)]  # tab10 without its grey, which marks the small communities
    size = 6 + 60 * np.sqrt(degrees / max(degrees.max(), 1))
    grey = community >= COLOURS
    axes.scatter(points[grey, 0], points[grey, 1], s=size[grey], c="#c8c8c8", alpha=0.5, linewidths=0)
    for index in range(min(COLOURS, len(communities))):
        members = np.flatnonzero(community == index)
        head = members[np.argmax(degrees[members])]
        axes.scatter(points[members, 0], points[members, 1], s=size[members], color=palette[index], alpha=0.75, linewidths=0,
                     label=f"{keys[head]} +{len(members) - 1}")
    for i in named:
        axes.annotate(keys[i], points[i], fontsize=8, xytext=(3, 3), textcoords="offset points",
                      bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7})
    axes.set_title(f"{label} vectors ({len(keys):,} nodes, {method.upper()}), coloured by community of the SIMILAR graph")
    axes.set_xticks([])
    axes.set_yticks([])
    axes.legend(title="community (best-connected member, size)", loc="best", fontsize=8, title_fontsize=9, markerscale=1.5)
    figure.tight_layout()
    figure.savefig(out)
    plt.close(figure)
    return {"output": str(out), "label": label, "nodes": len(keys), "method": method, "communities": len(communities),
            "named": [keys[i] for i in named]}


def _two_d(vectors: np.ndarray, method: str, seed: int) -> np.ndarray:
    from sklearn.decomposition import PCA

    if method == "pca":
        return PCA(n_components=2, random_state=seed).fit_transform(vectors)
    if method == "tsne":
        from sklearn.manifold import TSNE

        perplexity = float(min(30, max(2, (len(vectors) - 1) / 3)))
        return TSNE(n_components=2, metric="cosine", init="pca", perplexity=perplexity, random_state=seed).fit_transform(vectors)
    raise GraphvecError(f"--method must be auto, tsne or pca, not {method!r}")
