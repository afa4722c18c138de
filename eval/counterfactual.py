"""Counterfactual negatives: a question's time moved so that the corpus no longer answers it.

An answer to such a question is invented by construction, so what a pipeline says there measures
abstention on questions that look answerable: the right names are in the corpus, the time is not.

- A question that names years ("Which team did X play for in 2006?", "from 2004 to 2005") has
  every year moved by the same amount to before the earliest year its own article mentions, and
  is kept only when no moved year appears anywhere in that article.
- A question asked "as of" a day (RealTimeQA) is asked four weeks earlier instead, and is kept
  only when no article the question can then see (published by that day, or undated) holds any
  of its answers.

Questions that can be moved neither way are left out; the run's facts say how many.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta

from eval.metrics import normalize_url
from eval.questions import Question
from rag.types import Article

YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d)(?!\d)")
EARLIER = timedelta(days=28)
# The moved years land this many years (plus a per-question 0..8) before the article's first year.
GAP = 2
DEFINITION = (
    "a counterfactual negative is a question whose years were all moved by the same amount to before "
    "the earliest year its own article mentions (kept only when no moved year appears in that article), "
    "or a dated question asked 28 days earlier (kept only when no article it can then see, published by "
    "that day or undated, holds any of its answers); either way the right reply is to abstain"
)


@dataclass(frozen=True)
class Negative:
    """One question made unanswerable, with what was changed (for the run's log)."""

    question: Question
    original: Question
    change: str


def _spread(question_id: str) -> int:
    return hashlib.sha256(question_id.encode("utf-8")).digest()[0] % 9


def move_years(question: Question, article_text: str) -> Negative | None:
    """The question with its years moved before its article's first year, or None."""
    asked = [int(y) for y in YEAR.findall(question.question)]
    known = [int(y) for y in YEAR.findall(article_text)]
    if not asked or not known:
        return None
    delta = (min(known) - GAP - _spread(question.id)) - max(asked)
    if delta >= 0:
        return None
    moved = {y: y + delta for y in asked}
    if min(moved.values()) < 1000 or any(str(y) in article_text for y in moved.values()):
        return None
    text = YEAR.sub(lambda m: str(moved[int(m.group(1))]), question.question)
    changed = question.model_copy(update={"question": text, "answers": (), "unanswerable": True})
    return Negative(changed, question, f"years {sorted(moved)} -> {sorted(moved.values())}")


def _holds(text: str, answers: Iterable[str]) -> bool:
    lowered = text.lower()
    return any(re.search(rf"(?<!\w){re.escape(a.lower())}(?!\w)", lowered) for a in answers if a.strip())


def ask_earlier(question: Question, articles: Sequence[Article]) -> Negative | None:
    """The dated question asked four weeks earlier, or None when an article it could see holds an answer."""
    if question.as_of is None or not question.expected:
        return None
    day = question.as_of - EARLIER
    seen = [a for a in articles if a.published is None or a.published <= day]
    if any(_holds(f"{a.title}\n{a.text}", question.expected) for a in seen):
        return None
    changed = question.model_copy(update={"as_of": day, "answers": (), "unanswerable": True})
    return Negative(changed, question, f"as of {question.as_of} -> {day}")


def make_counterfactual(questions: Sequence[Question], articles: Sequence[Article]) -> list[Negative]:
    """Every question that can be made a counterfactual negative, in the given order."""
    by_url = {normalize_url(a.url): a for a in articles if a.url}
    out: list[Negative] = []
    for q in questions:
        own = [by_url[u] for u in (normalize_url(s) for s in q.sources) if u in by_url]
        negative = None
        if own:
            negative = move_years(q, "\n".join(f"{a.title}\n{a.text}" for a in own))
        if negative is None:
            negative = ask_earlier(q, articles)
        if negative is not None:
            out.append(negative)
    return out


def identity(negatives: Sequence[Negative]) -> dict[str, str]:
    """What a resume of a counterfactual run must match: the same questions, changed the same way."""
    digest = hashlib.sha256(
        "\n".join(f"{n.question.id}\t{n.question.question}\t{n.question.as_of}" for n in negatives).encode()
    ).hexdigest()[:16]
    return {"variant": f"counterfactual:{digest}"}
