"""Keeping vectors fresh on real stores: document vectors from labels, fold-in updates, staleness,
alignment across rebuilds."""

from __future__ import annotations

import csv
import json

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from dataclasses import replace

from graphvec import documents
from graphvec.align import mean_cosine, rotation
from graphvec.ingest import ingest_documents, ingest_graph
from graphvec.errors import GraphvecError
from graphvec.pipeline import embed, embed_documents, update
from graphvec.projection import PRESETS, build_csr
from graphvec.similarity import top_k_exact
from graphvec.sources import read_documents, read_graph
from graphvec.stats import store_stats
from graphvec.node2vec import Node2Vec
from graphvec.projection import Projection

from .conftest import KARATE, ROBOTICS, run_cli
from .test_embed import similar_rows, stored_vectors

MODEL = Node2Vec(walk_length=20, walks_per_node=10, dimensions=32, window=5, epochs=2, workers=1, random_state=7, sample=0.0)


def test_document_vector_is_the_idf_weighted_mean_of_its_labels_with_a_vector():
    x = sp.csr_matrix(np.array([[1, 1, 0], [0, 1, 1], [0, 0, 1], [0, 0, 0]], dtype=np.float32))
    embedding = np.array([[1, 0], [0, 1], [5, 5]], dtype=np.float32)
    has = np.array([True, True, False])  # label 2 was never embedded: it takes no part
    weights = documents.label_weights(np.array([1, 2, 2]), 4)
    assert weights[0] > weights[1] == weights[2] > 0  # the rarer label weighs more, none weighs nothing
    result = documents.from_labels(x, embedding, embedding * 2, has, weights)
    w0, w1 = weights[0], weights[1]
    assert np.allclose(result.embedding[0], [w0 / (w0 + w1), w1 / (w0 + w1)])
    assert np.allclose(result.embedding[1], [0, 1]) and np.allclose(result.context[1], [0, 2])
    assert result.has_vector.tolist() == [True, True, False, False]
    assert not result.embedding[2:].any()


def test_removing_the_first_component_leaves_documents_orthogonal_to_it_and_reuses_it():
    rng = np.random.default_rng(0)
    common = rng.standard_normal(16).astype(np.float32)
    labels = (rng.standard_normal((40, 16)) * 0.3 + common * 3).astype(np.float32)
    x = sp.random(200, 40, density=0.1, random_state=1, format="csr")
    x.data[:] = 1
    w = documents.label_weights(np.asarray(x.sum(axis=0)).ravel(), 200)
    plain = documents.from_labels(x, labels, labels, np.ones(40, bool), w)
    removed = documents.from_labels(x, labels, labels, np.ones(40, bool), w, remove_first_pc=True)
    unit = removed.component
    assert abs(np.dot(unit, common) / np.linalg.norm(common)) > 0.99  # the shared theme is what was removed
    assert np.abs(removed.embedding[removed.has_vector] @ unit).max() < 1e-4
    assert np.abs(plain.embedding[plain.has_vector] @ unit).min() > 0.1
    again = documents.from_labels(x[:5], labels, labels, np.ones(40, bool), w, remove_first_pc=True, component=unit)
    assert np.allclose(again.embedding, removed.embedding[:5], atol=1e-5)


def _write_rows(path, rows):
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)


def _robotics_split(tmp_path, first: int):
    csv.field_size_limit(10**9)
    with ROBOTICS.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    _write_rows(tmp_path / "first.csv", rows[: first + 1])
    _write_rows(tmp_path / "rest.csv", [rows[0]] + rows[first + 1:])
    return tmp_path / "first.csv", tmp_path / "rest.csv"


def _ingest(store, path):
    ingest_documents(store, read_documents(path, id_field="id", title_field="title", labels_field="tags", label_sep=" "))


