"""Opening a chromadb client, embedded in a folder or on a server, with opening failures typed.

Vectors always come from the caller: collections are created without an
embedding function, so Chroma never tries to download its default model.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from vectorstore.base import StoreDamaged, StoreFull, StoreUnavailable
from vectorstore.chroma.errors import DAMAGED_WORDS, detail, is_disk_full

__all__ = ["open_client", "suppress_missing"]


def open_client(*, path: Path | None = None, url: str | None = None) -> Any:
    """A chromadb client: ``HttpClient`` when ``url`` is set, else a ``PersistentClient`` in ``path``."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        if url:
            parsed = urlparse(url if "://" in url else f"http://{url}")
            if not parsed.hostname:
                raise StoreUnavailable(f"not a Chroma server URL: {url!r}")
            ssl = parsed.scheme == "https"
            port = parsed.port or (443 if ssl else 8000)
            return chromadb.HttpClient(host=parsed.hostname, port=port, ssl=ssl, settings=chroma_settings)
        if path is None:
            raise StoreUnavailable("no store folder and no Chroma URL given")
        path.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
    except StoreUnavailable:
        raise
    except Exception as exc:  # chromadb raises assorted types for unreachable or corrupt stores
        where = url or str(path)
        if is_disk_full(exc):
            raise StoreFull(
                f"no space left on the device holding the store at {where} ({detail(exc)})"
            ) from exc
        if any(w in str(exc).lower() for w in DAMAGED_WORDS):
            raise StoreDamaged(
                f"cannot open the Chroma store at {where}: {detail(exc)}; its files are damaged"
            ) from exc
        raise StoreUnavailable(f"cannot open the Chroma store at {where}: {exc}") from exc


@contextmanager
def suppress_missing() -> Iterator[None]:
    """Chroma raises on deleting a collection that is not there; here that is fine."""
    try:
        yield
    except Exception as exc:  # chromadb's NotFoundError / ValueError, by version
        if "does not exist" not in str(exc).lower() and "not found" not in str(exc).lower():
            raise
