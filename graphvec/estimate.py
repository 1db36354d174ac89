"""Memory and time a job will need, worked out before it starts.

Memory is the sum of what each step holds, by formula from the graph's counts and the
parameters (the byte counts below are the arrays the code allocates), and the peak is the
largest step plus what lives through every step (the CSR arrays, node names, the process
itself).  The coefficients were checked against the peak resident memory of `graphvec embed` on
the benchmark graphs (tests/test_estimate.py; README, "Memory and time").

Time comes from the rates this machine measured in its own runs (`record_rates`, the last
RUNS_KEPT kept in the cache folder), each step's from the run whose amount of that work was
closest: a 3,000-node run's fixed costs say nothing about a 5M-document write, whose rate per row
is a fiftieth of it.  Past the largest run measured, a step's rate falls as its size grows
(SLOWER_WITH_SIZE), as measured from 100k to 5M documents.  Without a run, conservative defaults
are used and the estimate says so.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from . import writeback
from .embedding import utc_now
from .errors import GraphvecError

MIB = 1 << 20
RUNTIME_BYTES = 360 * MIB  # Python, numpy, the Numba kernels, LadybugDB and faiss loaded: peak of `embed` on a 34-node graph
NAME_BYTES = 64  # one node key as a Python str in the projection's names array
WALK_CHUNK_BYTES = 64 * MIB  # walks.plan: int32 rows per chunk
# n × d float32 matrices a label-derived document set occupies at once: its vectors and context
# vectors throughout the write, and either their copies while joined to the labels' or the
# normalised copy and the IVF lists of their SIMILAR search (the write hands the store views)
DOCUMENT_MATRICES = 4
RESULT_BYTES = 12  # one neighbour or recommendation held for every row until written: int64 index + float32 score
BATCHED_ROW_BYTES = 150  # a SIMILAR or PREDICTED row of the one REL_BATCH batch built at a time (1M documents: peak 5.4 GiB)
GENSIM_VOCAB_BYTES = 400  # gensim's per-word Python objects (key_to_index, index_to_key, counts, cum_table)
DEFAULT_RATES = {"walk_steps_per_s": 5e6, "train_tokens_per_s": 5e5, "write_rows_per_s": 3e4, "project_entries_per_s": 1e6}
# the work each rate is measured in, by step
AMOUNTS = {"project": "csr_entries", "walk": "steps", "train": "tokens", "write": "rows"}
RATE_OF = {"project": "project_entries_per_s", "walk": "walk_steps_per_s", "train": "train_tokens_per_s", "write": "write_rows_per_s"}
RUNS_KEPT = 20
# rate ∝ size^-0.3 beyond the largest run measured (bench_scale, 2 cores): training tokens per
# second fell from 0.91M at 100k labels to 0.62M at 500k (the matrices outgrow the caches),
# written rows per second from 64k at 1M documents to 34k at 5M (IVF lists crowd, LadybugDB
# copies into ever larger tables)
SLOWER_WITH_SIZE = 0.3


@dataclass(frozen=True)
class Workload:
    nodes: int
    csr_entries: int
    dimensions: int = 128
    walks_per_node: int = 10
    walk_length: int = 80
    epochs: int = 1
    top_k: int = 10
    weighted: bool = False
    trainer: str = "numba"
    stored_walks: bool = False  # walks kept in a file (--keep-walks, gensim, `graphvec walk`) and paged in while training
    documents: int = 0  # documents given vectors from their labels after training (not in the projection)
    has_label: int = 0  # HAS_LABEL relationships read to derive them and to score PREDICTED
    predict_k: int = 0  # PREDICTED per document (0: none)
    scored_documents: int = 0  # documents PREDICTED is written for
    database_cache: int = 0  # bytes the store's page cache may grow to while it writes (the embedded store's cap)

    @property
    def steps(self) -> int:
        return self.nodes * self.walks_per_node * self.walk_length

    @property
    def rows(self) -> int:
        """Rows the write puts in the store: every vector, its SIMILAR and PREDICTED relationships."""
        written = self.nodes + self.documents
        return written + written * self.top_k + self.scored_documents * self.predict_k

    @property
    def amounts(self) -> dict:
        return {"csr_entries": self.csr_entries, "steps": self.steps, "tokens": self.steps * self.epochs, "rows": self.rows}


def workload_from_walks(walk_meta: dict, model) -> Workload:
    """What training `model` on a stored walk file will hold (`graphvec train`), from the file's metadata."""
    return Workload(walk_meta["projection"]["nodes"], walk_meta["projection"].get("csr_entries", 0), model.dimensions,
                    walk_meta["params"]["walks_per_node"], walk_meta["params"]["walk_length"], model.epochs, 0,
                    bool(walk_meta.get("weighted")), model.trainer, stored_walks=True)


