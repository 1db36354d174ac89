"""The walk engine: exact node2vec distributions (chi-square), reproducibility, dead ends, memory."""

from __future__ import annotations

from collections import Counter, defaultdict

import numba
import numpy as np
import pytest
from scipy import stats

from graphvec.errors import GraphvecError
from graphvec.projection import build_csr
from graphvec.walks import WalkParams, build_alias_tables, check_memory, iter_walks, plan, write_walks


def csr_from_edges(edges, n, directed=False):
    src = np.array([e[0] for e in edges]); dst = np.array([e[1] for e in edges])
    weight = np.array([e[2] if len(e) > 2 else 1.0 for e in edges])
    matrix = build_csr(src, dst, weight, n, directed=directed)
    return matrix.indptr.astype(np.int64), matrix.indices.astype(np.int32), matrix.data.astype(np.float32)


# A hub (0) with leaves, a triangle among leaves, a chain, and weights spanning two orders of magnitude.
HUB_EDGES = [(0, i, w) for i, w in zip(range(1, 8), [1, 2, 0.5, 3, 1, 0.2, 5])] + [
    (1, 2, 1.5), (2, 3, 1), (1, 3, 0.7), (4, 5, 2), (5, 8, 1), (8, 9, 4), (7, 9, 0.3), (6, 6, 1.0)]
DIRECTED_EDGES = [(0, 1, 1), (1, 0, 2), (1, 2, 1), (2, 0, 0.5), (0, 2, 3), (2, 3, 1), (3, 1, 2), (3, 4, 1),
                  (4, 0, 1), (1, 4, 0.4), (4, 3, 2), (0, 3, 1)]


def exact_next(indptr, indices, weights, weighted, t, v, p, q):
    """node2vec transition probabilities from v having come from t, by brute force."""
    neighbours = indices[indptr[v]: indptr[v + 1]]
    w = weights[indptr[v]: indptr[v + 1]] if weighted else np.ones(len(neighbours))
    t_out = set(indices[indptr[t]: indptr[t + 1]].tolist()) if t >= 0 else set()
    alpha = np.array([1.0 if t < 0 else (1 / p if x == t else (1.0 if x in t_out else 1 / q)) for x in neighbours])
    probs = w * alpha
    return dict(zip(neighbours.tolist(), (probs / probs.sum()).tolist()))


def collect_transitions(walk_matrix):
    counts = defaultdict(Counter)
    for walk in walk_matrix:
        for i in range(1, len(walk)):
            if walk[i] < 0:
                break
            t = walk[i - 2] if i >= 2 else -1
            counts[(int(t), int(walk[i - 1]))][int(walk[i])] += 1
    return counts


def chi_square(counts, expected_for, min_total=200):
    """Pearson's statistic summed over every (t, v) context seen at least `min_total` times."""
    chi2_total, dof_total, checked = 0.0, 0, 0
    for (t, v), observed in counts.items():
        expected = expected_for(t, v)
        total = sum(observed.values())
        if total < min_total or len(expected) < 2:
            continue
        xs = sorted(expected)
        f_obs = np.array([observed.get(x, 0) for x in xs], dtype=float)
        f_exp = np.array([expected[x] * total for x in xs])
        chi2_total += float(((f_obs - f_exp) ** 2 / f_exp).sum())
        dof_total += len(xs) - 1
        checked += 1
    return chi2_total, dof_total, checked


