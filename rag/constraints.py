"""The time a question states, and whether the evidence speaks of it.

"Who won the women's singles at Wimbledon in 2019?" answered from a 2022 report names the
right tournament and the wrong year: every name of the question is in the passage, so
grounding passes it. The question's own time is its constraint: a year ("in 2019"), a span
("from 2004 to 2005"), a quarter ("Q1 2021") or a season ("Season 17"). Each must be found in
the evidence an answer cites: its text, its title or its date.

A year counts as found when the evidence names it, when the evidence's years bracket it
("from 2003 to 2008" holds 2005), or when the report is dated that year. That is lenient on
purpose: a constraint that is missed lets an answer through as before; one that is wrongly
unmet costs a right answer. Where the sentences that state the answer name times of their
own, those must fit too: a page about every season of a career speaks of the asked year,
the sentence naming the answer's club may not.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from rag.terms import NUMBER_WORDS

_YEAR = r"(1[5-9]\d\d|20\d\d)"
_YEAR_RE = re.compile(rf"(?<![\d.,$£€]){_YEAR}(?!\d|[,.]\d)")
# "2004–05", "2004-2005", "2004/05": the second year of a span written short.
_SHORT_SPAN = re.compile(rf"\b{_YEAR}\s*[-–—/]\s*(\d\d)\b(?!\d)")
_SPAN = re.compile(
    rf"\b(?:from|between)\s+(?:\w+\s+){{0,2}}{_YEAR}\s+(?:to|and|until|till|through)\s+(?:\w+\s+){{0,2}}{_YEAR}\b"
    rf"|\b{_YEAR}\s*[-–—]\s*{_YEAR}\b",
    re.IGNORECASE,
)
_ORDINALS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7, "eighth": 8,
    "ninth": 9, "tenth": 10, "eleventh": 11, "twelfth": 12, "thirteenth": 13, "fourteenth": 14,
    "fifteenth": 15, "sixteenth": 16, "seventeenth": 17, "eighteenth": 18, "nineteenth": 19, "twentieth": 20,
}  # fmt: skip
_CARDINALS = {word: int(digits) for word, digits in NUMBER_WORDS.items()}  # "season eleven"
_NUMBER = r"(\d{1,3}|" + "|".join(_CARDINALS) + ")"
_ORDINAL = r"(\d{1,3})(?:st|nd|rd|th)|(" + "|".join(_ORDINALS) + ")"
_SEASON_AFTER = re.compile(rf"\bseason\s+{_NUMBER}\b", re.IGNORECASE)
_SEASON_BEFORE = re.compile(rf"\b(?:{_ORDINAL})\s+season\b", re.IGNORECASE)
_QUARTER_SHORT = re.compile(r"\bQ([1-4])\b")
_QUARTER_WORDS = re.compile(r"\b(first|second|third|fourth)[\s-]quarter\b", re.IGNORECASE)


@dataclass(frozen=True)
class Constraint:
    """One time the question states: ``kind`` is year, span, quarter or season; ``text`` as asked."""

    kind: str
    text: str
    first: int  # the year, the span's first year, the quarter's number, the season's number
    last: int | None = None  # the span's last year, the quarter's year (when given)


def _number(word: str) -> int:
    return int(word) if word.isdigit() else _CARDINALS.get(word.lower(), _ORDINALS.get(word.lower(), 0))


def _years(text: str) -> set[int]:
    found = {int(y) for y in _YEAR_RE.findall(text)}
    for start, short in _SHORT_SPAN.findall(text):
        end = int(start[:2] + short)
        if int(start) < end <= int(start) + 20:
            found.add(end)
    return found


def _seasons(text: str) -> set[int]:
    found = {_number(n) for n in _SEASON_AFTER.findall(text)}
    found |= {_number(digits or word) for digits, word in _SEASON_BEFORE.findall(text)}
    return found - {0}


def _quarters(text: str) -> set[int]:
    return {int(q) for q in _QUARTER_SHORT.findall(text)} | {
        _ORDINALS[w.lower()] for w in _QUARTER_WORDS.findall(text)
    }


def question_constraints(question: str) -> tuple[Constraint, ...]:
    """The years, spans, quarters and seasons ``question`` states, in the order it states them."""
    found: list[Constraint] = []
    spanned: set[int] = set()
    for match in _SPAN.finditer(question):
        a, b = (int(y) for y in match.groups() if y)
        if a < b:
            found.append(Constraint("span", match.group(0), a, b))
            spanned |= {a, b}
    for match in _SHORT_SPAN.finditer(question):  # "the 2003-04 season"
        a = int(match.group(1))
        b = int(match.group(1)[:2] + match.group(2))
        if a < b <= a + 20 and a not in spanned:
            found.append(Constraint("span", match.group(0), a, b))
            spanned |= {a, b}
    quarters = sorted(_quarters(question))
    years = [y for y in _years(question) if y not in spanned]
    if quarters:
        year = years[0] if len(years) == 1 else None
        text = f"Q{quarters[0]}" + (f" {year}" if year else "")
        found.append(Constraint("quarter", text, quarters[0], year))
    found += [Constraint("year", str(y), y) for y in sorted(years)]
    found += [Constraint("season", f"season {n}", n) for n in sorted(_seasons(question))]
    return tuple(found)


@dataclass(frozen=True)
class Evidence:
    """What the cited passages speak of: their years (text, title and date), seasons and quarters."""

    years: frozenset[int]
    dated: frozenset[int]  # the years the reports are dated
    seasons: frozenset[int]
    quarters: frozenset[int]

    @classmethod
    def of(cls, texts: Iterable[str], published: Iterable[date | None]) -> Evidence:
        body = "\n".join(texts)
        dated = frozenset(d.year for d in published if d is not None)
        return cls(frozenset(_years(body)), dated, frozenset(_seasons(body)), frozenset(_quarters(body)))

    def has_year(self, year: int) -> bool:
        if year in self.years or year in self.dated:
            return True
        return bool(self.years) and min(self.years) <= year <= max(self.years) and len(self.years) > 1

    def meets(self, constraint: Constraint) -> bool:
        if constraint.kind == "year":
            return self.has_year(constraint.first)
        if constraint.kind == "span":
            return any(
                self.has_year(y) for y in range(constraint.first, (constraint.last or constraint.first) + 1)
            )
        if constraint.kind == "season":
            return constraint.first in self.seasons
        # A quarter: the same quarter named, in the asked year when one was asked.
        return constraint.first in self.quarters and (
            constraint.last is None or self.has_year(constraint.last)
        )

    def speaks_of(self, constraint: Constraint) -> str:
        """What the evidence holds instead, in the words of the constraint's kind ("" if nothing)."""
        if constraint.kind == "season":
            return ", ".join(f"season {n}" for n in sorted(self.seasons)[:3])
        if constraint.kind == "quarter" and self.quarters:
            return ", ".join(f"Q{q}" for q in sorted(self.quarters)) + (
                f" {', '.join(map(str, sorted(self.years | self.dated)[-2:]))}"
                if self.years | self.dated
                else ""
            )
        years = sorted(self.years | self.dated)
        return ", ".join(map(str, years[-3:]))


