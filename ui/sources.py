"""The sources beside the chat (and under each answer on a narrow screen): cards with highlights.

Every answer keeps its own sources: the panel holds one section per answer,
the newest shown; clicking an earlier answer's ``[1]`` shows that answer's
section (``ui.script``), so its numbers never lead to a later answer's cards.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape
from urllib.parse import urlsplit

from rag.types import Answer, Citation, Passage, Retrieval
from ui.markup import anchor_id, fmt_date, highlight, safe_url, text
from ui.plain import unique_citations


def _card(
    *,
    label: str,
    title: str,
    url: str | None,
    source: str | None,
    published: date | None,
    body: str,
    card_id: str | None = None,
    css: str = "nd-card",
    page: int | None = None,
) -> str:
    """One source card: label, linked title, source/date/URL line, the passage."""
    head = escape(title or "Untitled")
    link = safe_url(url)
    if link:
        head = f'<a href="{escape(link)}" target="_blank" rel="noopener noreferrer">{head}</a>'
    meta = [f'<span class="nd-date">{escape(fmt_date(published))}</span>']
    if page:
        meta.append(f'<span class="nd-page">p. {page}</span>')
    if source:
        meta.append(f'<span class="nd-source">{escape(source)}</span>')
    if link:
        meta.append(
            f'<a class="nd-url" href="{escape(link)}" target="_blank" rel="noopener noreferrer">'
            f"{escape(urlsplit(link).netloc)}</a>"
        )
    ident = f' id="{card_id}"' if card_id else ""
    return (
        f'<div class="{css}"{ident}><div class="nd-card-head"><span class="nd-num">{label}</span> '
        f'{head}</div><div class="nd-meta">{" · ".join(meta)}</div>'
        f'<blockquote class="nd-passage">{body}</blockquote></div>'
    )


def _passage_card(passage: Passage, label: str) -> str:
    return _card(
        label=label,
        title=passage.title,
        url=passage.url,
        source=passage.source,
        published=passage.published,
        body=text(passage.text),
        css="nd-card nd-retrieved",
    )


def citation_card(citation: Citation, turn: int, inline: bool = False) -> str:
    """The card a ``[n]`` leads to: the passage with the sentences the answer rests on marked."""
    return _card(
        label=f"&#91;{citation.number}&#93;",
        title=citation.title,
        url=citation.url,
        source=citation.source,
        published=citation.published,
        body=highlight(citation.passage, citation.highlights),
        card_id=anchor_id(turn, citation.number, inline),
        css="nd-card nd-cited",
        page=citation.page,
    )


def _header(label: str, question: str | None = None) -> str:
    q = f' <span class="nd-q">for “{escape(question)}”</span>' if question else ""
    return f'<div class="nd-sources-head">{escape(label)}{q}</div>'


def _wrap(inner: str, state: str = "") -> str:
    return f'<div class="nd-sources {state}">{inner}</div>'


def empty_sources() -> str:
    return _wrap('<div class="nd-empty">The sources of each answer appear here.</div>')


def pending_sources(retrieval: Retrieval) -> str:
    """Sources while the answer is still being written: every passage as retrieved."""
    if not retrieval.passages:
        return _wrap(_header("No passages found", retrieval.standalone_question), "nd-pending")
    head = _header(
        f"{len(retrieval.passages)} passages retrieved — writing the answer…",
        retrieval.standalone_question,
    )
    cards = "".join(_passage_card(p, f"{i}.") for i, p in enumerate(retrieval.passages, 1))
    return _wrap(head + cards, "nd-pending")


def source_cards(answer: Answer, turn: int = 0) -> str:
    """The sources of a finished answer: cited passages with highlights, the rest folded."""
    question = answer.standalone_question or answer.question
    cited_chunks = {c.chunk_id for c in answer.citations}
    uncited = [p for p in answer.passages if p.chunk_id not in cited_chunks]
    if answer.error:
        head = _header("Answer failed — retrieved passages", question)
        cards = "".join(_passage_card(p, f"{i}.") for i, p in enumerate(answer.passages, 1))
        return _wrap(head + (cards or '<div class="nd-empty">No passages.</div>'), "nd-failed")
    cited = unique_citations(answer.citations)
    label = f"Answer {turn + 1}: " + (f"{len(cited)} cited" if cited else "nothing cited")
    parts = [_header(label, question)]
    parts += [citation_card(c, turn) for c in cited]
    if uncited:
        folded = "".join(_passage_card(p, "·") for p in uncited)
        parts.append(
            f'<details class="nd-uncited"><summary>{len(uncited)} retrieved but not cited</summary>'
            f"{folded}</details>"
        )
    return _wrap("".join(parts), "nd-done")


def inline_sources(answer: Answer, turn: int) -> str:
    """The cited cards folded under the answer itself, for screens too narrow for the panel."""
    cited = unique_citations(answer.citations)
    if not cited or answer.error:
        return ""
    cards = "".join(citation_card(c, turn, inline=True) for c in cited)
    return f'<details class="nd-inline-src"><summary>Sources ({len(cited)})</summary>{cards}</details>'


def sources_panel(sections: Sequence[tuple[int, str]], pending: str | None = None) -> str:
    """One section per answer (turn number, its cards); the pending one or else the newest shown."""
    if not sections and pending is None:
        return empty_sources()
    shown = None if pending is not None else sections[-1][0]
    parts = [
        f'<section class="nd-turn-src{" nd-shown" if turn == shown else ""}" data-turn="{turn}">'
        f"{html}</section>"
        for turn, html in sections
    ]
    if pending is not None:
        parts.append(f'<section class="nd-turn-src nd-shown" data-turn="pending">{pending}</section>')
    return '<div class="nd-panel">' + "".join(parts) + "</div>"
