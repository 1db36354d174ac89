"""The random-walk engine: DeepWalk, weighted first-order and node2vec walks as Numba kernels.

Correctness first:
- node2vec (Grover & Leskovec 2016) moves from v (having come from t) to x with probability
  ∝ w(v,x)·α(t,x), with α = 1/p if x = t, 1 if x is an out-neighbour of t (distance 1), else 1/q.
  No second-order table is built (that is what exhausts memory in the popular libraries).
  Following KnightKing (Yang et al., SOSP 2019) each step proposes x from the first-order
  distribution (uniform, or the node's alias table when weighted) and accepts it with probability
  α(t,x)/max(1/p, 1, 1/q).  Expected proposals per step = max(α) / Σₓ P₁(x)·α(t,x): 1 when
  p = q = 1 (then the first-order path is used directly), at most max(α)/min(α) — e.g. ≤ 4 for
  p = 0.5, q = 2, and about 2–4 on sparse graphs where most candidates are at distance 2.  The
  "is x a neighbour of t" test is a binary search in t's sorted CSR row, done only when the
  accept draw falls between min(1, 1/q) and max(1, 1/q), where the answer matters.
- A walk that reaches a node without out-edges (a directed sink) stops there: the rest of its row
  is -1.  An isolated start node gives a one-node walk.

Reproducible whatever the thread count: every walk draws from its own counter-based stream
(SplitMix64) keyed by (seed, start node, walk number), and walk i always lands in row i.  The
order of start nodes is a seeded permutation per round, as in DeepWalk/node2vec.

Memory is bounded: walks are produced in chunks of int32 rows and either streamed to a consumer
or written into a memory-mapped .npy; nothing becomes a Python object or a string.  Each thread
advances a group of walks in lock-step, so the CPU overlaps their cache misses (the walk is
latency-bound on large graphs).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Iterator

import numba
import numpy as np
from numba import njit, prange

from .errors import GraphvecError
from .kernels import GOLDEN, below, build_alias_tables, low_unit, mix, unit, walk_stream

GROUP = 16  # walks advanced together by one thread to hide memory latency


@dataclass(frozen=True)
class WalkParams:
    """GDS vocabulary: walkLength, walksPerNode, returnFactor (p), inOutFactor (q)."""

    walk_length: int = 80
    walks_per_node: int = 10
    return_factor: float = 1.0  # p: high p makes returning to the previous node less likely
    in_out_factor: float = 1.0  # q: q > 1 keeps walks local (BFS-like), q < 1 sends them outward (DFS-like)
    seed: int = 42

    def validate(self) -> "WalkParams":
        if self.walk_length < 1:
            raise GraphvecError(f"--walk-length must be at least 1, not {self.walk_length}")
        if self.walks_per_node < 1:
            raise GraphvecError(f"--walks-per-node must be at least 1, not {self.walks_per_node}")
        for name, value in (("--return-factor (p)", self.return_factor), ("--in-out-factor (q)", self.in_out_factor)):
            if not (value > 0 and math.isfinite(value)):
                raise GraphvecError(f"{name} must be a positive number, not {value}")
        if not 0 <= self.seed < 2**63:
            raise GraphvecError(f"--seed must be between 0 and 2^63-1, not {self.seed}")
        return self

    @property
    def second_order(self) -> bool:
        return self.return_factor != 1.0 or self.in_out_factor != 1.0


# --- the kernel -----------------------------------------------------------------------------

@njit(inline="always")
def _has_edge(indptr, indices, a, b):
    lo = indptr[a]
    hi = indptr[a + 1]
    while lo < hi:
        mid = (lo + hi) >> 1
        value = indices[mid]
        if value < b:
            lo = mid + 1
        elif value > b:
            hi = mid
        else:
            return True
    return False


@njit(inline="always")
def _start_group(start_nodes, walk_numbers, seed, first, size, current, state, out):
    """Put each walk of a group on its start node, with its own random stream."""
    for w in range(size):
        node = start_nodes[first + w]
        current[w] = node
        state[w] = walk_stream(seed, node, walk_numbers[first + w])
        out[first + w, 0] = node


@njit(inline="always")
def _load_rows(indptr, current, size, row, degree):
    """First pass of a step: every walk's row bounds (independent loads, overlapped by the CPU)."""
    for w in range(size):
        v = current[w]
        if v >= 0:
            row[w] = indptr[v]
            degree[w] = indptr[v + 1] - row[w]
        else:
            degree[w] = 0


