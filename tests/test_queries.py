"""The analyst's queries on both real stores holding the robotics corpus, embedded once per module.

Every query file in cypher/<dialect> is executed here and compared with an independent numpy
computation over the stored vectors, or with the rows the Python API returns; and the two stores,
trained on the same corpus with the same seed and one worker, must give the same answers.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from graphvec import queries
from graphvec.cypher import cypher_dir
from graphvec.errors import GraphvecError
from graphvec.ingest import ingest_documents
from graphvec.pipeline import embed
from graphvec.plot import plot_vectors
from graphvec.projection import PRESETS
from graphvec.sources import read_documents
from graphvec.store import open_store
from graphvec.node2vec import Node2Vec

from .conftest import ROBOTICS, STORES, run_cli, wipe_neo4j


def _fill(location: str) -> str:
    with open_store(location) as store:
        ingest_documents(store, read_documents(ROBOTICS, label_sep=" "))
        embed(store, PRESETS["bipartite"], Node2Vec(walk_length=40, walks_per_node=5, dimensions=32, window=5, epochs=2, workers=1,
                                                    random_state=7, method="deepwalk"), top_k=5, predict_k=8)
    return location


@pytest.fixture(scope="module")
def robotics_embedded(tmp_path_factory):
    return _fill(str(tmp_path_factory.mktemp("queries") / "robotics.lbug"))


@pytest.fixture(scope="module")
def robotics_neo4j(neo4j_uri):
    wipe_neo4j(neo4j_uri)
    return _fill(neo4j_uri)


@pytest.fixture(scope="module", params=STORES)
def robotics(request):
    """Where the robotics store of each kind is (a path, or the Neo4j server's URI)."""
    return request.getfixturevalue(f"robotics_{request.param}")


@pytest.fixture
def store(robotics):
    with open_store(robotics, read_only=True) as opened:
        yield opened


def query_file(store, name):
    return cypher_dir() / store.dialect / f"{name}.cypher"


def vectors(store, label, key):
    table = store.read_vectors(label, key)
    keys = [str(k) for k in table.column("key").to_pylist()]
    return (keys, np.array(table.column("embedding").to_pylist(), np.float32),
            np.array(table.column("context").to_pylist(), np.float32))


def unit(matrix):
    return matrix / np.linalg.norm(matrix, axis=-1, keepdims=True)


def labels_of(store):
    pairs = store.read("read_has_label").to_pylist()
    has = {}
    for row in pairs:
        has.setdefault(str(row["doc"]), set()).add(row["label"])
    return has


def test_neighbours_of_a_label_agree_with_a_brute_force_ranking(store):
    keys, matrix, _ = vectors(store, "Label", "name")
    df = {r["name"]: r["df"] for r in store.read("read_labels").to_pylist()}
    rows = queries.neighbours(store, "arduino", k=10)
    sims = unit(matrix) @ unit(matrix[keys.index("arduino")])
    sims[keys.index("arduino")] = -np.inf
    everyone = queries.neighbours(store, "arduino", k=10, min_df=1)
    assert np.allclose([r["score"] for r in everyone], np.sort(sims)[::-1][:10], atol=1e-5)
    assert any(r["df"] < queries.MIN_DF for r in everyone), "robotics has rare labels among arduino's nearest"
    sims[[df[k] < queries.MIN_DF for k in keys]] = -np.inf  # by default rare labels are not listed
    expected = np.sort(sims)[::-1][:10]
    assert np.allclose([r["score"] for r in rows], expected, atol=1e-5)
    assert [r["name"] for r in rows][:3] == [keys[i] for i in np.argsort(-sims, kind="stable")[:3]]
    cooccurs = {(r["a"], r["b"]): r["count"] for r in store.read("read_cooccurs").to_pylist()}
    for row in rows:
        assert row["cooccurrence"] == cooccurs.get(("arduino", row["name"]), cooccurs.get((row["name"], "arduino"), 0))
        assert row["df"] == df[row["name"]]


def test_document_neighbours_agree_with_a_brute_force_ranking(store):
    keys, matrix, _ = vectors(store, "Document", "id")
    rows = queries.neighbours(store, "1", k=5, document=True)
    sims = unit(matrix) @ unit(matrix[keys.index("1")])
    sims[keys.index("1")] = -np.inf
    assert np.allclose([r["score"] for r in rows], np.sort(sims)[::-1][:5], atol=1e-5)
    has = labels_of(store)
    assert all(sorted(has.get(r["id"], ())) == r["labels"] for r in rows)


def test_documents_with_the_same_labels_tie_and_are_ordered_by_shared_title_words(store):
    has = labels_of(store)
    groups = {}
    for doc, labels in has.items():
        groups.setdefault(frozenset(labels), []).append(doc)
    # a group of a few: Neo4j's vector index (HNSW) finds only some of a large group of identical
    # vectors (33 of 58 documents tagged just 'quadcopter'), which the README says
    members = max((g for g in groups.values() if 4 <= len(g) <= 10), key=lambda g: (len(g), sorted(g)))
    query = sorted(members)[0]
    titles = {str(r["id"]): r["title"] for r in store.read("read_documents").to_pylist()}
    rows = queries.neighbours(store, query, k=3, document=True)
    assert all(r["score"] > 0.9999 and r["tied"] >= len(members) - 1 for r in rows)
    words = queries._title_words([titles[query]])
    expected = sorted((d for d in members if d != query), key=lambda d: (-queries._jaccard(words, queries._title_words([titles[d]])), d))
    tied = [r["id"] for r in queries.document_neighbours(store, query, k=len(members) - 1)]
    assert set(tied) == set(members) - {query} and tied == expected
    assert [r["id"] for r in rows] == expected[:3]
    plain = [r["id"] for r in queries.document_neighbours(store, query, k=len(members) - 1, break_ties=False)]
    assert plain == sorted(plain) and sorted(plain) == sorted(expected)  # the query file's order: by id


def test_recommendations_never_repeat_a_documents_labels_and_match_numpy(store):
    overlap = store.run_text("MATCH (d:Document)-[:PREDICTED]->(l:Label) WHERE EXISTS { MATCH (d)-[:HAS_LABEL]->(l) } "
                             "RETURN count(*) AS n").to_pylist()[0]["n"]
    assert overlap == 0
    assert store.counts()["PREDICTED"] == 2771 * 8
    has = labels_of(store)
    for doc in ("1", "20", "7068"):
        result = queries.recommend(store, doc, k=5)
        assert {r["name"] for r in result["has"]} == has[doc]
        names = [r["name"] for r in result["recommended"]]
        assert not set(names) & has[doc] and [r["rank"] for r in result["recommended"]] == [1, 2, 3, 4, 5]
        label_names, score = blend_from_store(store, doc)  # the blend, pair by pair
        assert names == [label_names[i] for i in np.argsort(-score, kind="stable")[:5]]
        assert np.allclose([r["score"] for r in result["recommended"]], np.sort(score)[::-1][:5], atol=1e-4)
    assert "only the top 8" in queries.recommend(store, "1", k=9)["note"]


def test_documents_recommended_for_a_label_lack_it_and_are_the_closest(store):
    rows = queries.recommend_documents(store, "quadcopter", k=5)
    keys, matrix, _ = vectors(store, "Document", "id")
    label_keys, label_matrix, _ = vectors(store, "Label", "name")
    has = labels_of(store)
    sims = unit(matrix) @ unit(label_matrix[label_keys.index("quadcopter")])
    sims[[i for i, k in enumerate(keys) if "quadcopter" in has.get(k, ())]] = -np.inf
    assert all("quadcopter" not in r["labels"] for r in rows)
    assert np.allclose([r["score"] for r in rows], np.sort(sims)[::-1][:5], atol=1e-5)


def test_predicted_links_are_unconnected_pairs_from_similar(store):
    rows = queries.predicted_links(store, k=15, exclude=set())
    cooccurring = {frozenset((r["a"], r["b"])) for r in store.read("read_cooccurs").to_pylist()}
    df = {r["name"]: r["df"] for r in store.read("read_labels").to_pylist()}
    similar = {}
    for r in store.read("read_similar", label="Label", key="name").to_pylist():
        if min(df[r["a"]], df[r["b"]]) < queries.MIN_DF:
            continue
        pair = frozenset((r["a"], r["b"]))
        similar[pair] = max(similar.get(pair, -1.0), r["score"])
    candidates = sorted((s for p, s in similar.items() if p not in cooccurring), reverse=True)[:15]
    assert len(rows) == 15 and all(r["source"] < r["target"] for r in rows)
    assert not {frozenset((r["source"], r["target"])) for r in rows} & cooccurring
    assert np.allclose([r["score"] for r in rows], candidates, atol=1e-6)


def test_label_neighbourhood_puts_graph_and_embedding_side_by_side(store):
    data = queries.label_neighbourhood(store, "arduino", k=5)
    df = {r["name"]: r["df"] for r in store.read("read_labels").to_pylist()}
    counts = sorted(((r["count"], r["b"] if r["a"] == "arduino" else r["a"]) for r in store.read("read_cooccurs").to_pylist()
                     if "arduino" in (r["a"], r["b"])), key=lambda t: (-t[0], t[1]))
    counts = [(count, name) for count, name in counts if df[name] >= queries.MIN_DF][:5]
    assert [(int(r["score"]), r["name"]) for r in data["cooccurrence"]] == counts
    assert [r["name"] for r in data["embedding"]] == [r["name"] for r in queries.neighbours(store, "arduino", k=5)]
    assert set(data["in_both"]) == {r["name"] for r in data["cooccurrence"]} & {r["name"] for r in data["embedding"]}


@pytest.mark.parametrize("file, params, api", [
    ("similar_labels", {"name": "pid", "k": 5, "min_df": 5}, lambda s: queries.neighbours(s, "pid", 5)),
    ("similar_labels", {"name": "pid", "k": 5, "min_df": 1}, lambda s: queries.neighbours(s, "pid", 5, min_df=1)),
    ("similar_documents", {"id": "20", "k": 4},
     lambda s: [{k: v for k, v in r.items() if k != "tied"} for r in queries.document_neighbours(s, "20", 4, break_ties=False)]),
    ("recommend_labels", {"id": "20", "k": 3}, lambda s: queries.recommend(s, "20", 3)["recommended"]),
    ("recommend_documents", {"name": "pid", "k": 4}, lambda s: queries.recommend_documents(s, "pid", 4)),
    ("predicted_links", {"k": 6, "min_df": 5}, lambda s: queries.predicted_links(s, 6, exclude=set())),
    ("document_labels", {"id": "20"}, lambda s: queries.recommend(s, "20", 3)["has"]),
])
def test_each_query_file_returns_what_the_python_api_returns(store, file, params, api):
    rows = queries.run_query(store, query_file(store, file), params)
    assert rows and rows == api(store)


def test_documents_for_a_label_from_predicted_are_the_same_in_two_steps_as_in_one(store):
    """recommend --label on a large store reads the k-th best PREDICTED score first, then only the
    documents at or above it; with no threshold the file ranks every candidate, for the same rows."""
    for name in ("pid", "arduino", "quadcopter"):
        every = queries.run_query(store, query_file(store, "recommend_documents_predicted"), {"name": name, "k": 6, "threshold": None})
        scores = [r["score"] for r in queries.run_query(store, query_file(store, "recommend_documents_threshold"), {"name": name, "k": 6})]
        assert len(every) == len(scores) == 6 and [r["score"] for r in every] == scores
        two_steps = queries.run_query(store, query_file(store, "recommend_documents_predicted"),
                                      {"name": name, "k": 6, "threshold": scores[-1]})
        assert two_steps == every
        above = queries.run_query(store, query_file(store, "recommend_documents_predicted"),
                                  {"name": name, "k": 6, "threshold": scores[0] + 1e-9})
        assert above == [], "the threshold leaves out every document below it"


def test_every_user_facing_query_file_is_covered_here():
    covered = {"similar_labels", "similar_documents", "recommend_labels", "recommend_documents", "predicted_links",
               "label_neighbourhood", "document_labels"}
    for dialect in STORES:
        assert covered <= {p.stem for p in (cypher_dir() / dialect).glob("*.cypher")}


def test_analogy_leaves_out_its_inputs_and_ranks_by_cosine(store):
    rows = queries.analogy(store, "arduino", "motor", "sensors", k=5)
    keys, matrix, _ = vectors(store, "Label", "name")
    u = unit(matrix)
    target = unit(u[keys.index("arduino")] - u[keys.index("motor")] + u[keys.index("sensors")])
    sims = u @ target
    sims[[keys.index(n) for n in ("arduino", "motor", "sensors")]] = -np.inf
    assert [r["name"] for r in queries.analogy(store, "arduino", "motor", "sensors", k=5, min_df=1)] == [
        keys[i] for i in np.argsort(-sims, kind="stable")[:5]]
    df = {r["name"]: r["df"] for r in store.read("read_labels").to_pylist()}
    sims[[df[k] < queries.MIN_DF for k in keys]] = -np.inf
    assert [r["name"] for r in rows] == [keys[i] for i in np.argsort(-sims, kind="stable")[:5]]


def test_plot_writes_a_png_map(store, tmp_path):
    out = tmp_path / "map.png"
    data = plot_vectors(store, "Label", out, names=10)
    header = out.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = int.from_bytes(header[16:20], "big"), int.from_bytes(header[20:24], "big")
    assert (width, height) == (1440, 1200) and out.stat().st_size > 50_000
    assert data["nodes"] == 231 and data["communities"] >= 2 and data["named"][0] == "mobile-robot"  # 295 documents + 131 co-occurring labels: the most relationships
    documents = plot_vectors(store, "Document", tmp_path / "documents.svg", names=6, method="pca")
    titles = {str(r["id"]): r["title"] for r in store.read("read_documents").to_pylist()}
    assert len(documents["named"]) == 6 and len(set(documents["named"])) == 6
    for key, shown in zip(documents["named"], documents["shown_as"]):  # named by title, cut at 40 characters
        assert shown == titles[key] or (shown.endswith("…") and titles[key].startswith(shown[:-1]) and len(shown) == 40)
    coloured = min(9, documents["communities"])
    assert len(documents["legend"]) == coloured + (documents["communities"] > 9)
    assert documents["legend"][0].startswith(documents["shown_as"][0])
    if documents["communities"] > 9:
        assert documents["legend"][-1].startswith("other: ") and "smaller communities" in documents["legend"][-1]


def test_unknown_names_suggest_close_ones_and_exit_non_zero(robotics):
    result = run_cli("--store", str(robotics), "neighbours", "quadcoptr")
    assert result.returncode == 2 and "did you mean quadcopter" in result.stderr and "Traceback" not in result.stderr
    result = run_cli("--store", str(robotics), "recommend", "no-such-document")
    assert result.returncode == 2 and "no Document with id 'no-such-document'" in result.stderr
    result = run_cli("--store", str(robotics), "analogy", "arduino", "motorr", "sensors")
    assert result.returncode == 2 and "did you mean motor" in result.stderr


def test_a_node_without_a_vector_says_why(robotics):
    with open_store(robotics) as store:
        store.run_text("CREATE (:Label {name: 'brand-new', df: 0})")
        try:
            with pytest.raises(GraphvecError, match="'brand-new' has no vector: it was probably added after the latest run"):
                queries.neighbours(store, "brand-new")
        finally:
            store.run_text("MATCH (l:Label {name: 'brand-new'}) DELETE l")


def test_cli_commands_print_json_rows(robotics):
    commands = [["neighbours", "arduino", "-k", "2"], ["neighbours", "--document", "20", "-k", "2"],
                ["recommend", "20", "-k", "2"], ["recommend", "--label", "pid", "-k", "2"], ["links", "-k", "2"],
                ["neighbourhood", "pid", "-k", "2"], ["analogy", "arduino", "motor", "sensors", "-k", "2"],
                ["query", str(cypher_dir() / ("neo4j" if robotics.startswith("bolt") else "embedded") / "similar_labels.cypher"),
                 "-p", "name=pid", "-p", "k=2", "-p", "min_df=5"]]
    for command in commands:
        result = run_cli("--store", str(robotics), "--json", *command)
        assert result.returncode == 0, (command, result.stderr)
        data = json.loads(result.stdout)
        rows = data.get("rows") or data.get("recommended") or data.get("embedding")
        assert rows and len(rows) == 2, command


def test_a_query_file_for_the_other_dialect_fails_in_one_line(robotics):
    other = "embedded" if robotics.startswith("bolt") else "neo4j"
    result = run_cli("--store", str(robotics), "query", str(cypher_dir() / other / "similar_labels.cypher"),
                     "-p", "name=pid", "-p", "k=3", "-p", "min_df=5")
    assert result.returncode == 2 and result.stderr.startswith("error: query failed")
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr


def test_the_holdout_protocol_hides_one_label_and_ranks_it_among_missing_labels():
    import scipy.sparse as sp

    from graphvec.scoring import LabelModel, cooccurrence_counts, hide_labels, rank_hidden

    # 0 and 1 always appear together; label 2 is the most popular; label 3 stands alone
    rows = [[0, 1]] * 10 + [[0, 1, 2]] + [[2]] * 12 + [[3]]
    x = sp.csr_matrix((np.ones(sum(map(len, rows)), np.float32),
                       ([d for d, r in enumerate(rows) for _ in r], [label for r in rows for label in r])), shape=(24, 4))
    kept, docs, hidden = hide_labels(x, 0.5, seed=3)
    assert len(docs) == 6 and set(docs) <= set(range(11))  # half of the documents with two or more labels
    assert kept.nnz == x.nnz - 6 and all(x[d, h] == 1 and kept[d, h] == 0 for d, h in zip(docs, hidden))
    model = LabelModel(np.asarray(kept.sum(0)).ravel(), cooccurrence=cooccurrence_counts(kept))
    by_count = rank_hidden(kept, docs, hidden, model, "cooccurrence")
    by_popularity = rank_hidden(kept, docs, hidden, model, "popularity")
    pairs = [(rows[d], h) for d, h in zip(docs, hidden)]
    # co-occurrence finds the partner (0 <-> 1) first wherever the document kept it
    expected_first = sum(1 for labels, h in pairs if h in (0, 1) and {0, 1} - {h} <= set(labels))
    assert expected_first >= 5 and by_count["hits@1"] == expected_first / 6
    assert by_popularity["hits@1"] < by_count["hits@1"] and by_count["mrr"] <= 1.0


def _same(a, b, path="answer"):
    """Equal rows, with scores (floats) equal to 1e-5."""
    if isinstance(a, float) or isinstance(b, float):
        assert a == pytest.approx(b, abs=1e-5), path
    elif isinstance(a, dict):
        assert set(a) == set(b), path
        for key in a:
            _same(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b)):
            _same(x, y, f"{path}[{i}]")
    else:
        assert str(a) == str(b), path


