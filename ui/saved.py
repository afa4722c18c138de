"""The handlers of saved conversations: restore on load, save after each answer, open, delete, export.

A mixin of ``ui.handlers.Handlers``. The browser keeps only the current
conversation's id (``gr.BrowserState``); the conversations themselves are files
(``ui.conversations``), so a reload, or a restart of the server, loses nothing.
"""

from __future__ import annotations

import logging
import re
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr

from ui import turns as tn
from ui.conversations import Conversations, Damaged, Summary, new_id, now, title_of
from ui.feedback import warn
from ui.plain import markdown_conversation
from ui.sources import empty_sources
from ui.turns import Turn

log = logging.getLogger("newsdesk.ui")

EXPORTS = Path(tempfile.gettempdir()) / "newsdesk-exports"


def no_export() -> Any:
    """The Export button with nothing to export yet."""
    return gr.DownloadButton(value=None, interactive=False)


def owner_of(request: gr.Request | None) -> str | None:
    """The login asking (``None`` without ``auth``: then the chat has one user and lists everything)."""
    name = getattr(request, "username", None) if request is not None else None
    return str(name) if name else None


def _label(s: Summary) -> str:
    return f"{s.title} — {s.updated}" if s.updated else s.title


class SavedConversations:
    """Keeps each browser's conversation in a file and lists, opens, deletes and exports them."""

    saved: Conversations

    def choices(self, current: str | None, owner: str | None = None) -> Any:
        """The list of ``owner``'s saved conversations with ``current`` selected."""
        listed = self.saved.list(owner)
        ids = {s.id for s in listed}
        return gr.Dropdown(
            choices=[(_label(s), s.id) for s in listed], value=current if current in ids else None
        )

    def _export(self, conv_id: str, title: str, turns: list[Turn]) -> Any:
        """The Markdown file behind the Export button."""
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:50] or "conversation"
        path = EXPORTS / conv_id / f"newsdesk-{slug}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            markdown_conversation(title, now(), [tn.markdown(t) for t in turns]), encoding="utf-8"
        )
        return gr.DownloadButton(value=str(path), interactive=True)

    def save(
        self, conv_id: str | None, turns: list[Turn], owner: str | None = None
    ) -> tuple[str | None, Any, Any]:
        """Saves the turns (a new id for a new conversation): (id, list, export button)."""
        if not turns:
            return conv_id, self.choices(conv_id, owner), no_export()
        if conv_id and owner:
            try:
                self.saved.load(conv_id, owner)
            except FileNotFoundError:
                conv_id = None  # another login's id in this browser: start this login's own
            except Damaged:
                pass
        conv_id = conv_id or new_id()
        title = title_of(turns[0].question)
        try:
            self.saved.save(conv_id, title, [tn.to_record(t) for t in turns], owner)
        except (OSError, Damaged) as err:
            log.exception("could not save conversation %s", conv_id)
            warn(f"This conversation could not be saved: {err}")
        return conv_id, self.choices(conv_id, owner), self._export(conv_id, title, turns)

    def _read(self, conv_id: str, owner: str | None = None) -> list[Turn]:
        """The saved turns; ``Damaged`` for a file that is not a conversation."""
        data = self.saved.load(conv_id, owner)
        try:
            return [tn.from_record(r, i) for i, r in enumerate(data["turns"])]
        except (ValueError, TypeError) as err:
            raise Damaged(f"{conv_id}.json holds a turn that cannot be read: {err}") from None

    def open(self, conv_id: str | None, request: gr.Request | None = None) -> tuple[Any, ...]:
        """(chatbot, turns, sources, id, list, export) for a saved conversation; a damaged one is reported."""
        skip = (gr.skip(),) * 6
        if not conv_id:
            return skip
        owner = owner_of(request)
        try:
            turns = self._read(conv_id, owner)
        except FileNotFoundError:
            warn("That conversation is no longer saved.")
            return (*skip[:4], self.choices(None, owner), gr.skip())
        except Damaged as err:
            warn(f"This conversation cannot be opened: {err}. Its file is kept as it is.")
            return skip
        title = title_of(turns[0].question) if turns else "conversation"
        export = self._export(conv_id, title, turns) if turns else no_export()
        return tn.messages(turns), turns, tn.panel(turns), conv_id, self.choices(conv_id, owner), export

    def restore(self, conv_id: str | None, request: gr.Request | None = None) -> tuple[Any, ...]:
        """On page load: the conversation this browser had open, or an empty chat."""
        owner = owner_of(request)
        empty: tuple[Any, ...] = ([], [], empty_sources(), None, self.choices(None, owner), no_export())
        if not conv_id:
            return empty
        try:
            turns = self._read(conv_id, owner)
        except FileNotFoundError:
            return empty
        except Damaged as err:
            warn(f"The last conversation cannot be opened: {err}. Its file is kept as it is.")
            return empty
        return self.open(conv_id, request) if turns else empty

    def delete_conversation(self, conv_id: str | None, request: gr.Request | None = None) -> tuple[Any, ...]:
        """Deletes the open conversation's file and starts a new chat."""
        if not conv_id:
            warn("Open a saved conversation first.")
            return (gr.skip(),) * 6
        owner = owner_of(request)
        try:
            self.saved.delete(conv_id, owner)
        except FileNotFoundError:
            warn("That conversation is no longer saved.")
            return (gr.skip(),) * 6
        except (OSError, Damaged) as err:
            warn(f"The conversation could not be deleted: {err}")
            return (gr.skip(),) * 6
        gr.Info("Conversation deleted.")
        return [], [], empty_sources(), None, self.choices(None, owner), no_export()
