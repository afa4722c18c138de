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
THING_WORDS = 3  # content words after a number that must match for two counts to be of the same thing
SHOWN_WORDS = 4  # how many are shown when saying what the sources disagree on
_YEAR = re.compile(r"(19|20)\d\d")  # "in 2013 Djokovic won" and "in 2011 Djokovic won" are two events


def _plain(number: str) -> str:
    return number.replace(",", "")


def _words_after(text: str, end: int) -> list[str]:
    """The words after a number, up to the end of its clause, less fillers."""
    clause = re.split(r"[.;:!?]|,\s", text[end : end + 100], maxsplit=1)[0]
    return [w.lower() for w in _WORD.findall(clause) if w.lower() not in _FILLER]


def _counts(text: str) -> list[tuple[str, tuple[str, ...], str]]:
    """Each number in ``text`` (years aside) with the words naming what it counts, and those shown.

    The thing counted is the first ``THING_WORDS`` content words after the number ("troops
    stationed estonia" and "troops stationed poland" are different things).
    """
    found = []
    for match in _NUMBER.finditer(text):
        if _YEAR.fullmatch(match.group(1)):
            continue
        words = _words_after(text, match.end())
        content = [w for w in words if w not in STOP]
        if len(content) >= THING_WORDS:
            key = tuple(content[:THING_WORDS])
            shown = words[: words.index(key[-1]) + 1]
            found.append((_plain(match.group(1)), key, " ".join(shown)))
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


def _figure(value: str) -> str:
    return f"{int(value):,}" if value.isdigit() else value


def conflict_note(conflicts: Sequence[Conflict]) -> str:
    """The answer when the passages disagree on its figure: both sides, each cited, neither picked."""
    parts = [
        f"[{c.passage}] gives {_figure(c.value)} {c.about}, [{c.other_passage}] gives {_figure(c.other_value)}"
        for c in conflicts
    ]
    return "The sources disagree: " + "; ".join(parts) + "."
