"""Plain-text articles (``.txt``) in the shapes the corpus uses.

(a) a header of title line, date line (``20220126``, ``2022-01-21``,
``2022/01/21``) and URL line, then the body; (b) a body that starts with
`` date 2022-01-21 `` and has no title; (c) bare text. A header is only
recognised when a date or URL line is actually present, so ordinary text
whose first line is short is not mistaken for one.
"""

from __future__ import annotations

import re

from rag.articles.build import make_article
from rag.articles.clean import clean_text
from rag.articles.dates import parse_date
from rag.types import Article

_DATE = r"\d{4}(?:-\d{2}-\d{2}|/\d{2}/\d{2}|\d{4})"
_DATE_LINE = re.compile(rf"(?:date\s*[:=]?\s*)?({_DATE})", re.IGNORECASE)
_DATE_PREFIX = re.compile(rf"\s*date\s*[:=]?\s*({_DATE})(?:\s+|$)", re.IGNORECASE)
_URL_LINE = re.compile(r"https?://\S+", re.IGNORECASE)
_TITLE_LINE_MAX = 300  # a header title line longer than this is a paragraph
_HEADLINE_MAX = 150  # a first line this short without final punctuation reads as a headline


def _date_of(line: str) -> str | None:
    match = _DATE_LINE.fullmatch(line.strip())
    return match.group(1) if match and parse_date(match.group(1)) else None


def _is_url(line: str) -> bool:
    return bool(_URL_LINE.fullmatch(line.strip()))


def split_header(text: str) -> tuple[dict[str, str], str]:
    """Separates a leading title/date/URL header (or ``date …`` prefix) from the body."""
    fields: dict[str, str] = {}
    prefix = _DATE_PREFIX.match(text)
    if prefix and parse_date(prefix.group(1)):
        fields["date"] = prefix.group(1)
        text = text[prefix.end() :]
    lines = text.split("\n")
    i = 0
    while i < len(lines) and not lines[i].strip():
        i += 1
    start = i
    title = None
    if (
        i < len(lines)
        and not _date_of(lines[i])
        and not _is_url(lines[i])
        and len(lines[i].strip()) <= _TITLE_LINE_MAX
    ):
        title = lines[i].strip()
        i += 1
    found: dict[str, str] = {}
    while i < len(lines) and len(found) < 2:
        line = lines[i].strip()
        if not line:
            i += 1
            continue
        day = _date_of(line)
        if day and "date" not in found and "date" not in fields:
            found["date"] = day
        elif _is_url(line) and "url" not in found:
            found["url"] = line
        else:
            break
        i += 1
    if not found:  # no header after all: the text starts with the body
        return fields, "\n".join(lines[start:])
    if title:
        found["title"] = title
    return {**fields, **found}, "\n".join(lines[i:])


def _headline(body: str) -> tuple[str | None, str]:
    """A short first line without closing punctuation is the title; it is taken off the body."""
    lines = body.strip().split("\n", 1)
    first = lines[0].strip()
    rest = lines[1] if len(lines) > 1 else ""
    if (
        rest.strip()
        and len(first) <= _HEADLINE_MAX
        and not first.endswith((".", "!", "?", ",", ";", ":", "”", '"'))
    ):
        return first, rest
    return None, body


def parse_text(text: str, *, path: str | None = None, stem: str = "") -> list[Article]:
    """One article from a plain-text file (see the module docstring for the shapes)."""
    fields, body = split_header(clean_text(text))
    title: str | None = fields.get("title")
    if title is None and "date" not in fields and "url" not in fields:
        title, body = _headline(body)
    article = make_article(
        text=body, title=title, url=fields.get("url"), published=fields.get("date"), path=path, stem=stem
    )
    return [article] if article else []
