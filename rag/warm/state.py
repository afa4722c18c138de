"""The state file of a ready server, written 0600 in the user's folder, and who is alive.

A server holds its life lock (``Place.life_lock``) from start to exit; the kernel frees it when
the process dies, however it dies. So a state file whose life lock is free is stale (a crash, a
``kill -9``) and is removed, and a reused pid cannot pass for a server.
"""

from __future__ import annotations

import contextlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

from rag.warm.place import Place


@dataclass(frozen=True)
class State:
    """What a caller needs to reach a server and to trust it is the right one."""

    pid: int
    socket: str
    token: str
    identity: str
    started: float  # time.time() when it became ready
    idle: float  # seconds without a question before it stops (0: never)
    model: str
    store: str

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> State:
        return cls(**{name: data[name] for name in cls.__dataclass_fields__})

    def public(self) -> dict[str, Any]:
        """The state without its token, for ``serve --status``."""
        data = asdict(self)
        data.pop("token")
        return data


def write_private(path: Path, data: dict[str, Any]) -> None:
    """``data`` as JSON in ``path``, readable by this user only, replaced in one step."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    os.replace(tmp, path)


def read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def life_lock(place: Place) -> FileLock:
    return FileLock(str(place.life_lock), mode=0o600, thread_local=False)


def alive(place: Place) -> bool:
    """Whether a process holds this identity's life lock (a server starting or running)."""
    lock = life_lock(place)
    try:
        lock.acquire(timeout=0)
    except Timeout:
        return True
    lock.release()
    return False


def read_state(place: Place) -> State | None:
    """The ready server of ``place``, or None; a stale state file (no live server) is removed."""
    data = read_json(place.state)
    if data is None:
        return None
    try:
        state = State.from_dict(data)
    except (KeyError, TypeError):
        state = None
    if state is None or state.identity != place.identity or not alive(place):
        clear(place)
        return None
    return state


def clear(place: Place) -> None:
    """Removes a dead server's files (never its life lock, which a new server may hold)."""
    for path in (place.state, place.folder / f"{place.identity[:16]}.sock"):
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def all_states(folder: Path) -> list[State]:
    """Every live server in the user's folder (stale files removed on the way)."""
    found = []
    for path in sorted(folder.glob("*.json")):
        data = read_json(path)
        if data is None or "identity" not in data:
            continue
        state = read_state(Place(folder, str(data["identity"])))
        if state is not None:
            found.append(state)
    return found
