"""The rerank slot: reorders the fused, de-duplicated passages before the cut to k.

``IdentityRerank`` keeps the order: it is the interface a real reranker
(keyword overlap, sentence scores, a listwise pass by the local model)
implements, switched on by adding ``"rerank"`` to ``retrieval_stages``.
"""

from __future__ import annotations

from rag.stages import RetrievalState, StageContext


class IdentityRerank:
    name = "rerank"

    def __init__(self, context: StageContext) -> None:
        self.context = context

    def run(self, state: RetrievalState) -> RetrievalState:
        return state.with_passages(state.passages)
