"""The messages on a warm server's socket: one JSON object a line, each way.

A request is one line: ``{"token", "identity", "op", ...}``. An answer streams back as the
events of ``ask_stream`` (``retrieval``, ``text``…, ``answer``), or one ``error`` carrying the
typed error's class name and message, so the caller raises the same ``NewsdeskError`` subclass
and the CLI prints the same one line as without the server.
"""

from __future__ import annotations

import json
from io import BufferedIOBase
from typing import Any, BinaryIO

import rag.errors
from rag.desk import StreamEvent
from rag.errors import NewsdeskError
from rag.types import Answer, Retrieval

MAX_LINE = 16 << 20  # an answer with its passages is far smaller; a longer line is not ours


class WireError(NewsdeskError):
    """The server's reply could not be read (it stopped, or something else answers the socket)."""


def encode(message: dict[str, Any]) -> bytes:
    return json.dumps(message, ensure_ascii=False).encode() + b"\n"


def send(stream: BufferedIOBase | BinaryIO, message: dict[str, Any]) -> None:
    stream.write(encode(message))
    stream.flush()


def receive(stream: BufferedIOBase | BinaryIO) -> dict[str, Any] | None:
    """The next message, or None at the end of the stream."""
    line = stream.readline(MAX_LINE + 1)
    if not line:
        return None
    if len(line) > MAX_LINE or not line.endswith(b"\n"):
        raise WireError("the warm server sent a message cut short")
    try:
        message = json.loads(line)
    except ValueError as exc:
        raise WireError(f"the warm server sent something unreadable: {exc}") from None
    if not isinstance(message, dict):
        raise WireError("the warm server sent something unreadable")
    return message


def event_message(event: StreamEvent) -> dict[str, Any]:
    if isinstance(event, Answer):
        return {"type": "answer", "data": event.to_json_dict()}
    if isinstance(event, Retrieval):
        return {"type": "retrieval", "data": event.model_dump(mode="json")}
    return {"type": "text", "data": event}


def error_message(exc: BaseException) -> dict[str, Any]:
    kind = type(exc).__name__ if isinstance(exc, NewsdeskError) else "NewsdeskError"
    text = str(exc) if isinstance(exc, NewsdeskError) else f"the warm server failed: {exc}"
    return {"type": "error", "kind": kind, "message": text}


def as_event(message: dict[str, Any]) -> StreamEvent:
    """A streamed message back as the event ``ask_stream`` yields; an ``error`` is raised."""
    kind = message.get("type")
    if kind == "answer":
        return Answer.model_validate(message["data"])
    if kind == "retrieval":
        return Retrieval.model_validate(message["data"])
    if kind == "text":
        return str(message["data"])
    if kind == "error":
        raise as_error(message)
    raise WireError(f"the warm server sent an unknown message {kind!r}")


def as_error(message: dict[str, Any]) -> NewsdeskError:
    """The typed error the server met, rebuilt by class name (``NewsdeskError`` if unknown)."""
    cls = getattr(rag.errors, str(message.get("kind")), None)
    if not (isinstance(cls, type) and issubclass(cls, NewsdeskError)):
        cls = NewsdeskError
    return cls(str(message.get("message", "the warm server failed")))
