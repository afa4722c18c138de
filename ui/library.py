"""The Library tab's handlers (upload, list, search, delete) and the store's facts for the header.

A mixin of ``ui.handlers.Handlers``: it uses the handler's ``desk``, ``public`` and ``_report``.
"""

from __future__ import annotations

import logging
from html import escape
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from rag.desk import Desk
from rag.types import IngestReport
from ui import format as fmt
from ui.feedback import INTERNAL, public_text, report_error, store_failure, user_message, warn
from ui.public import Publicity

log = logging.getLogger("newsdesk.ui")

ARTICLE_COLUMNS = ["Title", "Date", "Source", "Chunks", "ID"]
INGEST_COLUMNS = ["File", "Result", "Articles", "Chunks", "Detail"]
NOT_INGESTED = "not ingested"
INGESTED = ("added", "updated", "unchanged", "partly failed")


class LibraryHandlers:
    """Upload with a row per file, the article table, delete, and what the header says."""

    desk: Desk
    public: Publicity | None

    def _report(self, err: Exception) -> str:
        return report_error(err, self.public)

    # Library --------------------------------------------------------------------------------------

    def ingest_files(self, files: list[str] | None, progress: Any) -> tuple[Any, ...]:
        """Ingests each uploaded file on its own so every file gets its own result row."""
        paths = [str(f) for f in files or []]
        if not paths:
            warn("Choose one or more article files first.")
            return gr.skip(), gr.skip(), None
        rows: list[list[Any]] = []
        stopped: str | None = None  # why the rest of the files were not tried: the store is unusable
        for i, path in enumerate(paths):
            name = Path(path).name
            if stopped is not None:
                rows.append([name, NOT_INGESTED, 0, 0, "not tried: the store cannot be written now"])
                continue
            progress((i, len(paths)), desc=f"Reading {name}")

            def step(done: int, total: int, item: str, i: int = i, name: str = name) -> None:
                share = (done / total) if total else 0.0
                progress((i + share) / len(paths), desc=f"{name}: {item}")

            try:
                rows.append(_ingest_row(name, self.desk.ingest([path], progress=step)))
            except Exception as err:  # noqa: BLE001 - a bad file must not stop the others
                failure = store_failure(err)
                if failure is not None:  # every later file would fail the same way
                    stopped = public_text(str(failure) or type(failure).__name__, self.public)
                    rows.append([name, NOT_INGESTED, 0, 0, stopped])
                    continue
                message = user_message(err, self.public)
                if message is None:
                    log.exception("unexpected error ingesting %s", name)
                rows.append([name, "failed", 0, 0, message or INTERNAL])
        progress(1.0, desc="Done")
        ok = sum(1 for r in rows if r[1] in INGESTED)
        table = pd.DataFrame(rows, columns=INGEST_COLUMNS)
        if stopped is not None:
            warn(stopped)
            # The files stay in the upload box so the user can try again once the store is free.
            return f"{ok} of {len(rows)} file(s) ingested: {stopped}", table, gr.skip()
        return f"{ok} of {len(rows)} file(s) ingested.", table, None

    def articles(self, query: str | None = None) -> pd.DataFrame:
        """The article table, filtered by a case-insensitive search over title, source, date, id."""
        try:
            items = self.desk.list_articles()
        except Exception as err:  # noqa: BLE001
            self._report(err)
            items = []
        needle = (query or "").strip().lower()
        rows = []
        for a in items:
            row = [
                a.get("title") or "",
                a.get("published") or "",
                a.get("source") or "",
                a.get("chunks") or 0,
                a.get("id") or "",
            ]
            if not needle or needle in " ".join(str(x) for x in row).lower():
                rows.append(row)
        rows.sort(key=lambda r: (str(r[1]), str(r[0])), reverse=True)
        return pd.DataFrame(rows, columns=ARTICLE_COLUMNS)

    def select_article(self, evt: gr.SelectData) -> str:
        """Clicking a row puts its article id in the delete box."""
        row = evt.row_value or []
        return str(row[-1]) if row else ""

    def delete(self, article_id: str, query: str) -> tuple[Any, ...]:
        article_id = (article_id or "").strip()
        if not article_id:
            warn("Select an article in the table first.")
            return gr.skip(), gr.skip()
        try:
            removed = self.desk.delete_article(article_id)
        except Exception as err:  # noqa: BLE001
            self._report(err)
            return gr.skip(), gr.skip()
        if removed:
            gr.Info(escape(f"Deleted article {article_id} ({removed} chunks)."))
        else:
            warn(f"No article with id {article_id} in the store.")
        return self.articles(query), ""

    # Settings and choices -------------------------------------------------------------------------

    def info(self) -> dict[str, object]:
        """describe() and stats() together; a store that cannot be read says so."""
        data: dict[str, object] = {}
        try:
            data.update(self.desk.describe())
            data.update(self.desk.stats())
        except Exception as err:  # noqa: BLE001
            data["error"] = self._report(err)
        return self.public.info(data) if self.public else data

    def source_choices(self, current: list[str] | None = None) -> Any:
        try:
            choices = sorted(self.desk.sources())
        except Exception as err:  # noqa: BLE001
            self._report(err)
            choices = []
        kept = [s for s in current or [] if s in choices]
        # multiselect as on the page: otherwise gradio checks the list as one value among the choices.
        return gr.Dropdown(choices=choices, value=kept, multiselect=True)

    def refresh(self, query: str | None, current: list[str] | None) -> tuple[Any, ...]:
        """Everything that depends on the store: after load, ingest and delete."""
        info = self.info()
        return (
            self.articles(query),
            self.source_choices(current),
            fmt.settings_line(info),
            fmt.settings_table(info),
        )


def _ingest_row(name: str, report: IngestReport) -> list[Any]:
    """One result row of the Library tab for a file's ``IngestReport``."""
    articles = report.articles_added + report.articles_updated + report.articles_unchanged
    if report.failed:
        result = "failed" if not articles else "partly failed"
        detail = "; ".join(f.reason for f in report.failed)
    elif report.articles_added:
        result, detail = "added", ""
    elif report.articles_updated:
        result, detail = "updated", ""
    elif report.articles_unchanged:
        result, detail = "unchanged", "already in the store"
    else:
        result, detail = "failed", "no article found in the file"
    return [name, result, articles, report.chunks_added, detail]
