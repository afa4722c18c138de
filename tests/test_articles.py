"""Reading article files: every format, the sample corpus shapes, cleaning, dates, ids and bad files."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import socket
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest

from rag.articles import (
    article_id,
    articles_from_records,
    clean_text,
    iter_files,
    load_files,
    load_paths,
    parse_date,
    parse_file,
    read_file,
)
from rag.articles.build import is_section_url
from rag.errors import ArticleError
from rag.types import IngestFailure

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "articles"

BODY = (
    "The harbour bridge reopened to traffic on Sunday morning after eight months of repairs "
    "that cost the council more than four million pounds."
)


def sha16(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def write(path: Path, content: str | bytes) -> Path:
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


# --- the two plain-text shapes of the corpus ---------------------------------------------------


def test_sample_with_title_date_url_header() -> None:
    [article] = parse_file(SAMPLES / "000_2517e97f795ed248.txt")
    assert (
        article.title
        == "UK troops set to join defence of Europe ahead of potential Russian invasion of Ukraine"
    )
    assert article.published == date(2022, 1, 26)
    assert article.url == (
        "https://www.telegraph.co.uk/politics/2022/01/26/uk-considers-deploying-hundreds-troops-ahead-potential-russian/"
    )
    assert article.source == "telegraph.co.uk"
    assert article.text.startswith("He warned that fresh Russian deployments in Belarus")
    assert "20220126" not in article.text and "https://" not in article.text
    assert article.id == article_id(article.url, article.text)
    assert article.path == str(SAMPLES / "000_2517e97f795ed248.txt")


def test_sample_with_date_prefix_and_no_title() -> None:
    [article] = parse_file(SAMPLES / "003_62fe3089ab312610.txt")
    assert article.published == date(2022, 1, 21)
    assert article.url is None and article.source is None
    assert article.text.startswith("As it sends troops and anti-tank weapons to Ukraine")
    assert "date 2022-01-21" not in article.text
    # The first sentence is longer than 100 characters: cut on a word boundary and marked.
    assert article.title.startswith("As it sends troops and anti-tank weapons to Ukraine, the UK is")
    assert article.title.endswith("…") and len(article.title) <= 100
    assert article.title[:-1] in article.text
    assert article.id == sha16(article.text)


def test_text_offsets_are_the_cleaned_text() -> None:
    for path in sorted(SAMPLES.glob("*.txt")):
        for article in parse_file(path):
            assert article.text == clean_text(article.text)
            expected = hashlib.sha256(f"{article.title}\n{article.text}".encode()).hexdigest()
            assert article.content_hash == expected


@pytest.mark.parametrize("date_line", ["20220126", "2022-01-26", "2022/01/26"])
def test_text_header_date_formats(tmp_path: Path, date_line: str) -> None:
    path = write(tmp_path / "a.txt", f"A headline\n{date_line}\nhttp://example.com/a\n{BODY}\n")
    [article] = parse_file(path)
    assert (article.title, article.published, article.url) == (
        "A headline",
        date(2022, 1, 26),
        "http://example.com/a",
    )
    assert article.text == BODY
    assert article.source == "example.com"


def test_text_header_without_url(tmp_path: Path) -> None:
    [article] = parse_file(write(tmp_path / "a.txt", f"A headline\n2021-03-04\n{BODY}"))
    assert (article.title, article.published, article.url) == ("A headline", date(2021, 3, 4), None)
    assert article.text == BODY


def test_plain_text_with_short_first_line_is_titled_by_it(tmp_path: Path) -> None:
    [article] = parse_file(write(tmp_path / "a.txt", f"Bridge reopens\n\n{BODY}\n\nSecond paragraph here."))
    assert article.title == "Bridge reopens"
    assert article.text == f"{BODY}\n\nSecond paragraph here."
    assert article.published is None and article.url is None


def test_plain_text_titled_by_first_sentence(tmp_path: Path) -> None:
    text = "Mr. Smith won the vote. He thanked his staff and said the result was a surprise to everyone."
    [article] = parse_file(write(tmp_path / "a.txt", text))
    assert article.title == "Mr. Smith won the vote"
    assert article.text == text


def test_plain_text_first_line_that_looks_like_a_date_is_not_a_header(tmp_path: Path) -> None:
    text = "2022 was a difficult year for the harbour. The bridge closed in September."
    [article] = parse_file(write(tmp_path / "a.txt", text))
    assert article.text == text and article.published is None


# --- records: JSON, JSON Lines, CSV -------------------------------------------------------------


RECORDS = [
    {
        "Headline": "Bridge reopens",
        "Content": BODY,
        "Link": "https://www.coastal.example/news/bridge?utm_source=x",
        "publish_date": "2023-05-14T08:30:00Z",
        "Authors": ["Ann Lee", "Bo Chan"],
    },
    {"title": "No body here", "text": "   "},
    {
        "title": "Second",
        "maintext": "Another story about the harbour.",
        "date": "June 12, 2022",
        "publisher": "Gazette",
    },
]


def check_records(articles: list, origin: Path) -> None:
    assert [a.title for a in articles] == ["Bridge reopens", "Second"]
    first, second = articles
    assert first.text == BODY
    assert first.url == "https://www.coastal.example/news/bridge?utm_source=x"
    assert first.source == "coastal.example"
    assert first.author == "Ann Lee, Bo Chan"
    assert first.published == date(2023, 5, 14)
    assert first.id == article_id("https://www.coastal.example/news/bridge", "ignored")
    assert first.path == f"{origin}#1"
    assert (second.published, second.source, second.url) == (date(2022, 6, 12), "Gazette", None)
    assert second.path == f"{origin}#3"
    assert second.id == sha16(second.text)


def test_json_list(tmp_path: Path) -> None:
    path = write(tmp_path / "a.json", json.dumps(RECORDS))
    check_records(parse_file(path), path)


def test_json_object_with_articles(tmp_path: Path) -> None:
    path = write(tmp_path / "a.json", json.dumps({"status": "ok", "articles": RECORDS}))
    check_records(parse_file(path), path)


def test_json_single_object(tmp_path: Path) -> None:
    [article] = parse_file(write(tmp_path / "a.json", json.dumps(RECORDS[0])))
    assert article.title == "Bridge reopens"


def test_json_newsapi_style_source_object(tmp_path: Path) -> None:
    record = {
        "source": {"id": None, "name": "Reuters"},
        "title": "T",
        "content": BODY,
        "publishedAt": "2024-02-03",
    }
    [article] = parse_file(write(tmp_path / "a.json", json.dumps({"articles": [record]})))
    assert (article.source, article.published) == ("Reuters", date(2024, 2, 3))


def test_json_nested_data_and_paragraph_lists(tmp_path: Path) -> None:
    record = {
        "TITLE": "T",
        "body": ["First paragraph.", "  ", "Second paragraph."],
        "url": "https://a.example/x",
    }
    [article] = parse_file(write(tmp_path / "a.json", json.dumps({"data": {"items": [record]}})))
    assert article.text == "First paragraph.\n\nSecond paragraph."
    assert (article.title, article.source) == ("T", "a.example")


def test_jsonl(tmp_path: Path) -> None:
    path = write(tmp_path / "a.jsonl", "\n".join(json.dumps(r) for r in RECORDS) + "\n\n")
    check_records(parse_file(path), path)


def test_csv_with_large_field(tmp_path: Path) -> None:
    import csv

    path = tmp_path / "a.csv"
    big = ("A long sentence about the harbour and its bridge. " * 4000).strip()  # > csv's 128 kB default
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["title", "text", "url", "date", "source"])
        writer.writeheader()
        writer.writerow(
            {"title": "Bridge reopens", "text": BODY, "url": "", "date": "20230514", "source": ""}
        )
        writer.writerow({"title": "Empty", "text": "", "url": "", "date": "", "source": ""})
        writer.writerow(
            {"title": "Big", "text": big, "url": "https://x.example/big", "date": "bad", "source": "X"}
        )
    first, second = parse_file(path)
    assert (first.title, first.text, first.published, first.url, first.source) == (
        "Bridge reopens",
        BODY,
        date(2023, 5, 14),
        None,
        None,
    )
    assert second.text == big and second.published is None and second.source == "X"
    assert second.path == f"{path}#3"


def test_records_all_without_text(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="no article text found"):
        parse_file(write(tmp_path / "a.json", json.dumps([{"title": "only a title"}, "not a record"])))
    with pytest.raises(ArticleError, match="no article text found"):
        articles_from_records([], origin="dataset")


def test_articles_from_records_for_adapters() -> None:
    [article] = articles_from_records([{"headline": "H", "article": "Some text."}], origin="squad")
    assert (article.title, article.text, article.path) == ("H", "Some text.", "squad#1")


# --- HTML and Markdown ---------------------------------------------------------------------------

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>Harbour bridge reopens after repairs | The Coastal Gazette</title>
<link rel="canonical" href="https://www.coastalgazette.example/news/2023/05/harbour-bridge-reopens">
<meta property="article:published_time" content="2023-05-14T08:30:00Z">
<meta property="og:site_name" content="The Coastal Gazette">
</head><body>
<header><nav><ul>
<li><a href="/">Home</a></li><li><a href="/news">News</a></li><li><a href="/sport">Sport</a></li>
<li><a href="/weather">Weather forecast and warnings</a></li></ul></nav></header>
<main><article>
<h1>Harbour bridge reopens after repairs</h1>
<p>The harbour bridge reopened to traffic on Sunday morning after eight months of repairs that cost
the council more than four million pounds.</p>
<p>Engineers replaced corroded steel cables and resurfaced the deck, which had been closed since a
routine inspection found cracks in September.</p>
<p>Local shop owners said trade had fallen sharply during the closure because visitors from the north
side of the town had to take a twenty-minute detour.</p>
<p>The council said the bridge would be inspected every six months from now on.</p>
</article></main>
<footer><p>Contact us | Privacy policy | Terms of use</p>
<p>© 2023 Coastal Gazette Ltd. All rights reserved.</p></footer>
</body></html>
"""


