"""Reading article files into ``Article`` values.

``parse_file`` reads one file (plain text, JSON, JSON Lines, CSV, HTML,
Markdown) and raises ``ArticleError`` with a one-line reason when it cannot;
``load_paths`` walks files and folders and collects failures instead of
raising, so one bad file never stops an ingest.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from rag.articles.build import article_id, make_article, normalise_url, source_from_url
from rag.articles.clean import clean_text, decode_bytes, is_boilerplate
from rag.articles.dates import parse_date
from rag.articles.html import parse_html
from rag.articles.markdown import parse_markdown
from rag.articles.records import articles_from_records, parse_csv, parse_json, parse_jsonl
from rag.articles.text import parse_text
from rag.errors import ArticleError
from rag.types import Article, IngestFailure

__all__ = [
    "SUFFIXES",
    "article_id",
    "articles_from_records",
    "clean_text",
    "is_boilerplate",
    "iter_files",
    "load_paths",
    "make_article",
    "normalise_url",
    "parse_date",
    "parse_file",
    "source_from_url",
]

DEFAULT_MAX_BYTES = 50_000_000
Parser = Callable[[str, Path], list[Article]]

_PARSERS: dict[str, Parser] = {
    ".txt": lambda text, path: parse_text(text, path=str(path), stem=path.stem),
    ".text": lambda text, path: parse_text(text, path=str(path), stem=path.stem),
    ".json": lambda text, path: parse_json(text, origin=str(path)),
    ".jsonl": lambda text, path: parse_jsonl(text, origin=str(path)),
    ".ndjson": lambda text, path: parse_jsonl(text, origin=str(path)),
    ".csv": lambda text, path: parse_csv(text, origin=str(path)),
    ".tsv": lambda text, path: parse_csv(text, origin=str(path), delimiter="\t"),
    ".html": lambda text, path: parse_html(text, path=str(path), stem=path.stem),
    ".htm": lambda text, path: parse_html(text, path=str(path), stem=path.stem),
    ".md": lambda text, path: parse_markdown(text, path=str(path), stem=path.stem),
    ".markdown": lambda text, path: parse_markdown(text, path=str(path), stem=path.stem),
}
SUFFIXES = frozenset(_PARSERS)


def _size(n: float) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}".removesuffix(".0") + " MB"
    if n >= 1_000:
        return f"{n / 1_000:.1f}".removesuffix(".0") + " kB"
    return f"{int(n)} bytes"


def parse_file(path: Path | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Article]:
    """The articles in one file; ``ArticleError`` with a short reason when there are none."""
    path = Path(path)
    if not path.exists():
        raise ArticleError("no such file")
    if path.is_dir():
        raise ArticleError("is a folder, not a file")
    suffix = path.suffix.lower()
    parser = _PARSERS.get(suffix)
    if parser is None:
        raise ArticleError(f"unknown format '{suffix}'" if suffix else "unknown format (no file extension)")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise ArticleError(f"file too large ({_size(size)} > {_size(max_bytes)})")
        data = path.read_bytes()
    except OSError as error:
        raise ArticleError(f"cannot read file ({error.strerror or type(error).__name__})") from None
    articles = parser(decode_bytes(data), path)
    if not articles:
        raise ArticleError("no article text found")
    return articles


def _hidden(name: str) -> bool:
    return name.startswith(".")


def iter_files(paths: Sequence[Path | str]) -> Iterator[Path]:
    """Files named and files under folders named (recursively, sorted, hidden ones skipped).

    Paths that do not exist are yielded as they are, so ``parse_file`` reports them.
    Each file is yielded once even when named twice.
    """
    seen: set[Path] = set()

    def once(path: Path) -> Iterator[Path]:
        key = path.resolve() if path.exists() else path.absolute()
        if key not in seen:
            seen.add(key)
            yield path

    for raw in paths:
        root = Path(raw).expanduser()
        if not root.is_dir():
            yield from once(root)
            continue
        found: list[Path] = []
        for folder, dirs, files in os.walk(root):
            dirs[:] = [d for d in dirs if not _hidden(d)]
            found.extend(Path(folder, name) for name in files if not _hidden(name))
        for path in sorted(found, key=lambda p: p.relative_to(root).parts):
            yield from once(path)


def load_paths(
    paths: Sequence[Path | str], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[list[Article], list[IngestFailure]]:
    """All articles under ``paths`` and one ``IngestFailure`` per file that gave none."""
    articles: list[Article] = []
    failures: list[IngestFailure] = []
    for path in iter_files(paths):
        try:
            articles.extend(parse_file(path, max_bytes=max_bytes))
        except ArticleError as error:
            failures.append(IngestFailure(path=str(path), reason=str(error)))
        except Exception as error:  # noqa: BLE001 - one odd file must not stop the whole ingest
            failures.append(IngestFailure(path=str(path), reason=f"could not read file ({type(error).__name__})"))
    return articles, failures
