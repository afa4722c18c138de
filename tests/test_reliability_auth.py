"""With ``--auth``, no route of the chat's server gives an anonymous caller anything.

The routes are enumerated from the app's own FastAPI router (Gradio adds routes between
versions; a hand list would miss them). Each is called with every method it takes, path
parameters filled in, and a plausible body. Routes must refuse (401/403, or a redirect to the
login page); the few Gradio serves to everyone so that the login page can load (static files,
the login form, ids) may answer, and no response may carry the articles, answers or store path.
The ``/ask`` API is also called through ``gradio_client``, which must fail.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from test_ui_fakes import FakeDesk, free_port

from rag.settings import load_settings
from ui.app import launch

# Served to anyone by Gradio so that the login page itself works; they must still hold no data.
PUBLIC = {
    "/",
    "/login",
    "/login/",
    "/logout",
    "/favicon.ico",
    "/theme.css",
    "/robots.txt",
    "/manifest.json",
    "/openapi.json",
    "/gradio_api/app_id",
    "/gradio_api/app_id/",
    "/gradio_api/token",
    "/gradio_api/token/",
    "/gradio_api/user",
    "/gradio_api/user/",
    "/gradio_api/runs",
    "/gradio_api/runs/",
    "/gradio_api/theme.css",
    "/gradio_api/startup-events",
    "/static/{path:path}",
    "/assets/{path:path}",
    "/svelte/{path:path}",
    "/pwa_icon",
    "/pwa_icon/{size}",
}
# Gradio answers these without checking the login (found by this test; ui/ should refuse them):
# they act on a session or event id the caller must already know, and return no data.
UNGUARDED = {
    "/gradio_api/cancel",
    "/gradio_api/reset",
    "/gradio_api/reset/",
    "/gradio_api/heartbeat/{session_hash}",
}
SAMPLE = {
    "api_name": "ask",
    "path": "../../etc/hostname",
    "path_or_url": "/etc/hostname",
    "url_path": "http://127.0.0.1:9/x",
    "size": "192",
    "component_id": "1",
    "segment_id": "1",
    "run": "1",
    "ext": "ts",
    "environment": "client",
}
QUESTION = "How many anti-tank missile launchers did the UK send to Ukraine?"
BODY = {
    "data": [QUESTION, [], 5, None, None, []],
    "fn_index": 0,
    "session_hash": "anon1234",
    "event_id": "x",
    "trigger_id": 0,
}


def walk(routes: list[Any]) -> Iterator[tuple[str, str]]:
    for route in routes:
        inner = getattr(route, "original_router", None) or getattr(route, "app", None)
        if inner is not None and hasattr(inner, "routes") and not getattr(route, "methods", None):
            yield from walk(list(inner.routes))
        elif getattr(route, "path", None):
            for method in sorted(getattr(route, "methods", None) or {"GET"}):
                yield route.path, method


def concrete(path: str) -> str:
    return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: SAMPLE.get(m.group(1), "x"), path)


@pytest.fixture
def server() -> Iterator[tuple[Any, str, FakeDesk]]:
    desk = FakeDesk(delay=0)
    port = free_port()
    demo = launch(desk, load_settings(), host="127.0.0.1", port=port, block=False, auth="editor:s3cret")
    yield demo, f"http://127.0.0.1:{port}", desk
    demo.close()


def secrets(desk: FakeDesk) -> list[str]:
    """Strings only a logged-in user may see: article titles and texts, the store's path."""
    found = [str(a.get("title", ""))[:30] for a in desk.list_articles()]
    found += ["2,000", str(load_settings().store)]  # not the question: a 422 echoes the request body
    return [s for s in found if len(s) >= 5]


def call(client: httpx.Client, method: str, url: str) -> tuple[int, str, str]:
    """Status, Location and up to 64 KB of the body; streams (SSE) are cut off, not waited for."""
    body = BODY if method in {"POST", "PUT", "PATCH"} else None
    with client.stream(method, url, json=body) as r:
        chunks = []
        size = 0
        try:
            for chunk in r.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > 65536 or "text/event-stream" in r.headers.get("content-type", ""):
                    break
        except httpx.ReadTimeout:
            pass
        return r.status_code, r.headers.get("location", ""), b"".join(chunks).decode(errors="replace")


def test_every_route_refuses_an_anonymous_caller(server: tuple[Any, str, FakeDesk]) -> None:
    demo, base, desk = server
    routes = sorted(set(walk(list(demo.app.routes))))
    assert len(routes) > 30, routes  # Gradio's API routes were found, not only the top-level ones
    hidden = secrets(desk)
    refused: list[str] = []
    public: list[str] = []
    problems: list[str] = []
    with httpx.Client(timeout=httpx.Timeout(5.0, read=3.0), follow_redirects=False) as client:
        for path, method in routes:
            status, location, text = call(client, method, base + concrete(path))
            leaked = [s for s in hidden if s in text]
            if leaked:
                problems.append(f"{method} {path}: {status} shows {leaked}")
            elif status in (401, 403) or (
                300 <= status < 400 and location.rstrip("/") in ("", base, "/login")
            ):
                refused.append(f"{method} {path}")
            elif path in PUBLIC or path in UNGUARDED:
                public.append(f"{method} {path} {status}")
            elif status >= 400 and status != 500:
                # Not served at all (a malformed call, a feature that is off): no data either way.
                public.append(f"{method} {path} {status}")
            else:
                problems.append(f"{method} {path}: {status} {text[:120]!r}")
    print(
        f"\nauth: {len(routes)} route/method pairs; {len(refused)} refused, {len(public)} public or not served"
    )
    assert not problems, "\n".join(problems)
    assert len(refused) >= 30, refused
    for must in (
        "POST /gradio_api/queue/join",
        "POST /gradio_api/upload",
        "GET /config",
        "POST /gradio_api/api/{api_name}",
    ):
        assert must in refused, (must, refused)
    assert desk.calls_of("ask_stream") == [] and desk.calls_of("ask") == []


def test_the_ask_api_refuses_an_anonymous_client(server: tuple[Any, str, FakeDesk]) -> None:
    gradio_client = pytest.importorskip("gradio_client")
    _, base, desk = server
    with pytest.raises(Exception) as caught:
        client = gradio_client.Client(base + "/", verbose=False)
        client.predict(QUESTION, api_name="/ask")
    assert "2,000" not in str(caught.value)
    assert desk.calls_of("ask_stream") == [] and desk.calls_of("ask") == []


def test_session_routes_refuse_an_anonymous_caller(server: tuple[Any, str, FakeDesk]) -> None:
    _, base, _ = server
    with httpx.Client(timeout=httpx.Timeout(5.0, read=3.0), follow_redirects=False) as client:
        for path in sorted(UNGUARDED):
            method = "GET" if "heartbeat" in path else "POST"
            status, _, _ = call(client, method, base + concrete(path))
            assert status in (401, 403), (method, path, status)


def test_session_routes_still_serve_a_logged_in_caller(server: tuple[Any, str, FakeDesk]) -> None:
    _, base, _ = server
    with httpx.Client(timeout=httpx.Timeout(5.0, read=3.0), follow_redirects=False) as client:
        login = client.post(base + "/login", data={"username": "editor", "password": "s3cret"})
        assert login.status_code == 200, login.text
        status, _, _ = call(client, "POST", base + concrete("/gradio_api/reset"))
        assert status not in (401, 403), status