def test_html(tmp_path: Path) -> None:
    [article] = parse_file(write(tmp_path / "bridge.html", PAGE))
    assert "Harbour bridge reopens after repairs" in article.title
    assert "Engineers replaced corroded steel cables" in article.text
    assert "inspected every six months" in article.text
    assert "Weather forecast and warnings" not in article.text
    assert "Privacy policy" not in article.text and "All rights reserved" not in article.text
    assert article.published == date(2023, 5, 14)
    assert article.url == "https://www.coastalgazette.example/news/2023/05/harbour-bridge-reopens"
    assert article.source == "The Coastal Gazette"
    assert not article.text.startswith("Harbour bridge reopens")  # the <h1> is the title, not body


def test_html_without_text(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="no article text found"):
        parse_file(write(tmp_path / "a.htm", "<html><head><title>x</title></head><body></body></html>"))


def test_markdown_with_front_matter(tmp_path: Path) -> None:
    md = """---
title: "Bridge reopens after repairs"
date: 2023-05-14
url: https://www.coastal.example/bridge/
source: Coastal Gazette
authors: [Ann Lee, Bo Chan]
---
# Harbour bridge reopens

The harbour bridge **reopened** on Sunday after [eight months](https://x.example) of repairs.
It cost more than four million pounds.

## What changed

- new steel cables
- a resurfaced deck

```
not rendered as markup
```
"""
    [article] = parse_file(write(tmp_path / "a.md", md))
    assert article.title == "Bridge reopens after repairs"
    assert article.published == date(2023, 5, 14)
    assert article.url == "https://www.coastal.example/bridge/"
    assert article.source == "Coastal Gazette"
    assert article.author == "Ann Lee, Bo Chan"
    assert article.text == (
        "The harbour bridge reopened on Sunday after eight months of repairs. "
        "It cost more than four million pounds.\n\n"
        "What changed\n\n"
        "new steel cables\na resurfaced deck\n\n"
        "not rendered as markup"
    )
    assert "**" not in article.text and "](" not in article.text and "---" not in article.text


