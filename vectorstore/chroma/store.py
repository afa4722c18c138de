"""``ChromaStore``: one Chroma collection with cosine distance, behind ``vectorstore.Store``.

Every method maps Chroma's, SQLite's and the file system's failures to the store
errors (``errors``), translates filters into Chroma's syntax (``syntax``), and on
an embedded folder takes the single-writer lock for writes (``embedded``). Checking
and rebuilding the vector index are ``reindex``'s steps, run here under the lock.
"""

from __future__ import annotations

import sqlite3
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from vectorstore.base import (
    Embed,
    Health,
    Hit,
    Metadata,
    Progress,
    Record,
    StoreUnavailable,
    VectorStoreError,
)
from vectorstore.chroma import dense
from vectorstore.chroma.client import open_client
from vectorstore.chroma.errors import guard, store_failure
from vectorstore.chroma.keywords import ChromaKeywords, default_folder, keywords_for
from vectorstore.chroma.reindex import fill, fresh_collection, index_health, put_back, stopped_swap, swap
from vectorstore.chroma.sqlite import DB_FILE, batches, sqlite_rows
from vectorstore.chroma.syntax import record, to_stored, translate
from vectorstore.embedded import Folder, folder
from vectorstore.filters import Filter

__all__ = ["PAGE", "ChromaStore"]

PAGE = 2000  # rows per page when reading the whole collection