def test_embed_derives_document_vectors_from_labels_and_embed_documents_rewrites_them(store):
    _ingest(store, ROBOTICS)
    result = embed(store, PRESETS["labels"], MODEL, top_k=3, predict_k=0)
    assert result.write.labels["Document"]["embedded"] > 2700  # documents were not in the projection
    labels = stored_vectors(store, "Label", "name")
    docs = stored_vectors(store, "Document", "id")
    tags = {r["name"]: r["df"] for r in store.read("read_labels").to_pylist()}
    n_docs = store.counts()["Document"]
    doc_labels = store.read("document_labels", {"id": "1"}).column("name").to_pylist()
    w = documents.label_weights(np.array([tags[t] for t in doc_labels]), n_docs)
    expected = sum(wi * labels[t] for wi, t in zip(w, doc_labels)) / w.sum()
    assert np.allclose(docs["1"], expected, atol=1e-5)
    label_similar = similar_rows(store, "Label", "name")
    report = embed_documents(store, weighting="uniform", remove_first_pc=True, top_k=4)
    assert similar_rows(store, "Label", "name") == label_similar, "Label's SIMILAR is not embed-documents' to touch"
    runs = {r["id"]: r for r in store.read("read_runs").to_pylist()}
    assert runs[report["run_id"]]["method"] == "label-mean" and runs[report["run_id"]]["status"] == "complete"
    settings = json.loads(runs[report["run_id"]]["parameters"])["documents"]
    assert settings["weighting"] == "uniform" and len(settings["component"]) == 32
    after = stored_vectors(store, "Document", "id")
    assert abs(float(after["1"] @ np.asarray(settings["component"], np.float32))) < 1e-4
    rows = similar_rows(store, "Document", "id")
    assert {r["run"] for r in rows} == {report["run_id"]} and len(rows) == 4 * report["with_vector"]
    assert not store_stats(store)["warnings"]


def test_update_folds_in_new_labels_and_documents_keeping_every_old_vector(store, tmp_path):
    first, rest = _robotics_split(tmp_path, 2650)
    _ingest(store, first)
    base = embed(store, PRESETS["bipartite"], MODEL, top_k=5, predict_k=3)
    old_labels, old_docs = stored_vectors(store, "Label", "name"), stored_vectors(store, "Document", "id")
    documents_before = store.counts()["Document"]
    _ingest(store, rest)
    added_documents = store.counts()["Document"] - documents_before
    status = store_stats(store)["embeddings"]
    assert status["stale"] and "graphvec update" in status["recommendation"]
    report = update(store)  # k as stored: the embed's 5
    assert {v["k"] for v in report["similar"].values()} == {5}
    assert report["update_of"] == base.run_id and report["new_vectors"]["Document"] == added_documents > 100
    labels, docs = stored_vectors(store, "Label", "name"), stored_vectors(store, "Document", "id")
    assert all(np.array_equal(labels[k], v) for k, v in old_labels.items())  # frozen, bit for bit
    assert all(np.array_equal(docs[k], v) for k, v in old_docs.items())
    new_labels = sorted(set(labels) - set(old_labels))
    assert len(new_labels) == report["new_vectors"]["Label"] > 0
    after = store_stats(store)
    assert not after["embeddings"]["stale"] and not after["warnings"], after["warnings"]
    # SIMILAR after the update is what a full rebuild over the same vectors gives (top-5 by cosine)
    keys = sorted(labels)
    matrix = np.stack([labels[k] for k in keys])
    expected_idx, expected_scores = top_k_exact(matrix, 5)
    by_node = {}
    for row in similar_rows(store, "Label", "name"):
        by_node.setdefault(row["a"], []).append(row)
    assert len(by_node) == len(keys)
    for i, key in enumerate(keys):
        got = sorted(by_node[key], key=lambda r: r["rank"])
        assert np.allclose([r["score"] for r in got], expected_scores[i], atol=1e-5), key
    changed = {r["a"] for rows in by_node.values() for r in rows if r["run"] == report["run_id"]}
    assert set(new_labels) <= changed and len(changed) < len(keys)  # only nodes the new ones entered were rewritten
    predicted = store.run_text("MATCH (d:Document)-[r:PREDICTED]->(:Label) RETURN count(r) AS n").column("n")[0].as_py()
    assert predicted >= 3 * (len(docs) - 20)
    runs_before, meta_before = store.read("read_runs").num_rows, store.meta()
    again = update(store, top_k=5)  # nothing new: nothing is written, not even a run record
    assert sum(again["new_vectors"].values()) == 0 and again["fold_in"] == {} and again["run_id"] is None
    assert store.read("read_runs").num_rows == runs_before and store.meta() == meta_before


def _lists(store, label, key) -> dict:
    by_node = {}
    for row in similar_rows(store, label, key):
        by_node.setdefault(row["a"], []).append(row)
    return {a: sorted(rows, key=lambda r: r["rank"]) for a, rows in by_node.items()}


