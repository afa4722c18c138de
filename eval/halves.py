"""A question set split once into a tuning half and a report half: tune on one, report the other.

A question's half is decided by its id alone, through a salted sha256, so it never depends on the
file's order, on ``--seed`` or on ``--limit``: the same question is always in the same half, and
``--seed``/``--limit`` then pick within the chosen half. Choices made while looking at the tuning
half's answers (prompts, k, thresholds) are then measured on questions they were never tuned on.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any, Literal

from eval.questions import Question

Half = Literal["tune", "report", "all"]
HALVES: tuple[Half, ...] = ("tune", "report", "all")
SALT = "newsdesk-half:"
DEFINITION = (
    f'a question is in the report half when the first byte of sha256("{SALT}" + its id) is odd, '
    "in the tune half when it is even: fixed for a set, whatever its order, --seed or --limit"
)


def half_of(question_id: str) -> Literal["tune", "report"]:
    """The half a question id belongs to, the same on every machine and in every run."""
    first = hashlib.sha256((SALT + question_id).encode("utf-8")).digest()[0]
    return "report" if first & 1 else "tune"


def check(half: str) -> Half:
    """``half`` when it names a half (``tune``, ``report`` or ``all``), else ValueError."""
    for name in HALVES:
        if half == name:
            return name
    raise ValueError(f"--half must be one of {', '.join(HALVES)}, got {half!r}")


def pick(questions: Sequence[Question], half: str) -> list[Question]:
    """The questions of ``half`` in their given order; ``all`` keeps every question."""
    if check(half) == "all":
        return list(questions)
    return [q for q in questions if half_of(q.id) == half]


def identity(half: str) -> dict[str, str]:
    """What a resume must match: the half, when one is chosen (``all`` adds nothing, as before)."""
    return {} if check(half) == "all" else {"half": half}


def describe(half: str, kept: int, total: int) -> dict[str, Any]:
    """The report's facts about the half (nothing for ``all``)."""
    if check(half) == "all":
        return {}
    return {"half": f"{half}: {kept} of {total} questions; {DEFINITION}"}
