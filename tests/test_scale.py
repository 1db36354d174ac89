"""What makes million-document corpora work: candidate scoring for PREDICTED, the IVF search
for SIMILAR, and re-ingesting a changed corpus file.  Each runs on sizes small enough for the
suite and checks the large-size path against the exact one."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest
import scipy.sparse as sp

from graphvec import scoring, similarity
from graphvec.ingest import ingest_documents
from graphvec.scoring import LabelModel, candidate_recall, cooccurrence_counts, top_labels, top_labels_by_candidates
from graphvec.sources import read_documents


def _label_model(n_docs=3000, n_labels=400, dimensions=16, seed=0):
    """A Zipfian documents × labels matrix and random vectors (exactness does not need good ones)."""
    rng = np.random.default_rng(seed)
    rows = np.repeat(np.arange(n_docs), 3)
    cols = np.minimum(rng.zipf(1.5, size=3 * n_docs) - 1, n_labels - 1)
    x = sp.csr_matrix((np.ones(len(rows), np.float32), (rows, cols)), shape=(n_docs, n_labels))
    x.data[:] = 1.0
    df = np.asarray(x.sum(axis=0)).ravel()
    model = LabelModel(df, rng.standard_normal((n_labels, dimensions)).astype(np.float32) * 0.3,
                       rng.standard_normal((n_labels, dimensions)).astype(np.float32) * 0.3, cooccurrence_counts(x),
                       n_documents=n_docs)
    return x, model


@pytest.mark.parametrize("method", scoring.CANDIDATE_METHODS)
def test_candidate_scoring_ranks_exactly_as_scoring_every_label_when_the_search_is_exhaustive(method):
    """With 400 labels the label index has 6 lists and a query probes all of them, and with every
    co-occurring partner taken only the candidate logic is under test: co-occurring labels plus
    the best count-free ones must hold every label of the exact top-10."""
    x, model = _label_model()
    exact, exact_scores = top_labels(x, model, 10, method)
    found, found_scores = top_labels_by_candidates(x, model, 10, method, partners=10**6)
    assert np.array_equal(found, exact)
    assert np.allclose(found_scores, exact_scores, atol=1e-4, equal_nan=True)
    assert (found >= 0).all() and not any(x[d, found[d]].nnz for d in range(0, 3000, 97))  # never a label it has


def test_top_labels_takes_candidates_above_the_label_limit_and_reports_their_recall(monkeypatch):
    x, model = _label_model(n_docs=2000, n_labels=5000, seed=3)
    monkeypatch.setattr(scoring, "LABEL_NPROBE", 1)  # one list of 141: the vector search is now really approximate
    approximate, _ = top_labels(x, model, 10, "blend", label_limit=1000)
    exact, _ = top_labels(x, model, 10, "blend")
    recall = candidate_recall(x, model, 10, "blend", approximate, sample=500)
    overlap = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(approximate[:500], exact[:500])])
    assert 0.5 < recall < 1.0 and abs(recall - overlap) < 0.1
    assert candidate_recall(x, model, 10, "blend", exact, sample=500) == 1.0


def _clustered(n=6000, dimensions=16, clusters=40, seed=5):
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dimensions))
    return (centres[rng.integers(clusters, size=n)] + 0.35 * rng.standard_normal((n, dimensions))).astype(np.float32)


def test_ivf_top_k_finds_at_least_95_percent_of_the_exact_neighbours_and_is_deterministic():
    vectors = _clustered()
    indices, scores, method = similarity.top_k(vectors, 10, exact_limit=1000)
    assert method == "ivf" and indices.shape == (6000, 10)
    assert (indices != np.arange(6000)[:, None]).all()  # never itself
    assert similarity.recall_at_k(vectors, indices, sample=6000) >= 0.95
    again, _ = similarity.top_k_approximate(vectors, 10, workers=1)
    assert np.array_equal(again, indices)  # the same lists whatever the thread count
    exact, _ = similarity.top_k_exact(vectors, 10)
    assert similarity.recall_at_k(vectors, exact, sample=6000) == 1.0
    assert np.all(np.diff(scores, axis=1) <= 1e-6)  # best first


def test_similar_search_chooses_its_lists_on_a_tuning_sample_and_reports_recall_on_another(monkeypatch):
    """500k trained label vectors gave recall@10 0.929 at 6 lists: the SIMILAR search tries
    more lists on 1,000 sampled rows until they reach the target, searches everything once at that
    count, and measures the recall it reports on other rows."""
    vectors = np.random.default_rng(2).standard_normal((6000, 16)).astype(np.float32)  # no clusters: hard for IVF
    first, _ = similarity.top_k_approximate(vectors, 10, nprobe=1)
    assert similarity.recall_at_k(vectors, first) < 0.95, "one list must be too few here, or the test proves nothing"
    indices, scores, info = similarity.top_k_measured(vectors, 10, exact_limit=1000)
    tried = [t["recall_at_k_sample"] for t in info["tuning"]]
    assert info["method"] == "ivf" and len(tried) > 1 and tried[-1] >= 0.95 + similarity.TUNE_MARGIN
    assert all(r < 0.95 + similarity.TUNE_MARGIN for r in tried[:-1]) and tried == sorted(tried)
    assert len(info["rounds"]) == 1 and info["nprobe"] == info["tuning"][-1]["nprobe"] > 1  # one search of everything
    assert info["recall_at_k_sample"] >= 0.95
    assert similarity.recall_at_k(vectors, indices, sample=6000) >= 0.94  # the sample speaks for the whole
    again, _ = similarity.top_k_approximate(vectors, 10, nprobe=info["nprobe"], workers=1)
    assert np.array_equal(again, indices)  # the same lists as one search at that many lists
    _, _, exact = similarity.top_k_measured(vectors[:500], 10, exact_limit=1000)
    assert exact == {"method": "exact"}


def test_similar_search_probes_more_lists_when_the_reported_recall_falls_short(monkeypatch):
    """A tuning sample that passes a count too low (here forced by a negative margin) does not
    lower the floor: the reporting sample's recall decides, and the search goes on with more lists."""
    vectors = np.random.default_rng(2).standard_normal((6000, 16)).astype(np.float32)
    monkeypatch.setattr(similarity, "TUNE_MARGIN", -0.3)
    _, _, info = similarity.top_k_measured(vectors, 10, exact_limit=1000)
    assert len(info["rounds"]) > 1 and info["rounds"][0]["recall_at_k_sample"] < 0.95 <= info["recall_at_k_sample"]
    assert info["nprobe"] == info["rounds"][-1]["nprobe"] > info["rounds"][0]["nprobe"]


