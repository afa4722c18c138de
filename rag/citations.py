"""From the model's text to checked citations: markers, abstentions, highlights.

Markers like ``[2]``, ``[1, 3]`` or ``[1][3]`` (grammar in ``rag.markers``) are
resolved against the numbered passages the model was shown; a number that
names no passage is dropped from the text and reported, never turned into a
citation. Whether a citation is deserved is ``rag.grounding``'s job.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from rag.markers import format_marker, rewrite_markers, strip_markers
from rag.sentences import sentence_spans
from rag.terms import content_words, normalise_quotes
from rag.types import Citation, Filters, Passage

_ABSTAIN = re.compile(
    r"(articles?|passages?|sources?|context|text)\s+(do(es)?\s*n[o']?t|did\s*n[o']?t|don['’]t|doesn['’]t)\s+"
    r"(say|state|mention|contain|provide|include|specify|answer|give)"
    r"|^\s*(i\s+(do\s*n['’o]?t|cannot|can['’]t)\s+know)"
    r"|\bno\s+(information|mention)\b"
    r"|\bnot\s+(mentioned|stated|specified|provided)\s+in\s+the\b",
    re.IGNORECASE,
)
ABSTENTION = "The articles don't say."


_SAYS_NOT = re.compile(r"^the (articles|passages) (don't|do not) (say|state|mention)\b", re.IGNORECASE)


def abstention_text(model_text: str) -> str:
    """One clear sentence for an abstention: the model's first sentence when it is "The articles
    don't say …" (it may say what is missing), else ``ABSTENTION``; never "I don't know. The
    passages do not mention it. However, …"."""
    text = normalise_quotes(strip_markers(model_text)).strip()
    spans = sentence_spans(text)
    first = re.sub(r"\s+([.,;:!?])", r"\1", " ".join(text[: spans[0][1]].split())) if spans else ""
    return first if _SAYS_NOT.match(first) and first.endswith(".") else ABSTENTION


def no_match(filters: Filters | None) -> str:
    """The answer when the filters left out every article: not "the articles don't say"."""
    described = filters.describe() if filters else ""
    return f"No article matches the filters: {described}." if described else "No article matches the filters."


@dataclass(frozen=True)
class ParsedAnswer:
    text: str
    numbers: tuple[int, ...]  # valid passage numbers, in order of first use
    invalid: tuple[int, ...]
    abstained: bool


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

    def fix(nums: list[int]) -> str:
        keep = []
        for n in nums:
            if 1 <= n <= passage_count:
                keep.append(n)
                if n not in valid:
                    valid.append(n)
            elif n not in invalid:
                invalid.append(n)
        return format_marker(keep)

    cleaned = rewrite_markers(text, fix)
    cleaned = re.sub(r"[ \t]+([.,;:!?])", r"\1", cleaned)
    cleaned = re.sub(r"[ \t]{2,}", " ", cleaned).strip()
    # An answer opening with "the articles don't say" abstains; a cited answer that only
    # adds "though the articles don't say when" is still an answer.
    opening = _ABSTAIN.search(normalise_quotes(cleaned)[:200])
    abstained = not cleaned or bool(opening and (opening.start() < 12 or not valid))
    if abstained:
        return ParsedAnswer(text=cleaned or ABSTENTION, numbers=(), invalid=tuple(invalid), abstained=True)
    return ParsedAnswer(text=cleaned, numbers=tuple(valid), invalid=tuple(invalid), abstained=False)


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


def build_citations(
    numbers: Sequence[int],
    answer: str,
    passages: Sequence[Passage],
    quotes: Mapping[int, tuple[int, int]] | None = None,
) -> tuple[Citation, ...]:
    """Citations for the passage ``numbers``; ``quotes`` gives exact highlight spans where known."""
    citations = []
    for n in numbers:
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
                page=p.page,
                highlights=(quotes[n],) if quotes and n in quotes else support_spans(p.text, answer),
            )
        )
    return tuple(citations)
