"""A 2-D map of one label's vectors: t-SNE (or PCA), coloured by community, best-connected nodes named.

Communities come from Louvain (networkx) on the stored SIMILAR graph, i.e. on the embedding's own
nearest-neighbour structure, so a colour that spreads over the map shows a community the 2-D
projection could not keep together.  Which nodes get a name: the best-connected ones in the graph
(most relationships, graphvec's own not counted), because those are the ones a reader knows;
for documents, whose degree is just their label count, the most typical document of each large
community (nearest its mean vector) in turn, named by its title (or its labels when it has none).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .errors import GraphvecError
from .projection import DEFAULT_NODE_KEYS
from .queries import label_df, on_graph
from .store import Store

TSNE_LIMIT = 5_000  # above this many points t-SNE takes minutes on two cores; PCA is used instead
COLOURS = 9  # largest communities get their own colour and legend entry; the rest are grey
COVERED = 0.6  # Louvain's resolution is lowered until the coloured communities hold this share of the nodes


TITLE_CHARS = 40  # document titles are cut to this length on the map


def plot_vectors(store: Store, label: str | None, out: str | Path, *, method: str = "auto", names: int = 30, seed: int = 42,
                 min_df: int = 1) -> dict:
    """`label` None: Label, or Node on a store that holds only a generic graph.  Labels seen in
    fewer than `min_df` documents are left off the map (the CLI's default is queries.MIN_DF)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import networkx as nx

    out = Path(out)
    if out.suffix.lower() not in (".png", ".svg", ".pdf"):
        raise GraphvecError(f"{out}: the map is written as .png, .svg or .pdf")
    if out.parent and not out.parent.exists():
        raise GraphvecError(f"{out}: folder {out.parent} does not exist")
    if label is None:
        label = "Node" if on_graph(store) else "Label"
    key = DEFAULT_NODE_KEYS.get(label, "id")
    if not store.counts().get(label):
        raise GraphvecError(f"{store.location}: the store has no {label} nodes")
    stored = store.read_embedding(label, key=key)
    left_off = 0
    if label == "Label" and min_df > 1:
        df = label_df(store)
        frequent = np.array([df.get(str(k), 0) >= min_df for k in stored.keys], dtype=bool)
        left_off = int((~frequent).sum())
        stored = stored.select(frequent)
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
        sources, targets = stored.rows_of(similar.column("a")), stored.rows_of(similar.column("b"))
        for a, b, score in zip(sources.tolist(), targets.tolist(), similar.column("score").to_pylist()):
            if a >= 0 and b >= 0:
                graph.add_edge(a, b, weight=max(float(score), 1e-6))
    # coarser communities until the coloured ones hold most nodes: a map that is mostly grey says nothing
    for resolution in (1.0, 0.5, 0.25, 0.1):
        communities = sorted(nx.community.louvain_communities(graph, weight="weight", resolution=resolution, seed=seed),
                             key=len, reverse=True)
        if sum(map(len, communities[:COLOURS])) >= COVERED * len(keys):
            break
    community = np.zeros(len(keys), dtype=np.int64)
    for index, members in enumerate(communities):
        community[list(members)] = index

    degree = {str(r["key"]): r["degree"] for r in store.read("read_degrees", label=label, key=key).to_pylist()}
    degrees = np.array([degree.get(k, 0) for k in keys])
    coloured = min(COLOURS, len(communities))
    if label == "Document":
        ranked = _typical(vectors, community, coloured)
        named = np.array([group[depth] for depth in range(max(map(len, ranked), default=0)) for group in ranked
                          if depth < len(group)][:names], dtype=np.int64)
        heads = [group[0] for group in ranked]
        shown = _document_names(store, keys)
    else:
        named = np.argsort(-degrees, kind="stable")[:names]
        heads = [members[np.argmax(degrees[members])] for members in (np.flatnonzero(community == i) for i in range(coloured))]
        shown = keys

    figure, axes = plt.subplots(figsize=(12, 10), dpi=120)
    tab10 = plt.get_cmap("tab10")
    palette = [tab10(i) for i in (0, 1, 2, 3, 4, 5, 6, 8, 9)]  # tab10 without its grey, which marks the small communities
    size = 6 + 60 * np.sqrt(degrees / max(degrees.max(), 1))
    for index in range(coloured):
        members = np.flatnonzero(community == index)
        axes.scatter(points[members, 0], points[members, 1], s=size[members], color=palette[index], alpha=0.75, linewidths=0,
                     label=f"{shown[heads[index]]} +{len(members) - 1}")
    grey = community >= COLOURS
    if grey.any():
        axes.scatter(points[grey, 0], points[grey, 1], s=size[grey], c="#c8c8c8", alpha=0.5, linewidths=0,
                     label=f"other: {int(grey.sum()):,} nodes in {len(communities) - COLOURS:,} smaller communities")
    for i in named:
        axes.annotate(shown[i], points[i], fontsize=8, xytext=(3, 3), textcoords="offset points",
                      bbox={"boxstyle": "round,pad=0.15", "fc": "white", "ec": "none", "alpha": 0.7})
    axes.set_title(f"{label} vectors ({len(keys):,} nodes, {method.upper()}), coloured by community of the SIMILAR graph")
    axes.set_xticks([])
    axes.set_yticks([])
    member = "most typical member" if label == "Document" else "best-connected member"
    legend = axes.legend(title=f"community ({member}, size)", loc="best", fontsize=8, title_fontsize=9, markerscale=1.5)
    figure.tight_layout()
    figure.savefig(out)
    plt.close(figure)
    return {"output": str(out), "label": label, "nodes": len(keys), "method": method, "communities": len(communities),
            "louvain_resolution": resolution, "min_df": min_df, "left_off_below_min_df": left_off, "legend": [text.get_text() for text in legend.get_texts()],
            "named": [keys[i] for i in named], "shown_as": [shown[i] for i in named]}


def _typical(vectors: np.ndarray, community: np.ndarray, groups: int) -> list[np.ndarray]:
    """Each of the largest communities' members, most typical first (nearest the community's mean
    direction); the map names them in turn: the most typical of each, then the second …"""
    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    ranked = []
    for index in range(groups):
        members = np.flatnonzero(community == index)
        centre = unit[members].mean(axis=0)
        ranked.append(members[np.argsort(-(unit[members] @ centre), kind="stable")])
    return ranked


def _document_names(store: Store, keys: list[str]) -> list[str]:
    """Each document as a reader knows it: its title, cut short, or its labels when it has none."""
    titles = {str(r["id"]): (r["title"] or "").strip() for r in store.read("read_documents").to_pylist()}
    labels = {}
    if any(not titles.get(key) for key in keys):  # one read of every document's labels, not one per document
        df = label_df(store)
        for row in store.read("read_has_label").to_pylist():
            labels.setdefault(str(row["doc"]), []).append(str(row["label"]))
        labels = {doc: sorted(names, key=lambda name: (-df[name], name)) for doc, names in labels.items()}
    shown = []
    for key in keys:
        title = titles.get(key) or ", ".join(labels.get(key, [])[:3]) or key
        shown.append(title if len(title) <= TITLE_CHARS else title[:TITLE_CHARS - 1] + "…")
    return shown


def _two_d(vectors: np.ndarray, method: str, seed: int) -> np.ndarray:
    from sklearn.decomposition import PCA

    if method == "pca":
        return PCA(n_components=2, random_state=seed).fit_transform(vectors)
    if method == "tsne":
        from sklearn.manifold import TSNE

        perplexity = float(min(30, max(2, (len(vectors) - 1) / 3)))
        return TSNE(n_components=2, metric="cosine", init="pca", perplexity=perplexity, random_state=seed).fit_transform(vectors)
    raise GraphvecError(f"--method must be auto, tsne or pca, not {method!r}")
