"""Saved conversations: one small JSON file each, in a folder beside the store.

Writes go to a temporary file in the same folder, are flushed to disk and then
renamed over the old file, so a crash leaves the old version or the new one,
never half of either. A file that cannot be read is reported (``Damaged``) and
left as it is for someone to look at; it never stops the others from loading.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

VERSION = 1
_ID = re.compile(r"^[0-9a-f]{32}$")  # uuid4 hex: also keeps ids from naming paths outside the folder


class Damaged(Exception):
    """A conversation file exists but cannot be read as one."""


@dataclass(frozen=True)
class Summary:
    """One line of the list: id, title, when last saved; ``damaged`` says why it cannot be opened."""

    id: str
    title: str
    updated: str
    damaged: str = ""


def conversations_folder(store: Path | str) -> Path:
    """The folder beside the store: ``<store>/../conversations``."""
    return Path(store).expanduser().absolute().parent / "conversations"


def new_id() -> str:
    return uuid.uuid4().hex


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")


def title_of(question: str, size: int = 60) -> str:
    """A conversation's title: its first question, shortened at a word."""
    q = " ".join(question.split())
    return q if len(q) <= size else q[:size].rsplit(" ", 1)[0] + "…"


class Conversations:
    """The folder of saved conversations."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, conv_id: str) -> Path:
        if not _ID.match(conv_id or ""):
            raise Damaged(f"{conv_id!r} is not a conversation id")
        return self.folder / f"{conv_id}.json"

    def save(self, conv_id: str, title: str, turns: list[dict[str, Any]], owner: str | None = None) -> None:
        """Writes the conversation atomically (temporary file, fsync, rename).

        ``owner`` is the login that asked (``None`` without a login): behind a login each user
        lists and opens only their own conversations.
        """
        target = self.path(conv_id)
        self.folder.mkdir(parents=True, exist_ok=True)
        data = {"version": VERSION, "id": conv_id, "title": title, "updated": now(), "turns": turns}
        if owner:
            data["owner"] = owner
        fd, tmp = tempfile.mkstemp(prefix=f".{conv_id}.", suffix=".tmp", dir=self.folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(data, out, ensure_ascii=False)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def load(self, conv_id: str, owner: str | None = None) -> dict[str, Any]:
        """The saved conversation; ``FileNotFoundError`` when gone (or another login's), ``Damaged``
        when unreadable."""
        path = self.path(conv_id)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            raise Damaged(f"{path.name} cannot be read: {err}") from None
        if not isinstance(data, dict) or not isinstance(data.get("turns"), list):
            raise Damaged(f"{path.name} is not a saved conversation")
        if owner and data.get("owner") != owner:
            raise FileNotFoundError(path.name)  # another login's conversation is not there for this one
        return data

    def delete(self, conv_id: str, owner: str | None = None) -> bool:
        if owner:
            self.load(conv_id, owner)  # refuses another login's conversation
        path = self.path(conv_id)
        existed = path.exists()
        path.unlink(missing_ok=True)
        return existed

    def list(self, owner: str | None = None) -> list[Summary]:
        """The conversations in the folder (``owner``'s only, when given), the latest first;
        damaged ones say so (listed to everyone: nobody can tell whose they were)."""
        found: list[Summary] = []
        for path in self.folder.glob("*.json") if self.folder.is_dir() else []:
            conv_id = path.stem
            if not _ID.match(conv_id):
                continue
            try:
                data = self.load(conv_id)
                if owner and data.get("owner") != owner:
                    continue
                found.append(Summary(conv_id, str(data.get("title") or "Untitled"), str(data.get("updated"))))
            except (Damaged, FileNotFoundError) as err:
                found.append(Summary(conv_id, f"{path.name} (damaged)", "", str(err)))
        return sorted(found, key=lambda s: s.updated, reverse=True)

    def browser_secret(self) -> str:
        """The key the browser's copy of the open conversation's id is sealed with.

        Derived from the folder, so it outlives a restart without a file of its own; it guards
        nothing secret (who may open a conversation is decided by its owner), it only keeps the
        id stable.
        """
        return hashlib.sha256(f"newsdesk:{self.folder}".encode()).hexdigest()[:32]
