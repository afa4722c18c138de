"""Grounding: does each sentence of the answer rest on the passage it cites?

The model's text is split into ``Claim``s (an answer sentence and the passage
numbers it cites); a ``Checker`` gives each a verdict and may re-point,
add or refuse citations. The answer abstains when its new facts appear in no
passage: that is the signature of an answer from the model's memory.
``HeuristicChecker`` (names and numbers must be found in the cited text or its date) is
the first checker; an NLI- or quote-based one implements the same protocol.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from rag.citations import ABSTENTION, ParsedAnswer, abstention_text, parse_answer
from rag.conflicts import conflict_note, find_conflicts
from rag.markers import MARKER, cited_numbers, format_marker, rewrite_markers, strip_markers
from rag.sentences import asks, last_asked, sentence_spans
from rag.terms import content_words, key_terms, normalise_quotes, spelled_as_digits, terms_in
from rag.types import Claim, Conflict


@dataclass(frozen=True)
class Grounded:
    """The checked answer: its text, whether it abstains, the passages it cites, its claims."""

    text: str
    abstained: bool
    numbers: tuple[int, ...]
    invalid: tuple[int, ...]
    claims: tuple[Claim, ...]
    conflicts: tuple[Conflict, ...] = ()


class Checker(Protocol):
    def check(
        self, parsed: ParsedAnswer, question: str, passages: Sequence[str], dates: Sequence[str] = ()
    ) -> Grounded: ...


def ground(
    raw: str,
    question: str,
    passages: Sequence[str],
    checker: Checker,
    *,
    choices: bool = False,
    min_relevance: float = 0.0,
    titles: Sequence[str] = (),
    dates: Sequence[str] = (),
) -> Grounded:
    """Parses the model's markers against the passages and lets ``checker`` decide.

    ``dates`` are the passages' dates written out (``rag.newstime.date_words``):
    the model reads each in its passage's heading, so "on July 28" is not made up.
    Titles count towards ``relevance`` but ground no fact: a figure taken from
    "News from around our 50 states" answers nothing.

    An open answer abstains before any checker sees it when it only restates
    the question, or when the sentences that state it share less than
    ``min_relevance`` of the question's words (``relevance``). A
    multiple-choice answer ("B) Ford [2].") names an option of the question by
    design and is decided by the picker, so ``choices`` exempts it.
    """
    parsed = parse_answer(raw, len(passages))
    off_topic = (
        not choices
        and not parsed.abstained
        and (
            not adds_to_question(parsed.text, question)
            or (min_relevance > 0 and relevance(parsed.text, question, passages, titles) < min_relevance)
        )
    )
    if parsed.abstained or not passages or off_topic:
        text = abstention_text(parsed.text) if parsed.abstained else ABSTENTION
        return Grounded(text=text, abstained=True, numbers=(), invalid=parsed.invalid, claims=())
    return checker.check(parsed, question, passages, dates)


def split_claims(text: str) -> list[Claim]:
    """The answer's sentences, each with the passage numbers its markers name."""
    claims = []
    for start, end in sentence_spans(text):
        sentence = text[start:end]
        claims.append(Claim(text=sentence, passages=tuple(cited_numbers(sentence))))
    # A marker after the final full stop ("… 2,000 launchers. [1]") belongs to the sentence before.
    if len(claims) > 1 and MARKER.fullmatch(claims[-1].text.strip()):
        last = claims.pop()
        prev = claims.pop()
        claims.append(Claim(text=f"{prev.text} {last.text}", passages=prev.passages + last.passages))
    return claims


