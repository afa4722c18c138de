"""From the model's text to checked citations.

Markers like ``[2]``, ``[1, 3]`` or ``[1][3]`` are resolved against the
numbered passages the model was shown; a number that names no passage is
dropped from the text and reported, never turned into a citation.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rag.sentences import sentence_spans
from rag.types import Citation, Passage

_MARKER = re.compile(r"\[\s*(\d{1,3}(?:\s*[,;]\s*\d{1,3})*)\s*\]")
_WORD = re.compile(r"[\w][\w'’.,-]*[\w]|\w")
_ABSTAIN = re.compile(
    r"(articles?|passages?|sources?|context|text)\s+(do(es)?\s*n[o']?t|did\s*n[o']?t|don['’]t|doesn['’]t)\s+"
    r"(say|state|mention|contain|provide|include|specify|answer|give)"
    r"|^\s*(i\s+(do\s*n['’o]?t|cannot|can['’]t)\s+know)"
    r"|\bno\s+(information|mention)\b"
    r"|\bnot\s+(mentioned|stated|specified|provided)\s+in\s+the\b",
    re.IGNORECASE,
)
ABSTENTION = "The articles don't say."

_STOP = frozenset(
    "a an the of to in on for and or but is are was were be been by with as at from that this these those "
    "it its which who whom what when where why how did does do has have had not no than then there their "
    "they he she his her we you i will would can could about into over after before said says".split()
)


@dataclass(frozen=True)
class ParsedAnswer:
    text: str
    numbers: tuple[int, ...]  # valid passage numbers, in order of first use
    invalid: tuple[int, ...]
    abstained: bool


def normalise_quotes(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("’", "'").replace("‘", "'")


def is_abstention(text: str) -> bool:
    """True when the model says the passages do not hold the answer."""
    stripped = normalise_quotes(text).strip()
    if not stripped:
        return True
    return bool(_ABSTAIN.search(stripped[:200]))


def parse_answer(text: str, passage_count: int) -> ParsedAnswer:
    """Validates markers against ``1..passage_count`` and removes the invalid ones from the text."""
    valid: list[int] = []
    invalid: list[int] = []

    def fix(match: re.Match[str]) -> str:
        nums = [int(n) for n in re.split(r"\s*[,;]\s*", match.group(1))]
        keep = []
        for n in nums:
            if 1 <= n <= passage_count:
                keep.append(n)
                if n not in valid:
                    valid.append(n)
            elif n not in invalid:
                invalid.append(n)
        return "".join(f"[{n}]" for n in keep)

    cleaned = _MARKER.sub(fix, text)
    cleaned = re.sub(r"[ \t]+([.,;:!?])", r"\1", cleaned)
    cleaned = re.sub(r"[ \t]{2,}", " ", cleaned).strip()
    # An answer opening with "the articles don't say" abstains; a cited answer that only
    # adds "though the articles don't say when" is still an answer.
    opening = _ABSTAIN.search(normalise_quotes(cleaned)[:200])
    abstained = not cleaned or bool(opening and (opening.start() < 12 or not valid))
    if abstained:
        return ParsedAnswer(text=cleaned or ABSTENTION, numbers=(), invalid=tuple(invalid), abstained=True)
    return ParsedAnswer(text=cleaned, numbers=tuple(valid), invalid=tuple(invalid), abstained=False)


def strip_markers(text: str) -> str:
    return _MARKER.sub("", text)


def content_words(text: str) -> set[str]:
    words = {w.lower().strip(".,'’-") for w in _WORD.findall(normalise_quotes(text))}
    return {w.replace(",", "") for w in words if w and w not in _STOP}


def support_spans(passage: str, answer: str, limit: int = 2) -> tuple[tuple[int, int], ...]:
    """The passage sentences sharing the most content words with the answer (at most ``limit``)."""
    target = content_words(strip_markers(answer))
    if not target:
        return ()
    scored = []
    for start, end in sentence_spans(passage):
        overlap = content_words(passage[start:end]) & target
        # Numbers are the facts people check: weight them double.
        weight = sum(2 if any(c.isdigit() for c in w) else 1 for w in overlap)
        if weight:
            scored.append((weight, start, end))
    if not scored:
        return ()
    best = max(w for w, _, _ in scored)
    strong = sorted((c for c in scored if c[0] >= best * 0.6), reverse=True)[:limit]
    return tuple(sorted((s, e) for _, s, e in strong))


_KEY = re.compile(r"\b(?:\d[\d,.]*\d|\d|[A-Z][\w'’-]+)")


def key_terms(text: str) -> set[str]:
    """Numbers and capitalised words: the facts a reader would check against the source."""
    terms = set()
    for match in _KEY.finditer(normalise_quotes(strip_markers(text))):
        term = match.group(0).rstrip(".,").replace(",", "").lower()
        if term and term not in _STOP:
            terms.add(term)
    return terms


def is_grounded(answer: str, question: str, passages: list[str] | tuple[str, ...]) -> bool:
    """False when the answer's new facts (names, numbers not in the question) appear in no passage.

    That is the signature of an answer from the model's memory rather than the
    articles; such answers are replaced by an abstention.
    """
    new = key_terms(answer) - key_terms(question)
    if not new:
        return True
    haystack = " ".join(normalise_quotes(p).replace(",", "").lower() for p in passages)
    found = {term for term in new if re.search(rf"(?<!\w){re.escape(term)}(?!\w)", haystack)}
    numbers = {term for term in new if term[0].isdigit()}
    # An invented number is the worst kind of wrong answer: every number must be in a passage.
    return numbers <= found and len(found) >= max(1, len(new) // 2)


def _terms_in(text: str) -> set[str]:
    return key_terms(text) | content_words(text)


def verify_citations(parsed: ParsedAnswer, passages: Sequence[str], question: str = "") -> ParsedAnswer:
    """Re-points a marker whose passage lacks the answer's numbers to the passage that has them.

    Small models often copy the right sentence and number it wrongly; a
    citation must lead to the passage that actually states the figure.
    """
    if parsed.abstained or not parsed.numbers:
        return parsed
    facts = key_terms(parsed.text) - key_terms(question)
    numbers = {t for t in facts if t[0].isdigit()}
    if not numbers:
        return parsed
    holds = [_terms_in(p) for p in passages]
    remap: dict[int, int] = {}
    for n in parsed.numbers:
        if numbers <= holds[n - 1]:
            continue
        candidates = [i for i, terms in enumerate(holds) if numbers <= terms]
        if candidates:
            best = max(candidates, key=lambda i: len(facts & holds[i]))
            remap[n] = best + 1
    if not remap:
        return parsed
    text = _MARKER.sub(
        lambda m: "".join(f"[{remap.get(int(x), int(x))}]" for x in re.split(r"\s*[,;]\s*", m.group(1))),
        parsed.text,
    )
    text = re.sub(r"(\[\d+\])(?:\1)+", r"\1", text)
    numbers_used = tuple(dict.fromkeys(remap.get(n, n) for n in parsed.numbers))
    return ParsedAnswer(text=text, numbers=numbers_used, invalid=parsed.invalid, abstained=False)


def attach_missing_citation(parsed: ParsedAnswer, passages: list[str] | tuple[str, ...]) -> ParsedAnswer:
    """Cites the best-supporting passage for an answer the model left without any marker.

    Only when some passage holds the answer's key terms; the marker is
    appended so the reader still sees where the fact comes from.
    """
    if parsed.abstained or parsed.numbers or not passages:
        return parsed
    terms = key_terms(parsed.text) or content_words(parsed.text)
    if not terms:
        return parsed
    scores = [len(terms & (key_terms(p) | content_words(p))) for p in passages]
    best = max(range(len(passages)), key=lambda i: scores[i])
    if scores[best] == 0:
        return parsed
    text = parsed.text.rstrip()
    text = f"{text[:-1]} [{best + 1}]." if text.endswith(".") else f"{text} [{best + 1}]"
    return ParsedAnswer(text=text, numbers=(best + 1,), invalid=parsed.invalid, abstained=False)


def build_citations(parsed: ParsedAnswer, passages: Sequence[Passage]) -> tuple[Citation, ...]:
    citations = []
    for n in parsed.numbers:
        p = passages[n - 1]
        citations.append(
            Citation(
                number=n,
                article_id=p.article_id,
                title=p.title,
                url=p.url,
                published=p.published,
                source=p.source,
                passage=p.text,
                start=p.start,
                end=p.end,
                chunk_id=p.chunk_id,
                highlights=support_spans(p.text, parsed.text),
            )
        )
    return tuple(citations)
