"""The store as rag uses it: opened from ``Settings``, its failures as ``StoreError`` lines.

``vectorstore`` raises its own typed errors; here, at the edge of rag, they become
rag's (``StoreBusyError`` for a busy store, ``StoreError`` for the rest), each one
line with what to do, so nothing above rag needs to know ``vectorstore``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import vectorstore
from rag.errors import NewsdeskError, StoreBusyError, StoreError
from rag.settings import Settings
from vectorstore import (
    Store,
    StoreBusy,
    StoreDamaged,
    StoreFull,
    VectorStoreError,
    is_disk_full,
    store_failure,
)

__all__ = ["open_store", "store_error", "store_errors"]


def store_error(exc: VectorStoreError) -> StoreError:
    """The one line a person reads, with what to do: wait, free space, or start a new store."""
    if isinstance(exc, StoreBusy):
        return StoreBusyError(str(exc), holder=exc.holder, since=exc.since)
    if isinstance(exc, StoreFull):
        return StoreError(f"cannot write to the store: {exc}: free space or use another --store")
    if isinstance(exc, StoreDamaged):
        return StoreError(
            f"{exc}: run `newsdesk repair` to rebuild its index from the stored texts; if that fails "
            "too, ingest the articles again into a new --store (or restore the folder from a backup)"
        )
    return StoreError(str(exc))


@contextmanager
def store_errors(where: str = "the store") -> Iterator[None]:
    """The store's own errors (busy, unreachable, full, damaged) as ``store_error`` makes them.

    A full disk or a Chroma/SQLite failure that reaches here unmapped is mapped too, so none
    becomes a traceback; anything else (an embedder's or the model's error) passes as is.
    """
    try:
        yield
    except VectorStoreError as exc:
        raise store_error(exc) from exc
    except NewsdeskError:
        raise
    except Exception as exc:
        from_store = type(exc).__module__.partition(".")[0] in {"chromadb", "sqlite3"}
        mapped = store_failure(exc, where, "working") if from_store or is_disk_full(exc) else None
        if mapped is None:
            raise
        raise store_error(mapped) from exc


def open_store(settings: Settings) -> Store:
    """The store ``settings`` name: the Chroma server at ``chroma_url``, else the folder ``store``."""
    try:
        return vectorstore.open_store(
            path=settings.store, url=settings.chroma_url, collection=settings.collection
        )
    except VectorStoreError as exc:
        raise store_error(exc) from exc
