"""The warm server with a fake desk: start, find, stop, idle, identity, stale state, race, token."""

from __future__ import annotations

import json
import os
import socket
import stat
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from warm_fakes import FakeDesk, ThreadServer

from rag.errors import (
    ConfigError,
    EmptyStoreError,
    LLMUnavailableError,
    ModelNotFoundError,
    NewsdeskError,
    QuestionError,
)
from rag.settings import Settings
from rag.types import Answer, Retrieval
from rag.warm import client, place
from rag.warm.place import Place
from rag.warm.state import alive, read_state, write_private


@pytest.fixture
def run_dir() -> Iterator[Path]:
    """A short folder: a Unix socket's path must stay under about 100 bytes."""
    with tempfile.TemporaryDirectory(prefix="nw", dir="/tmp") as folder:
        yield Path(folder) / "run"


@pytest.fixture
def settings(clean_env: Path, run_dir: Path) -> Settings:
    return Settings(store=clean_env / "store", model_cache=clean_env / "models", warm_dir=run_dir)


@pytest.fixture
def spawned(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[ThreadServer]]:
    """``client.spawn`` starts a fake-desk server thread instead of a process; each is recorded."""
    servers: list[ThreadServer] = []

    def spawn(settings: Settings, _place: Place, idle: float) -> ThreadServer:
        server = ThreadServer(settings, FakeDesk(settings, warm_seconds=0.3), idle=idle)
        servers.append(server)
        return server

    monkeypatch.setattr(client, "spawn", spawn)
    yield servers
    for server in servers:
        if server.thread.is_alive():
            client.stop(server.desk.settings)


def test_the_first_ask_starts_a_server_and_the_second_is_answered_by_it(
    settings: Settings, spawned: list[ThreadServer]
) -> None:
    waits: list[str] = []
    events = list(client.ask_stream(settings, "How many launchers?", starting=lambda: waits.append("wait")))
    assert [type(e) for e in events] == [Retrieval, str, str, str, Answer]
    assert "".join(e for e in events if isinstance(e, str)) == "2,000 [1]."
    answer = events[-1]
    assert isinstance(answer, Answer) and answer.passages[0].url == "https://example.com/a1"
    list(client.ask_stream(settings, "And the troops?", starting=lambda: waits.append("wait")))
    assert len(spawned) == 1 and waits == ["wait"]
    assert spawned[0].desk.questions == ["How many launchers?", "And the troops?"]
    [info] = client.status(settings)
    assert info["answered"] == 2 and info["current"] and info["pid"] == os.getpid()


def test_stop_ends_the_server_and_removes_its_files(settings: Settings, spawned: list[ThreadServer]) -> None:
    state, launched = client.start(settings)
    assert launched
    where = Place.of(settings)
    assert alive(where) and where.state.exists() and Path(state.socket).exists()
    assert [s.pid for s in client.stop(settings)] == [state.pid]
    assert spawned[0].ended() and spawned[0].why == "asked to stop"
    assert not alive(where) and not where.state.exists() and not Path(state.socket).exists()
    assert spawned[0].desk.closed
    assert client.stop(settings) == []


def test_it_stops_after_the_idle_seconds(settings: Settings) -> None:
    server = ThreadServer(settings, FakeDesk(settings), idle=0.4)
    assert server.ready.wait(5)
    started = time.monotonic()
    assert server.ended(10) and server.why is not None and server.why.startswith("idle")
    assert time.monotonic() - started >= 0.3
    assert read_state(Place.of(settings)) is None


def test_a_question_keeps_it_from_stopping_on_idle(settings: Settings) -> None:
    server = ThreadServer(settings, FakeDesk(settings), idle=1.0)
    assert server.ready.wait(5)
    for _ in range(4):
        time.sleep(0.4)
        list(client.ask_stream(settings, "Still there?"))
    assert server.thread.is_alive()
    assert server.ended(10)