CASES = [
    ("hub-unweighted", HUB_EDGES, 10, False, False, 1.0, 1.0),
    ("hub-unweighted", HUB_EDGES, 10, False, False, 0.5, 2.0),
    ("hub-unweighted", HUB_EDGES, 10, False, False, 4.0, 0.25),
    ("hub-weighted", HUB_EDGES, 10, False, True, 1.0, 1.0),
    ("hub-weighted", HUB_EDGES, 10, False, True, 0.5, 2.0),
    ("hub-weighted", HUB_EDGES, 10, False, True, 2.0, 0.5),
    ("hub-weighted", HUB_EDGES, 10, False, True, 0.25, 4.0),
    ("hub-weighted", HUB_EDGES, 10, False, True, 0.25, 0.5),
    ("hub-unweighted", HUB_EDGES, 10, False, False, 0.1, 1.0),
    ("directed-weighted", DIRECTED_EDGES, 5, True, True, 0.5, 2.0),
    ("directed-weighted", DIRECTED_EDGES, 5, True, True, 4.0, 0.5),
    ("directed-unweighted", DIRECTED_EDGES, 5, True, False, 2.0, 0.25),
]


@pytest.mark.parametrize("name, edges, n, directed, weighted, p, q", CASES, ids=[f"{c[0]}-p{c[5]}-q{c[6]}" for c in CASES])
def test_transition_frequencies_match_exact_node2vec(name, edges, n, directed, weighted, p, q):
    indptr, indices, weights = csr_from_edges(edges, n, directed)
    params = WalkParams(walk_length=12, walks_per_node=3000, return_factor=p, in_out_factor=q, seed=1234)
    walk_matrix = np.concatenate([c.copy() for c in iter_walks(indptr, indices, weights, params, weighted=weighted,
                                                                directed=directed)])
    counts = collect_transitions(walk_matrix)
    for (t, v), observed in counts.items():
        expected = exact_next(indptr, indices, weights, weighted, t, v, p, q)
        assert set(observed) <= {x for x, pr in expected.items() if pr > 0}, f"impossible move from {v} after {t}"
    chi2_total, dof_total, checked = chi_square(counts, lambda t, v: exact_next(indptr, indices, weights, weighted, t, v, p, q))
    assert checked >= 10
    p_value = stats.chi2.sf(chi2_total, dof_total)
    assert p_value > 1e-3, f"{name} p={p} q={q}: chi2={chi2_total:.1f} on {dof_total} dof (p-value {p_value:.2e})"


def test_the_chi_square_check_detects_a_wrong_distribution():
    """Negative control: walks with p=q=1 must fail the test against p=0.25, q=4 probabilities."""
    indptr, indices, weights = csr_from_edges(HUB_EDGES, 10)
    params = WalkParams(walk_length=12, walks_per_node=3000, seed=1234)
    counts = collect_transitions(np.concatenate([c.copy() for c in iter_walks(indptr, indices, weights, params, weighted=True)]))
    chi2_total, dof_total, _ = chi_square(counts, lambda t, v: exact_next(indptr, indices, weights, True, t, v, 0.25, 4.0))
    assert stats.chi2.sf(chi2_total, dof_total) < 1e-6


def test_alias_tables_reproduce_the_weights():
    indptr, indices, weights = csr_from_edges(HUB_EDGES, 10)
    prob, alias = build_alias_tables(indptr, weights)
    for v in range(10):
        s, e = indptr[v], indptr[v + 1]
        k = e - s
        if k == 0:
            continue
        implied = np.zeros(k)
        for j in range(k):
            implied[j] += prob[s + j] / k
            implied[alias[s + j]] += (1 - prob[s + j]) / k
        assert np.allclose(implied, weights[s:e] / weights[s:e].sum(), atol=1e-6)


def random_graph(n=2000, m=12000, seed=0):
    rng = np.random.default_rng(seed)
    edges = list(zip(rng.integers(0, n, m), rng.integers(0, n, m), rng.uniform(0.1, 1, m)))
    return csr_from_edges(edges, n)


