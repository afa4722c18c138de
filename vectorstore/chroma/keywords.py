"""The keyword side of a ``ChromaStore``: its tantivy index kept in step with every write.

Where the index lives: beside an embedded store, in ``<store>/keyword-<collection>``;
for a Chroma server, in a local folder keyed by the server's URL and the
collection (``~/.cache/newsdesk/keyword/<hash>``, or ``keyword_path``), since
the server holds no BM25 index a local client can use (see docs/history.md, 2026-12-07).

Every ``upsert`` and ``delete`` writes the index too, under the store's write lock
and this folder's own lock, between two marks in ``state.json``: ``pending`` set
before the store is written and cleared once the index has committed. So a write
that died half way, an old store that never had an index or an index made with other
``keys`` is seen at the next search and rebuilt once, with a log line; one whose count
differs from the store's (another client of the same server wrote) is caught up by id.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from filelock import FileLock, Timeout

from vectorstore.base import Hit, StoreBusy
from vectorstore.chroma.syntax import to_stored
from vectorstore.filters import Filter, is_empty_match, matches
from vectorstore.keywords import Doc, KeywordIndex, query_terms

if TYPE_CHECKING:
    from vectorstore.chroma.store import ChromaStore

__all__ = ["ChromaKeywords", "default_folder", "keywords_for"]

log = logging.getLogger("newsdesk.keywords")
STATE = "state.json"
BUILD_PAGE = 5000
CATCH_UP_MAX = 20_000  # more records apart than this (and than half the store): rebuild instead


def default_folder(*, path: Path | None, url: str | None, collection: str) -> Path:
    """Beside the embedded store, or a cache folder named by the server's URL and collection."""
    if path is not None and not url:
        return path / f"keyword-{collection}"
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    key = hashlib.sha256(f"{url}\n{collection}".encode()).hexdigest()[:16]
    return cache / "newsdesk" / "keyword" / key


def body(text: str, meta: Mapping[str, Any], keys: Sequence[str]) -> str:
    """What BM25 reads of a record: the string values of ``keys`` (a title), then the text."""
    heads = [str(meta[k]) for k in keys if isinstance(meta.get(k), str) and meta[k]]
    return "\n".join([*heads, text])


_OPEN: dict[tuple[str, tuple[str, ...]], ChromaKeywords] = {}
_OPEN_MUTEX = threading.Lock()


def keywords_for(folder: Path, keys: Sequence[str], *, location: str) -> ChromaKeywords:
    """The process's one ``ChromaKeywords`` for ``folder`` (tantivy opens an index once per process)."""
    key = (str(folder), tuple(keys))
    with _OPEN_MUTEX:
        found = _OPEN.get(key)
        if found is None:
            found = _OPEN[key] = ChromaKeywords(folder, keys, location=location)
        return found


