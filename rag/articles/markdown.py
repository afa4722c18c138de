"""Markdown articles (``.md``/``.markdown``): front matter, ``# title``, plain-text body.

The body is rendered to plain text (markup dropped, link and image text
kept, paragraphs separated by a blank line) because passages are shown and
cited as text, not as Markdown source.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from markdown_it import MarkdownIt
from markdown_it.token import Token

from rag.articles.build import make_article
from rag.articles.clean import clean_line
from rag.types import Article

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\n(.*?)\n(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.DOTALL)
_KEY_VALUE = re.compile(r"([A-Za-z_][\w-]*)\s*:\s*(.*)")
_KEYS = {
    "title": ("title", "headline"),
    "published": ("date", "published", "published_at", "publish_date", "pubdate"),
    "url": ("url", "link", "canonical_url"),
    "source": ("source", "publisher", "site"),
    "author": ("author", "authors", "byline"),
}
_MD = MarkdownIt("commonmark").enable("table")


def _unquote(value: str) -> str:
    value = value.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def front_matter(text: str) -> tuple[dict[str, str], str]:
    """Simple ``key: value`` front matter (YAML-ish: quotes, ``[a, b]`` and ``- item`` lists)."""
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    meta: dict[str, str] = {}
    lists: dict[str, list[str]] = {}
    key = None
    for line in match.group(1).split("\n"):
        item = line.strip()
        if item.startswith("- ") and key is not None and not meta.get(key):  # block list under "key:"
            lists.setdefault(key, []).append(_unquote(item[2:]))
            continue
        pair = _KEY_VALUE.fullmatch(item)
        if not pair:
            continue
        key, value = pair.group(1).lower(), pair.group(2).strip()
        if value.startswith("[") and value.endswith("]"):
            value = ", ".join(_unquote(v) for v in value[1:-1].split(",") if v.strip())
        meta[key] = _unquote(value)
    for name, values in lists.items():
        meta[name] = ", ".join(v for v in values if v)
    return meta, text[match.end() :]


def _inline_text(children: Sequence[Token]) -> str:
    parts = []
    for child in children:
        if child.type in ("text", "code_inline", "image"):
            parts.append(child.content)
        elif child.type == "softbreak":
            parts.append(" ")
        elif child.type == "hardbreak":
            parts.append("\n")
    return "".join(parts).strip()


def render(markdown: str) -> tuple[str | None, str]:
    """(first ``#`` heading, body as plain text); a leading ``#`` heading is the title, not body.

    Paragraphs, headings and code blocks are separated by a blank line; list
    items and table rows (cells joined by `` | ``) by a single newline.
    """
    tokens = _MD.parse(markdown)
    blocks: list[tuple[str, bool]] = []  # (text, inside a list or table)
    title: str | None = None
    nested = 0
    row: list[str] | None = None
    for i, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open", "table_open"):
            nested += 1
        elif token.type in ("bullet_list_close", "ordered_list_close", "table_close"):
            nested -= 1
        elif token.type == "tr_open":
            row = []
        elif token.type == "tr_close" and row is not None:
            blocks.append((" | ".join(row), True))
            row = None
        elif token.type in ("fence", "code_block"):
            blocks.append((token.content.rstrip("\n"), nested > 0))
        elif token.type == "inline":
            text = _inline_text(token.children or [])
            if row is not None:
                row.append(text)
                continue
            opener = tokens[i - 1] if i else None
            if title is None and opener is not None and opener.type == "heading_open" and opener.tag == "h1":
                title = clean_line(text) or None
                if not blocks:
                    continue
            if text:
                blocks.append((text, nested > 0))
    parts: list[str] = []
    for n, (text, grouped) in enumerate(blocks):
        if n:
            parts.append("\n" if grouped and blocks[n - 1][1] else "\n\n")
        parts.append(text)
    return title, "".join(parts)


def parse_markdown(text: str, *, path: str | None = None, stem: str = "") -> list[Article]:
    """One article; front-matter fields win over what the body says."""
    meta, body = front_matter(text)
    heading, plain = render(body)

    def pick(name: str) -> str | None:
        return next((meta[k] for k in _KEYS[name] if meta.get(k)), None)

    article = make_article(
        text=plain,
        title=pick("title") or heading,
        url=pick("url"),
        published=pick("published"),
        source=pick("source"),
        author=pick("author"),
        path=path,
        stem=stem,
    )
    return [article] if article else []
