"""Multiple-choice questions: lettered options, and which option an answer picked.

``ask(question, choices=[...])`` shows the model the options; the answer's
``choice`` is parsed here, so the API, the UI and evaluation read it alike.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.markers import strip_markers as _strip
from rag.terms import normalize_answer

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def strip_markers(text: str) -> str:
    """The answer without ``[n]`` citation markers, which are not part of what it says."""
    return " ".join(_strip(text or "").split())


def format_options(choices: Sequence[str]) -> str:
    """``A) first`` / ``B) second`` …, one per line."""
    return "\n".join(f"{LETTERS[i]}) {choice}" for i, choice in enumerate(choices))


def parse_choice(text: str, choices: Sequence[str]) -> int | None:
    """The index of the option an answer picked, or ``None`` when it picked none or is ambiguous.

    In order: a leading letter (``B``, ``B)``, ``(B)``, ``B.``, ``B:``); a letter
    after "answer/option/choice (is)"; a parenthesised letter anywhere; else the
    one option whose normalised text the answer contains (when several do, the
    one not contained in another found option, earliest in the answer). Letters
    are uppercase and must name an existing option.
    """
    text = strip_markers(text)
    if not text or not choices:
        return None
    valid = LETTERS[: len(choices)]

    def pick(match: re.Match[str] | None) -> int | None:
        if match and match.group(1) in valid:
            return valid.index(match.group(1))
        return None

    patterns = (
        r"^\W{0,3}\(?([A-Z])(?:\)|\.|:|\]|\*|,|$|\s*[-–—]\s)",
        r"(?i:\b(?:answer|option|choice)\b(?:\s+is)?\s*[:\-]?\s*)\(?([A-Z])\b(?![’'-])",
        r"\(([A-Z])\)",
    )
    for pattern in patterns:
        found = pick(re.search(pattern, text.strip()))
        if found is not None:
            return found
    answer = f" {normalize_answer(text)} "
    hits = []
    for index, choice in enumerate(choices):
        needle = normalize_answer(choice)
        position = answer.find(f" {needle} ") if needle else -1
        if position >= 0:
            hits.append((index, needle, position))
    if not hits:
        return None
    unique = [h for h in hits if not any(h[1] != o[1] and f" {h[1]} " in f" {o[1]} " for o in hits)]
    return min(unique or hits, key=lambda h: h[2])[0]
