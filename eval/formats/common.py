"""What the question-set formats share: reading their files and turning article records into articles.

Records become ``Article`` values through rag's own builder (``articles_from_records``),
so ids and cleaning match a normal ingest; dates and hosts use rag's helpers.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from pydantic import ValidationError

from eval.formats.base import QuestionSetError
from eval.metrics import normalize_url
from eval.questions import Question
from rag.articles import articles_from_records, parse_date, source_from_url
from rag.errors import ArticleError
from rag.types import Article


def make_question(record: dict[str, Any], where: str) -> Question:
    try:
        return Question.model_validate(record)
    except (ValidationError, ValueError, TypeError) as exc:
        raise QuestionSetError(f"{where}: {exc}") from None


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        for n, line in enumerate(handle, start=1):
            if line.strip():
                try:
                    yield json.loads(line)
                except json.JSONDecodeError as exc:
                    raise QuestionSetError(f"{path}:{n}: not valid JSON ({exc.msg})") from None


def load_json_list(path: Path) -> list[Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, json.JSONDecodeError) as exc:
        raise QuestionSetError(f"{path}: cannot read ({exc})") from None
    if not isinstance(data, list):
        raise QuestionSetError(f"{path}: expected a JSON array")
    return data


# ---------------------------------------------------------------- article records


def build(records: list[dict[str, Any]], origin: str) -> list[Article]:
    """Articles through the project's own builder, so ids and cleaning match a normal ingest."""
    if not records:
        return []
    try:
        return articles_from_records(records, origin=origin)
    except ArticleError:  # every text was boilerplate once cleaned
        return []


def authors(value: Any) -> str | None:
    if isinstance(value, (list, tuple)):
        names = [str(v).strip() for v in value if str(v).strip()]
        return ", ".join(names) or None
    return (str(value).strip() or None) if value else None


def dedup_by_url(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One record per normalised URL, first-seen order: the longest text wins, a missing title is filled in.

    Records without text are dropped: there is nothing to retrieve from them.
    """
    kept: dict[str, dict[str, Any]] = {}
    for record in records:
        key = normalize_url(record.get("url")) or record.get("text", "")
        if not key:
            continue
        current = kept.get(key)
        if current is None:
            kept[key] = dict(record)
            continue
        if len(record.get("text") or "") > len(current.get("text") or ""):
            title = current.get("title")
            current.update({k: v for k, v in record.items() if v})
            current["title"] = record.get("title") or title
        for field in ("title", "published_at", "author", "source"):
            if not current.get(field) and record.get(field):
                current[field] = record[field]
    return [r for r in kept.values() if (r.get("text") or "").strip()]


def finish(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Dates as ISO strings and a title for every record, so any article builder accepts them."""
    for record in records:
        parsed = parse_date(record.get("published_at"))
        record["published_at"] = parsed.isoformat() if parsed else None
        if not record.get("title"):
            record["title"] = title_from_url(record["url"]) if record.get("url") else "Untitled"
    return records


def title_from_url(url: str) -> str:
    """A readable stand-in title from the URL's last meaningful path segment."""
    segments = [s for s in urlsplit(url).path.split("/") if s and s not in ("index.html", "index.htm")]
    if not segments:
        return source_from_url(url) or url
    slug = segments[-1].rsplit(".", 1)[0]
    return slug.replace("-", " ").replace("_", " ").strip().capitalize() or url


def load_records_corpus(path: Path | str) -> list[Article]:
    """Articles from a JSON array or JSON lines of records with the usual field names, deduplicated by URL.

    Fields: title, body|text|content, url, published_at|date|publish_date,
    source, author|authors.
    """
    file = Path(path)
    rows = list(read_jsonl(file)) if file.suffix.lower() == ".jsonl" else load_json_list(file)
    records = []
    for row in rows:
        if not isinstance(row, dict):
            continue
        text = str(row.get("body") or row.get("text") or row.get("content") or "").strip()
        records.append(
            {
                "title": (row.get("title") or "").strip() or None,
                "text": text,
                "url": (row.get("url") or "").strip() or None,
                "published_at": row.get("published_at") or row.get("date") or row.get("publish_date"),
                "source": row.get("source"),
                "author": authors(row.get("author") or row.get("authors")),
            }
        )
    return build(finish(dedup_by_url(records)), origin=str(file))


def plain_corpus(path: Path) -> list[Article] | None:
    """A corpus in no dataset's shape: a ``corpus.json`` (or a folder holding one) or another
    ``.json``/``.jsonl`` file of article records; ``None`` (plain files for ``ingest``) otherwise."""
    if path.is_dir() and (path / "corpus.json").exists():
        return load_records_corpus(path / "corpus.json")
    if path.is_file() and path.suffix.lower() in (".json", ".jsonl"):
        return load_records_corpus(path)
    return None
