"""The bad-file corpus: odd and hostile inputs never crash, hang or slip through an ingest.

Every kind of file below is generated in ``tmp_path``. For each, ``load_paths``
must return without raising or waiting (FIFOs!), and either give good articles
or a ``failed`` entry with a reason; no chunk of any article may exceed the
chunk size. Kinds that have one right answer say which ("ok" or "fail", with
the reason expected); the others only have to be handled.
"""

from __future__ import annotations

import bz2
import codecs
import contextlib
import gzip
import io
import json
import os
import socket
import threading
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from pdfs import BLANK, SCAN, blank_pdf, text_pdf

from rag.articles import load_paths
from rag.articles.pdf import MAX_PAGES
from rag.chunking import chunk_article
from rag.types import Article, IngestFailure

# Size of the huge one-line file: a few MB shows the behaviour; raise it to probe memory and time.
HUGE_BYTES = int(os.environ.get("BAD_FILES_HUGE_BYTES", 1_000_000))
CHUNK_SIZE, CHUNK_OVERLAP = 1000, 150
FIFO_WAIT = 3.0  # seconds before a stuck reader is released (and the test fails)

BODY = (
    "The harbour bridge reopened to traffic on Sunday morning after eight months of repairs "
    "that cost the council more than four million pounds. Engineers replaced the cables."
)
RECORD = {"title": "Bridge reopens", "text": BODY, "url": "https://example.com/news/bridge"}


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("article.txt", BODY)
    return buffer.getvalue()


@dataclass(frozen=True)
class Kind:
    """One kind of odd input: how to make it, and what must come of it (``None``: anything handled)."""

    name: str
    make: Callable[[Path], None]
    expect: str | None = None  # "ok" or "fail"
    reason: str | None = None  # a substring of the failure reason, when it fails


def data(content: bytes | str, encoding: str = "utf-8") -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.write_bytes(content if isinstance(content, bytes) else content.encode(encoding))

    return make


def fifo(path: Path) -> None:
    os.mkfifo(path)


def unix_socket(path: Path) -> None:
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(path))
    server.close()  # the socket file stays behind, as after a crashed server


def link_to(target: str) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.symlink_to(target)

    return make


def link_loop(path: Path) -> None:
    path.symlink_to(path)


def folder_named_like_a_file(path: Path) -> None:
    path.mkdir()
    (path / "inside.txt").write_text(BODY, encoding="utf-8")


def unreadable(path: Path) -> None:
    path.write_text(BODY, encoding="utf-8")
    path.chmod(0)