def test_searching_in_list_order_answers_as_searching_in_row_order():
    vectors = similarity.normalise(_clustered(n=5000))
    index = similarity.ivf_index(vectors, 42, nprobe=3)
    indices, scores = similarity._search_in_list_order(index, vectors, 10)
    found_scores, found = index.search(vectors, 11)
    plain, plain_scores = similarity._ranked(found_scores, found, 10, np.arange(5000))
    assert np.array_equal(indices, plain) and np.array_equal(scores, plain_scores)
    order = similarity._list_order(index)
    assert np.array_equal(np.sort(order), np.arange(5000)) and not np.array_equal(order, np.arange(5000))


def test_recall_counts_any_of_a_group_of_equal_vectors_as_exact():
    """Documents with the same labels have the same vector; any k of them are an exact answer."""
    vectors = np.repeat(_clustered(n=50), 20, axis=0)  # 20 copies of each
    shuffled = np.array([np.roll(np.delete(np.arange(i - i % 20, i - i % 20 + 20), i % 20), 3)[:10] for i in range(1000)])
    assert similarity.recall_at_k(vectors, shuffled, sample=1000) == 1.0
    wrong = (shuffled + 20) % 1000  # the copies of another vector
    assert similarity.recall_at_k(vectors, wrong, sample=1000) < 0.2


def test_search_of_few_queries_against_many_vectors_uses_the_ivf_index_past_the_limit():
    vectors = _clustered(n=8000)
    queries = np.arange(0, 8000, 7)
    exact, exact_scores = similarity.search(vectors, vectors[queries], 10, exclude=queries)
    approximate, _ = similarity.search(vectors, vectors[queries], 10, exclude=queries, exact_limit=500)
    hits = [len(set(a) & set(b)) / 10 for a, b in zip(approximate, exact)]
    assert np.mean(hits) >= 0.95 and not (approximate == queries[:, None]).any()


def _corpus(path, documents, changed_every=0, seed=1):
    """A planted-topic CSV: 40 topics of 25 labels, 2-4 labels per document from one topic."""
    rng = np.random.default_rng(seed)
    lines = ["id,title,tags"]
    for d in range(documents):
        topic = rng.integers(40)
        labels = [f"t{topic}-{int(x)}" for x in np.unique(np.minimum(rng.zipf(1.6, size=rng.integers(2, 5)), 25))]
        if changed_every and d % changed_every == 0:
            labels = labels[:-1] + [f"t{(topic + 1) % 40}-1"]
        lines.append(f"{d},doc {d},{' '.join(dict.fromkeys(labels))}")
    path.write_text("\n".join(lines) + "\n")
    return path


