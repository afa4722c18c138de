"""``Desk``: the one interface the UI, evaluation and benchmarks use to reach newsdesk.

``rag.api.Newsdesk`` implements it; tests pass fakes with the methods they
need. Declared once, here, so the layers above cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from rag.types import Answer, Article, Filters, IngestReport, Passage, Retrieval

History = Sequence[tuple[str, str]]  # (user question, assistant answer) pairs, oldest first
StreamEvent = Retrieval | str | Answer  # ask_stream yields: one Retrieval, text deltas, one Answer
Progress = Callable[[int, int, str], None]  # (done, total, current item name)
FiltersLike = Filters | dict[str, Any] | None


def final_answer(events: Iterable[StreamEvent]) -> Answer:
    """Runs a stream of ``ask_stream`` events to its end and returns its final ``Answer``."""
    final: Answer | None = None
    for event in events:
        if isinstance(event, Answer):
            final = event
    if final is None:
        raise RuntimeError("the answer stream ended without an Answer")
    return final


class Desk(Protocol):
    def ask(
        self,
        question: str,
        *,
        history: History = (),
        k: int | None = None,
        filters: FiltersLike = None,
        choices: Sequence[str] = (),
    ) -> Answer: ...

    def ask_stream(
        self,
        question: str,
        *,
        history: History = (),
        k: int | None = None,
        filters: FiltersLike = None,
        choices: Sequence[str] = (),
    ) -> Iterator[StreamEvent]: ...

    def retrieve(
        self, question: str, *, history: History = (), k: int | None = None, filters: FiltersLike = None
    ) -> Retrieval: ...

    def answer_from(
        self,
        question: str,
        passages: Sequence[Passage],
        *,
        choices: Sequence[str] = (),
        as_of: date | None = None,
    ) -> Answer: ...

    def ingest(self, paths: Sequence[Path | str], *, progress: Progress | None = None) -> IngestReport: ...

    def ingest_articles(
        self, articles: Iterable[Article], *, progress: Progress | None = None
    ) -> IngestReport: ...

    def list_articles(self) -> list[dict[str, Any]]: ...

    def delete_article(self, article_id: str) -> int: ...

    def stats(self) -> dict[str, int]: ...

    def sources(self) -> list[str]: ...

    def describe(self) -> dict[str, str]: ...

    def close(self) -> None: ...
