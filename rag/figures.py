"""Figure questions ("how many", "how much"): which figures in the passages answer them.

"How many Russian troops are near Ukraine?" was answered with a whole copied sentence about UK
troops, 127,000 buried in it, while the same article's "facing 100,000 Russians" went unsaid.
Here a figure answers the question when the words around it name what the question counts
("Russian troops": "100,000 Russians", or "Russia has amassed 127,000" with the noun left
out), its sentence holds at least half of the question's words, and it names no place the
question does not ("about 150 in Poland" answers nothing about Estonia). Figures are read by
``rag.conflicts`` (labels, days of dates and years are not figures; a percent, a sum of money
and a count are different sorts).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rag.conflicts import Count, counts, norm, numerals
from rag.markers import strip_markers
from rag.sentences import sentence_spans
from rag.terms import STOP

_FIGURE_QUESTION = re.compile(
    r"\bhow\s+(?:many|much)\b|\bwhat\s+(?:number|percentage|share|proportion|amount)\s+of\b", re.IGNORECASE
)
_AFTER_ASK = re.compile(
    r"\bhow\s+(?:many|much)\s+|\bwhat\s+(?:number|percentage|share|proportion|amount)\s+of\s+", re.IGNORECASE
)
_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]*")
# Words that end the counted thing: "how many Russian troops | are near Ukraine".
_VERBS = frozenset(
    "is are was were be been did do does has have had will would can could should may might must "
    "got get gets".split()
)
_ASKING = frozenset("many much number percentage share proportion amount".split())
_DEMONYM = ("ish", "ian", "ese", "ican", "ean", "an")
THING_WORDS = 4  # at most this many words after "how many" name the thing counted
PLACE_WORDS = 3  # of the words after a figure, those that may say where it is ("troops in Poland")
MIN_SHARE = 0.5  # of the question's words, the share a figure's sentence must hold


def is_figure_question(question: str) -> bool:
    return bool(_FIGURE_QUESTION.search(question))


def alike(a: str, b: str) -> bool:
    """One word in two forms: "russia" and "russian", "ukraine" and "ukrainian", "britain" and "british"."""
    if a == b:
        return True
    common = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        common += 1
    return common >= 4 and common >= 0.55 * min(len(a), len(b))


def _has(words: frozenset[str] | set[str], word: str) -> bool:
    return any(alike(word, w) for w in words)


@dataclass(frozen=True)
class Asked:
    """What a figure question counts ("Russian troops"), and its words."""

    thing: str  # as written in the question
    things: frozenset[str]  # normalised
    words: frozenset[str]  # the question's content words, normalised
    names: frozenset[str]  # its capitalised words after the first, normalised

    @classmethod
    def of(cls, question: str) -> Asked:
        match = _AFTER_ASK.search(question)
        thing: list[str] = []
        if match:
            for word in _WORD.findall(question[match.end() :])[:THING_WORDS]:
                if word.lower() in _VERBS or word.lower() in STOP:
                    break
                thing.append(word)
        words = {norm(w) for w in _WORD.findall(question) if w.lower() not in STOP | _ASKING}
        first, _, rest = question.strip().partition(" ")
        names = {norm(w) for w in _WORD.findall(rest) if w[:1].isupper()}
        return cls(" ".join(thing), frozenset(norm(w) for w in thing), frozenset(words), frozenset(names))


@dataclass(frozen=True)
class Figure:
    """A figure of a passage that answers the question: its count and the passage (1-based)."""

    count: Count
    passage: int


def _sentence_words(text: str, at: int) -> set[str]:
    for start, end in sentence_spans(text):
        if start <= at < end:
            return {norm(w) for w in _WORD.findall(text[start:end])}
    return set()


def _clause_before(text: str, at: int) -> set[str]:
    """The words of the figure's own clause before it: "Russia has amassed" in "…launchers, as Russia has amassed"."""
    clause = re.split(r"[,;:.!?]", text[max(0, at - 100) : at])[-1]
    return {norm(w) for w in _WORD.findall(clause) if w.lower() not in STOP}


def answers(count: Count, text: str, asked: Asked) -> bool:
    """``count`` (read from ``text``) gives the quantity ``asked`` counts: the words by it name
    what is counted and whose ("Russian" troops: not "the UK has dispatched 30 troops"), its
    sentence names every other name the question does and half its words, and the figure's
    clause names no place the question does not."""
    near = set(count.things[:1]) if not count.elided else set()
    near |= _clause_before(text, count.at)
    if asked.things and not all(_has(near | set(count.things), w) for w in asked.things & asked.names):
        return False
    if asked.things and not any(
        _has(near if count.elided else set(count.things[:1]), w) for w in asked.things
    ):
        return False
    sentence = _sentence_words(text, count.at)
    if not all(_has(sentence, n) for n in asked.names - asked.things):
        return False
    if asked.words and sum(_has(sentence, w) for w in asked.words) < MIN_SHARE * len(asked.words):
        return False
    places = {n for n in count.things[:PLACE_WORDS] if n in count.names and not n.endswith(_DEMONYM)}
    return all(_has(asked.names | asked.things, p) for p in places)


def answering_figures(question: str, passages: Sequence[str], numbers: Sequence[int]) -> list[Figure]:
    """The figures of passages ``numbers`` (1-based) that answer ``question``, in passage order."""
    asked = Asked.of(question)
    found: list[Figure] = []
    for n in numbers:
        text = numerals(passages[n - 1])
        found += [Figure(c, n) for c in counts(text) if answers(c, text, asked)]
    return found


def about(count: Count, asked: Asked) -> str:
    """What the figure counts, in the passage's words as far as they speak of what was asked
    ("troops stationed in Estonia", "Russians"), else in the question's ("Russian troops")."""
    words = count.shown.split() if not count.elided else []
    known = asked.words | asked.things
    last = max((i for i, w in enumerate(words) if _has(known, norm(w.strip(".,’'")))), default=-1)
    return " ".join(words[: last + 1]) if last >= 0 else asked.thing


_WRITTEN = re.compile(
    r"[$£€¥]?\d[\d,]*(?:\.\d+)?%?(?:\s+(?:thousand|million|billion|trillion)\b)?", re.IGNORECASE
)


def written_as(text: str, value: str) -> str | None:
    """How ``text`` writes the figure ``value`` ("$19 million" for 19000000), or ``None``:
    an answer keeps the words it was given, which the reader (and a scorer) expects."""
    for match in _WRITTEN.finditer(strip_markers(text)):
        if stated(match.group(0)) == [value]:
            return match.group(0)
    return None


def stated(answer: str) -> list[str]:
    """The figures an answer states, as plain digits, in order."""
    return re.findall(r"\d+(?:\.\d+)?", numerals(strip_markers(answer)).replace(",", ""))


_QUALIFIERS = ("more than", "fewer than", "less than", "up to", "at least") + tuple(
    "about around nearly almost some over roughly approximately".split()
)


def qualifier_words() -> tuple[str, ...]:
    return _QUALIFIERS


def qualifier(passage: str, count: Count) -> str:
    """The word the passage puts before the figure that says it is not exact ("around 850"), or ""."""
    before = numerals(passage)[max(0, count.at - 20) : count.at].lower().rstrip(" $£€¥")
    return next((q for q in _QUALIFIERS if re.search(rf"\b{q}$", before)), "")