@pytest.mark.parametrize("p, q, weighted", [(1.0, 1.0, False), (1.0, 1.0, True), (0.5, 2.0, True), (2.0, 0.5, False)])
def test_same_seed_same_walks_whatever_the_thread_count_and_chunking(p, q, weighted):
    indptr, indices, weights = random_graph()
    params = WalkParams(walk_length=20, walks_per_node=3, return_factor=p, in_out_factor=q, seed=99)
    one = np.concatenate([c.copy() for c in iter_walks(indptr, indices, weights, params, weighted=weighted, directed=False, workers=1)])
    two = np.concatenate([c.copy() for c in iter_walks(indptr, indices, weights, params, weighted=weighted, directed=False,
                                                       workers=2, chunk_walks=777)])
    numba.set_num_threads(numba.config.NUMBA_NUM_THREADS)
    assert one.shape == (6000, 20) and np.array_equal(one, two)
    other = np.concatenate([c.copy() for c in iter_walks(indptr, indices, weights, WalkParams(20, 3, p, q, seed=100), weighted=weighted)])
    assert not np.array_equal(one, other)


def test_every_node_starts_walks_per_node_walks_in_seeded_order():
    indptr, indices, weights = random_graph(n=500, m=3000)
    walk_matrix = np.concatenate([c.copy() for c in iter_walks(indptr, indices, weights, WalkParams(5, 4, seed=3), weighted=False)])
    for r in range(4):
        assert sorted(walk_matrix[r * 500:(r + 1) * 500, 0].tolist()) == list(range(500))
    assert not np.array_equal(walk_matrix[:500, 0], walk_matrix[500:1000, 0])


def test_dead_ends_stop_the_walk_and_isolated_nodes_give_one_node_walks():
    # 0 -> 1 -> 2 (a sink); 3 is isolated
    indptr, indices, weights = csr_from_edges([(0, 1), (1, 2)], 4, directed=True)
    for p, q in [(1.0, 1.0), (0.5, 2.0)]:
        walk_matrix = np.concatenate([c.copy() for c in iter_walks(indptr, indices, weights, WalkParams(5, 1, p, q, seed=1), weighted=False)])
        by_start = {int(w[0]): w.tolist() for w in walk_matrix}
        assert by_start[0] == [0, 1, 2, -1, -1]
        assert by_start[2] == [2, -1, -1, -1, -1]
        assert by_start[3] == [3, -1, -1, -1, -1]


def test_walk_file_is_written_whole_with_metadata(tmp_path):
    indptr, indices, weights = random_graph(n=300, m=1000)
    params = WalkParams(10, 2, seed=5)
    path = write_walks(tmp_path / "walks.npy", iter_walks(indptr, indices, weights, params, weighted=False, chunk_walks=64),
                       600, 10, {"params": "x"})
    stored = np.load(path, mmap_mode="r")
    assert stored.shape == (600, 10) and stored.dtype == np.int32
    expected = np.concatenate([c.copy() for c in iter_walks(indptr, indices, weights, params, weighted=False)])
    assert np.array_equal(stored, expected)
    assert (tmp_path / "walks.npy.json").exists() and not list(tmp_path.glob("*.partial.npy"))


def test_memory_estimate_and_refusal():
    indptr, _, _ = random_graph(n=1000, m=5000)
    walk_plan = plan(indptr, True, WalkParams(80, 10))
    memory = walk_plan.memory()
    assert memory["alias_tables"] == memory["csr"] - (1001 * 8) and memory["total"] == sum(v for k, v in memory.items() if k != "total")
    with pytest.raises(GraphvecError, match="pass --force"):
        check_memory(walk_plan, extra_bytes=1 << 60)
    assert check_memory(walk_plan, force=True, extra_bytes=1 << 60)["needed_bytes"] > 1 << 59


@pytest.mark.parametrize("params, message", [
    (WalkParams(walk_length=0), "--walk-length"), (WalkParams(walks_per_node=0), "--walks-per-node"),
    (WalkParams(return_factor=0), "return-factor"), (WalkParams(in_out_factor=-1), "in-out-factor"),
])
def test_bad_parameters_are_clear_errors(params, message):
    with pytest.raises(GraphvecError, match=message):
        params.validate()
