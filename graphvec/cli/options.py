"""The options commands share, declared once: each factory returns typer.Option defaults by name,
and `node2vec` turns the walk and training options into the model (projection options go to
graphvec.projection.resolve_spec)."""

from __future__ import annotations

import re
from typing import Optional

import typer

from ..errors import GraphvecError
from ..node2vec import Node2Vec
from ..queries import MIN_DF


def walk_options():
    return dict(
        method=typer.Option("node2vec", "--method", help="deepwalk (uniform, ignores weights) or node2vec (p/q, weighted when the projection is)."),
        return_factor=typer.Option(1.0, "--return-factor", "-p", help="node2vec p (returnFactor): higher = fewer immediate returns."),
        in_out_factor=typer.Option(1.0, "--in-out-factor", "-q", help="node2vec q (inOutFactor): >1 stays local, <1 explores outward."),
        walks_per_node=typer.Option(10, "--walks-per-node", help="walksPerNode"),
        walk_length=typer.Option(80, "--walk-length", help="walkLength, in nodes"),
        seed=typer.Option(42, "--seed", help="Same seed, same walks, whatever --workers is."),
        workers=typer.Option(None, "--workers", help="Threads (default: all cores)."),
        force=typer.Option(False, "--force", help="Run even if the memory estimate exceeds free memory."),
    )


def train_options():
    return dict(
        dimensions=typer.Option(128, "--dimensions", help="embeddingDimension"),
        window=typer.Option(10, "--window", help="windowSize: context nodes on each side"),
        negative=typer.Option(5, "--negative", help="negativeSamplingRate"),
        negative_exponent=typer.Option(0.75, "--negative-exponent", help="Negatives are drawn in proportion to count^this: "
                                       "0.75 (word2vec), 0 uniform (better link prediction on PPI; README, Evaluate)."),
        epochs=typer.Option(1, "--epochs", help="iterations over the walks"),
        learning_rate=typer.Option(0.025, "--learning-rate", help="initialLearningRate, decays linearly to --min-learning-rate"),
        min_learning_rate=typer.Option(0.0001, "--min-learning-rate"),
        sample=typer.Option(None, "--sample", help="positiveSamplingFactor: down-sampling threshold of frequent nodes "
                            "(default: 0 when Label nodes are embedded, else 0.001)."),
        model=typer.Option("skipgram", "--model", help="skipgram, or cbow (faster, weaker on rare nodes)"),
        timeout=typer.Option(None, "--timeout", help="Stop training after this long (30m, 2h) and keep what was learned."),
        feeding=typer.Option("iterable", "--feeding", help="With --trainer gensim: how walks reach it, iterable (default) or corpus_file."),
        trainer=typer.Option("numba", "--trainer", help="numba (default, graphvec's own kernels) or gensim (the reference)."),
    )


def projection_options():
    """The options every command that projects shares (declared once, like sqlite-utils' output options)."""
    return dict(
        preset=typer.Option(None, "--projection", help="labels (CO_OCCURS by count), bipartite (HAS_LABEL), both, graph (LINK by "
                            "weight). Default: bipartite on a store of documents, graph on a store holding only Node/LINK."),
        node_labels=typer.Option([], "--node-label", help="Custom projection: a node label (repeatable)."),
        relationships=typer.Option([], "--relationship", help="Custom projection: TYPE or TYPE:weightProperty (repeatable)."),
        directed=typer.Option(False, "--directed", help="Walk relationships in their stored direction only."),
        node_keys=typer.Option([], "--node-key", help="LABEL:property naming nodes of a custom label (default 'id')."),
        min_df=typer.Option(None, "--min-df", help="Leave out labels seen in fewer documents."),
        no_cache=typer.Option(False, "--no-cache", help="Re-read the store even when a cached projection matches."),
    )


def document_options():
    """How documents are read: shared by `ingest docs` and `evaluate label-recommendation`."""
    return dict(
        labels_field=typer.Option("tags", "--labels-field", help="Column/field holding the labels."),
        label_sep=typer.Option(None, "--label-sep", help="Separator inside the labels field (default: any whitespace)."),
        id_field=typer.Option("id", "--id-field"),
        title_field=typer.Option("title", "--title-field", help="Use '' for none."),
        fmt=typer.Option(None, "--format", help="csv or jsonl (default: from the extension)."),
        encoding=typer.Option("utf-8", "--encoding"),
        on_error=typer.Option("fail", "--on-error", help="fail: stop at the first bad record; skip: skip and count it."),
    )


def graph_options():
    """How graph files are read: shared by `ingest graph` and `evaluate`."""
    return dict(
        weighted=typer.Option(False, "--weighted", help="Edge lists: read the third column as the weight."),
        fmt=typer.Option(None, "--format", help="edgelist, adjlist or mat (default: from the extension)."),
        aggregate=typer.Option("single", "--aggregate", help="Duplicate edges: single (keep first), sum, max, min."),
        encoding=typer.Option("utf-8", "--encoding"),
    )


WALK = walk_options()
TRAIN = train_options()
PROJECTION = projection_options()
DOCUMENT = document_options()
GRAPH = graph_options()
LISTED = dict(  # what the analyst commands list
    min_df=typer.Option(MIN_DF, "--min-df", help="List only labels seen in at least this many documents (1: every label; "
                        "rarer ones sit next to anything, README 'Rare labels')."),
)
GRID = dict(
    p_grid=typer.Option(None, "--p-grid", help="Comma-separated p values to search, e.g. 0.25,0.5,1,2,4 (selected on training data only)."),
    q_grid=typer.Option(None, "--q-grid", help="Comma-separated q values to search."),
)


def parse_duration(text: Optional[str]) -> Optional[float]:
    """'90s', '30m', '2h' or plain seconds."""
    if text is None:
        return None
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smh]?)\s*", text)
    if not match:
        raise GraphvecError(f"--timeout takes a duration like 90s, 30m or 2h, not {text!r}")
    return float(match.group(1)) * {"": 1, "s": 1, "m": 60, "h": 3600}[match.group(2)]


def node2vec(method: str = "node2vec", return_factor: float = 1.0, in_out_factor: float = 1.0, walks_per_node: int = 10,
             walk_length: int = 80, seed: int = 42, workers: Optional[int] = None, dimensions: int = 128, window: int = 10,
             negative: int = 5, epochs: int = 1, learning_rate: float = 0.025, min_learning_rate: float = 0.0001,
             model: str = "skipgram", timeout: Optional[str] = None, feeding: str = "iterable", trainer: str = "numba",
             sample: Optional[float] = None, negative_exponent: float = 0.75) -> Node2Vec:
    """The model the walk and training options describe (checked when it is fitted or validated)."""
    return Node2Vec(walk_length=walk_length, walks_per_node=walks_per_node, return_factor=return_factor,
                    in_out_factor=in_out_factor, dimensions=dimensions, window=window, negative=negative, epochs=epochs,
                    learning_rate=learning_rate, min_learning_rate=min_learning_rate, sample=sample, model=model, trainer=trainer,
                    feeding=feeding, timeout_s=parse_duration(timeout), random_state=seed, workers=workers, method=method,
                    negative_exponent=negative_exponent)
