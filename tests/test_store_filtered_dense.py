"""A filtered dense query resolved by the keyword index: a selective filter becomes ids, ranked by vector.

Local Chroma keeps no metadata index, so its own ``where`` reads every record's metadata
(0.7 s at 100k chunks). The keyword index counts the filter's records: a broad filter is
checked on the nearest records of all (over-fetched, widened while too few match), a
narrower one is searched among its ids. These tests see both paths give exactly what
Chroma's ``where`` gives, and step aside when the index cannot be trusted.
Run on the embedded store and a ``chroma run`` server, like test_store_keyword.py.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

import pytest
from test_store_contract import server_url, unit  # noqa: F401  (the module's chroma server fixture)
from test_store_keyword import where_to  # noqa: F401  (embedded and server)

import vectorstore.chroma.dense as dense
from vectorstore import Filter, all_of, any_of, between, eq, matches, open_store

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


def _nearest_reads(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, str]]:
    """Each vector search from now on: records asked of Chroma, and how: "all" (unfiltered),
    "ids" (among ids), "where" (Chroma's filter), "nearest" (ids and distances only, to check)."""
    reads: list[tuple[int, str]] = []
    real, real_ids = dense.nearest, dense.nearest_ids

    def spy(collection: Any, embedding: Any, k: int, *, ids: Any = None, where: Any = None) -> Any:
        reads.append((k, "ids" if ids is not None else "where" if where is not None else "all"))
        return real(collection, embedding, k, ids=ids, where=where)

    def spy_ids(collection: Any, embedding: Any, k: int) -> Any:
        reads.append((k, "nearest"))
        return real_ids(collection, embedding, k)

    monkeypatch.setattr(dense, "nearest", spy)
    monkeypatch.setattr(dense, "nearest_ids", spy_ids)
    return reads


@pytest.mark.parametrize("where", FILTERS)
def test_ids_from_the_index_rank_as_chromas_own_filter(
    where_to: dict[str, Any],  # noqa: F811
    where: Filter,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = open_store(**where_to)
    every = _fill(store)
    matching = sum(matches(where, m) for m in every.values())
    monkeypatch.setattr(dense, "OVERFETCH_FIRST", 0)  # never over-fetch
    reads = _nearest_reads(monkeypatch)
    query = unit(0.3, 0.9, 0.1, 0.5)
    by_ids = [h.id for h in store.query(query, 10, where)]
    assert reads == ([(min(10, matching), "ids")] if matching else [])  # the ids path ran
    monkeypatch.setattr(dense, "FILTER_IDS_MAX", -1)  # every filter to Chroma's own
    by_where = [h.id for h in store.query(query, 10, where)]
    if matching:
        assert reads[-1] == (10, "where")
    assert by_ids == by_where
    assert all(matches(where, every[i]) for i in by_ids)
    assert len(by_ids) == min(10, matching)


BROAD = [
    any_of("source", ["a.com", "c.com"]),  # about two thirds of the store
    between("published", lte=date(2022, 4, 10)),  # "as of" a day: about half
    all_of(between("published", lte=date(2022, 2, 20)), eq("source", "b.com")),  # about a tenth
]


@pytest.mark.parametrize("where", BROAD)
@pytest.mark.parametrize("k", [1, 10, 40])
def test_a_broad_filter_is_checked_on_the_nearest_and_ranks_as_chromas_own(
    where_to: dict[str, Any],  # noqa: F811
    where: Filter,
    k: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = open_store(**where_to)
    every = _fill(store)
    share = sum(matches(where, m) for m in every.values()) / N
    monkeypatch.setattr(dense, "OVERFETCH_FIRST", N)  # any first read: over-fetch
    monkeypatch.setattr(dense, "OVERFETCH_PER_ID", N)
    reads = _nearest_reads(monkeypatch)
    rng = random.Random(k)
    for _ in range(5):
        query = unit(rng.random(), rng.random(), rng.random(), rng.random())
        reads.clear()
        checked = [h.id for h in store.query(query, k, where)]
        assert reads and all(how == "nearest" for _, how in reads)  # neither Chroma's filter nor ids
        assert reads[0][0] == min(N, int(2 * k / share) + 1)  # the first read: k / share, twice over
        monkeypatch.setattr(dense, "OVERFETCH_FIRST", 0)  # now by ids
        by_ids = [h.id for h in store.query(query, k, where)]
        assert reads[-1][1] == "ids"
        monkeypatch.setattr(dense, "OVERFETCH_FIRST", N)
        assert checked == by_ids
        assert len(checked) == min(k, round(share * N))
        assert all(matches(where, every[i]) for i in checked)


def test_the_first_read_over_fetches_only_when_it_is_small(
    where_to: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Read when the nearest to check are few: at most OVERFETCH_FIRST, and at most half as many
    as the filter's ids (ranking those would be cheaper)."""
    store = open_store(**where_to)
    every = _fill(store)
    monkeypatch.setattr(dense, "OVERFETCH_FIRST", 100)
    reads = _nearest_reads(monkeypatch)
    broad = any_of("source", ["a.com", "c.com"])  # about 2/3
    store.query(unit(1, 0, 0, 0), 10, broad)  # a read of about 31, under half its ~200 ids
    assert reads[0][1] == "nearest" and reads[0][0] <= 100
    reads.clear()
    third = eq("source", "b.com")
    matched = sum(matches(third, m) for m in every.values())
    store.query(unit(1, 0, 0, 0), 10, third)  # a read of 2 * 10 / share + 1: over half its ids
    assert int(2 * 10 * N / matched) + 1 > matched / 2 and reads == [(10, "ids")]
    reads.clear()
    store.query(unit(1, 0, 0, 0), 3, third)  # k = 3: a read of about 19, under half its ids
    assert reads[0][1] == "nearest"
    reads.clear()
    store.query(unit(1, 0, 0, 0), 10, between("published", date(2022, 3, 1), date(2022, 3, 7)))  # ~10 of 300
    assert reads == [(10, "ids")]


def _near_and_far(options: dict[str, Any]) -> Any:
    """100 records: 80 from near.com close to (1, 0, 0, 0), 20 from far.com far from it."""
    store = open_store(**options)
    store.upsert(
        ids=[f"r{i}" for i in range(100)],
        texts=[f"report {i}" for i in range(100)],
        metadatas=[{"source": "near.com" if i < 80 else "far.com"} for i in range(100)],
        embeddings=[unit(1, i / 100, 0, 0) if i < 80 else unit(0, 1, i / 100, 0) for i in range(100)],
    )
    return store


def test_too_few_matching_among_the_nearest_widens_the_read(
    where_to: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Asked near records the filter leaves out, the read widens until ``k`` match."""
    store = _near_and_far(where_to)
    monkeypatch.setattr(dense, "OVERFETCH_PER_ID", 100)  # a store this small: read whatever the share
    reads = _nearest_reads(monkeypatch)
    where = eq("source", "far.com")  # a fifth of the store, all far from the question
    hits = store.query(unit(1, 0, 0, 0), 5, where)
    assert reads == [
        (51, "nearest"),
        (100, "nearest"),
    ]  # 2 * 5 / 0.2 + 1, then (four times that) the whole store
    assert len(hits) == 5 and all(h.metadata["source"] == "far.com" for h in hits)


def test_past_the_largest_read_the_ids_rank_or_chroma_filters(
    where_to: dict[str, Any],  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    store = _near_and_far(where_to)
    monkeypatch.setattr(dense, "OVERFETCH_MAX", 51)
    monkeypatch.setattr(dense, "OVERFETCH_PER_ID", 100)
    reads = _nearest_reads(monkeypatch)
    where = eq("source", "far.com")
    hits = store.query(unit(1, 0, 0, 0), 5, where)
    assert reads == [(51, "nearest"), (5, "ids")]
    assert len(hits) == 5 and all(h.metadata["source"] == "far.com" for h in hits)
    monkeypatch.setattr(dense, "FILTER_IDS_MAX", 10)  # 20 match: too many to list
    reads.clear()
    assert [h.id for h in store.query(unit(1, 0, 0, 0), 5, where)] == [h.id for h in hits]
    assert reads == [(51, "nearest"), (5, "where")]


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
