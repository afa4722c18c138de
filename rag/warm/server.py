"""The warm server: a desk kept loaded, answering on a Unix socket in the user's 0700 folder.

Why a Unix socket and not 127.0.0.1: the folder's permissions already keep other local users
out (a TCP port on loopback is open to every user of the machine), no port is chosen or can be
taken, and the socket goes away with the folder. The per-run token in the 0600 state file is a
second lock: a request without it is refused even if the folder's permissions were loosened.

It stops after ``idle`` seconds without a question, on a ``stop`` request or SIGTERM, and when
it cannot serve any more: its store folder removed or replaced. Started detached, it runs as
``python -m rag.warm.server`` with its settings read from stdin (secrets never on a command line).
"""

from __future__ import annotations

import contextlib
import hmac
import json
import logging
import os
import secrets
import signal
import socketserver
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any, Protocol

from filelock import Timeout

from rag.desk import StreamEvent
from rag.errors import ConfigError, NewsdeskError
from rag.settings import Settings
from rag.warm.place import Place, resolved
from rag.warm.state import State, clear, life_lock, write_private
from rag.warm.wire import error_message, event_message, receive, send

log = logging.getLogger("rag.warm")
ALREADY_RUNNING = 3  # the child's exit code when another server of its identity holds the life lock


class WarmDesk(Protocol):
    """What the server needs of a desk (``rag.api.Newsdesk``; tests pass a fake)."""

    def warm_up(self) -> None: ...

    def ask_stream(
        self,
        question: str,
        *,
        history: Sequence[tuple[str, str]] = (),
        k: int | None = None,
        filters: Any = None,
        choices: Sequence[str] = (),
    ) -> Iterator[StreamEvent]: ...

    def close(self) -> None: ...


DeskFactory = Callable[[Settings], WarmDesk]


class AlreadyRunning(NewsdeskError):
    """Another server of the same identity is running (or starting)."""


class _Handler(socketserver.StreamRequestHandler):
    server: WarmServer

    def handle(self) -> None:
        try:
            request = receive(self.rfile)
        except NewsdeskError:
            return
        if request is None:
            return
        self.server.handle(request, self.wfile)


class WarmServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    """Answers one identity's questions with one desk; counts them and watches for reasons to stop."""

    daemon_threads = True

    def __init__(self, settings: Settings, place: Place, desk: WarmDesk, *, idle: float) -> None:
        self.settings, self.place, self.desk, self.idle = settings, place, desk, idle
        self.token = secrets.token_hex(16)
        self.answered = 0
        self.busy = 0
        self.last = time.monotonic()
        self.stopped: str | None = None
        self._mutex = threading.Lock()
        self._store_inode = self._store_id()
        with contextlib.suppress(FileNotFoundError):
            place.socket.unlink()  # left by a dead server: its life lock is ours now
        old = os.umask(0o177)  # the socket is created 0600
        try:
            super().__init__(str(place.socket), _Handler)
        finally:
            os.umask(old)
        self.state = State(
            pid=os.getpid(),
            socket=str(place.socket),
            token=self.token,
            identity=place.identity,
            started=time.time(),
            idle=idle,
            model=settings.model if settings.is_local_llm else str(settings.llm_model),
            store=settings.chroma_url or str(settings.store),
        )

    # -- requests -----------------------------------------------------------------------
    def handle(self, request: dict[str, Any], out: Any) -> None:
        if not hmac.compare_digest(str(request.get("token", "")), self.token):
            log.warning("refused a request without this server's token")
            send(
                out, {"type": "error", "kind": "ConfigError", "message": "the warm server refused: bad token"}
            )
            return
        if request.get("identity") != self.place.identity:
            send(out, {"type": "other"})  # asked for other settings or code: the caller starts its own
            return
        op = request.get("op")
        if op == "status":
            send(out, {"type": "status", "data": self.status()})
        elif op == "stop":
            send(out, {"type": "stopping", "data": self.status()})
            self.stop("asked to stop")
        elif op == "ask":
            self._ask(request, out)
        else:
            send(out, {"type": "error", "kind": "NewsdeskError", "message": f"unknown request {op!r}"})

    def _ask(self, request: dict[str, Any], out: Any) -> None:
        problem = self.store_problem()
        if problem:
            send(out, {"type": "retired", "reason": problem})
            self.stop(problem)
            return
        with self._mutex:
            self.busy += 1
            self.last = time.monotonic()
        try:
            events = self.desk.ask_stream(
                str(request.get("question", "")),
                history=[tuple(pair) for pair in request.get("history") or ()],
                k=request.get("k"),
                filters=request.get("filters"),
                choices=tuple(request.get("choices") or ()),
            )
            for event in events:
                send(out, event_message(event))
        except (BrokenPipeError, ConnectionResetError):
            log.info("the caller left before the answer ended")
        except NewsdeskError as exc:
            send(out, error_message(exc))
        except Exception as exc:  # a bug must reach the caller as one line, and stay in the log
            log.exception("answering failed")
            send(out, error_message(exc))
        finally:
            with self._mutex:
                self.busy -= 1
                self.answered += 1
                self.last = time.monotonic()

    def status(self) -> dict[str, Any]:
        with self._mutex:
            quiet = time.monotonic() - self.last
            return {
                **self.state.public(),
                "answered": self.answered,
                "busy": self.busy,
                "idle_for": round(quiet, 1),
                "stops_in": round(max(self.idle - quiet, 0.0), 1) if self.idle > 0 else None,
            }

    # -- stopping -----------------------------------------------------------------------
    def _store_id(self) -> int | None:
        if self.settings.chroma_url:
            return None
        try:
            return (Path(self.settings.store) / "chroma.sqlite3").stat().st_ino
        except OSError:
            return None

    def store_problem(self) -> str | None:
        """Why this server cannot serve its store any more, if it cannot: the folder went away.

        A database file with another inode is a new store (best effort: a file system may give a
        deleted file's inode to the next one); new articles in the same store are not a reason,
        the store's reader reopens on them (``vectorstore.embedded``).
        """
        if self.settings.chroma_url or self._store_inode is None:
            return None
        if not (Path(self.settings.store) / "chroma.sqlite3").exists():
            return f"its store {self.settings.store} was removed"
        if self._store_id() != self._store_inode:
            return f"its store {self.settings.store} was replaced"
        return None

    def stop(self, reason: str) -> None:
        """Stops serving (from any thread but the serving one's own request loop)."""
        with self._mutex:
            if self.stopped is not None:
                return
            self.stopped = reason
        log.info("warm server %s stopping: %s", os.getpid(), reason)
        threading.Thread(target=self.shutdown, daemon=True).start()

    def watch(self, tick: float = 1.0) -> None:
        """Stops after ``idle`` quiet seconds or when the store goes away; runs in its own thread."""
        while self.stopped is None:
            time.sleep(tick)
            problem = self.store_problem()
            with self._mutex:
                quiet = self.busy == 0 and self.idle > 0 and time.monotonic() - self.last >= self.idle
            if problem:
                self.stop(problem)
            elif quiet:
                self.stop(f"idle for {self.idle:g} s")


