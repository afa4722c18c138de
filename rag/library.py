"""The library half of a desk: the articles in the store, ingested, listed, deleted, checked, repaired.

``Newsdesk`` is a ``Library`` (the UI's upload and article list, the CLI's ``ingest``, ``stats``,
``repair`` reach these through it); kept apart from asking so each side reads on its own.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.desk import Progress
from rag.storage import store_errors
from rag.types import Article, IngestReport
from vectorstore import Health, Record, Store, eq

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings

    from rag.settings import Settings


class Library:
    """Store operations of one configuration; every store failure comes out as a one-line ``StoreError``."""

    store: Store
    settings: Settings

    @property
    def embedder(self) -> Embeddings:
        raise NotImplementedError

    def _changed(self) -> None:
        """Called after every write: caches built from the store's contents are stale now."""

    def ingest(
        self, paths: Path | str | Sequence[Path | str], *, progress: Progress | None = None
    ) -> IngestReport:
        """Files and folders (one, or several) read, chunked, embedded and stored."""
        from rag import ingest as ingest_mod

        if isinstance(paths, str | Path):  # one path: not a sequence of its characters
            paths = [paths]
        with store_errors(self.store.location):
            report = ingest_mod.ingest_paths(
                self.store, self.embedder, paths, self.settings, progress=progress
            )
        self._changed()
        return report

    def ingest_articles(
        self, articles: Iterable[Article], *, progress: Progress | None = None
    ) -> IngestReport:
        from rag import ingest as ingest_mod

        with store_errors(self.store.location):
            report = ingest_mod.ingest_articles(
                self.store, self.embedder, articles, self.settings, progress=progress
            )
        self._changed()
        return report

    def list_articles(self) -> list[dict[str, Any]]:
        """One dict per article: id, title, url, published (ISO or None), source, chunks."""
        articles: dict[str, dict[str, Any]] = {}
        with store_errors(self.store.location):
            records = list(self.store.scan(texts=False))
        for rec in records:
            m = rec.metadata
            aid = str(m.get("article_id"))
            if aid not in articles:
                articles[aid] = {
                    "id": aid,
                    "title": m.get("title", ""),
                    "url": m.get("url") or None,
                    "published": m.get("published") or None,
                    "source": m.get("source") or None,
                    "chunks": 0,
                }
            articles[aid]["chunks"] += 1
        return sorted(articles.values(), key=lambda a: (a["published"] or "", a["title"]), reverse=True)

    def delete_article(self, article_id: str) -> int:
        """Removes an article's chunks; returns how many were removed."""
        with store_errors(self.store.location):
            removed = self.store.delete(where=eq("article_id", article_id))
        self._changed()
        return removed

    def check_store(self) -> Health:
        """Rows Chroma's SQLite holds against the vectors its index can return (reads only)."""
        with store_errors(self.store.location):
            return self.store.check()

    def repair(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Embeds every stored chunk again into a new index that replaces the old one.

        What a damaged index (rows in SQLite, vectors gone) needs; texts and metadata are
        kept as stored. Holds the write lock; returns the chunks written.
        """
        from rag.chunkmeta import embed_text

        embedder = self.embedder

        def embed(records: Sequence[Record]) -> list[list[float]]:
            texts = [embed_text(str(r.metadata.get("title") or ""), r.text or "") for r in records]
            return embedder.embed_documents(texts)

        with store_errors(self.store.location):
            written = self.store.rebuild(embed, progress=progress, wait=self.settings.write_wait)
        self._changed()
        return written

    def stats(self) -> dict[str, int]:
        with store_errors(self.store.location):
            ids = {rec.metadata.get("article_id") for rec in self.store.scan(texts=False)}
            return {"articles": len(ids), "chunks": self.store.count()}

    def sources(self) -> list[str]:
        with store_errors(self.store.location):
            records = list(self.store.scan(texts=False))
        return sorted({str(r.metadata.get("source")) for r in records if r.metadata.get("source")})
