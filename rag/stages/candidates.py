"""Candidate stages: each proposes ``fetch_k`` chunks as a ranked list under its own name."""

from __future__ import annotations

from dataclasses import replace

from rag.chunkmeta import ChunkMeta
from rag.stages import RetrievalState, StageContext
from rag.store_filters import store_filter


class DenseCandidates:
    """Nearest chunks by MiniLM (or the configured embedder) cosine similarity."""

    name = "dense"

    def __init__(self, context: StageContext) -> None:
        self.context = context

    def run(self, state: RetrievalState) -> RetrievalState:
        q = state.query
        vector = self.context.embedder.embed_query(q.question)
        hits = self.context.store.query(vector, q.fetch_k, where=store_filter(q.filters))
        found = [ChunkMeta.from_store(h.metadata, len(h.text)).passage(h.id, h.text, h.score) for h in hits]
        return replace(state, candidates={**state.candidates, self.name: found})


class KeywordCandidates:
    """BM25 over chunk texts with their titles: finds the rare names and numbers embeddings blur."""

    name = "keyword"

    def __init__(self, context: StageContext) -> None:
        self.context = context

    def run(self, state: RetrievalState) -> RetrievalState:
        q = state.query
        index = self.context.lexical.index()
        where = store_filter(q.filters)
        hits = index.search(q.question, q.fetch_k, where.matches if where is not None else None)
        ids = [index.ids[pos] for pos, _ in hits]
        texts = {r.id: r.text for r in self.context.store.get(ids=ids)} if ids else {}
        found = [
            ChunkMeta.from_store(index.metadatas[pos], len(texts[cid])).passage(cid, texts[cid], score)
            for (pos, score), cid in zip(hits, ids, strict=True)
            if cid in texts
        ]
        return replace(state, candidates={**state.candidates, self.name: found})
