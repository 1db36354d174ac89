"""graphvec: graph embeddings on a graph database.

Data flows one way: source files or an existing graph → store → CSR projection → walks →
vectors → store → queries.  The Python API mirrors the CLI; each command calls one of these.
"""

from .errors import GraphvecError
from .ingest import ingest_documents, ingest_graph
from .projection import PRESETS, Projection, ProjectionSpec, project
from .sources import read_documents, read_graph
from .store import open_store

__version__ = "0.1.0"

__all__ = ["GraphvecError", "open_store", "read_documents", "read_graph", "ingest_documents", "ingest_graph",
           "ProjectionSpec", "Projection", "PRESETS", "project"]
