"""A deterministic labelled corpus of any size with planted topics, for the scale benchmarks.

    python benchmarks/synthetic_corpus.py OUT.csv --documents 1000000 --labels 100000 [--seed 7]

Why planted topics rather than random labels: quality has to be measurable at sizes no shipped
corpus reaches, so the generator knows the answer.  Labels are split into topics whose sizes
follow a power law (a few broad topics, many narrow ones, as Stack Exchange's tags are); inside a
topic, label popularity is Zipfian.  Each document draws one topic (or two, with probability
`two_topics`), then 1-5 labels from its topics' Zipf laws.  A label is named `t<topic>-<rank>`, so
a reader sees at once whether a label's neighbours share its topic.

`--hold-out N` removes one random label from N documents (that have two or more) and writes
them to OUT.hidden.json: the recommendation a store makes for those documents can then be scored
against the truth without retraining (bench_scale.py).

Same seed and sizes → the same file, byte for byte, whatever the machine.  Labels are drawn in
blocks of documents with one generator per block (seeded by (seed, block)), so memory stays flat
at any size.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np

BLOCK = 200_000  # documents generated at a time
LABELS_PER_TOPIC = 50  # mean topic size; topics = labels // this


def topic_layout(n_labels: int, seed: int) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """Each label's topic, and per topic its labels and their Zipf probabilities.

    Topic sizes ∝ rank^-0.8 (at least 3 labels each); within a topic a label's weight is
    rank^-1.1, a Zipf law like tag usage."""
    rng = np.random.default_rng([seed, 0])
    n_topics = max(1, n_labels // LABELS_PER_TOPIC)
    share = np.arange(1, n_topics + 1, dtype=np.float64) ** -0.8
    sizes = 3 + np.floor(share / share.sum() * (n_labels - 3 * n_topics)).astype(np.int64)
    sizes[0] += n_labels - sizes.sum()  # what flooring left over goes to the broadest topic
    members = [np.sort(m) for m in np.split(rng.permutation(n_labels), np.cumsum(sizes)[:-1])]
    probabilities = []
    for m in members:
        w = np.arange(1, len(m) + 1, dtype=np.float64) ** -1.1
        probabilities.append(w / w.sum())
    label_topic = np.empty(n_labels, np.int64)
    for t, m in enumerate(members):
        label_topic[m] = t
    return label_topic, members, probabilities


def label_names(n_labels: int, label_topic: np.ndarray, members: list[np.ndarray]) -> np.ndarray:
    """`t<topic>-<rank within topic>`; rank 1 is the topic's most popular label."""
    names = np.empty(n_labels, dtype=object)
    for t, m in enumerate(members):
        for rank, label in enumerate(m, start=1):
            names[label] = f"t{t}-{rank}"
    return names


def generate(n_documents: int, n_labels: int, seed: int = 7, two_topics: float = 0.3, first: int = 0):
    """Yield (first document index, labels of each document as a list of label indices) per block,
    for documents first … n_documents − 1.

    Vectorised: a document makes 8 draws (each from its second topic with probability 0.4 when it
    has one), keeps them in order without repeats, and stops at its size (1 + Poisson(1.8), at
    most 5).  One searchsorted over all topics' cumulative laws, offset by topic, draws them all."""
    _, members, probabilities = topic_layout(n_labels, seed)
    n_topics = len(members)
    topic_weight = np.arange(1, n_topics + 1, dtype=np.float64) ** -0.9  # topic popularity, Zipfian too
    topic_weight /= topic_weight.sum()
    flat_members = np.concatenate(members)
    ends = np.cumsum([len(m) for m in members])
    cumulative = np.concatenate([t + np.cumsum(p) for t, p in enumerate(probabilities)])  # increasing across topics
    for start in range(first - first % BLOCK, n_documents, BLOCK):
        rng = np.random.default_rng([seed, 1, start // BLOCK])
        n = BLOCK  # whole blocks, cut below, so a smaller corpus is a prefix of a larger one
        main_topic = rng.choice(n_topics, size=n, p=topic_weight)
        second = np.where(rng.random(n) < two_topics, rng.choice(n_topics, size=n, p=topic_weight), -1)
        sizes = np.minimum(1 + rng.poisson(1.8, n), 5)
        topic = np.where((second[:, None] >= 0) & (rng.random((n, 8)) < 0.4), second[:, None], main_topic[:, None])
        slot = np.minimum(np.searchsorted(cumulative, topic + rng.random((n, 8))), ends[topic] - 1)
        labels = flat_members[slot]
        repeat = np.zeros((n, 8), bool)
        for j in range(1, 8):
            repeat[:, j] = (labels[:, :j] == labels[:, j: j + 1]).any(axis=1)
        keep = ~repeat & (np.cumsum(~repeat, axis=1) <= sizes[:, None])
        docs = np.split(labels[keep], np.cumsum(keep.sum(axis=1))[:-1])
        low, high = max(first - start, 0), min(n_documents - start, n)
        yield start + low, docs[low:high]


def write_csv(path: Path, n_documents: int, n_labels: int, seed: int = 7, hold_out: int = 0, first: int = 0) -> dict:
    """Write documents first … n_documents − 1 as id,title,tags (space-separated tags, the robotics
    file's layout); `first` > 0 gives the documents a larger corpus adds to a smaller one."""
    label_topic, members, _ = topic_layout(n_labels, seed)
    names = label_names(n_labels, label_topic, members)
    hidden_rng = np.random.default_rng([seed, 2])
    held = set(hidden_rng.choice(n_documents, size=min(hold_out * 3, n_documents), replace=False).tolist()) if hold_out else set()
    hidden: dict[str, dict] = {}
    used = np.zeros(n_labels, bool)
    pairs = 0
    with path.open("w") as out:
        out.write("id,title,tags\n")
        for start, docs in generate(n_documents, n_labels, seed, first=first):
            lines = []
            for offset, labels in enumerate(docs):
                d = start + offset
                if d in held and len(labels) >= 2 and len(hidden) < hold_out:
                    drop = int(hidden_rng.integers(len(labels)))
                    hidden[str(d)] = {"hidden": names[labels[drop]], "kept": [names[x] for x in np.delete(labels, drop)]}
                    labels = np.delete(labels, drop)
                used[labels] = True
                pairs += len(labels)
                lines.append(f"{d},doc {d},{' '.join(names[labels])}\n")
            out.write("".join(lines))
    if hold_out:
        path.with_suffix(".hidden.json").write_text(json.dumps(hidden))
    return {"documents": n_documents - first, "first": first, "labels_defined": n_labels, "labels_used": int(used.sum()), "has_label": pairs,
            "topics": len(members), "held_out": len(hidden), "seed": seed}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--documents", type=int, required=True)
    parser.add_argument("--labels", type=int, required=True)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--hold-out", type=int, default=0)
    parser.add_argument("--first", type=int, default=0, help="write documents from this index on (an addition to a smaller corpus)")
    args = parser.parse_args()
    print(json.dumps(write_csv(args.out, args.documents, args.labels, args.seed, args.hold_out, args.first)))


if __name__ == "__main__":
    main()
