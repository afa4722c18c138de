"""Keeps the best ``k`` passages."""

from __future__ import annotations

from rag.stages import RetrievalState, StageContext


class CutToK:
    name = "cut"

    def __init__(self, context: StageContext) -> None:
        pass

    def run(self, state: RetrievalState) -> RetrievalState:
        return state.with_passages(state.passages[: state.query.k])