ANSWERS = {
    "neighbours": lambda s: queries.neighbours(s, "arduino", 10),
    "neighbours --document": lambda s: queries.neighbours(s, "20", 10, document=True),
    "recommend": lambda s: queries.recommend(s, "20", 8),
    "recommend --label": lambda s: queries.recommend_documents(s, "pid", 10),
    "links": lambda s: queries.predicted_links(s, 20),
    "neighbourhood": lambda s: queries.label_neighbourhood(s, "quadcopter", 10),
    "analogy": lambda s: queries.analogy(s, "arduino", "motor", "sensors", 10),
}


def test_both_stores_give_the_same_answers(robotics_embedded, robotics_neo4j):
    """Same corpus, seed and one worker: the same vectors, SIMILAR, PREDICTED and analyst answers."""
    with open_store(robotics_embedded, read_only=True) as embedded, open_store(robotics_neo4j) as neo4j:
        for label, key in (("Label", "name"), ("Document", "id")):
            keys_a, matrix_a, context_a = vectors(embedded, label, key)
            keys_b, matrix_b, context_b = vectors(neo4j, label, key)
            order_a, order_b = np.argsort(keys_a), np.argsort(keys_b)
            assert [keys_a[i] for i in order_a] == [keys_b[i] for i in order_b]
            assert np.array_equal(matrix_a[order_a], matrix_b[order_b]), f"{label} vectors differ"
            assert np.array_equal(context_a[order_a], context_b[order_b])
        for rel, label in (("SIMILAR", "Label"), ("SIMILAR", "Document"), ("PREDICTED", None)):
            pattern = f"(a:{label})-[r:{rel}]->(b:{label})" if label else "(a:Document)-[r:PREDICTED]->(b:Label)"
            key_a, key_b = ("a.name", "b.name") if label == "Label" else ("a.id", "b.id" if label else "b.name")
            text = f"MATCH {pattern} RETURN {key_a} AS a, {key_b} AS b, r.rank AS rank, r.score AS score"
            rows = [sorted((str(r["a"]), r["rank"], str(r["b"]), r["score"]) for r in s.run_text(text).to_pylist())
                    for s in (embedded, neo4j)]
            assert len(rows[0]) > 1000 and [r[:3] for r in rows[0]] == [r[:3] for r in rows[1]], rel
            assert np.allclose([r[3] for r in rows[0]], [r[3] for r in rows[1]], atol=1e-5)
        for name, ask in ANSWERS.items():
            answer = ask(embedded)
            assert answer, name
            _same(answer, ask(neo4j), name)


