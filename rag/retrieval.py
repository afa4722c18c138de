"""Finding the passages for a question: hybrid search, de-duplication, focusing.

1. Dense (MiniLM in Chroma) and keyword (BM25) searches each propose
   ``fetch_k`` chunks; reciprocal-rank fusion merges them.
2. Near-duplicate chunks (the same wire story on two sites) are dropped.
3. Each chosen chunk is narrowed to a window of whole sentences around the
   sentence closest to the question, so the small model reads less and
   answers sooner; the window's offsets stay exact for citations.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import date
from typing import Any

import numpy as np
from langchain_core.embeddings import Embeddings

from rag.citations import content_words, key_terms
from rag.lexical import LexicalIndex
from rag.sentences import sentence_spans
from rag.types import Filters, Passage
from vectorstore import ChromaStore

RRF_K = 60
# Answers are names and numbers: a sentence holding ones the question lacks is a likelier window.
ENTITY_BONUS = 0.03


def date_int(value: date | None) -> int:
    return value.year * 10000 + value.month * 100 + value.day if value else 0


def chroma_where(filters: Filters | None) -> dict[str, Any] | None:
    if filters is None or filters.is_empty():
        return None
    clauses: list[dict[str, Any]] = []
    if filters.date_from:
        clauses.append({"published_int": {"$gte": date_int(filters.date_from)}})
    if filters.date_to:
        clauses.append({"published_int": {"$lte": date_int(filters.date_to)}})
    if filters.sources:
        clauses.append({"source": {"$in": list(filters.sources)}})
    if filters.article_ids:
        clauses.append({"article_id": {"$in": list(filters.article_ids)}})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def matches(filters: Filters | None, meta: dict[str, Any]) -> bool:
    """The same test as ``chroma_where``, applied in Python to keyword hits."""
    if filters is None or filters.is_empty():
        return True
    published = int(meta.get("published_int") or 0)
    if filters.date_from and published < date_int(filters.date_from):
        return False
    if filters.date_to and published > date_int(filters.date_to):
        return False
    if filters.sources and meta.get("source") not in filters.sources:
        return False
    return not (filters.article_ids and meta.get("article_id") not in filters.article_ids)


def to_passage(chunk_id: str, text: str, meta: dict[str, Any], score: float) -> Passage:
    published = meta.get("published") or None
    return Passage(
        chunk_id=chunk_id,
        article_id=str(meta.get("article_id", "")),
        title=str(meta.get("title", "")),
        text=text,
        start=int(meta.get("start", 0)),
        end=int(meta.get("end", len(text))),
        score=score,
        url=meta.get("url") or None,
        published=date.fromisoformat(published) if published else None,
        source=meta.get("source") or None,
    )


def embed_text(title: str, text: str) -> str:
    """What gets embedded and keyword-indexed for a chunk: its article title gives it context."""
    return f"{title}\n{text}" if title else text


class Retriever:
    """Hybrid retrieval over one store; safe to share between threads."""

    def __init__(
        self, store: ChromaStore, embedder: Embeddings, *, hybrid: bool = True, lexical_weight: float = 1.0
    ) -> None:
        self.store = store
        self.embedder = embedder
        self.hybrid = hybrid
        self.lexical_weight = lexical_weight
        self._lexical: LexicalIndex | None = None
        self._lexical_count = -1
        self._lock = threading.Lock()

    def invalidate(self) -> None:
        with self._lock:
            self._lexical = None
            self._lexical_count = -1

    def lexical(self) -> LexicalIndex:
        count = self.store.count()
        with self._lock:
            if self._lexical is None or self._lexical_count != count:
                ids, texts, metas = [], [], []
                for rec in self.store.scan(texts=True):
                    ids.append(rec.id)
                    texts.append(embed_text(str(rec.metadata.get("title", "")), rec.text))
                    metas.append(rec.metadata)
                self._lexical = LexicalIndex(ids, texts, metas)
                self._lexical_count = count
            return self._lexical

    def search(self, question: str, k: int, fetch_k: int, filters: Filters | None = None) -> list[Passage]:
        """Top ``k`` distinct chunks for ``question``, best first."""
        query_vec = self.embedder.embed_query(question)
        dense = self.store.query(query_vec, fetch_k, where=chroma_where(filters))
        fused: dict[str, float] = {}
        found: dict[str, tuple[str, dict[str, Any]]] = {}
        for rank, hit in enumerate(dense):
            fused[hit.id] = fused.get(hit.id, 0.0) + 1.0 / (RRF_K + rank + 1)
            found[hit.id] = (hit.text, hit.metadata)
        if self.hybrid:
            index = self.lexical()
            keep = None if filters is None or filters.is_empty() else (lambda m: matches(filters, m))
            for rank, (pos, _score) in enumerate(index.search(question, fetch_k, keep)):
                cid = index.ids[pos]
                fused[cid] = fused.get(cid, 0.0) + self.lexical_weight / (RRF_K + rank + 1)
                if cid not in found:
                    found.update({r.id: (r.text, r.metadata) for r in self.store.get(ids=[cid])})
        ranked = sorted(fused.items(), key=lambda kv: kv[1], reverse=True)
        chosen: list[Passage] = []
        seen: list[set[str]] = []
        for cid, score in ranked:
            if cid not in found:
                continue
            text, meta = found[cid]
            words = content_words(text)
            if any(_jaccard(words, other) >= 0.8 for other in seen):
                continue
            seen.append(words)
            chosen.append(to_passage(cid, text, meta, score))
            if len(chosen) == k:
                break
        return chosen

    def focus(self, question: str, passages: Sequence[Passage], max_chars: int) -> list[Passage]:
        """Narrows each passage to the sentence window that best matches the question."""
        if max_chars <= 0:
            return list(passages)
        plans = []
        sentences: list[str] = []
        for p in passages:
            spans = sentence_spans(p.text)
            plans.append((p, spans, len(sentences)))
            sentences.extend(p.text[s:e] for s, e in spans)
        if not sentences:
            return list(passages)
        q = np.asarray(self.embedder.embed_query(question))
        vecs = np.asarray(self.embedder.embed_documents(sentences))
        sims = vecs @ q
        q_words = content_words(question)
        q_keys = key_terms(question)
        out: list[Passage] = []
        for p, spans, offset in plans:
            if len(p.text) <= max_chars or len(spans) <= 1:
                _keep_distinct(out, p)
                continue
            scores = [
                float(sims[offset + i])
                + 0.05 * len(content_words(p.text[s:e]) & q_words)
                + ENTITY_BONUS * min(3, len(key_terms(p.text[s:e]) - q_keys))
                for i, (s, e) in enumerate(spans)
            ]
            lo = hi = int(np.argmax(scores))
            while True:  # grow towards the better neighbour while the window fits
                options = [j for j in (lo - 1, hi + 1) if 0 <= j < len(spans)]
                options = [j for j in options if spans[max(hi, j)][1] - spans[min(lo, j)][0] <= max_chars]
                if not options:
                    break
                j = max(options, key=lambda idx: scores[idx])
                lo, hi = min(lo, j), max(hi, j)
            start, end = spans[lo][0], spans[hi][1]
            _keep_distinct(
                out, p.model_copy(update={"text": p.text[start:end], "start": p.start + start, "end": p.start + end})
            )
        return out


def _keep_distinct(kept: list[Passage], passage: Passage) -> None:
    """Adds ``passage`` unless half of it is already shown (overlapping chunks of one article)."""
    for other in kept:
        if other.article_id == passage.article_id:
            overlap = min(other.end, passage.end) - max(other.start, passage.start)
            if overlap >= 0.5 * (passage.end - passage.start):
                return
    kept.append(passage)


def _jaccard(a: set[str], b: set[str]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)
