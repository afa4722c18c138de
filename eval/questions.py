"""The one question type every question-set format is turned into."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, ConfigDict, model_validator


def _as_tuple(value: Any) -> tuple[str, ...]:
    """Accepts a string, a list or nothing, so hand-written sets may say ``"answers": "850"``."""
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    return tuple(s for s in (str(v).strip() for v in value) if s)


class Question(BaseModel):
    """One evaluation question.

    ``answers`` are the acceptable answer strings (any one is enough); an empty
    ``answers`` or ``unanswerable=True`` marks a question the articles cannot
    answer, where abstaining is the right response. ``sources`` are article ids,
    URLs or titles of the articles that hold the answer. ``choices`` with
    ``answer_index`` make it a multiple-choice question.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    question: str
    answers: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    type: str | None = None
    choices: tuple[str, ...] = ()
    answer_index: int | None = None
    unanswerable: bool = False
    # News time: the day the question was asked (RealTimeQA's question_date). A run asks it
    # "as of" that day, so articles published later are not seen and recent ones are preferred.
    as_of: date | None = None

    @model_validator(mode="before")
    @classmethod
    def _clean(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        data = dict(data)
        for key in ("answers", "sources", "choices"):
            if key in data:
                data[key] = _as_tuple(data[key])
        for key in ("id", "question"):
            if isinstance(data.get(key), (str, int)):
                data[key] = str(data[key]).strip()
        if isinstance(data.get("type"), str):
            data["type"] = data["type"].strip() or None
        index = data.get("answer_index")
        if isinstance(index, str):
            data["answer_index"] = int(index) if index.strip() else None
            index = data["answer_index"]
        choices = data.get("choices") or ()
        if index is not None and not data.get("answers") and 0 <= int(index) < len(choices):
            # A multiple-choice question's acceptable open answer is its correct option.
            data["answers"] = (choices[int(index)],)
        if not data.get("answers"):
            data["unanswerable"] = True
        return data

    @model_validator(mode="after")
    def _check(self) -> Question:
        if not self.id:
            raise ValueError("a question needs an id")
        if not self.question:
            raise ValueError(f"question {self.id!r} has no text")
        if self.answer_index is not None and not 0 <= self.answer_index < len(self.choices):
            raise ValueError(
                f"question {self.id!r}: answer_index {self.answer_index} is not an index of choices"
            )
        return self

    @property
    def expected(self) -> tuple[str, ...]:
        """The answers to score against: none for an unanswerable question."""
        return () if self.unanswerable else self.answers

    @property
    def is_multiple_choice(self) -> bool:
        return bool(self.choices) and self.answer_index is not None

    @property
    def type_label(self) -> str:
        """The group a question is reported under."""
        return self.type or "untyped"
