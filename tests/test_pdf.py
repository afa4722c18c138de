"""PDF ingest: text page by page, page numbers through chunks, passages and citations, scans and bad PDFs."""

from __future__ import annotations

import io
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pypdfium2 as pdfium
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pdfs import BLANK, SCAN, blank_pdf, columns_pdf, lines_pdf, printed_pdf, spaced_words_pdf, text_pdf

from rag.api import Newsdesk
from rag.articles import SUFFIXES, load_files, read_file
from rag.articles import pdf as pdf_module
from rag.articles.clean import clean_text
from rag.articles.pages import chunk_pages, join_pages, page_at, page_list
from rag.articles.pdf import read_pdf, reflow
from rag.chunkmeta import ChunkMeta
from rag.citations import build_citations
from rag.errors import ArticleError, EncryptedPdfError, PdfError, ScannedPdfError

BODY = (
    "The harbour bridge reopened to traffic on Sunday morning after eight months of repairs "
    "that cost the council more than four million pounds. Engineers replaced the cables and "
    "resurfaced the deck while ferries carried commuters across the river. "
)


def page(number: int, repeat: int = 4) -> str:
    return f"Page {number} opens here. " + BODY * repeat


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def test_pdf_is_a_known_format() -> None:
    assert ".pdf" in SUFFIXES


def test_each_pdf_is_one_article_with_its_pages(tmp_path: Path) -> None:
    path = write(tmp_path / "bridge.pdf", text_pdf([page(1), page(2), page(3)], title="Bridge reopens"))
    [article] = read_file(path).articles
    assert article.title == "Bridge reopens"
    assert article.published == date(2022, 1, 26)  # the metadata's CreationDate
    assert article.path == str(path)
    assert [number for _, number in article.page_starts] == [1, 2, 3]
    for offset, number in article.page_starts:
        assert article.text.startswith(f"Page {number} opens here.", offset)
    assert article.text.count("harbour bridge reopened") == 12
    assert "\n\n" not in article.text.replace("\n\nPage ", "")  # pages joined by one blank line


def test_title_and_date_come_from_the_text_when_the_metadata_has_none(tmp_path: Path) -> None:
    text = "Bridge reopens after repairs\n\n2022-01-21\n\nhttps://example.com/news/bridge\n\n" + BODY
    data = text_pdf([text], title="Microsoft Word - draft7.docx", created=datetime(2023, 5, 1, tzinfo=UTC))
    [article] = read_file(write(tmp_path / "a.pdf", data)).articles
    assert article.title == "Bridge reopens after repairs"
    assert article.published == date(2022, 1, 21)  # the dateline beats the day the PDF was made
    assert article.url == "https://example.com/news/bridge"
    assert article.source == "example.com"


@pytest.mark.parametrize(
    ("line", "day"),
    [
        ("Friday 21 January 2022 10.30 GMT", date(2022, 1, 21)),
        ("Published: 21 January 2022", date(2022, 1, 21)),
        ("Updated 22 Jan 2022, 9:15 am", date(2022, 1, 22)),
        ("By Jo Bloggs, 3 min read", date(2022, 1, 26)),  # no dateline: the CreationDate
    ],
)
def test_a_dateline_near_the_top_beats_the_creation_date(tmp_path: Path, line: str, day: date) -> None:
    data = text_pdf([f"Bridge reopens\n\n{line}\n\n" + BODY + " It shut on 3 March 2021."])
    [article] = read_file(write(tmp_path / "d.pdf", data)).articles
    assert article.published == day


def test_first_line_is_the_title_without_metadata(tmp_path: Path) -> None:
    [article] = read_file(write(tmp_path / "a.pdf", text_pdf(["Storm closes the port\n\n" + BODY]))).articles
    assert article.title == "Storm closes the port"


def test_words_hyphenated_at_a_line_end_are_joined_again(tmp_path: Path) -> None:
    lines = ["The govern-", "ment announced an inter-", "national agreement on Sun-", "day evening."]
    [article] = read_file(write(tmp_path / "h.pdf", lines_pdf(lines))).articles
    assert article.text == "The government announced an international agreement on Sunday evening."


def test_words_placed_without_space_characters_keep_their_spaces(tmp_path: Path) -> None:
    words = "Ministers met the mayor of Leeds on Friday".split()
    [article] = read_file(write(tmp_path / "s.pdf", spaced_words_pdf(words))).articles
    assert article.text == " ".join(words)


def test_two_columns_are_read_one_after_the_other(tmp_path: Path) -> None:
    left = "Left column first sentence about the bridge. " * 6 + "Left column ends here."
    right = "Right column starts about the ferries. " * 6 + "Right column ends here."
    [article] = read_file(write(tmp_path / "c.pdf", columns_pdf(left, right))).articles
    flat = " ".join(article.text.split())
    assert flat.index("Left column ends here.") < flat.index("Right column starts")
    assert " ".join(left.split()) in flat and " ".join(right.split()) in flat


