"""Reading documents and graphs from files, strictly.

Every reader either returns complete, validated data or raises a GraphvecError that names the
file and line.  With `on_error="skip"` a bad record is skipped instead, and every skip is counted
by reason in the returned object, so nothing is lost without the user being told.

Decisions (documented in the README):
- blank lines are ignored (counted as `blank`);
- a document id seen twice in one file is an error (`skip` keeps the first);
- a label repeated inside one document is collapsed to one (counted);
- a document with no labels is an error (`skip` drops it): it would be an isolated node;
- duplicate edges are merged with `aggregate` (single keeps the first; sum, max, min combine).
"""

from __future__ import annotations

import csv
import io
import json
import sys
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .errors import GraphvecError, located


@dataclass
class Skips:
    """What a reader left out, by reason, with the first few locations to show the user."""

    counts: Counter = field(default_factory=Counter)
    examples: list[str] = field(default_factory=list)

    def add(self, reason: str, where: str) -> None:
        self.counts[reason] += 1
        if len(self.examples) < 5:
            self.examples.append(f"{where}: {reason}")


@dataclass
class Corpus:
    """Documents with their labels, in file order; labels are de-duplicated per document."""

    path: Path
    ids: list[str]
    titles: list[str]
    labels: list[list[str]]
    skips: Skips
    repeated_labels_collapsed: int = 0
    blank_lines: int = 0


@dataclass
class EdgeList:
    """A generic graph read from a file: node keys, edges as key pairs, optional node classes."""

    path: Path
    nodes: list[str]
    src: list[str]
    dst: list[str]
    weight: np.ndarray
    directed: bool
    classes: dict[str, list[str]] | None
    skips: Skips
    duplicates_merged: int = 0
    conflicting_weights: int = 0
    self_loops: int = 0


def _read_text(path: Path, encoding: str) -> str:
    if not path.exists():
        raise GraphvecError(f"{path}: no such file")
    if path.is_dir():
        raise GraphvecError(f"{path}: is a folder, not a file")
    data = path.read_bytes()
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise located(path, line, f"not valid {encoding} (try --encoding latin-1)") from None
    except LookupError:
        raise GraphvecError(f"unknown encoding {encoding!r}") from None
    return text.lstrip("\ufeff")


def _split_labels(raw, sep: str | None) -> list[str]:
    if isinstance(raw, list):
        items = raw
    elif isinstance(raw, str):
        items = raw.split(sep) if sep else raw.split()
    else:
        raise ValueError("labels must be a string or a list of strings")
    out = []
    for item in items:
        if not isinstance(item, str):
            raise ValueError(f"label {item!r} is not a string")
        item = item.strip()
        if item:
            out.append(item)
    return out


