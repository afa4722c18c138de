"""Figures the passages disagree on: surfaced in the answer, never silently picked.

A planted or mistaken article can state a different number for the same
thing ("9,999 anti-tank missile launchers" beside the real "2,000"). For each
number in the answer, the words that follow it in the passage it cites name
the thing counted; another passage giving a different number followed by the
same words disagrees. The answer then says so, citing both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from rag.markers import cited_numbers, strip_markers
from rag.terms import STOP
from rag.types import Conflict

_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w]|[.,]\d)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# Words between a number and the thing it counts that say nothing about which thing it is.
_FILLER = frozenset("more new extra additional of the some about around nearly almost over".split())
THING_WORDS = 2  # how many words after a number must match for two counts to be of the same thing
SHOWN_WORDS = 4  # how many are shown when saying what the sources disagree on
_YEAR = re.compile(r"(19|20)\d\d")  # "in 2013 Djokovic won" and "in 2011 Djokovic won" are two events


def _plain(number: str) -> str:
    return number.replace(",", "")


def _words_after(text: str, end: int) -> list[str]:
    words = [w.lower() for w in _WORD.findall(text[end : end + 80])]
    return [w for w in words if w not in _FILLER][:SHOWN_WORDS]


def _counts(text: str) -> list[tuple[str, tuple[str, ...], str]]:
    """Each number in ``text`` (years aside) with the words naming what it counts, and those shown."""
    found = []
    for match in _NUMBER.finditer(text):
        if _YEAR.fullmatch(match.group(1)):
            continue
        words = _words_after(text, match.end())
        if len(words) >= THING_WORDS:
            shown = list(words)
            while len(shown) > THING_WORDS and shown[-1] in STOP:
                shown.pop()
            found.append((_plain(match.group(1)), tuple(words[:THING_WORDS]), " ".join(shown)))
    return found


def find_conflicts(answer: str, passages: Sequence[str]) -> list[Conflict]:
    """Numbers the answer states whose counted thing another passage gives a different number for."""
    cited = [n for n in cited_numbers(answer) if 1 <= n <= len(passages)]
    stated = {_plain(m.group(1)) for m in _NUMBER.finditer(strip_markers(answer))}
    conflicts: list[Conflict] = []
    seen: set[tuple[str, str, tuple[str, ...]]] = set()
    for n in cited:
        for value, thing, shown in _counts(passages[n - 1]):
            if value not in stated:
                continue
            for other, text in enumerate(passages, start=1):
                if other == n:
                    continue
                for other_value, other_thing, _ in _counts(text):
                    key = (value, other_value, thing)
                    if other_thing == thing and other_value != value and key not in seen:
                        seen.add(key)
                        conflicts.append(
                            Conflict(
                                about=shown,
                                value=value,
                                passage=n,
                                other_value=other_value,
                                other_passage=other,
                            )
                        )
    return conflicts


def conflict_note(conflicts: Sequence[Conflict]) -> str:
    """One sentence naming each disagreement with both citations."""
    parts = [
        f"[{c.passage}] gives {int(c.value):,} {c.about} but [{c.other_passage}] gives {int(c.other_value):,}"
        if c.value.isdigit() and c.other_value.isdigit()
        else f"[{c.passage}] gives {c.value} {c.about} but [{c.other_passage}] gives {c.other_value}"
        for c in conflicts
    ]
    return "Sources disagree: " + "; ".join(parts) + "."
