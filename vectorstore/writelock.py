"""One writer at a time for an embedded store folder, across processes.

Embedded Chroma is not safe with two writing processes: both report success,
then the vector index misses rows or the store hangs on open. So writes to an
embedded folder hold a file lock (``.newsdesk-write.lock`` in the folder), and a
sidecar (``.newsdesk-write.json``) says who holds it since when, plus a
generation number bumped after each write so long-lived readers know to reopen.
A Chroma server orders writes itself and needs none of this.
"""

from __future__ import annotations

import json
import os
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from vectorstore.base import StoreBusy

LOCK_NAME = ".newsdesk-write.lock"
INFO_NAME = ".newsdesk-write.json"
HOLDER_GRACE = 2.0  # seconds to wait for a new holder's name before saying "another process"


class WriteLock:
    """The folder's write lock; reentrant within a thread, exclusive across threads and processes."""

    def __init__(self, folder: Path):
        self.folder = folder
        self._info = folder / INFO_NAME
        self._lock = FileLock(str(folder / LOCK_NAME), thread_local=True)

    @property
    def held(self) -> bool:
        """True when this thread holds the lock."""
        return bool(self._lock.is_locked)

    def generation(self) -> int:
        """How many write sessions have ended on this folder (0 if none was recorded)."""
        return int(self._read_info().get("generation", 0))

    @contextmanager
    def hold(self, wait: float = 0) -> Iterator[None]:
        """Holds the lock, waiting up to ``wait`` seconds for it; ``StoreBusy`` if it stays taken."""
        outermost = not self.held
        started = time.monotonic()
        try:
            self._lock.acquire(timeout=max(wait, 0), blocking=wait > 0)
        except Timeout:
            raise self.busy(time.monotonic() - started) from None
        try:
            if outermost:
                self._write_info(holder=True)
            yield
        finally:
            try:
                if outermost:
                    self._write_info(holder=False)
            finally:
                self._lock.release()

    def bump(self) -> int:
        """Records that a write went through (call with the lock held); returns the new generation."""
        info = self._read_info()
        info["generation"] = int(info.get("generation", 0)) + 1
        self._store_info(info)
        return int(info["generation"])

    def busy(self, waited: float) -> StoreBusy:
        """The ``StoreBusy`` for a wait of ``waited`` seconds, naming the holder the sidecar records."""
        info = self._read_info()
        # The holder records itself just after taking the lock: give it a moment to say who it is.
        deadline = time.monotonic() + HOLDER_GRACE
        while not info.get("pid") and time.monotonic() < deadline:
            time.sleep(0.02)
            info = self._read_info()
        who = f"PID {info['pid']}" if info.get("pid") else "another process"
        if info.get("host") and info.get("host") != socket.gethostname():
            who += f" on {info['host']}"
        since = str(info["since"]) if info.get("since") else None
        message = (
            f"store {self.folder} is busy: being written by {who}{f' since {since}' if since else ''} "
            f"(waited {waited:.0f} s); try again when it finishes, or use a Chroma server for several writers"
        )
        return StoreBusy(message, holder=who if info.get("pid") else None, since=since)

    def _write_info(self, *, holder: bool) -> None:
        info = self._read_info()
        info["generation"] = int(info.get("generation", 0))
        if holder:
            info.update(
                pid=os.getpid(),
                host=socket.gethostname(),
                since=datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S"),
            )
        else:
            info.update(pid=None, host=None, since=None)
        self._store_info(info)

    def _read_info(self) -> dict[str, Any]:
        try:
            data = json.loads(self._info.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def _store_info(self, info: dict[str, Any]) -> None:
        tmp = self._info.with_name(f"{INFO_NAME}.{os.getpid()}.tmp")
        tmp.write_text(json.dumps(info), encoding="utf-8")
        os.replace(tmp, self._info)
