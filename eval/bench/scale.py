"""Growing the 1x stores to bigger sizes with synthetic chunks, and choosing the sizes.

Synthetic chunks are random unit vectors (numpy, seeded) with texts made of
the shuffled words of the store's own real chunks, so retrieval at 10x or 100x
can be timed without embedding 10x or 100x the corpus. Each store is grown
relative to its own chunk count.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eval.pipelines.baseline import TutorialPipeline

if TYPE_CHECKING:
    from rag.settings import Settings

DEFAULT_MAX_CHUNKS = 400_000  # the full dev corpus at a true 10x (ours: 387,840 chunks)
SYNTHETIC_BATCH = 2000
SAMPLE = 2000  # real chunks whose words and titles the synthetic ones reuse


def effective_factors(scales: Sequence[int], chunks: Sequence[int], max_chunks: int) -> list[dict[str, Any]]:
    """``[{requested, actual, capped}]`` per distinct scale, ascending.

    ``actual`` keeps every store (each grown relative to its own chunk count) at
    or under ``max_chunks``. A capped scale that would add less than half again
    to the largest factor already listed is not run on its own: it is recorded
    in that factor's ``merged`` list instead.
    """
    biggest = max([*chunks, 1])
    cap = max(1.0, max_chunks / biggest)
    out: list[dict[str, Any]] = []
    for requested in sorted(set(scales)):
        actual = 1.0 if requested <= 1 else round(min(float(requested), cap), 2)
        capped = actual < requested
        if out and (actual == out[-1]["actual"] or (capped and actual < 1.5 * out[-1]["actual"])):
            out[-1].setdefault("merged", []).append(requested)
            continue
        out.append({"requested": requested, "actual": actual, "capped": capped})
    return out


def _shuffled(words_of: Sequence[str], rng: random.Random) -> str:
    words = rng.choice(words_of).split() or ["news"]
    rng.shuffle(words)
    return " ".join(words)


def _unit_vectors(gen: Any, n: int, dim: int) -> Any:
    import numpy as np

    vecs = gen.standard_normal((n, dim), dtype=np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    return vecs


def grow_ours(settings: Settings, target: int, dim: int, seed: int, tag: str) -> dict[str, Any]:
    """Adds synthetic chunks to ours' store (``Store.upsert``) until it holds ``target``.

    Their metadata is a ``rag.chunkmeta.ChunkMeta``, the same record ours writes for a
    real chunk, so retrieval reads them as it reads real ones (eight chunks per
    synthetic article).
    """
    import numpy as np

    from rag.chunkmeta import ChunkMeta
    from vectorstore import open_store

    store = open_store(path=settings.store, collection=settings.collection)
    have = store.count()
    sample = store.get(limit=SAMPLE)
    texts = [r.text for r in sample if r.text.strip()] or ["synthetic news text"]
    titles = [str(r.metadata.get("title") or "") for r in sample if r.metadata.get("title")] or [
        "Synthetic story"
    ]
    dates = [str(r.metadata.get("published") or "") for r in sample] or [""]
    rng, gen = random.Random(seed), np.random.default_rng(seed)
    started = time.perf_counter()
    added = 0
    while have + added < target:
        n = min(SYNTHETIC_BATCH, target - have - added)
        ids: list[str] = []
        docs: list[str] = []
        metas: list[dict[str, str | int]] = []
        for i in range(added, added + n):
            doc = _shuffled(texts, rng)
            published = rng.choice(dates)
            article_id = f"syn-{tag}-{i // 8}"
            start = (i % 8) * 500
            meta = ChunkMeta(
                article_id=article_id,
                title=_shuffled(titles, rng),
                start=start,
                end=start + len(doc),
                index=i % 8,
                url=f"https://synthetic.invalid/{article_id}",
                published=date.fromisoformat(published[:10]) if published else None,
                source="synthetic.invalid",
                content_hash=article_id,
            )
            ids.append(f"syn-{tag}-{i}")
            docs.append(doc)
            metas.append(meta.to_store())
        store.upsert(ids=ids, texts=docs, metadatas=metas, embeddings=_unit_vectors(gen, n, dim).tolist())
        added += n
    return {"added": added, "chunks": store.count(), "seconds": round(time.perf_counter() - started, 2)}


def grow_baseline(store_path: Path, target: int, dim: int, seed: int, tag: str) -> dict[str, Any]:
    """Adds synthetic chunks to the baseline's Chroma collection (precomputed vectors, no embedding)."""
    import numpy as np

    col = TutorialPipeline(store_path, None).collection
    have = col.count()
    sample = col.get(limit=SAMPLE, include=["documents", "metadatas"])
    texts = [d for d in sample["documents"] or [] if d and d.strip()] or ["synthetic news text"]
    titles = [str((m or {}).get("title") or "") for m in sample["metadatas"] or []]
    titles = [t for t in titles if t] or ["Synthetic story"]
    rng, gen = random.Random(seed), np.random.default_rng(seed)
    started = time.perf_counter()
    added = 0
    while have + added < target:
        n = min(SYNTHETIC_BATCH, target - have - added)
        ids = [f"syn-{tag}-{i}" for i in range(added, added + n)]
        docs = [_shuffled(texts, rng) for _ in range(n)]
        metas = [
            {"url": f"https://synthetic.invalid/syn-{tag}-{i // 8}", "title": _shuffled(titles, rng)}
            for i in range(added, added + n)
        ]
        col.upsert(ids=ids, documents=docs, metadatas=metas, embeddings=_unit_vectors(gen, n, dim))
        added += n
    return {"added": added, "chunks": col.count(), "seconds": round(time.perf_counter() - started, 2)}
