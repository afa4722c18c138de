"""Citations numbered 1…n in the order the answer cites them, after every check.

The model reads the passages numbered in retrieval order, so its markers follow that order: a
follow-up's answer could cite "[2]" with no "[1]". Once the checks are done, the first
passage cited becomes [1], the next new one [2], and so on, in the text, the claims, the
conflicts and the citations alike; each citation keeps the passage's retrieval position as
``Citation.shown`` (``Answer.passages`` stays in retrieval order, cited or not).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from rag.markers import cited_numbers, format_marker, rewrite_markers
from rag.types import Citation, Claim, Conflict


def citation_order(text: str, numbers: Sequence[int]) -> dict[int, int]:
    """Retrieval position -> new number: the text's markers in order of first use, then any
    cited passage the text does not mark."""
    order = [n for n in cited_numbers(text) if n in numbers]
    order += [n for n in numbers if n not in order]
    return {shown: new for new, shown in enumerate(order, start=1)}


def renumber_text(text: str, order: Mapping[int, int]) -> str:
    """``text`` with each marker naming a cited passage given its new number (others left as they are)."""
    return rewrite_markers(text, lambda ns: format_marker([order.get(n, n) for n in ns]))


def renumber_claims(claims: Sequence[Claim], order: Mapping[int, int]) -> tuple[Claim, ...]:
    return tuple(
        c.model_copy(
            update={
                "text": renumber_text(c.text, order),
                "passages": tuple(order.get(n, n) for n in c.passages),
            }
        )
        for c in claims
    )


def renumber_conflicts(conflicts: Sequence[Conflict], order: Mapping[int, int]) -> tuple[Conflict, ...]:
    return tuple(
        c.model_copy(
            update={
                "passage": order.get(c.passage, c.passage),
                "other_passage": order.get(c.other_passage, c.other_passage),
            }
        )
        for c in conflicts
    )


def renumber_citations(citations: Sequence[Citation], order: Mapping[int, int]) -> tuple[Citation, ...]:
    """Citations built with retrieval positions, numbered anew and sorted by their new number."""
    moved = [
        c.model_copy(update={"number": order.get(c.number, c.number), "shown": c.number}) for c in citations
    ]
    return tuple(sorted(moved, key=lambda c: c.number))
