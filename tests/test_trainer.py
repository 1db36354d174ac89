"""The numba skip-gram trainer: its update rule, streamed walks, and its compiled-code cache."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from graphvec import sgns
from graphvec.projection import build_csr
from graphvec.train import TrainParams, train, train_streamed
from graphvec.walks import WalkParams, iter_walks


def reference_window(w_in, w_out, sentence, position, start, stop, drawn, alpha):
    """The shared-negatives skip-gram step written plainly in numpy: one block of targets (the
    centre, label 1, then every drawn negative that is not the centre, label 0) against each
    context row in turn, the block updated after each context as word2vec's sequential pairs
    would see it; the block's net change is added to w_out at the end."""
    centre = sentence[position]
    targets = [centre] + [t for t in drawn if t != centre]
    labels = np.array([1.0] + [0.0] * (len(targets) - 1), dtype=np.float32)
    block = w_out[targets].copy()
    initial = block.copy()
    for c in range(start, stop):
        if c == position:
            continue
        row = w_in[sentence[c]].copy()
        logits = block @ row
        table = sgns.SIGMOID[((logits + sgns.MAX_EXP) * (sgns.SIGMOID_STEPS / (2 * sgns.MAX_EXP))).astype(int).clip(0, sgns.SIGMOID_STEPS)]
        gradients = np.where(np.abs(logits) >= sgns.MAX_EXP, 0.0, labels - table).astype(np.float32) * alpha
        w_in[sentence[c]] = row + gradients @ block
        block += np.outer(gradients, row)
    for j, target in enumerate(targets):
        w_out[target] += block[j] - initial[j]


@pytest.mark.parametrize("drawn", [[7, 3, 9, 11, 2],  # five distinct negatives: the six-target fast path
                                   [7, 3, 9],  # three negatives: the general path
                                   [7, 5, 9, 11, 2]])  # a negative that is the centre is skipped: general path, five targets
def test_shared_window_step_matches_a_numpy_reference(drawn):
    rng = np.random.default_rng(0)
    w_in = rng.standard_normal((12, 16)).astype(np.float32) * 0.5
    w_out = rng.standard_normal((12, 16)).astype(np.float32) * 0.5
    sentence = np.array([1, 4, 5, 4, 8, 0, 6], dtype=np.int64)  # node 4 twice: its row is updated twice, in order
    position, start, stop, alpha = 2, 0, 6, np.float32(0.05)
    before_in, before_out = w_in.copy(), w_out.copy()
    expected_in, expected_out = w_in.copy(), w_out.copy()
    reference_window(expected_in, expected_out, sentence, position, start, stop, drawn, alpha)
    negatives = len(drawn)
    sgns._window_shared(sentence, position, start, stop, sentence[position], np.array(drawn, dtype=np.int64), alpha, sgns.SIGMOID,
                        w_in, w_out, np.empty(negatives + 1, dtype=np.int64), np.empty((negatives + 1, 16), dtype=np.float32),
                        np.empty((negatives + 1, 16), dtype=np.float32), np.empty(16, dtype=np.float32))
    assert not np.allclose(w_in, before_in) and not np.allclose(w_out, before_out)  # the step did learn
    np.testing.assert_allclose(w_in, expected_in, atol=2e-5)
    np.testing.assert_allclose(w_out, expected_out, atol=2e-5)


def planted_walks(chunk_walks=None):
    import networkx as nx

    graph = nx.stochastic_block_model([30] * 6, [[0.3 if i == j else 0.01 for j in range(6)] for i in range(6)], seed=4)
    edges = np.array(graph.edges())
    csr = build_csr(edges[:, 0], edges[:, 1], np.ones(len(edges)), 180, directed=False)
    indptr, indices = csr.indptr.astype(np.int64), csr.indices.astype(np.int32)
    return lambda: iter_walks(indptr, indices, None, WalkParams(30, 8, seed=2), weighted=False, directed=False,
                              chunk_walks=chunk_walks)


def test_streamed_walks_train_exactly_like_stored_ones():
    """With one worker and one chunk, streaming changes nothing: the same pieces, the same
    learning-rate schedule and the same random streams as training on the stored matrix."""
    make_walks = planted_walks()
    stored = np.concatenate([chunk.copy() for chunk in make_walks()])
    params = TrainParams(dimensions=16, window=5, workers=1, seed=3)
    a = train(stored, 180, params)
    b = train_streamed(make_walks, 180, params)
    assert np.array_equal(a.vectors, b.vectors) and np.array_equal(a.trained, b.trained)
    assert b.stats["tokens"] == a.stats["tokens"] == int((stored >= 0).sum())


def test_streamed_walks_in_many_chunks_are_reproducible_and_learn_the_blocks():
    make_walks = planted_walks(chunk_walks=100)  # 1440 walks in 15 chunks, so 15 differently seeded pieces
    params = TrainParams(dimensions=16, window=5, epochs=2, workers=1, seed=3)
    a = train_streamed(make_walks, 180, params)
    b = train_streamed(make_walks, 180, params)
    assert np.array_equal(a.vectors, b.vectors) and a.trained.all()
    unit = a.vectors / np.linalg.norm(a.vectors, axis=1, keepdims=True)
    similarity = unit @ unit.T
    block = np.arange(180) // 30
    same = block[:, None] == block[None, :]
    np.fill_diagonal(same, False)
    assert similarity[same].mean() > similarity[block[:, None] != block[None, :]].mean() + 0.3


def test_streaming_refuses_the_gensim_trainer():
    from graphvec.errors import GraphvecError

    with pytest.raises(GraphvecError, match="numba"):
        train_streamed(planted_walks(), 180, TrainParams(trainer="gensim"))


def test_the_trainer_kernel_is_loaded_from_numba_cache_in_a_new_process(tmp_path):
    """A kernel argument that Numba types by identity (an array as a default value did) defeats
    its on-disk cache, and every `embed` then spends ~13 s compiling; the second process must
    load the compiled trainer instead of saving a new copy."""
    code = ("import numpy as np\nfrom graphvec.train import TrainParams, train\n"
            "train(np.arange(40, dtype=np.int32).reshape(4, 10) % 7, 7, TrainParams(dimensions=8, workers=1))\n")
    env = {**os.environ, "NUMBA_DEBUG_CACHE": "1", "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    logs = [subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True).stdout
            for _ in range(2)]
    second = [line for line in logs[1].splitlines() if "sgns.train_segment" in line]
    assert any("data loaded" in line for line in second), logs[1][-2000:]
    assert not any("data saved" in line for line in second), logs[1][-2000:]
