"""The citation marker grammar: ``[2]``, ``[1, 3]``, ``[1; 3]``, ``[1][3]``.

One home for the pattern, used by grounding (what the model wrote), the UI
(markers become links) and evaluation (which passages an answer cites).
"""

from __future__ import annotations

import re
from collections.abc import Callable

MARKER = re.compile(r"\[\s*(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\s*\]")
_SEPARATOR = re.compile(r"\s*[,;]\s*")


def numbers_in(match: re.Match[str]) -> list[int]:
    """The passage numbers of one marker match."""
    return [int(n) for n in _SEPARATOR.split(match.group(1))]


def cited_numbers(text: str) -> list[int]:
    """Every number cited in ``text``, in order of first use, without repeats."""
    seen: dict[int, None] = {}
    for match in MARKER.finditer(text):
        for n in numbers_in(match):
            seen.setdefault(n, None)
    return list(seen)


def strip_markers(text: str) -> str:
    return MARKER.sub("", text)


def rewrite_markers(text: str, fn: Callable[[list[int]], str]) -> str:
    """Replaces each marker by ``fn(its numbers)``; ``fn`` returns the new marker text (or "")."""
    return MARKER.sub(lambda m: fn(numbers_in(m)), text)


def format_marker(numbers: list[int]) -> str:
    """``[1][3]``: one bracket per number, the form the UI links and the grammar reads back."""
    return "".join(f"[{n}]" for n in numbers)
