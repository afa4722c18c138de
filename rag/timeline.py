"""Dated lists in the passages, and which of their entries covers a time the question asks about.

Encyclopedic pages list who held a post or what a thing was, each with its years::

    - Jan Monkiewicz , 1996-1997
    - President of the Federal Council : Franco Corleone ( 1993–1997 ) , Massimo Scalia ( 1997–1999 )
    - 1964-1965 - Jacqueline Kennedy

"Who chaired the Federation from 1997 to 1999?" answered "Franco Corleone [1]" names a real
entry of the list, in a passage that speaks of 1997: grounding and the time check both pass it,
yet the list itself says Scalia held the post for the whole span. Here the list is read as
entries (what, from, to), so the answer can be held to the entry's own years.

Years only: "Sep 2007 to Dec 2007" is 2007, and two entries that both cover a year are
both kept as covering it (no entry is chosen over another on months). A single year with no
range ("Władysław Bartoszewicz , 2001") is that year alone; "present" runs to ``PRESENT``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

PRESENT = 9999

_MONTH = (
    r"\b(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?"
)
_YEAR = r"(1[5-9]\d\d|20\d\d)"
_YEAR_RE = re.compile(_YEAR)
_DATE = rf"(?:\d{{1,2}}\s+)?(?:{_MONTH}\s+)?(?:\d{{1,2}}\s*,?\s+)?{_YEAR}"
_RANGE = re.compile(
    rf"(?<![\d#]){_DATE}\s*(?:[–—-]|\bto\b)\s*"
    rf"(?:{_DATE}|(present|now|current)\b|(?:\d{{1,2}}\s+)?{_MONTH}(?!\s*\d)|(\d\d)\b(?!\d))",
    re.IGNORECASE,
)
_LONE_YEAR = re.compile(rf"(?<![\d#–—-]){_YEAR}(?![\d–—-])")
_BULLET = re.compile(r"(?m)^\s*-\s+")
_SUB_ENTRY = re.compile(r"\)\s*,\s*")  # "A ( 1993–1997 ) , B ( 1997–1999 )": one bullet, two entries
_EDGES = " \t\n-–—:,;()"
MIN_ENTRIES = 3  # fewer dated bullets are prose with dates, not a list
MIN_IN_BULLET = 2  # "A ( 1993–1997 ) , B ( 1997–1999 )": two holders in one bullet are a list


@dataclass(frozen=True)
class Entry:
    """One item of a dated list: its words without the dates, its years, and where it is."""

    text: str
    first: int
    last: int
    passage: int  # 1-based, as the model was shown
    start: int  # the item's span in the passage text
    end: int

    def covers(self, first: int, last: int) -> float:
        """The share of the years ``first…last`` that fall within this entry's years."""
        overlap = min(self.last, last) - max(self.first, first) + 1
        return max(0, overlap) / (last - first + 1)


def _span(found: re.Match[str]) -> tuple[int, int]:
    years = [int(y) for y in _YEAR_RE.findall(found.group(0))]
    first = years[0]
    if found.group(found.re.groups - 1):  # "present"
        return first, PRESENT
    if found.group(found.re.groups):  # "2004–05"
        return first, int(str(first)[:2] + found.group(found.re.groups))
    return first, years[1] if len(years) > 1 else first  # "20 April 1940 – 25 November"


def _years_of(item: str) -> tuple[int, int, str] | None:
    """The item's years and its text without them; ``None`` for an item with no year.

    Of two ranges the narrower is the entry's: "Hans-Joachim Bittrich ( 1923–2010 ) , chemist
    ( 1964–1968 )" gives a life and, within it, the years in office.
    """
    ranges = [(m, *_span(m)) for m in _RANGE.finditer(item)]
    ranges = [r for r in ranges if r[1] <= r[2]]
    if ranges:
        found, first, last = min(ranges, key=lambda r: r[2] - r[1])
        rest = item[: found.start()] + " " + item[found.end() :]
        for other, _, _ in ranges:
            if other is not found:
                rest = rest.replace(other.group(0), " ")
    else:
        lone = _LONE_YEAR.findall(item)
        if len(lone) != 1:
            return None
        first = last = int(lone[0])
        rest = _LONE_YEAR.sub(" ", item, count=1)
    rest = re.sub(r"\(\s*\)", " ", rest)
    if " : " in rest:  # "President of the Federal Council : Franco Corleone"
        left, _, right = rest.rpartition(" : ")
        rest = right if right.strip(_EDGES) else left
    text = " ".join(rest.split()).strip(_EDGES)
    return (first, last, text) if text else None


