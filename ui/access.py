"""Who may use the chat: the login check, its throttle, and the refusal to serve openly by accident.

Gradio calls ``launch(auth=callable)`` as ``callable(username, password)`` from
its ``/login`` route, without the request. :class:`ClientAddress` (an ASGI
middleware handed to Gradio's FastAPI app) puts the client's address, as
uvicorn reports it, in a context variable the login check reads, so failures
are counted per client. The check never sleeps: a throttled client is refused
at once with HTTP 429 and ``Retry-After``, and nobody else waits.
"""

from __future__ import annotations

import hmac
import ipaddress
import logging
import math
from contextvars import ContextVar
from typing import Any

from fastapi import HTTPException

from rag.errors import ConfigError
from ui.throttle import LoginThrottle

log = logging.getLogger("newsdesk.ui")

# The address of the client whose HTTP request is being handled; None outside a request.
CLIENT: ContextVar[str | None] = ContextVar("newsdesk_client", default=None)
UNKNOWN_CLIENT = "unknown"


class ClientAddress:
    """ASGI middleware: records each HTTP request's client address in :data:`CLIENT`."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        token = CLIENT.set(str(client[0]) if client else None)
        try:
            await self.app(scope, receive, send)
        finally:
            CLIENT.reset(token)


# Gradio answers these without its login check (they need a session or event id and return
# nothing, but an anonymous caller should get nothing at all); the middleware below refuses them.
_SESSION_ROUTES = ("/gradio_api/cancel", "/gradio_api/reset", "/gradio_api/heartbeat/")


class SessionRoutesNeedLogin:
    """ASGI middleware: with a login set, Gradio's session routes answer 401 to a caller without one."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope.get("type") == "http" and str(scope.get("path", "")).startswith(_SESSION_ROUTES):
            gradio_app = scope.get("app")
            if getattr(gradio_app, "auth", None) is not None and not _logged_in(gradio_app, scope):
                await _refuse(send)
                return
        await self.app(scope, receive, send)


def _logged_in(gradio_app: Any, scope: dict[str, Any]) -> bool:
    """The same test as Gradio's own login check: a known access-token cookie."""
    from starlette.requests import Request

    cookies = Request(scope).cookies
    cookie_id = getattr(gradio_app, "cookie_id", "")
    token = cookies.get(f"access-token-{cookie_id}") or cookies.get(f"access-token-unsecure-{cookie_id}")
    return token is not None and token in getattr(gradio_app, "tokens", {})


async def _refuse(send: Any) -> None:
    body = b'{"detail":"Not authenticated"}'
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": 401, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class Login:
    """The ``auth`` callable: one account, compared in constant time, failures throttled per client.

    Deliberately synchronous: Gradio awaits only real coroutine functions, and
    this does no waiting of its own.
    """

    def __init__(self, user: str, password: str, throttle: LoginThrottle) -> None:
        self._user, self._password = user.encode(), password.encode()
        self.throttle = throttle

    def __call__(self, username: str, password: str) -> bool:
        client = CLIENT.get() or UNKNOWN_CLIENT
        wait = self.throttle.wait(client)
        if wait > 0:
            seconds = math.ceil(wait)
            raise HTTPException(
                status_code=429,
                detail=f"Too many failed logins: try again in {seconds} s.",
                headers={"Retry-After": str(seconds)},
            )
        # Both comparisons always run, so the time taken does not tell which one failed.
        user_ok = hmac.compare_digest(username.encode(), self._user)
        password_ok = hmac.compare_digest(password.encode(), self._password)
        if user_ok and password_ok:
            self.throttle.succeeded(client)
            return True
        wait = self.throttle.failed(client)
        log.warning("failed login from %s; its next try is allowed in %.1f s", client, wait)
        return False


def parse_auth(value: str | None) -> tuple[str, str] | None:
    """``user:password`` → (user, password); None when no login is wanted."""
    if not value:
        return None
    user, sep, password = value.partition(":")
    if not sep or not user or not password:
        raise ConfigError("auth must be given as user:password")
    return user, password


def is_loopback(host: str) -> bool:
    """True for addresses only this machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_exposure(host: str, has_login: bool, insecure: bool) -> None:
    """Refuses to serve beyond this machine without a login, unless told to with ``insecure``."""
    if is_loopback(host) or has_login:
        return
    if not insecure:
        raise ConfigError(
            f"refusing to serve on {host} without a login: give --auth user:password, or --insecure to allow it"
        )
    log.warning("serving on %s without a login (--insecure): anyone who can reach it can use it", host)
