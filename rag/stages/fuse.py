"""Reciprocal rank fusion: one ranking from every candidate list, robust to their score scales."""

from __future__ import annotations

from rag.stages import RetrievalState, StageContext
from rag.types import Passage

RRF_K = 60


class ReciprocalRankFusion:
    name = "fuse"

    def __init__(self, context: StageContext) -> None:
        settings = context.settings
        self.weights = {"dense": settings.dense_weight, "keyword": settings.keyword_weight}

    def run(self, state: RetrievalState) -> RetrievalState:
        scores: dict[str, float] = {}
        first: dict[str, Passage] = {}
        for name, ranked in state.candidates.items():
            weight = self.weights.get(name, 1.0)
            for rank, passage in enumerate(ranked):
                scores[passage.chunk_id] = scores.get(passage.chunk_id, 0.0) + weight / (RRF_K + rank + 1)
                first.setdefault(passage.chunk_id, passage)
        order = sorted(scores, key=lambda cid: scores[cid], reverse=True)
        return state.with_passages([first[cid].model_copy(update={"score": scores[cid]}) for cid in order])
