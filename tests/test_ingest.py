"""Documents and graphs into a real embedded store: counts, statistics, idempotency, atomicity."""

from __future__ import annotations

import csv
import itertools
import math
import random

import pyarrow as pa
import pytest

from graphvec.errors import GraphvecError
from graphvec.ingest import ingest_documents, ingest_graph
from graphvec.sources import read_documents, read_graph
from graphvec.store import WriteStep

from .conftest import KARATE, ROBOTICS


def robotics_truth():
    """Counts computed here with plain Python sets, independent of graphvec's sparse algebra."""
    with ROBOTICS.open(newline="", encoding="utf-8") as handle:
        docs = {row["id"]: set(row["tags"].split()) for row in csv.DictReader(handle)}
    df = {}
    for labels in docs.values():
        for label in labels:
            df[label] = df.get(label, 0) + 1
    return docs, df


def pair_count(docs, a, b):
    return sum(1 for labels in docs.values() if a in labels and b in labels)


def test_robotics_counts_equal_an_independent_count(store):
    report = ingest_documents(store, read_documents(ROBOTICS))
    docs, df = robotics_truth()
    counts = store.counts()
    assert counts["Document"] == len(docs) == report.store_totals["documents"]
    assert counts["Label"] == len(df)
    assert counts["HAS_LABEL"] == sum(map(len, docs.values()))
    stored_df = {r["name"]: r["df"] for r in store.read("read_labels").to_pylist()}
    assert stored_df == df
    cooc = {(r["a"], r["b"]): r for r in store.read("read_cooccurs").to_pylist()}
    assert counts["CO_OCCURS"] == len(cooc) == 2505
    assert all(a < b for a, b in cooc)  # one relationship per unordered pair
    for (a, b), row in random.Random(7).sample(sorted(cooc.items()), 40):
        assert row["count"] == pair_count(docs, a, b)
    # Hand-checked NPMI for the most frequent pair.
    (a, b), row = max(cooc.items(), key=lambda item: item[1]["count"])
    n = len(docs)
    p_ab, p_a, p_b = row["count"] / n, df[a] / n, df[b] / n
    assert row["npmi"] == pytest.approx(math.log(p_ab / (p_a * p_b)) / -math.log(p_ab), rel=1e-9)
    # Pairs that never co-occur have no relationship.
    labels = sorted(df)
    absent = [(x, y) for x, y in itertools.combinations(labels[:40], 2) if pair_count(docs, x, y) == 0]
    assert absent and not any(pair in cooc for pair in absent)


def test_reingest_is_idempotent(store):
    corpus = read_documents(ROBOTICS)
    ingest_documents(store, corpus)
    before = (store.counts(), store.fingerprint(), store.read("read_cooccurs").to_pylist())
    again = ingest_documents(store, corpus)
    assert again.new == 0 and again.updated == 0 and again.unchanged == 2771
    assert not any(again.written_rows.values())
    assert (store.counts(), store.fingerprint(), store.read("read_cooccurs").to_pylist()) == before


def test_reingested_document_replaces_its_labels_and_statistics_follow(store, tmp_path):
    first = tmp_path / "a.csv"
    first.write_text("id,title,tags\n1,one,x y\n2,two,y z\n3,three,x z\n", encoding="utf-8")
    ingest_documents(store, read_documents(first))
    second = tmp_path / "b.csv"
    second.write_text("id,title,tags\n3,three again,x y\n4,four,w\n", encoding="utf-8")
    report = ingest_documents(store, read_documents(second))
    assert (report.new, report.updated) == (1, 1)
    pairs = sorted((r["doc"], r["label"]) for r in store.read("read_has_label").to_pylist())
    assert pairs == [("1", "x"), ("1", "y"), ("2", "y"), ("2", "z"), ("3", "x"), ("3", "y"), ("4", "w")]
    df = {r["name"]: r["df"] for r in store.read("read_labels").to_pylist()}
    assert df == {"w": 1, "x": 2, "y": 3, "z": 1}
    cooc = {(r["a"], r["b"]): r["count"] for r in store.read("read_cooccurs").to_pylist()}
    assert cooc == {("x", "y"): 2, ("y", "z"): 1}  # x–z vanished with document 3's old labels
    titles = {r["id"]: r["title"] for r in store.read("read_documents").to_pylist()}
    assert titles["3"] == "three again"


