"""Reader-only evaluation on frozen evidence: the passages an earlier run recorded, read again.

An earlier run's ``results.jsonl`` holds, per question, the passages the model
was shown (text included). ``FrozenDesk`` answers each question from exactly
those passages through the reader's ``answer_from(question, passages,
choices=...)``, never retrieving, so prompt and model changes are measured on
the same evidence and in a fraction of the time. It plugs into
``eval.runner.run`` like any desk: same scoring, same reports, same resume.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Protocol

from eval.questions import Question
from eval.resume import RESULTS, read_results
from rag.errors import NewsdeskError
from rag.inputs import as_filters
from rag.types import Answer, Passage, Retrieval


class FrozenEvidenceError(NewsdeskError):
    """The earlier run cannot be read again: no results, or passages recorded without their text."""


class Reader(Protocol):
    def answer_from(
        self,
        question: str,
        passages: Sequence[Passage],
        *,
        choices: Sequence[str] = (),
        as_of: date | None = None,
    ) -> Answer: ...

    def describe(self) -> dict[str, str]: ...


def passage_of(record: dict[str, Any]) -> Passage:
    """A recorded passage back as a ``Passage``."""
    published = record.get("published")
    return Passage(
        chunk_id=str(record.get("chunk_id") or ""),
        article_id=str(record.get("article_id") or ""),
        title=str(record.get("title") or ""),
        text=str(record["text"]),
        start=int(record.get("start") or 0),
        end=int(record.get("end") or len(record["text"])),
        score=float(record.get("score") or 0.0),
        url=record.get("url"),
        published=date.fromisoformat(published) if published else None,
        source=record.get("source"),
    )


def question_of(record: dict[str, Any]) -> Question:
    """The question a recorded result was asked for, as the runner scored it."""
    unanswerable = bool(record.get("unanswerable"))
    return Question(
        id=str(record["id"]),
        question=str(record["question"]),
        answers=tuple(record.get("expected") or ()),
        sources=tuple(record.get("sources") or ()),
        type=record.get("type"),
        choices=tuple(record.get("choices") or ()),
        answer_index=record.get("answer_index"),
        unanswerable=unanswerable,
        as_of=record.get("as_of"),  # runs recorded before news time was kept have none
    )


def load_evidence(run_dir: Path | str) -> tuple[list[Question], dict[str, tuple[Passage, ...]]]:
    """The questions of an earlier run and, by question text, the passages its model was shown.

    Failed questions (nothing was retrieved) are left out. Refuses results
    recorded before passages carried their text, and one text recorded with two
    different evidence lists.
    """
    path = Path(run_dir) / RESULTS
    records = [r for r in read_results(path).values() if not r.get("failed")]
    if not records:
        raise FrozenEvidenceError(f"{path}: no recorded answers to take the evidence from")
    questions: list[Question] = []
    evidence: dict[str, tuple[Passage, ...]] = {}
    for record in records:
        shown = record.get("passages") or []
        if any("text" not in p for p in shown):
            raise FrozenEvidenceError(
                f"{path}: passages were recorded without their text (an older run); rerun it to freeze evidence"
            )
        passages = tuple(passage_of(p) for p in shown)
        question = question_of(record)
        if evidence.setdefault(question.question, passages) != passages:
            raise FrozenEvidenceError(f"{path}: {question.question!r} was recorded with two evidence lists")
        questions.append(question)
    return questions, evidence


class FrozenDesk:
    """Answers from recorded passages through ``reader.answer_from``; any retrieval is an error."""

    def __init__(self, reader: Reader, evidence: dict[str, tuple[Passage, ...]]) -> None:
        self.reader = reader
        self.evidence = evidence
        self.cites = getattr(reader, "cites", True)

    def ask(
        self,
        question: str,
        *,
        k: int | None = None,
        choices: Sequence[str] = (),
        filters: dict[str, Any] | None = None,
        **_: Any,
    ) -> Answer:
        """The recorded passages read again; the question's day (news time) is passed on, as ``ask`` would."""
        passages = self.evidence[question]
        day = as_filters(filters)
        as_of = day.as_of if day is not None else None
        return self.reader.answer_from(
            question, passages[:k] if k else passages, choices=choices, as_of=as_of
        )

    def ask_stream(self, question: str, **kwargs: Any) -> Iterator[Any]:
        yield self.ask(question, **kwargs)

    def retrieve(self, question: str, **_: Any) -> Retrieval:
        raise FrozenEvidenceError("a reader-only run never retrieves")

    def describe(self) -> dict[str, str]:
        return dict(self.reader.describe()) | {"retrieval": "none: frozen evidence"}
