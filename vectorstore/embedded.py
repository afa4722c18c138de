"""One shared chromadb client per embedded store folder in this process, reopened when another process wrote.

chromadb caches one ``System`` per folder for the whole process and keeps the
vector index in memory, so a reader never sees what another process added: its
queries silently miss rows. Each folder's sidecar generation (see ``writelock``)
tells when that happened; the client is then closed, dropped from chromadb's
cache, and opened again before the next read or write.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from vectorstore.base import StoreUnavailable
from vectorstore.writelock import WriteLock

Opener = Callable[[Path], Any]

_FOLDERS: dict[str, Folder] = {}
_FOLDERS_MUTEX = threading.Lock()


class Folder:
    """The process's client for one store folder, its write lock, and the generation it has seen."""

    def __init__(self, path: Path, opener: Opener, wait: float):
        self.path = path
        self._opener = opener
        try:
            path.mkdir(parents=True, exist_ok=True)
            self.lock = WriteLock(path)
        except OSError as exc:
            raise StoreUnavailable(f"cannot open the Chroma store at {path}: {exc}") from exc
        if (path / "chroma.sqlite3").exists():
            self.client = opener(path)
        else:  # creating the store writes its database: one process at a time
            with self.lock.hold(wait):
                self.client = opener(path)
        self.generation = self.lock.generation()
        self.epoch = 0  # bumped on every reopen, so stores fetch their collection again
        self._mutex = threading.RLock()

    def fresh(self) -> None:
        """Reopens the client if another process wrote since it was opened."""
        if self.lock.generation() != self.generation:
            with self._mutex:
                now = self.lock.generation()
                if now != self.generation:
                    self._reopen()
                    self.generation = now

    @contextmanager
    def writing(self, wait: float) -> Iterator[None]:
        """Holds the folder's lock with an up-to-date client, recording each write session's end."""
        outermost = not self.lock.held
        with self.lock.hold(wait):
            if outermost:
                self.fresh()
            try:
                yield
            finally:
                if outermost:
                    self.generation = self.lock.bump()

    def _reopen(self) -> None:
        from chromadb.api.shared_system_client import SharedSystemClient

        with contextlib.suppress(Exception):  # a client that cannot close is replaced all the same
            self.client.close()
        # Another client on this folder (a tool's own) keeps the cached System alive; forget it so the
        # new client starts from disk. The other client keeps working on its old view.
        ident = str(self.path)
        SharedSystemClient._identifier_to_system.pop(ident, None)
        SharedSystemClient._identifier_to_refcount.pop(ident, None)
        self.client = self._opener(self.path)
        self.epoch += 1


def folder(path: Path, opener: Opener, wait: float) -> Folder:
    """The shared ``Folder`` for ``path`` (as given, which is how chromadb keys its cache too)."""
    key = str(path)
    with _FOLDERS_MUTEX:
        found = _FOLDERS.get(key)
        if found is None:
            found = _FOLDERS[key] = Folder(path, opener, wait)
        return found