def test_an_update_interrupted_inside_similar_is_completed_by_the_next_update(store, tmp_path, monkeypatch):
    """The new vectors land first, then SIMILAR and PREDICTED: a crash in between once left a
    store whose re-run found nothing new and wrote nothing (the 5M benchmark, README Scale)."""
    from graphvec import writeback

    first, rest = _robotics_split(tmp_path, 2650)
    _ingest(store, first)
    base = embed(store, PRESETS["bipartite"], MODEL, top_k=5, predict_k=3)
    old_labels = stored_vectors(store, "Label", "name")
    _ingest(store, rest)
    monkeypatch.setattr(writeback, "REL_BATCH", 50)  # SIMILAR in batches of 10 lists
    with pytest.raises(GraphvecError, match="interrupted after 4 batches"):
        update(store, stop_after_batches=4)  # the two labels' vectors, then two batches of SIMILAR
    record = next(r for r in store.read("read_runs").to_pylist() if r["status"] == "writing")
    steps = json.loads(record["parameters"])["similar_steps"]
    # Label's changed lists fit one batch: the crash lands inside Document's
    assert steps == {"Label": {"state": "done", "k": 5}, "Document": {"state": "started", "k": 5}}, steps
    status = store_stats(store)
    assert any("did not finish" in w for w in status["warnings"])
    by_run = status["embeddings"]["labels"]
    assert record["id"] in by_run["Label"]["by_run"] and record["id"] in by_run["Document"]["by_run"], "the new vectors landed"
    torn = _lists(store, "Document", "id")
    assert len(torn) < len(stored_vectors(store, "Document", "id")), "some lists were deleted and not yet written again"

    report = update(store)
    assert report["run_id"] == report["completes"] == record["id"] and report["update_of"] == base.run_id
    assert report["similar"]["Label"]["written"].startswith("already") and report["similar"]["Document"]["written"].startswith("every list")
    assert report["new_vectors"]["Label"] == by_run["Label"]["by_run"][record["id"]]
    after = store_stats(store)
    assert not after["warnings"], after["warnings"]
    assert {r["id"]: r["status"] for r in store.read("read_runs").to_pylist()} == {base.run_id: "complete", record["id"]: "complete"}
    labels = stored_vectors(store, "Label", "name")
    assert all(np.array_equal(labels[k], v) for k, v in old_labels.items())
    # every list as a full rebuild over the stored vectors gives it (the old documents' lists too:
    # searched over their stored vectors, not over vectors derived again with today's frequencies)
    for label, key, vectors, tolerance, overlap in (("Label", "name", labels, 1e-5, 1.0),
                                                    ("Document", "id", stored_vectors(store, "Document", "id"), 1e-5, 1.0)):
        keys = sorted(vectors)
        expected, expected_scores = top_k_exact(np.stack([vectors[k] for k in keys]), 5)
        lists = _lists(store, label, key)
        assert len(lists) == len(keys), label
        same = 0
        for i, node in enumerate(keys):
            assert np.allclose([r["score"] for r in lists[node]], expected_scores[i], atol=tolerance), (label, node)
            same += len({r["b"] for r in lists[node]} & {keys[j] for j in expected[i]})
        assert same / (5 * len(keys)) >= overlap, (label, same / (5 * len(keys)))
    new_documents = [d for d, run in _document_runs(store).items() if run == record["id"]]
    predicted = store.run_text("MATCH (d:Document)-[r:PREDICTED]->(:Label) WHERE d.id IN $ids RETURN count(r) AS n",
                               {"ids": new_documents}).column("n")[0].as_py()
    assert len(new_documents) > 100 and predicted >= 3 * (len(new_documents) - 5)


