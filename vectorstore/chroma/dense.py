"""The store's vector search, and how a filter is applied to it.

Local Chroma keeps no metadata index (chroma-core/chroma#4089, #7092), so its own ``where``
reads every record's metadata: 0.3-0.8 s at 100k records. The keyword index beside the store
runs the same filters, so it counts a filter's records first (about a millisecond):

- a filter keeping much of the store is left out of the vector search, whose nearest records
  (ids and distances only) are checked against it by the keyword index, widened while too
  few match;
- a narrower one is resolved into ids, and Chroma ranks just those;
- anything else (an index behind the store, a filter it cannot run whole, a filter matching
  too many to list and too few to over-fetch) goes to Chroma's own ``where``.

Reading a nearest record costs about twice what listing and ranking one id does, so the
nearest are read only when they are at most half as many as the filter's ids. All three give
the same hits. Measured at 100k records, 2 cores: Chroma's nearest 300 /
1,000 / 4,000 records, ids and distances only, take 7 / 16 / 40 ms, and the keyword index says
which of 1,000 / 4,000 match in 7 / 15 ms; reading metadata is what costs (the nearest 500 with
it, 100 ms). Chroma ranks a list of 1k-50k ids in 26-59 ms, which the keyword index lists at
about 1 ms per 1,000.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from vectorstore.base import Hit
from vectorstore.filters import Filter

if TYPE_CHECKING:
    from vectorstore.chroma.keywords import ChromaKeywords
    from vectorstore.chroma.store import ChromaStore

__all__ = [
    "FILTER_IDS_MAX",
    "OVERFETCH",
    "OVERFETCH_FIRST",
    "OVERFETCH_MAX",
    "OVERFETCH_PER_ID",
    "filtered",
    "nearest",
    "nearest_ids",
]

OVERFETCH = 2  # a broad filter: read the nearest k / share records this many times over, and check
OVERFETCH_FIRST = 5000  # ... when that first read is at most this many records
OVERFETCH_PER_ID = 0.5  # ... and at most this many records per id the filter matches (else ids)
OVERFETCH_MAX = 8000  # widened (x4) while too few match, up to this; then by ids or Chroma's filter
FILTER_IDS_MAX = 50_000  # else a filter matching at most this many is ranked among their ids


def nearest(
    collection: Any, embedding: Sequence[float], k: int, *, ids: list[str] | None = None, where: Any = None
) -> list[Hit]:
    """Chroma's ``k`` nearest records (among ``ids``, or matching its own ``where``)."""
    res = collection.query(
        query_embeddings=[list(map(float, embedding))],
        n_results=k,
        where=where,
        ids=ids,
        include=["documents", "metadatas", "distances"],
    )
    docs, metas, dists = res["documents"][0], res["metadatas"][0], res["distances"][0]
    return [
        Hit(id=id_, text=docs[i] or "", metadata=dict(metas[i] or {}), score=1.0 - float(dists[i]))
        for i, id_ in enumerate(res["ids"][0])
    ]


def nearest_ids(collection: Any, embedding: Sequence[float], k: int) -> tuple[list[str], list[float]]:
    """The ids and distances of Chroma's ``k`` nearest records, nothing else read."""
    res = collection.query(query_embeddings=[list(map(float, embedding))], n_results=k, include=["distances"])
    return res["ids"][0], res["distances"][0]


def filtered(
    store: ChromaStore,
    keywords: ChromaKeywords,
    embedding: Sequence[float],
    k: int,
    where: tuple[Filter, Any],
    n: int,
) -> list[Hit]:
    """The ``k`` records nearest ``embedding`` matching ``where`` (the neutral filter and Chroma's
    translation of it) in a store of ``n`` records, by the cheapest exact way (see above)."""
    neutral, chroma_where = where
    collection = store._collection()
    matched = keywords.count_matching(store, neutral, n)
    if matched is None:
        return nearest(collection, embedding, min(k, n), where=chroma_where)
    if matched == 0:
        return []
    fetch = min(n, max(k, int(OVERFETCH * k * n / matched) + 1))
    if fetch <= OVERFETCH_FIRST and fetch <= OVERFETCH_PER_ID * matched:
        hits = _checked_nearest(store, collection, keywords, embedding, k, neutral, fetch, n)
        if hits is not None:
            return hits
    if matched <= FILTER_IDS_MAX:
        ids = keywords.index.ids_matching(neutral)
        return nearest(collection, embedding, min(k, len(ids)), ids=ids)
    return nearest(collection, embedding, min(k, n), where=chroma_where)


def _checked_nearest(
    store: ChromaStore,
    collection: Any,
    keywords: ChromaKeywords,
    embedding: Sequence[float],
    k: int,
    where: Filter,
    fetch: int,
    n: int,
) -> list[Hit] | None:
    """The ``k`` nearest records matching ``where``, read from the nearest ``fetch`` of all
    (widened while too few match); ``None`` when too few of the nearest ``OVERFETCH_MAX`` match.
    Exact: once ``k`` of the nearest match, no record further away comes before them."""
    while True:
        ids, dists = nearest_ids(collection, embedding, fetch)
        keep = keywords.index.among(ids, where)
        kept = [(id_, 1.0 - float(d)) for id_, d in zip(ids, dists, strict=True) if id_ in keep][:k]
        if len(kept) >= k or fetch >= n:
            return store._hits(kept)
        if fetch >= OVERFETCH_MAX:
            return None
        fetch = min(n, OVERFETCH_MAX, fetch * 4)