def test_wrapped_lines_become_paragraphs_and_short_lines_stay() -> None:
    text = "Headline\r\nA long line of text that wraps onto\r\nthe next line of the page, and\r\nends.\r\nNext one."
    assert (
        reflow(text)
        == "Headline\nA long line of text that wraps onto the next line of the page, and ends.\nNext one.\n"
    )


def test_running_heads_and_feet_of_a_printed_page_are_left_out_and_its_url_kept(tmp_path: Path) -> None:
    head = "07/12/2026, 11:59  Bridge reopens | Example News"
    url = "https://example.com/news/bridge"
    pages = ["Bridge reopens\n\n" + BODY * 3, "Ferries ran all week. " + BODY * 3, "The last page is short."]
    [article] = read_file(write(tmp_path / "printed.pdf", printed_pdf(pages, head=head, url=url))).articles
    assert "Example News" not in article.text and "example.com" not in article.text
    assert [article.text[offset:].split("\n")[0][:22] for offset, _ in article.page_starts] == [
        "Bridge reopens",
        "Ferries ran all week. ",
        "The last page is short",
    ]
    assert article.text.endswith("\n\nThe last page is short.")
    assert article.url == url and article.title == "Bridge reopens"


def test_two_pages_ending_alike_keep_their_lines(tmp_path: Path) -> None:
    pages = ["Bridge reopens\n\n" + BODY + "\n\nReporting by the desk.", BODY + "\n\nReporting by the desk."]
    [article] = read_file(write(tmp_path / "two.pdf", text_pdf(pages))).articles
    assert article.text.count("Reporting by the desk.") == 2


def test_two_printed_pages_lose_their_numbered_feet(tmp_path: Path) -> None:
    data = printed_pdf([BODY * 3, BODY * 2], head="Example News", url="https://example.com/news/bridge")
    [article] = read_file(write(tmp_path / "two.pdf", data)).articles
    assert "example.com" not in article.text and article.url == "https://example.com/news/bridge"
    assert article.text.count("Example News") == 2  # a line without a number on two pages stays


def test_chunks_stay_on_one_page_and_point_into_the_text(tmp_path: Path) -> None:
    path = write(tmp_path / "p.pdf", text_pdf([page(1, 9), page(2, 9), page(3, 2)]))
    [article] = read_file(path).articles
    chunks = chunk_pages(article, 400, 80)
    assert len(chunks) > 6
    assert [c.index for c in chunks] == list(range(len(chunks)))
    for chunk in chunks:
        assert article.text[chunk.start : chunk.end] == chunk.text
        assert len(chunk.text) <= 400
        # every character of the chunk is on the page of its start
        assert page_at(article.page_starts, chunk.start) == page_at(article.page_starts, chunk.end - 1)
    assert {page_at(article.page_starts, c.start) for c in chunks} == {1, 2, 3}
    first_on = {n: next(c for c in chunks if page_at(article.page_starts, c.start) == n) for n in (1, 2, 3)}
    for number, chunk in first_on.items():
        assert chunk.text.startswith(f"Page {number} opens here.")


def test_page_reaches_the_passage_and_the_citation(tmp_path: Path) -> None:
    [article] = read_file(write(tmp_path / "p.pdf", text_pdf([page(1), page(2)]))).articles
    chunk = next(c for c in chunk_pages(article, 400, 80) if c.text.startswith("Page 2"))
    meta = ChunkMeta.of(article, chunk)
    stored = meta.to_store()
    assert stored["page"] == 2
    passage = ChunkMeta.from_store(stored, len(chunk.text)).passage(chunk.id, chunk.text, 0.9)
    assert passage.page == 2
    [citation] = build_citations([1], "Engineers replaced the cables [1].", [passage])
    assert citation.page == 2
    assert article.text[citation.start : citation.end] == citation.passage


def test_formats_without_pages_have_no_page(tmp_path: Path) -> None:
    [article] = read_file(write(tmp_path / "a.txt", BODY.encode())).articles
    assert article.page_starts == ()
    [chunk] = chunk_pages(article, 1000, 150)
    meta = ChunkMeta.of(article, chunk)
    assert meta.page is None and meta.to_store()["page"] == 0
    assert ChunkMeta.from_store(meta.to_store()).page is None
    assert ChunkMeta.from_store({"article_id": "a"}).page is None  # chunks stored before pages existed