def test_an_update_interrupted_inside_predicted_leaves_each_new_document_exactly_its_top_k(store, tmp_path, monkeypatch):
    """Completing an update rescores the new documents and replaces their PREDICTED, the ones the
    unfinished run already wrote included (they are found by the run their vectors carry, not by a
    key list: that join filled LadybugDB's page cache at 5M documents)."""
    from graphvec import writeback

    first, rest = _robotics_split(tmp_path, 2650)
    _ingest(store, first)
    embed(store, PRESETS["bipartite"], MODEL, top_k=5, predict_k=3)
    _ingest(store, rest)
    real_create = writeback._create

    def crash_inside_predicted(store_, step, tables, identifiers, checkpoint=None):
        if step != "create_predicted":
            return real_create(store_, step, tables, identifiers, checkpoint)

        def first_batch_then_crash():
            batches = iter(tables)
            yield next(batches).slice(0, 120)  # 40 documents' 3 recommendations
            raise GraphvecError("crashed inside PREDICTED")
        return real_create(store_, step, first_batch_then_crash(), identifiers, checkpoint)

    monkeypatch.setattr(writeback, "_create", crash_inside_predicted)
    with pytest.raises(GraphvecError, match="inside PREDICTED"):
        update(store)
    monkeypatch.undo()
    record = next(r for r in store.read("read_runs").to_pylist() if r["status"] == "writing")
    new_documents = [d for d, run in _document_runs(store).items() if run == record["id"]]
    count = "MATCH (d:Document)-[r:PREDICTED]->(:Label) WHERE d.id IN $ids RETURN d.id AS d, count(r) AS n"
    assert sum(r["n"] for r in store.run_text(count, {"ids": new_documents}).to_pylist()) == 120
    report = update(store)
    assert report["completes"] == record["id"] and report["predicted"]["documents"] == len(new_documents) > 100
    per_document = {r["d"]: r["n"] for r in store.run_text(count, {"ids": new_documents}).to_pylist()}
    assert set(per_document.values()) == {3} and len(per_document) >= len(new_documents) - 5, per_document


def _document_runs(store) -> dict:
    return {str(r["key"]): r["run"] for r in store.read("read_vector_keys", label="Document", key="id").to_pylist()}


def test_update_rewriting_every_list_writes_what_rewriting_the_changed_ones_does(tmp_path, monkeypatch):
    """The embedded store's two ways of bringing SIMILAR up to date (delete the changed lists, or
    clear the pattern by a table rebuild and write every list) leave the same relationships, each
    with the run that wrote it, and the rebuild keeps the other label's SIMILAR."""
    from graphvec.store import embedded, open_store

    first, rest = _robotics_split(tmp_path, 2650)
    found = {}
    monkeypatch.setitem(embedded.ROWS_PER_TRANSACTION, "delete_similar_from", 7)  # the changed lists over several transactions
    for way, ratio, clear_by_delete in (("changed", 0, 10**9), ("every", 10**9, 0)):
        monkeypatch.setattr(embedded, "DELETE_OVER_COPY", ratio)
        monkeypatch.setattr(embedded, "CLEAR_BY_DELETE", clear_by_delete)
        with open_store(str(tmp_path / f"{way}.lbug")) as store:
            _ingest(store, first)
            base = embed(store, PRESETS["bipartite"], MODEL, top_k=5, predict_k=0)
            _ingest(store, rest)
            report = update(store, top_k=5, workers=1)  # one training thread: the two stores get the same vectors
            assert {v["written"] for v in report["similar"].values()} == {"changed lists" if way == "changed" else "every list"}
            runs = {base.run_id: "embed", report["run_id"]: "update"}
            found[way] = {label: sorted((r["a"], r["rank"], r["b"], round(r["score"], 5), runs[r["run"]])
                                        for r in similar_rows(store, label, key)) for label, key in (("Label", "name"), ("Document", "id"))}
    for label in ("Label", "Document"):
        assert len(found["every"][label]) > 1000 and found["every"][label] == found["changed"][label], label
        assert {r[-1] for r in found["every"][label]} == {"embed", "update"}


def test_fold_in_places_new_nodes_in_their_community_without_moving_the_others():
    sizes, blocks = 60, 4
    graph = nx.stochastic_block_model([sizes] * blocks, [[0.25 if i == j else 0.005 for j in range(blocks)] for i in range(blocks)],
                                      seed=3)
    edges = np.array(graph.edges())
    n = sizes * blocks
    new = np.random.default_rng(0).choice(n, 12, replace=False)
    keep = ~np.isin(edges, new).any(axis=1)
    model = replace(MODEL, method="deepwalk")
    reduced = build_csr(edges[keep, 0], edges[keep, 1], np.ones(keep.sum()), n, directed=False)
    base = model.fit(Projection.from_csr(reduced)).embedding_
    assert not base.has_vector[new].any()
    full = build_csr(edges[:, 0], edges[:, 1], np.ones(len(edges)), n, directed=False)
    folded, stats = model.fold_in(Projection.from_csr(full), base)
    old = np.setdiff1d(np.arange(n), new)
    assert np.array_equal(folded.vectors[old], base.vectors[old]) and np.array_equal(folded.context[old], base.context[old])
    assert folded.has_vector[new].all() and stats["new_nodes"] == 12
    block = np.arange(n) // sizes
    unit = folded.vectors / np.linalg.norm(folded.vectors, axis=1, keepdims=True)
    nearest = np.argsort(-(unit[new] @ unit[old].T), axis=1)[:, :5]
    assert np.mean(block[old][nearest] == block[new][:, None]) > 0.8


