"""Narrows each passage to the window of whole sentences that best answers the question.

The small model reads less and answers sooner; the window's offsets stay
exact, so citations still point at the article text.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from rag.sentences import sentence_spans
from rag.stages import RetrievalState, StageContext
from rag.terms import content_words, key_terms
from rag.types import Passage

# Answers are names and numbers: a sentence holding ones the question lacks is a likelier window.
ENTITY_BONUS = 0.03
WORD_BONUS = 0.05


class SentenceWindow:
    name = "focus"

    def __init__(self, context: StageContext) -> None:
        self.embedder = context.embedder
        self.max_chars = context.settings.context_chars

    def run(self, state: RetrievalState) -> RetrievalState:
        return state.with_passages(self.focus(state.query.question, state.passages, state.vector))

    def focus(
        self, question: str, passages: Sequence[Passage], vector: Sequence[float] | None = None
    ) -> list[Passage]:
        """Each passage longer than ``context_chars`` cut to its best window; ``vector``: the
        question's embedding when the dense stage already made it."""
        if self.max_chars <= 0:
            return list(passages)
        plans = []
        sentences: list[str] = []  # only of passages to narrow: one that fits is kept whole unread
        for p in passages:
            spans = sentence_spans(p.text)
            narrow = len(p.text) > self.max_chars and len(spans) > 1
            plans.append((p, spans if narrow else None, len(sentences)))
            if narrow:
                sentences.extend(p.text[s:e] for s, e in spans)
        if not sentences:
            return _distinct(passages)
        q = np.asarray(vector if vector is not None else self.embedder.embed_query(question))
        sims = np.asarray(self.embedder.embed_documents(sentences)) @ q
        q_words = content_words(question)
        q_keys = key_terms(question)
        out: list[Passage] = []
        for p, narrowed, offset in plans:
            if narrowed is None:
                _keep_distinct(out, p)
                continue
            spans = narrowed
            scores = [
                float(sims[offset + i])
                + WORD_BONUS * len(content_words(p.text[s:e]) & q_words)
                + ENTITY_BONUS * min(3, len(key_terms(p.text[s:e]) - q_keys))
                for i, (s, e) in enumerate(spans)
            ]
            lo, hi = _window(spans, scores, self.max_chars)
            start, end = spans[lo][0], spans[hi][1]
            _keep_distinct(
                out,
                p.model_copy(
                    update={"text": p.text[start:end], "start": p.start + start, "end": p.start + end}
                ),
            )
        return out


def _window(spans: Sequence[tuple[int, int]], scores: Sequence[float], max_chars: int) -> tuple[int, int]:
    """From the best sentence, grow towards the better neighbour while the window fits."""
    lo = hi = int(np.argmax(scores))
    while True:
        options = [j for j in (lo - 1, hi + 1) if 0 <= j < len(spans)]
        options = [j for j in options if spans[max(hi, j)][1] - spans[min(lo, j)][0] <= max_chars]
        if not options:
            return lo, hi
        j = max(options, key=lambda idx: scores[idx])
        lo, hi = min(lo, j), max(hi, j)


def _keep_distinct(kept: list[Passage], passage: Passage) -> None:
    """Adds ``passage`` unless half of it is already shown (overlapping chunks of one article)."""
    for other in kept:
        if other.article_id == passage.article_id:
            overlap = min(other.end, passage.end) - max(other.start, passage.start)
            if overlap >= 0.5 * (passage.end - passage.start):
                return
    kept.append(passage)


def _distinct(passages: Sequence[Passage]) -> list[Passage]:
    kept: list[Passage] = []
    for p in passages:
        _keep_distinct(kept, p)
    return kept