def test_adding_documents_rewrites_every_pairs_npmi_as_a_fresh_ingest_would(store, tmp_path):
    """More documents change N and so the NPMI of every co-occurring pair.  The embedded store
    then replaces CO_OCCURS whole inside the ingest's transaction (at 5M documents, setting 7M
    pairs one by one overflowed its page cache); either way the store ends as a fresh ingest of
    both files leaves it, NPMI included."""
    from graphvec.store import open_store

    base = _corpus(tmp_path / "base.csv", 6_000)
    more = tmp_path / "more.csv"
    lines = _corpus(tmp_path / "all.csv", 6_300, seed=1).read_text().splitlines()
    more.write_text("\n".join([lines[0], *lines[6_001:]]) + "\n")
    ingest_documents(store, read_documents(base, label_sep=" "))
    before = store.counts()["CO_OCCURS"]
    report = ingest_documents(store, read_documents(more, label_sep=" "))
    assert report.new == 300
    rewrote = "clear_cooccurs" in report.written_rows
    assert rewrote == (store.dialect == "embedded")
    if rewrote:
        assert report.written_rows["clear_cooccurs"] == before
        assert report.written_rows["create_cooccurs"] == report.store_totals["co_occurs"]
    else:
        assert report.written_rows["update_cooccurs"] > 0.9 * before
    with open_store(str(tmp_path / "fresh.lbug")) as fresh:
        ingest_documents(fresh, read_documents(tmp_path / "all.csv", label_sep=" "))
        mine = {(r["a"], r["b"]): (r["count"], r["npmi"]) for r in store.read("read_cooccurs").to_pylist()}
        theirs = {(r["a"], r["b"]): (r["count"], r["npmi"]) for r in fresh.read("read_cooccurs").to_pylist()}
        assert mine.keys() == theirs.keys()
        assert all(mine[p][0] == theirs[p][0] and abs(mine[p][1] - theirs[p][1]) < 1e-12 for p in theirs)
        assert store.counts()["CO_OCCURS"] == fresh.counts()["CO_OCCURS"]


def test_a_failure_after_co_occurs_was_emptied_leaves_every_pair_in_place(embedded_store, tmp_path):
    """clear_cooccurs drops and recreates the table inside the ingest's transaction: a failure
    after it (here a relationship to a document that does not exist) restores every pair."""
    from graphvec.store import WriteStep

    ingest_documents(embedded_store, read_documents(_corpus(tmp_path / "base.csv", 2_000), label_sep=" "))
    before = sorted(tuple(r.values()) for r in embedded_store.read("read_cooccurs").to_pylist())
    bad = WriteStep("create_has_label", pa.table({"doc": ["no-such-document"], "label": ["t1-1"]}))
    with pytest.raises(Exception):
        embedded_store.write([WriteStep("clear_cooccurs"), bad], {"version": "half"})
    assert sorted(tuple(r.values()) for r in embedded_store.read("read_cooccurs").to_pylist()) == before
    assert len(before) > 100


def test_reingesting_a_changed_corpus_gives_what_a_fresh_ingest_of_it_gives(store, tmp_path):
    """The path a changed 1M-document file takes (the whole file again, a few documents' labels
    different), on 20,000 documents: afterwards the store holds exactly what ingesting the
    changed file into an empty store holds, and the report counts the changed documents."""
    from graphvec.store import open_store

    original = _corpus(tmp_path / "corpus.csv", 20_000)
    changed = _corpus(tmp_path / "changed.csv", 20_000, changed_every=100)
    ingest_documents(store, read_documents(original, label_sep=" "))
    report = ingest_documents(store, read_documents(changed, label_sep=" "))
    assert report.updated == 200 and report.new == 0 and report.unchanged == 19_800
    with open_store(str(tmp_path / "fresh.lbug")) as fresh:
        ingest_documents(fresh, read_documents(changed, label_sep=" "))
        for name, key in (("read_labels", "name"), ("read_has_label", "doc"), ("read_cooccurs", "a")):
            mine = sorted(tuple(sorted((k, str(v)) for k, v in row.items())) for row in store.read(name).to_pylist())
            theirs = sorted(tuple(sorted((k, str(v)) for k, v in row.items())) for row in fresh.read(name).to_pylist())
            assert mine == theirs, name
        assert store.counts()["HAS_LABEL"] == fresh.counts()["HAS_LABEL"]


