"""PDFs made in the tests (fpdf2 for text, images and passwords; PDFium for blank pages), never committed."""

from __future__ import annotations

import io
import struct
import zlib
from collections.abc import Sequence
from datetime import UTC, datetime

import pypdfium2 as pdfium
from fpdf import FPDF
from fpdf.enums import EncryptionMethod

SCAN = None  # a page that is only an image: what a scanner makes
BLANK = ""  # a page that draws nothing


def grey_png(width: int = 60, height: int = 80) -> bytes:
    """A plain grey PNG, written by hand: a scanned page needs an image, not an image library."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))  # filter 0, 8-bit grey
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def text_pdf(
    pages: Sequence[str | None],
    *,
    title: str | None = None,
    created: datetime | None = None,
    password: str | None = None,
    owner_password: str = "owner",
) -> bytes:
    """One page per entry: its text (paragraphs split on blank lines), ``SCAN`` or ``BLANK``."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    if title:
        pdf.set_title(title)
    pdf.set_creation_date(created or datetime(2022, 1, 26, 9, 30, tzinfo=UTC))
    if password is not None:
        pdf.set_encryption(
            owner_password=owner_password, user_password=password, encryption_method=EncryptionMethod.RC4
        )
    for page in pages:
        pdf.add_page()
        if page is SCAN:
            pdf.image(io.BytesIO(grey_png()), x=10, y=10, w=150)
            continue
        for paragraph in page.split("\n\n"):
            if paragraph.strip():
                pdf.multi_cell(0, 5, paragraph)
                pdf.ln(3)
    return bytes(pdf.output())


def lines_pdf(lines: Sequence[str]) -> bytes:
    """One page with each line placed where it is, as a typesetter breaks them (hyphens kept)."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    pdf.add_page()
    for i, line in enumerate(lines):
        pdf.text(10, 20 + 6 * i, line)
    return bytes(pdf.output())


def spaced_words_pdf(words: Sequence[str]) -> bytes:
    """One line of words each placed on its own, no space characters between them."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    pdf.add_page()
    x = 10.0
    for word in words:
        pdf.text(x, 20, word)
        x += pdf.get_string_width(word) + 2.5
    return bytes(pdf.output())


def columns_pdf(left: str, right: str) -> bytes:
    """One page with two columns of text side by side."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=10)
    pdf.add_page()
    top = pdf.get_y()
    pdf.set_xy(10, top)
    pdf.multi_cell(90, 5, left)
    pdf.set_xy(110, top)
    pdf.multi_cell(90, 5, right)
    return bytes(pdf.output())


def blank_pdf(pages: int) -> bytes:
    """A PDF of ``pages`` empty pages (0 gives a PDF without pages), fast even for thousands."""
    doc = pdfium.PdfDocument.new()
    for _ in range(pages):
        doc.new_page(595, 842)
    buffer = io.BytesIO()
    doc.save(buffer)
    doc.close()
    return buffer.getvalue()


class _Printed(FPDF):
    """What a browser's "print to PDF" makes: the time and title above each page, the URL and n/N below."""

    def __init__(self, head: str, url: str) -> None:
        super().__init__()
        self.head, self.url = head, url

    def header(self) -> None:
        self.set_font("helvetica", size=8)
        self.text(10, 8, self.head)

    def footer(self) -> None:
        self.set_font("helvetica", size=8)
        self.text(10, 290, f"{self.url}    {self.page_no()}/{{nb}}")


def printed_pdf(pages: Sequence[str], *, head: str, url: str) -> bytes:
    """``pages`` of text printed from a browser, with its running heads and feet."""
    pdf = _Printed(head, url)
    for text in pages:
        pdf.add_page()
        pdf.set_font("helvetica", size=11)
        pdf.set_y(20)
        for paragraph in text.split("\n\n"):
            pdf.multi_cell(0, 5, paragraph)
            pdf.ln(3)
    return bytes(pdf.output())
