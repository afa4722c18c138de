"""Pure functions that turn ``Answer``/``Retrieval`` values into HTML for the page.

Article text, titles, URLs and model output are all untrusted, so every piece
of text goes through :func:`html.escape` and only ``http(s)`` URLs become links.
Chat messages are wrapped in a single ``<div>`` without blank lines: Markdown
leaves such an HTML block alone, so model output cannot smuggle in Markdown
links or LaTeX.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import date
from html import escape
from urllib.parse import urlsplit

from rag.markers import MARKER, numbers_in
from rag.types import Answer, Citation, Passage, Retrieval

# "[3]" or "[1, 2]" / "[1,2]"; the numbers inside are linked one by one.
_NEWLINES = re.compile(r"\r\n?|\n")


def safe_url(url: str | None) -> str | None:
    """The URL if it is an absolute http(s) URL, else None: no ``javascript:`` links."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return url.strip()


def _text(text: str) -> str:
    """Escapes text and keeps its line breaks without producing blank lines."""
    return "<br>".join(escape(line) for line in _NEWLINES.split(text))


def _block(css_class: str, inner: str) -> str:
    """One HTML block for a chat message; no blank lines so Markdown does not parse inside."""
    return f'<div class="{css_class}">{inner}</div>'


def fmt_date(value: date | None) -> str:
    return value.isoformat() if value else "undated"


def source_label(title: str, source: str | None, published: date | None) -> str:
    """Plain-text 'Title — source, date' used in tooltips (escaped by the caller)."""
    meta = ", ".join(x for x in (source, fmt_date(published)) if x)
    return f"{title} — {meta}"


def anchor_id(turn: int, number: int) -> str:
    """DOM id of a source card; per turn, so old answers' markers never point at new cards."""
    return f"nd-src-{turn}-{number}"


def link_citations(text: str, citations: Sequence[Citation], turn: int = 0) -> str:
    """Escaped ``text`` with every ``[n]`` that names a citation turned into a link.

    The link goes to the source card beside the chat; its tooltip names the
    article. Numbers that name no citation stay plain text.
    """
    by_number = {c.number: c for c in citations}
    out: list[str] = []
    pos = 0
    for match in MARKER.finditer(text):
        numbers = numbers_in(match)
        if not any(n in by_number for n in numbers):
            continue
        out.append(_text(text[pos : match.start()]))
        out.append("".join(_cite_link(n, by_number.get(n), turn) for n in numbers))
        pos = match.end()
    out.append(_text(text[pos:]))
    return "".join(out)


def _cite_link(number: int, citation: Citation | None, turn: int) -> str:
    if citation is None:
        return f"&#91;{number}&#93;"
    tip = escape(source_label(citation.title, citation.source, citation.published))
    return (
        f'<a class="nd-cite" href="#{anchor_id(turn, number)}" title="{tip}" '
        f'data-cite="{number}">&#91;{number}&#93;</a>'
    )


def _reference(citation: Citation) -> str:
    """One line under an answer: number, linked title, source and date."""
    title = escape(citation.title or "Untitled")
    url = safe_url(citation.url)
    if url:
        title = f'<a href="{escape(url)}" target="_blank" rel="noopener noreferrer">{title}</a>'
    meta = escape(", ".join(x for x in (citation.source, fmt_date(citation.published)) if x))
    return f"<li>&#91;{citation.number}&#93; {title} <span class='nd-meta'>— {meta}</span></li>"


def format_answer(answer: Answer, turn: int = 0) -> str:
    """The chat message for a finished answer: linked markers plus a reference list.

    Abstentions ("the articles don't say") and generation failures get their own
    look so nobody mistakes them for an answer.
    """
    if answer.error:
        note = "The answer could not be generated"
        body = f"<strong>{note}.</strong> {_text(answer.error)}"
        if answer.passages:
            body += "<br>The retrieved passages are shown in the sources panel."
        return _block("nd-msg nd-error", "&#9888; " + body)
    if answer.abstained:
        body = f"<strong>Not in the articles.</strong> {_text(answer.answer)}"
        return _block("nd-msg nd-abstain", body)
    html = f'<div class="nd-text">{link_citations(answer.answer, answer.citations, turn)}</div>'
    cited = _unique_citations(answer.citations)
    if cited:
        html += '<ol class="nd-refs">' + "".join(_reference(c) for c in cited) + "</ol>"
    return _block("nd-msg nd-answer", html)


def format_partial(text: str) -> str:
    """The chat message while tokens stream in: escaped text and a cursor."""
    return _block("nd-msg nd-streaming", _text(text) + '<span class="nd-cursor">&#9612;</span>')


def format_question(text: str) -> str:
    """The user's message, escaped like everything else."""
    return _block("nd-msg nd-question", _text(text))


