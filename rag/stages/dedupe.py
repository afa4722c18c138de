"""Drops near-duplicate chunks (the same wire story on two sites), keeping the better-ranked one."""

from __future__ import annotations

from rag.stages import RetrievalState, StageContext
from rag.terms import content_words, jaccard

SAME_STORY = 0.8  # Jaccard similarity of content words at or above which two chunks count as one


class NearDuplicates:
    name = "dedupe"

    def __init__(self, context: StageContext) -> None:
        # Only as many survivors as later stages can use: the cut keeps k.
        self.enough = max(context.settings.k, context.settings.fetch_k)

    def run(self, state: RetrievalState) -> RetrievalState:
        kept = []
        seen: list[set[str]] = []
        for passage in state.passages:
            words = content_words(passage.text)
            if any(jaccard(words, other) >= SAME_STORY for other in seen):
                continue
            seen.append(words)
            kept.append(passage)
            if len(kept) >= max(self.enough, state.query.k):
                break
        return state.with_passages(kept)