def test_other_settings_or_other_code_start_their_own_server(
    settings: Settings, spawned: list[ThreadServer], monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = client.start(settings)
    other_k, launched = client.start(settings.model_copy(update={"k": 7}))
    assert launched and other_k.identity != first.identity
    # The same settings, but the code changed since the first server started.
    monkeypatch.setattr(place, "code_version", lambda: "newer code")
    newer, launched = client.start(settings)
    assert launched and newer.identity not in {first.identity, other_k.identity}
    assert len(spawned) == 3
    # Settings that do not change answers (where the servers live, how long they idle) keep the identity.
    monkeypatch.undo()
    assert place.identity(settings.model_copy(update={"warm_idle": 5, "port": 9})) == first.identity
    assert place.identity(settings.model_copy(update={"max_tokens": 50})) != first.identity


def test_a_server_asked_with_another_identity_sends_the_caller_elsewhere(
    settings: Settings, spawned: list[ThreadServer]
) -> None:
    state, _ = client.start(settings)
    replies = list(
        client._exchange(state.__class__(**{**state.__dict__, "identity": "x" * 64}), {"op": "status"}, 5)
    )
    assert replies == [{"type": "other"}]


def test_a_stale_state_file_is_removed_and_a_new_server_started(
    settings: Settings, spawned: list[ThreadServer]
) -> None:
    where = Place.of(settings)
    # What a server killed with -9 leaves: its state and socket, but no process holding the life lock.
    write_private(
        where.state,
        {
            "pid": 999999,
            "socket": str(where.socket),
            "token": "t",
            "identity": where.identity,
            "started": 0.0,
            "idle": 600.0,
            "model": "default",
            "store": "x",
        },
    )
    where.socket.touch()
    assert read_state(where) is None
    assert not where.state.exists() and not where.socket.exists()
    where.state.write_text("not json")
    state, launched = client.start(settings)
    assert launched and state.pid == os.getpid() and len(spawned) == 1


def test_two_callers_at_once_start_one_server(settings: Settings, spawned: list[ThreadServer]) -> None:
    results: list[tuple[int, bool]] = []
    barrier = threading.Barrier(4)

    def call() -> None:
        barrier.wait()
        state, launched = client.start(settings)
        results.append((state.pid, launched))

    callers = [threading.Thread(target=call) for _ in range(4)]
    for t in callers:
        t.start()
    for t in callers:
        t.join(20)
    assert len(spawned) == 1
    assert sorted(launched for _, launched in results) == [False, False, False, True]


def test_a_request_without_the_token_is_refused(settings: Settings, spawned: list[ThreadServer]) -> None:
    state, _ = client.start(settings)

    def ask_raw(token: str) -> dict[str, object]:
        with socket.socket(socket.AF_UNIX) as conn:
            conn.connect(state.socket)
            message = {"token": token, "identity": state.identity, "op": "ask", "question": "Leak?"}
            conn.sendall(json.dumps(message).encode() + b"\n")
            return json.loads(conn.makefile("rb").readline())

    refused = ask_raw("0" * 32)
    assert refused["type"] == "error" and "refused" in str(refused["message"])
    assert spawned[0].desk.questions == []
    assert ask_raw(state.token)["type"] == "retrieval"


def test_errors_in_the_server_come_back_as_the_same_typed_errors(
    settings: Settings, spawned: list[ThreadServer]
) -> None:
    client.start(settings)
    desk = spawned[0].desk
    desk.fail = EmptyStoreError("the store has no articles yet: run `newsdesk ingest PATH` first")
    with pytest.raises(EmptyStoreError, match="no articles yet"):
        list(client.ask_stream(settings, "Anything?"))
    desk.fail = ZeroDivisionError("a bug")
    with pytest.raises(NewsdeskError, match="the warm server failed: a bug"):
        list(client.ask_stream(settings, "Anything?"))
    # Checked before any server is asked or started.
    with pytest.raises(QuestionError, match="empty"):
        list(client.ask_stream(settings, "  "))


def test_a_server_whose_store_was_removed_stops(settings: Settings) -> None:
    store = Path(settings.store)
    store.mkdir(parents=True)
    (store / "chroma.sqlite3").write_bytes(b"")
    server = ThreadServer(settings, FakeDesk(settings))
    assert server.ready.wait(5)
    (store / "chroma.sqlite3").unlink()
    store.rmdir()
    assert server.ended(10) and server.why is not None and "was removed" in server.why


def test_a_server_whose_store_was_replaced_sends_the_question_to_a_new_one(
    settings: Settings, spawned: list[ThreadServer]
) -> None:
    store = Path(settings.store)
    store.mkdir(parents=True)
    (store / "chroma.sqlite3").write_bytes(b"")
    client.start(settings)
    (store / "new.sqlite3").write_bytes(b"new")  # a new store in the same folder: another file
    os.replace(store / "new.sqlite3", store / "chroma.sqlite3")
    events = list(client.ask_stream(settings, "Which store?"))
    assert isinstance(events[-1], Answer)
    assert spawned[0].ended() and "was replaced" in str(spawned[0].why)
    assert len(spawned) == 2 and spawned[1].desk.questions == ["Which store?"]


def test_the_folder_is_private_and_so_are_its_files(settings: Settings, spawned: list[ThreadServer]) -> None:
    assert settings.warm_dir is not None
    settings.warm_dir.mkdir(mode=0o755)
    os.chmod(settings.warm_dir, 0o755)
    state, _ = client.start(settings)
    where = Place.of(settings)
    assert stat.S_IMODE(settings.warm_dir.stat().st_mode) == 0o700
    for path in (where.state, Path(state.socket)):
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path
    assert len(state.token) == 32


def test_a_socket_path_too_long_is_one_clear_error(clean_env: Path) -> None:
    deep = clean_env / ("d" * 120)
    with pytest.raises(NewsdeskError, match="too deep for a socket"):
        _ = Place.of(Settings(store=clean_env / "s", warm_dir=deep)).socket


class _Exited:
    """A spawned server that has already exited with ``returncode``."""

    def __init__(self, returncode: int) -> None:
        self.returncode = returncode

    def poll(self) -> int:
        return self.returncode


def test_a_server_that_cannot_start_reports_its_typed_error_or_its_log(settings: Settings) -> None:
    where = Place.of(settings)
    write_private(where.failure, {"type": "error", "kind": "ModelNotFoundError", "message": "not installed"})
    with pytest.raises(ModelNotFoundError, match="not installed"):
        client._wait_ready(where, _Exited(1), 5)  # type: ignore[arg-type]
    where.failure.unlink()
    with pytest.raises(LLMUnavailableError, match=r"could not start \(exit 1\); see .*\.log"):
        client._wait_ready(where, _Exited(1), 5)  # type: ignore[arg-type]


def test_the_detached_server_process_sends_back_its_start_up_error(settings: Settings) -> None:
    """The real ``python -m rag.warm.server``: settings through stdin, a typed error back, nothing left."""
    broken = settings.model_copy(update={"llm_base_url": "http://127.0.0.1:9/v1"})
    with pytest.raises(ConfigError, match="NEWSDESK_LLM_MODEL is not"):
        client.start(broken)
    where = Place.of(broken)
    assert not alive(where) and read_state(where) is None
