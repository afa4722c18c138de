"""``ChunkMeta``: the metadata stored with every chunk, typed, with one mapping to and from the store.

Ingest writes it, retrieval and the library read it; before this the keys
were typed by hand in four places.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from rag.types import Article, Chunk, Passage


def page_at(starts: Sequence[tuple[int, int]], offset: int) -> int | None:
    """The number of the page holding ``offset`` given ``Article.page_starts``; ``None`` without pages.

    Here rather than in ``rag.articles``, so that retrieval reading a chunk's page does not load the readers.
    """
    if not starts:
        return None
    i = bisect_right([start for start, _ in starts], offset) - 1
    return starts[max(i, 0)][1]


@dataclass(frozen=True)
class ChunkMeta:
    article_id: str
    title: str
    start: int
    end: int
    index: int = 0
    url: str | None = None
    published: date | None = None
    source: str | None = None
    author: str | None = None
    path: str | None = None
    content_hash: str = ""
    page: int | None = None  # of a paged source (PDF): chunks never cross pages

    @classmethod
    def of(cls, article: Article, chunk: Chunk) -> ChunkMeta:
        return cls(
            article_id=article.id,
            title=article.title,
            start=chunk.start,
            end=chunk.end,
            index=chunk.index,
            url=article.url,
            published=article.published,
            source=article.source,
            author=article.author,
            path=article.path,
            content_hash=article.content_hash,
            page=page_at(article.page_starts, chunk.start),
        )

    def to_store(self) -> dict[str, str | int]:
        """Flat scalars only (what vector stores accept); empty strings for missing values.

        ``published`` goes as an ISO date: the store keeps whatever it needs to filter by range.
        """
        return {
            "article_id": self.article_id,
            "title": self.title,
            "url": self.url or "",
            "published": self.published.isoformat() if self.published else "",
            "source": self.source or "",
            "author": self.author or "",
            "path": self.path or "",
            "content_hash": self.content_hash,
            "start": self.start,
            "end": self.end,
            "index": self.index,
            "page": self.page or 0,
        }

    @classmethod
    def from_store(cls, meta: dict[str, Any], text_length: int = 0) -> ChunkMeta:
        published = meta.get("published") or None
        return cls(
            article_id=str(meta.get("article_id", "")),
            title=str(meta.get("title", "")),
            start=int(meta.get("start", 0)),
            end=int(meta.get("end", text_length)),
            index=int(meta.get("index", 0)),
            url=meta.get("url") or None,
            published=date.fromisoformat(published) if published else None,
            source=meta.get("source") or None,
            author=meta.get("author") or None,
            path=meta.get("path") or None,
            content_hash=str(meta.get("content_hash", "")),
            page=int(meta.get("page") or 0) or None,
        )

    def passage(self, chunk_id: str, text: str, score: float) -> Passage:
        return Passage(
            chunk_id=chunk_id,
            article_id=self.article_id,
            title=self.title,
            text=text,
            start=self.start,
            end=self.end,
            score=score,
            url=self.url,
            published=self.published,
            source=self.source,
            page=self.page,
        )


def embed_text(title: str, text: str) -> str:
    """What gets embedded and keyword-indexed for a chunk: its article title gives it context."""
    return f"{title}\n{text}" if title else text
