"""``Filters`` (the API's dates, sources and article ids) as the store's neutral filter.

Dense search hands it to the store; keyword hits, searched in memory, are
tested with the same filter's ``matches``, so both always agree.
"""

from __future__ import annotations

from rag.types import Filters
from vectorstore import Filter, all_of, any_of, between


def store_filter(filters: Filters | None) -> Filter | None:
    if filters is None or filters.is_empty():
        return None
    return all_of(
        between("published", filters.date_from, filters.latest)
        if filters.date_from or filters.latest
        else None,
        any_of("source", filters.sources) if filters.sources else None,
        any_of("article_id", filters.article_ids) if filters.article_ids else None,
    )
