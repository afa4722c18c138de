"""The short-passage variant of RealTimeQA: every question's ``evidence`` snippet is the whole corpus.

Each question's own snippet is its gold article (``sources`` = the snippet's
URL) and every other question's snippet is a distractor, so the same metrics
measure retrieval and reading on short passages without the noise of scraped
pages. Snippets carry HTML links; only their text is kept. Questions without a
snippet have no source (hit@k undefined) and are still asked.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from eval.formats.base import Probe
from eval.formats.common import build
from eval.formats.realtimeqa import load_realtimeqa_questions, realtimeqa_records
from eval.questions import Question
from rag.types import Article

FORMAT = "realtimeqa-evidence"
_TAG = re.compile(r"<[^>]+>")


def evidence_url(question_id: str) -> str:
    """The stand-in URL of a question's snippet (``.invalid``: it names no real page)."""
    return f"https://realtimeqa-evidence.invalid/{question_id}"


def snippet_text(evidence: Any) -> str:
    """The snippet's text: HTML tags dropped, entities decoded, whitespace collapsed."""
    return " ".join(html.unescape(_TAG.sub("", str(evidence or ""))).split())


def _snippets(path: Path | str) -> list[dict[str, Any]]:
    return [r for r in realtimeqa_records(path) if snippet_text(r.get("evidence"))]


def load_evidence_questions(path: Path | str) -> list[Question]:
    """RealTimeQA's questions with ``sources`` = their own snippet (none when they have no snippet)."""
    with_snippet = {str(r["question_id"]) for r in _snippets(path) if r.get("question_id")}
    return [
        q.model_copy(update={"sources": (evidence_url(q.id),) if q.id in with_snippet else ()})
        for q in load_realtimeqa_questions(path)
    ]


def load_evidence_corpus(path: Path | str) -> list[Article]:
    """One article per question with a snippet: its text, the quiz's date and publisher as metadata."""
    records = []
    for row in _snippets(path):
        qid = str(row.get("question_id"))
        date = str(row.get("question_date") or "").replace("/", "-") or None
        source = str(row.get("question_source") or "RealTimeQA")
        records.append(
            {
                "title": f"{source} quiz evidence {qid}",
                "text": snippet_text(row.get("evidence")),
                "url": evidence_url(qid),
                "published_at": date,
                "source": source,
            }
        )
    return build(records, origin=str(path))


class Evidence:
    """Never detected: the same files as RealTimeQA, chosen with ``--format realtimeqa-evidence``."""

    name = FORMAT

    def detect(self, probe: Probe) -> bool:
        return False

    def load_questions(self, path: Path) -> list[Question]:
        return load_evidence_questions(path)

    def load_corpus(self, path: Path) -> list[Article]:
        return load_evidence_corpus(path)