def _items(text: str) -> list[list[tuple[int, int]]]:
    """Spans of the list items of ``text``, grouped: a bullet of several entries is a list of its
    own, and bullets of one entry each form one list in the order they come."""
    starts = [m.end() for m in _BULLET.finditer(text)]
    groups: list[list[tuple[int, int]]] = []
    run: list[tuple[int, int]] = []
    for i, start in enumerate(starts):
        end = text.find("\n", start)
        end = len(text) if end < 0 else end
        if i + 1 < len(starts):
            end = min(end, starts[i + 1])
        pieces, at = [], start
        for cut in _SUB_ENTRY.finditer(text, start, end):
            if text[cut.end() : cut.end() + 1].isupper():  # ", chemist ( 1964–1968 )" goes on
                pieces.append((at, cut.start() + 1))
                at = cut.end()
        pieces.append((at, end))
        if len(pieces) > 1:
            groups.append(pieces)
        else:
            run.append(pieces[0])
    if run:
        groups.append(run)
    return groups


def _one_bullet(text: str, group: Sequence[tuple[int, int]]) -> bool:
    return "\n" not in text[group[0][0] : group[-1][1]]


def dated_lists(passages: Sequence[str]) -> list[list[Entry]]:
    """Every list of at least ``MIN_ENTRIES`` dated entries in the passages, entries in order."""
    lists: list[list[Entry]] = []
    for number, text in enumerate(passages, start=1):
        for group in _items(text):
            entries: list[Entry] = []
            for start, end in group:
                read = _years_of(text[start:end])
                if read is not None:
                    first, last, words = read
                    entries.append(Entry(words, first, last, number, start, end))
            if len(entries) >= (
                MIN_IN_BULLET if len(group) > 1 and _one_bullet(text, group) else MIN_ENTRIES
            ):
                lists.append(entries)
    return lists


def named_entry(answer: str, question: str, lists: Sequence[Sequence[Entry]]) -> tuple[int, Entry] | None:
    """The entry the answer names (its list's index too): the one sharing most of its own key terms
    with what the answer adds to the question, at least half of them; ``None`` if none or a tie."""
    from rag.markers import strip_markers
    from rag.terms import key_terms

    asked = key_terms(question)
    added = key_terms(strip_markers(answer)) - asked
    best: list[tuple[float, int, int, Entry]] = []
    for index, entries in enumerate(lists):
        for entry in entries:
            own = key_terms(entry.text) - asked
            shared = len(own & added)
            if shared and shared / len(own) >= 0.5:
                best.append((shared / len(own), shared, index, entry))
    if not best:
        return None
    best.sort(key=lambda b: (b[0], b[1]), reverse=True)
    if len(best) > 1 and best[0][:2] == best[1][:2] and best[0][3].text != best[1][3].text:
        return None
    return best[0][2], best[0][3]


def label(entry: Entry) -> str:
    """The entry as an answer names it: "Massimo Scalia (1997–1999)", its description left out."""
    name = re.split(r"\s+[-–—]\s+", entry.text)[0]
    name = re.sub(r"\(\s*(?:born|b\.)?\s*\d{4}\s*\)", " ", name)  # "Hans-Heinz Emons ( born 1930 )"
    name = re.sub(r"\s*\([^()]*\)?\s*$", "", name)  # "Ernst Bauer ( Knights Cross )", "( Ap"
    name = " ".join(name.split()).replace(" , ", ", ").replace(" .", ".").strip(_EDGES)
    name = re.sub(r"[\s,;:]+\.?$", "", name)  # "University of British Columbia , ."
    last = "present" if entry.last == PRESENT else str(entry.last)
    years = str(entry.first) if entry.first == entry.last else f"{entry.first}–{last}"
    return f"{name} ({years})"