def test_an_ingest_too_large_for_one_transaction_commits_in_steps_and_running_it_again_completes_it(
        embedded_store, tmp_path, monkeypatch):
    """Past ONE_TRANSACTION_ROWS the embedded store commits an ingest step by step (re-ingesting a
    changed 5M-document file did not fit LadybugDB's page cache as one transaction).  Here the
    limits are lowered so 3,000 documents take that path: a failure half-way leaves the store
    marked incomplete, `stats` says so, `embed` refuses to project it, and the same ingest run
    again leaves exactly what a fresh ingest of the file leaves."""
    from graphvec.errors import GraphvecError
    from graphvec.projection import ProjectionSpec, default_preset, project
    from graphvec.stats import store_stats
    from graphvec.store import embedded, open_store

    monkeypatch.setattr(embedded, "ONE_TRANSACTION_ROWS", 1_000)
    monkeypatch.setattr(embedded, "STEP_BATCH_ROWS", 700)
    store = embedded_store
    execute = embedded.EmbeddedStore._execute
    calls = {"begin": 0, "rows": 0, "fail_at": None}

    def counted(self, text, params=None):
        calls["begin"] += text == "BEGIN TRANSACTION"
        if params and "rows" in params:
            calls["rows"] += 1
            if calls["rows"] == calls["fail_at"]:
                raise RuntimeError("the process stopped here")
        return execute(self, text, params)

    monkeypatch.setattr(embedded.EmbeddedStore, "_execute", counted)
    small = _corpus(tmp_path / "small.csv", 50)
    ingest_documents(store, read_documents(small, label_sep=" "))
    assert calls["begin"] == 1  # small enough: one transaction, as before
    original = _corpus(tmp_path / "corpus.csv", 3_000)
    changed = _corpus(tmp_path / "changed.csv", 3_000, changed_every=50)
    calls["begin"] = 0
    first = ingest_documents(store, read_documents(original, label_sep=" "))
    # a transaction per step, a LOAD FROM step in 700-row batches; a COPY goes whole
    assert first.written_rows["upsert_documents"] == 2_950 and first.written_rows["create_has_label"] > 3_000
    assert calls["begin"] >= -(-2_950 // 700) + 2
    assert store.meta()["write_state"] == "complete"

    calls.update(rows=0, fail_at=4)
    with pytest.raises(RuntimeError, match="stopped here"):
        ingest_documents(store, read_documents(changed, label_sep=" "))
    assert store.meta()["write_state"] == "incomplete"
    assert any("did not finish" in w for w in store_stats(store)["warnings"])
    with pytest.raises(GraphvecError, match="last ingest did not finish"):
        project(store, ProjectionSpec(("Label",), (("CO_OCCURS", None),)))
    with pytest.raises(GraphvecError, match="last ingest did not finish"):  # before `embed` picks its projection
        default_preset(store)

    calls["fail_at"] = None
    report = ingest_documents(store, read_documents(changed, label_sep=" "))
    assert store.meta()["write_state"] == "complete" and report.new == 0
    with open_store(str(tmp_path / "fresh.lbug")) as fresh:
        ingest_documents(fresh, read_documents(changed, label_sep=" "))
        for name in ("read_documents", "read_labels", "read_has_label", "read_cooccurs"):
            mine = sorted(tuple(sorted((k, str(v)) for k, v in row.items())) for row in store.read(name).to_pylist())
            theirs = sorted(tuple(sorted((k, str(v)) for k, v in row.items())) for row in fresh.read(name).to_pylist())
            if name == "read_labels":  # a label no document carries any more stays, with df 0
                mine = [row for row in mine if row[0] != ("df", "0")]
            assert mine == theirs, name
    assert project(store, ProjectionSpec(("Label",), (("CO_OCCURS", None),))).node_count > 500


@pytest.mark.parametrize("exact_limit", [10**6, 500])
def test_search_over_rows_of_a_matrix_in_batches_finds_what_searching_the_gathered_rows_finds(monkeypatch, exact_limit):
    """`update` passes the old documents as rows of the whole matrix, searched QUERY_BATCH at a
    time, instead of a 2.5 GB gathered copy at 5M: the neighbours must be the same, exact or IVF."""
    vectors = _clustered(n=6000)
    new_rows, old_rows = np.arange(0, 6000, 3), np.setdiff1d(np.arange(6000), np.arange(0, 6000, 3))
    monkeypatch.setattr(similarity, "QUERY_BATCH", 777)
    gathered = similarity.search(vectors[new_rows], vectors[old_rows], 10, exact_limit=exact_limit)
    batched = similarity.search(vectors[new_rows], vectors, 10, exact_limit=exact_limit, query_rows=old_rows)
    assert batched[0].shape == (len(old_rows), 10)
    assert np.array_equal(gathered[0], batched[0]) and np.allclose(gathered[1], batched[1])


@pytest.mark.parametrize("keep", [1.0, 0.999, 0.5, 0.01])
def test_compacting_rows_in_place_gives_the_gathered_rows(keep):
    from graphvec.writeback import compact_rows

    matrix = np.random.default_rng(3).standard_normal((5000, 8)).astype(np.float32)
    rows = np.flatnonzero(np.random.default_rng(4).random(5000) < keep)
    wanted = matrix[rows].copy()
    compacted = compact_rows(matrix, rows, block=64)
    assert np.array_equal(compacted, wanted) and np.shares_memory(compacted, matrix)
