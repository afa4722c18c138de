"""newsdesk: ask questions about news articles, get answers citing their passages.

``from rag import ask`` is the entry point; heavy dependencies (torch, chromadb,
the local model) load only when first needed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rag.errors import NewsdeskError
from rag.types import Answer, Citation, Filters, Passage, Retrieval, Timings

if TYPE_CHECKING:
    from rag.api import Newsdesk, ask, ask_stream
    from rag.settings import Settings, load_settings

__all__ = [
    "Answer",
    "Citation",
    "Filters",
    "Newsdesk",
    "NewsdeskError",
    "Passage",
    "Retrieval",
    "Settings",
    "Timings",
    "ask",
    "ask_stream",
    "load_settings",
]


def __getattr__(name: str) -> Any:
    if name in {"Newsdesk", "ask", "ask_stream"}:
        from rag import api

        return getattr(api, name)
    if name in {"Settings", "load_settings"}:
        from rag import settings

        return getattr(settings, name)
    raise AttributeError(f"module 'rag' has no attribute {name!r}")
