"""vectorstore.ChromaStore on a real embedded Chroma in a tmp folder."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path

import pytest

import vectorstore.chroma
from rag.api import Newsdesk
from rag.errors import StoreError
from rag.settings import Settings
from vectorstore import ChromaStore, StoreUnavailable


def unit(*xs: float) -> list[float]:
    norm = math.sqrt(sum(x * x for x in xs))
    return [x / norm for x in xs]


RECORDS = {
    # id: (vector, date, source)
    "a": (unit(1, 0, 0), 20220101, "alpha.com"),
    "b": (unit(1, 1, 0), 20220115, "beta.com"),
    "c": (unit(0, 1, 0), 20220201, "alpha.com"),
    "d": (unit(0, 0, 1), 20220301, "gamma.com"),
    "e": (unit(1, 0, 1), 0, ""),
}


@pytest.fixture
def store(tmp_path: Path) -> ChromaStore:
    s = ChromaStore(path=tmp_path / "store", collection="test")
    ids = list(RECORDS)
    s.upsert(
        ids=ids,
        texts=[f"text of {i}" for i in ids],
        metadatas=[{"published_int": RECORDS[i][1], "source": RECORDS[i][2], "article_id": f"art-{i}"} for i in ids],
        embeddings=[RECORDS[i][0] for i in ids],
    )
    return s


def test_query_returns_cosine_scores_best_first(store: ChromaStore) -> None:
    hits = store.query(unit(1, 0, 0), k=5)
    assert [h.id for h in hits][:1] == ["a"]
    assert len(hits) == 5
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    by_id = {h.id: h.score for h in hits}
    assert by_id["a"] == pytest.approx(1.0, abs=1e-5)
    assert by_id["b"] == pytest.approx(math.sqrt(0.5), abs=1e-5)
    assert by_id["e"] == pytest.approx(math.sqrt(0.5), abs=1e-5)
    assert by_id["c"] == pytest.approx(0.0, abs=1e-5)
    assert hits[0].text == "text of a"
    assert hits[0].metadata["source"] == "alpha.com"


def test_query_k_larger_than_the_collection(store: ChromaStore) -> None:
    assert len(store.query(unit(0, 1, 0), k=50)) == 5


def test_query_on_empty_store(tmp_path: Path) -> None:
    empty = ChromaStore(path=tmp_path / "empty")
    assert empty.count() == 0
    assert empty.query(unit(1, 0, 0), k=3) == []
    assert list(empty.scan()) == []


def test_where_filters_date_range_and_sources(store: ChromaStore) -> None:
    where = {
        "$and": [
            {"published_int": {"$gte": 20220110}},
            {"published_int": {"$lte": 20220228}},
            {"source": {"$in": ["alpha.com", "beta.com"]}},
        ]
    }
    hits = store.query(unit(1, 0, 0), k=5, where=where)
    assert sorted(h.id for h in hits) == ["b", "c"]
    only_alpha = store.query(unit(1, 0, 0), k=5, where={"source": {"$in": ["alpha.com"]}})
    assert sorted(h.id for h in only_alpha) == ["a", "c"]
    assert store.query(unit(1, 0, 0), k=5, where={"source": {"$in": ["nowhere.org"]}}) == []


def test_upsert_replaces_by_id(store: ChromaStore) -> None:
    store.upsert(ids=["a"], texts=["new text"], metadatas=[{"source": "zeta.com"}], embeddings=[unit(0, 0, 1)])
    assert store.count() == 5
    [rec] = store.get(ids=["a"])
    assert rec.text == "new text"
    # Chroma merges metadata on upsert: the keys given are replaced (ingest always writes every key).
    assert rec.metadata["source"] == "zeta.com"
    assert store.query(unit(0, 0, 1), k=2)[0].id in {"a", "d"}


def test_upsert_checks_lengths(store: ChromaStore) -> None:
    with pytest.raises(ValueError):
        store.upsert(ids=["x", "y"], texts=["t"], metadatas=[{}], embeddings=[unit(1, 0, 0)])
    store.upsert(ids=[], texts=[], metadatas=[], embeddings=[])
    assert store.count() == 5


def test_delete_by_where_and_ids_returns_counts(store: ChromaStore) -> None:
    assert store.delete(where={"source": "alpha.com"}) == 2
    assert store.count() == 3
    assert store.delete(ids=["b", "missing"]) == 1
    assert store.delete(ids=[]) == 0
    assert store.delete(where={"source": "nowhere.org"}) == 0
    assert sorted(r.id for r in store.scan()) == ["d", "e"]
    with pytest.raises(ValueError):
        store.delete()


def test_get_without_texts(store: ChromaStore) -> None:
    records = store.get(where={"source": "gamma.com"}, texts=False)
    assert [(r.id, r.text, r.metadata["article_id"]) for r in records] == [("d", "", "art-d")]


def test_scan_pages_through_every_record(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vectorstore.chroma, "_PAGE", 3)
    s = ChromaStore(path=tmp_path / "paged")
    ids = [f"id{i:02d}" for i in range(10)]
    s.upsert(
        ids=ids,
        texts=[f"text {i}" for i in ids],
        metadatas=[{"n": n, "even": n % 2 == 0} for n in range(10)],
        embeddings=[unit(1, n + 1, 0) for n in range(10)],
    )
    seen = list(s.scan())
    assert sorted(r.id for r in seen) == ids
    assert len(seen) == 10
    assert all(r.text == f"text {r.id}" for r in seen)
    evens = list(s.scan(texts=False, where={"even": True}))
    assert sorted(r.metadata["n"] for r in evens) == [0, 2, 4, 6, 8]
    assert all(r.text == "" for r in evens)
    # An exact multiple of the page size also ends cleanly.
    s.delete(ids=["id09"])
    assert len(list(s.scan())) == 9


_REOPEN = """
import json, sys
from pathlib import Path
from vectorstore import ChromaStore
s = ChromaStore(path=Path(sys.argv[1]), collection="test")
print(json.dumps({"count": s.count(), "ids": sorted(r.id for r in s.scan()),
                  "top": s.query([1.0, 0.0, 0.0], 1)[0].id}))