@njit(parallel=True, nogil=True, cache=True)
def walk_chunk(indptr, indices, weights, row_sums, prob, alias, weighted, start_nodes, walk_numbers, seed, walk_length,
               inv_p, inv_q, fold_return, out):
    """node2vec walks: fill out[i, :] with the walk from start_nodes[i]; -1 pads after a dead end.

    The group's walks propose in one pass; only the rejected ones go round again.  Keeping the
    proposals of different walks side by side lets their cache misses overlap, which a per-walk
    rejection loop cannot do.  The first step of a walk has no previous node and is first-order.

    `fold_return` (undirected graphs with 1/p > max(1, 1/q)): KnightKing's outlier folding.  The
    return edge alone carries the largest bias, so instead of an envelope of 1/p for every
    candidate, the proposal is a mixture: the first-order distribution under the envelope
    M' = max(1, 1/q), plus a separate region of mass P₁(t)·(1/p − M') that returns to t directly.
    On an undirected graph P₁(t) = w(t,v) / Σ w(v,·) is known from the edge just walked.  For
    p = 0.5, q = 2 this halves the expected proposals per step.
    """
    n_walks = len(start_nodes)
    n_groups = (n_walks + GROUP - 1) // GROUP
    envelope = max(1.0, inv_q) if fold_return else max(inv_p, 1.0, inv_q)
    low = min(1.0, inv_q) / envelope  # a draw below this accepts whatever the distance
    high = max(1.0, inv_q) / envelope  # a draw at or above this rejects unless x is t
    p_accept = min(inv_p, envelope) / envelope
    return_extra = (inv_p - envelope) / envelope  # the return region's area per unit of P₁(t); > 0 only when folding
    for group in prange(n_groups):
        first = group * GROUP
        size = min(GROUP, n_walks - first)
        current = np.empty(GROUP, dtype=np.int64)
        previous = np.empty(GROUP, dtype=np.int64)
        came_by = np.ones(GROUP, dtype=np.float64)  # weight of the edge the walk arrived along
        row = np.empty(GROUP, dtype=np.int64)
        degree = np.empty(GROUP, dtype=np.int64)
        state = np.empty(GROUP, dtype=np.uint64)
        pending = np.empty(GROUP, dtype=np.int64)
        _start_group(start_nodes, walk_numbers, seed, first, size, current, state, out)
        previous[:] = -1
        for step in range(1, walk_length):
            n_pending = 0
            _load_rows(indptr, current, size, row, degree)
            for w in range(size):
                if degree[w] == 0:
                    current[w] = -1
                    out[first + w, step] = -1
                else:
                    pending[n_pending] = w
                    n_pending += 1
            while n_pending > 0:
                kept = 0
                for i in range(n_pending):
                    w = pending[i]
                    t = previous[w]
                    s = state[w]
                    if fold_return and t >= 0:
                        s += GOLDEN
                        return_mass = came_by[w] / row_sums[current[w]] * return_extra
                        if unit(mix(s)) * (1.0 + return_mass) >= 1.0:
                            state[w] = s
                            previous[w] = current[w]
                            current[w] = t
                            out[first + w, step] = t
                            continue
                    s += GOLDEN
                    r = mix(s)
                    slot = below(r, degree[w])
                    if weighted and low_unit(r) >= prob[row[w] + slot]:
                        slot = alias[row[w] + slot]
                    x = indices[row[w] + slot]
                    accept = True
                    if t >= 0:
                        s += GOLDEN
                        u = unit(mix(s))
                        if x == t:
                            accept = u < p_accept
                        elif u < low:
                            accept = True
                        elif u < high:
                            # in [low, high) only candidates whose α is max(1, 1/q) are accepted.
                            # (Searching t's row even when x's is shorter measured faster: rows of
                            # hubs, which walks keep returning to, stay in cache.)
                            accept = _has_edge(indptr, indices, t, x) == (inv_q < 1.0)
                        else:
                            accept = False
                    state[w] = s
                    if accept:
                        if fold_return and weighted:
                            came_by[w] = weights[row[w] + slot]
                        previous[w] = current[w]
                        current[w] = x
                        out[first + w, step] = x
                    else:
                        pending[kept] = w
                        kept += 1
                n_pending = kept
    return out


