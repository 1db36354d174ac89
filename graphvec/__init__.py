"""graphvec: graph embeddings on a graph database.

Data flows one way: source files or an existing graph → store → CSR projection → walks →
vectors → store → queries.  The Python API mirrors the CLI; each command calls one of these.
"""

from .errors import GraphvecError
from .ingest import ingest_documents, ingest_graph
from .projection import PRESETS, Projection, ProjectionSpec, project
from .pipeline import embed, embed_documents, update
from .plot import plot_vectors
from .queries import analogy, label_neighbourhood, neighbours, predicted_links, recommend, recommend_documents, run_query
from .sources import read_documents, read_graph
from .store import open_store
from .train import TrainParams, Vectors, train
from .walks import WalkParams, iter_walks
from .writeback import write_back

__version__ = "0.1.0"

__all__ = ["GraphvecError", "open_store", "read_documents", "read_graph", "ingest_documents", "ingest_graph",
           "ProjectionSpec", "Projection", "PRESETS", "project", "WalkParams", "iter_walks", "TrainParams", "Vectors",
           "train", "write_back", "embed", "embed_documents", "update", "neighbours", "recommend", "recommend_documents", "predicted_links",
           "label_neighbourhood", "analogy", "run_query", "plot_vectors"]