class ChromaStore:
    """One Chroma collection with cosine distance; implements ``vectorstore.Store``.

    ``where`` arguments take a ``vectorstore.filters`` filter; anything else is a ``TypeError``.
    """

    def __init__(
        self,
        *,
        path: Path | None = None,
        url: str | None = None,
        collection: str = "newsdesk",
        page_size: int | None = None,
        write_wait: float = 0,
        keyword_keys: Sequence[str] = ("title",),
        keyword_path: Path | None = None,
    ):
        """``write_wait``: seconds a single ``upsert``/``delete`` outside ``writing()`` waits for the lock.

        ``keyword_keys``: metadata keys whose text BM25 reads with each record's own (a title);
        ``keyword_path``: the keyword index's folder (default: ``keywords.default_folder``).
        """
        self._location = url or str(path)
        self._keyword_keys = tuple(keyword_keys)
        self._keyword_path = keyword_path or default_folder(path=path, url=url, collection=collection)
        self._keywords_open: ChromaKeywords | None = None
        self._page = page_size or PAGE
        self._name = collection
        self._write_wait = write_wait
        self._folder: Folder | None = None
        self._server: Any = None
        if url:
            self._server = open_client(url=url)
        elif path is None:
            raise StoreUnavailable("no store folder and no Chroma URL given")
        else:
            with guard(
                self._location, "opening it", writing_to=path
            ):  # the write lock's sidecar is written on creation
                self._folder = folder(path, lambda p: open_client(path=p), write_wait)
        self._epoch = -1
        self._col: Any = None
        self._counted: tuple[int, int] | None = None  # (SQLite data_version, count) of the last count
        self._version_db: sqlite3.Connection | None = None
        self._version_mutex = threading.Lock()
        try:
            self._collection()
        except VectorStoreError:
            raise
        except Exception:  # not there yet (or a rebuild stopped mid-swap): creating it is a write
            if self._finish_swap(write_wait):
                return
            try:
                with self.writing(wait=write_wait):
                    self._col = self.client.get_or_create_collection(
                        name=collection, metadata={"hnsw:space": "cosine"}, embedding_function=None
                    )
            except VectorStoreError:
                raise
            except Exception as exc:
                mapped = store_failure(exc, self.location, "creating its collection", writing_to=path)
                if mapped is not None:
                    raise mapped from exc
                raise StoreUnavailable(
                    f"cannot open collection {collection!r} at {self.location}: {exc}"
                ) from exc

    @property
    def location(self) -> str:
        return self._location

    @property
    def client(self) -> Any:
        """The underlying chromadb client, for tools that bring their own Chroma wrapper."""
        return self._server if self._folder is None else self._folder.client

    def writing(self, *, wait: float = 0) -> AbstractContextManager[None]:
        """Holds the embedded folder's single-writer lock around a run of writes.

        Another process (or thread) holding it raises ``StoreBusy`` after ``wait``
        seconds. ``upsert`` and ``delete`` take it themselves when it is not held,
        so no write goes unlocked. On a Chroma server this is a no-op: the server
        orders writes from many processes, which is how several writers work.
        """
        return nullcontext() if self._folder is None else self._locked(self._folder, wait)

    @contextmanager
    def _locked(self, f: Folder, wait: float) -> Iterator[None]:
        """``f.writing(wait)``, with a full disk or damaged files met by the lock itself mapped too.

        Only the lock's own work is mapped here (its sidecar is written on entry and exit); the
        body's store calls map their own errors, and anything else the caller does passes as is.
        """
        session = f.writing(wait)
        with guard(self.location, "taking the write lock", writing_to=f.path):
            session.__enter__()
        try:
            yield
        except BaseException:
            failure = sys.exc_info()
            with guard(self.location, "releasing the write lock", writing_to=f.path):
                suppressed = session.__exit__(*failure)
            if not suppressed:
                raise
        else:
            with guard(self.location, "releasing the write lock", writing_to=f.path):
                session.__exit__(None, None, None)

    @property
    def _folder_path(self) -> Path | None:
        return None if self._folder is None else self._folder.path

    def _collection(self) -> Any:
        """The collection, through a client that has seen every other process's writes."""
        f = self._folder
        if f is not None:
            if not f.lock.held:
                f.fresh()
            if self._epoch != f.epoch:
                self._col = f.client.get_collection(name=self._name, embedding_function=None)
                self._epoch = f.epoch
        elif self._col is None:
            self._col = self._server.get_collection(name=self._name, embedding_function=None)
        return self._col

    @property
    def _keywords(self) -> ChromaKeywords:
        """The keyword index, opened on first use (a store opened only to count never creates it)."""
        if self._keywords_open is None:
            with guard(self.location, "opening its keyword index", writing_to=self._keyword_path):
                self._keywords_open = keywords_for(
                    self._keyword_path, self._keyword_keys, location=self.location
                )
        return self._keywords_open

    def _write(self) -> AbstractContextManager[None]:
        return self.writing(wait=self._write_wait)

    def count(self) -> int:
        """Records in the collection. Chroma counts by scanning (70 ms at a million records, and
        every question counts twice), so an embedded store remembers its count until SQLite says
        another connection (any writer, in this process or another) has committed since."""
        version = self._data_version()
        if version is not None and self._counted is not None and self._counted[0] == version:
            return self._counted[1]
        with guard(self.location, "counting its records"):
            n = int(self._collection().count())
        self._counted = None if version is None else (version, n)
        return n

    def _data_version(self) -> int | None:
        """SQLite's ``data_version`` of the embedded store's database, seen from a read-only
        connection of our own: it changes whenever any other connection commits. ``None`` for a
        server, while this process writes, or when it cannot be read."""
        f = self._folder
        if f is None or f.lock.held:
            return None
        with self._version_mutex:
            try:
                if self._version_db is None:
                    self._version_db = sqlite3.connect(
                        f"file:{f.path / DB_FILE}?mode=ro", uri=True, check_same_thread=False
                    )
                return int(self._version_db.execute("PRAGMA data_version").fetchone()[0])
            except sqlite3.Error:
                return None

    def upsert(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        metadatas: Sequence[Metadata],
        embeddings: Sequence[Sequence[float]],
    ) -> None:
        """Adds records or replaces them whole: keys missing from the new metadata are removed."""
        if not ids:
            return
        if not (len(ids) == len(texts) == len(metadatas) == len(embeddings)):
            raise ValueError("ids, texts, metadatas and embeddings differ in length")
        if len(set(ids)) != len(ids):
            raise ValueError("ids repeat within one upsert")
        stored = [to_stored(m) for m in metadatas]
        keywords = self._keywords
        docs = keywords.docs(ids, texts, stored)
        with self._write(), keywords.writing(), guard(self.location, "writing", writing_to=self._folder_path):
            col = self._collection()
            step = self._max_batch()
            for i in range(0, len(ids), step):
                batch_ids = list(ids[i : i + step])
                metas = stored[i : i + step]
                # Chroma merges metadata on upsert; clearing the old keys makes it a replacement.
                old = col.get(ids=batch_ids, include=["metadatas"])
                previous = {id_: (m or {}) for id_, m in zip(old["ids"], old["metadatas"], strict=True)}
                for id_, meta in zip(batch_ids, metas, strict=True):
                    for key in previous.get(id_, {}):
                        meta.setdefault(key, None)
                col.upsert(
                    ids=batch_ids,
                    documents=list(texts[i : i + step]),
                    metadatas=[m or None for m in metas],
                    embeddings=[list(map(float, e)) for e in embeddings[i : i + step]],
                )
            keywords.index.write(docs)

    def delete(self, *, ids: Sequence[str] | None = None, where: Filter | None = None) -> int:
        """Deletes by ids or by a filter; returns how many rows went."""
        if ids is not None:
            ids = list(ids)
            if not ids:
                return 0
            chroma_where = None
        elif where:
            can_match, chroma_where = translate(where)
            if not can_match:
                return 0
        else:
            raise ValueError("delete needs ids or a filter")
        keywords = self._keywords
        with (
            self._write(),
            keywords.writing(),
            guard(self.location, "deleting", writing_to=self._folder_path),
        ):
            col = self._collection()
            found = col.get(ids=ids, where=chroma_where, include=[])["ids"]
            if found:
                col.delete(ids=list(found))
                keywords.index.write((), delete=list(found))
        return len(found)

    def keyword(self, query: str, k: int, where: Filter | None = None) -> list[Hit]:
        """The ``k`` records that best match ``query`` by BM25 (text and ``keyword_keys``), best first."""
        translate(where)  # refuses anything but a neutral filter
        with guard(self.location, "searching its keyword index"):
            return self._keywords.search(self, query, k, where)

    def query(self, embedding: Sequence[float], k: int, where: Filter | None = None) -> list[Hit]:
        """The ``k`` records nearest ``embedding`` that match ``where``, nearest first (``dense``)."""
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        can_match, chroma_where = translate(where)
        n = self.count()
        if n == 0 or not can_match:
            return []
        with guard(self.location, "searching"):
            if where is None:
                return dense.nearest(self._collection(), embedding, min(k, n))
            return dense.filtered(self, self._keywords, embedding, k, (where, chroma_where), n)

    def _hits(self, ranked: Sequence[tuple[str, float]]) -> list[Hit]:
        """The records of ``ranked`` ``(id, score)`` read back whole, in its order, as hits; an id
        the store no longer holds is left out."""
        records = {r.id: r for r in self.get(ids=[i for i, _ in ranked])} if ranked else {}
        return [
            Hit(id=i, text=records[i].text, metadata=records[i].metadata, score=score)
            for i, score in ranked
            if i in records
        ]

    def get(
        self,
        *,
        ids: Sequence[str] | None = None,
        where: Filter | None = None,
        texts: bool = True,
        limit: int | None = None,
    ) -> list[Record]:
        can_match, chroma_where = translate(where)
        if not can_match or (ids is not None and not ids):
            return []
        include = ["metadatas", "documents"] if texts else ["metadatas"]
        with guard(self.location, "reading"):
            res = self._collection().get(
                ids=list(ids) if ids is not None else None, where=chroma_where, include=include, limit=limit
            )
        docs = res.get("documents") if texts else None
        return [
            record(id_, docs[i] if docs else None, res["metadatas"][i]) for i, id_ in enumerate(res["ids"])
        ]

    def scan(self, *, texts: bool = True, where: Filter | None = None) -> Iterator[Record]:
        """Every record, page by page, so a large collection never sits in one response."""
        can_match, chroma_where = translate(where)
        if not can_match:
            return
        offset = 0
        include = ["metadatas", "documents"] if texts else ["metadatas"]
        while True:
            with guard(self.location, "reading"):
                res = self._collection().get(
                    where=chroma_where, include=include, limit=self._page, offset=offset
                )
            ids = res["ids"]
            if not ids:
                return
            docs = res.get("documents") if texts else None
            for i, id_ in enumerate(ids):
                yield record(id_, docs[i] if docs else None, res["metadatas"][i])
            if len(ids) < self._page:
                return
            offset += len(ids)

    def _all_ids(self) -> set[str]:
        """Every stored id, page by page, nothing else read (the keyword index's catch-up)."""
        out: set[str] = set()
        while True:
            with guard(self.location, "reading"):
                ids = self._collection().get(include=[], limit=self._page, offset=len(out))["ids"]
            out.update(ids)
            if len(ids) < self._page:
                return out

    def check(self, *, sample: int = 20) -> Health:
        """Compares the rows in Chroma's SQLite with the vectors its index can hand back for them.

        Every stored id's vector is read back in pages; a page that fails is retried id by id,
        so ``missing`` names the rows the index lost (``reindex.index_health``). (A query for all
        rows is no test: HNSW is approximate and returns a few rows short even on a healthy
        index.) Reads only.
        """
        with guard(self.location, "reading"):
            col = self._collection()
        return index_health(col, [r.id for r in self.scan(texts=False)], self._page, sample)

    def rebuild(
        self,
        embed: Embed,
        *,
        progress: Progress | None = None,
        wait: float = 0,
    ) -> int:
        """Builds the vector index again from the rows Chroma's SQLite holds; returns the rows written.

        Every record (id, text, metadata as stored) is read, given new vectors by ``embed``
        and written to a new collection, which then takes the old one's name. The old
        collection stays whole until the new one is complete; a process killed during the
        swap leaves it under ``<name>.old``, and the next open puts it back. Holds the
        write lock throughout, so no ingest runs meanwhile.
        """
        with self.writing(wait=wait), guard(self.location, "rebuilding", writing_to=self._folder_path):
            client = self.client
            col = self._collection()
            fresh = fresh_collection(client, self._name)
            step = max(1, min(self._page, self._max_batch()))
            if self._folder is not None:  # the index may be unreadable: SQLite holds every row
                total, pages = sqlite_rows(self._folder.path / DB_FILE, self._name, step)
            else:
                total, pages = int(col.count()), batches(self.scan(), step)
            written = fill(fresh, pages, total, embed, progress)
            swap(client, col, fresh, self._name)
            self._col = client.get_collection(name=self._name, embedding_function=None)
        return written

    def _finish_swap(self, wait: float) -> bool:
        """Puts back a collection a rebuild had moved aside when it was stopped; False if none was."""
        if not stopped_swap(self.client, self._name):
            return False
        with self.writing(wait=wait):
            put_back(self.client, self._name)
        self._epoch = -1
        self._collection()
        return True

    def _max_batch(self) -> int:
        try:
            return max(1, min(5000, int(self.client.get_max_batch_size())))
        except Exception:
            return 1000
