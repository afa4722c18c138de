"""PDF text extraction compared: pypdf, pdfplumber, pypdfium2 (speed and quality) on generated PDFs.

Not part of newsdesk: run it in a separate virtualenv that has the three readers
and fpdf2 (``pip install pypdf pdfplumber pypdfium2 fpdf2``), as
``python docs/pdf_bench.py [repeats]``. Results: docs/history.md, 2026-12-07.
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from fpdf import FPDF

WORDS = (
    "the council said on Sunday that repairs to the harbour bridge would cost more than four million "
    "pounds engineers replaced cables while ministers argued about the budget and residents waited"
).split()
COLUMN_PAGES = 5
PER_COLUMN = 12


def sentence(rng: random.Random, i: int) -> str:
    return f"Sentence {i} " + " ".join(rng.choices(WORDS, k=rng.randint(10, 22))) + "."


def prose(rng: random.Random, pages: int) -> tuple[bytes, list[str]]:
    """Pages of paragraphs, one column."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=11)
    sentences: list[str] = []
    for _ in range(pages):
        pdf.add_page()
        while pdf.get_y() < 250:
            paragraph = [sentence(rng, len(sentences) + k) for k in range(4)]
            sentences.extend(paragraph)
            pdf.multi_cell(0, 5, " ".join(paragraph))
            pdf.ln(3)
    return bytes(pdf.output()), sentences


def columns(rng: random.Random) -> tuple[bytes, list[list[str]], list[list[str]]]:
    """Pages of two columns side by side: reading order."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=10)
    left: list[list[str]] = []
    right: list[list[str]] = []
    n = 0
    for _ in range(COLUMN_PAGES):
        pdf.add_page()
        for side, x in ((left, 10), (right, 110)):
            side.append([sentence(rng, n + k) for k in range(PER_COLUMN)])
            n += PER_COLUMN
            pdf.set_xy(x, 20)
            pdf.multi_cell(90, 5, " ".join(side[-1]))
    return bytes(pdf.output()), left, right


def hyphens_and_spaces() -> bytes:
    """Words hyphenated at line ends, and words placed one by one without space characters."""
    pdf = FPDF()
    pdf.set_font("helvetica", size=12)
    pdf.add_page()
    for i, line in enumerate(
        ["The govern-", "ment announced an inter-", "national agreement on Sun-", "day."]
    ):
        pdf.text(10, 20 + 6 * i, line)
    x = 10.0
    for word in "Ministers met the mayor of Leeds on Friday".split():
        pdf.text(x, 60, word)
        x += pdf.get_string_width(word) + 2.2
    return bytes(pdf.output())


def with_pypdf(path: Path) -> list[str]:
    import pypdf

    return [page.extract_text() or "" for page in pypdf.PdfReader(path).pages]


def with_pdfplumber(path: Path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        return [page.extract_text() or "" for page in pdf.pages]


def with_pypdfium2(path: Path) -> list[str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(path)
    texts = []
    for i in range(len(doc)):
        page = doc[i]
        textpage = page.get_textpage()
        texts.append(textpage.get_text_range())
        textpage.close()
        page.close()
    doc.close()
    return texts


READERS: dict[str, Callable[[Path], list[str]]] = {
    "pypdf": with_pypdf,
    "pdfplumber": with_pdfplumber,
    "pypdfium2": with_pypdfium2,
}


def flat(text: str) -> str:
    return " ".join(text.split())


def main() -> None:
    repeats = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    rng = random.Random(7)
    folder = Path(tempfile.mkdtemp())
    data, sentences = prose(rng, 40)
    (folder / "prose.pdf").write_bytes(data)
    data, left, right = columns(rng)
    (folder / "columns.pdf").write_bytes(data)
    (folder / "lines.pdf").write_bytes(hyphens_and_spaces())
    pages = len(with_pypdfium2(folder / "prose.pdf"))
    print(f"prose.pdf: {pages} pages, {len(sentences)} sentences; columns.pdf: {COLUMN_PAGES} pages")
    for name, read in READERS.items():
        seconds = []
        for _ in range(repeats if name != "pdfplumber" else min(repeats, 3)):  # pdfplumber is slow
            started = time.perf_counter()
            texts = read(folder / "prose.pdf")
            seconds.append(time.perf_counter() - started)
        whole = flat(" ".join(texts))
        intact = sum(flat(s) in whole for s in sentences)
        page_texts = [flat(t) for t in read(folder / "columns.pdf")]
        in_order = sum(
            0 <= text.find(flat(lcol[-1])) < text.find(flat(rcol[0]))
            and all(flat(s) in text for s in lcol + rcol)
            for text, lcol, rcol in zip(page_texts, left, right, strict=True)
        )
        median = statistics.median(seconds)
        print(
            f"{name:10} n={len(seconds)} median {median:.3f} s = {pages / median:6.1f} pages/s; "
            f"sentences intact {intact}/{len(sentences)}; column pages in reading order {in_order}/{COLUMN_PAGES}"
        )
        print(f"{'':10} hyphens and spaces: {read(folder / 'lines.pdf')[0]!r}")


if __name__ == "__main__":
    main()
