"""Structured articles: JSON, JSON Lines and CSV records with the usual field names.

``articles_from_records`` is shared with the eval adapters, so datasets and
user files agree on which field is the title, body, date and so on.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping
from pathlib import PurePath
from typing import Any

from rag.articles.build import make_article
from rag.errors import ArticleError
from rag.types import Article

# Field aliases, matched case-insensitively, first non-empty wins.
FIELDS: dict[str, tuple[str, ...]] = {
    "title": ("title", "headline"),
    "text": ("body", "text", "content", "article", "maintext"),
    "url": ("url", "link"),
    "published": (
        "published_at", "date", "publish_date", "published", "pubdate",
        "publishedat", "date_publish", "date_published",
    ),
    "source": ("source", "publisher", "site", "source_domain"),
    "author": ("author", "authors", "byline"),
}
_LIST_KEYS = ("articles", "data", "items")
_CSV_FIELD_LIMIT = 2**31 - 1  # news bodies exceed csv's 128 kB default


def _as_text(value: Any, joiner: str) -> str | None:
    """Strings as they are; lists joined; ``{"name": …}`` objects (NewsAPI sources) by name."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value if value.strip() else None
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, Mapping):
        for key in ("name", "title", "text"):
            if isinstance(value.get(key), str) and value[key].strip():
                return value[key]
        return None
    if isinstance(value, (list, tuple)):
        parts = [p for p in (_as_text(v, joiner) for v in value) if p]
        return joiner.join(p.strip() for p in parts) or None
    return None


def _field(record: Mapping[str, Any], name: str) -> Any:
    lowered = {str(k).strip().lower(): v for k, v in record.items() if k is not None}
    for alias in FIELDS[name]:
        value = lowered.get(alias)
        if name == "published" and isinstance(value, (int, str)) and str(value).strip():
            return value
        joiner = "\n\n" if name == "text" else ", "
        text = _as_text(value, joiner)
        if text:
            return text
    return None


def articles_from_records(records: Iterable[Mapping[str, Any]], *, origin: str) -> list[Article]:
    """One article per record with body text; ``path`` is ``origin#N`` (N counts from 1).

    Records without body text are skipped; if none has any, ``ArticleError``.
    """
    articles: list[Article] = []
    for number, record in enumerate(records, start=1):
        if not isinstance(record, Mapping):
            continue
        text = _field(record, "text")
        if not text:
            continue
        article = make_article(
            text=text,
            title=_field(record, "title"),
            url=_field(record, "url"),
            published=_field(record, "published"),
            source=_field(record, "source"),
            author=_field(record, "author"),
            path=f"{origin}#{number}",
            stem=PurePath(origin).stem,
        )
        if article:
            articles.append(article)
    if not articles:
        raise ArticleError("no article text found")
    return articles


def _records_of(data: Any) -> list[Any]:
    if isinstance(data, list):
        return data
    if isinstance(data, dict):
        lowered = {str(k).lower(): v for k, v in data.items()}
        for key in _LIST_KEYS:
            if isinstance(lowered.get(key), list):
                return lowered[key]
            if isinstance(lowered.get(key), dict):  # {"data": {"articles": [...]}}
                return _records_of(lowered[key])
        return [data]
    return []


def parse_json(text: str, *, origin: str) -> list[Article]:
    """A single object, a list of objects, or an object with an articles/data/items list."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":  # one object per line saved as .json
            return parse_jsonl(text, origin=origin)
        raise ArticleError(f"invalid JSON at line {error.lineno}") from None
    except RecursionError:
        raise ArticleError("invalid JSON: nested too deeply") from None
    return articles_from_records(_records_of(data), origin=origin)


def parse_jsonl(text: str, *, origin: str) -> list[Article]:
    """One JSON object per line; blank lines are ignored, a broken line fails the file."""
    records: list[Any] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except (json.JSONDecodeError, RecursionError):
            raise ArticleError(f"invalid JSON at line {number}") from None
    return articles_from_records(records, origin=origin)


def parse_csv(text: str, *, origin: str, delimiter: str | None = None) -> list[Article]:
    """A header row naming the fields, then one article per row."""
    if delimiter is None:
        header = text.split("\n", 1)[0]
        delimiter = next((d for d in ",;\t|" if d in header), ",")
    # The limit is process-wide; it is only ever raised (never restored) so that concurrent
    # parses cannot lower it under each other. File size is capped by ``parse_file`` anyway.
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        rows = list(reader)
    except csv.Error as error:
        raise ArticleError(f"invalid CSV at line {reader.line_num}: {error}") from None
    return articles_from_records(rows, origin=origin)
