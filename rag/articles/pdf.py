"""PDF files (``.pdf``): one article per file, its text read page by page with PDFium.

pypdfium2 was measured against pypdf and pdfplumber (docs/history.md, 2026-12-07): the
fastest by far, with columns read in order and line-end hyphens marked, so
words broken across lines are joined again. Lines repeated at the top or foot
of the pages are left out (``rag.articles.running``; a printed page's URL becomes
the article's). Each page's text is cleaned on its own and the pages are joined
with a blank line, so ``Article.page_starts`` says exactly where each page
begins in ``Article.text``.

A page without text that draws something (an image, outlines) is a scan: when
every page is one the file fails with ``ScannedPdfError``; otherwise the other
pages are kept and the scanned ones reported. Pages that draw nothing are blank
and skipped. Limits on pages and on text keep memory and time bounded.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from rag.articles.build import make_article
from rag.articles.clean import clean_line, clean_text
from rag.articles.dates import parse_date
from rag.articles.pages import join_pages, page_list
from rag.articles.running import strip_running
from rag.articles.text import split_header
from rag.errors import ArticleError, EncryptedPdfError, PdfError, ScannedPdfError
from rag.types import Article, IngestFailure

# A PDF with more pages than this is refused before any page is read (split it first).
MAX_PAGES = 2000
# Reading stops with an error past this many seconds (checked between pages): time stays bounded.
MAX_SECONDS = 120.0
# Where a PDF header must start: readers allow some junk before it, never much.
_HEADER_WINDOW = 1024
# PDFium's markers for a hyphen it found at the end of a line, the word going on in the next
# (U+FFFE from the whole page's text, U+0002 from text within bounds): the word is joined again.
_LINE_END_HYPHENS = str.maketrans("", "", "\ufffe\x02")
# A line shorter than this share of the typical page's longest line ends its paragraph (or is a heading).
_FULL_LINE = 0.75
_PDF_DATE = re.compile(r"D:(\d{8})")
# A dateline: the date of the article alone on a line near the top, with a label or a time.
DATELINE_LINES = 6
_DATE_LABEL = re.compile(r"^(?:first |last )?(?:published|updated|posted)(?: on)?\s*:?\s*", re.IGNORECASE)
_TIME = re.compile(r"[\s,]+\d{1,2}[.:]\d{2}(?:\s*[ap]\.?m\.?)?(?:\s+[A-Z]{2,5})?$", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>\"]+")
# A page tree of no pages (``<< /Type /Pages /Kids [] /Count 0 >>``), and any page at all.
_DICT = re.compile(rb"<<[^<>]*>>")
_COUNT_0 = re.compile(rb"/Count\s*0(?!\d)")
_A_PAGE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")
# Titles that PDF writers put in the metadata and that say nothing about the article.
_NO_TITLE = re.compile(r"untitled|microsoft word\b.*|.*\.(docx?|odt|rtf|pdf|txt|html?)", re.IGNORECASE)
_OPEN_ERRORS = {
    pdfium_c.FPDF_ERR_PASSWORD: "encrypted PDF: it needs a password; save an unlocked copy first",
    pdfium_c.FPDF_ERR_SECURITY: "encrypted PDF with a security handler PDFium cannot open",
}


@dataclass(frozen=True)
class PdfRead:
    """The article of one PDF and the pages it left out, each with why."""

    article: Article
    skipped: tuple[IngestFailure, ...] = ()


def _open(data: bytes) -> pdfium.PdfDocument:
    if not data or data.isspace():
        raise PdfError("empty file")
    if b"%PDF-" not in data[:_HEADER_WINDOW]:
        raise PdfError("not a PDF (no %PDF- header), though named .pdf")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as error:
        if _empty_page_tree(data):
            # PDFium refuses a PDF of no pages without an error code of its own (the code left is
            # the previous failure's), so this comes first: the page tree says so.
            raise PdfError("PDF has no pages") from None
        code = getattr(error, "err_code", None)
        if code in _OPEN_ERRORS and b"/Encrypt" in data:  # the trailer names its encryption dictionary
            raise EncryptedPdfError(_OPEN_ERRORS[code]) from None
        why = str(error).rpartition("PDFium: ")[2].rstrip(".)") or type(error).__name__
        raise PdfError(f"damaged PDF: PDFium cannot open it ({why.lower()})") from None


def _empty_page_tree(data: bytes) -> bool:
    """True for a PDF whose page tree says it has no pages (outlines also have a /Count)."""
    if _A_PAGE.search(data):
        return False
    return any(b"/Pages" in d.group() and _COUNT_0.search(d.group()) for d in _DICT.finditer(data))


def page_lines(text: str) -> list[str]:
    """A page's lines as PDFium gives them, hyphenated words joined again, spaces collapsed."""
    text = text.translate(_LINE_END_HYPHENS).replace("\r\n", "\n").replace("\r", "\n")
    return [" ".join(line.split()) for line in text.split("\n")]