"""


def test_reopening_the_folder_keeps_the_data(store: ChromaStore, tmp_path: Path) -> None:
    # A fresh process, so nothing is served from chromadb's in-process client cache.
    out = subprocess.run(
        [sys.executable, "-c", _REOPEN, str(tmp_path / "store")],
        capture_output=True, text=True, timeout=120, check=True,
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert data == {"count": 5, "ids": ["a", "b", "c", "d", "e"], "top": "a"}


def test_same_folder_in_process_sees_the_data(store: ChromaStore, tmp_path: Path) -> None:
    again = ChromaStore(path=tmp_path / "store", collection="test")
    assert again.count() == 5


@pytest.mark.parametrize("url", ["http://", "://:8000"])
def test_bad_url_is_store_unavailable(url: str) -> None:
    with pytest.raises(StoreUnavailable, match="URL"):
        ChromaStore(url=url)


def test_unreachable_server_is_store_unavailable() -> None:
    # Port 9 (discard) on localhost: refused at once, no waiting on a network.
    with pytest.raises(StoreUnavailable, match="127.0.0.1"):
        ChromaStore(url="http://127.0.0.1:9")


def test_no_path_and_no_url() -> None:
    with pytest.raises(StoreUnavailable):
        ChromaStore()


def test_store_folder_that_is_a_file(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StoreUnavailable):
        ChromaStore(path=blocker)


def test_newsdesk_turns_store_failures_into_store_error(settings: Settings) -> None:
    bad = settings.model_copy(update={"chroma_url": "http://"})
    with pytest.raises(StoreError):
        Newsdesk(bad)