def test_a_planted_one_document_label_stays_out_of_frequent_labels_lists_and_is_reported(tmp_path):
    """A label on one document (alone, or beside a frequent label) gets a vector like any label,
    but the analyst commands do not list it next to frequent labels unless --min-df is lowered."""
    import csv

    from graphvec.ingest import ingest_documents
    from graphvec.pipeline import embed
    from graphvec.projection import PRESETS
    from graphvec.sources import read_documents
    from graphvec.stats import store_stats

    from .test_embed import FAST

    corpus = tmp_path / "planted.csv"
    rows = list(csv.DictReader(ROBOTICS.open(encoding="utf-8")))
    rows += [{"id": "p1", "title": "alone", "tags": "zz-alone"}, {"id": "p2", "title": "beside", "tags": "arduino zz-once"}]
    with corpus.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows({k: row.get(k, "") for k in rows[0]} for row in rows)
    with open_store(str(tmp_path / "planted.lbug")) as store:
        ingest_documents(store, read_documents(corpus, label_sep=" "))
        embed(store, PRESETS["bipartite"], FAST, top_k=10)
        df = {r["name"]: r["df"] for r in store.read("read_labels").to_pylist()}
        frequent = sorted(name for name, n in df.items() if n >= 20)
        listed = {name: queries.neighbours(store, name, k=10) for name in frequent}
        everything = {name: queries.neighbours(store, name, k=10, min_df=1) for name in frequent}
        assert not [r for rows in listed.values() for r in rows if r["df"] < queries.MIN_DF]
        rare_share = np.mean([r["df"] < queries.MIN_DF for rows in everything.values() for r in rows])
        assert rare_share > 0.1, "without the threshold, rare labels do crowd frequent labels' lists"
        assert not [r for r in queries.predicted_links(store, 50) if {"zz-alone", "zz-once"} & {r["source"], r["target"]}]
        assert store.read_vector("Label", "name", "zz-once") is not None  # embedded, not lost
        assert all(r["df"] >= queries.MIN_DF for r in queries.neighbours(store, "zz-once", k=5))
        rows = queries.run_query(store, "similar_labels", {"name": "arduino", "k": 10, "min_df": queries.MIN_DF})
        assert rows == listed["arduino"]
        rare = store_stats(store)["rare_labels"]
        assert rare["min_df"] == queries.MIN_DF and rare["labels"] == sum(n < queries.MIN_DF for n in df.values())
        assert rare["labels"] >= 2


