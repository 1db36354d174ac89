"""Projection equals a networkx graph built from the same file; the cache follows the store state."""

from __future__ import annotations

import csv

import networkx as nx
import numpy as np
import pytest

from graphvec.errors import GraphvecError
from graphvec.ingest import ingest_documents, ingest_graph
from graphvec.projection import PRESETS, ProjectionSpec, project
from graphvec.sources import read_documents, read_graph

from .conftest import KARATE, ROBOTICS


def as_networkx(projection, directed=False):
    graph = nx.DiGraph() if directed else nx.Graph()
    graph.add_nodes_from(projection.names)
    matrix = projection.to_scipy().tocoo()
    for i, j, w in zip(matrix.row, matrix.col, matrix.data):
        graph.add_edge(projection.names[i], projection.names[j], weight=float(w))
    return graph


def same_graph(a, b):
    assert set(a.nodes) == set(b.nodes)
    assert {frozenset(e) if not a.is_directed() else e for e in a.edges} == {frozenset(e) if not b.is_directed() else e for e in b.edges}
    for u, v, w in b.edges(data="weight", default=1.0):
        assert a[u][v]["weight"] == pytest.approx(w)


def check_csr_invariants(projection):
    assert projection.indptr.dtype == np.int64 and projection.indices.dtype == np.int32
    assert projection.weights.dtype == np.float32
    for row in range(projection.node_count):
        segment = projection.indices[projection.indptr[row]: projection.indptr[row + 1]]
        assert np.all(np.diff(segment) > 0), "rows must be sorted and free of duplicates"


def test_karate_projection_equals_networkx(store):
    ingest_graph(store, read_graph(KARATE))
    projection = project(store, PRESETS["graph"])
    check_csr_invariants(projection)
    same_graph(as_networkx(projection), nx.read_adjlist(KARATE))
    assert projection.edge_count == 2 * 78


def test_weighted_directed_edge_list_projection_equals_networkx(store, tmp_path):
    rng = np.random.default_rng(3)
    lines = {(int(a), int(b)): round(float(w), 3) for a, b, w in zip(rng.integers(0, 60, 400), rng.integers(0, 60, 400), rng.uniform(0.1, 2, 400))}
    path = tmp_path / "g.txt"
    path.write_text("".join(f"{a} {b} {w}\n" for (a, b), w in lines.items()), encoding="utf-8")
    ingest_graph(store, read_graph(path, weighted=True, directed=True))
    expected = nx.read_weighted_edgelist(path, create_using=nx.DiGraph)
    spec = ProjectionSpec(("Node",), (("LINK", "weight"),), directed=True)
    projection = project(store, spec)
    check_csr_invariants(projection)
    got = as_networkx(projection, directed=True)
    assert set(got.edges) == set(expected.edges)
    for u, v, w in expected.edges(data="weight"):
        assert got[u][v]["weight"] == pytest.approx(w, rel=1e-6)
    undirected = project(store, ProjectionSpec(("Node",), (("LINK", "weight"),)))
    assert np.allclose(undirected.to_scipy().toarray(), undirected.to_scipy().T.toarray())


def test_label_and_bipartite_projections_equal_networkx(store):
    ingest_documents(store, read_documents(ROBOTICS))
    with ROBOTICS.open(newline="", encoding="utf-8") as handle:
        docs = {row["id"]: set(row["tags"].split()) for row in csv.DictReader(handle)}
    bipartite = nx.Graph()
    for doc, labels in docs.items():
        bipartite.add_edges_from((doc, label) for label in labels)
    projection = project(store, PRESETS["bipartite"])
    check_csr_invariants(projection)
    same_graph(as_networkx(projection), bipartite)
    cooc = nx.Graph()
    cooc.add_nodes_from(l for ls in docs.values() for l in ls)
    for labels in docs.values():
        for a in labels:
            for b in labels:
                if a < b:
                    cooc.add_edge(a, b, weight=cooc.get_edge_data(a, b, {"weight": 0})["weight"] + 1)
    labels_projection = project(store, PRESETS["labels"])
    same_graph(as_networkx(labels_projection), cooc)


def test_cache_is_used_until_the_store_changes(store, tmp_path):
    ingest_graph(store, read_graph(KARATE))
    first = project(store, PRESETS["graph"])
    second = project(store, PRESETS["graph"])
    assert first.notes["from_cache"] is False and second.notes["from_cache"] is True
    assert np.array_equal(first.indices, second.indices) and list(first.names) == list(second.names)
    extra = tmp_path / "extra.txt"
    extra.write_text("1 99\n", encoding="utf-8")
    ingest_graph(store, read_graph(extra))
    third = project(store, PRESETS["graph"])
    assert third.notes["from_cache"] is False and third.node_count == 35


def test_a_users_own_graph_with_custom_labels_types_and_keys(store):
    if store.dialect == "embedded":  # LadybugDB declares its tables; Neo4j needs no schema
        for statement in ["CREATE NODE TABLE Person(handle STRING PRIMARY KEY)",
                          "CREATE NODE TABLE Club(code STRING PRIMARY KEY)",
                          "CREATE REL TABLE KNOWS(FROM Person TO Person, strength DOUBLE)",
                          "CREATE REL TABLE MEMBER(FROM Person TO Club)"]:
            store.run_text(statement)
    store.run_text("UNWIND ['ann', 'bob', 'cy'] AS h CREATE (:Person {handle: h})")
    store.run_text("CREATE (:Club {code: 'chess'})")
    store.run_text("MATCH (a:Person {handle: 'ann'}), (b:Person {handle: 'bob'}) CREATE (a)-[:KNOWS {strength: 2.5}]->(b)")
    store.run_text("MATCH (a:Person {handle: 'cy'}), (c:Club {code: 'chess'}) CREATE (a)-[:MEMBER]->(c)")
    spec = ProjectionSpec(("Person",), (("KNOWS", "strength"),), node_keys=(("Person", "handle"),))
    projection = project(store, spec)
    got = as_networkx(projection)
    assert set(got.nodes) == {"ann", "bob", "cy"} and got["ann"]["bob"]["weight"] == 2.5
    both = project(store, ProjectionSpec(("Person", "Club"), (("KNOWS", None), ("MEMBER", None)),
                                         node_keys=(("Person", "handle"), ("Club", "code"))))
    assert as_networkx(both).has_edge("cy", "chess")
    only_people = project(store, ProjectionSpec(("Person",), (("KNOWS", None), ("MEMBER", None)), node_keys=(("Person", "handle"),)))
    assert only_people.notes["relationships_outside_projection"] == 1


@pytest.mark.parametrize("label", ["Person) DETACH DELETE n //", "a b", "1abc", "`x`"])
def test_identifiers_are_validated_before_reaching_cypher(store, label):
    ingest_graph(store, read_graph(KARATE))
    with pytest.raises(GraphvecError, match="invalid label"):
        project(store, ProjectionSpec((label,), (("LINK", None),)))
    with pytest.raises(GraphvecError, match="invalid relationship type"):
        project(store, ProjectionSpec(("Node",), ((label, None),)))


def test_missing_label_or_type_is_a_clear_error(store):
    ingest_graph(store, read_graph(KARATE))
    with pytest.raises(GraphvecError, match="no nodes with label 'Label'"):
        project(store, PRESETS["labels"])
    with pytest.raises(GraphvecError, match="no relationships of type 'NOPE'"):
        project(store, ProjectionSpec(("Node",), (("NOPE", None),)))
