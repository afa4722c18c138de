"""Chroma, embedded in a persistent folder or reached as a server by URL.

Vectors always come from the caller: collections are created without an
embedding function, so Chroma never tries to download its default model.
Every piece of Chroma syntax in newsdesk lives here: ``where`` dicts, the
integer shadow of dates (Chroma compares only numbers), and metadata merging.
"""

from __future__ import annotations

import errno
import itertools
import math
import shutil
import sqlite3
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager, nullcontext
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from vectorstore.base import (
    Health,
    Hit,
    Metadata,
    Record,
    StoreBusy,
    StoreDamaged,
    StoreFull,
    StoreUnavailable,
    VectorStoreError,
)
from vectorstore.embedded import Folder, folder
from vectorstore.filters import And, Eq, Filter, In, Range, Scalar, as_date, is_empty_match

__all__ = [
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
    "open_client",
    "to_chroma_where",
]


_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT})
_FULL_WORDS = ("database or disk is full", "no space left on device", "disk quota exceeded", "file too large")
# What SQLite and Chroma's index say of files they cannot use.
_DAMAGED_WORDS = (
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


def _detail(exc: BaseException) -> str:
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
        return StoreFull(f"no space left on the device holding the store at {location} ({_detail(exc)})")
    if _is_store_failure(exc) or any(w in str(exc).lower() for w in _DAMAGED_WORDS):
        free = _free_bytes(writing_to) if writing_to is not None else None
        if free is not None and free < LOW_SPACE:
            return StoreFull(
                f"no space left on the device holding the store at {location} "
                f"(only {free // 1024:,} KB free; {_detail(exc)})"
            )
        return StoreDamaged(
            f"the store at {location} failed while {doing}: {_detail(exc)}; its files may be damaged"
        )
    return None


@contextmanager
def _guard(location: str, doing: str, *, writing_to: Path | None = None) -> Iterator[None]:
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


# A raw Chroma ``where`` dict: deprecated as an argument, use ``vectorstore.filters``.
Where = dict[str, Any]

_PAGE = 2000  # rows per page when reading the whole collection
# A date value at key K is also stored as YYYYMMDD at K + _DATE_SUFFIX, which Chroma can compare.
_DATE_SUFFIX = "_int"
_NO_DATE = 10101  # date_int(date.min): every real date is at least this; 0 means "no date"


def date_int(value: date | None) -> int:
    """``2022-01-26`` -> ``20220126``; ``None`` -> 0 (the stored form of "no date")."""
    return value.year * 10000 + value.month * 100 + value.day if value else 0


def _to_stored(metadata: Metadata) -> dict[str, Any]:
    """Dates become ISO strings plus their integer shadow, so date ranges can be filtered in Chroma."""
    out: dict[str, Any] = {}
    for key, value in metadata.items():
        if isinstance(value, datetime):
            raise TypeError(f"metadata {key!r}: store a date or an ISO string, not a datetime")
        day = as_date(value)
        if day is not None:
            out[key] = day.isoformat()
            out[key + _DATE_SUFFIX] = date_int(day)
        elif key not in out:
            out[key] = value
    return out


def _any(parts: list[Where]) -> Where:
    return parts[0] if len(parts) == 1 else {"$or": parts}


def _all(parts: list[Where]) -> Where:
    return parts[0] if len(parts) == 1 else {"$and": parts}


# Chroma compares an int value with a float operand by first turning the operand into an int
# (``n >= 2.5`` holds for n = 2; ``n == 2.5`` too), while an int operand compares with ints and
# floats alike. So whole numbers always go as ints, and a fractional operand x is only ever used
# in shapes that no int can satisfy, whichever way Chroma rounds x: ``$eq x`` next to ``$nin``
# of x's neighbours, or ``$gt``/``$lt`` between x and the next whole number.


def _neighbours(x: float) -> list[int]:
    return sorted({math.floor(x), math.ceil(x), int(x)})


def _equals_fraction(key: str, xs: Sequence[float]) -> Where:
    near = sorted({n for x in xs for n in _neighbours(x)})
    return {"$and": [{key: {"$in": sorted(set(xs))}}, {key: {"$nin": near}}]}


def _at_least(key: str, x: float) -> Where:
    if float(x).is_integer():
        return {key: {"$gte": int(x)}}
    up = math.ceil(x)
    return _any(
        [
            {key: {"$gte": up}},
            {"$and": [{key: {"$gt": x}}, {key: {"$lt": up}}]},
            _equals_fraction(key, [x]),
        ]
    )


def _at_most(key: str, x: float) -> Where:
    if float(x).is_integer():
        return {key: {"$lte": int(x)}}
    down = math.floor(x)
    return _any(
        [
            {key: {"$lte": down}},
            {"$and": [{key: {"$gt": down}}, {key: {"$lt": x}}]},
            _equals_fraction(key, [x]),
        ]
    )


def _in_clause(key: str, values: Sequence[Scalar]) -> Where | None:
    """``key in values`` for Chroma, whose ``$in`` takes one type per list and tells bools from numbers."""
    bools = sorted({v for v in values if isinstance(v, bool)})
    strs = sorted({v for v in values if isinstance(v, str)})
    numbers = [v for v in values if isinstance(v, int | float) and not isinstance(v, bool)]
    whole = sorted({int(v) for v in numbers if float(v).is_integer()})
    fractions = [float(v) for v in numbers if not float(v).is_integer()]
    parts: list[Where] = [{key: {"$in": list(group)}} for group in (bools, strs, whole) if group]
    if fractions:
        parts.append(_equals_fraction(key, fractions))
    return _any(parts) if parts else None


def _range_clauses(r: Range) -> list[Where]:
    if r.on_dates:
        key = r.key + _DATE_SUFFIX
        lo = max(date_int(r.gte) if isinstance(r.gte, date) else _NO_DATE, _NO_DATE)
        clauses: list[Where] = [{key: {"$gte": lo}}]
        if isinstance(r.lte, date):
            clauses.append({key: {"$lte": date_int(r.lte)}})
        return clauses
    clauses = []
    if isinstance(r.gte, int | float):
        clauses.append(_at_least(r.key, r.gte))
    if isinstance(r.lte, int | float):
        clauses.append(_at_most(r.key, r.lte))
    return clauses


def to_chroma_where(where: Filter | None) -> Where | None:
    """The Chroma ``where`` dict for a neutral filter (``None``: no filter).

    Callers check ``is_empty_match`` first: Chroma cannot say "match nothing".
    """
    if where is None:
        return None
    clauses: list[Where] = []
    for c in where.clauses if isinstance(where, And) else (where,):
        if isinstance(c, Eq):
            clause = _in_clause(c.key, [c.value])
            if clause is not None:
                clauses.append(clause)
        elif isinstance(c, In):
            clause = _in_clause(c.key, c.values)
            if clause is None:
                raise ValueError("an empty In matches nothing; check is_empty_match first")
            clauses.append(clause)
        elif isinstance(c, Range):
            clauses.extend(_range_clauses(c))
        else:  # And flattens its clauses, so none is an And
            raise TypeError(f"not a filter clause: {c!r}")
    return _all(clauses)


def _chroma(where: Filter | Where | None) -> tuple[bool, Where | None]:
    """``(can_match, chroma_where)``; a raw dict passes through (deprecated)."""
    if where is None:
        return True, None
    if isinstance(where, dict):
        warnings.warn(
            "a raw Chroma where dict is deprecated; pass a vectorstore.filters filter",
            DeprecationWarning,
            stacklevel=3,
        )
        return True, where or None
    if is_empty_match(where):
        return False, None
    return True, to_chroma_where(where)


def open_client(*, path: Path | None = None, url: str | None = None) -> Any:
    """A chromadb client: ``HttpClient`` when ``url`` is set, else a ``PersistentClient`` in ``path``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        if url:
            parsed = urlparse(url if "://" in url else f"http://{url}")
            if not parsed.hostname:
                raise StoreUnavailable(f"not a Chroma server URL: {url!r}")
            ssl = parsed.scheme == "https"
            port = parsed.port or (443 if ssl else 8000)
            return chromadb.HttpClient(host=parsed.hostname, port=port, ssl=ssl, settings=chroma_settings)
        if path is None:
            raise StoreUnavailable("no store folder and no Chroma URL given")
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except StoreUnavailable:
        raise
    except Exception as exc:  # chromadb raises assorted types for unreachable or corrupt stores
        where = url or str(path)
        if is_disk_full(exc):
            raise StoreFull(
                f"no space left on the device holding the store at {where} ({_detail(exc)})"
            ) from exc
        if any(w in str(exc).lower() for w in _DAMAGED_WORDS):
            raise StoreDamaged(
                f"cannot open the Chroma store at {where}: {_detail(exc)}; its files are damaged"
            ) from exc
        raise StoreUnavailable(f"cannot open the Chroma store at {where}: {exc}") from exc


_DB = "chroma.sqlite3"


def _batches(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    """``records`` in lists of ``size`` (the last one shorter)."""
    while batch := list(itertools.islice(records, size)):
        yield batch


def sqlite_rows(db: Path, collection: str, step: int) -> tuple[int, Iterator[list[Record]]]:
    """How many rows a collection's metadata segment holds, and those rows page by page, as stored.

    Read straight from Chroma's SQLite (read-only), so they can be had when the vector
    index is too damaged for Chroma to open the collection at all. Chroma 1.x's schema:
    ``embeddings`` (one row per record of a segment) and ``embedding_metadata`` (one row per
    key; the document under ``chroma:document``).
    """
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    found = con.execute(
        "SELECT s.id FROM segments s JOIN collections c ON s.collection = c.id "
        "WHERE c.name = ? AND s.scope = 'METADATA'",
        (collection,),
    ).fetchone()
    if found is None:
        con.close()
        raise StoreDamaged(f"{db}: no metadata segment for collection {collection!r}")
    segment = found[0]
    total = int(con.execute("SELECT count(*) FROM embeddings WHERE segment_id = ?", (segment,)).fetchone()[0])

    def pages() -> Iterator[list[Record]]:
        try:
            last = -1
            while True:
                rows = con.execute(
                    "SELECT id, embedding_id FROM embeddings WHERE segment_id = ? AND id > ? ORDER BY id LIMIT ?",
                    (segment, last, step),
                ).fetchall()
                if not rows:
                    return
                last = rows[-1][0]
                keys: dict[int, dict[str, Any]] = {row_id: {} for row_id, _ in rows}
                docs: dict[int, str | None] = {}
                marks = ",".join("?" * len(rows))
                for row_id, key, text, whole, real, flag in con.execute(
                    "SELECT id, key, string_value, int_value, float_value, bool_value "
                    f"FROM embedding_metadata WHERE id IN ({marks})",
                    [r[0] for r in rows],
                ):
                    if key == "chroma:document":
                        docs[row_id] = text
                    elif not key.startswith("chroma:"):
                        keys[row_id][key] = (
                            text
                            if text is not None
                            else bool(flag)
                            if flag is not None
                            else whole
                            if whole is not None
                            else real
                        )
                yield [_record(str(e), docs.get(r), keys[r]) for r, e in rows]
        finally:
            con.close()

    return total, pages()


@contextmanager
def suppress_missing() -> Iterator[None]:
    """Chroma raises on deleting a collection that is not there; here that is fine."""
    try:
        yield
    except Exception as exc:  # chromadb's NotFoundError / ValueError, by version
        if "does not exist" not in str(exc).lower() and "not found" not in str(exc).lower():
            raise


def _record(id_: str, doc: str | None, meta: Any) -> Record:
    return Record(id=id_, text=doc or "", metadata=dict(meta or {}))


class ChromaStore:
    """One Chroma collection with cosine distance; implements ``vectorstore.Store``.

    ``where`` arguments take a ``vectorstore.filters`` filter. A raw Chroma dict
    is still accepted but deprecated (it warns), and will go once rag has moved.
    """

    def __init__(
        self,
        *,
        path: Path | None = None,
        url: str | None = None,
        collection: str = "newsdesk",
        page_size: int | None = None,
        write_wait: float = 0,
    ):
        """``write_wait``: seconds a single ``upsert``/``delete`` outside ``writing()`` waits for the lock."""
        self._location = url or str(path)
        self._page = page_size or _PAGE
        self._name = collection
        self._write_wait = write_wait
        self._folder: Folder | None = None
        self._server: Any = None
        if url:
            self._server = open_client(url=url)
        elif path is None:
            raise StoreUnavailable("no store folder and no Chroma URL given")
        else:
            with _guard(
                self._location, "opening it", writing_to=path
            ):  # the write lock's sidecar is written on creation
                self._folder = folder(path, lambda p: open_client(path=p), write_wait)
        self._epoch = -1
        self._col: Any = None
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
        with _guard(self.location, "taking the write lock", writing_to=f.path):
            session.__enter__()
        try:
            yield
        except BaseException:
            failure = sys.exc_info()
            with _guard(self.location, "releasing the write lock", writing_to=f.path):
                suppressed = session.__exit__(*failure)
            if not suppressed:
                raise
        else:
            with _guard(self.location, "releasing the write lock", writing_to=f.path):
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

    def _write(self) -> AbstractContextManager[None]:
        return self.writing(wait=self._write_wait)

    def count(self) -> int:
        with _guard(self.location, "counting its records"):
            return int(self._collection().count())

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
        stored = [_to_stored(m) for m in metadatas]
        with self._write(), _guard(self.location, "writing", writing_to=self._folder_path):
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

    def delete(self, *, ids: Sequence[str] | None = None, where: Filter | Where | None = None) -> int:
        """Deletes by ids or by a filter; returns how many rows went."""
        if ids is not None:
            ids = list(ids)
            if not ids:
                return 0
            chroma_where = None
        elif where:
            can_match, chroma_where = _chroma(where)
            if not can_match:
                return 0
        else:
            raise ValueError("delete needs ids or a filter")
        with self._write(), _guard(self.location, "deleting", writing_to=self._folder_path):
            col = self._collection()
            found = col.get(ids=ids, where=chroma_where, include=[])["ids"]
            if found:
                col.delete(ids=list(found))
        return len(found)

    def query(self, embedding: Sequence[float], k: int, where: Filter | Where | None = None) -> list[Hit]:
        if k < 1:
            raise ValueError(f"k must be at least 1, got {k}")
        can_match, chroma_where = _chroma(where)
        n = self.count()
        if n == 0 or not can_match:
            return []
        with _guard(self.location, "searching"):
            res = self._collection().query(
                query_embeddings=[list(map(float, embedding))],
                n_results=min(k, n),
                where=chroma_where,
                include=["documents", "metadatas", "distances"],
            )
        docs, metas, dists = res["documents"][0], res["metadatas"][0], res["distances"][0]
        return [
            Hit(id=id_, text=docs[i] or "", metadata=dict(metas[i] or {}), score=1.0 - float(dists[i]))
            for i, id_ in enumerate(res["ids"][0])
        ]

    def get(
        self,
        *,
        ids: Sequence[str] | None = None,
        where: Filter | Where | None = None,
        texts: bool = True,
        limit: int | None = None,
    ) -> list[Record]:
        can_match, chroma_where = _chroma(where)
        if not can_match or (ids is not None and not ids):
            return []
        include = ["metadatas", "documents"] if texts else ["metadatas"]
        with _guard(self.location, "reading"):
            res = self._collection().get(
                ids=list(ids) if ids is not None else None, where=chroma_where, include=include, limit=limit
            )
        docs = res.get("documents") if texts else None
        return [
            _record(id_, docs[i] if docs else None, res["metadatas"][i]) for i, id_ in enumerate(res["ids"])
        ]

    def scan(self, *, texts: bool = True, where: Filter | Where | None = None) -> Iterator[Record]:
        """Every record, page by page, so a large collection never sits in one response."""
        can_match, chroma_where = _chroma(where)
        if not can_match:
            return
        offset = 0
        include = ["metadatas", "documents"] if texts else ["metadatas"]
        while True:
            with _guard(self.location, "reading"):
                res = self._collection().get(
                    where=chroma_where, include=include, limit=self._page, offset=offset
                )
            ids = res["ids"]
            if not ids:
                return
            docs = res.get("documents") if texts else None
            for i, id_ in enumerate(ids):
                yield _record(id_, docs[i] if docs else None, res["metadatas"][i])
            if len(ids) < self._page:
                return
            offset += len(ids)

    def check(self, *, sample: int = 20) -> Health:
        """Compares the rows in Chroma's SQLite with the vectors its index can hand back for them.

        Every stored id's vector is read back in pages; a page that fails is retried id by id,
        so ``missing`` names the rows the index lost. (A query for all rows is no test: HNSW
        is approximate and returns a few rows short even on a healthy index.) Reads only.
        """
        with _guard(self.location, "reading"):
            col = self._collection()
        stored = [r.id for r in self.scan(texts=False)]
        missing: list[str] = []
        error: str | None = None
        for i in range(0, len(stored), self._page):
            page = stored[i : i + self._page]
            try:
                got = col.get(ids=page, include=["embeddings"])
                if len(got["ids"]) == len(page):
                    continue
            except Exception as exc:  # "Error getting embedding": the index lacks some of these
                error = f"{type(exc).__name__}: {exc}"
            for id_ in page:
                try:
                    if col.get(ids=[id_], include=["embeddings"])["ids"]:
                        continue
                except Exception:
                    pass
                missing.append(id_)
        if missing:  # the failure is explained by the rows named
            error = None
        return Health(
            rows=len(stored), indexed=len(stored) - len(missing), missing=tuple(missing[:sample]), error=error
        )

    def rebuild(
        self,
        embed: Callable[[Sequence[Record]], Sequence[Sequence[float]]],
        *,
        progress: Callable[[int, int], None] | None = None,
        wait: float = 0,
    ) -> int:
        """Builds the vector index again from the rows Chroma's SQLite holds; returns the rows written.

        Every record (id, text, metadata as stored) is read, given new vectors by ``embed``
        and written to a new collection, which then takes the old one's name. The old
        collection stays whole until the new one is complete; a process killed during the
        swap leaves it under ``<name>.old``, and the next open puts it back. Holds the
        write lock throughout, so no ingest runs meanwhile.
        """
        fresh_name, old_name = f"{self._name}.rebuild", f"{self._name}.old"
        with self.writing(wait=wait), _guard(self.location, "rebuilding", writing_to=self._folder_path):
            client = self.client
            col = self._collection()
            for stale in (fresh_name, old_name):
                with suppress_missing():
                    client.delete_collection(stale)
            fresh = client.create_collection(
                name=fresh_name, metadata={"hnsw:space": "cosine"}, embedding_function=None
            )
            step = max(1, min(self._page, self._max_batch()))
            if self._folder is not None:  # the index may be unreadable: SQLite holds every row
                total, pages = sqlite_rows(self._folder.path / _DB, self._name, step)
            else:
                total, pages = int(col.count()), _batches(self.scan(), step)
            written = 0
            for records in pages:
                vectors = embed(records)
                if len(vectors) != len(records):
                    raise ValueError(f"embed returned {len(vectors)} vectors for {len(records)} records")
                fresh.add(
                    ids=[r.id for r in records],
                    documents=[r.text for r in records],
                    metadatas=[r.metadata or None for r in records],
                    embeddings=[list(map(float, v)) for v in vectors],
                )
                written += len(records)
                if progress:
                    progress(written, total)
            col.modify(name=old_name)
            fresh.modify(name=self._name)
            client.delete_collection(old_name)
            self._col = client.get_collection(name=self._name, embedding_function=None)
        return written

    def _finish_swap(self, wait: float) -> bool:
        """Puts back a collection a rebuild had moved aside when it was stopped; False if none was."""
        old_name = f"{self._name}.old"
        try:
            names = {getattr(c, "name", c) for c in self.client.list_collections()}
        except Exception:
            return False
        if self._name in names or old_name not in names:
            return False
        with self.writing(wait=wait):
            self.client.get_collection(name=old_name, embedding_function=None).modify(name=self._name)
        self._epoch = -1
        self._collection()
        return True

    def _max_batch(self) -> int:
        try:
            return max(1, min(5000, int(self.client.get_max_batch_size())))
        except Exception:
            return 1000
