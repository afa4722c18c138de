"""The extracting reader: the model copies the sentence that answers, then newsdesk writes the answer.

Small models copy well and reason poorly, so with ``reader = "extract"`` the
model fills a JSON schema (llama.cpp constrains its output to it): the
passage number, the sentence copied from it, and the short answer, or nulls
to abstain. The copy is then checked: a quote missing from its passage is
looked for in the others (re-pointed) and an answer missing from its quote is
refused, so no citation can rest on a sentence the passage does not hold.
The few-shot examples sit in the fixed system prompt, which the server caches.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rag.citations import ABSTENTION
from rag.terms import normalize_answer

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_core.runnables import Runnable

SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "passage": {"type": ["integer", "null"]},
        "quote": {"type": ["string", "null"]},
        "answer": {"type": ["string", "null"]},
    },
    "required": ["passage", "quote", "answer"],
    "additionalProperties": False,
}
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Evidence:
    """What the model copied: passage number (1-based), the sentence, the short answer."""

    passage: int | None
    quote: str | None
    answer: str | None

    @property
    def empty(self) -> bool:
        return not (self.passage and self.quote and self.answer)


def extract_prompt() -> ChatPromptTemplate:
    """The fixed system prompt with its examples (cached by the server), then passages and question."""
    from langchain_core.prompts import ChatPromptTemplate

    from rag.prompts import load_prompt

    return ChatPromptTemplate.from_messages(
        [("system", load_prompt("extract_system")), ("human", load_prompt("extract_user"))]
    )


def extract_chain(llm: BaseChatModel) -> Runnable[dict[str, Any], str]:
    """``{"question", "context"}`` → the model's JSON text, constrained to ``SCHEMA``."""
    from langchain_core.output_parsers import StrOutputParser

    schema = {"type": "json_schema", "json_schema": {"name": "evidence", "schema": SCHEMA, "strict": True}}
    return extract_prompt() | llm.bind(response_format=schema) | StrOutputParser()


def parse_evidence(raw: str) -> Evidence:
    """The model's JSON, tolerant of text around it; anything unreadable is no evidence."""
    start, end = raw.find("{"), raw.rfind("}")
    try:
        data = json.loads(raw[start : end + 1]) if start >= 0 < end else {}
    except json.JSONDecodeError:
        data = {}
    if not isinstance(data, dict):
        data = {}
    passage = data.get("passage")
    quote, answer = data.get("quote"), data.get("answer")
    return Evidence(
        passage=passage if isinstance(passage, int) and not isinstance(passage, bool) else None,
        quote=" ".join(quote.split()) if isinstance(quote, str) and quote.strip() else None,
        answer=" ".join(answer.split()) if isinstance(answer, str) and answer.strip() else None,
    )


def locate(quote: str, passage: str) -> tuple[int, int] | None:
    """Exact offsets of ``quote`` in ``passage``, whitespace and curly quotes aside."""
    pattern = _SPACE.sub(r"\\s+", re.escape(_plain(quote)).replace(r"\ ", " "))
    match = re.search(pattern, _plain(passage), re.IGNORECASE)
    return (match.start(), match.end()) if match else None


def _plain(text: str) -> str:
    return text.replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')


@dataclass(frozen=True)
class Checked:
    """The evidence after checking: the answer text to ground, and the quote's span per passage."""

    text: str
    spans: dict[int, tuple[int, int]]


def check_evidence(evidence: Evidence, passages: Sequence[str]) -> Checked:
    """Re-points a quote to the passage that holds it; refuses one that none holds or that lacks the answer."""
    if evidence.empty:
        return Checked(ABSTENTION, {})
    assert evidence.quote is not None and evidence.answer is not None
    order = [evidence.passage - 1] if evidence.passage and 1 <= evidence.passage <= len(passages) else []
    order += [i for i in range(len(passages)) if i not in order]
    for i in order:
        span = locate(evidence.quote, passages[i])
        if span is None:
            continue
        if normalize_answer(evidence.answer) not in normalize_answer(passages[i][span[0] : span[1]]):
            return Checked(ABSTENTION, {})  # the answer is not what the copied sentence says
        answer = evidence.answer.rstrip(". ")
        return Checked(f"{answer[:1].upper()}{answer[1:]} [{i + 1}].", {i + 1: span})
    return Checked(ABSTENTION, {})
