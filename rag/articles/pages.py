"""Pages of paged sources (PDF): which page an offset is on, and chunks that stay on one page.

A citation names a page, so a chunk must not run from one page onto the next:
the focus stage later narrows a passage to some of its sentences, and every
offset of a one-page chunk is on that chunk's page. Chunks keep their offsets
into the whole article text, so citations still index ``Article.text``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from rag.chunking import chunk_article, chunk_id, chunk_spans
from rag.chunkmeta import page_at
from rag.types import Article, Chunk

__all__ = ["PAGE_BREAK", "chunk_pages", "join_pages", "page_at", "page_list", "page_spans"]


PAGE_BREAK = "\n\n"


def join_pages(pages: Sequence[tuple[int, str]]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Cleaned page texts ``(page number, text)`` as one text, and where each page starts in it."""
    starts: list[tuple[int, int]] = []
    offset = 0
    for number, text in pages:
        starts.append((offset, number))
        offset += len(text) + len(PAGE_BREAK)
    return PAGE_BREAK.join(text for _, text in pages), tuple(starts)


def page_spans(article: Article) -> list[tuple[int, int, int]]:
    """``(start, end, page)`` of each page's text in ``article.text``."""
    starts = article.page_starts
    ends = [start for start, _ in starts[1:]] + [len(article.text)]
    return [(start, end, page) for (start, page), end in zip(starts, ends, strict=True)]


def chunk_pages(article: Article, size: int, overlap: int) -> list[Chunk]:
    """Chunks as ``chunk_article`` makes them, but each within one page (plain chunks without pages)."""
    if not article.page_starts:
        return chunk_article(article, size, overlap)
    chunks: list[Chunk] = []
    for page_start, page_end, _ in page_spans(article):
        for start, end in chunk_spans(article.text[page_start:page_end], size, overlap):
            start, end = start + page_start, end + page_start
            text = article.text[start:end]
            chunks.append(
                Chunk(
                    id=chunk_id(article.id, start, end, text),
                    article_id=article.id,
                    index=len(chunks),
                    text=text,
                    start=start,
                    end=end,
                )
            )
    return chunks


def page_list(pages: Iterable[int]) -> str:
    """``1–3, 5, 8–9``: page numbers as ranges, for messages."""
    ordered = sorted(set(pages))
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        parts.append(str(ordered[i]) if i == j else f"{ordered[i]}–{ordered[j]}")
        i = j + 1
    return ", ".join(parts)