def blend_from_store(store, document: str) -> tuple[list[str], np.ndarray]:
    """Every label's blend score for one stored document, recomputed pair by pair from the stored
    vectors, df and HAS_LABEL (labels the document has: -inf)."""
    from .test_evaluate import blend_by_loop

    labels = store.read("read_labels")
    names = [str(n) for n in labels.column("name").to_pylist()]
    df = np.array(labels.column("df").to_pylist(), np.float64)
    stored = store.read_embedding("Label", keys=np.array(names, dtype=object))
    pairs = store.read("read_has_label")
    index = {name: i for i, name in enumerate(names)}
    by_document: dict[str, list[int]] = {}
    for doc, label in zip(pairs.column("doc").to_pylist(), pairs.column("label").to_pylist()):
        by_document.setdefault(str(doc), []).append(index[str(label)])
    counts = np.zeros((len(names), len(names)))
    for labels_of_document in by_document.values():
        for a in labels_of_document:
            for b in labels_of_document:
                counts[a, b] += a != b
    has = by_document[document]
    scores = blend_by_loop(has, df, len(by_document), stored.vectors, stored.context, counts)
    scores[has] = -np.inf
    return names, scores


def test_predicted_is_the_blend_of_the_stored_vectors_and_counts(robotics):
    """PREDICTED (what `recommend` reads) ranks labels by the blend, recomputed here pair by pair."""
    with open_store(robotics) as store:
        answer = queries.recommend(store, "20", 8)
        names, scores = blend_from_store(store, "20")
    best = [names[i] for i in np.lexsort((np.arange(len(names)), -scores))[:8]]
    assert [row["name"] for row in answer["recommended"]] == best
    assert [row["score"] for row in answer["recommended"]] == pytest.approx(sorted(scores, reverse=True)[:8], rel=1e-4)


