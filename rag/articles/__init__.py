"""Reading article files into ``Article`` values.

``read_file`` reads one file (plain text, JSON, JSON Lines, CSV, HTML,
Markdown, PDF) into its articles, the records it skipped and notes worth knowing
(a guessed encoding, repaired bytes); it raises ``ArticleError`` with a
one-line reason when the file gives no article. ``parse_file`` is its
articles. ``load_files`` walks files and folders and collects failures
instead of raising, so one bad file never stops an ingest; ``load_paths`` is
its articles and failures.

Only regular files are ever opened: a FIFO, device or socket is refused from
its ``stat`` (opening a FIFO blocks forever), and so are broken links.
"""

from __future__ import annotations

import errno
import os
import stat
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rag.articles.build import article_id, make_article, normalise_url, source_from_url
from rag.articles.clean import clean_text, decode, is_boilerplate
from rag.articles.dates import parse_date
from rag.articles.html import parse_html
from rag.articles.markdown import parse_markdown
from rag.articles.pdf import read_pdf
from rag.articles.records import (
    Records,
    articles_from_records,
    no_articles,
    parse_csv,
    parse_json,
    parse_jsonl,
)
from rag.articles.text import parse_text
from rag.errors import ArticleError
from rag.types import Article, IngestFailure

__all__ = [
    "SUFFIXES",
    "FileResult",
    "Loaded",
    "NoArticles",
    "article_id",
    "articles_from_records",
    "clean_text",
    "is_boilerplate",
    "iter_files",
    "load_files",
    "load_paths",
    "make_article",
    "normalise_url",
    "parse_date",
    "parse_file",
    "read_file",
    "source_from_url",
    "walk",
]

DEFAULT_MAX_BYTES = 50_000_000
Parser = Callable[[str, Path], Records]

_PARSERS: dict[str, Parser] = {
    ".txt": lambda text, path: (parse_text(text, path=str(path), stem=path.stem), []),
    ".text": lambda text, path: (parse_text(text, path=str(path), stem=path.stem), []),
    ".json": lambda text, path: parse_json(text, origin=str(path)),
    ".jsonl": lambda text, path: parse_jsonl(text, origin=str(path)),
    ".ndjson": lambda text, path: parse_jsonl(text, origin=str(path)),
    ".csv": lambda text, path: parse_csv(text, origin=str(path)),
    ".tsv": lambda text, path: parse_csv(text, origin=str(path), delimiter="\t"),
    ".html": lambda text, path: (parse_html(text, path=str(path), stem=path.stem), []),
    ".htm": lambda text, path: (parse_html(text, path=str(path), stem=path.stem), []),
    ".md": lambda text, path: (parse_markdown(text, path=str(path), stem=path.stem), []),
    ".markdown": lambda text, path: (parse_markdown(text, path=str(path), stem=path.stem), []),
}
PDF_SUFFIX = ".pdf"  # binary: read by rag.articles.pdf, never decoded as text
SUFFIXES = frozenset({*_PARSERS, PDF_SUFFIX})

# Opening never waits (a FIFO swapped in after the stat) and never makes a terminal ours.
_OPEN_FLAGS = (
    os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
)


@dataclass(frozen=True)
class FileResult:
    """What one file gave: its articles, the records it skipped (with why), and notes on what was kept."""

    articles: list[Article]
    skipped: list[IngestFailure] = field(default_factory=list)
    notes: list[IngestFailure] = field(default_factory=list)


@dataclass(frozen=True)
class Loaded:
    """What a walk over files and folders gave: articles, everything skipped with why, and notes."""

    articles: list[Article]
    failed: list[IngestFailure]
    notes: list[IngestFailure]


class NoArticles(ArticleError):
    """A file of records none of which was an article; ``skipped`` says why for each."""

    def __init__(self, reason: str, skipped: Sequence[IngestFailure] = ()) -> None:
        super().__init__(reason)
        self.skipped = list(skipped)


def _size(n: float) -> str:
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f}".removesuffix(".0") + " MB"
    if n >= 1_000:
        return f"{n / 1_000:.1f}".removesuffix(".0") + " kB"
    return f"{int(n)} bytes"


def _stat(path: Path) -> os.stat_result:
    """``stat`` following links, with a reason for missing files, broken links and link loops."""
    try:
        return path.stat()
    except FileNotFoundError:
        raise ArticleError("broken symbolic link" if path.is_symlink() else "no such file") from None
    except OSError as error:
        if error.errno == errno.ELOOP:
            raise ArticleError("symbolic link loop") from None
        raise ArticleError(f"cannot read file ({error.strerror or type(error).__name__})") from None


def _not_regular(mode: int) -> str | None:
    """Why a file of this mode must not be opened, or ``None`` for a regular file."""
    if stat.S_ISREG(mode):
        return None
    if stat.S_ISDIR(mode):
        return "is a folder, not a file"
    for test, kind in (
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
    ):
        if test(mode):
            return f"is {kind}, not a regular file"
    return "not a regular file"


def _read(path: Path, max_bytes: int) -> bytes:
    """The bytes of a regular file, checked again on the open descriptor, at most ``max_bytes``."""
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as error:
        raise ArticleError(f"cannot read file ({error.strerror or type(error).__name__})") from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        why = _not_regular(info.st_mode)
        if why:
            raise ArticleError(why)
        if info.st_size > max_bytes:
            raise ArticleError(f"file too large ({_size(info.st_size)} > {_size(max_bytes)})")
        try:
            data = handle.read(max_bytes + 1)
        except OSError as error:
            raise ArticleError(f"cannot read file ({error.strerror or type(error).__name__})") from None
    if len(data) > max_bytes:  # it grew after the stat
        raise ArticleError(f"file too large (> {_size(max_bytes)})")
    return data


