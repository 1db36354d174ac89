"""The command line as a user runs it: exit codes, one-line errors, --json output."""

from __future__ import annotations

import json

from .conftest import KARATE, ROBOTICS, run_cli


def test_ingest_stats_and_project_with_json(store_location):
    store = store_location
    result = run_cli("--store", store, "--json", "ingest", "docs", str(ROBOTICS), "--labels-field", "tags", "--label-sep", " ")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["new"] == 2771 and report["store_totals"]["co_occurs"] == 2505
    stats = json.loads(run_cli("--store", store, "--json", "stats").stdout)
    assert stats["counts"]["Document"] == 2771 and stats["meta"]["write_state"] == "complete"
    assert stats["top_labels"][0] == {"name": "quadcopter", "df": 306}
    summary = json.loads(run_cli("--store", store, "--json", "project", "--projection", "bipartite").stdout)
    assert summary["nodes"] == 2771 + 231 and summary["csr_entries"] == 2 * 6520


def test_human_output_shows_tables(tmp_path):
    store = str(tmp_path / "s.lbug")
    result = run_cli("--store", store, "ingest", "graph", str(KARATE))
    assert result.returncode == 0 and "edges read" in result.stdout


def test_bad_input_is_one_line_with_file_and_line_and_exit_2(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("id,title,tags\n1,a,x\n2,b,\n", encoding="utf-8")
    store = tmp_path / "s.lbug"
    result = run_cli("--store", str(store), "ingest", "docs", str(bad))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [l for l in result.stderr.splitlines() if l.strip()]
    assert len(lines) == 1 and f"{bad}:3: document 2 has no labels" in lines[0]
    assert not store.exists() or run_cli("--store", str(store), "--json", "stats").returncode == 0


def test_missing_file_and_unknown_store(tmp_path):
    result = run_cli("--store", str(tmp_path / "s.lbug"), "ingest", "graph", str(tmp_path / "none.txt"))
    assert result.returncode == 2 and "none.txt: no such file" in result.stderr
    result = run_cli("--store", str(tmp_path / "missing.lbug"), "stats")
    assert result.returncode == 2 and "no store here" in result.stderr


def test_walk_command_writes_reproducible_walks(tmp_path):
    import numpy as np

    store = str(tmp_path / "s.lbug")
    assert run_cli("--store", store, "ingest", "graph", str(KARATE)).returncode == 0
    outputs = []
    for workers in ("1", "2"):
        out = tmp_path / f"walks{workers}.npy"
        result = run_cli("--store", store, "--json", "walk", "--projection", "graph", "--method", "node2vec",
                         "--return-factor", "0.5", "--in-out-factor", "2", "--walks-per-node", "4", "--walk-length", "12",
                         "--seed", "7", "--workers", workers, "--output", str(out))
        assert result.returncode == 0, result.stderr
        data = json.loads(result.stdout)
        assert data["walks"] == 34 * 4 and data["steps"] == 34 * 4 * 12 and data["memory_estimate_bytes"]["total"] > 0
        outputs.append(np.load(out))
        meta = json.loads(out.with_name(out.name + ".json").read_text())
        assert meta["params"]["return_factor"] == 0.5 and meta["projection"]["nodes"] == 34
    assert outputs[0].shape == (136, 12) and np.array_equal(outputs[0], outputs[1])
    assert outputs[0].min() >= 0 and outputs[0].max() < 34


def test_walk_rejects_contradictory_options(tmp_path):
    store = str(tmp_path / "s.lbug")
    run_cli("--store", store, "ingest", "graph", str(KARATE))
    result = run_cli("--store", store, "walk", "--projection", "graph", "--method", "deepwalk", "-p", "0.5", "--output", str(tmp_path / "w.npy"))
    assert result.returncode == 2 and "need --method node2vec" in result.stderr
    result = run_cli("--store", store, "walk", "--projection", "graph", "--output", str(tmp_path / "w.txt"))
    assert result.returncode == 2 and "must end in .npy" in result.stderr


def test_embed_train_write_export_as_a_user_runs_them(store_location, tmp_path):
    import numpy as np

    store = store_location
    assert run_cli("--store", store, "ingest", "graph", str(KARATE)).returncode == 0
    common = ("--walks-per-node", "5", "--walk-length", "20", "--dimensions", "16", "--workers", "1")
    result = run_cli("--store", store, "--json", "embed", "--projection", "graph", "--top-k", "3", *common)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["train"]["nodes_embedded"] == 34 and data["write"]["similar"]["Node"]["relationships"] == 34 * 3
    assert set(data["timings_s"]) == {"project", "walk", "train", "write"}
    # the same steps one at a time, reusing the walks
    walks = tmp_path / "w.npy"
    vectors = tmp_path / "v.npz"
    assert run_cli("--store", store, "walk", "--projection", "graph", "--walks-per-node", "5", "--walk-length", "20",
                   "--output", str(walks)).returncode == 0
    trained = run_cli("--store", store, "--json", "train", str(walks), "--dimensions", "16", "--workers", "1", "--output", str(vectors))
    assert trained.returncode == 0, trained.stderr
    written = run_cli("--store", store, "--json", "write", str(vectors), "--top-k", "2")
    assert written.returncode == 0, written.stderr
    run_id = json.loads(written.stdout)["run_id"]
    stats = json.loads(run_cli("--store", store, "--json", "stats").stdout)
    assert stats["embeddings"]["latest_run"] == run_id and stats["embeddings"]["stale"] is False
    assert stats["embeddings"]["labels"]["Node"] == {"with_vector": 34, "without_vector": 0, "by_run": {run_id: 34}}
    out = tmp_path / "vectors.npy"
    exported = run_cli("--store", store, "--json", "export", "--label", "Node", "--format", "npy", "--output", str(out))
    assert exported.returncode == 0 and np.load(out).shape == (34, 16)
    assert len(out.with_suffix(".keys.txt").read_text().split()) == 34
    w2v = tmp_path / "vectors.w2v"
    assert run_cli("--store", store, "export", "--label", "Node", "--format", "word2vec", "--output", str(w2v)).returncode == 0
    from gensim.models import KeyedVectors

    assert KeyedVectors.load_word2vec_format(str(w2v)).vector_size == 16
    # after the graph changes, the stored vectors are reported stale and old files are refused
    extra = tmp_path / "extra.txt"
    extra.write_text("1 99\n", encoding="utf-8")
    run_cli("--store", store, "ingest", "graph", str(extra))
    stats = json.loads(run_cli("--store", store, "--json", "stats").stdout)
    assert stats["embeddings"]["stale"] is True and any("changed" in w for w in stats["warnings"])
    refused = run_cli("--store", store, "write", str(vectors))
    assert refused.returncode == 2 and "graph changed" in refused.stderr


def test_bad_training_options_are_one_line_errors(tmp_path):
    store = str(tmp_path / "s.lbug")
    run_cli("--store", store, "ingest", "graph", str(KARATE))
    result = run_cli("--store", store, "embed", "--projection", "graph", "--timeout", "soon")
    assert result.returncode == 2 and "--timeout takes a duration" in result.stderr
    result = run_cli("--store", store, "embed", "--projection", "graph", "--model", "glove")
    assert result.returncode == 2 and "--model must be skipgram or cbow" in result.stderr
    result = run_cli("--store", store, "train", str(tmp_path / "missing.npy"))
    assert result.returncode == 2 and "no walk file" in result.stderr
