"""PDF files (``.pdf``): one article per file, its text read page by page with PDFium.

pypdfium2 was measured against pypdf and pdfplumber (docs/notes-pdf.md): the
fastest by far, with columns read in order and line-end hyphens marked, so
words broken across lines are joined again. Each page's text is cleaned on its
own and the pages are joined with a blank line, so ``Article.page_starts`` says
exactly where each page begins in ``Article.text``.

A page without text that draws something (an image, outlines) is a scan: when
every page is one the file fails with ``ScannedPdfError``; otherwise the other
pages are kept and the scanned ones reported. Pages that draw nothing are blank
and skipped. Limits on pages and on text keep memory and time bounded.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from rag.articles.build import make_article
from rag.articles.clean import clean_line, clean_text
from rag.articles.pages import page_list
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
# A line shorter than this share of the page's longest line ends its paragraph (or is a heading).
_FULL_LINE = 0.75
_PDF_DATE = re.compile(r"D:(\d{8})")
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


def reflow(text: str) -> str:
    """A page's lines as PDFium gives them, wrapped lines joined into paragraphs.

    A line as long as the page's full lines runs on into the next; a shorter one
    (a paragraph's last line, a heading, a list item) keeps its line break.
    """
    text = text.translate(_LINE_END_HYPHENS).replace("\r\n", "\n").replace("\r", "\n")
    lines = [" ".join(line.split()) for line in text.split("\n")]
    full = max((len(line) for line in lines), default=0) * _FULL_LINE
    out: list[str] = []
    for line in lines:
        out.append(line)
        out.append(" " if line and len(line) >= full else "\n")
    return "".join(out)


def _page_text(page: pdfium.PdfPage) -> str:
    textpage = page.get_textpage()
    try:
        return clean_text(reflow(textpage.get_text_range()))
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


def _read_pages(doc: pdfium.PdfDocument, max_chars: int) -> _Pages:
    count = len(doc)
    if count == 0:
        raise PdfError("PDF has no pages")
    if count > MAX_PAGES:
        raise PdfError(f"too many pages ({count:,} > {MAX_PAGES:,}); split the PDF first")
    pages = _Pages(texts=[], scanned=[], damaged=[], count=count)
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
            pages.damaged.append(number)
            continue
        try:
            text = _page_text(page)
            if not any(ch.isalnum() for ch in text):
                if _draws(page):
                    pages.scanned.append(number)
                continue
        finally:
            page.close()
        total += len(text) + 2
        if total > max_chars:
            raise PdfError(f"too much text (over {max_chars:,} characters by page {number}); split the PDF")
        pages.texts.append((number, text))
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
    starts: list[tuple[int, int]] = []
    offset = 0
    for number, text in pages:
        starts.append((offset, number))
        offset += len(text) + 2
    body = "\n\n".join(text for _, text in pages)
    article = make_article(
        text=body,
        title=_title(meta) or header.get("title") or _first_line(body),
        url=header.get("url"),
        published=header.get("date") or _creation_date(meta),
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
    return PdfRead(article=article.model_copy(update={"page_starts": tuple(starts)}), skipped=tuple(skipped))