def memory(w: Workload) -> dict:
    """Bytes by part, each step's total, and the peak (the largest step)."""
    n, e, d = w.nodes, w.csr_entries, w.dimensions
    matrix = n * d * 4  # one n × d float32 matrix
    buffer = min(WALK_CHUNK_BYTES, w.steps * 4)
    parts = {
        "runtime": RUNTIME_BYTES,
        "projection": (n + 1) * 8 + e * 8 + n * NAME_BYTES,  # CSR (int64 indptr, int32 indices, float32 weights) and keys
        "projection_reading": e * 48 + n * 96,  # Arrow id columns, id lookups and the mirrored COO before the CSR exists
        "alias_tables": e * 16 if w.weighted else 0,  # prob + alias, and the float64 running sums of the weights
        # one chunk of walks while the counting pass holds it, its validity mask (a quarter) and one
        # int32 copy at a time (its valid tokens, then its rows with a pair): 2.25 chunks, taken as 3
        "walk_buffer": buffer * 3 + (w.steps * 4 if w.stored_walks else 0),
        # input and output matrices, then the returned copies; gensim adds its vocabulary
        "training": 4 * matrix + n * 40 + (n * GENSIM_VOCAB_BYTES if w.trainer == "gensim" else 0),
        "knn": 2 * matrix + n * (w.top_k + 1) * 24 if w.top_k else 0,  # the normalised copy, IVF lists, results
        # a node table rebuilt from a merge (two reordered matrices); SIMILAR rows as Arrow columns and the
        # database's buffers while it copies them in, one REL_BATCH batch at a time (about 560 bytes a row)
        "write_back": 2 * matrix + min(writeback.REL_BATCH, n * w.top_k) * 560,
        # label-derived documents (DOCUMENT_MATRICES), their SIMILAR lists and one batch of their rows
        "documents": w.documents * (w.dimensions * 4 * DOCUMENT_MATRICES + w.top_k * RESULT_BYTES + NAME_BYTES)
        + min(writeback.REL_BATCH, w.documents * w.top_k) * BATCHED_ROW_BYTES,
        # the documents × labels incidence (three sparse copies), the recommendations and one batch of rows
        "predicted": (w.has_label * 36 + w.scored_documents * w.predict_k * RESULT_BYTES
                      + min(writeback.REL_BATCH, w.scored_documents * w.predict_k) * BATCHED_ROW_BYTES) if w.predict_k else 0,
        # the store's page cache fills with what a write moves through it (the vectors being copied,
        # one batch of relationships) up to its cap
        "database_cache": min(w.database_cache,
                              2 * (n + w.documents) * d * 8 + min(writeback.REL_BATCH, (n + w.documents) * w.top_k) * 200),
    }
    resident = parts["runtime"] + parts["projection"]
    steps = {
        "project": resident + parts["projection_reading"],
        "walk+train": resident + parts["alias_tables"] + parts["walk_buffer"] + parts["training"],
        # documents' SIMILAR and PREDICTED are written one after the other
        "write": resident + 2 * matrix + parts["knn"] + parts["write_back"] + max(parts["documents"], parts["predicted"])
        + parts["database_cache"],
    }
    return {"parts": parts, "steps": steps, "peak": max(steps.values())}


def seconds(w: Workload, rates: dict) -> dict:
    """Seconds per step at the given rates (work per second)."""
    amounts = w.amounts
    out = {step: amounts[AMOUNTS[step]] / rates[RATE_OF[step]] for step in AMOUNTS}
    out["total"] = sum(out.values())
    return {k: round(v, 1) for k, v in out.items()}


def available_bytes() -> int:
    import psutil

    return int(psutil.virtual_memory().available)