class ChromaKeywords:
    """One store's keyword index and the marks that say whether it is whole."""

    def __init__(self, folder: Path, keys: Sequence[str], *, location: str) -> None:
        self.folder = folder
        self.keys = tuple(keys)
        self.location = location
        self.index = KeywordIndex(folder)
        self._lock = FileLock(str(folder / ".write.lock"), thread_local=True)
        if self.index.created:
            self._save(pending=True)  # nothing in it yet: the first search fills it

    # -- state -------------------------------------------------------------------------------
    def _state(self) -> dict[str, Any]:
        try:
            data = json.loads((self.folder / STATE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"pending": True}
        return data if isinstance(data, dict) else {"pending": True}

    def _save(self, *, pending: bool) -> None:
        data = {"pending": pending, "keys": list(self.keys), "store": self.location}
        tmp = self.folder / f"{STATE}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(data), encoding="utf-8")
        os.replace(tmp, self.folder / STATE)

    def _stale(self, store_count: int) -> tuple[str, bool] | None:
        """``(why, whole)``: why the index cannot be trusted and whether only a rebuild mends it; None if it can."""
        state = self._state()
        if state.get("pending"):
            return ("no keyword index yet" if self.index.created else "a write did not finish"), True
        if tuple(state.get("keys") or ()) != self.keys:
            return f"it indexed metadata {state.get('keys')}, not {list(self.keys)}", True
        have = self.index.count()
        if have != store_count:
            return f"it holds {have:,} records, the store {store_count:,}", False
        return None

    # -- writing -----------------------------------------------------------------------------
    @contextmanager
    def writing(self) -> Iterator[None]:
        """Marks the index pending around a store write; the mark stays if the write fails."""
        with self._lock:
            self._save(pending=True)
            yield
            self._save(pending=False)

    def docs(self, ids: Sequence[str], texts: Sequence[str], metas: Sequence[Mapping[str, Any]]) -> list[Doc]:
        """Index documents for records about to be written (metadata as the store keeps it)."""
        out: list[Doc] = []
        for id_, text, meta in zip(ids, texts, metas, strict=True):
            kept = {k: v for k, v in meta.items() if v is not None}
            out.append((id_, body(text, kept, self.keys), kept))
        return out

    # -- reading -----------------------------------------------------------------------------
    def current(self, store: ChromaStore, count: int | None = None) -> None:
        """Rebuilds the index from the store when it cannot be trusted; a busy store is searched as is.

        ``count``: the store's record count when the caller has just read it."""
        reason = self._stale(store.count() if count is None else count)
        if reason is None:
            return
        try:
            with store.writing(wait=0), self._lock.acquire(timeout=0):
                reason = self._stale(store.count())  # the writer we waited for may have finished it
                if reason is not None:
                    why, whole = reason
                    if whole or not self._catch_up(store):
                        self._rebuild(store, why)
        except (StoreBusy, Timeout):
            return  # a writer is at work and will leave the index whole; search what is there

    def _catch_up(self, store: ChromaStore) -> bool:
        """Adds the records the index lacks and drops the ones the store lost, by id; False if most differ.

        What another client of the same server wrote: ids are compared (no text is read but the
        new records'), so one more article costs a page scan of ids, not a rebuild.
        """
        started = time.perf_counter()
        have, stored = self.index.ids(), store._all_ids()
        missing, extra = sorted(stored - have), sorted(have - stored)
        if len(missing) + len(extra) > max(CATCH_UP_MAX, len(stored) // 2):
            return False
        self._save(pending=True)
        docs: list[Doc] = []
        for i in range(0, len(missing), BUILD_PAGE):
            for rec in store.get(ids=missing[i : i + BUILD_PAGE]):
                kept = {k: v for k, v in to_stored(rec.metadata).items() if v is not None}
                docs.append((rec.id, body(rec.text, kept, self.keys), kept))
        self.index.write(docs, delete=extra)
        self._save(pending=False)
        log.info(
            "keyword index of %s caught up: %d added, %d removed in %.1f s",
            store.location,
            len(docs),
            len(extra),
            time.perf_counter() - started,
        )
        return True

    def _rebuild(self, store: ChromaStore, reason: str) -> None:
        started = time.perf_counter()
        total = store.count()
        say = log.warning if total else log.debug
        say(
            "building the keyword index of %s (%s records; %s) in %s",
            store.location,
            f"{total:,}",
            reason,
            self.folder,
        )
        self._save(pending=True)

        def docs() -> Iterator[Doc]:
            for rec in store.scan(texts=True):
                kept = {k: v for k, v in to_stored(rec.metadata).items() if v is not None}
                yield (rec.id, body(rec.text, kept, self.keys), kept)

        written = self.index.write(docs(), clear=True)
        self._save(pending=False)
        say("keyword index built: %s records in %.1f s", f"{written:,}", time.perf_counter() - started)

    def count_matching(self, store: ChromaStore, where: Filter, count: int) -> int | None:
        """How many records match ``where`` (``KeywordIndex.count_matching``); ``None`` when the
        index cannot say for certain (a writer is at work, or part of the filter runs outside
        it). ``count``: the store's record count, just read by the caller."""
        self.current(store, count)
        if self._stale(count) is not None:
            return None  # behind the store: its ids would miss what was just written
        return self.index.count_matching(where)

    def search(self, store: ChromaStore, query: str, k: int, where: Filter | None) -> list[Hit]:
        """The ``k`` best records for ``query`` by BM25 that match ``where``, read back from the store."""
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        self.current(store)
        terms = query_terms(query)
        if not terms or (where is not None and is_empty_match(where)):
            return []
        limit = k
        while True:
            found, exact = self.index.search(terms, limit, where)
            hits = [h for h in store._hits(found) if matches(where, h.metadata)]
            if exact or len(hits) >= k or len(found) < limit:
                return hits[:k]
            limit *= 4  # part of the filter ran outside the index: look further down the ranking
