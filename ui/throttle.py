"""Login throttling: each client waits longer after every failed login, so guessing passwords is slow.

Pure bookkeeping with an injectable clock (no Gradio, no sleeping): the login
callable asks :meth:`LoginThrottle.wait` before checking a password and refuses
while it is positive, so a throttled client costs the server nothing and other
clients are never held up.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Record:
    failures: int = 0
    locked_until: float = 0.0
    last_seen: float = 0.0


class LoginThrottle:
    """Per-client failure counts and the time before each client may try again.

    ``free`` failures cost nothing; the next waits ``delay`` seconds, and each
    further one doubles the wait up to ``cap``. A success resets the client;
    a client silent for ``forget_after`` seconds starts afresh.
    """

    def __init__(
        self,
        free: int = 3,
        delay: float = 1.0,
        cap: float = 30.0,
        *,
        forget_after: float = 900.0,
        max_clients: int = 10_000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.free, self.delay, self.cap = max(free, 0), max(delay, 0.0), max(cap, 0.0)
        self.forget_after, self.max_clients, self.clock = forget_after, max_clients, clock
        self._clients: dict[str, _Record] = {}
        self._lock = threading.Lock()

    def delay_after(self, failures: int) -> float:
        """Seconds a client must wait after its ``failures``-th consecutive failure."""
        if failures <= self.free:
            return 0.0
        return min(self.cap, self.delay * 2.0 ** (failures - self.free - 1))

    def wait(self, client: str) -> float:
        """Seconds before ``client`` may try again; 0 when it may try now."""
        with self._lock:
            record = self._current(client)
            return max(0.0, record.locked_until - self.clock()) if record else 0.0

    def failed(self, client: str) -> float:
        """Records a failure; returns the wait it now imposes on ``client``."""
        now = self.clock()
        with self._lock:
            record = self._current(client) or _Record()
            record.failures += 1
            record.last_seen = now
            record.locked_until = now + self.delay_after(record.failures)
            self._clients[client] = record
            self._prune(now)
            return record.locked_until - now

    def succeeded(self, client: str) -> None:
        """A right password forgives the client's earlier failures."""
        with self._lock:
            self._clients.pop(client, None)

    def _current(self, client: str) -> _Record | None:
        record = self._clients.get(client)
        if record and self.clock() - max(record.last_seen, record.locked_until) > self.forget_after:
            del self._clients[client]
            return None
        return record

    def _prune(self, now: float) -> None:
        """Bounds memory under many clients: forget the quiet ones, then the oldest."""
        if len(self._clients) <= self.max_clients:
            return
        stale = [
            c for c, r in self._clients.items() if now - max(r.last_seen, r.locked_until) > self.forget_after
        ]
        for client in stale:
            del self._clients[client]
        while len(self._clients) > self.max_clients:
            oldest = min(self._clients, key=lambda c: self._clients[c].last_seen)
            del self._clients[oldest]
