"""Source files → graph store, as a diff against what the store already holds.

Ingest reads the store's current documents, labels and edges, computes what the file changes, and
writes only that.  Re-running the same ingest therefore writes nothing (idempotent), a second
file adds to the first, and a re-ingested document replaces its own title and labels.  Label
statistics (df, CO_OCCURS count and NPMI) are recomputed over the whole store, because adding
one document changes N and so every NPMI.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from .cooccurrence import cooccurrence, incidence
from .errors import GraphvecError
from .sources import Corpus, EdgeList
from .store import Store, WriteStep
from .store.base import new_version_meta


@dataclass
class IngestReport:
    source: str
    kind: str
    read: int = 0
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: dict = field(default_factory=dict)
    skipped_examples: list = field(default_factory=list)
    notes: dict = field(default_factory=dict)
    written_rows: dict = field(default_factory=dict)
    store_totals: dict = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict:
        return asdict(self)


def _frame(table: pa.Table, columns: list[str]) -> pd.DataFrame:
    if table.num_rows == 0:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    frame = table.to_pandas()
    return frame[columns]


def _arrow(frame: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    return pa.Table.from_pandas(frame.reset_index(drop=True), schema=schema, preserve_index=False)


def _anti_join(left: pd.DataFrame, right: pd.DataFrame, on: list[str]) -> pd.DataFrame:
    merged = left.merge(right[on].drop_duplicates(), on=on, how="left", indicator=True)
    return merged[merged["_merge"] == "left_only"].drop(columns="_merge")


_PAIRS = pa.schema([("doc", pa.string()), ("label", pa.string())])
_DOCS = pa.schema([("id", pa.string()), ("title", pa.string())])
_LABELS = pa.schema([("name", pa.string()), ("df", pa.int64())])
_COOC = pa.schema([("a", pa.string()), ("b", pa.string()), ("count", pa.int64()), ("npmi", pa.float64())])
_COOC_KEYS = pa.schema([("a", pa.string()), ("b", pa.string())])


def ingest_documents(store: Store, corpus: Corpus, *, min_df: int = 1, progress=None) -> IngestReport:
    """Add or update the corpus's documents; recompute df and CO_OCCURS over the whole store."""
    if min_df < 1:
        raise GraphvecError(f"--min-df must be at least 1, not {min_df}")
    started = time.perf_counter()
    report = IngestReport(str(corpus.path), "documents", read=len(corpus.ids))
    report.skipped = dict(corpus.skips.counts)
    report.skipped_examples = list(corpus.skips.examples)
    report.notes = {"blank_lines": corpus.blank_lines, "repeated_labels_collapsed": corpus.repeated_labels_collapsed}

    store.ensure_schema("schema_documents")
    old_docs = _frame(store.read("read_documents"), ["id", "title"])
    old_pairs = _frame(store.read("read_has_label"), ["doc", "label"])
    old_labels = _frame(store.read("read_labels"), ["name", "df"])
    old_cooc = _frame(store.read("read_cooccurs"), ["a", "b", "count", "npmi"])

    file_docs = pd.DataFrame({"id": corpus.ids, "title": corpus.titles})
    lengths = [len(labels) for labels in corpus.labels]
    file_pairs = pd.DataFrame({"doc": np.repeat(corpus.ids, lengths), "label": [l for ls in corpus.labels for l in ls]})

    known = file_docs.merge(old_docs, on="id", how="left", suffixes=("", "_old"), indicator=True)
    is_new = (known["_merge"] == "left_only").to_numpy()
    title_changed = (~is_new) & (known["title"].to_numpy() != known["title_old"].to_numpy())
    in_file = old_pairs["doc"].isin(file_docs["id"])
    added_pairs = _anti_join(file_pairs, old_pairs, ["doc", "label"])
    removed_pairs = _anti_join(old_pairs[in_file], file_pairs, ["doc", "label"])
    labels_changed_docs = set(added_pairs["doc"]) | set(removed_pairs["doc"])
    changed = (~is_new) & (title_changed | file_docs["id"].isin(labels_changed_docs).to_numpy())
    report.new, report.updated = int(is_new.sum()), int(changed.sum())
    report.unchanged = report.read - report.new - report.updated

    # The store after this ingest: old documents, with the file's documents replacing their own.
    final_pairs = pd.concat([old_pairs[~in_file], file_pairs], ignore_index=True)
    all_doc_ids = pd.Index(pd.concat([old_docs["id"], file_docs["id"]]).unique())
    label_names = pd.Index(sorted(set(old_labels["name"]) | set(final_pairs["label"])))
    x = incidence(all_doc_ids.get_indexer(final_pairs["doc"]), label_names.get_indexer(final_pairs["label"]),
                  len(all_doc_ids), len(label_names))
    stats = cooccurrence(x, min_df=min_df)

    new_labels = pd.DataFrame({"name": label_names, "df": stats.df})
    label_diff = new_labels.merge(old_labels, on="name", how="left", suffixes=("", "_old"))
    label_rows = label_diff[label_diff["df_old"].isna() | (label_diff["df"] != label_diff["df_old"])][["name", "df"]]

    new_cooc = pd.DataFrame({"a": label_names[stats.i], "b": label_names[stats.j], "count": stats.count, "npmi": stats.npmi})
    cooc = new_cooc.merge(old_cooc, on=["a", "b"], how="outer", suffixes=("", "_old"), indicator=True)
    create_cooc = cooc[cooc["_merge"] == "left_only"][["a", "b", "count", "npmi"]]
    delete_cooc = cooc[cooc["_merge"] == "right_only"][["a", "b"]]
    both = cooc[cooc["_merge"] == "both"]
    differs = (both["count"].astype("int64") != both["count_old"].astype("int64")) | ~np.isclose(
        both["npmi"].astype(float), both["npmi_old"].astype(float), rtol=1e-12, atol=1e-15)
    update_cooc = both[differs.to_numpy()][["a", "b", "count", "npmi"]]
    update_cooc = update_cooc.astype({"count": "int64"})
    create_cooc = create_cooc.astype({"count": "int64"})

    doc_rows = file_docs[is_new | title_changed]
    steps = [
        WriteStep("upsert_documents", _arrow(doc_rows, _DOCS)),
        WriteStep("upsert_labels", _arrow(label_rows.astype({"df": "int64"}), _LABELS)),
        WriteStep("delete_has_label", _arrow(removed_pairs, _PAIRS)),
        WriteStep("create_has_label", _arrow(added_pairs, _PAIRS)),
    ]
    relabelled = sorted(labels_changed_docs & set(old_docs["id"]))
    if relabelled and store.has_vectors("Document"):
        # a vector (and SIMILAR, PREDICTED) from the old labels would stay as if current: without
        # it, `stats` counts the document as new and `update` derives it and its lists again
        steps.append(WriteStep("store/clear_embeddings", pa.table({"key": pa.array(relabelled, pa.string())}),
                               identifiers={"label": "Document", "key": "id"}))
    if store.rewrite_cheaper(len(update_cooc) + len(delete_cooc), len(old_cooc)):
        # a new document changes N and so every pair's NPMI: 7M pairs set one by one in the one
        # transaction overflowed LadybugDB's page cache at 5M documents, where copying them fits
        steps += [WriteStep("clear_cooccurs"), WriteStep("create_cooccurs", _arrow(new_cooc.astype({"count": "int64"}), _COOC))]
    else:
        steps += [WriteStep("delete_cooccurs", _arrow(delete_cooc, _COOC_KEYS)),
                  WriteStep("update_cooccurs", _arrow(update_cooc, _COOC)),
                  WriteStep("create_cooccurs", _arrow(create_cooc, _COOC))]
    report.written_rows = {s.name: s.rows.num_rows if s.rows is not None else len(old_cooc) for s in steps}
    meta_min_df = store.meta().get("min_df")
    if any(report.written_rows.values()) or meta_min_df != str(min_df):
        _write(store, steps, new_version_meta(min_df=min_df), progress)
    below = int(((stats.df > 0) & (stats.df < min_df)).sum())
    report.notes.update({"labels_below_min_df": below, "min_df": min_df, "labels_unused": int((stats.df == 0).sum())})
    report.store_totals = {"documents": len(all_doc_ids), "labels": len(label_names), "has_label": len(final_pairs),
                           "co_occurs": len(new_cooc)}
    report.seconds = round(time.perf_counter() - started, 3)
    return report


