"""Memory estimates against the peak resident memory `graphvec embed` really reaches."""

from __future__ import annotations

import json
import subprocess
import sys

import networkx as nx
import pytest

from graphvec import estimate
from graphvec.ingest import ingest_graph
from graphvec.sources import EdgeList, read_graph
from graphvec.store import open_store

from .conftest import KARATE, REPO, run_cli, shared

PEAK = ("import resource, subprocess, sys; done = subprocess.run(sys.argv[1:], capture_output=True, text=True); "
        "print(done.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024); print(done.stderr[-500:])")
OPTIONS = ["--projection", "graph", "--method", "deepwalk", "--seed", "1", "--workers", "2"]


def measured_and_estimated(store_path) -> tuple[int, int]:
    """Peak RSS of `graphvec embed` in its own process, and what `graphvec estimate` said before."""
    estimate = run_cli("--json", "--store", str(store_path), "estimate", *[o for o in OPTIONS if o not in ("--seed", "1", "--workers", "2")])
    assert estimate.returncode == 0, estimate.stderr
    predicted = json.loads(estimate.stdout)["memory_bytes"]["peak"]
    done = subprocess.run([sys.executable, "-c", PEAK, sys.executable, str(REPO / "cli.py"), "--json", "--store", str(store_path),
                           "embed", *OPTIONS], capture_output=True, text=True, timeout=600)
    code, peak = done.stdout.split("\n")[0].split()
    assert code == "0", done.stdout
    return int(peak), predicted


def _store_with(tmp_path, name, edges: EdgeList):
    path = tmp_path / f"{name}.lbug"
    with open_store(str(path)) as store:
        ingest_graph(store, edges)
    return path


def _sbm(tmp_path) -> EdgeList:
    """The benchmark's SBM graph (benchmarks/bench_embed.py): 50 blocks of 200 nodes, mean degree 20."""
    blocks, size = 50, 200
    probs = [[16 / (size - 1) if i == j else 4 / (size * (blocks - 1)) for j in range(blocks)] for i in range(blocks)]
    graph = nx.stochastic_block_model([size] * blocks, probs, seed=42)
    path = tmp_path / "sbm.txt"
    path.write_text("".join(f"{u} {v}\n" for u, v in sorted(graph.edges())))
    return read_graph(path)


@pytest.fixture(scope="module")
def karate_peak(tmp_path_factory):
    return measured_and_estimated(_store_with(tmp_path_factory.mktemp("karate"), "karate", read_graph(KARATE)))


def test_estimate_is_within_half_again_of_the_measured_peak_on_the_sbm_benchmark_graph(tmp_path, karate_peak):
    peak, predicted = measured_and_estimated(_store_with(tmp_path, "sbm", _sbm(tmp_path)))
    assert peak / 1.5 <= predicted <= peak * 1.5, (predicted / 2**20, peak / 2**20)
    # what the graph adds on top of a 34-node run is estimated within the same factor, not only the total
    grown, grown_predicted = peak - karate_peak[0], predicted - karate_peak[1]
    assert grown / 1.5 <= grown_predicted <= grown * 1.5, (grown_predicted / 2**20, grown / 2**20)


def test_estimate_is_within_half_again_of_the_measured_peak_on_blogcatalog(tmp_path, karate_peak):
    peak, predicted = measured_and_estimated(_store_with(tmp_path, "blogcatalog", read_graph(shared("blogcatalog/blogcatalog.mat"))))
    assert peak / 1.5 <= predicted <= peak * 1.5, (predicted / 2**20, peak / 2**20)
    grown, grown_predicted = peak - karate_peak[0], predicted - karate_peak[1]
    assert grown / 1.5 <= grown_predicted <= grown * 1.5, (grown_predicted / 2**20, grown / 2**20)


def test_embed_refuses_a_job_larger_than_free_memory_and_names_the_way_out(tmp_path):
    path = _store_with(tmp_path, "karate", read_graph(KARATE))
    done = run_cli("--store", str(path), "embed", "--projection", "graph", "--dimensions", "200000000")
    assert done.returncode == 2 and "GiB at its peak" in done.stderr and "--force" in done.stderr
    assert "Traceback" not in done.stderr
    estimate = json.loads(run_cli("--json", "--store", str(path), "estimate", "--projection", "graph", "--dimensions", "200000000").stdout)
    assert not estimate["fits"] and estimate["memory_bytes"]["parts"]["training"] >= 4 * 34 * 200000000 * 4


def test_estimated_time_uses_the_rates_the_last_run_measured(tmp_path):
    path = _store_with(tmp_path, "karate", read_graph(KARATE))
    before = json.loads(run_cli("--json", "--store", str(path), "estimate", "--projection", "graph").stdout)
    assert before["rates_from"].startswith("defaults")
    assert run_cli("--store", str(path), "embed", "--projection", "graph").returncode == 0
    after = json.loads(run_cli("--store", str(path), "estimate", "--projection", "graph", "--json").stdout)  # --json after the command too
    assert after["rates_from"].startswith("measured") and after["rates"] != before["rates"]


def test_each_steps_time_comes_from_the_run_nearest_its_size_and_slows_beyond_the_largest():
    """A 3,000-node run's write rate (fixed costs, tiny tables) must not price a 5M-document
    write: each step takes the rate of the measured run whose amount of that work was closest,
    and past every run measured the rate falls as size^-SLOWER_WITH_SIZE."""
    small = estimate.Workload(3_000, 50_000, top_k=10)
    large = estimate.Workload(100_000, 2_000_000, top_k=10, documents=1_000_000, has_label=3_000_000, predict_k=10,
                              scored_documents=1_000_000)
    assert large.rows == 1_100_000 * 11 + 10_000_000
    before, source = estimate.load_rates(large)
    assert source.startswith("defaults") and before == estimate.DEFAULT_RATES
    estimate.record_rates({"project": 0.5, "walk": 0.1, "train": 1.0, "write": 1.0}, small, small.steps, small.steps, True)
    estimate.record_rates({"project": 10.0, "walk": 8.0, "train": 100.0, "write": 300.0}, large, large.steps, large.steps, True)
    rates, _ = estimate.load_rates(small)
    assert rates["write_rows_per_s"] == small.rows / 1.0 and rates["train_tokens_per_s"] == small.steps / 1.0
    rates, source = estimate.load_rates(large)
    assert rates["write_rows_per_s"] == pytest.approx(large.rows / 300.0) and "slowed" not in source
    assert estimate.seconds(large, rates)["write"] == pytest.approx(300.0, abs=0.1)
    five = estimate.Workload(500_000, 10_000_000, top_k=10, documents=5_000_000, has_label=15_000_000, predict_k=10,
                             scored_documents=5_000_000)
    rates, source = estimate.load_rates(five)
    ratio = five.rows / large.rows
    assert rates["write_rows_per_s"] == pytest.approx(large.rows / 300.0 * ratio ** -estimate.SLOWER_WITH_SIZE)
    assert f"slowed for {ratio:,.1f}x the size" in source
    # 5x the rows at 5^-0.3 of the rate: the write takes 5^1.3 times as long
    assert estimate.seconds(five, rates)["write"] == pytest.approx(300.0 * ratio ** 1.3, rel=1e-3)
    for _ in range(estimate.RUNS_KEPT):  # only the last runs are kept
        estimate.record_rates({"write": 1.0}, small, small.steps, small.steps, True)
    rates, _ = estimate.load_rates(large)
    assert rates["write_rows_per_s"] == pytest.approx(small.rows * (large.rows / small.rows) ** -estimate.SLOWER_WITH_SIZE)