def read_file(path: Path | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> FileResult:
    """The articles of one file, the records skipped and notes; ``ArticleError`` when it gives none."""
    path = Path(path)
    info = _stat(path)
    if stat.S_ISDIR(info.st_mode):
        raise ArticleError("is a folder, not a file")
    suffix = path.suffix.lower()
    parser = _PARSERS.get(suffix)
    if parser is None and suffix != PDF_SUFFIX:
        raise ArticleError(f"unknown format '{suffix}'" if suffix else "unknown format (no file extension)")
    why = _not_regular(info.st_mode)
    if why:
        raise ArticleError(why)
    if info.st_size > max_bytes:
        raise ArticleError(f"file too large ({_size(info.st_size)} > {_size(max_bytes)})")
    if parser is None:
        pdf = read_pdf(_read(path, max_bytes), path=str(path), stem=path.stem, max_chars=max_bytes)
        return FileResult(articles=[pdf.article], skipped=list(pdf.skipped))
    decoded = decode(_read(path, max_bytes))
    articles, skipped = parser(decoded.text, path)
    if not articles:
        raise NoArticles(no_articles(skipped), skipped)
    notes = [IngestFailure(path=str(path), reason=note) for note in decoded.notes]
    return FileResult(articles=articles, skipped=skipped, notes=notes)


def parse_file(path: Path | str, *, max_bytes: int = DEFAULT_MAX_BYTES) -> list[Article]:
    """The articles in one file; ``ArticleError`` with a short reason when there are none."""
    return read_file(path, max_bytes=max_bytes).articles


def _hidden(name: str) -> bool:
    return name.startswith(".")


def _folder_entries(root: Path) -> list[tuple[Path, str | None]]:
    """Files under ``root`` (``None``) and what was skipped there with why, sorted by path."""
    found: list[tuple[Path, str | None]] = []

    def unreadable(error: OSError) -> None:
        found.append((Path(error.filename or root), f"cannot list folder ({error.strerror or 'error'})"))

    for folder, dirs, files in os.walk(root, onerror=unreadable):
        keep = []
        for name in dirs:
            path = Path(folder, name)
            if _hidden(name):
                found.append((path, "hidden folder, not read"))
            elif path.is_symlink():
                found.append((path, "link to a folder, not followed"))
            else:
                keep.append(name)
        dirs[:] = keep
        found.extend(
            (Path(folder, name), "hidden file, not read" if _hidden(name) else None) for name in files
        )
    return sorted(found, key=lambda entry: entry[0].relative_to(root).parts)


def walk(paths: Sequence[Path | str]) -> Iterator[tuple[Path, str | None]]:
    """Every path to read (with ``None``) or skipped (with why), folders walked recursively and sorted.

    Hidden files and folders under a folder are skipped and said so; named ones are read.
    Paths that do not exist are yielded as they are, so ``read_file`` reports them.
    Each file is yielded once even when named twice.
    """
    seen: set[Path] = set()

    def once(path: Path, why: str | None) -> Iterator[tuple[Path, str | None]]:
        try:
            key = path.resolve() if path.exists() else path.absolute()
        except (OSError, RuntimeError):  # a link loop on some Pythons
            key = path.absolute()
        if key not in seen:
            seen.add(key)
            yield path, why

    for raw in paths:
        root = Path(raw).expanduser()
        if not root.is_dir():
            yield from once(root, None)
            continue
        entries = _folder_entries(root)
        if not entries:  # named on purpose, so a folder with nothing in it is worth a word
            yield from once(root, "folder has no files")
        for path, why in entries:
            yield from once(path, why)


def iter_files(paths: Sequence[Path | str]) -> Iterator[Path]:
    """Files named and files under folders named (recursively, sorted, hidden ones skipped)."""
    return (path for path, why in walk(paths) if why is None)


def load_files(paths: Sequence[Path | str], *, max_bytes: int = DEFAULT_MAX_BYTES) -> Loaded:
    """All articles under ``paths``, a failure for every file or record skipped, and notes on kept files."""
    loaded = Loaded(articles=[], failed=[], notes=[])
    for path, why in walk(paths):
        if why:
            loaded.failed.append(IngestFailure(path=str(path), reason=why))
            continue
        try:
            result = read_file(path, max_bytes=max_bytes)
        except NoArticles as error:
            loaded.failed.append(IngestFailure(path=str(path), reason=str(error)))
            loaded.failed.extend(error.skipped)
            continue
        except ArticleError as error:
            loaded.failed.append(IngestFailure(path=str(path), reason=str(error)))
            continue
        except Exception as error:  # noqa: BLE001 - one odd file must not stop the whole ingest
            loaded.failed.append(
                IngestFailure(path=str(path), reason=f"could not read file ({type(error).__name__})")
            )
            continue
        loaded.articles.extend(result.articles)
        loaded.failed.extend(result.skipped)
        loaded.notes.extend(result.notes)
    return loaded


def load_paths(
    paths: Sequence[Path | str], *, max_bytes: int = DEFAULT_MAX_BYTES
) -> tuple[list[Article], list[IngestFailure]]:
    """All articles under ``paths``, and an ``IngestFailure`` for every file or record skipped."""
    loaded = load_files(paths, max_bytes=max_bytes)
    return loaded.articles, loaded.failed