def test_markdown_front_matter_block_list(tmp_path: Path) -> None:
    md = "---\nheadline: 'Quoted: title'\nauthors:\n  - Ann Lee\n  - Bo Chan\npublished: June 12, 2022\n---\nBody text."
    [article] = parse_file(write(tmp_path / "a.md", md))
    assert (article.title, article.author, article.published) == (
        "Quoted: title",
        "Ann Lee, Bo Chan",
        date(2022, 6, 12),
    )
    assert article.text == "Body text."


def test_markdown_heading_is_title_without_front_matter(tmp_path: Path) -> None:
    [article] = parse_file(write(tmp_path / "a.markdown", "# Bridge reopens\n\nIt reopened on Sunday.\n"))
    assert (article.title, article.text, article.published) == (
        "Bridge reopens",
        "It reopened on Sunday.",
        None,
    )


# --- dates, ids, cleaning ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("20220126", date(2022, 1, 26)),
        (20220126, date(2022, 1, 26)),
        ("2022-01-21", date(2022, 1, 21)),
        ("2022/06/12", date(2022, 6, 12)),
        ("June 12, 2022", date(2022, 6, 12)),
        ("12 June 2022", date(2022, 6, 12)),
        ("2022-01-21T23:30:00+05:00", date(2022, 1, 21)),
        ("2022-01-21T10:00:00.123Z", date(2022, 1, 21)),
        (date(2020, 2, 29), date(2020, 2, 29)),
        ("", None),
        (None, None),
        ("yesterday", None),
        ("Tuesday", None),
        ("2022", None),
        ("2022-13-45", None),
        ("99999999", None),
        (["2022-01-01"], None),
    ],
)
def test_parse_date(value: object, expected: date | None) -> None:
    assert parse_date(value) == expected


