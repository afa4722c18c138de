"""The keyword side of every store (``Store.keyword``): BM25 that lives with the data.

Run on the embedded store and on a ``chroma run`` server, like test_store_contract.py:
records added, replaced and deleted are found or gone at once; filters agree with
``vectorstore.filters.matches``; the index survives a new process and is rebuilt
once, with a log line, when it is missing or a write left it half done.
"""

from __future__ import annotations

import json
import logging
import random
import shutil
import subprocess
import sys
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from test_store_contract import server_url, unit  # noqa: F401  (the module's chroma server fixture)

from vectorstore import Filter, Store, all_of, any_of, between, eq, matches, open_store

ROOT = Path(__file__).resolve().parents[1]
LOG = "newsdesk.keywords"


@pytest.fixture(params=["embedded", "server"])
def where_to(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    """``open_store`` arguments of a new, empty store; a server's index goes to a tmp cache folder."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    name = f"k-{uuid.uuid4().hex[:12]}"
    if request.param == "server":
        return {"url": request.getfixturevalue("server_url"), "collection": name}
    return {"path": tmp_path / "store", "collection": name}


def forget_open_indexes() -> None:
    """As a new process would: no index already open in this one."""
    from vectorstore.chroma import keywords

    keywords._OPEN.clear()


NEWS = {
    "uk": (
        "The UK sent 2,000 anti-tank missiles to Ukraine.",
        "Missiles for Kyiv",
        "telegraph.co.uk",
        date(2022, 1, 20),
    ),
    "ee": (
        "Around 850 British troops are stationed in Estonia.",
        "Troops in Estonia",
        "bbc.co.uk",
        date(2022, 2, 10),
    ),
    "fr": (
        "France sent Caesar howitzers; no missiles were mentioned.",
        "Artillery",
        "lemonde.fr",
        date(2022, 3, 5),
    ),
    "old": ("Missiles and troops were discussed at the summit.", "Summit", "bbc.co.uk", date(2021, 6, 1)),
    "nd": ("Troops left the base; the date was not given.", "Undated", "", None),
}


def fill(store: Store, ids: list[str] | None = None) -> None:
    ids = ids or list(NEWS)
    store.upsert(
        ids=ids,
        texts=[NEWS[i][0] for i in ids],
        metadatas=[
            {
                "title": NEWS[i][1],
                "source": NEWS[i][2],
                "published": NEWS[i][3] or "",
                "article_id": f"art-{i}",
            }
            for i in ids
        ],
        embeddings=[unit(1, n, 0.5) for n, _ in enumerate(ids)],
    )


def found(store: Store, query: str, where: Filter | None = None, k: int = 10) -> list[str]:
    return [h.id for h in store.keyword(query, k, where)]


def test_added_records_are_found_by_text_title_and_figures(where_to: dict[str, Any]) -> None:
    store = open_store(**where_to)
    assert store.keyword("missiles", 5) == []  # empty store
    fill(store)
    hits = store.keyword("How many missiles did the UK send?", 10)
    assert hits[0].id == "uk"
    assert {h.id for h in hits} == {"uk", "fr", "old"}
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].text == NEWS["uk"][0] and hits[0].metadata["source"] == "telegraph.co.uk"
    assert found(store, "2000") == ["uk"]  # "2,000" in the text
    assert found(store, "kyiv") == ["uk"]  # the title is searched with the text
    assert found(store, "Estonia", k=1) == ["ee"]
    assert store.keyword("the of and", 5) == []  # stop words only
    with pytest.raises(ValueError):
        store.keyword("missiles", 0)


def test_replaced_and_deleted_records_leave_the_index_at_once(where_to: dict[str, Any]) -> None:
    store = open_store(**where_to)
    fill(store)
    store.upsert(
        ids=["uk"],
        texts=["Tanks arrived in Poland."],
        metadatas=[{"title": "Tanks"}],
        embeddings=[unit(1, 0, 0)],
    )
    assert "uk" not in found(store, "missiles")
    assert found(store, "poland tanks") == ["uk"]
    assert store.delete(ids=["fr"]) == 1
    assert found(store, "howitzers") == []
    assert store.delete(where=eq("source", "bbc.co.uk")) == 2
    assert found(store, "troops") == ["nd"]
    assert store.count() == 2


@pytest.mark.parametrize(
    "where",
    [
        between("published", date(2022, 1, 1), date(2022, 2, 28)),
        between("published", None, date(2022, 1, 31)),  # as of a day
        any_of("source", ["bbc.co.uk", "lemonde.fr"]),
        all_of(between("published", date(2022, 1, 1)), eq("source", "bbc.co.uk")),
        any_of("article_id", ["art-uk", "art-nd"]),
        eq("source", ""),
        any_of("source", []),
    ],
    ids=["range", "as_of", "sources", "range+source", "articles", "empty-source", "nothing"],
)
def test_filters_agree_with_matches(where_to: dict[str, Any], where: Filter) -> None:
    store = open_store(**where_to)
    fill(store)
    every = {r.id: r.metadata for r in store.scan()}
    holding = {
        i
        for i, (text, *_rest) in NEWS.items()
        if {"missiles", "troops"} & set(text.lower().replace(".", "").replace(";", "").split())
    }
    expected = {i for i in holding if matches(where, every[i])}
    assert set(found(store, "missiles troops", where)) == expected


def test_many_records_filtered_inside_the_index(where_to: dict[str, Any]) -> None:
    """A selective filter still fills k: the index filters before ranking, not after."""
    store = open_store(**where_to)
    rng = random.Random(3)
    n = 400
    days = [date(2022, 1, 1) + timedelta(days=rng.randrange(365)) for _ in range(n)]
    sources = [rng.choice(["a.com", "b.com", "c.com", "d.com"]) for _ in range(n)]
    store.upsert(
        ids=[f"r{i}" for i in range(n)],
        texts=[f"report {i} on the election count" + (" recount" if i % 3 else "") for i in range(n)],
        metadatas=[
            {"published": d, "source": s, "title": "Election"} for d, s in zip(days, sources, strict=True)
        ],
        embeddings=[unit(1, i % 7, 1) for i in range(n)],
    )
    where = all_of(between("published", date(2022, 5, 1), date(2022, 5, 31)), eq("source", "c.com"))
    every = {r.id: r.metadata for r in store.scan()}
    want = {i for i, m in every.items() if matches(where, m)}
    assert 3 <= len(want) < 40
    got = found(store, "election recount", where, k=50)
    assert set(got) == want
    assert all(matches(where, every[i]) for i in found(store, "recount", where, k=2))


def _search_in_new_process(where_to: dict[str, Any], query: str) -> dict[str, Any]:
    code = (
        "import json, logging, sys\n"
        "from pathlib import Path\n"
        "from vectorstore import open_store\n"
        "logs = []\n"
        "class Keep(logging.Handler):\n"
        "    def emit(self, record): logs.append(record.getMessage())\n"
        f"logging.getLogger({LOG!r}).addHandler(Keep())\n"
        "args = json.loads(sys.argv[1])\n"
        "if 'path' in args: args['path'] = Path(args['path'])\n"
        "s = open_store(**args)\n"
        "print(json.dumps({'ids': [h.id for h in s.keyword(sys.argv[2], 10)], 'logs': logs}))\n"
    )
    args = {k: str(v) for k, v in where_to.items()}
    out = subprocess.run(
        [sys.executable, "-c", code, json.dumps(args), query],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def test_the_index_persists_and_a_new_process_builds_nothing(where_to: dict[str, Any]) -> None:
    store = open_store(**where_to)
    fill(store)
    store.delete(ids=["fr"])
    result = _search_in_new_process(where_to, "missiles")
    assert set(result["ids"]) == {"uk", "old"}
    assert result["logs"] == []


def _index_folder(store: Store) -> Path:
    return Path(store._keyword_path)  # type: ignore[attr-defined]


def test_a_missing_index_is_rebuilt_once_with_a_log_line(
    where_to: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    store = open_store(**where_to)
    fill(store)
    shutil.rmtree(_index_folder(store))
    forget_open_indexes()
    again = open_store(**where_to)
    with caplog.at_level(logging.INFO, logger=LOG):
        assert found(again, "estonia") == ["ee"]
        assert found(again, "missiles")[0] == "uk"
        fill(again, ["fr"])
        assert found(again, "howitzers") == ["fr"]
    built = [r for r in caplog.records if r.name == LOG and "building the keyword index" in r.getMessage()]
    assert len(built) == 1 and "5 records" in built[0].getMessage()


def test_a_write_that_died_half_way_is_repaired_at_the_next_search(
    where_to: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    store = open_store(**where_to)
    fill(store)
    # A crash between the store's write and the index's commit: the store changed, the index did not.
    raw = store.client.get_collection(where_to["collection"])  # type: ignore[attr-defined]
    raw.upsert(
        ids=["uk"],
        documents=["Drones were delivered."],
        metadatas=[{"title": "Drones"}],
        embeddings=[unit(1, 0, 0)],
    )
    state = _index_folder(store) / "state.json"
    state.write_text(json.dumps({**json.loads(state.read_text()), "pending": True}))
    with caplog.at_level(logging.INFO, logger=LOG):
        assert found(store, "drones") == ["uk"]
        assert "uk" not in found(store, "missiles")
    assert sum("building the keyword index" in r.getMessage() for r in caplog.records) == 1


def test_a_count_mismatch_is_caught_up_by_id(
    where_to: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """Another client of the store wrote past this index (a server's other users): only the difference is read."""
    store = open_store(**where_to)
    fill(store, ["uk", "ee", "fr"])
    raw = store.client.get_collection(where_to["collection"])  # type: ignore[attr-defined]
    raw.add(
        ids=["zz"],
        documents=["Floods hit the coast."],
        metadatas=[{"title": "Floods"}],
        embeddings=[unit(0, 0, 1)],
    )
    raw.delete(ids=["ee"])
    raw.add(
        ids=["yy"],
        documents=["Snow closed roads."],
        metadatas=[{"title": "Snow"}],
        embeddings=[unit(0, 1, 1)],
    )
    with caplog.at_level(logging.INFO, logger=LOG):
        assert found(store, "floods") == ["zz"]
        assert found(store, "snow") == ["yy"]
        assert found(store, "estonia") == []
        assert found(store, "missiles") == ["uk", "fr"] or set(found(store, "missiles")) == {"uk", "fr"}
    messages = [r.getMessage() for r in caplog.records if r.name == LOG]
    assert not [m for m in messages if "building" in m]
    assert len([m for m in messages if "caught up: 2 added, 1 removed" in m]) == 1


def test_no_rebuild_on_writes_and_questions(
    where_to: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """Ingest after ingest, question after question: the index is only ever updated, never built again."""
    store = open_store(**where_to)
    with caplog.at_level(logging.DEBUG, logger=LOG):
        fill(store, ["uk", "ee"])
        assert found(store, "missiles") == ["uk"]
        fill(store, ["fr"])
        assert set(found(store, "missiles")) == {"uk", "fr"}
        store.delete(ids=["uk"])
        assert found(store, "missiles") == ["fr"]
    assert not [r for r in caplog.records if "building" in r.getMessage()]


def test_rags_filters_run_inside_the_index(tmp_path: Path) -> None:
    """Dates, sources and article ids narrow the search in tantivy itself; only numbers are checked after."""
    from vectorstore.keywords import KeywordIndex
    from vectorstore.keywords.where import filter_query

    index = KeywordIndex(tmp_path / "kw")._index
    rags = all_of(
        between("published", date(2022, 1, 1), date(2022, 6, 24)),
        any_of("source", ["bbc.co.uk"]),
        any_of("article_id", ["a", "b"]),
    )
    assert filter_query(index, rags)[1] is True
    assert filter_query(index, between("published", None, date(2022, 6, 24)))[1] is True
    assert filter_query(index, all_of(eq("n", 3), eq("source", "x")))[1] is False


def test_a_running_reader_sees_another_process_write_without_rebuilding(
    where_to: dict[str, Any], caplog: pytest.LogCaptureFixture
) -> None:
    """The chat keeps running while ``newsdesk ingest`` writes from another process."""
    store = open_store(**where_to)
    fill(store, ["uk", "ee"])
    assert found(store, "howitzers") == []
    code = (
        "import json, sys\n"
        "from pathlib import Path\n"
        "from vectorstore import open_store\n"
        "args = json.loads(sys.argv[1])\n"
        "if 'path' in args: args['path'] = Path(args['path'])\n"
        "s = open_store(**args)\n"
        "s.upsert(ids=['fr'], texts=['France sent Caesar howitzers.'], metadatas=[{'title': 'Artillery'}],\n"
        "         embeddings=[[0.0, 1.0, 0.0]])\n"
        "s.delete(ids=['ee'])\n"
    )
    args = json.dumps({k: str(v) for k, v in where_to.items()})
    out = subprocess.run(
        [sys.executable, "-c", code, args], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    with caplog.at_level(logging.DEBUG, logger=LOG):
        assert found(store, "howitzers") == ["fr"]
        assert found(store, "estonia") == []
    assert not [r for r in caplog.records if "building" in r.getMessage()]
