"""Event handlers of the app: they call the desk and turn its results into page values.

Every handler catches ``NewsdeskError`` (shown to that user as a warning, the
store's path replaced by its name; the desk raises the store's failures as
``StoreError``) and any other exception (logged here, shown as a generic
warning), so one person's failure never breaks their session or anyone else's.
"""

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from html import escape
from pathlib import Path
from typing import Any

import gradio as gr
import pandas as pd

from rag.desk import Desk
from rag.errors import NewsdeskError, StoreError
from rag.types import Answer, Filters, IngestReport, Retrieval
from ui import format as fmt
from ui.public import Publicity

log = logging.getLogger("newsdesk.ui")

INTERNAL = "Something went wrong on the server; the details are in its log. Please try again."
ARTICLE_COLUMNS = ["Title", "Date", "Source", "Chunks", "ID"]
INGEST_COLUMNS = ["File", "Result", "Articles", "Chunks", "Detail"]
NOT_INGESTED = "not ingested"
INGESTED = ("added", "updated", "unchanged", "partly failed")


@dataclass(frozen=True)
class Turn:
    """One exchange as shown; only ``ok`` turns go back to the desk as history."""

    question: str
    answer: str
    user_html: str
    bot_html: str
    ok: bool


def warn(message: str) -> None:
    """A warning toast; gr.Warning renders HTML, and our messages may quote user input."""
    gr.Warning(escape(message))


def _public(text: str, public: Publicity | None) -> str:
    return public.text(text) if public else text


def user_message(err: Exception, public: Publicity | None = None) -> str | None:
    """The message a user may see for a typed error; None for an unexpected one."""
    if isinstance(err, NewsdeskError):
        return _public(str(err) or type(err).__name__, public)
    return None


def report_error(err: Exception, public: Publicity | None = None) -> str:
    """Shows the error to this user and returns the message to put in the chat."""
    message = user_message(err, public)
    if message is None:
        log.exception("unexpected error in the UI", exc_info=err)
        message = INTERNAL
    warn(message)
    return message


def store_failure(err: BaseException) -> StoreError | None:
    """The error that makes the whole store unusable right now, else None.

    ``Desk.ingest`` raises a ``StoreError`` for the store itself (``StoreBusyError`` when another
    writer holds it); a bad file is an ``ArticleError`` or in the report, and only stops that file.
    """
    return err if isinstance(err, StoreError) else None


def parse_date(text: str | None, label: str) -> date | None:
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{label} must be a date as YYYY-MM-DD, e.g. 2022-01-31; got {text!r}.") from None


def parse_filters(
    date_from: str | None,
    date_to: str | None,
    sources: Sequence[str] | None,
    as_of: str | None = None,
) -> Filters | None:
    """Filters from the form, or None when nothing is set; ValueError with a readable message.

    ``as_of`` is the day the question is asked as of (``Filters.as_of``): articles published
    after it are left out, so a ``date_from`` after it would leave nothing to find.
    """
    start, end = parse_date(date_from, "Date from"), parse_date(date_to, "Date to")
    asked = parse_date(as_of, "As of")
    if start and end and start > end:
        raise ValueError(f"Date from ({start}) is after date to ({end}).")
    if start and asked and start > asked:
        raise ValueError(f"Date from ({start}) is after as of ({asked}): no article could be found.")
    filters = Filters(date_from=start, date_to=end, as_of=asked, sources=tuple(sources or ()))
    return None if filters.is_empty() else filters


def messages(turns: Sequence[Turn], pending: Turn | None = None) -> list[dict[str, str]]:
    """Chatbot value (Gradio 6 messages format) for the turns so far."""
    out: list[dict[str, str]] = []
    for turn in [*turns, *([pending] if pending else [])]:
        out.append({"role": "user", "content": turn.user_html})
        out.append({"role": "assistant", "content": turn.bot_html})
    return out


