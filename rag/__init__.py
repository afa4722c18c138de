"""newsdesk: ask questions about news articles, get answers citing their passages.

``from rag import ask`` is the entry point. Everything here loads on first
use (PEP 562), so ``import rag`` and ``newsdesk --help`` cost almost nothing;
chromadb, onnxruntime and the local model load only when a command needs them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from rag.api import Newsdesk, ask, ask_stream
    from rag.errors import NewsdeskError
    from rag.settings import Settings, load_settings
    from rag.types import Answer, Citation, Filters, Passage, Retrieval, Timings

_HOMES = {
    "Newsdesk": "rag.api",
    "ask": "rag.api",
    "ask_stream": "rag.api",
    "NewsdeskError": "rag.errors",
    "Settings": "rag.settings",
    "load_settings": "rag.settings",
    "Answer": "rag.types",
    "Citation": "rag.types",
    "Filters": "rag.types",
    "Passage": "rag.types",
    "Retrieval": "rag.types",
    "Timings": "rag.types",
}

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
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'rag' has no attribute {name!r}")
    return getattr(importlib.import_module(home), name)