def test_page_at_and_page_list() -> None:
    starts = ((0, 1), (100, 3), (250, 4))
    assert [page_at(starts, o) for o in (0, 99, 100, 249, 250, 10_000)] == [1, 1, 3, 3, 4, 4]
    assert page_at((), 5) is None
    assert page_list([5, 1, 2, 3, 8, 9, 2]) == "1–3, 5, 8–9"


def test_a_pdf_of_scans_fails_naming_its_pages(tmp_path: Path) -> None:
    path = write(tmp_path / "scan.pdf", text_pdf([SCAN, SCAN, SCAN]))
    with pytest.raises(ScannedPdfError, match="no text layer on pages 1–3; OCR it first") as caught:
        read_file(path)
    assert caught.value.pages == (1, 2, 3)
    loaded = load_files([path])
    assert loaded.articles == []
    assert [(f.path, f.reason) for f in loaded.failed] == [
        (str(path), "scanned: no text layer on pages 1–3; OCR it first")
    ]


def test_scanned_pages_are_reported_and_the_rest_ingested(tmp_path: Path) -> None:
    path = write(tmp_path / "mixed.pdf", text_pdf([page(1), SCAN, page(3), SCAN, SCAN, BLANK]))
    loaded = load_files([path])
    [article] = loaded.articles
    assert [number for _, number in article.page_starts] == [1, 3]
    assert [(f.path, f.reason) for f in loaded.failed] == [
        (
            str(path),
            "scanned: no text layer on pages 2, 4–5; the other pages were read (OCR the PDF for these)",
        )
    ]


def test_blank_pages_are_skipped_and_an_all_blank_pdf_fails(tmp_path: Path) -> None:
    loaded = load_files([write(tmp_path / "b.pdf", text_pdf([BLANK, page(2), BLANK]))])
    assert [number for _, number in loaded.articles[0].page_starts] == [2]
    assert loaded.failed == []
    with pytest.raises(PdfError, match="no text on any of its 3 pages"):
        read_file(write(tmp_path / "blank.pdf", blank_pdf(3)))


def test_a_password_protected_pdf_is_an_encrypted_error(tmp_path: Path) -> None:
    with pytest.raises(EncryptedPdfError, match="needs a password"):
        read_file(write(tmp_path / "locked.pdf", text_pdf([page(1)], password="secret")))


def test_a_pdf_with_only_an_owner_password_is_read(tmp_path: Path) -> None:
    [article] = read_file(write(tmp_path / "print.pdf", text_pdf([page(1)], password=""))).articles
    assert article.text.startswith("Page 1 opens here.")


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"", "empty file"),
        (b"The bridge reopened on Sunday after repairs. " * 20, "not a PDF"),
        (b"<html><body><p>Bridge reopens</p></body></html>", "not a PDF"),
        (b"%PDF-1.7\n" + bytes(range(256)) * 8, "damaged PDF"),
        (text_pdf([page(1), page(2)])[:-900], "damaged PDF"),
        (blank_pdf(0), "PDF has no pages"),
        (b"%PDF-1.4\n1 0 obj\n<< /Type /Outlines /Count 0 >>\nendobj\n" + bytes(range(256)), "damaged PDF"),
    ],
    ids=["empty", "text", "html", "junk", "truncated", "no-pages", "damaged-with-empty-outline"],
)
def test_bad_pdfs_are_typed_errors(tmp_path: Path, data: bytes, reason: str) -> None:
    with pytest.raises(PdfError, match=reason):
        read_file(write(tmp_path / "bad.pdf", data))


def test_pdfs_read_after_a_locked_one_are_not_called_locked(tmp_path: Path) -> None:
    # PDFium leaves the previous failure's code in place when it refuses a PDF of no pages.
    with pytest.raises(EncryptedPdfError):
        read_file(write(tmp_path / "locked.pdf", text_pdf([page(1)], password="secret")))
    with pytest.raises(PdfError, match="PDF has no pages") as caught:
        read_file(write(tmp_path / "none.pdf", blank_pdf(0)))
    assert not isinstance(caught.value, EncryptedPdfError)
    with pytest.raises(PdfError, match="damaged PDF") as caught:
        read_file(write(tmp_path / "torn.pdf", b"%PDF-1.7\n" + bytes(range(256)) * 8))
    assert not isinstance(caught.value, EncryptedPdfError)


def test_too_many_pages_is_refused_before_reading_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(pdf_module, "MAX_PAGES", 50)
    path = write(tmp_path / "many.pdf", blank_pdf(51))
    with pytest.raises(PdfError, match=r"too many pages \(51 > 50\); split the PDF first"):
        read_file(path)


def test_reading_time_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pdf_module, "MAX_SECONDS", -1.0)  # any time at all is over it
    with pytest.raises(PdfError, match="too slow to read: 0 of 2 pages"):
        read_file(write(tmp_path / "slow.pdf", text_pdf([page(1), page(2)])))


