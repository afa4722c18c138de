"""The caller's side: find this configuration's server, start one if none runs, ask it, stop it.

Two callers at once start one server: the start lock (``Place.start_lock``) is held from "is one
running?" to "it is ready". A server for other settings or other code has another identity, so it
is never asked: a new one is started beside it (the old one stops when idle).
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from rag.desk import StreamEvent
from rag.errors import LLMUnavailableError, NewsdeskError
from rag.inputs import check_k, check_question
from rag.settings import Settings
from rag.types import Filters
from rag.warm.place import Place, private_dir, resolved, revealed
from rag.warm.server import ALREADY_RUNNING
from rag.warm.state import State, alive, all_states, clear, read_json, read_state
from rag.warm.wire import WireError, as_error, as_event, encode, receive

POLL = 0.05


class _Gone(Exception):
    """The server found is not there any more, or answers for other settings: start another."""


def _connect(state: State, timeout: float | None) -> socket.socket:
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.settimeout(timeout)
    try:
        conn.connect(state.socket)
    except OSError as exc:
        conn.close()
        raise _Gone(str(exc)) from None
    return conn


def _exchange(state: State, message: dict[str, Any], timeout: float | None) -> Iterator[dict[str, Any]]:
    """Sends one request and yields the replies until the server closes the connection.

    A server that goes away before its first reply (stopping just as it was found) is ``_Gone``:
    the caller may start another; after that, it is a ``WireError``.
    """
    replied = False
    with _connect(state, timeout) as conn, conn.makefile("rb") as stream:
        try:
            conn.sendall(encode({"token": state.token, "identity": state.identity, **message}))
            while (reply := receive(stream)) is not None:
                replied = True
                yield reply
        except OSError as exc:
            if not replied:
                raise _Gone(str(exc)) from None
            raise WireError(f"the warm server (pid {state.pid}) stopped answering: {exc}") from None


def spawn(settings: Settings, place: Place, idle: float) -> subprocess.Popen[bytes]:
    """Starts ``python -m rag.warm.server`` detached, on this very code, its settings on stdin."""
    root = str(Path(__file__).resolve().parents[2])  # the folder holding this `rag`
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("NEWSDESK_")}
    env["NEWSDESK_LOG"] = os.environ.get("NEWSDESK_LOG", "INFO")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    log = os.open(place.log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "rag.warm.server"],
            stdin=subprocess.PIPE,
            stdout=log,
            stderr=log,
            cwd=place.folder,
            env=env,
            start_new_session=True,  # outlives the caller and its terminal
        )
    finally:
        os.close(log)
    assert proc.stdin is not None
    proc.stdin.write(json.dumps({"settings": revealed(settings), "idle": idle}).encode())
    proc.stdin.close()
    return proc


def _wait_ready(place: Place, proc: subprocess.Popen[bytes] | None, timeout: float) -> State:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if place.state.exists() and (state := read_state(place)) is not None:
            return state
        if proc is not None and proc.poll() is not None:
            if proc.returncode != ALREADY_RUNNING:  # else another one is starting: wait for it
                failure = read_json(place.failure)
                if failure is not None:
                    raise as_error(failure)
                raise LLMUnavailableError(
                    f"the warm server could not start (exit {proc.returncode}); see {place.log}"
                )
            proc = None
        elif proc is None and not alive(place):
            raise LLMUnavailableError(f"the warm server stopped while starting; see {place.log}")
        time.sleep(POLL)
    raise LLMUnavailableError(f"the warm server was not ready after {timeout:g} s; see {place.log}")


def start(
    settings: Settings, *, idle: float | None = None, starting: Callable[[], None] | None = None
) -> tuple[State, bool]:
    """The running server for ``settings``, started (detached) if none is; True if started now.

    ``starting`` is called just before a new server is started (a caller's "please wait").
    """
    settings = resolved(settings)
    place = Place.of(settings)
    state = read_state(place)
    if state is not None:
        return state, False
    lock = FileLock(str(place.start_lock), mode=0o600)
    try:
        lock.acquire(timeout=settings.warm_start_timeout)
    except Timeout:
        raise LLMUnavailableError(
            f"another call has been starting the warm server for {settings.warm_start_timeout:g} s"
        ) from None
    try:
        state = read_state(place)
        if state is not None:
            return state, False
        proc = None
        if not alive(place):
            if starting is not None:
                starting()
            proc = spawn(settings, place, settings.warm_idle if idle is None else idle)
        return _wait_ready(place, proc, settings.warm_start_timeout), proc is not None
    finally:
        lock.release()


def ask_stream(
    settings: Settings,
    question: str,
    *,
    history: Sequence[tuple[str, str]] = (),
    k: int | None = None,
    filters: Filters | None = None,
    choices: Sequence[str] = (),
    starting: Callable[[], None] | None = None,
) -> Iterator[StreamEvent]:
    """``Newsdesk.ask_stream`` answered by the warm server (started if needed); same events, same errors.

    The question and ``k`` are checked here first: a typo must not start a model.
    """
    question = check_question(question, settings.max_question_chars)
    check_k(k, settings.k)
    request = {
        "op": "ask",
        "question": question,
        "history": [list(pair) for pair in history],
        "k": k,
        "filters": filters.model_dump(mode="json") if filters is not None else None,
        "choices": list(choices),
    }
    timeout = settings.llm_timeout * 2
    for _attempt in range(3):
        state, _ = start(settings, starting=starting)
        try:
            replies = _exchange(state, request, timeout)
            first = next(replies, None)
            if first is None or first.get("type") in ("retired", "other"):
                raise _Gone(str(first))
        except _Gone:
            time.sleep(POLL)  # stopping or stopped: the next turn starts a new one
            continue
        yield as_event(first)
        for reply in replies:
            yield as_event(reply)
        return
    raise LLMUnavailableError("the warm server kept stopping before it answered; try --no-warm")


def server_status(state: State, timeout: float = 10.0) -> dict[str, Any] | None:
    """What a running server says of itself, or None if it does not answer."""
    with contextlib.suppress(_Gone, NewsdeskError):
        for reply in _exchange(state, {"op": "status"}, timeout):
            if reply.get("type") == "status":
                return dict(reply["data"])
    return None


def status(settings: Settings) -> list[dict[str, Any]]:
    """Every warm server of this user, each marked ``current`` when it serves ``settings``."""
    settings = resolved(settings)
    assert settings.warm_dir is not None
    current = Place.of(settings).identity
    found = []
    for state in all_states(private_dir(settings.warm_dir)):
        info = server_status(state) or {**state.public(), "answering": False}
        found.append({**info, "current": state.identity == current})
    return found


def stop(settings: Settings, *, every: bool = False, wait: float = 30.0) -> list[State]:
    """Stops the server for ``settings`` (every server of this user with ``every``); returns those stopped."""
    settings = resolved(settings)
    place = Place.of(settings)
    states = all_states(place.folder) if every else [s for s in [read_state(place)] if s is not None]
    for state in states:
        with contextlib.suppress(_Gone, NewsdeskError):
            for _ in _exchange(state, {"op": "stop"}, 10.0):
                pass
    for state in states:
        target = Place(place.folder, state.identity)
        deadline = time.monotonic() + wait
        while alive(target) and time.monotonic() < deadline:
            time.sleep(POLL)
        if alive(target):  # not answering its socket: it is ours (our folder, our lock), so end it
            with contextlib.suppress(ProcessLookupError):
                os.kill(state.pid, signal.SIGTERM)
        clear(target)
    return states