def test_alignment_keeps_every_neighbour_ranking_and_reduces_drift():
    rng = np.random.default_rng(1)
    old = rng.standard_normal((300, 16)).astype(np.float32)
    q, _ = np.linalg.qr(rng.standard_normal((16, 16)))
    new = (old @ q.astype(np.float32) + rng.standard_normal((300, 16)).astype(np.float32) * 0.1).astype(np.float32)
    r = rotation(new, old)
    aligned = new @ r
    assert np.allclose(r @ r.T, np.eye(16), atol=1e-5)
    before, after = top_k_exact(new, 10), top_k_exact(aligned, 10)
    assert np.array_equal(before[0], after[0]) and np.allclose(before[1], after[1], atol=1e-5)
    assert mean_cosine(aligned, old) > 0.99 > 0.5 > mean_cosine(new, old)


def test_embed_align_previous_records_the_drift_and_keeps_similar(store):
    ingest_graph(store, read_graph(KARATE))
    embed(store, PRESETS["graph"], replace(MODEL, method="deepwalk"), top_k=5)
    first = stored_vectors(store, "Node", "id")
    result = embed(store, PRESETS["graph"], replace(MODEL, method="deepwalk", random_state=8), top_k=5, align_previous=True)
    alignment = result.alignment
    assert alignment["shared_nodes"] == 34 and alignment["mean_cosine"] > alignment["mean_cosine_unaligned"]
    record = next(r for r in store.read("read_runs").to_pylist() if r["id"] == result.run_id)
    assert json.loads(record["parameters"])["alignment"]["mean_cosine"] == alignment["mean_cosine"]
    second = stored_vectors(store, "Node", "id")
    keys = sorted(second)
    assert mean_cosine(np.stack([second[k] for k in keys]), np.stack([first[k] for k in keys])) == pytest.approx(alignment["mean_cosine"], abs=1e-3)
    stored = {}
    for row in similar_rows(store, "Node", "id"):
        stored.setdefault(row["a"], {})[row["rank"]] = row["b"]
    expected, _ = top_k_exact(np.stack([second[k] for k in keys]), 5)
    assert all([stored[keys[i]][rank + 1] for rank in range(5)] == [keys[j] for j in expected[i]] for i in range(len(keys)))


def test_update_needs_a_recorded_embed_run_and_says_so(store_path):
    ingest = run_cli("--store", str(store_path), "ingest", "graph", str(KARATE))
    assert ingest.returncode == 0, ingest.stderr
    done = run_cli("--store", str(store_path), "update")
    assert done.returncode == 2 and "run 'graphvec embed' first" in done.stderr and "Traceback" not in done.stderr


def test_stats_recommends_a_full_embed_when_many_nodes_are_new(store, tmp_path):
    first, rest = _robotics_split(tmp_path, 1500)
    _ingest(store, first)
    embed(store, PRESETS["labels"], MODEL, top_k=0, predict_k=0)
    _ingest(store, rest)
    status = store_stats(store)["embeddings"]
    assert status["stale"] and status["nodes_without_vector"] > 1000
    assert "graphvec embed" in status["recommendation"] and "update" not in status["recommendation"].split(":")[0]
    runs = store.read("read_runs").num_rows
    with pytest.raises(GraphvecError, match="advises a full embed, not update .*pass --force"):
        update(store, top_k=0)  # fold-in would learn nothing about how the old labels changed
    assert store.read("read_runs").num_rows == runs  # refused before any write
    forced = update(store, top_k=0, force=True)
    assert forced["forced"] and forced["new_vectors"]["Label"] > 0 and "graphvec embed" in forced["stats_advice"]


