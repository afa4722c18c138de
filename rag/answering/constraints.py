"""Check "constraints": the time a question states must be found in the evidence its answer cites.

"What was Tesla's revenue in Q1 2021?" answered "$370 million [2]" from a passage about Q1
2023 deliveries passes grounding (the names match); here it becomes "The articles don't
say: the passages cited speak of Q1 2023, not Q1 2021." (``rag.constraints``). Runs after
``ground``, on the passages the grounded answer cites and, within them, on the sentences that
state the answer: "Which club did he play for in 2006?" answered from "He played for A from
2001 to 2004" abstains even though the page goes on to 2008.
"""

from __future__ import annotations

from dataclasses import replace

from rag.answering.base import AnswerContext, Verdict


class Constraints:
    name = "constraints"

    def __init__(self, context: AnswerContext) -> None:
        self.context = context

    def run(self, verdict: Verdict) -> Verdict:
        from rag.citations import ABSTENTION
        from rag.constraints import (
            Evidence,
            question_constraints,
            stating_sentences,
            unmet,
            unmet_where_stated,
        )

        if verdict.abstained:
            return verdict
        reading = verdict.reading
        asked = question_constraints(reading.retrieval.question)
        if not asked:
            return verdict
        cited = [reading.passages[n - 1] for n in verdict.numbers] or list(reading.passages)
        evidence = Evidence.of([f"{p.title or ''}\n{p.text}" for p in cited], [p.published for p in cited])
        missing = unmet(asked, evidence)
        if not missing:
            stated = stating_sentences(verdict.text, reading.retrieval.question, [p.text for p in cited])
            if stated:
                missing = unmet_where_stated(asked, stated)
                evidence = Evidence.of(stated, [])
        if not missing:
            return verdict
        first = missing[0]
        instead = evidence.speaks_of(first)
        note = f" The passages cited speak of {instead}, not {first.text}." if instead else ""
        return replace(verdict, text=ABSTENTION + note, abstained=True)
