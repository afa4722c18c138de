"""Sentence-aware chunking: chunks are runs of whole sentences, never cut mid-sentence.

Each chunk records its character offsets in the article text, so a citation
can point at the exact place it came from. Consecutive chunks overlap by whole
sentences (up to ``overlap`` characters) so a fact spanning a boundary is kept
together in at least one chunk.
"""

from __future__ import annotations

import hashlib

from rag.sentences import sentence_spans
from rag.types import Article, Chunk


def chunk_id(article_id: str, start: int, end: int, text: str) -> str:
    digest = hashlib.sha1(f"{start}:{end}:{text}".encode()).hexdigest()[:10]
    return f"{article_id}:{start}:{digest}"


def chunk_spans(text: str, size: int, overlap: int) -> list[tuple[int, int]]:
    """Greedy packing of whole sentences into spans of at most ``size`` characters.

    A sentence longer than ``size`` becomes a chunk of its own rather than
    being cut. The next chunk starts with the trailing sentences of the
    previous one that fit in ``overlap`` characters.
    """
    sentences = sentence_spans(text)
    spans: list[tuple[int, int]] = []
    i = 0
    while i < len(sentences):
        start = sentences[i][0]
        j = i
        while j + 1 < len(sentences) and sentences[j + 1][1] - start <= size:
            j += 1
        end = sentences[j][1]
        spans.append((start, end))
        if j + 1 >= len(sentences):
            break
        # Step back over trailing sentences that fit in the overlap, but always advance, and only
        # as far as the next chunk can still take in sentence j + 1: otherwise it would be a
        # redundant copy of this chunk's tail.
        nxt = j + 1
        reach = sentences[j + 1][1]
        while nxt - 1 > i and end - sentences[nxt - 1][0] <= overlap and reach - sentences[nxt - 1][0] <= size:
            nxt -= 1
        i = nxt
    return spans


def chunk_article(article: Article, size: int = 700, overlap: int = 150) -> list[Chunk]:
    return [
        Chunk(
            id=chunk_id(article.id, start, end, article.text[start:end]),
            article_id=article.id,
            index=n,
            text=article.text[start:end],
            start=start,
            end=end,
        )
        for n, (start, end) in enumerate(chunk_spans(article.text, size, overlap))
    ]
