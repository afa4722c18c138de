"""``open_store``: a ``Store`` from where the data lives, so callers need no class name.

A URL means a Chroma server, else ``path`` is an embedded store folder. A second
kind of store would be chosen here, and callers would not change.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from vectorstore.base import Store, StoreUnavailable
from vectorstore.chroma import ChromaStore

__all__ = ["open_store"]


def open_store(
    *,
    path: Path | None = None,
    url: str | None = None,
    collection: str = "newsdesk",
    page_size: int | None = None,
    write_wait: float = 0,
    keyword_keys: Sequence[str] = ("title",),
    keyword_path: Path | None = None,
) -> Store:
    """The store at ``url`` (a server, which wins when both are given) or in the folder ``path``.

    ``keyword_keys`` / ``keyword_path``: see ``ChromaStore``.
    ``write_wait``: seconds a single write outside ``Store.writing`` waits for the write lock.
    ``StoreUnavailable`` when neither is given or the store cannot be opened or reached.
    """
    if not url and path is None:
        raise StoreUnavailable("no store folder and no Chroma URL given")
    return ChromaStore(
        path=None if url else path,
        url=url or None,
        collection=collection,
        page_size=page_size,
        write_wait=write_wait,
        keyword_keys=keyword_keys,
        keyword_path=keyword_path,
    )