def huge_one_line(path: Path) -> None:
    words = "cell value, another value - more words and numbers 1234 "
    path.write_text(words * (HUGE_BYTES // len(words)), encoding="utf-8")


def huge_one_word(path: Path) -> None:
    path.write_text("x" * (HUGE_BYTES // 4), encoding="utf-8")


def huge_table(path: Path) -> None:
    path.write_text("| a | b | c |\n" * (HUGE_BYTES // 100), encoding="utf-8")


def many_pages(count: int) -> Callable[[Path], None]:
    """A PDF of ``count`` text pages (one page copied: fast to make however many)."""

    def make(path: Path) -> None:
        source = pdfium.PdfDocument(text_pdf([BODY * 3]))
        doc = pdfium.PdfDocument.new()
        doc.import_pages(source, pages=[0] * count)
        doc.save(str(path))

    return make


def pdf(pages: list[str | None], **kw: str) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(text_pdf(pages, **kw))


KINDS = [
    # binary and empty
    Kind("binary.txt", data(bytes(range(256)) * 8), "fail", "binary file"),
    Kind("binary_no_nul.txt", data(bytes(range(1, 32)) * 40), "fail", "binary file"),
    Kind("empty.txt", data(b""), "fail", "empty file"),
    Kind("whitespace.txt", data(" \n\t\r\n  \n"), "fail", "empty file"),
    Kind("nul_bytes.txt", data(b"\x00" * 4096), "fail", "binary file"),
    Kind("text_with_nul.txt", data(BODY.encode() + b"\x00\x00\x01" + BODY.encode()), "fail", "binary file"),
    Kind("zip_renamed.txt", data(_zip()), "fail"),
    Kind("gzip_renamed.json", data(gzip.compress(json.dumps([RECORD]).encode())), "fail"),
    Kind("bz2_renamed.txt", data(bz2.compress(BODY.encode() * 20)), "fail"),
    Kind("png_renamed.md", data(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4), "fail"),
    Kind(
        "pdf_renamed.txt",
        data(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nstream\n" + bytes(range(256)) * 4),
        "fail",
    ),
    Kind(
        "undecodable.txt",
        data(bytes([0x81, 0xFE, 0x90, 0xC3, 0x28, 0xA0, 0xFF, 0x8D, 0xE2, 0x82]) * 30),
        "fail",
    ),
    # encodings
    Kind("truncated_utf8.txt", data(("Café au lait. " + BODY + " Naïve café").encode()[:-1]), "ok"),
    Kind("utf8_bom.txt", data(codecs.BOM_UTF8 + BODY.encode()), "ok"),
    Kind("utf8_stray_bytes.txt", data(BODY.encode() + b" \x80 and \x81 and \xfe."), "ok"),
    Kind("utf16_bom.txt", data(BODY, "utf-16"), "ok"),
    Kind("utf16le_no_bom.txt", data(BODY, "utf-16-le"), "ok"),
    Kind("utf16be_no_bom.txt", data(BODY, "utf-16-be"), "ok"),
    Kind("utf16_truncated.txt", data(BODY.encode("utf-16-le")[:-1]), "ok"),
    Kind("utf32_bom.txt", data(BODY, "utf-32"), "ok"),
    Kind("latin1.txt", data("El presidente Núñez anunció más inversión en educación.", "latin-1"), "ok"),
    Kind(
        "cp1252_quotes.txt",
        data("\u201cIt\u2019s done,\u201d said the caf\u00e9 owner \u2013 again.", "cp1252"),
        "ok",
    ),
    Kind("control_chars.txt", data("".join(chr(c) for c in range(1, 9)) * 50 + BODY), "fail", "binary file"),
    Kind("crlf_and_cr.txt", data(BODY.replace(". ", ".\r\n") + "\rLast line here.\r"), "ok"),
    # size and shape
    Kind("huge_one_line.txt", huge_one_line, "ok"),
    Kind("huge_one_word.txt", huge_one_word, "fail", "too short"),
    Kind("huge_table.md", huge_table, "ok"),
    Kind("junk_digits.txt", data("12345"), "fail", "no letters"),
    Kind("junk_nan.txt", data("NaN"), "fail", "placeholder"),
    Kind("junk_quotes.txt", data('"' * 20_000), "fail", "no letters"),
    Kind("junk_punctuation.md", data("# !!!\n\n... --- ... ---\n"), "fail"),
    # special files
    Kind("pipe.txt", fifo, "fail", "named pipe"),
    Kind("socket.txt", unix_socket, "fail", "socket"),
    Kind("device.txt", link_to("/dev/null"), "fail", "character device"),
    Kind("loop.txt", link_loop, "fail", "symbolic link loop"),
    Kind("broken_link.txt", link_to("/nonexistent/article.txt"), "fail", "broken symbolic link"),
    Kind("folder.txt", folder_named_like_a_file, "ok"),
    Kind("unreadable.txt", unreadable, None),  # root reads it anyway; others get "Permission denied"
    Kind("unknown.xyz", data(BODY), "fail", "unknown format"),
    Kind("no_extension", data(BODY), "fail", "unknown format"),
    # JSON and JSON Lines
    Kind("invalid.json", data('[{"title": "a", "text": oops}]'), "fail", "invalid JSON"),
    Kind("number.json", data("42"), "fail", "JSON holds a number"),
    Kind("null.json", data("null"), "fail", "JSON holds null"),
    Kind("numbers.json", data("[1, 2, 3]"), "fail", "not an object"),
    Kind("nested.json", data('{"a": {"b": {"c": {"d": 1}}}}'), "fail", "no body field"),
    Kind("deep.json", data("[" * 100_000 + "]" * 100_000), "fail"),
    Kind("object_bodies.json", data(json.dumps([RECORD, {"text": {"p": 1}}, {"text": None}])), "ok"),
    Kind(
        "jsonl_bad_lines.jsonl", data(json.dumps(RECORD) + "\n{broken\n" + json.dumps(RECORD) + "\n"), "fail"
    ),
    Kind("jsonl_junk_records.jsonl", data(json.dumps(RECORD) + '\n{"text": "NaN"}\n[1]\n"x"\n'), "ok"),
    Kind("truncated.jsonl", data(json.dumps(RECORD) + "\n" + json.dumps(RECORD)[:30]), "fail"),
    # CSV
    Kind("ragged.csv", data(f'title,text\nGood,"{BODY}"\nBad,"{BODY}",extra\nShort\n'), "ok"),
    Kind("no_text_column.csv", data("title,url\nA,https://a.example/1\n"), "fail", "no text column"),
    Kind("bom.csv", data(codecs.BOM_UTF8 + f'text,title\n"{BODY}",Bridge\n'.encode()), "ok"),
    Kind("header_only.csv", data("title,text,url\n"), "fail", "no article text found"),
    Kind("unterminated_quote.csv", data(f'title,text\nA,"{BODY}\nB,more\n'), None),
    Kind("semicolons.csv", data(f"title;text\nBridge;{BODY}\n"), "ok"),
    # HTML and Markdown
    Kind("scripts_only.html", data("<html><script>var a = 1;</script><style>p{}</style></html>"), "fail"),
    Kind("empty_body.htm", data("<html><head><title>x</title></head><body></body></html>"), "fail"),
    Kind("tag_soup.html", data("<<<>>><p<<p>>" * 200), None),
    Kind("front_matter_only.md", data("---\ntitle: Only metadata\ndate: 2022-01-01\n---\n"), "fail"),
    Kind("heading_only.md", data("# Just a heading\n"), "fail"),
    # PDF
    Kind("encrypted.pdf", pdf([BODY], password="secret"), "fail", "needs a password"),
    Kind("truncated.pdf", lambda p: p.write_bytes(text_pdf([BODY, BODY])[:-900]), "fail", "damaged PDF"),
    Kind("junk_after_header.pdf", data(b"%PDF-1.7\n" + bytes(range(256)) * 16), "fail", "damaged PDF"),
    Kind("text_named.pdf", data(BODY), "fail", "not a PDF"),
    Kind("html_named.pdf", data(f"<html><body><p>{BODY}</p></body></html>"), "fail", "not a PDF"),
    Kind("image_only.pdf", pdf([SCAN, SCAN]), "fail", "scanned: no text layer on pages 1–2; OCR it first"),
    Kind("partly_scanned.pdf", pdf([BODY, SCAN, BODY]), "ok"),
    Kind("blank_pages.pdf", lambda p: p.write_bytes(blank_pdf(4)), "fail", "no text on any of its 4 pages"),
    Kind("empty.pdf", data(b""), "fail", "empty file"),
    Kind("no_pages.pdf", lambda p: p.write_bytes(blank_pdf(0)), "fail", "PDF has no pages"),
    Kind("too_many_pages.pdf", lambda p: p.write_bytes(blank_pdf(MAX_PAGES + 1)), "fail", "too many pages"),
    Kind("many_pages.pdf", many_pages(400), "ok"),
    Kind("blank_then_text.pdf", pdf([BLANK, BODY]), "ok"),
]


def test_the_corpus_has_at_least_forty_kinds() -> None:
    assert len(KINDS) >= 40
    assert len({k.name for k in KINDS}) == len(KINDS)


@contextlib.contextmanager
def fifo_watchdog(paths: list[Path]) -> Iterator[list[Path]]:
    """Yields the FIFOs someone was found reading after ``FIFO_WAIT`` seconds (that reader is released).

    Opening a FIFO's write end without blocking only succeeds while a reader has it open.
    """
    stuck: list[Path] = []

    def release() -> None:
        for path in paths:
            with contextlib.suppress(OSError):
                os.close(os.open(path, os.O_WRONLY | os.O_NONBLOCK))
                stuck.append(path)

    timer = threading.Timer(FIFO_WAIT, release)
    timer.start()
    try:
        yield stuck
    finally:
        timer.cancel()


def build(kind: Kind, folder: Path) -> Path:
    path = folder / kind.name
    try:
        kind.make(path)
    except (OSError, AttributeError) as error:  # no FIFOs / Unix sockets / symlinks on this system
        pytest.skip(f"cannot make {kind.name} here: {error}")
    return path


def check_articles(articles: list[Article]) -> None:
    for article in articles:
        assert article.text.strip()
        for chunk in chunk_article(article, CHUNK_SIZE, CHUNK_OVERLAP):
            assert len(chunk.text) <= CHUNK_SIZE
            assert article.text[chunk.start : chunk.end] == chunk.text


def check_failures(failures: list[IngestFailure]) -> None:
    for failure in failures:
        assert failure.path and failure.reason.strip(), failure


def mine(path: Path, articles: list[Article], failures: list[IngestFailure]) -> tuple[list, list]:
    """The articles and failures that come from ``path`` (a file, its records, or files inside it)."""
    prefix = str(path)
    return (
        [a for a in articles if (a.path or "").startswith(prefix)],
        [f for f in failures if f.path.startswith(prefix)],
    )


@pytest.mark.parametrize("kind", KINDS, ids=lambda k: k.name)
def test_each_kind_is_handled(kind: Kind, tmp_path: Path) -> None:
    path = build(kind, tmp_path)
    with fifo_watchdog([path]) as stuck:
        articles, failures = load_paths([path])
    assert stuck == [], "load_paths waited on a FIFO"
    check_articles(articles)
    check_failures(failures)
    got, failed = mine(path, articles, failures)
    assert got or failed, "neither an article nor a reason"
    if kind.expect == "ok":
        assert got, failed
    elif kind.expect == "fail":
        assert not got, [a.text[:80] for a in got]
        [whole] = [f for f in failed if f.path == str(path)]
        assert kind.reason is None or kind.reason in whole.reason, whole.reason


def test_unreadable_file(tmp_path: Path) -> None:
    path = build(next(k for k in KINDS if k.name == "unreadable.txt"), tmp_path)
    articles, failures = load_paths([path])
    if os.access(path, os.R_OK):  # root: permissions do not apply
        assert len(articles) == 1
    else:
        assert [f.reason for f in failures] == ["cannot read file (Permission denied)"]


def test_one_folder_of_every_kind_at_once(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    paths = [build(kind, folder) for kind in KINDS]
    (folder / ".hidden.txt").write_text(BODY, encoding="utf-8")
    with fifo_watchdog(paths) as stuck:
        articles, failures = load_paths([folder])
    assert stuck == [], "load_paths waited on a FIFO"
    check_articles(articles)
    check_failures(failures)
    for kind, path in zip(KINDS, paths, strict=True):
        got, failed = mine(path, articles, failures)
        assert got or failed, kind.name
    assert (str(folder / ".hidden.txt"), "hidden file, not read") in [(f.path, f.reason) for f in failures]
    assert {f.path for f in failures} >= {
        str(p) for k, p in zip(KINDS, paths, strict=True) if k.expect == "fail"
    }
