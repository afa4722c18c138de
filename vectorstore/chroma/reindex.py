"""A collection's vector index: reading every vector back (``index_health``), and building it again.

A rebuild writes every record, with new vectors, to a collection beside the old one
(``<name>.rebuild``), then swaps: the old one goes aside as ``<name>.old``, the new one takes
its name, and the old one is deleted. The old collection stays whole until the new one is
complete; a process killed between the two renames leaves no ``<name>``, and ``stopped_swap``
then says so and ``put_back`` restores the old one. ``ChromaStore`` holds the write lock and
maps failures around these steps.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from vectorstore.base import Embed, Health, Progress, Record
from vectorstore.chroma.client import suppress_missing

__all__ = ["fill", "fresh_collection", "index_health", "put_back", "stopped_swap", "swap"]


def _building(name: str) -> str:
    return f"{name}.rebuild"


def _aside(name: str) -> str:
    return f"{name}.old"


def index_health(col: Any, ids: list[str], page: int, sample: int) -> Health:
    """How many of the stored ``ids`` the collection's vector index can hand back a vector for.

    The vectors are read back in pages of ``page``; a page that fails is retried id by id, so
    ``missing`` names (up to ``sample`` of) the rows the index lost. Reads only.
    """
    missing: list[str] = []
    error: str | None = None
    for i in range(0, len(ids), page):
        chunk = ids[i : i + page]
        try:
            got = col.get(ids=chunk, include=["embeddings"])
            if len(got["ids"]) == len(chunk):
                continue
        except Exception as exc:  # "Error getting embedding": the index lacks some of these
            error = f"{type(exc).__name__}: {exc}"
        for id_ in chunk:
            try:
                if col.get(ids=[id_], include=["embeddings"])["ids"]:
                    continue
            except Exception:
                pass
            missing.append(id_)
    if missing:  # the failure is explained by the rows named
        error = None
    return Health(
        rows=len(ids), indexed=len(ids) - len(missing), missing=tuple(missing[:sample]), error=error
    )


def fresh_collection(client: Any, name: str) -> Any:
    """The empty collection a rebuild of ``name`` writes to, after deleting what a stopped one left."""
    for stale in (_building(name), _aside(name)):
        with suppress_missing():
            client.delete_collection(stale)
    return client.create_collection(
        name=_building(name), metadata={"hnsw:space": "cosine"}, embedding_function=None
    )


def fill(
    fresh: Any, pages: Iterable[list[Record]], total: int, embed: Embed, progress: Progress | None
) -> int:
    """Writes each page of records, as stored, with the vectors ``embed`` gives; returns the rows written."""
    written = 0
    for records in pages:
        vectors = embed(records)
        if len(vectors) != len(records):
            raise ValueError(f"embed returned {len(vectors)} vectors for {len(records)} records")
        fresh.add(
            ids=[r.id for r in records],
            documents=[r.text for r in records],
            metadatas=[r.metadata or None for r in records],
            embeddings=[list(map(float, v)) for v in vectors],
        )
        written += len(records)
        if progress:
            progress(written, total)
    return written


def swap(client: Any, old: Any, fresh: Any, name: str) -> None:
    """The filled ``fresh`` collection takes ``name`` from ``old``, which is then deleted."""
    old.modify(name=_aside(name))
    fresh.modify(name=name)
    client.delete_collection(_aside(name))


def stopped_swap(client: Any, name: str) -> bool:
    """Whether a rebuild was stopped mid-swap: no ``name``, its old collection still aside."""
    try:
        names = {getattr(c, "name", c) for c in client.list_collections()}
    except Exception:
        return False
    return name not in names and _aside(name) in names


def put_back(client: Any, name: str) -> None:
    """Gives the collection a stopped swap left aside its name back."""
    client.get_collection(name=_aside(name), embedding_function=None).modify(name=name)