def check(w: Workload, force: bool = False, what: str = "this job", step: str | None = None) -> dict:
    """Refuse to start when the estimated peak (of one `step` only, when given) exceeds the memory
    available now, unless forced."""
    estimated = memory(w)
    needed, available = (estimated["steps"][step] if step else estimated["peak"]), available_bytes()
    if needed > available and not force:
        raise GraphvecError(f"{what} needs about {needed / 2**30:.1f} GiB at its peak but {available / 2**30:.1f} GiB is free "
                            "(see 'graphvec estimate'); lower --dimensions, --walks-per-node or --top-k, or pass --force")
    return {"needed_bytes": needed, "available_bytes": available}


# -- measured rates ------------------------------------------------------------------------------

def rates_path() -> Path:
    root = os.environ.get("GRAPHVEC_CACHE")
    return (Path(root) if root else Path.home() / ".cache" / "graphvec") / "rates.json"


def _runs() -> list[dict]:
    try:
        runs = json.loads(rates_path().read_text())["runs"]
        return [run for run in runs if isinstance(run, dict) and {"amounts", "rates", "measured_at"} <= run.keys()]
    except (OSError, ValueError, KeyError, TypeError):
        return []  # none yet, or a file from an older version: the defaults until the next run


def rates_for(w: Workload) -> tuple[dict, dict]:
    """Each step's rate for this workload, and where it came from: the measured run with the
    amount of that step's work closest to this one's (by ratio), slowed by SLOWER_WITH_SIZE when
    this one is larger than every run measured."""
    runs, amounts = _runs(), w.amounts
    rates, sources = {}, {}
    for step, amount_name in AMOUNTS.items():
        name, amount = RATE_OF[step], max(amounts[amount_name], 1)
        measured = [run for run in runs if run["rates"].get(name) and run["amounts"].get(amount_name)]
        if not measured:
            rates[name], sources[step] = DEFAULT_RATES[name], (None, "")
            continue
        run = min(measured, key=lambda run: abs(math.log(amount / run["amounts"][amount_name])))
        ratio = amount / run["amounts"][amount_name]
        beyond = amount > max(other["amounts"][amount_name] for other in measured)  # then `run` is the largest
        rates[name] = float(run["rates"][name]) * (ratio ** -SLOWER_WITH_SIZE if beyond else 1.0)
        sources[step] = (run, f", slowed for {ratio:,.1f}x the size" if beyond else "")
    return rates, sources


def load_rates(w: Workload) -> tuple[dict, str]:
    """The rates for this workload and a one-line account of where they came from."""
    rates, sources = rates_for(w)
    runs = {id(run): run for run, _ in sources.values() if run is not None}
    if not runs:
        return rates, "defaults: no job has run on this machine yet"

    def said(run: dict | None, note: str = "") -> str:
        if run is None:
            return "default"
        return f"measured {run['measured_at']} ({run['amounts'].get('nodes', 0):,} nodes, {run['amounts']['rows']:,} rows written){note}"

    if len(runs) == 1 and all(run is not None for run, _ in sources.values()):
        return rates, said(next(iter(runs.values()))) + "".join(f"; {step}{note}" for step, (_, note) in sources.items() if note)
    return rates, "; ".join(f"{step}: {said(*source)}" for step, source in sources.items())


def record_rates(timings: dict, w: Workload, steps: int, tokens: int, projection_read: bool) -> None:
    """Keep the rates a run measured: its walk steps, trained tokens and written rows per second
    (rows as the workload counts them), and CSR entries per second when it read the projection
    from the store rather than the cache."""
    amounts = {**w.amounts, "steps": steps, "tokens": tokens, "nodes": w.nodes + w.documents}
    rates = {}
    for step, amount_name in AMOUNTS.items():
        if timings.get(step) and amounts[amount_name] and (step != "project" or projection_read):
            rates[RATE_OF[step]] = amounts[amount_name] / max(timings[step], 1e-9)
    if not rates:
        return
    path = rates_path()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        runs = [*_runs(), {"measured_at": utc_now(), "amounts": amounts, "rates": rates}][-RUNS_KEPT:]
        tmp.write_text(json.dumps({"runs": runs}))
        os.replace(tmp, path)
    except OSError:
        pass  # an unwritable cache folder costs only a worse estimate next time


def workload_dict(w: Workload) -> dict:
    return asdict(w)
