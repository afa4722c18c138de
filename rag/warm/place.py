"""Where a user's warm servers live and what tells one configuration from another.

The folder is per user and 0700 (``$XDG_RUNTIME_DIR/newsdesk``, else ``~/.cache/newsdesk/warm``):
another local user can neither read a server's token nor reach its socket. A server's
**identity** hashes every setting that can change an answer plus the code itself, so a server
started with other settings, or by older code, is never asked.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rag.errors import ConfigError
from rag.settings import Settings

# Settings that change where or how long the servers run, not what they answer.
NOT_IDENTITY = frozenset(
    {
        "warm",
        "warm_idle",
        "warm_dir",
        "warm_start_timeout",
        "host",
        "port",
        "auth",
        "concurrency",
        "insecure",
        "login_free_failures",
        "login_delay",
        "login_delay_cap",
    }
)
# Unix sockets' paths are short (108 bytes on Linux, 104 on macOS).
MAX_SOCKET_PATH = 100
_CODE_ROOTS = ("rag", "vectorstore", "prompts")


def default_dir() -> Path:
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    if runtime and Path(runtime).is_dir():
        return Path(runtime) / "newsdesk"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsdesk" / "warm"


def private_dir(path: Path) -> Path:
    """``path``, created 0700 if missing; refused when another user owns it or others may enter it."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.stat()
        if info.st_uid != os.getuid():
            raise ConfigError(f"the warm server folder {path} belongs to another user: set warm_dir")
        if stat.S_IMODE(info.st_mode) & 0o077:
            path.chmod(0o700)
    except OSError as exc:
        raise ConfigError(f"cannot use the warm server folder {path}: {exc}") from exc
    return path


def resolved(settings: Settings) -> Settings:
    """The settings with their folders made absolute: a server runs elsewhere than its caller."""
    update: dict[str, Any] = {
        "store": Path(settings.store).expanduser().resolve(),
        "model_cache": Path(settings.model_cache).expanduser().resolve(),
        "warm_dir": Path(settings.warm_dir or default_dir()).expanduser().absolute(),
    }
    return settings.model_copy(update=update)


def revealed(settings: Settings) -> dict[str, Any]:
    """Every setting as JSON, secrets included (sent only over a pipe to the server it starts)."""
    data = settings.model_dump(mode="json")
    for name in ("llm_api_key", "openai_api_key", "auth"):
        value = getattr(settings, name)
        data[name] = value.get_secret_value() if value is not None else None
    return data


@functools.cache
def code_version() -> str:
    """A hash of the code and prompts that answer (not their dates: a checkout touches every file)."""
    root = Path(__file__).resolve().parents[2]
    digest = hashlib.sha256()
    for top in _CODE_ROOTS:
        for path in sorted((root / top).rglob("*")):
            if path.suffix in (".py", ".txt") and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def identity(settings: Settings) -> str:
    """What a server must match to answer for ``settings``: its answering settings and the code."""
    data = {k: v for k, v in revealed(resolved(settings)).items() if k not in NOT_IDENTITY}
    text = json.dumps({"settings": data, "code": code_version()}, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class Place:
    """The files of one identity's server in the user's folder."""

    folder: Path
    identity: str

    @classmethod
    def of(cls, settings: Settings) -> Place:
        settings = resolved(settings)
        assert settings.warm_dir is not None
        return cls(private_dir(settings.warm_dir), identity(settings))

    def _file(self, suffix: str) -> Path:
        return self.folder / f"{self.identity[:16]}{suffix}"

    @property
    def state(self) -> Path:
        return self._file(".json")

    @property
    def socket(self) -> Path:
        path = self._file(".sock")
        if len(str(path)) > MAX_SOCKET_PATH:
            raise ConfigError(f"the warm server folder {self.folder} is too deep for a socket: set warm_dir")
        return path

    @property
    def start_lock(self) -> Path:
        """Held by the caller starting a server, so two ``ask`` at once start one."""
        return self._file(".start.lock")

    @property
    def life_lock(self) -> Path:
        """Held by a server for its whole life: free means none is running, whatever the files say."""
        return self._file(".life.lock")

    @property
    def failure(self) -> Path:
        """Why a server could not start (its typed error), for the caller that started it."""
        return self._file(".failed.json")

    @property
    def log(self) -> Path:
        return self._file(".log")