class HeuristicChecker:
    """Names and numbers as evidence: a claim's new facts must be in the passage it cites (or its date)."""

    name = "heuristic"

    def check(
        self, parsed: ParsedAnswer, question: str, passages: Sequence[str], dates: Sequence[str] = ()
    ) -> Grounded:
        # Each passage with the date its heading showed the model.
        shown = [f"{dates[n]}\n{p}" if n < len(dates) else p for n, p in enumerate(passages)]
        if not is_grounded(parsed.text, question, shown):
            return Grounded(text=ABSTENTION, abstained=True, numbers=(), invalid=parsed.invalid, claims=())
        added = not parsed.numbers
        fixed = attach_missing_citation(parsed, shown)
        moved = verify_citations(fixed, shown, question)
        holds = [terms_in(p) for p in shown]
        asked = key_terms(question)
        claims = []
        for claim in split_claims(moved.text):
            facts = key_terms(claim.text) - asked
            supported = not claim.passages or any(facts <= holds[n - 1] for n in claim.passages)
            if added and claim.passages:
                verdict = "cited-by-checker"
            elif moved.text != fixed.text and claim.passages and supported:
                verdict = "repointed"
            else:
                verdict = "supported" if supported else "unsupported"
            claims.append(claim.model_copy(update={"verdict": verdict}))
        if denies_unstated(claims, question, shown):
            return Grounded(text=ABSTENTION, abstained=True, numbers=(), invalid=parsed.invalid, claims=())
        text, numbers = moved.text, moved.numbers
        conflicts = find_conflicts(text, passages, question)
        if conflicts:  # the passages disagree on the answer's figure: give both sides, pick neither
            text = conflict_note(conflicts)
            numbers = tuple(dict.fromkeys(n for c in conflicts for n in (c.passage, c.other_passage)))
        return Grounded(
            text=text,
            abstained=False,
            numbers=numbers,
            invalid=moved.invalid,
            claims=tuple(claims),
            conflicts=tuple(conflicts),
        )


# A denial: "France did not send any launchers", "no troops were sent", "never".
_DENIAL = re.compile(r"\b(?:not|no|never|none|neither|nor|cannot|without)\b|n't\b", re.IGNORECASE)


def denies_unstated(claims: Sequence[Claim], question: str, passages: Sequence[str]) -> bool:
    """True when a cited claim denies something and no passage it cites denies anything.

    A small model asked about something the passages leave out tends to write the negative
    ("France did not send any anti-tank missile launchers [1]") and cite the passage about
    the others: no name or figure is new, so the name check lets it pass, yet nothing states
    it. A question that itself denies ("Which team did not qualify?") is left alone.
    """
    if _DENIAL.search(question):
        return False
    return any(
        _DENIAL.search(c.text) and not any(_DENIAL.search(passages[n - 1]) for n in c.passages)
        for c in claims
        if c.passages and all(0 < n <= len(passages) for n in c.passages)
    )


# Words that point at the sources rather than answer anything ("as stated in [1]").
_POINTERS = frozenset("state stated states passage passages article articles according mentioned".split())


def adds_to_question(answer: str, question: str) -> bool:
    """False when the answer only restates the question, with a marker where the fact should be.

    "Drake broke a record set by [1]." names nobody: small models write such
    sentences when the passages lack the answer, and every word of them is
    "grounded". A true-or-false question may rightly be answered by restating it.
    """
    if question.lstrip().lower().startswith("true or false"):
        return True
    return bool(_added_words(answer, question)) and names_whom_asked(answer, question)


# An asking sentence that wants a name: "Who …?", "Whose …?", "Which politician …?".
_ASKS_WHO = re.compile(
    r"^(?:who|whom|whose)\b|^which\s+(?:[a-z]+\s+){0,2}?(?:"
    + "|".join(
        "person man woman politician actor actress singer rapper player star author leader minister "
        "official president ceo executive company team country nation city network airline retailer "
        "brand band club".split()
    )
    + r")\b",
    re.IGNORECASE,
)


def names_whom_asked(answer: str, question: str) -> bool:
    """False when a question asking "who" (or "which politician", "which company") gets an answer
    that names no one the question does not already name.

    "Which politician did the peer say could lead the party?" answered "The peer told the BBC
    that he was a possible party leader [1]" adds the word "told" and names nobody: the
    passages shown did not hold the name, and every word is "grounded".
    """
    asked = last_asked(question)
    if not asks(asked) or not _ASKS_WHO.search(asked):
        return True
    return bool(
        {t for t in key_terms(answer) if not t[0].isdigit()} - key_terms(question) - content_words(question)
    )


def _added_words(answer: str, question: str) -> set[str]:
    """The answer's content words that neither the question nor a pointer at the sources holds."""
    return content_words(strip_markers(answer)) - content_words(question) - _POINTERS


