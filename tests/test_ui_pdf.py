"""PDFs through the chat's Library tab: the upload takes them and each gets its result row."""

from __future__ import annotations

from pathlib import Path

import gradio as gr
from pdfs import SCAN, text_pdf

from rag.api import Newsdesk
from ui.app import _library_tab
from ui.handlers import Handlers

BODY = (
    "The harbour bridge reopened to traffic on Sunday morning after eight months of repairs "
    "that cost the council more than four million pounds. "
)


def test_the_upload_takes_pdfs() -> None:
    with gr.Blocks():
        upload = _library_tab()["upload"]
    assert upload.file_types is None or ".pdf" in upload.file_types


def test_an_uploaded_pdf_is_ingested_and_its_scanned_pages_named(desk: Newsdesk, tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(text_pdf([BODY * 3, SCAN], title="Bridge report"))
    summary, table, _ = Handlers(desk, 4).ingest_files([str(path)], lambda *a, **kw: None)
    [row] = table.values.tolist()
    assert row[:3] == ["report.pdf", "partly failed", 1]
    assert row[4] == "scanned: no text layer on page 2; the other pages were read (OCR the PDF for these)"
    assert desk.stats()["articles"] == 1