def test_a_page_pdfium_cannot_load_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = pdfium.PdfDocument.get_page

    def get_page(self: pdfium.PdfDocument, index: int) -> pdfium.PdfPage:
        if index == 1:
            raise pdfium.PdfiumError("Failed to load page.")
        return real(self, index)

    monkeypatch.setattr(pdfium.PdfDocument, "get_page", get_page)
    path = write(tmp_path / "torn.pdf", text_pdf([page(1), page(2), page(3)]))
    loaded = load_files([path])
    assert [number for _, number in loaded.articles[0].page_starts] == [1, 3]
    assert [f.reason for f in loaded.failed] == ["damaged: PDFium cannot load page 2; the others were read"]
    with pytest.raises(PdfError, match="damaged PDF: PDFium cannot load page 2"):
        read_file(write(tmp_path / "none.pdf", text_pdf([BLANK, page(2)])))  # nothing else to read


def test_text_beyond_the_size_limit_is_refused(tmp_path: Path) -> None:
    data = text_pdf([page(1, 10), page(2, 10)])
    with pytest.raises(PdfError, match="too much text"):
        read_pdf(data, path="x.pdf", max_chars=3000)
    with pytest.raises(ArticleError, match="file too large"):
        read_file(write(tmp_path / "big.pdf", data), max_bytes=len(data) - 1)


def many_pages(count: int) -> bytes:
    """``count`` text pages, three distinct ones copied over and over (fast to make)."""
    source = pdfium.PdfDocument(text_pdf([page(1), page(2), page(3)]))
    doc = pdfium.PdfDocument.new()
    while len(doc) < count:
        doc.import_pages(source, pages=list(range(min(3, count - len(doc)))))
    buffer = io.BytesIO()
    doc.save(buffer)
    return buffer.getvalue()


def test_a_pdf_of_many_pages_ingests(tmp_path: Path) -> None:
    [article] = read_file(write(tmp_path / "long.pdf", many_pages(300))).articles
    assert [number for _, number in article.page_starts] == list(range(1, 301))
    offset, number = article.page_starts[-1]
    assert number == 300 and article.text.startswith("Page 3 opens here.", offset)


def test_ingest_of_a_folder_picks_up_pdfs_and_answers_cite_the_page(
    desk: Newsdesk, tmp_path: Path, fake_llm
) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "note.txt").write_text("Ferries stopped.\n\n" + BODY, encoding="utf-8")
    pages = [
        page(1),
        "Council budget\n\nThe council spent 4.2 million pounds on the new cables in 2021.",
        SCAN,
    ]
    write(folder / "report.pdf", text_pdf(pages, title="Council report"))
    report = desk.ingest([folder])
    assert report.articles_added == 2
    assert desk.ingest([folder]).articles_unchanged == 2  # the same PDF again adds nothing
    assert [f.reason for f in report.failed] == [
        "scanned: no text layer on page 3; the other pages were read (OCR the PDF for these)"
    ]
    pages_stored = {
        r.metadata["page"] for r in desk.store.scan(texts=False) if r.metadata["path"].endswith(".pdf")
    }
    assert pages_stored == {1, 2}
    fake_llm.replies.append("The council spent 4.2 million pounds on the new cables [1].")
    answer = desk.ask("How much did the council spend on the new cables?")
    assert not answer.abstained, answer
    [citation] = answer.citations
    assert citation.title == "Council report" and citation.page == 2
    [article] = read_file(folder / "report.pdf").articles
    assert article.text[citation.start : citation.end] == citation.passage


# Page texts as the reader gives them: cleaned, so boilerplate, odd spaces and newlines are gone.
_pieces = st.sampled_from([*"ab é.\n\t\u00a0\u200b\u0301", "Advertisement", "Skip to content", "\r\n"])
_raw_pages = st.lists(st.lists(_pieces, max_size=30).map("".join), min_size=1, max_size=6)


@given(_raw_pages)
@settings(max_examples=200, deadline=None)
def test_page_offsets_survive_cleaning_the_joined_text(raw: list[str]) -> None:
    pages = [(n, text) for n, text in enumerate((clean_text(r) for r in raw), start=1) if text]
    body, starts = join_pages(pages)
    assert clean_text(body) == body  # make_article cleans the whole again: offsets must not move
    for (offset, number), (same, text) in zip(starts, pages, strict=True):
        assert number == same and body[offset : offset + len(text)] == text


def test_retrieval_reading_a_page_does_not_load_the_pdf_reader() -> None:
    code = "import sys, rag.chunkmeta, rag.stages.candidates; print('pypdfium2' in sys.modules)"
    root = Path(__file__).resolve().parents[1]
    found = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root)
    assert found.stdout.strip() == "False"