def test_article_id_normalises_url() -> None:
    base = article_id("https://www.example.com/news/story", "text a")
    for variant in (
        "https://www.example.com/news/story/",
        "HTTPS://WWW.Example.COM/news/story#comments",
        "https://www.example.com/news/story?utm_source=twitter&utm_medium=social",
        "  https://www.example.com/news/story/?utm_campaign=x#top  ",
    ):
        assert article_id(variant, "different text") == base
    assert article_id("https://www.example.com/news/story?id=2", "t") != base
    assert article_id("https://www.example.com/news/story?id=2&utm_source=x", "t") == article_id(
        "https://www.example.com/news/story?id=2", "t"
    )
    assert article_id("https://www.example.com/News/Story", "t") != base  # paths are case-sensitive
    assert base == sha16("https://www.example.com/news/story")
    assert len(base) == 16


def test_article_id_without_url_hashes_text() -> None:
    assert article_id(None, "Some text.") == sha16("Some text.") == article_id("", "Some text.")
    assert article_id(None, "Some text.") != article_id(None, "Other text.")


def test_clean_text_whitespace_and_unicode() -> None:
    raw = "\ufeff  Cafe\u0301  au\tlait \r\nline two\r\n\r\n\r\n\r\n\u00a0para  three \n\n\n"
    assert clean_text(raw) == "Café au lait\nline two\n\npara three"
    assert clean_text(clean_text(raw)) == clean_text(raw)


def test_clean_text_drops_boilerplate_lines_only() -> None:
    cookie_sentence = (
        "The bakery, which says we use cookies from a family recipe in every batch, reported that sales "
        "rose sharply after the council agreed to accept its application to expand the shop."
    )
    lines = [
        "Skip to content",
        "First real paragraph.",
        "Advertisement",
        "How relevant is this ad to you?",
        "Video player was slow to load content. Please try again later.",
        "We use cookies to improve your experience. By continuing you agree to our cookie policy.",
        cookie_sentence,
        "Sign up for our morning newsletter to get the headlines.",
        "SHARE THIS ARTICLE",
        "Click here to subscribe",
        "Advertisers said the new rules would hurt small shops.",
        "© 2023 Gazette Media Group. All rights reserved.",
        "Last paragraph.",
    ]
    kept = [
        "First real paragraph.",
        cookie_sentence,
        "Advertisers said the new rules would hurt small shops.",
        "Last paragraph.",
    ]
    assert clean_text("\n".join(lines)) == "\n".join(kept)


def test_boilerplate_removal_keeps_paragraph_breaks(tmp_path: Path) -> None:
    [article] = parse_file(write(tmp_path / "a.txt", "Title\n\nOne.\n\nAdvertisement\n\nTwo.\n"))
    assert article.text == "One.\n\nTwo."


# --- bad files ------------------------------------------------------------------------------------


def test_binary_file(tmp_path: Path) -> None:
    data = bytes([0, 159, 146, 150, 0, 1, 2, 255, 254, 0, 7, 8]) * 40
    with pytest.raises(ArticleError, match="^binary file$"):
        parse_file(write(tmp_path / "a.txt", data))


def test_control_characters_without_nul_are_binary(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="^binary file$"):
        parse_file(write(tmp_path / "a.txt", bytes(range(1, 32)) * 20))


@pytest.mark.parametrize("content", [b"", b"  \n\t\n", "  \n".encode("utf-16")])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    with pytest.raises(ArticleError, match="^empty file$"):
        parse_file(write(tmp_path / "a.txt", content))