def unmet(constraints: Sequence[Constraint], evidence: Evidence) -> list[Constraint]:
    return [c for c in constraints if not evidence.meets(c)]


def stating_sentences(answer: str, question: str, passages: Sequence[str]) -> list[str]:
    """The passages' sentences that hold a fact the answer adds to the question (a name, a figure).

    TimeQA's pages hold every period of a relation ("A from 2001 to 2004, then B from 2005
    to 2008"): the page speaks of the asked year, but the sentence naming the answer may not.
    """
    from rag.markers import strip_markers
    from rag.sentences import sentence_spans
    from rag.terms import key_terms

    added = {t for t in key_terms(strip_markers(answer)) - key_terms(question) if not t.isdigit()}
    if not added:
        return []
    found = []
    for passage in passages:
        for start, end in sentence_spans(passage):
            sentence = passage[start:end]
            if any(term in sentence.lower() for term in added):
                found.append(sentence)
    return found


def unmet_where_stated(constraints: Sequence[Constraint], sentences: Sequence[str]) -> list[Constraint]:
    """The constraints the answer's own sentences contradict: they name times of that kind, none fits.

    A kind the sentences don't mention (no year, no season) says nothing either way.
    """
    evidence = Evidence.of(sentences, [])
    mentioned = {
        "year": bool(evidence.years),
        "span": bool(evidence.years),
        "season": bool(evidence.seasons),
        "quarter": bool(evidence.quarters),
    }
    return [c for c in constraints if mentioned[c.kind] and not evidence.meets(c)]
