"""News time: prefers passages published shortly before the day the question is asked as of.

"Who leads the league?" has a different answer every week; among passages
that match about as well, the newest before ``as_of`` (or today) should win.
Each fused score is raised by up to ``recency_weight`` (x1.3 by default),
halving with every ``recency_half_life`` days of age; undated passages keep
their score. On by default (after ``"fuse"``); with no ``as_of`` the day is
today, so an archive of old articles is ranked as before, nearly unchanged.
"""

from __future__ import annotations

from datetime import date

from rag.stages import RetrievalState, StageContext


class Recency:
    name = "recency"

    def __init__(self, context: StageContext) -> None:
        self.weight = context.settings.recency_weight
        self.half_life = context.settings.recency_half_life

    def run(self, state: RetrievalState) -> RetrievalState:
        filters = state.query.filters
        today = (filters.as_of if filters and filters.as_of else None) or date.today()
        boosted = []
        for passage in state.passages:
            factor = 1.0
            if passage.published is not None:
                age = max(0, (today - passage.published).days)
                factor += self.weight * 0.5 ** (age / self.half_life)
            boosted.append(passage.model_copy(update={"score": passage.score * factor}))
        boosted.sort(key=lambda p: p.score, reverse=True)
        return state.with_passages(boosted)
