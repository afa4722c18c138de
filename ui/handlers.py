"""Event handlers of the chat: they call the desk and turn its results into page values.

Failures become warnings, never tracebacks (``ui.feedback``). The Library tab's
handlers live in ``ui.library`` and the saved conversations' in ``ui.saved``;
``Handlers`` binds all of them to one desk.
"""

from __future__ import annotations

import logging
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import gradio as gr

from rag.desk import Desk
from rag.errors import NewsdeskError
from rag.types import Answer, Filters, Retrieval
from ui import format as fmt
from ui import turns as tn
from ui.conversations import Conversations
from ui.feedback import INTERNAL, public_text, report_error, user_message, warn
from ui.library import ARTICLE_COLUMNS, INGEST_COLUMNS, LibraryHandlers
from ui.plain import applied_filters
from ui.public import Publicity
from ui.saved import SavedConversations, no_export, owner_of
from ui.sources import empty_sources, pending_sources
from ui.turns import Turn, messages

__all__ = [
    "ARTICLE_COLUMNS",
    "INGEST_COLUMNS",
    "INTERNAL",
    "Desk",
    "Handlers",
    "Turn",
    "messages",
    "parse_filters",
]

log = logging.getLogger("newsdesk.ui")

BUSY = "Writing the answer… press Stop to ask something else."
IDLE = "e.g. What weapons did the UK send to Ukraine?"


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


def busy_controls(busy: bool) -> tuple[Any, Any, Any]:
    """(question box, Ask, Stop) while an answer is written, or when the chat is free again."""
    return (
        gr.Textbox(interactive=not busy, placeholder=BUSY if busy else IDLE),
        gr.Button(interactive=not busy),
        gr.Button(visible=busy),
    )


