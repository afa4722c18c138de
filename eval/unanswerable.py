"""The unanswerable slice: questions asked against a corpus that lacks every article they came with.

For each selected question its gold article and its own search results are
removed from the corpus (RealTimeQA), or its own snippet (the evidence
variant), and the question is marked unanswerable. What a pipeline then says
is measured abstention: the right answer is "the articles don't say".
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

from eval.formats.common import QuestionSetError
from eval.formats.evidence import evidence_url
from eval.formats.realtimeqa import realtimeqa_question_urls
from eval.metrics import normalize_url
from eval.questions import Question
from rag.types import Article

FORMATS = ("realtimeqa", "realtimeqa-evidence")


def removed_urls(questions: Sequence[Question], path: Path | str, format: str) -> set[str]:
    """Normalised URLs of the articles the questions came with (gold and search results, or snippet)."""
    if format == "realtimeqa":
        per_question = realtimeqa_question_urls(path)
        return {url for q in questions for url in per_question.get(q.id, set())}
    if format == "realtimeqa-evidence":
        return {normalize_url(evidence_url(q.id)) for q in questions}
    raise QuestionSetError(f"--unanswerable needs --format {' or '.join(FORMATS)}, not {format!r}")


def make_unanswerable(
    questions: Sequence[Question], articles: Sequence[Article], removed: set[str]
) -> tuple[list[Question], list[Article]]:
    """The questions marked unanswerable (sources kept, so a hit would show a leak) and the corpus
    without the removed articles."""
    kept = [a for a in articles if normalize_url(a.url) not in removed]
    return [q.model_copy(update={"unanswerable": True}) for q in questions], kept


def identity(questions: Sequence[Question], removed: set[str]) -> dict[str, str]:
    """What a resume of an unanswerable run must match: the same questions, the same articles removed."""
    digest = hashlib.sha256(
        ("\n".join(sorted(q.id for q in questions)) + "\0" + "\n".join(sorted(removed))).encode()
    ).hexdigest()[:16]
    return {"variant": f"unanswerable:{digest}"}
