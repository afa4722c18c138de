"""Who may use the chat and what it tells them: login throttling, host refusal, no store path, busy store."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import gradio as gr
import httpx
import pytest
import typer
from test_ui_fakes import FakeDesk, free_port
from typer.testing import CliRunner

from rag.errors import ConfigError, StoreError
from rag.settings import Settings, load_settings
from rag.storage import store_error
from ui import cli as ui_cli
from ui.app import launch
from ui.handlers import Handlers
from ui.public import Publicity, store_label
from ui.throttle import LoginThrottle
from vectorstore import StoreBusy
from vectorstore.writelock import WriteLock

# Login throttling ----------------------------------------------------------------------------------


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_throttle_delay_doubles_after_free_failures_up_to_the_cap_and_resets() -> None:
    clock = Clock()
    t = LoginThrottle(free=3, delay=1.0, cap=30.0, clock=clock)
    waits = [t.failed("a") for _ in range(10)]
    assert waits == [0, 0, 0, 1, 2, 4, 8, 16, 30, 30]
    assert t.wait("a") == 30 and t.wait("b") == 0
    clock.now += 12
    assert t.wait("a") == 18
    t.succeeded("a")
    assert t.wait("a") == 0 and t.failed("a") == 0  # a success forgives the failures


def test_throttle_forgets_quiet_clients_and_stays_bounded() -> None:
    clock = Clock()
    t = LoginThrottle(free=0, delay=1.0, cap=4.0, forget_after=60, max_clients=5, clock=clock)
    assert [t.failed("a") for _ in range(3)] == [1, 2, 4]
    clock.now += 61 + 4
    assert t.wait("a") == 0 and t.failed("a") == 1  # starts afresh
    for i in range(20):
        t.failed(f"c{i}")
    assert len(t._clients) <= 5


def start(desk: Any, settings: Settings, **kw: Any) -> tuple[gr.Blocks, str]:
    port = free_port()
    demo = launch(desk, settings, host="127.0.0.1", port=port, block=False, **kw)
    return demo, f"http://127.0.0.1:{port}"


@pytest.fixture
def guarded_app() -> Iterator[str]:
    settings = load_settings(login_free_failures=3, login_delay=0.6, login_delay_cap=5)
    demo, url = start(FakeDesk(delay=0), settings, auth="editor:s3cret")
    yield url
    demo.close()


def login(url: str, password: str, source: str = "127.0.0.1") -> httpx.Response:
    """POSTs Gradio's login form from the loopback address ``source`` (127.0.0.0/8 is all loopback)."""
    transport = httpx.HTTPTransport(local_address=source)
    with httpx.Client(transport=transport, timeout=10) as c:
        return c.post(f"{url}/login", data={"username": "editor", "password": password})


def test_login_is_throttled_per_client_through_the_http_route(guarded_app: str) -> None:
    url = guarded_app
    assert [login(url, "wrong").status_code for _ in range(4)] == [400] * 4  # 3 free, the 4th costs 0.6 s
    refused = login(url, "wrong")
    assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"
    assert "try again in 1 s" in refused.json()["detail"]
    assert login(url, "s3cret").status_code == 429  # not even checked while the client must wait
    # Another client is not held up by the first one's failures.
    assert login(url, "wrong", source="127.0.0.2").status_code == 400
    assert login(url, "s3cret", source="127.0.0.2").status_code == 200
    time.sleep(0.7)
    ok = login(url, "s3cret")
    assert ok.status_code == 200 and ok.json() == {"success": True}
    assert login(url, "wrong").status_code == 400  # the success reset the count


def test_a_waiting_client_does_not_slow_the_server(guarded_app: str) -> None:
    url = guarded_app
    for _ in range(6):
        login(url, "wrong")
    began = time.monotonic()
    assert login(url, "wrong").status_code == 429
    assert login(url, "s3cret", source="127.0.0.3").status_code == 200
    assert time.monotonic() - began < 2  # refusals are immediate; nobody sleeps on the server


# Serving beyond loopback ---------------------------------------------------------------------------


class Recorder:
    """Stands in for Newsdesk and launch in the CLI tests: records, loads nothing, serves nothing."""

    def __init__(self) -> None:
        self.desks: list[Settings] = []
        self.launches: list[dict[str, Any]] = []

    def desk(self, settings: Settings) -> FakeDesk:
        self.desks.append(settings)
        desk = FakeDesk(delay=0)
        desk.warm_up = lambda: None  # type: ignore[attr-defined]
        return desk

    def launch(self, desk: Any, settings: Settings, **kw: Any) -> None:
        self.launches.append({"settings": settings, **kw})