@njit(parallel=True, nogil=True, cache=True)
def walk_chunk_first_order(indptr, indices, prob, alias, weighted, start_nodes, walk_numbers, seed, walk_length, out):
    """First-order walks (uniform or alias), same output contract as `walk_chunk`.

    Each step runs in two passes over the thread's group of walks: first every walk's row bounds,
    then every walk's chosen neighbour.  The loads inside a pass do not depend on each other, so
    the CPU keeps many cache misses in flight; this roughly doubles throughput on graphs larger
    than the cache.
    """
    n_walks = len(start_nodes)
    n_groups = (n_walks + GROUP - 1) // GROUP
    for group in prange(n_groups):
        first = group * GROUP
        size = min(GROUP, n_walks - first)
        current = np.empty(GROUP, dtype=np.int64)
        row = np.empty(GROUP, dtype=np.int64)
        degree = np.empty(GROUP, dtype=np.int64)
        state = np.empty(GROUP, dtype=np.uint64)
        _start_group(start_nodes, walk_numbers, seed, first, size, current, state, out)
        for step in range(1, walk_length):
            _load_rows(indptr, current, size, row, degree)
            for w in range(size):
                if degree[w] == 0:
                    current[w] = -1
                    out[first + w, step] = -1
                    continue
                s = state[w] + GOLDEN
                r = mix(s)
                slot = below(r, degree[w])
                if weighted and low_unit(r) >= prob[row[w] + slot]:
                    slot = alias[row[w] + slot]
                state[w] = s
                x = indices[row[w] + slot]
                current[w] = x
                out[first + w, step] = x
    return out


# --- driving the kernel ---------------------------------------------------------------------

@dataclass
class WalkPlan:
    nodes: int
    csr_entries: int
    weighted: bool
    params: WalkParams
    chunk_walks: int
    graph_nodes: int = -1  # nodes in the graph; `nodes` counts start nodes only

    @property
    def total_walks(self) -> int:
        return self.nodes * self.params.walks_per_node

    @property
    def total_steps(self) -> int:
        return self.total_walks * self.params.walk_length

    def memory(self) -> dict[str, int]:
        """Bytes needed in RAM, by part (the output file is on disk and paged in by chunk)."""
        graph_nodes = self.graph_nodes if self.graph_nodes >= 0 else self.nodes
        parts = {
            "csr": (graph_nodes + 1) * 8 + self.csr_entries * (4 + 4),
            "alias_tables": self.csr_entries * (4 + 4) if self.weighted else 0,
            "walk_buffer": self.chunk_walks * self.params.walk_length * 4,
            "start_order": self.nodes * 8 * 2,
        }
        parts["total"] = sum(parts.values())
        return parts


