"""What a newsdesk store is: the records it holds, its errors, and the operations rag may call.

``Store`` is a ``typing.Protocol`` so rag depends on these operations, never on
Chroma: it declares every method rag, ui and eval call on a store, and
``vectorstore.open_store`` hands one out without naming a class. ``ChromaStore``
is the implementation, and ``tests/test_store_contract.py`` checks every
operation here on each kind of store (embedded and server).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol, TypeAlias, runtime_checkable

from vectorstore.filters import Filter

# Values a record's metadata may hold; a ``date`` reads back as its ISO string.
MetaValue: TypeAlias = str | int | float | bool | date
Metadata: TypeAlias = Mapping[str, MetaValue]


class VectorStoreError(Exception):
    """Base of the errors the store layer raises on purpose."""


class StoreUnavailable(VectorStoreError):
    """The store could not be opened or reached; the message says where and why."""


class StoreFull(StoreUnavailable):
    """No space is left on the device holding the store (or the process may write no more)."""


class StoreDamaged(StoreUnavailable):
    """The store's files could not be read or written: a damaged database or vector index, an I/O error."""


class StoreBusy(VectorStoreError):
    """Another writer holds the store; the message says who, since when, and what to do.

    ``holder`` ("PID 123", "PID 123 on host-b", or None when it did not say) and ``since``
    (local time, or None) are the same facts apart, for a caller that re-raises its own error.
    """

    def __init__(self, message: str, *, holder: str | None = None, since: str | None = None) -> None:
        super().__init__(message)
        self.holder = holder
        self.since = since


@dataclass(frozen=True)
class Hit:
    """A query result; ``score`` is cosine similarity (1 = same direction), or BM25 from ``keyword``."""

    id: str
    text: str
    metadata: dict[str, Any]
    score: float


@dataclass(frozen=True)
class Record:
    id: str
    text: str
    metadata: dict[str, Any]


@dataclass(frozen=True)
class Health:
    """Rows the store holds against rows its vector index finds; they differ after unsafe concurrent writes."""

    rows: int
    indexed: int
    missing: tuple[str, ...] = ()  # a sample of ids stored but not found through the index
    error: str | None = None  # what the index raised instead of answering, if it did

    @property
    def ok(self) -> bool:
        return self.error is None and self.rows == self.indexed and not self.missing


# ``rebuild``'s callback: new vectors for a page of records, one per record, in order.
Embed: TypeAlias = Callable[[Sequence[Record]], Sequence[Sequence[float]]]
# ``rebuild``'s progress: (records written, records in all).
Progress: TypeAlias = Callable[[int, int], None]


@runtime_checkable
class Store(Protocol):
    """The operations rag uses. Filters are ``vectorstore.filters`` values, never a store's own syntax."""

    @property
    def location(self) -> str:
        """Where the data lives (a folder or a URL), for messages."""
        ...

    def count(self) -> int:
        """How many records the store holds: rag asks it to tell an empty store and a changed one."""
        ...

    def upsert(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        metadatas: Sequence[Metadata],
        embeddings: Sequence[Sequence[float]],
    ) -> None:
        """Adds records or replaces them whole (text, vector and every metadata key) by id."""
        ...

    def delete(self, *, ids: Sequence[str] | None = None, where: Filter | None = None) -> int:
        """Deletes by ids or by filter; returns how many records went."""
        ...

    def query(self, embedding: Sequence[float], k: int, where: Filter | None = None) -> list[Hit]:
        """The ``k`` records closest to ``embedding`` by cosine, best first."""
        ...

    def keyword(self, query: str, k: int, where: Filter | None = None) -> list[Hit]:
        """The ``k`` records that best match ``query`` by BM25, best first (``score``: BM25, not cosine).

        The store keeps its keyword index in step with every ``upsert`` and ``delete`` and
        filters inside it; a store without one (or with one a crash left behind) builds it
        once, at the first call, so a warm-up calls this with any text.
        """
        ...

    def get(
        self,
        *,
        ids: Sequence[str] | None = None,
        where: Filter | None = None,
        texts: bool = True,
        limit: int | None = None,
    ) -> list[Record]:
        """The records with these ids or matching the filter (``texts=False`` skips the texts)."""
        ...

    def scan(self, *, texts: bool = True, where: Filter | None = None) -> Iterator[Record]:
        """Every matching record, page by page."""
        ...

    def writing(self, *, wait: float = 0) -> AbstractContextManager[None]:
        """Holds the store's single-writer lock for a run of writes (``StoreBusy`` if another holds it)."""
        ...

    def check(self, *, sample: int = 20) -> Health:
        """Rows stored against rows the vector index can hand back; ``newsdesk doctor`` reports it.

        Reads only. ``Health.missing`` names up to ``sample`` of the rows the index lost.
        """
        ...

    def rebuild(self, embed: Embed, *, progress: Progress | None = None, wait: float = 0) -> int:
        """Builds the vector index again from the stored rows (``newsdesk repair``); returns the rows written.

        Every record (id, text, metadata as stored) gets new vectors from ``embed``; the old
        index stays whole until the new one is complete. Holds the write lock throughout,
        waiting up to ``wait`` seconds for it (``StoreBusy`` after that).
        """
        ...
