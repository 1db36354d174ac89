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


def test_errors_under_json_are_one_json_object_with_the_exit_code(tmp_path):
    store = str(tmp_path / "s.lbug")
    assert run_cli("--store", store, "ingest", "graph", str(KARATE)).returncode == 0
    for args, code, text in ((["neighbours", "nobody"], 2, "no Node with id 'nobody'"),
                             (["stats", "--bogus"], 2, "No such option: --bogus"),
                             (["embed", "--projection", "graph", "--top-k", "-1"], 2, "--top-k must be 0 (none) or more, not -1"),
                             (["embed", "--projection", "graph", "--predict-k", "-5"], 2, "--predict-k must be 0 (none) or more, not -5"),
                             (["update", "--top-k", "-2"], 2, "--top-k must be 0 (none) or more, not -2")):
        result = run_cli("--store", store, "--json", *args)
        assert result.returncode == code, (args, result.stderr)
        (line,) = result.stdout.splitlines()
        assert json.loads(line) == {"error": json.loads(line)["error"], "exit_code": code} and text in json.loads(line)["error"]
        assert "Traceback" not in result.stderr
    plain = run_cli("--store", store, "embed", "--top-k", "-1")
    assert plain.returncode == 2 and plain.stdout == "" and "--top-k must be 0" in plain.stderr


def test_a_password_typed_into_any_uri_is_never_printed(tmp_path):
    for uri in ("http://neo4j:s3cret-pa55@example:7474", "bolt+x://neo4j:s3cret-pa55@127.0.0.1:1", "neo4js://me:s3cret-pa55@h"):
        for extra in ([], ["--json"]):
            result = run_cli("--store", uri, *extra, "stats", cwd=tmp_path)
            assert result.returncode == 2 and "unsupported URI scheme" in result.stderr
            assert "s3cret" not in result.stdout + result.stderr and ":***@" in result.stderr
    assert not list(tmp_path.iterdir()), "nothing was created for a URI that is not a store"


def test_an_interrupted_write_is_described_from_the_store(tmp_path):
    from dataclasses import replace

    import numpy as np
    import pytest

    from graphvec.cli import _interrupted
    from graphvec.errors import GraphvecError
    from graphvec.ingest import ingest_graph
    from graphvec.pipeline import embed
    from graphvec.projection import PRESETS
    from graphvec.sources import read_graph
    from graphvec.store import open_store
    from graphvec.writeback import write_back

    from .test_embed import FAST

    path = str(tmp_path / "s.lbug")
    with open_store(path) as store:
        ingest_graph(store, read_graph(KARATE))
        first = embed(store, PRESETS["graph"], FAST, top_k=2)
    assert "nothing half-written" in _interrupted(["--store", path, "embed"])
    assert _interrupted(["--store", path, "neighbours", "1"]) == "interrupted"
    with open_store(path) as store:
        again = replace(first.embedding, run_id="second", vectors=np.flip(first.embedding.vectors, axis=1).copy())
        with pytest.raises(GraphvecError, match="interrupted"):
            write_back(store, again, top_k=2, stop_after_batches=1)
    message = _interrupted(["--json", "--store", path, "embed", "--epochs", "2"])
    assert message.startswith("interrupted; run second did not finish writing"), message