class Handlers:
    """Binds the page's events to one desk."""

    def __init__(self, desk: Desk, default_k: int, public: Publicity | None = None) -> None:
        self.desk = desk
        self.default_k = default_k
        self.public = public
        self._answer_seconds: float | None = None  # running mean of answer times, for the wait notice
        self._timing_lock = threading.Lock()

    def _report(self, err: Exception) -> str:
        return report_error(err, self.public)

    def answer_seconds(self) -> float | None:
        """How long an answer has taken here lately (None before the first)."""
        with self._timing_lock:
            return self._answer_seconds

    def _record_answer_time(self, seconds: float) -> None:
        with self._timing_lock:
            old = self._answer_seconds
            self._answer_seconds = seconds if old is None else 0.7 * old + 0.3 * seconds

    # Chat -----------------------------------------------------------------------------------------

    def wait_turn(self, question: str, turns: list[Turn]) -> Any:
        """Shows the question at once with a waiting notice; runs outside the queue.

        The answer itself waits in the model's queue, whose place and timer Gradio
        shows over the chat; this says what the wait is and how long answers take.
        """
        question = (question or "").strip()
        if not question:
            return gr.skip()
        pending = Turn(
            question, "", fmt.format_question(question), fmt.format_waiting(self.answer_seconds()), False
        )
        return messages(turns, pending)

    def respond(
        self,
        question: str,
        turns: list[Turn],
        date_from: str,
        date_to: str,
        sources: list[str] | None,
        k: float | None,
        as_of: str | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """Streams one answer: (chatbot, textbox, sources panel, standalone question, turns).

        ``as_of`` comes last, after ``k``, so callers that pass the older inputs by position work.
        """
        question = (question or "").strip()
        if not question:
            warn("Type a question first.")
            yield gr.skip(), gr.skip(), gr.skip(), gr.skip(), turns
            return
        try:
            filters = parse_filters(date_from, date_to, sources, as_of)
        except ValueError as err:
            warn(str(err))
            # The chat as it was, without wait_turn's waiting notice; the question stays to ask again.
            yield messages(turns), gr.skip(), gr.skip(), gr.skip(), turns
            return
        number = len(turns)
        history = [(t.question, t.answer) for t in turns if t.ok]
        user_html = fmt.format_question(question)
        pending = Turn(question, "", user_html, fmt.format_partial(""), False)
        panel, standalone, text = gr.skip(), gr.skip(), ""
        yield messages(turns, pending), "", panel, standalone, turns
        answer: Answer | None = None
        started = time.monotonic()
        try:
            stream = self.desk.ask_stream(
                question, history=history, k=int(k or self.default_k), filters=filters
            )
            for event in stream:
                if isinstance(event, Retrieval):
                    panel, standalone = fmt.pending_sources(event), event.standalone_question
                elif isinstance(event, Answer):
                    answer = event
                    break
                elif isinstance(event, str):
                    text += event
                    pending = Turn(question, text, user_html, fmt.format_partial(text), False)
                else:
                    continue
                yield messages(turns, pending), gr.skip(), panel, standalone, turns
        except Exception as err:  # noqa: BLE001 - every failure becomes a warning, never a traceback
            message = self._report(err)
            failed = Turn(question, "", user_html, fmt.format_failure(message), False)
            yield messages(turns, failed), gr.skip(), panel, standalone, [*turns, failed]
            return
        if answer is None:
            message = self._report(RuntimeError("ask_stream ended without an Answer"))
            failed = Turn(question, "", user_html, fmt.format_failure(message), False)
            yield messages(turns, failed), gr.skip(), panel, standalone, [*turns, failed]
            return
        self._record_answer_time(time.monotonic() - started)
        if answer.error:
            warn(_public(f"The answer could not be generated: {answer.error}", self.public))
        done = Turn(
            question, answer.answer, user_html, fmt.format_answer(answer, number), ok=not answer.error
        )
        new_turns = [*turns, done]
        yield (
            messages(new_turns),
            gr.skip(),
            fmt.source_cards(answer, number),
            answer.standalone_question or question,
            new_turns,
        )

    def clear(self) -> tuple[Any, ...]:
        """A new conversation: no history, empty panel."""
        return [], "", fmt.empty_sources(), "", []

    # API ------------------------------------------------------------------------------------------

    def ask_api(
        self,
        question: str,
        k: int | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
        sources: list[str] | None = None,
        as_of: str | None = None,
    ) -> dict[str, Any]:
        """``/ask``: one question, the ``Answer`` as JSON; failures come back as a gr.Error.

        ``as_of`` (YYYY-MM-DD) is last so clients passing the older parameters by position work.
        """
        try:
            filters = parse_filters(date_from, date_to, sources, as_of)
            answer = self.desk.ask(question, k=k or None, filters=filters)
        except ValueError as err:
            raise gr.Error(str(err), print_exception=False) from None
        except NewsdeskError as err:
            raise gr.Error(user_message(err, self.public) or INTERNAL, print_exception=False) from None
        except Exception:
            log.exception("unexpected error in /ask")
            raise gr.Error(INTERNAL, print_exception=False) from None
        return answer.to_json_dict()

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
                    stopped = _public(str(failure) or type(failure).__name__, self.public)
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
        return gr.Dropdown(choices=choices, value=kept)

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