def test_min_df_keeps_labels_but_leaves_them_out_of_cooccurs(store, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("id,title,tags\n1,a,x y rare\n2,b,x y\n", encoding="utf-8")
    report = ingest_documents(store, read_documents(path), min_df=2)
    assert report.notes["labels_below_min_df"] == 1
    assert store.counts()["Label"] == 3
    assert [(r["a"], r["b"]) for r in store.read("read_cooccurs").to_pylist()] == [("x", "y")]
    from graphvec.projection import PRESETS, ProjectionSpec, project

    assert sorted(project(store, PRESETS["bipartite"]).names[-2:]) == ["x", "y"]  # the ingest threshold applies
    assert project(store, PRESETS["bipartite"]).node_count == 2 + 2
    explicit = ProjectionSpec(("Document", "Label"), (("HAS_LABEL", None),), min_df=1)
    assert project(store, explicit).node_count == 2 + 3  # an explicit --min-df wins


def test_a_failed_write_leaves_the_store_as_it_was(embedded_store):
    store = embedded_store
    ingest_documents(store, read_documents(ROBOTICS))
    before = (store.counts(), store.meta())
    good = WriteStep("upsert_documents", pa.table({"id": ["new-doc"], "title": ["t"]}))
    bad = WriteStep("create_has_label", pa.table({"doc": ["no-such-document"], "label": ["arduino"]}))
    with pytest.raises(Exception):
        store.write([good, bad], {"version": "half"})
    assert (store.counts(), store.meta()) == before


def test_graph_ingest_counts_and_idempotency(store):
    report = ingest_graph(store, read_graph(KARATE))
    assert store.counts()["Node"] == 34 and store.counts()["LINK"] == 78
    assert report.new == 78
    again = ingest_graph(store, read_graph(KARATE))
    assert again.new == 0 and not any(again.written_rows.values())
    assert store.counts()["LINK"] == 78


def test_graph_weight_changes_are_updates_and_direction_must_match(store, tmp_path):
    path = tmp_path / "g.txt"
    path.write_text("a b 1\nb c 2\n", encoding="utf-8")
    ingest_graph(store, read_graph(path, weighted=True))
    path.write_text("a b 5\nc d 1\n", encoding="utf-8")
    report = ingest_graph(store, read_graph(path, weighted=True))
    assert (report.new, report.updated) == (1, 1)
    weights = {(r["src"], r["dst"]): r["weight"] for r in store.read("read_links").to_pylist()}
    assert weights == {("a", "b"): 5.0, ("b", "c"): 2.0, ("c", "d"): 1.0}
    with pytest.raises(GraphvecError, match="holds a undirected graph|holds a directed graph|holds an undirected"):
        ingest_graph(store, read_graph(path, weighted=True, directed=True))


def test_a_statement_failing_inside_a_transaction_raises_its_own_error_and_leaves_nothing(embedded_store):
    """LadybugDB rolls a transaction back itself when a statement in it fails; graphvec's ROLLBACK
    must not then replace that error by 'No active transaction' (a 5M-document ingest showed the
    rollback's traceback instead of the page-cache message naming the way out)."""
    embedded_store.run_text("CREATE NODE TABLE N(id STRING, PRIMARY KEY(id))")
    with pytest.raises(RuntimeError, match="duplicated primary key"):
        with embedded_store._transaction():
            embedded_store._execute("COPY N FROM $rows", {"rows": pa.table({"id": ["a", "b"]})})
            embedded_store._execute("COPY N FROM $rows", {"rows": pa.table({"id": ["c", "c"]})})
    assert embedded_store.run_text("MATCH (n:N) RETURN count(n) AS n").to_pylist() == [{"n": 0}]