def test_document_vectors_use_each_labels_own_df_when_min_df_leaves_labels_out(embedded_store):
    """Labels below --min-df are outside the projection; the ones inside must keep their own df
    (a missing label once wrote its df into the last row)."""
    from graphvec.pipeline import documents_from_labels
    from graphvec.projection import ProjectionSpec, project

    store = embedded_store
    _ingest(store, ROBOTICS)
    spec = ProjectionSpec(("Document", "Label"), (("HAS_LABEL", None),), min_df=20)
    projection = project(store, spec)
    labels = MODEL.fit(projection).embedding_.for_label("Label")
    df_rows = store.read("read_labels").to_pylist()
    df = {str(r["name"]): r["df"] for r in df_rows}
    assert len(labels) < len(df) and min(df[k] for k in labels.keys) >= 20
    derived, _ = documents_from_labels(store, labels, "idf")
    pairs = store.read("read_has_label").to_pylist()
    doc_rows = {d: i for i, d in enumerate(derived.keys)}
    x = sp.lil_matrix((len(derived), len(labels)), dtype=np.float32)
    for pair in pairs:
        column = labels.rows_of([pair["label"]])[0]
        if column >= 0:
            x[doc_rows[str(pair["doc"])], column] = 1
    expected = documents.from_labels(sp.csr_matrix(x), labels.vectors, labels.context, labels.has_vector,
                                     documents.label_weights(np.array([df[k] for k in labels.keys], np.float64), len(derived)))
    assert np.allclose(derived.vectors, expected.embedding, atol=1e-6)
    assert np.array_equal(derived.has_vector, expected.has_vector) and derived.has_vector.sum() > 1000


def test_a_document_whose_labels_changed_gets_its_vector_and_lists_again_from_update(store, tmp_path):
    """Re-ingesting a document with other labels drops the vector derived from its old ones, so
    `update` derives it again, rewrites its SIMILAR and PREDICTED, and takes its stale entries out
    of other documents' lists: afterwards every stored SIMILAR score is the cosine of the vectors
    stored now, and the other documents' vectors are untouched."""
    csv.field_size_limit(10**9)
    with ROBOTICS.open(encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    tags = rows[0].index("tags")
    moved = {rows[i][0]: rows[i + 1000][tags] for i in range(1, 31) if rows[i][tags] != rows[i + 1000][tags]}
    changed = [row[:tags] + [moved.get(row[0], row[tags])] + row[tags + 1:] if row[0] in moved else row for row in rows]
    _write_rows(tmp_path / "changed.csv", changed)
    _ingest(store, ROBOTICS)
    embed(store, PRESETS["labels"], MODEL, top_k=5, predict_k=3)
    before = stored_vectors(store, "Document", "id")
    _ingest(store, tmp_path / "changed.csv")
    assert not set(moved) & set(stored_vectors(store, "Document", "id"))  # their old vectors are gone
    assert "graphvec update" in store_stats(store)["embeddings"]["recommendation"]
    report = update(store)
    assert report["new_vectors"]["Document"] == len(moved) > 20
    after = stored_vectors(store, "Document", "id")
    assert all(np.array_equal(after[d], v) for d, v in before.items() if d not in moved)
    labels = stored_vectors(store, "Label", "name")
    df = {r["name"]: r["df"] for r in store.read("read_labels").to_pylist()}
    for doc in moved:
        names = [n for n in store.read("document_labels", {"id": doc}).column("name").to_pylist() if n in labels]
        w = documents.label_weights(np.array([df[n] for n in names]), store.counts()["Document"])
        assert np.allclose(after[doc], sum(wi * labels[n] for wi, n in zip(w, names)) / w.sum(), atol=1e-5), doc
        assert doc not in before or not np.allclose(after[doc], before[doc], atol=1e-3), doc
    unit = {d: v / np.linalg.norm(v) for d, v in after.items()}
    lists = {}
    for row in similar_rows(store, "Document", "id"):
        lists.setdefault(row["a"], []).append(row["b"])
        assert abs(row["score"] - float(unit[row["a"]] @ unit[row["b"]])) < 1e-4, row
    assert all(len(b) == len(set(b)) == 5 for b in lists.values())
    assert set(moved) <= set(lists) and any(set(moved) & set(b) for b in lists.values())
    count = "MATCH (d:Document)-[r:PREDICTED]->(l:Label) WHERE d.id IN $ids RETURN d.id AS d, collect(l.name) AS names"
    predicted = {r["d"]: r["names"] for r in store.run_text(count, {"ids": list(moved)}).to_pylist()}
    for doc, names in predicted.items():
        assert len(names) == 3 and not set(names) & set(moved[doc].split()), doc
    assert len(predicted) == len(moved)
