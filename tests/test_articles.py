"""Reading article files: every format, the sample corpus shapes, cleaning, dates, ids and bad files."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path

import pytest

from rag.articles import (
    article_id,
    articles_from_records,
    clean_text,
    iter_files,
    load_paths,
    parse_date,
    parse_file,
)
from rag.errors import ArticleError

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
    assert article.title == "UK troops set to join defence of Europe ahead of potential Russian invasion of Ukraine"
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
    assert (article.title, article.published, article.url) == ("A headline", date(2022, 1, 26), "http://example.com/a")
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
    {"title": "Second", "maintext": "Another story about the harbour.", "date": "June 12, 2022", "publisher": "Gazette"},
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
    record = {"source": {"id": None, "name": "Reuters"}, "title": "T", "content": BODY, "publishedAt": "2024-02-03"}
    [article] = parse_file(write(tmp_path / "a.json", json.dumps({"articles": [record]})))
    assert (article.source, article.published) == ("Reuters", date(2024, 2, 3))


def test_json_nested_data_and_paragraph_lists(tmp_path: Path) -> None:
    record = {"TITLE": "T", "body": ["First paragraph.", "  ", "Second paragraph."], "url": "https://a.example/x"}
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
        writer.writerow({"title": "Bridge reopens", "text": BODY, "url": "", "date": "20230514", "source": ""})
        writer.writerow({"title": "Empty", "text": "", "url": "", "date": "", "source": ""})
        writer.writerow({"title": "Big", "text": big, "url": "https://x.example/big", "date": "bad", "source": "X"})
    first, second = parse_file(path)
    assert (first.title, first.text, first.published, first.url, first.source) == (
        "Bridge reopens", BODY, date(2023, 5, 14), None, None
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
    assert (article.title, article.author, article.published) == ("Quoted: title", "Ann Lee, Bo Chan", date(2022, 6, 12))
    assert article.text == "Body text."


def test_markdown_heading_is_title_without_front_matter(tmp_path: Path) -> None:
    [article] = parse_file(write(tmp_path / "a.markdown", "# Bridge reopens\n\nIt reopened on Sunday.\n"))
    assert (article.title, article.text, article.published) == ("Bridge reopens", "It reopened on Sunday.", None)


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
    path = write(tmp_path / "a.json", '{"text": "One."}\n{"text": "Two."}\n')
    assert [a.text for a in parse_file(path)] == ["One.", "Two."]


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
    assert found == [tmp_path / "0dir" / "z.txt", tmp_path / "a.txt", tmp_path / "b.txt", tmp_path / "sub" / "c.md", missing]


def test_load_paths_mixes_good_and_bad(tmp_path: Path) -> None:
    write(tmp_path / "01_good.txt", f"Bridge reopens\n20230514\n{BODY}")
    write(tmp_path / "02_good.json", json.dumps(RECORDS))
    write(tmp_path / "03_binary.txt", b"\x00\x01\x02garbage\x00" * 10)
    write(tmp_path / "04_empty.md", "")
    write(tmp_path / "05_broken.json", "{not json")
    write(tmp_path / "06_notes.pdf", "%PDF-1.4")
    (tmp_path / "nested").mkdir()
    write(tmp_path / "nested" / "07_good.md", "# T\n\nText.")
    missing = tmp_path / "nope.txt"

    articles, failures = load_paths([tmp_path, missing])

    assert [a.title for a in articles] == ["Bridge reopens", "Bridge reopens", "Second", "T"]
    assert [(Path(f.path).name, f.reason) for f in failures] == [
        ("03_binary.txt", "binary file"),
        ("04_empty.md", "empty file"),
        ("05_broken.json", "invalid JSON at line 1"),
        ("06_notes.pdf", "unknown format '.pdf'"),
        ("nope.txt", "no such file"),
    ]
