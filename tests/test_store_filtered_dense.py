"""A filtered dense query resolved by the keyword index: a selective filter becomes ids, ranked by vector.

Local Chroma keeps no metadata index, so its own ``where`` reads every record's metadata
(0.7 s at 100k chunks). With the filter run inside the keyword index, a filter matching at
most ``FILTER_IDS_MAX`` records is searched among their ids; these tests see that path give
exactly what Chroma's ``where`` gives, and step aside when the index cannot be trusted.
Run on the embedded store and a ``chroma run`` server, like test_store_keyword.py.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from test_store_contract import server_url, unit  # noqa: F401  (the module's chroma server fixture)
from test_store_keyword import where_to  # noqa: F401  (embedded and server)

import vectorstore.chroma.store as chroma_store
from vectorstore import Filter, all_of, any_of, between, eq, matches, open_store
from vectorstore.keywords import index as keyword_index

N = 300


def _fill(store: Any) -> dict[str, dict[str, Any]]:
    rng = random.Random(5)
    days = [date(2022, 1, 1) + timedelta(days=rng.randrange(200)) for _ in range(N)]
    sources = [rng.choice(["a.com", "b.com", "c.com"]) for _ in range(N)]
    store.upsert(
        ids=[f"r{i}" for i in range(N)],
        texts=[f"report {i}" for i in range(N)],
        metadatas=[{"published": d, "source": s} for d, s in zip(days, sources, strict=True)],
        embeddings=[unit(rng.random(), rng.random(), rng.random(), rng.random()) for _ in range(N)],
    )
    return {r.id: r.metadata for r in store.scan(texts=False)}


FILTERS = [
    between("published", date(2022, 3, 1), date(2022, 3, 7)),
    all_of(between("published", date(2022, 2, 1), date(2022, 3, 31)), eq("source", "b.com")),
    any_of("source", ["a.com", "c.com"]),
    eq("source", "nowhere.com"),
]


@pytest.mark.parametrize("where", FILTERS)
def test_ids_from_the_index_rank_as_chromas_own_filter(
    where_to: dict[str, Any],  # noqa: F811
    where: Filter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = open_store(**where_to)
    every = _fill(store)
    calls: list[int | None] = []
    real = keyword_index.KeywordIndex.matching

    def spy(self: Any, where: Filter, cap: int) -> list[str] | None:
        ids = real(self, where, cap)
        calls.append(None if ids is None else len(ids))
        return ids

    monkeypatch.setattr(keyword_index.KeywordIndex, "matching", spy)
    query = unit(0.3, 0.9, 0.1, 0.5)
    by_ids = [h.id for h in store.query(query, 10, where)]
    assert calls and calls[-1] == sum(matches(where, m) for m in every.values())  # the ids path ran
    monkeypatch.setattr(chroma_store, "FILTER_IDS_MAX", -1)  # every filter to Chroma's own
    by_where = [h.id for h in store.query(query, 10, where)]
    assert by_ids == by_where
    assert all(matches(where, every[i]) for i in by_ids)
    assert len(by_ids) == min(10, sum(matches(where, m) for m in every.values()))


def test_a_filter_matching_more_than_the_cap_goes_to_chroma(
    where_to: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = open_store(**where_to)
    every = _fill(store)
    monkeypatch.setattr(chroma_store, "FILTER_IDS_MAX", 5)
    where = eq("source", "a.com")
    hits = store.query(unit(1, 0, 0, 0), 20, where)
    assert len(hits) == 20 and all(matches(where, every[h.id]) for h in hits)


def test_an_index_behind_the_store_is_not_trusted_for_ids(
    where_to: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A record the index does not hold yet (another client wrote it, and a writer at work keeps
    the index from catching up) is still found: the filter goes to Chroma instead."""
    from vectorstore.chroma.syntax import to_stored

    store = open_store(**where_to)
    _fill(store)
    keywords = store._keywords  # type: ignore[attr-defined]
    monkeypatch.setattr(
        type(keywords), "current", lambda self, store, count=None: None
    )  # as when the lock is held
    meta = to_stored({"published": date(2022, 3, 3), "source": "b.com"})
    store._collection().upsert(  # type: ignore[attr-defined]
        ids=["late"], documents=["a late report"], metadatas=[meta], embeddings=[unit(0.3, 0.9, 0.1, 0.5)]
    )
    where = between("published", date(2022, 3, 1), date(2022, 3, 7))
    assert "late" in [h.id for h in store.query(unit(0.3, 0.9, 0.1, 0.5), 5, where)]
