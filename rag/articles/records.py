"""Structured articles: JSON, JSON Lines and CSV records with the usual field names.

``articles_from_records`` is shared with the eval adapters, so datasets and
user files agree on which field is the title, body, date and so on.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import PurePath
from typing import Any

from rag.articles.build import make_article
from rag.errors import ArticleError
from rag.types import Article, IngestFailure

# Articles read from a file of records, and why each other record was skipped.
Records = tuple[list[Article], list[IngestFailure]]

# Field aliases, matched case-insensitively, first non-empty wins.
# fmt: off
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
# fmt: on
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


def _lowered(record: Mapping[str, Any]) -> dict[str, Any]:
    """Keys stripped (a CSV BOM included) and lower-cased; the ``None`` key of ragged CSV rows dropped."""
    return {str(k).strip().lstrip("\ufeff").strip().lower(): v for k, v in record.items() if k is not None}


def _field(record: Mapping[str, Any], name: str) -> Any:
    lowered = _lowered(record)
    for alias in FIELDS[name]:
        value = lowered.get(alias)
        if name == "published" and isinstance(value, (int, str)) and str(value).strip():
            return value
        joiner = "\n\n" if name == "text" else ", "
        text = _as_text(value, joiner)
        if text:
            return text
    return None


def _kind(value: Any) -> str:
    """How a JSON value reads in a reason: ``a number``, ``an object``…"""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    return type(value).__name__


def _no_body(record: Mapping[str, Any]) -> str:
    """Why a record has no body text, naming the field that was there."""
    lowered = _lowered(record)
    present = [alias for alias in FIELDS["text"] if alias in lowered]
    if not present:
        return f"no body field (one of {', '.join(FIELDS['text'])})"
    name, value = present[0], lowered[present[0]]
    if isinstance(value, str):
        return f"body ('{name}') is empty"
    if value is None:
        return f"body ('{name}') is null"
    return f"body ('{name}') is {_kind(value)}, not text"


def read_records(
    records: Iterable[Mapping[str, Any]], *, origin: str
) -> tuple[list[Article], list[IngestFailure]]:
    """One article per record with body text, and why each other record was skipped.

    Paths are ``origin#N`` (N counts records from 1) for both. Never raises for a bad record.
    """
    articles: list[Article] = []
    skipped: list[IngestFailure] = []
    for number, record in enumerate(records, start=1):
        where = f"{origin}#{number}"
        try:
            article = _record_article(record, where, origin)
        except ArticleError as error:
            skipped.append(IngestFailure(path=where, reason=str(error)))
            continue
        articles.append(article)
    return articles, skipped


def _record_article(record: Any, where: str, origin: str) -> Article:
    if isinstance(record, _Ragged):
        raise ArticleError(record.reason)
    if not isinstance(record, Mapping):
        raise ArticleError(f"record is {_kind(record)}, not an object")
    text = _field(record, "text")
    if not text:
        raise ArticleError(_no_body(record))
    article = make_article(
        text=text,
        title=_field(record, "title"),
        url=_field(record, "url"),
        published=_field(record, "published"),
        source=_field(record, "source"),
        author=_field(record, "author"),
        path=where,
        stem=PurePath(origin).stem,
    )
    if article is None:
        raise ArticleError("body is empty once cleaned")
    return article


def no_articles(skipped: Sequence[IngestFailure]) -> str:
    """The reason a file of records gave no article: the first record's reason, and how many more."""
    if not skipped:
        return "no article text found"
    first = skipped[0]
    label = first.path.rpartition("#")[2]
    more = f" (and {len(skipped) - 1} more skipped)" if len(skipped) > 1 else ""
    return f"no article text found: record {label}: {first.reason}{more}"


def articles_from_records(records: Iterable[Mapping[str, Any]], *, origin: str) -> list[Article]:
    """One article per record with body text; ``path`` is ``origin#N`` (N counts from 1).

    Records without body text are skipped; if none has any, ``ArticleError`` saying why.
    """
    articles, skipped = read_records(records, origin=origin)
    if not articles:
        raise ArticleError(no_articles(skipped))
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
    raise ArticleError(f"JSON holds {_kind(data)}, not articles")


def parse_json(text: str, *, origin: str) -> Records:
    """A single object, a list of objects, or an object with an articles/data/items list."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data":  # one object per line saved as .json
            return parse_jsonl(text, origin=origin)
        raise ArticleError(f"invalid JSON at line {error.lineno}") from None
    except RecursionError:
        raise ArticleError("invalid JSON: nested too deeply") from None
    return read_records(_records_of(data), origin=origin)


def parse_jsonl(text: str, *, origin: str) -> Records:
    """One JSON object per line; blank lines are ignored, a broken line fails the file."""
    records: list[Any] = []
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            records.append(json.loads(line))
        except (json.JSONDecodeError, RecursionError):
            raise ArticleError(f"invalid JSON at line {number}") from None
    return read_records(records, origin=origin)


class _Ragged:
    """A CSV row whose number of fields differs from the header's: its columns cannot be trusted."""

    def __init__(self, reason: str) -> None:
        self.reason = reason


def parse_csv(text: str, *, origin: str, delimiter: str | None = None) -> Records:
    """A header row naming the fields, then one article per row; ragged rows are skipped, with why."""
    if delimiter is None:
        header = text.split("\n", 1)[0]
        delimiter = next((d for d in ",;\t|" if d in header), ",")
    # The limit is process-wide; it is only ever raised (never restored) so that concurrent
    # parses cannot lower it under each other. File size is capped by ``parse_file`` anyway.
    if csv.field_size_limit() < _CSV_FIELD_LIMIT:
        csv.field_size_limit(_CSV_FIELD_LIMIT)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows: list[Any] = []
    try:
        names = next((row for row in reader if row), None)  # blank lines before the header
        if names is None:
            raise ArticleError("empty file")
        _check_columns(names)
        for row in reader:
            if not row:  # a blank line is not a record
                continue
            if len(row) != len(names):
                rows.append(
                    _Ragged(
                        f"row has {len(row)} fields, the header has {len(names)} (line {reader.line_num})"
                    )
                )
            else:
                rows.append(dict(zip(names, row, strict=True)))
    except csv.Error as error:
        raise ArticleError(f"invalid CSV at line {reader.line_num}: {error}") from None
    return read_records(rows, origin=origin)


def _check_columns(names: Sequence[str]) -> None:
    """A header without any body column fails the file once, not every row."""
    columns = _lowered(dict.fromkeys(names, ""))
    if not any(alias in columns for alias in FIELDS["text"]):
        shown = ", ".join(repr(n) for n in names[:8]) + (", …" if len(names) > 8 else "")
        raise ArticleError(f"no text column (one of {', '.join(FIELDS['text'])}); the header has {shown}")
