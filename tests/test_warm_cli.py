"""``newsdesk ask`` through the warm server and ``newsdesk serve``, with a fake desk in a thread."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner
from warm_fakes import FakeDesk, ThreadServer

import rag.cli
from rag.errors import EmptyStoreError
from rag.settings import Settings, load_settings
from rag.warm import client
from rag.warm.cli import uses_warm
from rag.warm.place import Place


@pytest.fixture
def warm_env(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="nw", dir="/tmp") as folder:
        monkeypatch.setenv("NEWSDESK_WARM", "true")
        monkeypatch.setenv("NEWSDESK_WARM_DIR", folder)
        monkeypatch.setenv("NEWSDESK_STORE", str(clean_env / "store"))
        yield Path(folder)


@pytest.fixture
def servers(warm_env: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[ThreadServer]]:
    started: list[ThreadServer] = []
    in_process: list[FakeDesk] = []

    def spawn(settings: Settings, _place: Place, idle: float) -> ThreadServer:
        started.append(ThreadServer(settings, FakeDesk(settings), idle=idle))
        return started[-1]

    def desk(settings: Settings) -> FakeDesk:
        in_process.append(FakeDesk(settings))
        return in_process[-1]

    monkeypatch.setattr(client, "spawn", spawn)
    monkeypatch.setattr(rag.cli, "_desk", desk)
    yield started
    client.stop(load_settings(), every=True)


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(rag.cli.app, list(args))
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.stdout, result.stderr


def without_timings(text: str) -> dict[str, object]:
    data = json.loads(text)
    data.pop("timings")
    return data


def test_ask_prints_the_same_through_the_server_as_in_process(servers: list[ThreadServer]) -> None:
    code, warm_json, _ = invoke("ask", "How many launchers?", "--json")
    assert code == 0 and len(servers) == 1 and servers[0].desk.questions == ["How many launchers?"]
    code, local_json, _ = invoke("ask", "How many launchers?", "--json", "--no-warm")
    assert code == 0 and len(servers[0].desk.questions) == 1  # --no-warm did not ask the server
    assert without_timings(warm_json) == without_timings(local_json)
    assert invoke("ask", "How many launchers?") == invoke("ask", "How many launchers?", "--no-warm")
    assert len(servers) == 1 and len(servers[0].desk.questions) == 2


def test_an_error_in_the_server_is_the_same_one_line(servers: list[ThreadServer]) -> None:
    invoke("serve", "--detach")
    servers[0].desk.fail = EmptyStoreError("the store has no articles yet: run `newsdesk ingest PATH` first")
    code, out, err = invoke("ask", "Anything?")
    assert code == 1 and out == ""
    assert err.strip().splitlines() == [
        "error: the store has no articles yet: run `newsdesk ingest PATH` first"
    ]


def test_serve_detach_status_and_stop(servers: list[ThreadServer]) -> None:
    code, out, _ = invoke("serve", "--status")
    assert code == 1 and "no warm server" in out
    code, out, _ = invoke("serve", "--detach", "--idle", "120", "--json")
    ready = json.loads(out)
    assert code == 0 and ready["launched"] and ready["idle"] == 120 and "token" not in ready
    code, out, _ = invoke("serve", "--detach", "--json")
    assert code == 0 and not json.loads(out)["launched"] and len(servers) == 1
    code, out, _ = invoke("serve", "--status", "--json")
    [info] = json.loads(out)["servers"]
    assert code == 0 and info["current"] and info["pid"] == ready["pid"] and info["answered"] == 0
    # Another model's settings: not the running server's, so --status says none serves them.
    code, out, _ = invoke("serve", "--status", "--model", "small")
    assert code == 1 and out.startswith("  pid")
    code, out, _ = invoke("serve", "--stop")
    assert code == 0 and out.strip() == f"stopped pid {ready['pid']}"
    assert servers[0].ended()
    assert invoke("serve", "--stop")[1].strip() == "no warm server to stop"


def test_the_server_is_for_the_local_model_only(clean_env: Path) -> None:
    local = Settings(store=clean_env / "s", warm=True)
    remote = local.model_copy(update={"llm_base_url": "http://127.0.0.1:9/v1", "llm_model": "m"})
    assert uses_warm(local, None) and not uses_warm(local, False)
    assert not uses_warm(local.model_copy(update={"warm": False}), None) and uses_warm(local, True)
    assert not uses_warm(remote, None) and not uses_warm(remote, True)
