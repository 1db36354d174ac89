"""Graph stores: one interface, two databases.

`open_store()` picks the database from the location: a `neo4j://`, `bolt://` (or `+s`/`+ssc`)
URI opens Neo4j through the official driver; anything else is a path to an embedded LadybugDB
store.  Everything above this package talks to `Store` only.
"""

from __future__ import annotations

import os
import re

from ..errors import GraphvecError, mask_secrets
from .base import LabelVectors, Store, WriteStep

DEFAULT_STORE = "./graphvec.lbug"
_NEO4J_SCHEMES = ("neo4j://", "neo4j+s://", "neo4j+ssc://", "bolt://", "bolt+s://", "bolt+ssc://")


def resolve_location(location: str | None) -> str:
    """--store, else GRAPHVEC_STORE, else NEO4J_URI, else ./graphvec.lbug."""
    return location or os.environ.get("GRAPHVEC_STORE") or os.environ.get("NEO4J_URI") or DEFAULT_STORE


def open_store(location: str | None = None, *, read_only: bool = False) -> Store:
    location = resolve_location(location)
    scheme = re.match(r"^([A-Za-z][A-Za-z0-9+.-]*)://", location)
    if scheme and not location.startswith(_NEO4J_SCHEMES):
        raise GraphvecError(f"{mask_secrets(location)}: unsupported URI scheme {scheme.group(1)!r}; "
                            f"use {', '.join(s[:-3] for s in _NEO4J_SCHEMES)}, or a path for the embedded store")
    if location.startswith(_NEO4J_SCHEMES):
        from .neo4j import Neo4jStore

        return Neo4jStore.from_environment(location)
    from .embedded import EmbeddedStore

    return EmbeddedStore(location, read_only=read_only)


__all__ = ["LabelVectors", "Store", "WriteStep", "open_store", "resolve_location", "DEFAULT_STORE"]
