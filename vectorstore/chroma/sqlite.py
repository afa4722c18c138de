"""Reading a collection's rows straight from Chroma's SQLite, for when its vector index cannot be used."""

from __future__ import annotations

import itertools
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from vectorstore.base import Record, StoreDamaged
from vectorstore.chroma.syntax import record

__all__ = ["DB_FILE", "batches", "sqlite_rows"]

DB_FILE = "chroma.sqlite3"


def batches(records: Iterator[Record], size: int) -> Iterator[list[Record]]:
    """``records`` in lists of ``size`` (the last one shorter)."""
    while batch := list(itertools.islice(records, size)):
        yield batch


def sqlite_rows(db: Path, collection: str, step: int) -> tuple[int, Iterator[list[Record]]]:
    """How many rows a collection's metadata segment holds, and those rows page by page, as stored.

    Read straight from Chroma's SQLite (read-only), so they can be had when the vector
    index is too damaged for Chroma to open the collection at all. Chroma 1.x's schema:
    ``embeddings`` (one row per record of a segment) and ``embedding_metadata`` (one row per
    key; the document under ``chroma:document``).
    """
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    found = con.execute(
        "SELECT s.id FROM segments s JOIN collections c ON s.collection = c.id "
        "WHERE c.name = ? AND s.scope = 'METADATA'",
        (collection,),
    ).fetchone()
    if found is None:
        con.close()
        raise StoreDamaged(f"{db}: no metadata segment for collection {collection!r}")
    segment = found[0]
    total = int(con.execute("SELECT count(*) FROM embeddings WHERE segment_id = ?", (segment,)).fetchone()[0])

    def pages() -> Iterator[list[Record]]:
        try:
            last = -1
            while True:
                rows = con.execute(
                    "SELECT id, embedding_id FROM embeddings WHERE segment_id = ? AND id > ? ORDER BY id LIMIT ?",
                    (segment, last, step),
                ).fetchall()
                if not rows:
                    return
                last = rows[-1][0]
                keys: dict[int, dict[str, Any]] = {row_id: {} for row_id, _ in rows}
                docs: dict[int, str | None] = {}
                marks = ",".join("?" * len(rows))
                for row_id, key, text, whole, real, flag in con.execute(
                    "SELECT id, key, string_value, int_value, float_value, bool_value "
                    f"FROM embedding_metadata WHERE id IN ({marks})",
                    [r[0] for r in rows],
                ):
                    if key == "chroma:document":
                        docs[row_id] = text
                    elif not key.startswith("chroma:"):
                        keys[row_id][key] = (
                            text
                            if text is not None
                            else bool(flag)
                            if flag is not None
                            else whole
                            if whole is not None
                            else real
                        )
                yield [record(str(e), docs.get(r), keys[r]) for r, e in rows]
        finally:
            con.close()

    return total, pages()
