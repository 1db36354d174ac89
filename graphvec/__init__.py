"""graphvec: graph embeddings on a graph database.

Data flows one way: source files or an existing graph → store → CSR projection → walks →
vectors → store → queries.  The Python API mirrors the CLI; each command calls one of these.
`Node2Vec` is the model (fit on a projection, as scikit-learn estimators are fit on data),
`Embedding` the vectors with their node names (as gensim's KeyedVectors).
"""

from .embedding import Embedding
from .errors import GraphvecError
from .ingest import ingest_documents, ingest_graph
from .node2vec import Node2Vec
from .pipeline import EmbedResult, embed, embed_documents, update
from .plot import plot_vectors
from .projection import PRESETS, Projection, ProjectionSpec, project
from .queries import analogy, label_neighbourhood, neighbours, predicted_links, recommend, recommend_documents, run_query
from .sources import read_documents, read_graph
from .store import open_store
from .writeback import write_back

__version__ = "0.1.0"

__all__ = ["GraphvecError", "open_store", "read_documents", "read_graph", "ingest_documents", "ingest_graph",
           "ProjectionSpec", "Projection", "PRESETS", "project", "Node2Vec", "Embedding", "EmbedResult", "embed",
           "embed_documents", "update", "write_back", "neighbours", "recommend", "recommend_documents", "predicted_links",
           "label_neighbourhood", "analogy", "run_query", "plot_vectors"]
