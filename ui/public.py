"""What the page may say about the server: the store's name, never a filesystem path.

``Newsdesk.describe()`` and some error messages (a busy store names its folder)
carry the store's path, which is fine for the CLI and the logs but tells every
visitor how the server's disk is laid out. Everything shown on the page passes
through :class:`Publicity` first.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from rag.settings import Settings


def store_label(settings: Settings) -> str:
    """ "Chroma server host:port" or "embedded store 'name'": enough to recognise it, no path."""
    if settings.chroma_url:
        try:
            parts = urlsplit(settings.chroma_url)
            host = parts.hostname or "?"
            port = f":{parts.port}" if parts.port else ""
        except ValueError:
            host, port = "?", ""
        return f"Chroma server {host}{port}"
    name = Path(settings.store).name or "store"
    return f"embedded store '{name}'"


class Publicity:
    """Rewrites text and settings for visitors: the store's path becomes its label."""

    def __init__(self, settings: Settings) -> None:
        self.label = store_label(settings)
        store = Path(settings.store)
        forms = {str(store), str(store.absolute()), str(store.expanduser().resolve())}
        if settings.chroma_url:
            forms.add(settings.chroma_url)  # may hold credentials in its user part
        # Longest first, so a path is replaced whole rather than its relative tail.
        self._paths = sorted((f for f in forms if f and f not in (".", "/")), key=len, reverse=True)

    def text(self, text: str) -> str:
        """``text`` with every form of the store's path replaced by its label."""
        for path in self._paths:
            text = text.replace(path, self.label)
        return text

    def info(self, info: dict[str, object]) -> dict[str, object]:
        """``describe()``/``stats()`` for the page: the store by label, other values redacted."""
        shown = {key: self.text(str(value)) for key, value in info.items()}
        if "store" in shown:
            shown["store"] = self.label
        return dict(shown)