@pytest.fixture
def cli(clean_env: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[typer.Typer, Recorder]:
    rec = Recorder()
    monkeypatch.setattr("rag.api.Newsdesk", rec.desk)
    monkeypatch.setattr("ui.app.launch", rec.launch)
    app = typer.Typer()
    ui_cli.register(app)
    app.command("noop")(lambda: None)  # a second command keeps `ui` a subcommand
    return app, rec


def test_public_host_without_login_is_refused_in_one_line(cli: tuple[typer.Typer, Recorder]) -> None:
    app, rec = cli
    result = CliRunner().invoke(app, ["ui", "--host", "0.0.0.0"])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert lines == [
        "error: refusing to serve on 0.0.0.0 without a login: give --auth user:password, "
        "or --insecure to allow it"
    ]
    assert rec.desks == [] and rec.launches == []  # refused before loading any model


@pytest.mark.parametrize("extra", [["--insecure"], ["--auth", "editor:s3cret"]])
def test_public_host_with_login_or_insecure_starts(
    cli: tuple[typer.Typer, Recorder], extra: list[str]
) -> None:
    app, rec = cli
    result = CliRunner().invoke(app, ["ui", "--host", "0.0.0.0", *extra])
    assert result.exit_code == 0, result.output
    assert len(rec.launches) == 1 and rec.launches[0]["host"] == "0.0.0.0"
    assert rec.launches[0]["settings"].insecure is ("--insecure" in extra)


def test_launch_itself_refuses_a_public_host_without_login() -> None:
    with pytest.raises(ConfigError, match="refusing to serve on 10.1.2.3"):
        launch(FakeDesk(delay=0), load_settings(), host="10.1.2.3", port=free_port(), block=False)


# The store's path stays on the server -----------------------------------------------------------------


class PathDesk(FakeDesk):
    """Describes its store the way rag.api.Newsdesk does: by its resolved folder."""

    def __init__(self, folder: Path) -> None:
        super().__init__(delay=0)
        self.folder = folder

    def describe(self) -> dict[str, str]:
        return {**super().describe(), "store": str(self.folder.resolve())}


def test_page_never_shows_the_store_path(tmp_path: Path) -> None:
    folder = tmp_path / "secret-server-layout" / "store"
    settings = load_settings(store=folder)
    desk = PathDesk(folder)
    _, _, status, table = Handlers(desk, 4, Publicity(settings)).refresh("", [])  # what the page loads
    for html in (status, table):
        assert "secret-server-layout" not in html
    assert "embedded store &#x27;store&#x27;" in table  # the header says only articles and model
    demo, url = start(desk, settings)
    try:
        for route in ("/config", "/"):
            body = httpx.get(url + route, timeout=10).text
            assert "secret-server-layout" not in body and str(tmp_path) not in body
    finally:
        demo.close()


def test_store_label_names_a_server_by_host_only() -> None:
    s = load_settings(chroma_url="http://admin:pw@chroma.internal:8000/some/path")
    assert store_label(s) == "Chroma server chroma.internal:8000"
    assert "admin" not in Publicity(s).text("cannot reach http://admin:pw@chroma.internal:8000/some/path")


# A second writer -----------------------------------------------------------------------------------


class LockedDesk(FakeDesk):
    """Ingests under the store's real write lock, as the embedded store does, and maps a busy store as
    ``Newsdesk`` does: ``typed``, to rag's ``StoreBusyError``; else to a plain ``StoreError``."""

    def __init__(self, folder: Path, typed: bool) -> None:
        super().__init__(delay=0)
        self.lock, self.typed = WriteLock(folder), typed

    def ingest(self, paths: Any, *, progress: Any = None) -> Any:
        try:
            with self.lock.hold():
                return super().ingest(paths, progress=progress)
        except StoreBusy as busy:
            if self.typed:
                raise store_error(busy) from busy
            raise StoreError(str(busy)) from busy


@pytest.mark.parametrize("typed", [True, False], ids=["StoreBusyError", "StoreError"])
def test_upload_while_another_writer_holds_the_store_warns(tmp_path: Path, typed: bool) -> None:
    folder = tmp_path / "private" / "store"
    folder.mkdir(parents=True)
    files = []
    for name in ("one.txt", "two.txt"):
        files.append(tmp_path / name)
        files[-1].write_text(f"{name} title\n20220128\nhttps://example.com/{name}\nA body sentence.\n")
    desk = LockedDesk(folder, typed)
    holding, release = threading.Event(), threading.Event()

    def other_writer() -> None:  # another thread stands in for another process: the lock is exclusive
        with WriteLock(folder).hold():
            holding.set()
            release.wait(10)

    writer = threading.Thread(target=other_writer)
    writer.start()
    try:
        assert holding.wait(10)
        h = Handlers(desk, 4, Publicity(load_settings(store=folder)))
        with pytest.warns(UserWarning, match="is busy: being written by PID") as warned:
            summary, table, upload = h.ingest_files([str(f) for f in files], lambda *a, **kw: None)
    finally:
        release.set()
        writer.join(10)
    message = str(warned[0].message)
    assert str(tmp_path) not in message and "embedded store" in message
    assert summary.startswith("0 of 2 file(s) ingested: ") and "busy" in summary
    assert table["Result"].tolist() == ["not ingested", "not ingested"] and upload == gr.skip()
    assert not {"one", "two"} & set(desk.articles)
    # Once the other writer is done, the same upload goes through.
    summary, table, upload = h.ingest_files([str(f) for f in files], lambda *a, **kw: None)
    assert summary == "2 of 2 file(s) ingested." and upload is None