def test_latin1_text_decodes(tmp_path: Path) -> None:
    text = (
        "Le café du marché a rouvert ses portes à Noël.\n"
        "Les élèves étaient très contents, déclara le maître d'hôtel. Ça fait plaisir à tout le quartier."
    )
    [article] = parse_file(write(tmp_path / "a.txt", text.encode("latin-1")))
    assert article.title == "Le café du marché a rouvert ses portes à Noël"
    assert "très contents" in article.text and "maître d'hôtel" in article.text


def test_utf8_with_a_stray_byte_stays_utf8(tmp_path: Path) -> None:
    good = "\u201cIt\u2019s a tiny number,\u201d he said. The caf\u00e9\u2019s owner agreed \u2013 it\u2019s \u201cdaft\u201d."
    good = " ".join([good] * 3)
    data = good.encode() + b" Stray \xff byte."
    [article] = parse_file(write(tmp_path / "a.txt", data))
    assert article.text.startswith(good) and article.text.endswith("Stray \ufffd byte.")


def test_utf8_bom_and_utf16(tmp_path: Path) -> None:
    [a] = parse_file(write(tmp_path / "a.txt", "\ufeffCafé reopened. It is busy.".encode()))
    [b] = parse_file(write(tmp_path / "b.txt", "Café reopened. It is busy.".encode("utf-16")))
    assert a.text == b.text == "Café reopened. It is busy."


def test_undecodable_bytes(tmp_path: Path) -> None:
    # High bytes only, no NULs: no encoding makes sense of them.
    data = bytes([0x81, 0xFE, 0x90, 0xC3, 0x28, 0xA0, 0xFF, 0x8D, 0xE2, 0x82]) * 30
    with pytest.raises(ArticleError, match="not valid text in any known encoding|binary file"):
        parse_file(write(tmp_path / "a.txt", data))


def test_unknown_extension(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match=r"^unknown format '\.xyz'$"):
        parse_file(write(tmp_path / "a.XYZ", BODY))
    with pytest.raises(ArticleError, match="unknown format"):
        parse_file(write(tmp_path / "noext", BODY))


def test_oversized_file(tmp_path: Path) -> None:
    path = write(tmp_path / "a.txt", BODY * 20)
    with pytest.raises(ArticleError, match=r"^file too large \(2\.8 kB > 1 kB\)$"):
        parse_file(path, max_bytes=1000)
    assert parse_file(path, max_bytes=len(BODY) * 20)


def test_invalid_json(tmp_path: Path) -> None:
    with pytest.raises(ArticleError, match="^invalid JSON at line 3$"):
        parse_file(write(tmp_path / "a.json", '[\n{"title": "a",\n "text": oops}\n]'))
    with pytest.raises(ArticleError, match="^invalid JSON at line 2$"):
        parse_file(write(tmp_path / "a.jsonl", '{"text": "fine"}\n{"text": \n'))


def test_json_lines_saved_as_json(tmp_path: Path) -> None:
    path = write(tmp_path / "a.json", '{"text": "One story."}\n{"text": "Two stories."}\n')
    assert [a.text for a in parse_file(path)] == ["One story.", "Two stories."]


def test_nonexistent_file() -> None:
    with pytest.raises(ArticleError, match="^no such file$"):
        parse_file(Path("/nonexistent/article.txt"))


# --- walking folders ------------------------------------------------------------------------------


