"""Answering as named components, built from ``Settings``, like retrieval's stages::

    reader          writes the draft from the passages      settings.reader / settings.choice_reader
      free            the model writes the cited answer        free.py
      choose          multiple choice by letter probability    choose.py
    checks          each turns the draft into a verdict     settings.answer_checks, in order
      ground          markers parsed, claims checked           ground.py
      figures         "how many": the figure first, every one  figures.py
      news_time       stale reports refused, "(as of …)"       news_time.py
      timeline        a dated list's entry held to its years   timeline.py
      constraints     the question's year, span, season met    constraints.py
      verify          the model asked: is it stated? (Yes/No)  verify.py
    then            citations numbered in the order cited    renumber.py
                    (filters matching no article: no reader, no checks, "No article matches …")

To add a reader or a check: a class taking an ``AnswerContext`` with a ``name`` and
``read(reading)`` (yielding text, then a ``Draft``) or ``run(verdict) -> verdict``, in a file
here; its name in ``READERS`` or ``CHECKS`` below (or ``"module:Class"`` straight in the
setting). ``Answering`` times each component into ``Answer.timings.components``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass

from rag.answering.base import AnswerContext, Check, Draft, Reader, Reading, Verdict
from rag.components import build_components, load_component
from rag.errors import NewsdeskError
from rag.types import AbstainReason, Answer, Retrieval, Timings

log = logging.getLogger(__name__)

READERS: dict[str, str] = {
    "free": "rag.answering.free:FreeReader",
    "choose": "rag.answering.choose:ChooseReader",
}
CHECKS: dict[str, str] = {
    "ground": "rag.answering.ground:Ground",
    "figures": "rag.answering.figures:Figures",
    "news_time": "rag.answering.news_time:NewsTime",
    "timeline": "rag.answering.timeline:Timeline",
    "constraints": "rag.answering.constraints:Constraints",
    "verify": "rag.answering.verify:Verify",
}


def build_reader(name: str, context: AnswerContext) -> Reader:
    reader: Reader = load_component("reader", name, READERS)(context)
    return reader


def build_checks(names: Sequence[str], context: AnswerContext) -> list[Check]:
    checks: list[Check] = build_components("answer check", "answer_checks", names, CHECKS, context)
    return checks


@dataclass(frozen=True)
class _Read:
    """What running a reader gave: its draft (or what it wrote before failing) and its times."""

    draft: Draft
    error: str | None
    seconds: float
    first_token: float | None


class Answering:
    """Reader, then checks, then the ``Answer``; built once per ``Newsdesk`` and shared between threads."""

    def __init__(self, context: AnswerContext, label: str) -> None:
        settings = context.settings
        self.context = context
        self.label = label  # the generator's name recorded in each Answer
        self.reader = build_reader(settings.reader, context)
        self.choice_reader = build_reader(settings.choice_reader, context)
        self.checks = build_checks(settings.answer_checks, context)

    @property
    def names(self) -> list[str]:
        return [self.reader.name, self.choice_reader.name, *(c.name for c in self.checks)]

    def answer(
        self, retrieval: Retrieval, options: tuple[str, ...], started: float, timings: dict[str, float]
    ) -> Iterator[str | Answer]:
        """Text as it is written, then the checked ``Answer``; a model failure becomes ``Answer.error``.

        ``started`` is when the question was asked (first-token time counts from it);
        ``timings`` holds what came before (condense, retrieve).
        """
        reading = Reading(retrieval, options)
        components: dict[str, float] = {}
        if retrieval.passages:
            reader = self.choice_reader if options else self.reader
            run = yield from self._read(reader, reading, started)
            components[reader.name] = run.seconds
            timings |= {"generate": run.seconds, "first_token": run.first_token}  # type: ignore[dict-item]
        else:  # nothing found: no model call, and grounding abstains on the empty draft
            run = _Read(Draft(""), None, 0.0, None)
        verdict = Verdict(reading, run.draft, run.draft.text)
        if retrieval.filters_match_nothing:  # nothing to check: the filters left no article to read
            from rag.citations import no_match

            verdict = Verdict(reading, run.draft, no_match(retrieval.filters), abstained=True)
        elif run.error is None:
            checking_at = time.perf_counter()
            for check in self.checks:
                at = time.perf_counter()
                verdict = check.run(verdict)
                components[check.name] = components.get(check.name, 0.0) + time.perf_counter() - at
            timings["ground"] = time.perf_counter() - checking_at
        yield self._assemble(verdict, run.error, started, timings, components)

    def _read(self, reader: Reader, reading: Reading, started: float) -> Generator[str, None, _Read]:
        from rag.llm import describe_llm_error

        at = time.perf_counter()
        parts: list[str] = []
        draft: Draft | None = None
        first: float | None = None
        error: str | None = None
        try:
            for event in reader.read(reading):
                if isinstance(event, Draft):
                    draft = event
                    continue
                if first is None:
                    first = time.perf_counter() - started
                parts.append(event)
                yield event
        except NewsdeskError as exc:
            error = str(exc)
        except Exception as exc:  # the client's many error types become one readable line
            error = str(describe_llm_error(exc, self.context.settings))
            log.warning("generation failed: %s", exc)
        if draft is None or error is not None:
            draft = Draft(
                "".join(parts),
                prompt_chars=draft.prompt_chars if draft else 0,
                logprobs=draft.logprobs if draft else (),
            )
        return _Read(draft, error, time.perf_counter() - at, first)

    def _assemble(
        self,
        verdict: Verdict,
        error: str | None,
        started: float,
        timings: dict[str, float],
        components: dict[str, float],
    ) -> Answer:
        from rag.answering.renumber import (
            citation_order,
            renumber_citations,
            renumber_claims,
            renumber_conflicts,
            renumber_text,
        )
        from rag.choices import parse_choice
        from rag.citations import build_citations

        retrieval, draft, options = verdict.reading.retrieval, verdict.draft, verdict.reading.options
        failed_or_abstained = error is not None or verdict.abstained
        text = "" if error is not None else verdict.text
        citations = (
            ()
            if failed_or_abstained
            else build_citations(verdict.numbers, verdict.cited_text, retrieval.passages, dict(draft.quotes))
        )
        # Numbered 1…n in the order the answer cites them, not in retrieval order.
        order = {} if failed_or_abstained else citation_order(text, verdict.numbers)
        text = renumber_text(text, order)
        return Answer(
            question=retrieval.question,
            answer=text,
            abstained=verdict.abstained and error is None,
            citations=renumber_citations(citations, order),
            passages=retrieval.passages,
            invalid_citations=verdict.invalid,
            standalone_question=(
                retrieval.standalone_question if retrieval.standalone_question != retrieval.question else None
            ),
            model=self.label,
            timings=Timings(total=time.perf_counter() - started, components=components, **timings),
            error=error,
            claims=() if failed_or_abstained else renumber_claims(verdict.claims, order),
            prompt_chars=draft.prompt_chars,
            choice=parse_choice(text, options) if options and not failed_or_abstained else None,
            choice_probabilities=draft.probabilities,
            conflicts=() if failed_or_abstained else renumber_conflicts(verdict.conflicts, order),
            draft=draft.text,
            abstain_reason=self._reason(verdict, error),
            support=verdict.support,
            draft_logprobs=draft.logprobs,
        )

    @staticmethod
    def _reason(verdict: Verdict, error: str | None) -> AbstainReason | None:
        if error is not None or not verdict.abstained:
            return None
        return "no_matching_articles" if verdict.reading.retrieval.filters_match_nothing else "not_stated"


__all__ = [
    "CHECKS",
    "READERS",
    "AnswerContext",
    "Answering",
    "Check",
    "Draft",
    "Reader",
    "Reading",
    "Verdict",
    "build_checks",
    "build_reader",
]
