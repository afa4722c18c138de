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
        vector = state.vector if state.vector is not None else self.context.embedder.embed_query(q.question)
        hits = self.context.store.query(vector, q.fetch_k, where=store_filter(q.filters))
        found = [ChunkMeta.from_store(h.metadata, len(h.text)).passage(h.id, h.text, h.score) for h in hits]
        return replace(state, candidates={**state.candidates, self.name: found}, vector=vector)


class KeywordCandidates:
    """BM25 over chunk texts with their titles: finds the rare names and numbers embeddings blur.

    The store's own keyword index answers (``Store.keyword``), filtered inside it, so a
    question costs the same whether the store holds a thousand chunks or a million.
    """

    name = "keyword"

    def __init__(self, context: StageContext) -> None:
        self.context = context

    def run(self, state: RetrievalState) -> RetrievalState:
        q = state.query
        hits = self.context.store.keyword(q.question, q.fetch_k, where=store_filter(q.filters))
        found = [ChunkMeta.from_store(h.metadata, len(h.text)).passage(h.id, h.text, h.score) for h in hits]
        return replace(state, candidates={**state.candidates, self.name: found})
