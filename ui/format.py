"""Pure functions that turn ``Answer`` values into the chat's messages and the page's header.

Every piece of text is escaped (see ``ui.markup``); each message carries its
plain-text form for the Copy button.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from rag.markers import MARKER, numbers_in
from rag.types import Answer, Citation
from ui.markup import anchor_id, block, fmt_date, safe_url, source_label, text
from ui.plain import plain_answer, unique_citations
from ui.sources import inline_sources

ABSTAINED = "The articles don't say."


def link_citations(value: str, citations: Sequence[Citation], turn: int = 0) -> str:
    """Escaped ``value`` with every ``[n]`` that names a citation turned into a link.

    The link goes to the answer's source card; its tooltip names the article.
    Numbers that name no citation stay plain text.
    """
    by_number = {c.number: c for c in citations}
    out: list[str] = []
    pos = 0
    for match in MARKER.finditer(value):
        numbers = numbers_in(match)
        if not any(n in by_number for n in numbers):
            continue
        out.append(text(value[pos : match.start()]))
        out.append("".join(_cite_link(n, by_number.get(n), turn) for n in numbers))
        pos = match.end()
    out.append(text(value[pos:]))
    return "".join(out)


def _cite_link(number: int, citation: Citation | None, turn: int) -> str:
    if citation is None:
        return f"&#91;{number}&#93;"
    tip = escape(source_label(citation.title, citation.source, citation.published))
    return (
        f'<a class="nd-cite" href="#{anchor_id(turn, number)}" title="{tip}" '
        f'data-turn="{turn}" data-cite="{number}">&#91;{number}&#93;</a>'
    )


def _reference(citation: Citation) -> str:
    """One line under an answer: number, linked title, source and date."""
    title = escape(citation.title or "Untitled")
    url = safe_url(citation.url)
    if url:
        title = f'<a href="{escape(url)}" target="_blank" rel="noopener noreferrer">{title}</a>'
    meta = escape(", ".join(x for x in (citation.source, fmt_date(citation.published)) if x))
    return f"<li>&#91;{citation.number}&#93; {title} <span class='nd-meta'>— {meta}</span></li>"


def _applied(applied: str) -> str:
    return f'<div class="nd-applied">{escape(applied)}</div>' if applied else ""


def format_answer(answer: Answer, turn: int = 0, applied: str = "") -> str:
    """The chat message for a finished answer: linked markers, references, the filters it used.

    Abstentions ("the articles don't say") and generation failures get their own
    look so nobody mistakes them for an answer.
    """
    plain = plain_answer(answer, applied)
    if answer.error:
        body = f"<strong>The answer could not be generated.</strong> {text(answer.error)}"
        if answer.passages:
            body += "<br>The retrieved passages are shown with the sources."
        return block("nd-msg nd-error", "&#9888; " + body + _applied(applied), plain)
    if answer.abstained:
        said = answer.answer.strip() or ABSTAINED
        return block("nd-msg nd-abstain", text(said) + _applied(applied), plain)
    html = f'<div class="nd-text">{link_citations(answer.answer, answer.citations, turn)}</div>'
    cited = unique_citations(answer.citations)
    if cited:
        html += '<ol class="nd-refs">' + "".join(_reference(c) for c in cited) + "</ol>"
    html += _applied(applied) + inline_sources(answer, turn)
    return block("nd-msg nd-answer", html, plain)


def format_partial(value: str) -> str:
    """The chat message while tokens stream in: escaped text and a cursor."""
    return block("nd-msg nd-streaming", text(value) + '<span class="nd-cursor">&#9612;</span>')


def format_question(value: str) -> str:
    """The user's message, escaped like everything else."""
    return block("nd-msg nd-question", text(value), value)


def format_waiting(answer_seconds: float | None = None) -> str:
    """The bubble of a question waiting for the model; the queue's place and timer show over the chat."""
    lately = f" Answers take about {answer_seconds:.0f} s each here." if answer_seconds else ""
    return block(
        "nd-msg nd-waiting",
        "Waiting for a turn with the model; your place in the queue and the "
        f"time waited show in the corner of this chat.{escape(lately)}",
    )


def format_failure(message: str) -> str:
    """The chat message when asking failed outright (no answer at all)."""
    return block("nd-msg nd-error", "&#9888; " + text(message), message)


def format_stopped() -> str:
    """The chat message of an answer stopped before it was finished."""
    note = "Stopped before the answer was finished."
    return block("nd-msg nd-stopped", escape(note), note)


def settings_table(info: dict[str, object]) -> str:
    """``describe()``/``stats()`` as a small escaped HTML table."""
    rows = "".join(f"<tr><th>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>" for k, v in info.items())
    return f'<table class="nd-settings">{rows}</table>'


def _count(n: object, word: str) -> str:
    return f"{n} {word}" + ("" if str(n) == "1" else "s")


def settings_line(info: dict[str, object]) -> str:
    """One short line over the chat, in plain words: "2 articles · local model"."""
    parts = []
    if "articles" in info:
        parts.append(_count(info["articles"], "article"))
    generator = str(info.get("generator") or "")
    if generator:
        parts.append("local model" if generator.startswith("local ") else generator.split(" at ")[0])
    if "error" in info:
        parts.append("the store cannot be read now")
    if not parts:  # before the page has loaded the store's facts
        return '<div class="nd-settings-line">…</div>'
    return f'<div class="nd-settings-line"><b>{escape(" · ".join(parts))}</b></div>'
