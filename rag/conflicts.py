"""Figures the passages disagree on: surfaced in the answer, never silently picked.

A planted or mistaken article can state a different number for the same
thing ("9,999 anti-tank missile launchers" beside the real "2,000"). For each
number in the answer, the words that follow it in the passage it cites name
the thing counted; another passage giving a different number followed by the
same words disagrees. The answer then says so, citing both.

A conflict is the same quantity of the same thing: labels ("season 17", "Game 7"), the day
of a date, times of day, years and ordinals are no quantities, and a percent, a sum of
money and a count never disagree with each other.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.markers import cited_numbers, strip_markers
from rag.terms import STOP
from rag.types import Conflict

_NUMBER = re.compile(r"(?<![\w.,])(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?![\w]|[.,]\d)")
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# "2 million", "1.5 billion": a figure then its scale word.
_SCALED = re.compile(r"(?<![\w.,])(\d+(?:\.\d+)?)\s+(thousand|million|billion|trillion)\b", re.IGNORECASE)
_SCALES = {"thousand": 10**3, "million": 10**6, "billion": 10**9, "trillion": 10**12}
# Words between a number and the thing it counts that say nothing about which thing it is.
_FILLER = frozenset("more new extra additional of the some about around nearly almost over".split())
WINDOW = 6  # words after a number that may name the thing it counts
# Words that, right after a figure, say where or when it is: the counted noun was left out.
_PLACE_WORDS = frozenset(
    "near across along inside outside within under behind beside between toward towards".split()
)
_NAMED = re.compile(r"\b[A-Z][\w'’]*[- ]$")
# Adjectives of nationality ("British troops"): whose the thing is, not which thing.
_DEMONYM = ("ish", "ian", "ese", "ican", "ean")
# Between two figures of one list: "850 troops stationed in Estonia and about 150".
_JOINED = re.compile(r"[^.;:!?\d]{0,60}\b(?:and|or)\s+(?:about|around|nearly|almost|some|over)?\s*")
_NOT_COUNTED = STOP | _PLACE_WORDS  # a figure followed by one of these counts nothing named after it
_NOT_ACTING = STOP | _FILLER  # words before a figure that say nothing of who did what
BEFORE_WORDS = 8  # words before a number that say who counted or did what ("Russia has amassed")
BEFORE_AGREE = 3  # of their content words, how many two figures with an elided noun must share
SHOWN_WORDS = 3  # content words shown when saying what the sources disagree on
_YEAR = re.compile(r"(19|20)\d\d")  # "in 2013 Djokovic won" and "in 2011 Djokovic won" are two events
# Words before a number that make it the name of one of a series ("Season 17", "Game 7"): a label, no quantity.
_LABELS = frozenset(
    "season episode game chapter part round week day stage phase volume vol no number issue act level "
    "series book grade page section article version match leg race heat lap flight route room term".split()
)
_MONTHS = frozenset(
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
_WORD_BEFORE = re.compile(r"([A-Za-z]+)\.?\s*$")
_WORD_AFTER = re.compile(r"^\s*([A-Za-z]+)")
_CLOCK = re.compile(r"^(?::\d|\s*[ap]\.?m\b)", re.IGNORECASE)  # "9:30", "7 pm"
_PERCENT = re.compile(r"^\s*(?:%|per\s?cent\b|percentage\b)", re.IGNORECASE)
_CURRENCY = re.compile(r"(?:[$£€¥]|\b(?:US|USD|EUR|GBP|Rs)\s?)$")
_MONEY_AFTER = re.compile(r"^\s*(?:dollars?|pounds?|euros?|yen|cents?|pence)\b", re.IGNORECASE)


def _not_a_quantity(text: str, start: int, end: int) -> bool:
    """A number that names rather than counts: a label ("season 17", "Game 7"), the day of a date
    ("July 7, 2018", "7 July") or a time of day ("9:30", "7 pm"). Years and ordinals ("17th")
    are never read as numbers at all."""
    before = _WORD_BEFORE.search(text[max(0, start - 20) : start])
    after = _WORD_AFTER.match(text[end : end + 20])
    word_before = before.group(1).lower() if before else ""
    return (
        word_before in _LABELS
        or word_before in _MONTHS
        or bool(after and after.group(1).lower() in _MONTHS)
        or text[start - 1 : start] == ":"
        or bool(_CLOCK.match(text[end : end + 6]))
    )


def _kind(text: str, start: int, end: int) -> tuple[str, str]:
    """What sort of quantity, and its sign before the figure if any: a percent, a sum of money
    ("$" when written so) or a count; two sorts never disagree."""
    if _PERCENT.match(text[end : end + 20]):
        return "percent", ""
    currency = _CURRENCY.search(text[max(0, start - 4) : start])
    if currency or _MONEY_AFTER.match(text[end : end + 20]):
        return "money", currency.group(0) if currency else ""
    return "count", ""


def numerals(text: str) -> str:
    """Figures written as digits, so "one million troops" and "2 million troops" compare as numbers."""
    from text_to_num import alpha2digit

    def scaled(match: re.Match[str]) -> str:
        value = float(match.group(1)) * _SCALES[match.group(2).lower()]
        return str(int(value)) if value.is_integer() else str(value)

    text = _SCALED.sub(scaled, text)  # before the words: "2 million" must not become "2 1000000"
    try:
        return str(alpha2digit(text, "en"))
    except Exception:  # noqa: BLE001 - a text it cannot read keeps its words
        return text


def _plain(number: str) -> str:
    return number.replace(",", "")


def norm(word: str) -> str:
    """One form per word: lower case, no possessive, no plural s ("Ukraine's" = "ukraine", "troops" = "troop")."""
    w = word.lower()
    for tail in ("'s", "’s"):
        w = w.removesuffix(tail)
    if len(w) > 3 and w.endswith("s") and not w.endswith("ss"):
        w = w[:-1]
    return w


@dataclass(frozen=True)
class Count:
    value: str
    things: tuple[str, ...]  # content words naming what is counted, first the nearest
    names: frozenset[str]  # the capitalised ones: places, people, bodies
    shown: str
    before: frozenset[str] = frozenset()  # content words just before the figure: who did what
    named: bool = False  # part of a name, not a count: "Big 10", "Pac-12", "Covid-19"
    kind: str = "count"  # "percent", "money" or "count" (``_kind``)
    sign: str = ""  # a currency sign written before the figure ("$")
    at: int = 0  # where the figure starts in the text it was read from

    @property
    def written(self) -> str:
        """The figure as an answer gives it: "127,000", "$4,000,000", "12%"."""
        figure = figure_text(self.value)
        return f"{self.sign}{figure}" + ("%" if self.kind == "percent" else "")

    @property
    def elided(self) -> bool:
        """The counted noun left out: "Russia has amassed 127,000 near its neighbour"."""
        return len(self.things) < 2

    @property
    def head(self) -> str:
        """The first word that is not a name: "troops" in both "850 troops" and "1000000 British troops"."""
        return next((w for w in self.things if w not in self.names), self.things[0] if self.things else "")

    def same_thing(self, other: Count, asked: frozenset[str] = frozenset()) -> bool:
        """The same counted thing: the same head word and two words shared. Different names
        tell two things apart ("troops stationed in Estonia", "… in Poland") unless three common
        words agree ("anti-tank missile launchers to Ukraine", "… to Kyiv").

        With the noun left out of one side, what comes before the figure must agree instead:
        three words such as "Russia has amassed" in both, two of them in what was asked or
        answered (``asked``), and no head word that differs. A percent, a sum of money and a
        count are never the same quantity."""
        if self.kind != other.kind:
            return False
        if self.elided or other.elided:
            if self.named or other.named or (self.head and other.head and self.head != other.head):
                return False
            shared = self.before & other.before
            return len(shared) >= BEFORE_AGREE and len(shared & asked) >= 2
        if self.head != other.head or len(set(self.things) & set(other.things)) < 2:
            return False
        # "British" or "Russian" says whose, not which: only other names (places, bodies) tell apart.
        mine, theirs = _places(self.names), _places(other.names)
        if not (mine - theirs and theirs - mine):
            return True
        common = (set(self.things) - self.names) & (set(other.things) - other.names)
        return len(common) >= 3


def _places(names: frozenset[str]) -> frozenset[str]:
    return frozenset(n for n in names if not n.endswith(_DEMONYM))


def counts(text: str) -> list[Count]:
    """Each number in ``text`` (years aside) with the words after it, to the end of its clause."""
    found: list[Count] = []
    previous_end = -1
    for match in _NUMBER.finditer(text):
        if _YEAR.fullmatch(match.group(1)) or _not_a_quantity(text, match.start(), match.end()):
            continue
        clause = re.split(r"[.;:!?]|,\s", text[match.end() : match.end() + 120], maxsplit=1)[0]
        words = [w for w in _WORD.findall(clause) if w.lower() not in _FILLER][:WINDOW]
        content = [(i, w) for i, w in enumerate(words) if w.lower() not in STOP]
        if not words:
            continue  # a figure ending its clause ("children under age 5.") names no count
        inherited: tuple[str, ...] = ()
        if words[0].lower() in _NOT_COUNTED:
            # "850 troops in Estonia and about 150 in Poland": the noun of the figure just before.
            joined = found and _JOINED.fullmatch(text[previous_end : match.start()])
            inherited = (found[-1].head,) if joined and found[-1].head else ()
            if not inherited:
                content = []  # "127,000 near its neighbour": what follows is where, not what
        previous_end = match.end()
        kind, sign = _kind(text, match.start(), match.end())
        lead = found[-1].shown.split()[:1] if inherited else []  # "troops", shown before "in Poland"
        ahead = _WORD.findall(text[max(0, match.start() - 100) : match.start()])[-BEFORE_WORDS:]
        last = content[min(SHOWN_WORDS, len(content)) - 1][0] if content else -1
        found.append(
            Count(
                value=_plain(match.group(1)),
                things=inherited + tuple(norm(w) for _, w in content),
                names=frozenset(norm(w) for _, w in content if w[:1].isupper()),
                shown=" ".join(lead + [w.lower() if not w[:1].isupper() else w for w in words[: last + 1]]),
                before=frozenset(norm(w) for w in ahead if w.lower() not in _NOT_ACTING),
                named=bool(_NAMED.search(text[max(0, match.start() - 30) : match.start()])),
                kind=kind,
                sign=sign,
                at=match.start(),
            )
        )
    return found


def find_conflicts(answer: str, passages: Sequence[str], question: str = "") -> list[Conflict]:
    """Numbers the answer states whose counted thing another passage gives a different number for."""
    asked = frozenset(norm(w) for w in _WORD.findall(f"{question} {strip_markers(answer)}"))
    cited = [n for n in cited_numbers(answer) if 1 <= n <= len(passages)]
    # A number the question states is part of what was asked ("USS LCS(L)(3)-102", "Season 17"),
    # not the answer's figure: the answer repeating it disagrees with nothing.
    repeated = {_plain(m.group(1)) for m in _NUMBER.finditer(numerals(question))}
    stated = {_plain(m.group(1)) for m in _NUMBER.finditer(numerals(strip_markers(answer)))} - repeated
    found = [counts(numerals(text)) for text in passages]
    conflicts: list[Conflict] = []
    seen: set[tuple[str, str, str]] = set()
    for n in cited:
        for count in found[n - 1]:
            if count.value not in stated:
                continue
            for other, other_counts in enumerate(found, start=1):
                if other == n:
                    continue
                for rival in other_counts:
                    key = (count.value, rival.value, count.head)
                    if rival.value != count.value and count.same_thing(rival, asked) and key not in seen:
                        seen.add(key)
                        conflicts.append(
                            Conflict(
                                about=count.shown if not count.elided or rival.elided else rival.shown,
                                value=count.value,
                                passage=n,
                                other_value=rival.value,
                                other_passage=other,
                            )
                        )
    return conflicts


def figure_text(value: str) -> str:
    return f"{int(value):,}" if value.isdigit() else value


def conflict_note(conflicts: Sequence[Conflict]) -> str:
    """The answer when the passages disagree on its figure: both sides, each cited, neither picked."""
    parts = [
        f"[{c.passage}] gives {figure_text(c.value)} {c.about}".rstrip()
        + (
            f" and also {figure_text(c.other_value)}"
            if c.other_passage == c.passage
            else f", [{c.other_passage}] gives {figure_text(c.other_value)}"
        )
        for c in conflicts
    ]
    return "The sources disagree: " + "; ".join(parts) + "."