def plan(indptr: np.ndarray, weighted: bool, params: WalkParams, chunk_walks: int | None = None,
         start_nodes: np.ndarray | None = None) -> WalkPlan:
    nodes = len(indptr) - 1 if start_nodes is None else len(start_nodes)
    if chunk_walks is None:
        # about 64 MB of int32 rows per chunk: large enough to keep both cores busy, small enough
        # that the buffer never dominates memory
        chunk_walks = max(GROUP * 64, (64 << 20) // (4 * params.walk_length))
    chunk_walks = max(1, min(chunk_walks, nodes * params.walks_per_node))
    return WalkPlan(nodes, int(indptr[-1]), weighted, params, chunk_walks, len(indptr) - 1)


def check_memory(walk_plan: WalkPlan, force: bool = False, extra_bytes: int = 0) -> dict:
    import psutil

    needed = walk_plan.memory()["total"] + extra_bytes
    available = psutil.virtual_memory().available
    if needed > available and not force:
        raise GraphvecError(f"the walk needs about {needed / 2**30:.1f} GiB but {available / 2**30:.1f} GiB is free; "
                            "lower --walks-per-node or --walk-length, or pass --force")
    return {"needed_bytes": needed, "available_bytes": available}


def start_order(nodes: int, round_number: int, seed: int) -> np.ndarray:
    """The seeded order in which round `round_number` starts its walks (a permutation of nodes)."""
    return np.random.default_rng([seed, round_number]).permutation(nodes).astype(np.int32)


def weighted_degrees(indptr: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Each row's sum of weights (float64 running sums, so long rows lose no precision)."""
    cumulative = np.concatenate(([0.0], np.cumsum(weights, dtype=np.float64)))
    return cumulative[indptr[1:]] - cumulative[indptr[:-1]]


def iter_walks(indptr: np.ndarray, indices: np.ndarray, weights: np.ndarray | None, params: WalkParams, *,
               weighted: bool, directed: bool = True, chunk_walks: int | None = None,
               workers: int | None = None, start_nodes: np.ndarray | None = None) -> Iterator[np.ndarray]:
    """Yield int32 arrays of shape (walks_in_chunk, walk_length), in the order of the full walk file.

    Row r·N + k of the concatenation is the walk of round r from the k-th node of that round's
    start order, whatever `chunk_walks` and `workers` are.  `start_nodes` walks from those nodes
    only (N of them) instead of every node (fold-in walks from the nodes it adds).  `directed=False` promises that the CSR
    is symmetric (every edge stored both ways, equal weights), which enables return folding.
    """
    params.validate()
    walk_plan = plan(indptr, weighted, params, chunk_walks, start_nodes)
    if workers:
        numba.set_num_threads(max(1, min(workers, numba.config.NUMBA_NUM_THREADS)))
    indptr = np.ascontiguousarray(indptr, dtype=np.int64)
    indices = np.ascontiguousarray(indices, dtype=np.int32)
    if weighted:
        weights = np.ascontiguousarray(weights, dtype=np.float32)
        prob, alias = build_alias_tables(indptr, weights)
        row_sums = np.maximum(weighted_degrees(indptr, weights), 1e-300)
    else:
        weights = np.ones(1, dtype=np.float32)
        prob, alias = np.ones(1, dtype=np.float32), np.zeros(1, dtype=np.int32)
        row_sums = np.maximum(np.diff(indptr), 1).astype(np.float64)
    inv_p, inv_q = 1.0 / params.return_factor, 1.0 / params.in_out_factor
    fold_return = (not directed) and inv_p > max(1.0, inv_q)
    n = walk_plan.nodes
    total = walk_plan.total_walks
    buffer = np.empty((walk_plan.chunk_walks, params.walk_length), dtype=np.int32)
    position = 0
    order_round, order = -1, None
    while position < total:
        count = min(walk_plan.chunk_walks, total - position)
        rows = np.arange(position, position + count, dtype=np.int64)
        rounds = rows // n
        starts = np.empty(count, dtype=np.int32)
        for r in np.unique(rounds):
            if r != order_round:
                order_round, order = int(r), start_order(n, int(r), params.seed)
                if start_nodes is not None:
                    order = np.asarray(start_nodes, dtype=np.int32)[order]
            mask = rounds == r
            starts[mask] = order[rows[mask] - r * n]
        out = buffer[:count]
        if params.second_order:
            walk_chunk(indptr, indices, weights, row_sums, prob, alias, weighted, starts, rounds.astype(np.int32),
                       np.uint64(params.seed), params.walk_length, inv_p, inv_q, fold_return, out)
        else:
            walk_chunk_first_order(indptr, indices, prob, alias, weighted, starts, rounds.astype(np.int32),
                                   np.uint64(params.seed), params.walk_length, out)
        yield out
        position += count


FOLD_IN_MAX_WALKS = 160  # walks per new node at most (fold_in_walks)


def fold_in_walks(indptr, indices, weights, new_nodes, walk_params, window: int, *, weighted: bool, directed: bool,
                   workers) -> np.ndarray:
    """Walks that give each new node about as many occurrences as a full training would.

    A full run visits node v about walks_per_node · walk_length · deg(v) / mean degree times
    (the walks' stationary distribution), and each visit trains the pairs within a window of v.
    On an undirected graph each fold-in walk is two walks of window + 1 steps from v joined back
    to back (a reversed walk of an undirected graph is a walk too), so v sits in the middle with
    a full window on both sides; revisits of v inside the walk count towards its quota, and
    each node gets walks until the quota is met (at least walks_per_node, at most
    FOLD_IN_MAX_WALKS: the quota of a hub can reach walks_per_node · walk_length walks, 800 by
    default, where 160 gave the same fold-in quality on robotics for half the walks).  A
    directed graph cannot be walked backwards: it gets
    walks_per_node forward walks of walk_length from each new node."""
    if directed:
        return np.concatenate([chunk.copy() for chunk in iter_walks(indptr, indices, weights, walk_params, weighted=weighted,
                                                                     directed=True, workers=workers, start_nodes=new_nodes)])
    degree = np.diff(indptr).astype(np.float64)
    quota = walk_params.walks_per_node * walk_params.walk_length * degree[new_nodes] / max(degree[degree > 0].mean(), 1e-12)
    most = min(walk_params.walks_per_node * walk_params.walk_length, max(FOLD_IN_MAX_WALKS, walk_params.walks_per_node))
    batch = walk_params.walks_per_node
    kept, visits = [], np.zeros(len(new_nodes))
    walks_done = np.zeros(len(new_nodes), dtype=np.int64)
    for number in range(0, most, batch):
        half = replace(walk_params, walk_length=window + 1, walks_per_node=2 * batch, seed=(walk_params.seed + 7919 * number) % 2**63)
        pieces = np.concatenate([chunk.copy() for chunk in iter_walks(indptr, indices, weights, half, weighted=weighted,
                                                                       directed=False, workers=workers, start_nodes=new_nodes)])
        by_round = pieces.reshape(2 * batch, len(new_nodes), window + 1)
        # each round starts its nodes in a seeded order: put every round back in new_nodes' order
        by_round = np.take_along_axis(by_round, np.argsort(np.searchsorted(new_nodes, by_round[:, :, 0]), axis=1)[:, :, None], axis=1)
        joined = np.concatenate([by_round[0::2, :, :0:-1], by_round[1::2]], axis=2)  # round 2i reversed + round 2i+1
        wanted = (visits < quota) | (walks_done < walk_params.walks_per_node)
        if not wanted.any():
            break
        chosen = joined[:, wanted]
        kept.append(chosen.reshape(-1, 2 * window + 1))
        visits[wanted] += (chosen == new_nodes[wanted][None, :, None]).sum(axis=(0, 2))
        walks_done[wanted] += batch
    return np.concatenate(kept)


def write_walks(path: Path, chunks: Iterator[np.ndarray], total_walks: int, walk_length: int, metadata: dict,
                on_chunk=None) -> Path:
    """Stream chunks into a .npy file (readable later with `np.load(path, mmap_mode="r")`).

    Chunks are appended after the .npy header rather than through a writable memory map, so the
    process never holds more than one chunk: mapped file pages would otherwise count against its
    resident memory.  The file is written under a temporary name and renamed when complete.
    """
    path = Path(path)
    if path.suffix != ".npy":
        raise GraphvecError(f"{path}: the walk file must end in .npy")
    if not path.parent.exists():
        raise GraphvecError(f"{path}: folder {path.parent} does not exist")
    tmp = path.with_name(path.name + ".partial.npy")
    written = 0
    with tmp.open("wb") as handle:
        header = {"descr": np.lib.format.dtype_to_descr(np.dtype(np.int32)), "fortran_order": False,
                  "shape": (total_walks, walk_length)}
        np.lib.format.write_array_header_2_0(handle, header)
        for chunk in chunks:
            handle.write(np.ascontiguousarray(chunk, dtype=np.int32).data)
            written += len(chunk)
            if on_chunk:
                on_chunk(len(chunk))
    if written != total_walks:
        tmp.unlink()
        raise RuntimeError(f"expected {total_walks} walks, produced {written}")
    os.replace(tmp, path)
    path.with_name(path.name + ".json").write_text(json.dumps(metadata, indent=2))
    return path


def load_walks(path: Path) -> tuple[np.ndarray, dict]:
    """A walk file written by `write_walks` (memory-mapped) and how its walks were made."""
    path = Path(path)
    meta_path = path.with_name(path.name + ".json")
    if not path.exists() or not meta_path.exists():
        raise GraphvecError(f"{path}: no walk file (with its .json) here; run 'graphvec walk' first")
    return np.load(path, mmap_mode="r"), json.loads(meta_path.read_text())


def walk_metadata(params: WalkParams, projection_summary: dict, spec, workers: int | None) -> dict:
    return {"params": asdict(params), "projection": projection_summary, "spec": asdict(spec), "workers": workers,
            "format": "int32 rows of node ids (projection dense ids); -1 pads walks that hit a dead end"}