def read_documents(
    path: str | Path,
    *,
    id_field: str = "id",
    title_field: str | None = "title",
    labels_field: str = "tags",
    label_sep: str | None = None,
    encoding: str = "utf-8",
    fmt: str | None = None,
    on_error: str = "fail",
) -> Corpus:
    """Read documents from CSV (header row) or JSONL; `fmt` defaults to the file extension."""
    path = Path(path)
    if on_error not in ("fail", "skip"):
        raise GraphvecError(f"--on-error must be 'fail' or 'skip', not {on_error!r}")
    fmt = fmt or ("jsonl" if path.suffix.lower() in (".jsonl", ".ndjson", ".json") else "csv")
    if fmt not in ("csv", "jsonl"):
        raise GraphvecError(f"unknown document format {fmt!r} (use csv or jsonl)")
    text = _read_text(path, encoding)
    corpus = Corpus(path, [], [], [], Skips())
    first_line: dict[str, int] = {}

    def bad(line: int, reason: str) -> None:
        if on_error == "fail":
            raise located(path, line, reason)
        corpus.skips.add(reason, f"{path}:{line}")

    def accept(line: int, doc_id, title, raw_labels) -> None:
        if doc_id is None or (isinstance(doc_id, str) and not doc_id.strip()):
            return bad(line, f"empty document id (field {id_field!r})")
        doc_id = str(doc_id).strip()
        try:
            labels = _split_labels(raw_labels, label_sep)
        except ValueError as exc:
            return bad(line, f"document {doc_id}: {exc}")
        if not labels:
            return bad(line, f"document {doc_id} has no labels (field {labels_field!r} is empty)")
        if doc_id in first_line:
            return bad(line, f"duplicate document id {doc_id!r} (first seen at line {first_line[doc_id]})")
        unique = list(dict.fromkeys(labels))
        corpus.repeated_labels_collapsed += len(labels) - len(unique)
        first_line[doc_id] = line
        corpus.ids.append(doc_id)
        corpus.titles.append("" if title is None else str(title))
        corpus.labels.append(unique)

    if fmt == "csv":
        csv.field_size_limit(sys.maxsize)
        reader = csv.reader(io.StringIO(text, newline=""))
        try:
            header = next(reader)
        except StopIteration:
            raise GraphvecError(f"{path}: the file is empty") from None
        header = [h.strip() for h in header]
        columns = {name: i for i, name in enumerate(header)}
        for name, option in ((id_field, "--id-field"), (labels_field, "--labels-field")):
            if name not in columns:
                raise located(path, 1, f"no column {name!r} (columns: {', '.join(header)}); set {option}")
        if title_field and title_field not in columns:
            raise located(path, 1, f"no column {title_field!r} (columns: {', '.join(header)}); set --title-field")
        id_col, label_col = columns[id_field], columns[labels_field]
        title_col = columns[title_field] if title_field else None
        while True:
            line = reader.line_num + 1
            try:
                row = next(reader)
            except StopIteration:
                break
            except csv.Error as exc:
                raise located(path, line, f"malformed CSV: {exc}") from None
            if not row or all(not cell.strip() for cell in row):
                corpus.blank_lines += 1
                continue
            if len(row) != len(header):
                bad(line, f"expected {len(header)} fields, found {len(row)}")
                continue
            accept(line, row[id_col], row[title_col] if title_col is not None else None, row[label_col])
    else:
        for line, raw in enumerate(text.splitlines(), start=1):
            if not raw.strip():
                corpus.blank_lines += 1
                continue
            try:
                obj = json.loads(raw)
            except json.JSONDecodeError as exc:
                bad(line, f"invalid JSON: {exc.msg}")
                continue
            if not isinstance(obj, dict):
                bad(line, "expected a JSON object")
                continue
            if id_field not in obj:
                bad(line, f"missing field {id_field!r}")
                continue
            if labels_field not in obj:
                bad(line, f"missing field {labels_field!r}")
                continue
            accept(line, obj[id_field], obj.get(title_field) if title_field else None, obj[labels_field])
    if not corpus.ids:
        raise GraphvecError(f"{path}: no documents could be read")
    return corpus


_AGGREGATES = ("single", "sum", "max", "min")


def read_graph(
    path: str | Path,
    *,
    fmt: str | None = None,
    weighted: bool = False,
    directed: bool = False,
    aggregate: str = "single",
    encoding: str = "utf-8",
) -> EdgeList:
    """Read an edge list (`u v [w]`), an adjacency list (`u v1 v2 …`) or a MATLAB .mat file.

    Undirected edges are stored once per unordered pair, in the order (smaller key, larger key),
    so reading `u v` and `v u` gives one edge: that is what makes adjacency lists, which list
    every edge twice, load correctly.
    """
    path = Path(path)
    if aggregate not in _AGGREGATES:
        raise GraphvecError(f"--aggregate must be one of {', '.join(_AGGREGATES)}, not {aggregate!r}")
    if fmt is None:
        suffix = path.suffix.lower()
        fmt = {".mat": "mat", ".adjlist": "adjlist"}.get(suffix, "edgelist")
    if fmt == "mat":
        return _read_mat(path, directed)
    if fmt not in ("edgelist", "adjlist"):
        raise GraphvecError(f"unknown graph format {fmt!r} (use edgelist, adjlist or mat)")
    text = _read_text(path, encoding)
    skips = Skips()
    nodes: dict[str, None] = {}
    edges: dict[tuple[str, str], float] = {}
    listed: set[tuple[str, str]] = set()  # adjacency lists: ordered pairs already named
    duplicates = conflicts = self_loops = 0
    for line_no, raw in enumerate(text.splitlines(), start=1):
        content = raw.split("#", 1)[0].split()
        if not content:
            continue
        if fmt == "edgelist":
            if len(content) == 3 and not weighted:
                raise located(path, line_no, "has a third column; pass --weighted to read it as the edge weight")
            if len(content) != (3 if weighted else 2):
                expected = "'u v w'" if weighted else "'u v'"
                raise located(path, line_no, f"expected {expected}, found {len(content)} fields")
            pairs = [(content[0], content[1])]
            if weighted:
                try:
                    w = float(content[2])
                except ValueError:
                    raise located(path, line_no, f"weight {content[2]!r} is not a number") from None
                if not np.isfinite(w) or w <= 0:
                    raise located(path, line_no, f"weight {content[2]} must be a positive finite number")
            else:
                w = 1.0
            nodes.setdefault(content[0]); nodes.setdefault(content[1])
        else:
            nodes.setdefault(content[0])
            for other in content[1:]:
                nodes.setdefault(other)
            pairs = [(content[0], other) for other in content[1:]]
            w = 1.0
        for u, v in pairs:
            if u == v:
                self_loops += 1
            key = (u, v) if directed or u <= v else (v, u)
            if fmt == "adjlist":
                # An adjacency list names each undirected edge from both ends: only a repeat of
                # the same ordered pair is a duplicate.
                if (u, v) in listed:
                    duplicates += 1
                    continue
                listed.add((u, v))
                if key in edges:
                    continue
            if key in edges:
                previous = edges[key]
                duplicates += 1
                if previous != w:
                    conflicts += 1
                    if aggregate == "sum":
                        edges[key] = previous + w
                    elif aggregate == "max":
                        edges[key] = max(previous, w)
                    elif aggregate == "min":
                        edges[key] = min(previous, w)
                elif aggregate == "sum":
                    edges[key] = previous + w
            else:
                edges[key] = w
    if not nodes:
        raise GraphvecError(f"{path}: no edges could be read")
    src = [k[0] for k in edges]
    dst = [k[1] for k in edges]
    weight = np.fromiter(edges.values(), dtype=np.float64, count=len(edges))
    return EdgeList(path, list(nodes), src, dst, weight, directed, None, skips, duplicates, conflicts, self_loops)


