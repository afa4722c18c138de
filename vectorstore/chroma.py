"""Chroma, embedded in a persistent folder or reached as a server by URL.

Vectors always come from the caller: collections are created without an
embedding function, so Chroma never tries to download its default model.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

Metadata = Mapping[str, str | int | float | bool]
Where = dict[str, Any]

_PAGE = 2000  # rows per page when reading the whole collection


class StoreUnavailable(Exception):
    """The store could not be opened or reached; the message says where and why."""


@dataclass(frozen=True)
class Hit:
    """A query result; ``score`` is cosine similarity (1 = same direction)."""

    id: str
    text: str
    metadata: dict[str, Any]
    score: float


@dataclass(frozen=True)
class Record:
    id: str
    text: str
    metadata: dict[str, Any]


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
            return chromadb.HttpClient(
                host=parsed.hostname, port=port, ssl=ssl, settings=chroma_settings
            )
        if path is None:
            raise StoreUnavailable("no store folder and no Chroma URL given")
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except StoreUnavailable:
        raise
    except Exception as exc:  # chromadb raises assorted types for unreachable or corrupt stores
        where = url or str(path)
        raise StoreUnavailable(f"cannot open the Chroma store at {where}: {exc}") from exc


class ChromaStore:
    """One Chroma collection with cosine distance, plus the few operations rag needs."""

    def __init__(self, *, path: Path | None = None, url: str | None = None, collection: str = "newsdesk"):
        self.location = url or str(path)
        self._client = open_client(path=path, url=url)
        try:
            self._col = self._client.get_or_create_collection(
                name=collection,
                metadata={"hnsw:space": "cosine"},
                embedding_function=None,
            )
        except Exception as exc:
            raise StoreUnavailable(f"cannot open collection {collection!r} at {self.location}: {exc}") from exc

    @property
    def client(self) -> Any:
        """The underlying chromadb client, for tools that bring their own Chroma wrapper."""
        return self._client

    def count(self) -> int:
        return int(self._col.count())

    def upsert(
        self,
        ids: Sequence[str],
        texts: Sequence[str],
        metadatas: Sequence[Metadata],
        embeddings: Sequence[Sequence[float]],
    ) -> None:
        if not ids:
            return
        if not (len(ids) == len(texts) == len(metadatas) == len(embeddings)):
            raise ValueError("ids, texts, metadatas and embeddings differ in length")
        step = self._max_batch()
        for i in range(0, len(ids), step):
            self._col.upsert(
                ids=list(ids[i : i + step]),
                documents=list(texts[i : i + step]),
                metadatas=[dict(m) for m in metadatas[i : i + step]],
                embeddings=[list(map(float, e)) for e in embeddings[i : i + step]],
            )

    def delete(self, *, ids: Sequence[str] | None = None, where: Where | None = None) -> int:
        """Deletes by ids or by a metadata filter; returns how many rows went."""
        if ids is not None:
            ids = list(ids)
            if not ids:
                return 0
            found = self._col.get(ids=ids, include=[])["ids"]
        elif where:
            found = self._col.get(where=where, include=[])["ids"]
        else:
            raise ValueError("delete needs ids or a where filter")
        if found:
            self._col.delete(ids=list(found))
        return len(found)

    def query(self, embedding: Sequence[float], k: int, where: Where | None = None) -> list[Hit]:
        n = self.count()
        if n == 0:
            return []
        res = self._col.query(
            query_embeddings=[list(map(float, embedding))],
            n_results=min(k, n),
            where=where or None,
            include=["documents", "metadatas", "distances"],
        )
        hits = []
        for i, id_ in enumerate(res["ids"][0]):
            distance = float(res["distances"][0][i])
            hits.append(
                Hit(
                    id=id_,
                    text=res["documents"][0][i] or "",
                    metadata=dict(res["metadatas"][0][i] or {}),
                    score=1.0 - distance,
                )
            )
        return hits

    def get(
        self,
        *,
        ids: Sequence[str] | None = None,
        where: Where | None = None,
        texts: bool = True,
        limit: int | None = None,
    ) -> list[Record]:
        include = ["metadatas", "documents"] if texts else ["metadatas"]
        res = self._col.get(ids=list(ids) if ids is not None else None, where=where or None,
                            include=include, limit=limit)
        docs = res.get("documents") if texts else None
        return [
            Record(id=id_, text=(docs[i] or "") if docs else "", metadata=dict(res["metadatas"][i] or {}))
            for i, id_ in enumerate(res["ids"])
        ]

    def scan(self, *, texts: bool = True, where: Where | None = None) -> Iterator[Record]:
        """Every record, page by page, so a large collection never sits in one response."""
        offset = 0
        include = ["metadatas", "documents"] if texts else ["metadatas"]
        while True:
            res = self._col.get(where=where or None, include=include, limit=_PAGE, offset=offset)
            ids = res["ids"]
            if not ids:
                return
            docs = res.get("documents") if texts else None
            for i, id_ in enumerate(ids):
                yield Record(id=id_, text=(docs[i] or "") if docs else "", metadata=dict(res["metadatas"][i] or {}))
            if len(ids) < _PAGE:
                return
            offset += len(ids)

    def _max_batch(self) -> int:
        try:
            return max(1, min(5000, int(self._client.get_max_batch_size())))
        except Exception:
            return 1000
