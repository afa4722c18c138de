"""How a failure reaches the user: a warning toast, never a traceback, the store's path hidden.

Every handler catches ``NewsdeskError`` (shown to that user as a warning, the
store's path replaced by its name; the desk raises the store's failures as
``StoreError``) and any other exception (logged here, shown as a generic
warning), so one person's failure never breaks their session or anyone else's.
"""

from __future__ import annotations

import logging
from html import escape

import gradio as gr

from rag.errors import NewsdeskError, StoreError
from ui.public import Publicity

log = logging.getLogger("newsdesk.ui")

INTERNAL = "Something went wrong on the server; the details are in its log. Please try again."


def warn(message: str) -> None:
    """A warning toast; gr.Warning renders HTML, and our messages may quote user input."""
    gr.Warning(escape(message))


def public_text(text: str, public: Publicity | None) -> str:
    """``text`` as a visitor may see it (the store's path replaced by its label)."""
    return public.text(text) if public else text


def user_message(err: Exception, public: Publicity | None = None) -> str | None:
    """The message a user may see for a typed error; None for an unexpected one."""
    if isinstance(err, NewsdeskError):
        return public_text(str(err) or type(err).__name__, public)
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
