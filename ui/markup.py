"""The HTML primitives every rendered piece shares: escaping, safe links, one-block messages.

Article text, titles, URLs and model output are all untrusted, so every piece
of text goes through :func:`html.escape` and only ``http(s)`` URLs become links.
Chat messages are wrapped in a single ``<div>`` without blank lines: Markdown
leaves such an HTML block alone, so model output cannot smuggle in Markdown
links or LaTeX.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date
from html import escape
from urllib.parse import urlsplit

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


def text(value: str) -> str:
    """Escapes text and keeps its line breaks without producing blank lines."""
    return "<br>".join(escape(line) for line in _NEWLINES.split(value))


def block(css_class: str, inner: str, plain: str | None = None) -> str:
    """One HTML block for a chat message; no blank lines so Markdown does not parse inside.

    ``plain`` is what the message's Copy button puts on the clipboard (``ui.script`` reads it):
    a hidden element, as the chat's sanitiser drops ``data-`` attributes; its newlines are
    character references so the block keeps no blank line.
    """
    hidden = ""
    if plain is not None:
        hidden = '<div class="nd-plain">' + escape(plain).replace("\r", "").replace("\n", "&#10;") + "</div>"
    return f'<div class="{css_class}">{inner}{hidden}</div>'


def fmt_date(value: date | None) -> str:
    return value.isoformat() if value else "undated"


def source_label(title: str, source: str | None, published: date | None) -> str:
    """Plain-text 'Title — source, date' used in tooltips (escaped by the caller)."""
    meta = ", ".join(x for x in (source, fmt_date(published)) if x)
    return f"{title} — {meta}"


def anchor_id(turn: int, number: int, inline: bool = False) -> str:
    """DOM id of a source card: per answer, beside the chat or (``inline``) under the answer."""
    return f"nd-{'isrc' if inline else 'src'}-{turn}-{number}"


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
        out.append(text(passage[pos:start]))
        out.append(f"<mark>{text(passage[start:end])}</mark>")
        pos = end
    out.append(text(passage[pos:]))
    return "".join(out)