def test_iter_files_sorted_recursive_skips_hidden(tmp_path: Path) -> None:
    for name in ("b.txt", "a.txt", "sub/c.md", "0dir/z.txt", ".hidden.txt", ".git/x.txt", "sub/.cache/y.txt"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        write(tmp_path / name, BODY)
    missing = tmp_path / "missing.txt"
    found = list(iter_files([tmp_path, str(tmp_path / "a.txt"), missing]))
    assert found == [
        tmp_path / "0dir" / "z.txt",
        tmp_path / "a.txt",
        tmp_path / "b.txt",
        tmp_path / "sub" / "c.md",
        missing,
    ]


def test_load_paths_mixes_good_and_bad(tmp_path: Path) -> None:
    write(tmp_path / "01_good.txt", f"Bridge reopens\n20230514\n{BODY}")
    write(tmp_path / "02_good.json", json.dumps(RECORDS))
    write(tmp_path / "03_binary.txt", b"\x00\x01\x02garbage\x00" * 10)
    write(tmp_path / "04_empty.md", "")
    write(tmp_path / "05_broken.json", "{not json")
    write(tmp_path / "06_notes.docx", "PK\x03\x04")
    write(tmp_path / "06_notes.pdf", "%PDF-1.4")
    (tmp_path / "nested").mkdir()
    write(tmp_path / "nested" / "07_good.md", "# T\n\nThe text.")
    missing = tmp_path / "nope.txt"

    articles, failures = load_paths([tmp_path, missing])

    assert [a.title for a in articles] == ["Bridge reopens", "Bridge reopens", "Second", "T"]
    assert [(Path(f.path).name, f.reason) for f in failures] == [
        ("02_good.json#2", "body ('text') is empty"),  # a skipped record is reported, not dropped silently
        ("03_binary.txt", "binary file"),
        ("04_empty.md", "empty file"),
        ("05_broken.json", "invalid JSON at line 1"),
        ("06_notes.docx", "unknown format '.docx'"),
        ("06_notes.pdf", "damaged PDF: PDFium cannot open it (data format error)"),  # a header, nothing more
        ("nope.txt", "no such file"),
    ]


# --- only regular files are opened ------------------------------------------------------------------


@pytest.fixture
def unblock_fifo() -> Iterator[Callable[[Path], None]]:
    """Opens a FIFO's write end after a few seconds, so a reader stuck on it fails instead of hanging."""
    timers: list[threading.Timer] = []

    def arm(fifo: Path) -> None:
        def release() -> None:
            with contextlib.suppress(OSError):
                os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))

        timer = threading.Timer(3.0, release)
        timer.start()
        timers.append(timer)

    yield arm
    for timer in timers:
        timer.cancel()


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_is_refused_without_opening_it(tmp_path: Path, unblock_fifo: Callable[[Path], None]) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    unblock_fifo(fifo)
    started = time.monotonic()
    articles, failures = load_paths([tmp_path])
    assert time.monotonic() - started < 2.5, "reading waited on the FIFO"
    assert articles == []
    assert [(f.path, f.reason) for f in failures] == [
        (str(fifo), "is a named pipe (FIFO), not a regular file")
    ]


@pytest.mark.skipif(not hasattr(socket, "AF_UNIX"), reason="no Unix sockets here")
def test_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.txt"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        with pytest.raises(ArticleError, match="^is a socket, not a regular file$"):
            parse_file(path)


@pytest.mark.skipif(not Path("/dev/null").exists(), reason="no /dev/null")
def test_a_device_is_refused(tmp_path: Path) -> None:
    # A link to /dev/zero would read forever; /dev/null shows the same refusal safely.
    (tmp_path / "dev.txt").symlink_to("/dev/null")
    with pytest.raises(ArticleError, match="^is a character device, not a regular file$"):
        parse_file(tmp_path / "dev.txt")


def test_broken_links_and_link_loops_are_refused(tmp_path: Path) -> None:
    (tmp_path / "broken.txt").symlink_to(tmp_path / "gone.txt")
    (tmp_path / "loop.txt").symlink_to(tmp_path / "loop.txt")
    (tmp_path / "good.txt").symlink_to(write(tmp_path / "target.txt", f"Bridge\n\n{BODY}"))
    articles, failures = load_paths([tmp_path])
    assert [a.title for a in articles] == ["Bridge"]  # read once, through the link or the file
    assert {Path(f.path).name: f.reason for f in failures} == {
        "broken.txt": "broken symbolic link",
        "loop.txt": "symbolic link loop",
    }


def test_hidden_files_and_folders_are_listed_as_skipped(tmp_path: Path) -> None:
    write(tmp_path / "a.txt", BODY)
    write(tmp_path / ".draft.txt", BODY)
    (tmp_path / ".git").mkdir()
    write(tmp_path / ".git" / "x.txt", BODY)
    articles, failures = load_paths([tmp_path])
    assert len(articles) == 1
    assert [(Path(f.path).name, f.reason) for f in failures] == [
        (".draft.txt", "hidden file, not read"),
        (".git", "hidden folder, not read"),
    ]
    assert len(parse_file(tmp_path / ".draft.txt")) == 1, "a hidden file named explicitly is read"


