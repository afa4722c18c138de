"""Vector storage for newsdesk: ids, texts, metadata and vectors in Chroma.

This package knows nothing of articles or questions; ``rag`` builds on it.
It is the only place in the project that talks to chromadb. Callers get a
store from ``open_store``, type against ``Store`` and filter with
``vectorstore.filters`` (``Eq``, ``In``, ``Range``, ``And``), never with
Chroma's own syntax. Keyword search (BM25) is the store's too: ``Store.keyword``
over a tantivy index kept beside the data (``vectorstore.keywords``).
"""

from vectorstore.base import (
    Embed,
    Health,
    Hit,
    Metadata,
    Progress,
    Record,
    Store,
    StoreBusy,
    StoreDamaged,
    StoreFull,
    StoreUnavailable,
    VectorStoreError,
)
from vectorstore.chroma import ChromaStore, is_disk_full, open_client, store_failure
from vectorstore.factory import open_store
from vectorstore.filters import And, Eq, Filter, In, Range, all_of, any_of, between, eq, matches

__all__ = [
    "And",
    "ChromaStore",
    "Embed",
    "Eq",
    "Filter",
    "Health",
    "Hit",
    "In",
    "Metadata",
    "Progress",
    "Range",
    "Record",
    "Store",
    "StoreBusy",
    "StoreDamaged",
    "StoreFull",
    "StoreUnavailable",
    "VectorStoreError",
    "all_of",
    "any_of",
    "between",
    "eq",
    "is_disk_full",
    "matches",
    "open_client",
    "open_store",
    "store_failure",
]
