"""One exchange of the chat (``Turn``), how it is shown, and how it is saved and read back.

A turn keeps its ``Answer`` so its sources, copy text and Markdown can be made
again after a reload; the HTML is rendered from it, never stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from rag.types import Answer
from ui import format as fmt
from ui.plain import markdown_turn
from ui.sources import source_cards, sources_panel

# What a turn is: an answer (or abstention), a failure before any answer, or stopped by the user.
ANSWERED, FAILED, STOPPED = "answered", "failed", "stopped"


@dataclass(frozen=True)
class Turn:
    """One exchange as shown; only ``ok`` turns go back to the desk as history."""

    question: str
    answer: str
    user_html: str
    bot_html: str
    ok: bool
    result: Answer | None = None  # the finished answer, for its sources and exports
    applied: str = ""  # the filters it was asked under, in words
    kind: str = ANSWERED
    message: str = ""  # for a failed turn: what the user was told


def answered(question: str, answer: Answer, number: int, applied: str = "") -> Turn:
    return Turn(
        question,
        answer.answer,
        fmt.format_question(question),
        fmt.format_answer(answer, number, applied),
        ok=not answer.error,
        result=answer,
        applied=applied,
    )


def failed(question: str, message: str, applied: str = "") -> Turn:
    html = fmt.format_failure(message)
    return Turn(question, "", fmt.format_question(question), html, False, None, applied, FAILED, message)


def stopped(question: str, applied: str = "") -> Turn:
    html = fmt.format_stopped()
    return Turn(question, "", fmt.format_question(question), html, False, None, applied, STOPPED)


def messages(turns: Sequence[Turn], pending: Turn | None = None) -> list[dict[str, str]]:
    """Chatbot value (Gradio 6 messages format) for the turns so far."""
    out: list[dict[str, str]] = []
    for turn in [*turns, *([pending] if pending else [])]:
        out.append({"role": "user", "content": turn.user_html})
        out.append({"role": "assistant", "content": turn.bot_html})
    return out


def panel(turns: Sequence[Turn], pending: str | None = None) -> str:
    """The sources beside the chat: a section per answered turn, by its number in the chat."""
    sections = [(i, source_cards(t.result, i)) for i, t in enumerate(turns) if t.result is not None]
    return sources_panel(sections, pending)


def to_record(turn: Turn) -> dict[str, Any]:
    """The turn as JSON for a conversation file."""
    return {
        "question": turn.question,
        "kind": turn.kind,
        "ok": turn.ok,
        "applied": turn.applied,
        "message": turn.message,
        "answer": turn.result.to_json_dict() if turn.result is not None else None,
    }


def from_record(record: dict[str, Any], number: int) -> Turn:
    """A turn read back from a conversation file (``ValueError`` when it is not one)."""
    if not isinstance(record, dict) or not isinstance(record.get("question"), str):
        raise ValueError("a turn without a question")
    question, applied = record["question"], str(record.get("applied") or "")
    kind = record.get("kind", ANSWERED)
    if kind == STOPPED:
        return stopped(question, applied)
    if record.get("answer") is None:
        return failed(question, str(record.get("message") or "No answer."), applied)
    return answered(question, Answer.model_validate(record["answer"]), number, applied)


def markdown(turn: Turn) -> str:
    """The turn for a Markdown export."""
    message = "Stopped before the answer was finished." if turn.kind == STOPPED else turn.message
    return markdown_turn(turn.question, turn.result, message, turn.applied)