def full_width(pages: Sequence[Sequence[str]]) -> float:
    """From how long a line is a full line of text: a share of the typical page's longest line.

    The median over pages, so a short last page or one wide table does not set it.
    """
    longest = sorted(max(len(line) for line in lines) for lines in pages if any(lines))
    return longest[len(longest) // 2] * _FULL_LINE if longest else 0.0


def join_lines(lines: Sequence[str], full: float | None = None) -> str:
    """Wrapped lines joined into paragraphs.

    A line of at least ``full`` characters (default: from this page alone) runs on into
    the next; a shorter one (a paragraph's last line, a heading, a list item) keeps its
    line break.
    """
    if full is None:
        full = full_width([lines])
    out: list[str] = []
    for line in lines:
        out.append(line)
        out.append(" " if line and len(line) >= full else "\n")
    return "".join(out)


def reflow(text: str) -> str:
    """A page's text from PDFium as paragraphs (see ``page_lines`` and ``join_lines``)."""
    return join_lines(page_lines(text))


def _raw_page(page: pdfium.PdfPage) -> str:
    textpage = page.get_textpage()
    try:
        return str(textpage.get_text_range())
    finally:
        textpage.close()


def _draws(page: pdfium.PdfPage) -> bool:
    return bool(pdfium_c.FPDFPage_CountObjects(page.raw))


@dataclass(frozen=True)
class _Pages:
    """What reading every page gave: ``(page number, cleaned text)`` of those with text, and the others."""

    texts: list[tuple[int, str]]
    scanned: list[int]  # no text, but an image or drawing: needs OCR
    damaged: list[int]  # PDFium could not load the page
    count: int
    running: list[str]  # running heads and feet taken out (a printed page's URL is among them)


def _load_pages(
    doc: pdfium.PdfDocument, max_chars: int
) -> tuple[list[tuple[int, list[str], bool]], list[int]]:
    """``(page number, lines, draws anything)`` of each page PDFium loads, and the pages it cannot."""
    count = len(doc)
    if count == 0:
        raise PdfError("PDF has no pages")
    if count > MAX_PAGES:
        raise PdfError(f"too many pages ({count:,} > {MAX_PAGES:,}); split the PDF first")
    loaded: list[tuple[int, list[str], bool]] = []
    damaged: list[int] = []
    total = 0
    started = time.monotonic()
    for number in range(1, count + 1):
        if time.monotonic() - started > MAX_SECONDS:
            raise PdfError(
                f"too slow to read: {number - 1} of {count} pages in {MAX_SECONDS:.0f} s; split the PDF"
            )
        try:
            page = doc[number - 1]
        except pdfium.PdfiumError:
            damaged.append(number)
            continue
        try:
            raw = _raw_page(page)
            draws = _draws(page)
        finally:
            page.close()
        total += len(raw)
        if total > max_chars:
            raise PdfError(f"too much text (over {max_chars:,} characters by page {number}); split the PDF")
        loaded.append((number, page_lines(raw), draws))
    return loaded, damaged


def _read_pages(doc: pdfium.PdfDocument, max_chars: int) -> _Pages:
    loaded, damaged = _load_pages(doc, max_chars)
    full = full_width([lines for _, lines, _ in loaded])
    kept, running = strip_running([lines for _, lines, _ in loaded], full)
    pages = _Pages(texts=[], scanned=[], damaged=damaged, count=len(doc), running=running)
    for (number, _, draws), lines in zip(loaded, kept, strict=True):
        text = clean_text(join_lines(lines, full))
        if any(ch.isalnum() for ch in text):
            pages.texts.append((number, text))
        elif draws:
            pages.scanned.append(number)
    return pages


def _metadata(doc: pdfium.PdfDocument) -> dict[str, str]:
    try:
        return {key: value for key, value in doc.get_metadata_dict(skip_empty=True).items() if value}
    except pdfium.PdfiumError:
        return {}


def _title(meta: dict[str, str]) -> str | None:
    title = clean_line(meta.get("Title", ""))
    return None if not title or _NO_TITLE.fullmatch(title) else title


def _first_line(text: str) -> str | None:
    """The first line when it reads as a heading: short and without closing punctuation."""
    first = text.split("\n", 1)[0].strip()
    if len(first) <= 150 and "\n" in text and not first.endswith((".", "!", "?", ",", ";", ":")):
        return first
    return None


def _pages(numbers: list[int]) -> str:
    return f"page {numbers[0]}" if len(numbers) == 1 else f"pages {page_list(numbers)}"


def _running_url(lines: list[str]) -> str | None:
    """The URL a browser prints below each page of an article it saves as PDF."""
    return next((m.group() for line in lines if (m := _URL.search(line))), None)


def _dateline(text: str) -> str | None:
    """A date standing alone on one of the first lines ("Published: 21 January 2022 10.30 GMT")."""
    for line in text.split("\n")[:DATELINE_LINES]:
        line = _TIME.sub("", _DATE_LABEL.sub("", line.strip()))
        if len(line) <= 40 and parse_date(line):
            return line
    return None


def _creation_date(meta: dict[str, str]) -> str | None:
    match = _PDF_DATE.match(meta.get("CreationDate", "").strip())
    return match.group(1) if match else None


def read_pdf(data: bytes, *, path: str, stem: str = "", max_chars: int = 50_000_000) -> PdfRead:
    """One article from a PDF's bytes; ``PdfError`` (or a subclass) says why when there is none."""
    doc = _open(data)
    try:
        read = _read_pages(doc, max_chars)
        meta = _metadata(doc)
    finally:
        doc.close()
    pages = read.texts
    if not pages:
        if read.scanned:
            where = _pages(read.scanned)
            raise ScannedPdfError(f"scanned: no text layer on {where}; OCR it first", tuple(read.scanned))
        if read.damaged:
            raise PdfError(f"damaged PDF: PDFium cannot load {_pages(read.damaged)}")
        raise PdfError(f"no text on any of its {read.count} pages (blank)")
    header, _ = split_header(pages[0][1])  # title, date and URL lines, as in a plain-text article
    body, starts = join_pages(pages)
    article = make_article(
        text=body,
        title=_title(meta) or header.get("title") or _first_line(body),
        url=header.get("url") or _running_url(read.running),
        published=header.get("date") or _dateline(pages[0][1]) or _creation_date(meta),
        author=meta.get("Author"),
        path=path,
        stem=stem,
    )
    if article is None:  # cannot happen: every page kept has letters or digits
        raise ArticleError("no text")
    if article.text != body:  # cleaning the whole changed it: page offsets would be wrong
        raise PdfError("text changed when cleaned as a whole; page offsets would not hold")
    skipped = []
    if read.scanned:
        where = _pages(read.scanned)
        reason = f"scanned: no text layer on {where}; the other pages were read (OCR the PDF for these)"
        skipped.append(IngestFailure(path=path, reason=reason))
    if read.damaged:
        where = _pages(read.damaged)
        skipped.append(
            IngestFailure(path=path, reason=f"damaged: PDFium cannot load {where}; the others were read")
        )
    return PdfRead(article=article.model_copy(update={"page_starts": starts}), skipped=tuple(skipped))
