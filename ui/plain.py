"""Answers as plain text and conversations as Markdown: what Copy and Export hand out.

The chat shows HTML; a reader pasting an answer into an e-mail or a note wants
the words with their ``[n]`` markers and, below them, what each number names
(title, date, URL), so the references survive outside the page.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date

from rag.types import Answer, Citation, Filters
from ui.markup import safe_url


def _day(value: date | None) -> str:
    return value.isoformat() if value else "undated"


def unique_citations(citations: Iterable[Citation]) -> list[Citation]:
    """One citation per number, in number order (a number may cite several sentences)."""
    seen: set[int] = set()
    out = []
    for c in sorted(citations, key=lambda c: c.number):
        if c.number not in seen:
            seen.add(c.number)
            out.append(c)
    return out


def reference_line(citation: Citation) -> str:
    """``[1] Title — source, 2022-01-21, https://…``: what a number names, in one line."""
    page = f"p. {citation.page}" if citation.page else None
    parts = [x for x in (citation.source, _day(citation.published), page, safe_url(citation.url)) if x]
    return f"[{citation.number}] {citation.title or 'Untitled'} — {', '.join(parts)}"


def applied_filters(filters: Filters | None) -> str:
    """The label of the filters an answer was found under ("" when none): ``Filters.describe`` brief."""
    words = filters.describe(brief=True) if filters else ""
    return f"Filters: {words}" if words else ""


def plain_answer(answer: Answer, applied: str = "") -> str:
    """The answer's text with its markers, then one line per reference; the filters last."""
    text = answer.answer.strip() or ("The articles don't say." if answer.abstained else "")
    if answer.error:
        text = f"The answer could not be generated: {answer.error}"
    refs = [reference_line(c) for c in unique_citations(answer.citations)] if not answer.error else []
    blocks = [text, "\n".join(refs), applied]
    return "\n\n".join(b for b in blocks if b)


def _md_escape(text: str) -> str:
    """Text that Markdown shows as written (no links, emphasis or HTML of its own)."""
    out = text
    for ch in "\\`*_{}<>#|!":
        out = out.replace(ch, "\\" + ch)
    return out.replace("[", "\\[").replace("]", "\\]")


def _md_reference(citation: Citation) -> str:
    title = _md_escape(citation.title or "Untitled")
    url = safe_url(citation.url)
    linked = f"[{title}](<{url}>)" if url else title
    meta = _md_escape(", ".join(x for x in (citation.source, _day(citation.published)) if x))
    return f"- \\[{citation.number}\\] {linked} — {meta}" + (f" — <{url}>" if url else "")


def markdown_turn(question: str, answer: Answer | None, message: str, applied: str) -> str:
    """One exchange: the question as a heading, the answer, its references and filters."""
    lines = [f"## {_md_escape(question)}", ""]
    if answer is None or answer.error:
        lines.append(f"_{_md_escape(message or (answer.error if answer else '') or 'No answer.')}_")
    else:
        text = answer.answer.strip() or "The articles don't say."
        lines.append(_md_escape(text))
        cited = unique_citations(answer.citations)
        if cited:
            lines += ["", *(_md_reference(c) for c in cited)]
    if applied:
        lines += ["", f"_{_md_escape(applied)}_"]
    return "\n".join(lines)


def markdown_conversation(title: str, saved: str, turns: Sequence[str]) -> str:
    """A whole conversation: title, when it was saved, then each exchange from ``markdown_turn``."""
    head = f"# {_md_escape(title)}\n\n_Saved from newsdesk, {saved}._"
    return "\n\n".join([head, *turns]) + "\n"