def run(
    settings: Settings,
    factory: DeskFactory,
    *,
    idle: float,
    ready: Callable[[State], None] | None = None,
) -> str:
    """Serves ``settings`` until stopped; returns why it stopped.

    Holds the identity's life lock throughout (``AlreadyRunning`` if another server does), loads
    and warms the desk, then writes the state file: its existence means ready.
    """
    settings = resolved(settings)
    place = Place.of(settings)
    lock = life_lock(place)
    try:
        lock.acquire(timeout=1.0)  # a caller's "is one alive?" probe holds it for an instant
    except Timeout:
        raise AlreadyRunning("a warm server for these settings is already running") from None
    server: WarmServer | None = None
    desk: WarmDesk | None = None
    try:
        place.failure.unlink(missing_ok=True)
        desk = factory(settings)
        desk.warm_up()
        server = WarmServer(settings, place, desk, idle=idle)
        write_private(place.state, asdict(server.state))
        if ready is not None:
            ready(server.state)
        threading.Thread(
            target=server.watch, args=(min(1.0, idle / 4) if idle > 0 else 1.0,), daemon=True
        ).start()
        server.serve_forever(poll_interval=0.2)
        return server.stopped or "stopped"
    finally:
        clear(place)
        if server is not None:
            server.server_close()
        if desk is not None:
            desk.close()
        lock.release()


def _terminated(_signum: int, _frame: Any) -> None:
    raise KeyboardInterrupt  # unwinds serve_forever, so the state file and socket are removed


def _main() -> int:
    """The detached child: settings on stdin, typed start-up errors to the failure file."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    request = json.loads(sys.stdin.read())
    settings = Settings(**request["settings"])
    place = Place.of(settings)
    signal.signal(signal.SIGTERM, _terminated)
    from rag.api import Newsdesk

    try:
        why = run(settings, Newsdesk, idle=float(request["idle"]))
    except AlreadyRunning:
        return ALREADY_RUNNING
    except NewsdeskError as exc:
        write_private(place.failure, error_message(exc))
        log.error("could not serve: %s", exc)
        return 1
    except KeyboardInterrupt:
        why = "terminated"
    except Exception as exc:
        write_private(place.failure, error_message(exc))
        log.exception("could not serve")
        return 1
    log.info("stopped: %s", why)
    return 0


if __name__ == "__main__":
    if not hasattr(socketserver, "UnixStreamServer"):
        raise SystemExit(str(ConfigError("the warm server needs Unix sockets")))
    sys.exit(_main())
