"""What a failure inside Chroma, SQLite or the file system amounts to: ``StoreFull``, ``StoreDamaged``.

Chroma's errors are assorted types from Python and its Rust core, often with the
cause only in the message, so they are classified by type name and by words.
"""

from __future__ import annotations

import errno
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from vectorstore.base import StoreDamaged, StoreFull, VectorStoreError

__all__ = ["DAMAGED_WORDS", "LOW_SPACE", "detail", "guard", "is_disk_full", "store_failure"]

_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT})
_FULL_WORDS = ("database or disk is full", "no space left on device", "disk quota exceeded", "file too large")
# What SQLite and Chroma's index say of files they cannot use.
DAMAGED_WORDS = (
    "file is not a database",
    "malformed",
    "disk i/o error",
    "hnsw",
    "error loading",
    "corrupt",
)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen and len(seen) < 20:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def is_disk_full(exc: BaseException) -> bool:
    """True when ``exc`` (or what caused it) says the device is full or the file size limit is reached."""
    for e in _chain(exc):
        if isinstance(e, StoreFull) or (isinstance(e, OSError) and e.errno in _FULL_ERRNOS):
            return True
        if any(word in str(e).lower() for word in _FULL_WORDS):
            return True
    return False


def _is_store_failure(exc: BaseException) -> bool:
    """Chroma's internal errors, SQLite's, and panics in Chroma's Rust core: the store itself failed.

    Not Chroma's argument errors (``InvalidArgumentError``, ``NotFoundError``): those are the caller's.
    """
    return isinstance(exc, sqlite3.DatabaseError) or type(exc).__name__ in {"InternalError", "PanicException"}


def detail(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:197] + "..."


# A write that fails for a reason Chroma does not give ("Error in compaction: ...") while its device
# has less free space than this is taken for a full device: Chroma's core drops SQLite's own reason.
LOW_SPACE = 64 * 1024 * 1024


def _free_bytes(folder: Path) -> int | None:
    for place in (folder, *folder.parents):
        if place.exists():
            try:
                return shutil.disk_usage(place).free
            except OSError:
                return None
    return None


def store_failure(
    exc: BaseException, location: str, doing: str, *, writing_to: Path | None = None
) -> VectorStoreError | None:
    """The store error ``exc`` amounts to (``StoreFull``, ``StoreDamaged``), or None if it is not the store's.

    ``writing_to``: the folder of an embedded store being written, whose free space is then checked.
    """
    if isinstance(exc, VectorStoreError):
        return exc
    if is_disk_full(exc):
        return StoreFull(f"no space left on the device holding the store at {location} ({detail(exc)})")
    if _is_store_failure(exc) or any(w in str(exc).lower() for w in DAMAGED_WORDS):
        free = _free_bytes(writing_to) if writing_to is not None else None
        if free is not None and free < LOW_SPACE:
            return StoreFull(
                f"no space left on the device holding the store at {location} "
                f"(only {free // 1024:,} KB free; {detail(exc)})"
            )
        return StoreDamaged(
            f"the store at {location} failed while {doing}: {detail(exc)}; its files may be damaged"
        )
    return None


@contextmanager
def guard(location: str, doing: str, *, writing_to: Path | None = None) -> Iterator[None]:
    """Chroma's, SQLite's and the file system's failures inside as ``StoreFull`` / ``StoreDamaged``."""
    try:
        yield
    except VectorStoreError:
        raise
    except Exception as exc:
        mapped = store_failure(exc, location, doing, writing_to=writing_to)
        if mapped is None:
            raise
        raise mapped from exc