def test_a_large_embedded_store_answers_from_stored_similar_and_predicted(robotics_embedded, monkeypatch):
    """Past queries.SCAN_LIMIT nodes the embedded store reads SIMILAR and PREDICTED instead of
    scanning every vector (seconds at 1M documents).  Lowered here to 0 so the same robotics
    store takes that path: where SIMILAR is exact (robotics is far below the exact-search limit)
    the answers are the scan's, and recommend --label gives the documents whose PREDICTED hold it."""
    with open_store(robotics_embedded, read_only=True) as store:
        scanned = {"label": queries.neighbours(store, "arduino", 5, min_df=1),
                   "document": queries.document_neighbours(store, "20", 5, break_ties=False)}
        monkeypatch.setattr(queries, "SCAN_LIMIT", 0)
        assert queries.reads_stored_answers(store, "Label") and queries.reads_stored_answers(store, "Document")
        label_rows = queries.neighbours(store, "arduino", 5, min_df=1)
        assert [r["name"] for r in label_rows] == [r["name"] for r in scanned["label"]]
        assert np.allclose([r["score"] for r in label_rows], [r["score"] for r in scanned["label"]], atol=1e-5)
        assert [r["cooccurrence"] for r in label_rows] == [r["cooccurrence"] for r in scanned["label"]]
        document_rows = queries.neighbours(store, "20", 5, document=True)
        assert np.allclose([r["score"] for r in document_rows], [r["score"] for r in scanned["document"]], atol=1e-5)
        assert all(set(r["labels"]) == labels_of(store)[str(r["id"])] for r in document_rows)
        # the terminal table's note on ties needs them on this path too (it raised KeyError past 5,000 documents)
        assert [r["tied"] for r in document_rows] == [sum(abs(o["score"] - r["score"]) <= 1e-6 for o in document_rows)
                                                      for r in document_rows]
        assert len(queries.neighbours(store, "arduino", 5, min_df=10**6)) == 0  # only what is stored, filtered
        rows = queries.recommend_documents(store, "pid", 10)
        predicted = {(str(r["doc"]), r["score"]) for r in queries.run_query(
            store, _predicted_for_file(store), {"name": "pid"})}
        assert rows and all("pid" not in r["labels"] for r in rows)
        assert [r["score"] for r in rows] == sorted((r["score"] for r in rows), reverse=True)
        assert {(str(r["id"]), r["score"]) for r in rows} <= predicted
        assert min(r["score"] for r in rows) >= sorted((s for _, s in predicted), reverse=True)[len(rows) - 1]


def _predicted_for_file(store):
    path = Path(store.location).parent / "predicted_for.cypher"
    path.write_text("// params: name\nMATCH (d:Document)-[p:PREDICTED]->(l:Label {name: $name}) RETURN d.id AS doc, p.score AS score\n")
    return path
