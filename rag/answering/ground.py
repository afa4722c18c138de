"""Check "ground": the answer's ``[n]`` markers parsed, each claim checked against its passage.

An answer whose facts no passage states abstains; markers are re-pointed to the passage
that does state them (``rag.grounding``, with the context's ``Checker``). It runs first:
the checks after it read the cited passages it leaves in ``Verdict.numbers``.
"""

from __future__ import annotations

from dataclasses import replace

from rag.answering.base import AnswerContext, Verdict


class Ground:
    name = "ground"

    def __init__(self, context: AnswerContext) -> None:
        self.context = context

    def run(self, verdict: Verdict) -> Verdict:
        from rag.choices import format_options
        from rag.grounding import ground
        from rag.newstime import date_words

        reading = verdict.reading
        passages = reading.passages
        options = reading.options
        # The options are part of what was asked: their words are not facts the answer brought in.
        asked = reading.question + ("\n" + format_options(options) if options else "")
        grounded = ground(
            verdict.text,
            asked,
            [p.text for p in passages],
            self.context.checker,
            choices=bool(options),
            min_relevance=self.context.settings.answer_min_relevance,
            titles=[p.title or "" for p in passages],
            dates=[date_words(p.published) for p in passages],
        )
        return replace(
            verdict,
            text=grounded.text,
            abstained=grounded.abstained,
            numbers=grounded.numbers,
            invalid=grounded.invalid,
            claims=grounded.claims,
            conflicts=grounded.conflicts,
            cited_text=grounded.text,
        )