def format_waiting(answer_seconds: float | None = None) -> str:
    """The bubble of a question waiting for the model; the queue's place and timer show over the chat."""
    lately = f" Answers take about {answer_seconds:.0f} s each here." if answer_seconds else ""
    return _block(
        "nd-msg nd-waiting",
        "Waiting for a turn with the model; your place in the queue and the "
        f"time waited show in the corner of this chat.{escape(lately)}",
    )


def format_failure(message: str) -> str:
    """The chat message when asking failed outright (no answer at all)."""
    return _block("nd-msg nd-error", "&#9888; " + _text(message))


def _unique_citations(citations: Iterable[Citation]) -> list[Citation]:
    seen: set[int] = set()
    out = []
    for c in sorted(citations, key=lambda c: c.number):
        if c.number not in seen:
            seen.add(c.number)
            out.append(c)
    return out


def highlight(passage: str, spans: Iterable[tuple[int, int]]) -> str:
    """Escaped ``passage`` with each (start, end) span wrapped in ``<mark>``.

    Spans are clamped to the passage, sorted and merged, so bad offsets can
    never break the markup.
    """
    size = len(passage)
    clean = sorted((max(0, s), min(size, e)) for s, e in spans if min(size, e) > max(0, s))
    merged: list[list[int]] = []
    for start, end in clean:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    out: list[str] = []
    pos = 0
    for start, end in merged:
        out.append(_text(passage[pos:start]))
        out.append(f"<mark>{_text(passage[start:end])}</mark>")
        pos = end
    out.append(_text(passage[pos:]))
    return "".join(out)


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
        body=_text(passage.text),
        css="nd-card nd-retrieved",
    )


def _citation_card(citation: Citation, turn: int) -> str:
    return _card(
        label=f"&#91;{citation.number}&#93;",
        title=citation.title,
        url=citation.url,
        source=citation.source,
        published=citation.published,
        body=highlight(citation.passage, citation.highlights),
        card_id=anchor_id(turn, citation.number),
        css="nd-card nd-cited",
        page=citation.page,
    )


def _header(text: str, question: str | None = None) -> str:
    q = f' <span class="nd-q">for “{escape(question)}”</span>' if question else ""
    return f'<div class="nd-sources-head">{escape(text)}{q}</div>'


def empty_sources() -> str:
    return _wrap('<div class="nd-empty">Sources of the latest answer appear here.</div>')


def _wrap(inner: str, state: str = "") -> str:
    return f'<div class="nd-sources {state}">{inner}</div>'


def pending_sources(retrieval: Retrieval) -> str:
    """Sources panel while the answer is still being written: every passage as retrieved."""
    if not retrieval.passages:
        return _wrap(_header("No passages found", retrieval.standalone_question), "nd-pending")
    head = _header(
        f"{len(retrieval.passages)} passages retrieved — writing the answer…",
        retrieval.standalone_question,
    )
    cards = "".join(_passage_card(p, f"{i}.") for i, p in enumerate(retrieval.passages, 1))
    return _wrap(head + cards, "nd-pending")


def source_cards(answer: Answer, turn: int = 0) -> str:
    """Sources panel for a finished answer: cited passages with highlights, the rest folded."""
    question = answer.standalone_question or answer.question
    cited_chunks = {c.chunk_id for c in answer.citations}
    uncited = [p for p in answer.passages if p.chunk_id not in cited_chunks]
    if answer.error:
        head = _header("Answer failed — retrieved passages", question)
        cards = "".join(_passage_card(p, f"{i}.") for i, p in enumerate(answer.passages, 1))
        return _wrap(head + (cards or '<div class="nd-empty">No passages.</div>'), "nd-failed")
    cited = _unique_citations(answer.citations)
    parts = [_header(f"{len(cited)} cited" if cited else "Nothing cited", question)]
    parts += [_citation_card(c, turn) for c in cited]
    if uncited:
        folded = "".join(_passage_card(p, "·") for p in uncited)
        parts.append(
            f'<details class="nd-uncited"><summary>{len(uncited)} retrieved but not cited</summary>'
            f"{folded}</details>"
        )
    return _wrap("".join(parts), "nd-done")


def settings_table(info: dict[str, object]) -> str:
    """``describe()``/``stats()`` as a small escaped HTML table."""
    rows = "".join(f"<tr><th>{escape(str(k))}</th><td>{escape(str(v))}</td></tr>" for k, v in info.items())
    return f'<table class="nd-settings">{rows}</table>'


def settings_line(info: dict[str, object]) -> str:
    """One line always visible over the chat: what answers the questions."""
    keys = ("generator", "embedder", "k", "store", "articles", "chunks")
    shown = [(k, info[k]) for k in keys if k in info] or list(info.items())
    return (
        '<div class="nd-settings-line">'
        + " · ".join(f"<span><b>{escape(str(k))}</b> {escape(str(v))}</span>" for k, v in shown)
        + "</div>"
    )
