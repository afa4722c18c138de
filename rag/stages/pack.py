"""Keeps the best passages that fit the reader's budget of characters, not a fixed count.

The budget is what ``k`` passages narrowed to ``context_chars`` would take: ``k`` long passages
fill it, as ``cut`` would keep them, but short ones (a snippet corpus of 300-character reports)
leave room for more, up to ``max_passages``. Each passage counts as what ``focus`` will show of it
(at most ``context_chars``), so the prompt is never longer than with ``cut`` and never holds fewer
than ``k`` passages when there are ``k``.
"""

from __future__ import annotations

from rag.stages import RetrievalState, StageContext
from rag.types import Passage


class PackToBudget:
    name = "pack"

    def __init__(self, context: StageContext) -> None:
        self.context_chars = context.settings.context_chars
        self.max_passages = context.settings.max_passages

    def run(self, state: RetrievalState) -> RetrievalState:
        k = state.query.k
        if self.context_chars <= 0:
            return state.with_passages(state.passages[:k])
        budget = k * self.context_chars
        limit = max(k, self.max_passages)
        kept: list[Passage] = []
        used = 0
        for passage in state.passages:
            shown = min(len(passage.text), self.context_chars)
            if len(kept) >= limit or (len(kept) >= k and used + shown > budget):
                break
            kept.append(passage)
            used += shown
        return state.with_passages(kept)
