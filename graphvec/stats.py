"""What the store holds, and what a user should be warned about."""

from __future__ import annotations

from .store import Store


def store_stats(store: Store, top: int = 10) -> dict:
    counts = store.counts()
    meta = store.meta()
    warnings = []
    if meta.get("write_state") == "incomplete":
        warnings.append("the last write did not finish: re-run the same command to complete it")
    top_labels = []
    if counts.get("Label"):
        top_labels = sorted(store.read("read_labels").to_pylist(), key=lambda r: (-r["df"], r["name"]))[:top]
    from .writeback import embedding_status

    embeddings = embedding_status(store)
    warnings.extend(embeddings.pop("warnings", []))
    counts.pop("GraphvecMeta", None)
    return {"store": store.location, "dialect": store.dialect, "counts": counts, "meta": meta,
            "fingerprint": store.fingerprint() if meta else None, "top_labels": top_labels,
            "embeddings": embeddings, "warnings": warnings}
