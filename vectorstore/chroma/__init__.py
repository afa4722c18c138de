"""Chroma, embedded in a persistent folder or reached as a server by URL: ``ChromaStore``.

Split by job: ``errors`` (what a failure amounts to), ``syntax`` (filters and
stored metadata in Chroma's terms), ``client`` (opening a chromadb client),
``sqlite`` (rows read straight from Chroma's database), ``reindex`` (checking and
rebuilding the vector index) and ``store`` (the store).
"""

from vectorstore.base import (
    Health,
    Hit,
    Record,
    StoreBusy,
    StoreDamaged,
    StoreFull,
    StoreUnavailable,
    VectorStoreError,
)
from vectorstore.chroma.client import open_client
from vectorstore.chroma.errors import LOW_SPACE, is_disk_full, store_failure
from vectorstore.chroma.sqlite import sqlite_rows
from vectorstore.chroma.store import ChromaStore
from vectorstore.chroma.syntax import Where, date_int, to_chroma_where

__all__ = [
    "LOW_SPACE",
    "ChromaStore",
    "Health",
    "Hit",
    "Record",
    "StoreBusy",
    "StoreDamaged",
    "StoreFull",
    "StoreUnavailable",
    "VectorStoreError",
    "Where",
    "date_int",
    "is_disk_full",
    "open_client",
    "sqlite_rows",
    "store_failure",
    "to_chroma_where",
]
