"""Where answers go wrong: was the answer in front of the model, and what did the model do with it?

Every question lands in exactly one cell of (answer shown / not shown /
unanswerable / failed) × (correct / wrong / abstained), so a pipeline's misses
split into retrieval misses (not shown) and reading misses (shown, but wrong or
abstained). Counts, not rates: the cells add up to the number of questions.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

ROWS = ("answer shown", "answer not shown", "unanswerable", "failed")
OUTCOMES = ("correct", "wrong", "abstained")
DEFINITION = (
    "Each question counted once. Rows: 'answer shown' = answerable and a passage given to the model "
    "contains an acceptable answer (metrics.contains_answer, i.e. answer_recall_at_k = 1); 'answer not "
    "shown' = answerable, passages recorded, none contains one; 'unanswerable' = no acceptable answer; "
    "'failed' = asking raised, nothing recorded. Columns: 'abstained' = Answer.abstained (for an "
    "unanswerable question this is the right outcome), else 'correct' = scored correct, else 'wrong' "
    "(generation errors included)."
)


def row_of(record: Mapping[str, Any]) -> str:
    if record.get("unanswerable"):
        return "unanswerable"
    if record.get("failed") or record.get("answer_recall_at_k") is None:
        return "failed"
    return "answer shown" if record["answer_recall_at_k"] else "answer not shown"


def outcome_of(record: Mapping[str, Any]) -> str:
    if record.get("abstained"):
        return "abstained"
    return "correct" if record.get("correct") else "wrong"


def slices(records: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, int]]:
    """``{row: {outcome: count}}`` over every row and outcome (zeros included)."""
    counts = {row: dict.fromkeys(OUTCOMES, 0) for row in ROWS}
    for record in records:
        counts[row_of(record)][outcome_of(record)] += 1
    return counts
