"""Articles into the store: parse, dedupe, chunk, embed, upsert.

Guarantees: the same article twice adds nothing; a changed article (same id,
new content hash) replaces its chunks, new ones written before old ones are
removed so a crash never leaves it with none; a bad file is reported and
skipped without touching the store.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from langchain_core.embeddings import Embeddings

from rag.articles import load_files
from rag.articles.pages import chunk_pages
from rag.chunkmeta import ChunkMeta, embed_text
from rag.errors import EmbeddingError
from rag.settings import Settings
from rag.types import Article, Chunk, IngestFailure, IngestReport
from vectorstore import Store, any_of

Progress = Callable[[int, int, str], None]
_LOOKUP_BATCH = 500


def chunk_metadata(article: Article, chunk: Chunk) -> dict[str, str | int]:
    return ChunkMeta.of(article, chunk).to_store()


def existing_articles(store: Store, ids: Sequence[str]) -> dict[str, tuple[str, list[str]]]:
    """``article_id -> (content_hash, chunk ids)`` for the given ids already in the store."""
    found: dict[str, tuple[str, list[str]]] = {}
    for i in range(0, len(ids), _LOOKUP_BATCH):
        batch = list(ids[i : i + _LOOKUP_BATCH])
        for rec in store.get(where=any_of("article_id", batch), texts=False):
            aid = str(rec.metadata.get("article_id"))
            digest, chunk_ids = found.get(aid, (str(rec.metadata.get("content_hash", "")), []))
            chunk_ids.append(rec.id)
            found[aid] = (digest, chunk_ids)
    return found


def ingest_articles(
    store: Store,
    embedder: Embeddings,
    articles: Iterable[Article],
    settings: Settings,
    *,
    failures: Sequence[IngestFailure] = (),
    progress: Progress | None = None,
) -> IngestReport:
    """The whole ingest is one write session: a second writer is refused (or waits) until it ends."""
    with store.writing(wait=settings.write_wait):
        return _ingest(store, embedder, articles, settings, failures=failures, progress=progress)


def _ingest(
    store: Store,
    embedder: Embeddings,
    articles: Iterable[Article],
    settings: Settings,
    *,
    failures: Sequence[IngestFailure] = (),
    progress: Progress | None = None,
) -> IngestReport:
    started = time.perf_counter()
    unique: dict[str, Article] = {}
    clashes: list[IngestFailure] = []
    for article in articles:
        first = unique.setdefault(article.id, article)  # the first copy of a URL wins
        if first is not article and (first.title, first.text) != (article.title, article.text):
            # A different article under the same id would vanish without a word: say so.
            why = f"duplicate URL {article.url}" if article.url else "same text"
            clashes.append(
                IngestFailure(
                    path=article.path or article.title,
                    reason=f"same id as {first.path or repr(first.title)} ({why}); not ingested",
                )
            )
    failures = [*failures, *clashes]
    known = existing_articles(store, list(unique))
    added = updated = unchanged = chunks_added = chunks_deleted = 0
    todo: list[tuple[Article, list[Chunk], list[str]]] = []
    for article in unique.values():
        previous = known.get(article.id)
        if previous and previous[0] == article.content_hash:
            unchanged += 1
            continue
        chunks = chunk_pages(article, settings.chunk_size, settings.chunk_overlap)
        if not chunks:
            continue
        todo.append((article, chunks, previous[1] if previous else []))
        if previous:
            updated += 1
        else:
            added += 1

    total = sum(len(c) for _, c, _ in todo)
    done = 0
    batch: list[tuple[Article, Chunk]] = []
    stale: list[str] = []

    def flush() -> None:
        nonlocal done, chunks_added, chunks_deleted, stale
        if batch:
            texts = [embed_text(a.title, c.text) for a, c in batch]
            try:
                vectors = embedder.embed_documents(texts)
            except EmbeddingError:
                raise
            except Exception as exc:  # a provider's own error types
                raise EmbeddingError(f"embedding failed: {exc}") from exc
            store.upsert(
                ids=[c.id for _, c in batch],
                texts=[c.text for _, c in batch],
                metadatas=[chunk_metadata(a, c) for a, c in batch],
                embeddings=vectors,
            )
            chunks_added += len(batch)
            done += len(batch)
            if progress:
                progress(done, total, batch[-1][0].title)
            batch.clear()
        if stale:
            chunks_deleted += store.delete(ids=stale)
            stale = []

    step = max(settings.embed_batch * 4, 128)
    for article, chunks, old_ids in todo:
        new_ids = {c.id for c in chunks}
        batch.extend((article, c) for c in chunks)
        # Old chunks are deleted by the flush that first writes the new ones.
        stale.extend(cid for cid in old_ids if cid not in new_ids)
        if len(batch) >= step or stale:
            flush()
    flush()
    return IngestReport(
        articles_added=added,
        articles_updated=updated,
        articles_unchanged=unchanged,
        chunks_added=chunks_added,
        chunks_deleted=chunks_deleted,
        failed=tuple(failures),
        seconds=round(time.perf_counter() - started, 3),
    )


def ingest_paths(
    store: Store,
    embedder: Embeddings,
    paths: Sequence[Path | str],
    settings: Settings,
    *,
    progress: Progress | None = None,
) -> IngestReport:
    loaded = load_files([Path(p) for p in paths], max_bytes=settings.max_file_bytes)
    report = ingest_articles(
        store, embedder, loaded.articles, settings, failures=loaded.failed, progress=progress
    )
    return report.model_copy(update={"warnings": tuple(loaded.notes)})


def summary(report: IngestReport) -> dict[str, Any]:
    data = report.model_dump(mode="json")
    data["failed"] = [{"path": f.path, "reason": f.reason} for f in report.failed]
    data["warnings"] = [{"path": w.path, "reason": w.reason} for w in report.warnings]
    return data
