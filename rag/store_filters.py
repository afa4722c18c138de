"""``Filters`` (dates, sources, article ids) in the store's terms, and the same test in Python.

The keyword index is searched in memory, so its hits are filtered with
``keep_function``; dense search passes ``store_where`` to the store. Both
read the same ``Filters``, so they always agree.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rag.chunkmeta import date_int
from rag.types import Filters


def store_where(filters: Filters | None) -> dict[str, Any] | None:
    if filters is None or filters.is_empty():
        return None
    clauses: list[dict[str, Any]] = []
    if filters.date_from:
        clauses.append({"published_int": {"$gte": date_int(filters.date_from)}})
    if filters.date_to:
        clauses.append({"published_int": {"$lte": date_int(filters.date_to)}})
    if filters.sources:
        clauses.append({"source": {"$in": list(filters.sources)}})
    if filters.article_ids:
        clauses.append({"article_id": {"$in": list(filters.article_ids)}})
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


def matches(filters: Filters | None, meta: dict[str, Any]) -> bool:
    if filters is None or filters.is_empty():
        return True
    published = int(meta.get("published_int") or 0)
    if filters.date_from and published < date_int(filters.date_from):
        return False
    if filters.date_to and published > date_int(filters.date_to):
        return False
    if filters.sources and meta.get("source") not in filters.sources:
        return False
    return not (filters.article_ids and meta.get("article_id") not in filters.article_ids)


def keep_function(filters: Filters | None) -> Callable[[dict[str, Any]], bool] | None:
    if filters is None or filters.is_empty():
        return None
    return lambda meta: matches(filters, meta)
