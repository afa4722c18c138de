"""What only the embedded ChromaStore does: the stored format, opening errors.

The behaviours every store shares are in test_store_contract.py.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from rag.api import Newsdesk
from rag.errors import StoreError
from rag.settings import Settings
from vectorstore import ChromaStore, StoreUnavailable, all_of, any_of, between, eq


def unit(*xs: float) -> list[float]:
    norm = math.sqrt(sum(x * x for x in xs))
    return [x / norm for x in xs]


RECORDS = {
    # id: (vector, date, source)
    "a": (unit(1, 0, 0), date(2022, 1, 1), "alpha.com"),
    "b": (unit(1, 1, 0), date(2022, 1, 15), "beta.com"),
    "c": (unit(0, 1, 0), date(2022, 2, 1), "alpha.com"),
    "d": (unit(0, 0, 1), date(2022, 3, 1), "gamma.com"),
    "e": (unit(1, 0, 1), None, ""),
}


def legacy_metadata(day: date | None, source: str, article_id: str) -> dict[str, str | int]:
    """What rag's ingest writes today: the ISO date (or "") and its YYYYMMDD int (or 0)."""
    return {
        "published": day.isoformat() if day else "",
        "published_int": day.year * 10000 + day.month * 100 + day.day if day else 0,
        "source": source,
        "article_id": article_id,
    }


@pytest.fixture
def store(tmp_path: Path) -> ChromaStore:
    s = ChromaStore(path=tmp_path / "store", collection="test")
    ids = list(RECORDS)
    s.upsert(
        ids=ids,
        texts=[f"text of {i}" for i in ids],
        metadatas=[legacy_metadata(RECORDS[i][1], RECORDS[i][2], f"art-{i}") for i in ids],
        embeddings=[RECORDS[i][0] for i in ids],
    )
    return s


def test_stores_written_the_old_way_filter_by_date(store: ChromaStore) -> None:
    # Existing stores hold published + published_int; neutral date ranges read them unchanged.
    in_january = between("published", date(2022, 1, 1), date(2022, 1, 31))
    assert sorted(r.id for r in store.get(where=in_january)) == ["a", "b"]
    assert sorted(r.id for r in store.get(where=between("published", lte=date(2022, 3, 1)))) == [
        "a",
        "b",
        "c",
        "d",
    ]
    for rec in store.scan():
        assert in_january.matches(rec.metadata) == (rec.id in {"a", "b"})
    assert store.get(ids=["e"])[0].metadata == legacy_metadata(None, "", "art-e")
    assert store.get(ids=["b"])[0].metadata["published_int"] == 20220115


def test_a_date_value_is_stored_the_old_way(tmp_path: Path) -> None:
    s = ChromaStore(path=tmp_path / "dates", collection="test")
    s.upsert(ids=["x"], texts=["t"], metadatas=[{"published": date(2022, 1, 26)}], embeddings=[unit(1, 0, 0)])
    assert s.get(ids=["x"])[0].metadata == {"published": "2022-01-26", "published_int": 20220126}
    # A date that goes away takes its integer shadow with it.
    s.upsert(ids=["x"], texts=["t"], metadatas=[{"published": ""}], embeddings=[unit(1, 0, 0)])
    assert s.get(ids=["x"])[0].metadata == {"published": ""}


# Stores written before rag moved to ``vectorstore.filters`` filter the same through the neutral filters.


def test_old_stores_filter_through_the_neutral_filters(store: ChromaStore) -> None:
    where = all_of(
        between("published", date(2022, 1, 10), date(2022, 2, 28)),
        any_of("source", ["alpha.com", "beta.com"]),
    )
    hits = store.query(unit(1, 0, 0), k=5, where=where)
    assert sorted(h.id for h in hits) == ["b", "c"]
    assert sorted(r.id for r in store.get(where=any_of("article_id", ["art-a", "art-d"]))) == ["a", "d"]
    assert store.delete(where=eq("source", "alpha.com")) == 2
    assert store.count() == 3


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
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    assert data == {"count": 5, "ids": ["a", "b", "c", "d", "e"], "top": "a"}


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