def _read_mat(path: Path, directed: bool) -> EdgeList:
    import scipy.io
    import scipy.sparse as sp

    if not path.exists():
        raise GraphvecError(f"{path}: no such file")
    try:
        data = scipy.io.loadmat(str(path))
    except Exception as exc:  # scipy raises several types for a file that is not a .mat
        raise GraphvecError(f"{path}: not a readable MATLAB .mat file ({exc})") from None
    if "network" not in data:
        raise GraphvecError(f"{path}: no 'network' matrix (variables: {', '.join(k for k in data if not k.startswith('__'))})")
    adjacency = sp.coo_matrix(data["network"])
    if adjacency.shape[0] != adjacency.shape[1]:
        raise GraphvecError(f"{path}: 'network' is {adjacency.shape[0]}x{adjacency.shape[1]}, not square")
    if adjacency.nnz and (not np.all(np.isfinite(adjacency.data)) or adjacency.data.min() <= 0):
        raise GraphvecError(f"{path}: 'network' has non-positive or non-finite weights")
    n = adjacency.shape[0]
    if not directed:
        asymmetry = abs(adjacency.tocsr() - adjacency.T.tocsr()).sum()
        if asymmetry > 1e-9 * max(1.0, abs(adjacency).sum()):
            raise GraphvecError(f"{path}: 'network' is not symmetric; pass --directed to read it as a directed graph")
        adjacency = sp.triu(adjacency, format="coo")  # each undirected edge once, self-loops kept
    adjacency.sum_duplicates()
    keys = [str(i) for i in range(n)]
    src = [keys[i] for i in adjacency.row.tolist()]
    dst = [keys[j] for j in adjacency.col.tolist()]
    if not directed:  # the same (smaller key, larger key) order as edge lists, compared as strings
        src, dst = [min(a, b) for a, b in zip(src, dst)], [max(a, b) for a, b in zip(src, dst)]
    classes = None
    if "group" in data:
        group = sp.csr_matrix(data["group"])
        if group.shape[0] != n:
            raise GraphvecError(f"{path}: 'group' has {group.shape[0]} rows but 'network' has {n} nodes")
        classes = {}
        for i in range(n):
            row = group.indices[group.indptr[i]: group.indptr[i + 1]]
            classes[keys[i]] = [str(c) for c in sorted(row.tolist())]
    self_loops = int(np.count_nonzero(adjacency.row == adjacency.col))
    return EdgeList(path, keys, src, dst, adjacency.data.astype(np.float64), directed, classes, Skips(), 0, 0, self_loops)