def test_the_size_limit_is_checked_before_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path / "a.txt", BODY * 20)
    opened: list[object] = []
    real_open = os.open
    monkeypatch.setattr(os, "open", lambda *args, **kw: opened.append(args) or real_open(*args, **kw))
    with pytest.raises(ArticleError, match="^file too large"):
        parse_file(path, max_bytes=1000)
    assert opened == []


# --- decoding -----------------------------------------------------------------------------------------


def test_latin1_spanish_is_not_read_as_cp1250(tmp_path: Path) -> None:
    text = "El presidente Núñez anunció que el año próximo habrá más inversión en educación."
    result = read_file(write(tmp_path / "a.txt", text.encode("latin-1")))
    assert result.articles[0].text == text
    assert [n.reason for n in result.notes] == ["not UTF-8: decoded as cp1252 (guessed)"]


def test_cp1252_smart_quotes(tmp_path: Path) -> None:
    text = "\u201cIt\u2019s a deal,\u201d said the caf\u00e9 owner \u2013 and the council agreed\u2026"
    [article] = parse_file(write(tmp_path / "a.txt", text.encode("cp1252")))
    assert article.text == text


def test_cyrillic_in_cp1251_is_still_detected(tmp_path: Path) -> None:
    text = "Президент заявил, что в следующем году будет больше денег на школы. " * 3
    [article] = parse_file(write(tmp_path / "a.txt", text.encode("cp1251")))
    assert article.text == text.strip()


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom(tmp_path: Path, codec: str) -> None:
    # It used to be refused as a binary file because of its NUL bytes.
    [article] = parse_file(write(tmp_path / "a.txt", "Café reopened. It is busy.".encode(codec)))
    assert article.text == "Café reopened. It is busy."


def test_utf8_with_stray_bytes_is_kept_and_reported(tmp_path: Path) -> None:
    good = " ".join(["The harbour bridge reopened on Sunday after eight months of repairs."] * 4)
    data = good.encode() + b" Stray \x80 bytes \x81 here \xfe."
    result = read_file(write(tmp_path / "a.txt", data))
    assert result.articles[0].text == good + " Stray \ufffd bytes \ufffd here \ufffd."
    assert [n.reason for n in result.notes] == ["3 invalid UTF-8 byte sequences replaced with U+FFFD"]
    loaded = load_files([tmp_path])
    assert len(loaded.articles) == 1 and loaded.failed == []
    assert [Path(n.path).name for n in loaded.notes] == ["a.txt"]


def test_clean_utf8_has_no_notes(tmp_path: Path) -> None:
    assert read_file(write(tmp_path / "a.txt", f"Caf\u00e9 news. {BODY}")).notes == []


# --- junk is refused, skipped records are reported ---------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        ("12345", "body has no letters: '12345'"),
        ('"' * 20_000, "body has no letters: '" + '"' * 40 + "…'"),
        ("NaN", "body is a placeholder, not text: 'NaN'"),
        ("null", "body is a placeholder, not text: 'null'"),
        ("Loading", "body too short to be an article (fewer than 2 words): 'Loading'"),
        ("-- ... --", "body has no letters: '-- ... --'"),
    ],
)
def test_junk_bodies_are_refused_with_a_reason(tmp_path: Path, body: str, reason: str) -> None:
    with pytest.raises(ArticleError, match=f"^{re.escape(reason)}$"):
        parse_file(write(tmp_path / "a.txt", body))


def test_bodies_in_scripts_without_spaces_are_not_junk(tmp_path: Path) -> None:
    [article] = parse_file(write(tmp_path / "a.txt", "英国向爱沙尼亚增派军队。"))
    assert article.text == "英国向爱沙尼亚增派军队。"


def test_skipped_records_are_reported_with_their_number(tmp_path: Path) -> None:
    records = [
        {"title": "Good", "text": BODY},
        {"title": "Null", "text": None},
        {"title": "Object", "body": {"html": "<p>x</p>"}},
        {"title": "Number", "text": 12345},
        {"title": "Nothing"},
        42,
        {"title": "NaN", "content": float("nan")},
    ]
    path = write(tmp_path / "a.json", json.dumps(records))
    articles, failures = load_paths([path])
    assert [a.title for a in articles] == ["Good"]
    assert [(f.path.rpartition("#")[2], f.reason) for f in failures] == [
        ("2", "body ('text') is null"),
        ("3", "body ('body') is an object, not text"),
        ("4", "body has no letters: '12345'"),
        ("5", "no body field (one of body, text, content, article, maintext)"),
        ("6", "record is a number, not an object"),
        ("7", "body is a placeholder, not text: 'nan'"),
    ]