class Handlers(LibraryHandlers, SavedConversations):
    """Binds the page's events to one desk (and to the folder of saved conversations)."""

    def __init__(
        self,
        desk: Desk,
        default_k: int,
        public: Publicity | None = None,
        saved: Conversations | None = None,
    ) -> None:
        self.desk = desk
        self.default_k = default_k
        self.public = public
        # Without a folder (tests of single handlers) nothing is written until a save.
        self.saved = saved or Conversations(Path(tempfile.gettempdir()) / "newsdesk-conversations")
        self._answer_seconds: float | None = None  # running mean of answer times, for the wait notice
        self._timing_lock = threading.Lock()
        self._stops: dict[str, threading.Event] = {}  # per browser session: Stop was pressed

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

    def _stop_flag(self, request: gr.Request | None, fresh: bool = False) -> threading.Event:
        """The Stop flag of this browser session (a new one when a question is sent)."""
        key = getattr(request, "session_hash", None) or ""
        with self._timing_lock:
            if fresh or key not in self._stops:
                self._stops[key] = threading.Event()
            return self._stops[key]

    def _forget_stop(self, request: gr.Request | None, flag: threading.Event) -> None:
        """Drops a finished answer's flag, so sessions that have gone leave nothing behind."""
        key = getattr(request, "session_hash", None) or ""
        with self._timing_lock:
            if self._stops.get(key) is flag:
                del self._stops[key]

    def wait_turn(
        self, question: str, turns: list[Turn], request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        """Shows the question at once with a waiting notice and locks asking; runs outside the queue.

        (chatbot, question box, Ask, Stop, the question being asked.) Until the answer is
        finished or stopped, Ask is off and the box says so: a second question is never
        silently dropped. The answer waits in the model's queue, whose place and timer
        Gradio shows over the chat.
        """
        question = (question or "").strip()
        if not question:
            return gr.skip(), gr.skip(), gr.skip(), gr.skip(), ""
        self._stop_flag(request, fresh=True)
        pending = Turn(
            question, "", fmt.format_question(question), fmt.format_waiting(self.answer_seconds()), False
        )
        return messages(turns, pending), *busy_controls(True), question

    def respond(
        self,
        question: str,
        turns: list[Turn],
        date_from: str,
        date_to: str,
        sources: list[str] | None,
        k: float | None,
        as_of: str | None = None,
        request: gr.Request | None = None,
    ) -> Iterator[tuple[Any, ...]]:
        """Streams one answer: (chatbot, textbox, sources panel, standalone question, turns).

        ``as_of`` comes last, after ``k``, so callers that pass the older inputs by position work.
        Stop sets this session's flag, seen after every piece of the stream: the desk's
        stream is closed, so the model stops writing too. (Gradio's own cancel cannot stop a
        generator that runs in a worker thread; it waits for it to end.)
        """
        stopped = self._stop_flag(request)
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
        applied = applied_filters(filters)
        number = len(turns)
        history = [(t.question, t.answer) for t in turns if t.ok]
        user_html = fmt.format_question(question)
        pending = Turn(question, "", user_html, fmt.format_partial(""), False)
        # Until the answer is done the turns are left alone: Stop may add one meanwhile.
        yield messages(turns, pending), "", gr.skip(), gr.skip(), gr.skip()
        answer: Answer | None = None
        panel: Any = gr.skip()
        started = time.monotonic()
        stream = None
        try:
            stream = self.desk.ask_stream(
                question, history=history, k=int(k or self.default_k), filters=filters
            )
            for event in stream:
                if stopped.is_set():
                    return  # Stop's handler shows the turn as stopped
                standalone: Any = gr.skip()
                if isinstance(event, Retrieval):
                    panel, standalone = tn.panel(turns, pending_sources(event)), event.standalone_question
                elif isinstance(event, Answer):
                    answer = event
                    break
                elif isinstance(event, str):
                    written = pending.answer + event
                    pending = Turn(question, written, user_html, fmt.format_partial(written), False)
                else:
                    continue
                yield messages(turns, pending), gr.skip(), panel, standalone, gr.skip()
                panel = gr.skip()  # sent once; the panel can be long
        except Exception as err:  # noqa: BLE001 - every failure becomes a warning, never a traceback
            done = [*turns, tn.failed(question, self._report(err), applied)]
            yield messages(done), gr.skip(), tn.panel(done), gr.skip(), done
            return
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()  # stops the model when this generator is closed early (Stop)
            self._forget_stop(request, stopped)
        if answer is None:
            done = [*turns, tn.failed(question, self._report(RuntimeError("no Answer")), applied)]
            yield messages(done), gr.skip(), tn.panel(done), gr.skip(), done
            return
        self._record_answer_time(time.monotonic() - started)
        if answer.error:
            warn(public_text(f"The answer could not be generated: {answer.error}", self.public))
        done = [*turns, tn.answered(question, answer, number, applied)]
        yield messages(done), gr.skip(), tn.panel(done), answer.standalone_question or question, done

    def stop(self, asking: str, turns: list[Turn], request: gr.Request | None = None) -> list[Turn]:
        """Stop: the answer's stream ends on the server; its question stays, marked as stopped."""
        self._stop_flag(request).set()
        return [*turns, tn.stopped(asking)] if asking else turns

    def settle(
        self, turns: list[Turn], conv_id: str | None, request: gr.Request | None = None
    ) -> tuple[Any, ...]:
        """After an answer (or Stop): the chat from its turns, asking unlocked, the conversation saved.

        (chatbot, sources, question box, Ask, Stop, question being asked, id, list, export.)
        """
        conv_id, listed, export = self.save(conv_id, turns, owner_of(request))
        return messages(turns), tn.panel(turns), *busy_controls(False), "", conv_id, listed, export

    def clear(self, request: gr.Request | None = None) -> tuple[Any, ...]:
        """A new conversation: no history, empty panel; the old one stays saved, an answer stops."""
        self._stop_flag(request).set()
        return [], "", empty_sources(), "", [], None, self.choices(None, owner_of(request)), no_export()

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