_NODES = pa.schema([("id", pa.string()), ("classes", pa.list_(pa.string()))])
_LINKS = pa.schema([("src", pa.string()), ("dst", pa.string()), ("weight", pa.float64())])


def _write(store: Store, steps: list[WriteStep], meta: dict, progress) -> None:
    if progress is not None:
        progress.update(total=sum(s.rows.num_rows for s in steps if s.rows is not None))
    store.write(steps, meta, on_batch=(lambda name, n: progress.advance(n)) if progress is not None else None)


def _as_list(value) -> list:
    return [] if value is None else list(value)


def ingest_graph(store: Store, graph: EdgeList, *, progress=None) -> IngestReport:
    """Add the file's nodes and edges to the generic graph; existing edges not in the file stay."""
    started = time.perf_counter()
    report = IngestReport(str(graph.path), "graph", read=len(graph.src))
    report.notes = {"nodes_in_file": len(graph.nodes), "duplicate_edges_merged": graph.duplicates_merged,
                    "conflicting_weights": graph.conflicting_weights, "self_loops": graph.self_loops,
                    "directed": graph.directed}
    store.ensure_schema("schema_graph")
    meta = store.meta()
    stored_direction = meta.get("graph_directed")
    if stored_direction is not None and stored_direction != str(graph.directed):
        kind = "directed" if stored_direction == "True" else "undirected"
        raise GraphvecError(f"{store.location}: holds a {kind} graph; ingest with the same direction or use another --store")

    old_nodes = _frame(store.read("read_nodes"), ["id", "classes"])
    old_links = _frame(store.read("read_links"), ["src", "dst", "weight"])
    if graph.classes is not None:
        classes = [graph.classes.get(node, []) for node in graph.nodes]
    else:
        keep = dict(zip(old_nodes["id"], old_nodes["classes"]))
        classes = [_as_list(keep.get(node)) for node in graph.nodes]
    file_nodes = pd.DataFrame({"id": graph.nodes, "classes": classes})
    merged = file_nodes.merge(old_nodes, on="id", how="left", suffixes=("", "_old"), indicator=True)
    node_new = (merged["_merge"] == "left_only").to_numpy()
    node_changed = np.array([(not new) and _as_list(a) != _as_list(b)
                             for new, a, b in zip(node_new, merged["classes"], merged["classes_old"])], dtype=bool)
    node_rows = file_nodes[node_new | node_changed]

    file_links = pd.DataFrame({"src": graph.src, "dst": graph.dst, "weight": graph.weight})
    links = file_links.merge(old_links, on=["src", "dst"], how="left", suffixes=("", "_old"), indicator=True)
    link_new = (links["_merge"] == "left_only").to_numpy()
    link_changed = (~link_new) & (links["weight"].to_numpy() != links["weight_old"].to_numpy())
    report.new, report.updated = int(link_new.sum()), int(link_changed.sum())
    report.unchanged = report.read - report.new - report.updated
    steps = [
        WriteStep("upsert_nodes", _arrow(node_rows, _NODES)),
        WriteStep("create_links", _arrow(file_links[link_new], _LINKS)),
        WriteStep("update_links", _arrow(file_links[link_changed], _LINKS)),
    ]
    report.written_rows = {s.name: s.rows.num_rows for s in steps}
    if any(report.written_rows.values()) or stored_direction is None:
        _write(store, steps, new_version_meta(graph_directed=graph.directed), progress)
    total_nodes = len(set(old_nodes["id"]) | set(graph.nodes))
    report.store_totals = {"nodes": total_nodes, "links": len(old_links) + report.new}
    report.notes["links_in_store_not_in_file"] = len(old_links) - report.unchanged - report.updated
    report.seconds = round(time.perf_counter() - started, 3)
    return report