def relevance(answer: str, question: str, passages: Sequence[str], titles: Sequence[str] = ()) -> float:
    """How much of the question the sentences stating the answer are about, from 0 to 1.

    Asked about a passage that is not there, a small model copies a figure or a
    name from one about something else ("up to $1,400" from "1,400 flights were
    canceled"), and every word of it is grounded. The sentence that states the
    answer then shares few of the question's words. Of the sentences holding
    the most of the answer's new words, this is the largest share of the
    question's words found in one of them, its neighbours and its passage's
    title; 1.0 if that window names something the question names (a figure, or
    a capitalised word not opening a sentence: "Scully", "NBA"), since a short
    sentence about the right person shares few words with a long question.
    1.0 also when there is nothing to measure (no sentence holds a new word as
    a word: ``is_grounded`` has the say then).
    """
    asked = content_words(question) - _POINTERS
    new = _added_words(answer, question)
    if not asked or not new:
        return 1.0
    names = _names(question)
    best: tuple[int, float] | None = None
    for n, text in enumerate(passages):
        title = content_words(titles[n]) if n < len(titles) else set()
        words = [content_words(text[start:end]) for start, end in sentence_spans(text)]
        for i, sentence in enumerate(words):
            if sentence & new:
                window = title.union(*words[max(0, i - 1) : i + 2])
                share = 1.0 if names & window else len(asked & window) / len(asked)
                best = max(best or (0, 0.0), (len(sentence & new), share))
    return 1.0 if best is None else best[1]


def _names(question: str) -> set[str]:
    """The question's figures and capitalised words, less each sentence's first word ("Which", "Passengers")."""
    names: set[str] = set()
    for start, end in sentence_spans(question):
        _, _, rest = question[start:end].partition(" ")
        names |= key_terms(rest)
    return names


def is_grounded(answer: str, question: str, passages: Sequence[str]) -> bool:
    """False when the answer's new facts (names, numbers not in the question) appear in no passage."""
    new = key_terms(answer) - key_terms(question)
    if not new:
        return True
    haystack = " ".join(spelled_as_digits(normalise_quotes(p)).replace(",", "").lower() for p in passages)
    # A figure may be written as an ordinal in the passage: "the 75th annual Tony Awards".
    found = {term for term in new if re.search(rf"(?<!\w){re.escape(term)}(?:st|nd|rd|th)?(?!\w)", haystack)}
    numbers = {term for term in new if term[0].isdigit()}
    # An invented number is the worst kind of wrong answer: every number must be in a passage.
    return numbers <= found and len(found) >= max(1, len(new) // 2)


def verify_citations(parsed: ParsedAnswer, passages: Sequence[str], question: str = "") -> ParsedAnswer:
    """Re-points a marker whose passage lacks the answer's facts to a passage that has them.

    Small models often copy the right sentence and number it wrongly; a
    citation must lead to a passage that states every figure and name the
    answer adds to the question, or, when no passage states them all, its figures.
    """
    if parsed.abstained or not parsed.numbers:
        return parsed
    facts = key_terms(parsed.text) - key_terms(question)
    numbers = {t for t in facts if t[0].isdigit()}
    holds = [terms_in(p) for p in passages]
    # Every fact if one passage states them all; else (facts spread over passages) the figures alone.
    required = facts if any(facts <= terms for terms in holds) else numbers
    if not required:
        return parsed
    remap: dict[int, int] = {}
    for n in parsed.numbers:
        if required <= holds[n - 1]:
            continue
        candidates = [i for i, terms in enumerate(holds) if required <= terms]
        if candidates:
            best = max(candidates, key=lambda i: len(facts & holds[i]))
            remap[n] = best + 1
    if not remap:
        return parsed
    text = rewrite_markers(parsed.text, lambda ns: format_marker([remap.get(n, n) for n in ns]))
    text = re.sub(r"(\[\d+\])(?:\1)+", r"\1", text)
    numbers_used = tuple(dict.fromkeys(remap.get(n, n) for n in parsed.numbers))
    return ParsedAnswer(text=text, numbers=numbers_used, invalid=parsed.invalid, abstained=False)


def attach_missing_citation(parsed: ParsedAnswer, passages: Sequence[str]) -> ParsedAnswer:
    """Cites the best-supporting passage for an answer the model left without any marker.

    Only when some passage holds the answer's key terms; the marker is
    appended so the reader still sees where the fact comes from.
    """
    if parsed.abstained or parsed.numbers or not passages:
        return parsed
    terms = key_terms(parsed.text) or content_words(parsed.text)
    if not terms:
        return parsed
    scores = [len(terms & terms_in(p)) for p in passages]
    best = max(range(len(passages)), key=lambda i: scores[i])
    if scores[best] == 0:
        return parsed
    text = parsed.text.rstrip()
    text = f"{text[:-1]} [{best + 1}]." if text.endswith(".") else f"{text} [{best + 1}]"
    return ParsedAnswer(text=text, numbers=(best + 1,), invalid=parsed.invalid, abstained=False)