def test_a_generic_graph_store_needs_no_projection_name_in_any_analyst_command(store_location, tmp_path):
    import numpy as np

    from graphvec.store import open_store

    store = store_location
    assert run_cli("--store", store, "ingest", "graph", str(KARATE)).returncode == 0
    for args in (["project"], ["estimate"], ["walk", "--output", str(tmp_path / "w.npy"), "--walks-per-node", "2"]):
        result = run_cli("--store", store, "--json", *args)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
    assert json.loads(run_cli("--store", store, "--json", "project").stdout)["nodes"] == 34
    embedded = run_cli("--store", store, "--json", "embed", "--seed", "5", "--workers", "1", "--dimensions", "16", "--top-k", "3")
    assert embedded.returncode == 0, embedded.stderr
    assert set(json.loads(embedded.stdout)["write"]["labels"]) == {"Node"}
    near = json.loads(run_cli("--store", store, "--json", "neighbours", "1", "-k", "4").stdout)
    with open_store(store) as opened:
        vectors = opened.read_embedding("Node", key="id")
        links = {frozenset((str(r["a"]), str(r["b"]))) for r in opened.run_text(
            "MATCH (a:Node)-[:LINK]->(b:Node) RETURN a.id AS a, b.id AS b").to_pylist()}
    unit = vectors.vectors / np.linalg.norm(vectors.vectors, axis=1, keepdims=True)
    scores = unit @ unit[vectors.rows_of(["1"])[0]]
    expected = [str(vectors.keys[i]) for i in np.argsort(-scores, kind="stable") if str(vectors.keys[i]) != "1"][:4]
    assert near["kind"] == "node" and [r["id"] for r in near["rows"]] == expected
    assert all(r["linked"] == (frozenset(("1", r["id"])) in links) for r in near["rows"])
    assert near["rows"][0]["degree"] == sum(near["rows"][0]["id"] in pair for pair in links)
    analogy = json.loads(run_cli("--store", store, "--json", "analogy", "1", "2", "34", "-k", "3").stdout)
    assert len(analogy["rows"]) == 3 and not {"1", "2", "34"} & {r["name"] for r in analogy["rows"]}
    around = json.loads(run_cli("--store", store, "--json", "neighbourhood", "1", "-k", "4").stdout)
    assert [r["name"] for r in around["embedding"]] == expected
    assert len(around["graph"]) == 4 and all(frozenset(("1", r["name"])) in links for r in around["graph"])
    adjacent = {}
    for pair in links:
        a, b = tuple(pair)
        adjacent.setdefault(a, set()).add(b)
        adjacent.setdefault(b, set()).add(a)
    shared = sorted(((-len(adjacent["1"] & adjacent[m]), m) for m in adjacent["1"]))[:4]
    assert [(r["name"], r["common"]) for r in around["graph"]] == [(m, -n) for n, m in shared]
    assert around["in_both"] == sorted({r["name"] for r in around["graph"]} & set(expected))
    predicted = json.loads(run_cli("--store", store, "--json", "links", "-k", "5").stdout)["rows"]
    assert predicted and not {frozenset((r["source"], r["target"])) for r in predicted} & links
    wrong = run_cli("--store", store, "links", "--labels")
    assert wrong.returncode == 2 and "no Label nodes" in wrong.stderr and "Traceback" not in wrong.stderr


def test_links_leave_out_tiny_components_whose_pairs_all_score_one(store_location, tmp_path):
    edges = tmp_path / "g.txt"
    karate = [line.split() for line in KARATE.read_text().splitlines() if line and not line.startswith("#")]
    pairs = [(row[0], other) for row in karate for other in row[1:]]
    tiny = [("t1", "t2"), ("t2", "t3"), ("u1", "u2"), ("u2", "u3"), ("u3", "u4")]
    edges.write_text("\n".join(f"{a} {b}" for a, b in pairs + tiny) + "\n", encoding="utf-8")
    store = store_location
    assert run_cli("--store", store, "ingest", "graph", str(edges)).returncode == 0
    assert run_cli("--store", store, "embed", "--seed", "3", "--workers", "1", "--dimensions", "16", "--top-k", "5").returncode == 0
    every = json.loads(run_cli("--store", store, "--json", "links", "-k", "3", "--min-component", "1").stdout)
    assert every["nodes_left_out"] == 0
    assert {r["source"][0] for r in every["rows"][:2]} <= {"t", "u"} and every["rows"][0]["score"] > 0.99, every["rows"]
    default = json.loads(run_cli("--store", store, "--json", "links", "-k", "10").stdout)
    assert default["nodes_left_out"] == 7 and len(default["rows"]) == 10
    assert not [r for r in default["rows"] if r["source"][0] in "tu" or r["target"][0] in "tu"]
    assert all(r["source"].isdigit() and r["target"].isdigit() for r in default["rows"])
