"""Reading documents and graphs: exact counts, and one clear located error per kind of bad input."""

from __future__ import annotations

import csv

import numpy as np
import pytest

from graphvec.errors import GraphvecError
from graphvec.sources import read_documents, read_graph

from .conftest import KARATE, ROBOTICS, shared


def test_robotics_csv_matches_an_independent_parse():
    corpus = read_documents(ROBOTICS, labels_field="tags", label_sep=" ")
    with ROBOTICS.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert corpus.ids == [r["id"] for r in rows]
    assert corpus.labels == [list(dict.fromkeys(r["tags"].split(" "))) for r in rows]
    assert len(corpus.ids) == 2771
    assert len({l for ls in corpus.labels for l in ls}) == 231
    assert sum(map(len, corpus.labels)) == 6520


def write(tmp_path, name, content, mode="w"):
    path = tmp_path / name
    if mode == "wb":
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


@pytest.mark.parametrize("content, message", [
    ("id,title,tags\n1,a,x y\n2,b\n", r"docs.csv:3: expected 3 fields, found 2"),
    ("id,title,tags\n1,a,x y\n2,b,\n", r"docs.csv:3: document 2 has no labels"),
    ("id,title,tags\n1,a,x y\n2,b,z\n1,c,w\n", r"docs.csv:4: duplicate document id '1' \(first seen at line 2\)"),
    ("id,title,labels\n1,a,x\n", r"docs.csv:1: no column 'tags'"),
    ("id,title,tags\n,a,x\n", r"docs.csv:2: empty document id"),
    ('id,title,tags\n1,"unclosed,x\n', r"docs.csv"),
])
def test_bad_csv_names_file_and_line(tmp_path, content, message):
    path = write(tmp_path, "docs.csv", content)
    with pytest.raises(GraphvecError, match=message):
        read_documents(path, labels_field="tags")


def test_bad_encoding_names_the_line(tmp_path):
    path = write(tmp_path, "docs.csv", b"id,title,tags\n1,ok,x\n2,caf\xe9,y\n", mode="wb")
    with pytest.raises(GraphvecError, match=r"docs.csv:3: not valid utf-8 \(try --encoding latin-1\)"):
        read_documents(path)
    assert read_documents(path, encoding="latin-1").titles[1] == "café"


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(GraphvecError, match="no such file"):
        read_documents(tmp_path / "nope.csv")


def test_skip_mode_counts_every_skipped_record(tmp_path):
    path = write(tmp_path, "docs.csv", "id,title,tags\n1,a,x y\n2,b,\n\n3,c,z z\n1,d,q\n4,e\n")
    corpus = read_documents(path, on_error="skip")
    assert corpus.ids == ["1", "3"]
    assert sum(corpus.skips.counts.values()) == 3
    assert corpus.blank_lines == 1
    assert corpus.repeated_labels_collapsed == 1
    assert any("docs.csv:3" in example for example in corpus.skips.examples)


def test_jsonl_documents_and_errors(tmp_path):
    path = write(tmp_path, "docs.jsonl", '{"id": 1, "title": "a", "labels": ["x", "y"]}\n{"id": "2", "labels": ["y"]}\n')
    corpus = read_documents(path, labels_field="labels")
    assert corpus.ids == ["1", "2"] and corpus.labels == [["x", "y"], ["y"]]
    bad = write(tmp_path, "bad.jsonl", '{"id": 1, "labels": ["x"]}\n{"id": 2, "labels": [}\n')
    with pytest.raises(GraphvecError, match=r"bad.jsonl:2: invalid JSON"):
        read_documents(bad, labels_field="labels")
    bad = write(tmp_path, "bad2.jsonl", '{"id": 1, "labels": "x"}\n{"id": 2}\n')
    with pytest.raises(GraphvecError, match=r"bad2.jsonl:2: missing field 'labels'"):
        read_documents(bad, labels_field="labels")


def test_karate_adjacency_list_gives_78_undirected_edges():
    graph = read_graph(KARATE)
    assert len(graph.nodes) == 34 and len(graph.src) == 78
    assert graph.duplicates_merged == 0  # both-ends listing is not duplication
    assert all(a <= b for a, b in zip(graph.src, graph.dst))


@pytest.mark.parametrize("content, options, message", [
    ("1 2 0.5\n", {}, r"g.txt:1: has a third column; pass --weighted"),
    ("1 2 0.5\n2 3 -1\n", {"weighted": True}, r"g.txt:2: weight -1 must be a positive finite number"),
    ("1 2 abc\n", {"weighted": True}, r"g.txt:1: weight 'abc' is not a number"),
    ("1\n", {}, r"g.txt:1: expected 'u v', found 1 fields"),
])
def test_bad_edge_lists_name_the_line(tmp_path, content, options, message):
    path = write(tmp_path, "g.txt", content)
    with pytest.raises(GraphvecError, match=message):
        read_graph(path, **options)


def test_duplicate_edges_are_aggregated_and_counted(tmp_path):
    path = write(tmp_path, "g.txt", "# comment\na b 1\nb a 3\nb c 2\n")
    single = read_graph(path, weighted=True)
    assert dict(zip(zip(single.src, single.dst), single.weight)) == {("a", "b"): 1.0, ("b", "c"): 2.0}
    assert single.duplicates_merged == 1 and single.conflicting_weights == 1
    summed = read_graph(path, weighted=True, aggregate="sum")
    assert dict(zip(zip(summed.src, summed.dst), summed.weight))[("a", "b")] == 4.0
    directed = read_graph(path, weighted=True, directed=True)
    assert len(directed.src) == 3


def test_blogcatalog_mat_counts():
    graph = read_graph(shared("blogcatalog/blogcatalog.mat"))
    assert len(graph.nodes) == 10312 and len(graph.src) == 333983
    assert sum(len(c) for c in graph.classes.values()) == 14476


def test_ppi_mat_keeps_self_loops():
    graph = read_graph(shared("ppi/PPI.mat"))
    assert len(graph.src) == 38739 and graph.self_loops == 894
    assert np.all(graph.weight == 1.0)