def test_a_file_of_only_bad_records_says_why(tmp_path: Path) -> None:
    path = write(tmp_path / "a.json", json.dumps([{"text": None}, {"text": "7"}]))
    articles, failures = load_paths([path])
    assert articles == []
    assert [(Path(f.path).name, f.reason) for f in failures] == [
        ("a.json", "no article text found: record 1: body ('text') is null (and 1 more skipped)"),
        ("a.json#1", "body ('text') is null"),
        ("a.json#2", "body has no letters: '7'"),
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [("42", "JSON holds a number, not articles"), ('"text"', "JSON holds a string, not articles")],
)
def test_json_of_the_wrong_shape(tmp_path: Path, content: str, reason: str) -> None:
    with pytest.raises(ArticleError, match=f"^{reason}$"):
        parse_file(write(tmp_path / "a.json", content))


def test_ragged_csv_rows_are_skipped_with_their_line(tmp_path: Path) -> None:
    csv_text = f'title,text,url\nGood,"{BODY}",\nShort,"{BODY}"\nLong,"{BODY}",x,extra\nAlso good,"{BODY}",\n'
    articles, failures = load_paths([write(tmp_path / "a.csv", csv_text)])
    assert [a.title for a in articles] == ["Good", "Also good"]
    assert [(f.path.rpartition("#")[2], f.reason) for f in failures] == [
        ("2", "row has 2 fields, the header has 3 (line 3)"),
        ("3", "row has 4 fields, the header has 3 (line 4)"),
    ]


def test_csv_without_a_text_column_fails_once(tmp_path: Path) -> None:
    articles, failures = load_paths([write(tmp_path / "a.csv", "title,url\nA,x\nB,y\n")])
    assert articles == []
    assert [f.reason for f in failures] == [
        "no text column (one of body, text, content, article, maintext); the header has 'title', 'url'"
    ]


def test_csv_with_a_bom(tmp_path: Path) -> None:
    [article] = parse_file(
        write(tmp_path / "a.csv", f'\ufefftext,title\n"{BODY}",Bridge\n'.encode("utf-8-sig"))
    )
    assert (article.title, article.text) == ("Bridge", BODY)


# --- ids of articles sharing a front-page URL ----------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "section"),
    [
        ("https://example.com", True),
        ("https://example.com/", True),
        ("https://example.com/#top", True),
        ("https://example.com/news", True),
        ("https://example.com/world/", True),
        ("https://example.com/uk-news", True),
        ("https://example.com/index.html", True),
        ("https://example.com/?utm_source=x", True),
        ("https://example.com/news/story", False),
        ("https://example.com/?p=123", False),
        ("https://example.com/story.php?id=42", False),
        ("https://example.com/12345", False),
        ("https://example.com/uk-troops-set-to-join-defence-of-europe", False),
    ],
)
def test_section_urls(url: str, section: bool) -> None:
    assert is_section_url(url) is section


def test_articles_on_a_section_url_get_distinct_ids() -> None:
    home = "https://www.example.com/"
    a = article_id(home, "text a", title="Bridge reopens", published=date(2022, 1, 2))
    assert a != article_id(home, "text a", title="Ferry adds route", published=date(2022, 1, 2))
    assert a != article_id(home, "text a", title="Bridge reopens", published=date(2022, 1, 3))
    assert a == article_id(home + "#x", "edited text", title="Bridge reopens", published=date(2022, 1, 2))
    # Without a title the text tells them apart.
    assert article_id(home, "text a") != article_id(home, "text b")
    assert article_id("https://www.example.com/news/story", "t", title="T") == sha16(
        "https://www.example.com/news/story"
    )


def test_an_empty_folder_named_on_purpose_is_reported(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert load_paths([tmp_path / "empty"]) == (
        [],
        [IngestFailure(path=str(tmp_path / "empty"), reason="folder has no files")],
    )


@pytest.mark.parametrize("text", ["a\u200b\u0301", "e\x01\u0301 and o\u00ad\u0308", "\u0301 lone mark"])
def test_cleaning_cleaned_text_changes_nothing(text: str) -> None:
    once = clean_text(text)
    assert clean_text(once) == once
