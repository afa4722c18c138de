"""What a caller may ask: the question, k, the options and the filters, checked once at the edge.

Each failure is a ``QuestionError`` whose message a person can act on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rag.errors import QuestionError
from rag.types import Filters

MAX_K = 50  # passages per question: more would not fit the model's context


MAX_CHOICES = 26  # lettered A to Z


def check_choices(choices: Sequence[str]) -> tuple[str, ...]:
    if isinstance(choices, str):
        raise QuestionError("choices must be a list of options, not one string")
    options = tuple(" ".join(str(c).split()) for c in choices)
    if options and not 2 <= len(options) <= MAX_CHOICES:
        raise QuestionError(
            f"a multiple-choice question needs 2 to {MAX_CHOICES} options, not {len(options)}"
        )
    if any(not o for o in options):
        raise QuestionError("an option is empty")
    return options


def check_question(question: str, limit: int) -> str:
    if not isinstance(question, str) or not question.strip():
        raise QuestionError("the question is empty")
    question = " ".join(question.split())
    if len(question) > limit:
        raise QuestionError(f"the question is too long ({len(question)} characters; the limit is {limit})")
    return question


def check_k(k: int | None, default: int) -> int:
    if k is None:
        return default
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
        raise QuestionError(f"k must be a whole number from 1 to {MAX_K}, not {k!r}")
    return k


def as_filters(filters: Filters | dict[str, Any] | None) -> Filters | None:
    if filters is None or isinstance(filters, Filters):
        return filters
    try:
        return Filters.model_validate(filters)
    except Exception as exc:
        raise QuestionError(f"invalid filters: {exc}") from None
