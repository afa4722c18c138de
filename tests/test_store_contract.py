"""The behaviours every ``vectorstore.Store`` promises, run against each way newsdesk reaches Chroma.

One suite, two fixtures: the embedded store in a tmp folder and a real
``chroma run`` server (one per module; skipped when the command is missing),
both opened through ``open_store``. Every operation ``Store`` declares is
exercised on both, and ``Store`` declares every operation rag, ui and eval
call; ``rag`` relies on exactly these behaviours, so a new store passes this
file first.
"""

from __future__ import annotations

import ast
import inspect
import math
import os
import random
import threading
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vectorstore import (
    And,
    ChromaStore,
    Eq,
    Filter,
    In,
    Range,
    Store,
    StoreBusy,
    StoreUnavailable,
    all_of,
    any_of,
    between,
    eq,
    matches,
    open_store,
)

MakeStore = Callable[..., Store]


def unit(*xs: float) -> list[float]:
    norm = math.sqrt(sum(x * x for x in xs))
    return [x / norm for x in xs]


# --- the two stores ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One ``chroma run`` on a free loopback port for the whole module."""
    from eval.bench.chroma_server import chroma_command, chroma_server

    if chroma_command() is None:
        pytest.skip("the chroma command is not installed")
    try:
        with chroma_server(tmp_path_factory.mktemp("chroma-server")) as server:
            yield server.url
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture(params=["embedded", "server"])
def make_store(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MakeStore:
    """``make_store(page_size=None)``: a new, empty store; calling it again opens the same one."""
    name = f"c-{uuid.uuid4().hex[:12]}"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))  # a server's keyword index goes there
    if request.param == "server":
        url: str = request.getfixturevalue("server_url")

        def on_server(page_size: int | None = None) -> Store:
            return open_store(url=url, collection=name, page_size=page_size)

        return on_server

    def embedded(page_size: int | None = None) -> Store:
        return open_store(path=tmp_path / "store", collection=name, page_size=page_size)

    return embedded


RECORDS: dict[str, tuple[list[float], dict[str, Any]]] = {
    "a": (unit(1, 0, 0), {"source": "alpha.com", "published": date(2022, 1, 1), "article_id": "art-1"}),
    "b": (unit(1, 1, 0), {"source": "beta.com", "published": date(2022, 1, 15), "article_id": "art-1"}),
    "c": (unit(0, 1, 0), {"source": "alpha.com", "published": date(2022, 2, 1), "article_id": "art-2"}),
    "d": (unit(0, 0, 1), {"source": "gamma.com", "published": date(2022, 3, 1), "article_id": "art-3"}),
    "e": (unit(1, 0, 1), {"source": "", "published": "", "article_id": "art-4"}),
}


@pytest.fixture
def store(make_store: MakeStore) -> Store:
    s = make_store()
    ids = list(RECORDS)
    with s.writing():
        s.upsert(
            ids=ids,
            texts=[f"text of {i}" for i in ids],
            metadatas=[RECORDS[i][1] for i in ids],
            embeddings=[RECORDS[i][0] for i in ids],
        )
    return s


def ids_of(records: Any) -> list[str]:
    return sorted(r.id for r in records)


# --- writing and reading ----------------------------------------------------------------------------


def test_implements_the_protocol(store: Store) -> None:
    assert isinstance(store, Store)
    assert store.location


def test_count_and_get_by_ids(store: Store) -> None:
    assert store.count() == 5
    got = {r.id: r for r in store.get(ids=["c", "a", "missing"])}
    assert sorted(got) == ["a", "c"]
    assert got["a"].text == "text of a"
    assert got["c"].metadata["source"] == "alpha.com"
    assert store.get(ids=[]) == []


def test_upsert_replaces_the_whole_record(store: Store) -> None:
    store.upsert(
        ids=["a"], texts=["new text"], metadatas=[{"source": "zeta.com"}], embeddings=[unit(0, 0, 1)]
    )
    assert store.count() == 5
    [rec] = store.get(ids=["a"])
    assert rec.text == "new text"
    # Keys the new metadata lacks are gone, so a filter never sees a stale value.
    assert rec.metadata == {"source": "zeta.com"}
    assert store.get(where=between("published", date(2021, 1, 1))) != []
    assert "a" not in ids_of(store.get(where=between("published", date(2021, 1, 1))))
    top = store.query(unit(0, 0, 1), k=2)
    assert {h.id for h in top} == {"a", "d"}


def test_upsert_checks_its_arguments(store: Store) -> None:
    with pytest.raises(ValueError):
        store.upsert(ids=["x", "y"], texts=["t"], metadatas=[{}], embeddings=[unit(1, 0, 0)])
    with pytest.raises(ValueError):
        store.upsert(ids=["x", "x"], texts=["t", "u"], metadatas=[{}, {}], embeddings=[unit(1, 0, 0)] * 2)
    store.upsert(ids=[], texts=[], metadatas=[], embeddings=[])
    assert store.count() == 5


def test_empty_metadata_round_trips(make_store: MakeStore) -> None:
    s = make_store()
    s.upsert(ids=["x"], texts=["t"], metadatas=[{}], embeddings=[unit(1, 2, 3)])
    assert s.get(ids=["x"])[0].metadata == {}


def test_metadata_round_trip_and_unicode(make_store: MakeStore) -> None:
    s = make_store()
    meta = {
        "s": "Zürich — «quoted» 東京 🚀",
        "i": 42,
        "neg": -7,
        "big": 2**53,
        "f": 0.1,
        "g": -1.5e10,
        "t": True,
        "no": False,
        "empty": "",
    }
    text = "Ein Zitat: „Гласность“ — 中文 — emoji 🗞️\nsecond line\ttab"
    s.upsert(ids=["ü-id-✓"], texts=[text], metadatas=[meta], embeddings=[unit(1, 2, 3)])
    [rec] = s.get(ids=["ü-id-✓"])
    assert rec.text == text
    for key, value in meta.items():
        assert rec.metadata[key] == value and type(rec.metadata[key]) is type(value), key
    [hit] = s.query(unit(1, 2, 3), k=1)
    assert (hit.id, hit.text) == ("ü-id-✓", text)
    assert s.get(where=eq("s", meta["s"]))[0].id == "ü-id-✓"


def test_dates_read_back_as_iso_strings(store: Store) -> None:
    [rec] = store.get(ids=["b"])
    assert rec.metadata["published"] == "2022-01-15"


def test_writing_is_reentrant_and_writes_inside_it_land(make_store: MakeStore) -> None:
    s = make_store()
    with s.writing(wait=1), s.writing():
        s.upsert(ids=["x"], texts=["t"], metadatas=[{"k": 1}], embeddings=[unit(1, 0, 0)])
        assert s.delete(ids=["x"]) == 1
        s.upsert(ids=["y"], texts=["t"], metadatas=[{"k": 2}], embeddings=[unit(0, 1, 0)])
    assert [r.id for r in s.scan()] == ["y"]
    # Released: a plain write takes the lock for itself again.
    s.upsert(ids=["z"], texts=["t"], metadatas=[{"k": 3}], embeddings=[unit(0, 0, 1)])
    assert s.count() == 2


def test_check_finds_a_healthy_index(store: Store) -> None:
    health = store.check()
    assert health.ok and health.rows == health.indexed == 5 and health.missing == ()
    store.delete(ids=["a"])
    assert store.check().indexed == 4


def test_rebuild_keeps_every_record_and_gives_them_new_vectors(store: Store, make_store: MakeStore) -> None:
    before = {r.id: (r.text, r.metadata) for r in store.scan()}
    seen: list[str] = []

    def embed(records: Any) -> list[list[float]]:
        seen.extend(r.id for r in records)
        assert all(r.text == before[r.id][0] and r.metadata == before[r.id][1] for r in records)
        return [unit(0, 0, 1) if r.id == "a" else RECORDS[r.id][0] for r in records]

    assert store.rebuild(embed) == 5
    assert sorted(seen) == sorted(before)
    assert {r.id: (r.text, r.metadata) for r in store.scan()} == before
    assert store.check().ok and store.count() == 5
    # The new vectors are the ones searched, through this handle and a new one.
    assert store.query(unit(0, 0, 1), k=1)[0].id in {"a", "d"}
    assert {h.id for h in make_store().query(unit(0, 0, 1), k=2)} == {"a", "d"}
    assert matches(between("published", date(2022, 1, 10), None), store.get(ids=["b"])[0].metadata)
    assert [r.id for r in store.get(where=between("published", date(2022, 1, 10), date(2022, 2, 10)))] in (
        ["b", "c"],
        ["c", "b"],
    )


def test_a_second_handle_sees_the_data(store: Store, make_store: MakeStore) -> None:
    again = make_store()
    assert again.count() == 5
    assert ids_of(again.scan()) == ["a", "b", "c", "d", "e"]


def test_rebuild_reports_progress_and_a_failed_embed_leaves_the_store_as_it_was(
    make_store: MakeStore,
) -> None:
    s = make_store(page_size=2)
    ids = list(RECORDS)
    s.upsert(
        ids=ids,
        texts=[f"text of {i}" for i in ids],
        metadatas=[RECORDS[i][1] for i in ids],
        embeddings=[RECORDS[i][0] for i in ids],
    )
    steps: list[tuple[int, int]] = []
    assert (
        s.rebuild(lambda records: [RECORDS[r.id][0] for r in records], progress=lambda *a: steps.append(a))
        == 5
    )
    assert steps == [(2, 5), (4, 5), (5, 5)]
    with pytest.raises(ValueError, match="vectors for"):
        s.rebuild(lambda records: [unit(1, 1, 1)])  # one vector for a page of two
    assert s.count() == 5 and s.check().ok
    assert [h.id for h in s.query(unit(0, 0, 1), k=1)] == ["d"]


def test_writing_shuts_out_other_writers_on_an_embedded_store_only(
    make_store: MakeStore, request: pytest.FixtureRequest
) -> None:
    s, other = make_store(), make_store()
    refused: list[StoreBusy] = []

    def write() -> None:  # another thread: the embedded lock is exclusive across threads as across processes
        try:
            with other.writing(wait=0):
                other.upsert(ids=["x"], texts=["t"], metadatas=[{}], embeddings=[unit(1, 0, 0)])
        except StoreBusy as exc:
            refused.append(exc)

    with s.writing():
        writer = threading.Thread(target=write)
        writer.start()
        writer.join(60)
    if request.node.callspec.params["make_store"] == "embedded":
        [busy] = refused
        assert busy.holder == f"PID {os.getpid()}" and busy.since
        assert f"being written by PID {os.getpid()} since {busy.since}" in str(busy)
        assert s.count() == 0
    else:  # a server orders writes from many clients itself
        assert refused == [] and s.count() == 1


def test_where_takes_only_neutral_filters(store: Store) -> None:
    raw: Any = {"source": "alpha.com"}  # Chroma's own syntax: refused, so no caller comes to depend on it
    with pytest.raises(TypeError, match="vectorstore.filters"):
        store.get(where=raw)
    with pytest.raises(TypeError, match="vectorstore.filters"):
        store.query(unit(1, 0, 0), k=2, where=raw)
    with pytest.raises(TypeError, match="vectorstore.filters"):
        list(store.scan(where=raw))
    with pytest.raises(TypeError, match="vectorstore.filters"):
        store.delete(where=raw)
    assert store.count() == 5


# --- the protocol itself ----------------------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]
PROTOCOL = sorted(name for name in vars(Store) if not name.startswith("_"))
# Names bound to something that is not a vectorstore store, by file.
NOT_A_STORE = {
    ("eval/pipelines/baseline.py", "self.store"),  # the tutorial's LangChain Chroma
    ("ui/public.py", "store"),  # the store folder's Path
}


def test_store_declares_every_operation_rag_ui_and_eval_call() -> None:
    used: dict[str, set[str]] = {}
    for package in ("rag", "ui", "eval"):
        for path in sorted((ROOT / package).rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if not isinstance(node, ast.Attribute):
                    continue
                base = node.value
                named = base.id if isinstance(base, ast.Name) else getattr(base, "attr", None)
                if named == "store" and (rel, ast.unparse(base)) not in NOT_A_STORE:
                    used.setdefault(node.attr, set()).add(rel)
    assert {"count", "scan", "query", "upsert", "writing"} <= set(used)  # the scan finds the callers
    undeclared = {name: sorted(files) for name, files in used.items() if name not in PROTOCOL}
    assert undeclared == {}


def test_the_store_matches_the_protocol_signatures() -> None:
    assert PROTOCOL == [
        "check",
        "count",
        "delete",
        "get",
        "keyword",
        "location",
        "query",
        "rebuild",
        "scan",
        "upsert",
        "writing",
    ]
    for name in PROTOCOL:
        declared, built = getattr(Store, name), getattr(ChromaStore, name)
        if isinstance(declared, property):
            assert isinstance(built, property), name
            continue
        assert inspect.signature(built) == inspect.signature(declared), name
        assert inspect.getdoc(declared), f"Store.{name} says why it is there"


def test_open_store_needs_a_folder_or_a_url_and_a_url_wins(tmp_path: Path) -> None:
    with pytest.raises(StoreUnavailable, match="no store folder and no Chroma URL"):
        open_store()
    assert open_store(path=tmp_path / "s", collection="probe").location == str(tmp_path / "s")
    # Port 9 (discard) on localhost is refused at once: the folder was not used instead.
    with pytest.raises(StoreUnavailable, match="127.0.0.1"):
        open_store(path=tmp_path / "unused", url="http://127.0.0.1:9")
    assert not (tmp_path / "unused").exists()


# --- filters ----------------------------------------------------------------------------------------


def test_get_with_each_filter_kind(store: Store) -> None:
    assert ids_of(store.get(where=eq("source", "alpha.com"))) == ["a", "c"]
    assert ids_of(store.get(where=any_of("article_id", ["art-1", "art-3", "nope"]))) == ["a", "b", "d"]
    assert ids_of(store.get(where=between("published", date(2022, 1, 10), date(2022, 2, 1)))) == ["b", "c"]
    assert ids_of(store.get(where=between("published", gte=date(2022, 2, 1)))) == ["c", "d"]
    # A record without a date never matches a date range, even an open-ended one.
    assert ids_of(store.get(where=between("published", lte=date(2022, 1, 15)))) == ["a", "b"]
    both = all_of(between("published", date(2022, 1, 10), date(2022, 2, 28)), any_of("source", ["alpha.com"]))
    assert ids_of(store.get(where=both)) == ["c"]
    assert store.get(where=any_of("source", [])) == []
    assert store.get(where=eq("source", "nowhere.org")) == []


def test_get_without_texts_and_with_limit(store: Store) -> None:
    records = store.get(where=eq("source", "gamma.com"), texts=False)
    assert [(r.id, r.text, r.metadata["article_id"]) for r in records] == [("d", "", "art-3")]
    assert len(store.get(limit=2)) == 2


def test_numeric_ranges_and_kinds(make_store: MakeStore) -> None:
    s = make_store()
    values: list[Any] = [1, 2.5, True, "3", 7, -1]
    ids = [f"n{i}" for i in range(len(values))]
    s.upsert(
        ids=ids,
        texts=["t"] * len(ids),
        metadatas=[{"n": v} for v in values],
        embeddings=[unit(1, i + 1, 0) for i in range(len(ids))],
    )
    # Bools and strings are not numbers; ints and floats compare as numbers.
    assert ids_of(s.get(where=between("n", 0, 5))) == ["n0", "n1"]
    assert ids_of(s.get(where=between("n", lte=1.0))) == ["n0", "n5"]
    assert ids_of(s.get(where=eq("n", 1.0))) == ["n0"]
    assert ids_of(s.get(where=eq("n", True))) == ["n2"]
    assert ids_of(s.get(where=any_of("n", [7.0, "3"]))) == ["n3", "n4"]


# --- scan -------------------------------------------------------------------------------------------


def test_scan_pages_through_every_record(make_store: MakeStore) -> None:
    s = make_store(page_size=3)
    ids = [f"id{i:02d}" for i in range(10)]
    s.upsert(
        ids=ids,
        texts=[f"text {i}" for i in ids],
        metadatas=[{"n": n, "even": n % 2 == 0} for n in range(10)],
        embeddings=[unit(1, n + 1, 0) for n in range(10)],
    )
    seen = list(s.scan())
    assert sorted(r.id for r in seen) == ids and len(seen) == 10
    assert all(r.text == f"text {r.id}" for r in seen)
    evens = list(s.scan(texts=False, where=eq("even", True)))
    assert sorted(r.metadata["n"] for r in evens) == [0, 2, 4, 6, 8]
    assert all(r.text == "" for r in evens)
    # An exact multiple of the page size also ends cleanly.
    s.delete(ids=["id09"])
    assert len(list(s.scan())) == 9
    assert list(s.scan(where=any_of("n", []))) == []


# --- query ------------------------------------------------------------------------------------------


def test_query_ranks_by_cosine(store: Store) -> None:
    hits = store.query(unit(1, 0, 0), k=5)
    assert len(hits) == 5 and hits[0].id == "a"
    scores = [h.score for h in hits]
    assert scores == sorted(scores, reverse=True)
    by_id = {h.id: h.score for h in hits}
    assert by_id["a"] == pytest.approx(1.0, abs=1e-5)
    assert by_id["b"] == pytest.approx(math.sqrt(0.5), abs=1e-5)
    assert by_id["e"] == pytest.approx(math.sqrt(0.5), abs=1e-5)
    assert by_id["c"] == pytest.approx(0.0, abs=1e-5)
    assert by_id["d"] == pytest.approx(0.0, abs=1e-5)
    assert hits[0].text == "text of a" and hits[0].metadata["source"] == "alpha.com"
    assert [h.id for h in store.query(unit(0, 1, 0), k=1)] == ["c"]


def test_query_with_filters(store: Store) -> None:
    only_alpha = store.query(unit(1, 0, 0), k=5, where=eq("source", "alpha.com"))
    assert [h.id for h in only_alpha] == ["a", "c"]
    dated = store.query(unit(0, 0, 1), k=5, where=between("published", date(2022, 1, 10), date(2022, 2, 28)))
    assert sorted(h.id for h in dated) == ["b", "c"]
    assert store.query(unit(1, 0, 0), k=5, where=eq("source", "nowhere.org")) == []
    assert store.query(unit(1, 0, 0), k=5, where=any_of("source", [])) == []


def test_query_k_larger_than_the_collection(store: Store) -> None:
    assert len(store.query(unit(0, 1, 0), k=50)) == 5
    with pytest.raises(ValueError):
        store.query(unit(0, 1, 0), k=0)


def test_empty_collection(make_store: MakeStore) -> None:
    s = make_store()
    assert s.count() == 0
    assert s.query(unit(1, 0, 0), k=3) == []
    assert s.get() == [] and list(s.scan()) == []
    assert s.delete(where=eq("source", "x")) == 0


# --- delete -----------------------------------------------------------------------------------------


def test_delete_by_filter_and_ids_returns_counts(store: Store) -> None:
    assert store.delete(where=eq("source", "alpha.com")) == 2
    assert store.count() == 3
    assert store.delete(ids=["b", "missing"]) == 1
    assert store.delete(ids=[]) == 0
    assert store.delete(where=eq("source", "nowhere.org")) == 0
    assert store.delete(where=any_of("source", [])) == 0
    assert ids_of(store.scan()) == ["d", "e"]
    assert [h.id for h in store.query(unit(1, 0, 0), k=5)] == ["e", "d"]
    with pytest.raises(ValueError):
        store.delete()


# --- the filter's Python test agrees with the store -------------------------------------------------

_STRS = ["alpha", "beta", "", "Ωmega"]
_NUMS: list[Any] = [0, 1, 2, -3, -2, 1.0, 2.5, -2.5, 0.1, 1e10, True, False, "1"]
_DATES: list[Any] = [
    date(2021, 12, 31),
    date(2022, 1, 1),
    date(2022, 6, 15),
    date(2023, 2, 28),
    "",
    "2022-03-01",
]


def _random_records(seed: int, n: int = 60) -> list[tuple[str, dict[str, Any]]]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        meta: dict[str, Any] = {}
        if rng.random() < 0.85:
            meta["s"] = rng.choice(_STRS)
        if rng.random() < 0.85:
            meta["n"] = rng.choice(_NUMS)
        if rng.random() < 0.85:
            meta["d"] = rng.choice(_DATES)
        if rng.random() < 0.5:
            meta["flag"] = rng.random() < 0.5
        out.append((f"r{i:03d}", meta))
    return out


_scalars = st.sampled_from(_STRS + _NUMS + [3, 99])
_keys = st.sampled_from(["s", "n", "flag", "absent"])
_num_bounds = st.one_of(st.none(), st.sampled_from([-5, -2.5, -2, -1.5, 0, 1, 1.0, 2, 2.5, 0.05, 1e9, 1e11]))
_day_bounds = st.one_of(st.none(), st.dates(min_value=date(2021, 6, 1), max_value=date(2023, 6, 1)))


@st.composite
def _clause(draw: st.DrawFn) -> Filter:
    kind = draw(st.sampled_from(["eq", "in", "num", "date"]))
    if kind == "eq":
        return Eq(draw(_keys), draw(_scalars))
    if kind == "in":
        return In(draw(_keys), tuple(draw(st.lists(_scalars, max_size=4))))
    if kind == "num":
        lo, hi = draw(_num_bounds), draw(_num_bounds)
        if lo is None and hi is None:
            lo = 0
        return Range("n", lo, hi)
    lo_d, hi_d = draw(_day_bounds), draw(_day_bounds)
    if lo_d is None and hi_d is None:
        hi_d = date(2022, 1, 1)
    return Range("d", lo_d, hi_d)


_filters = st.lists(_clause(), min_size=1, max_size=3).map(
    lambda cs: cs[0] if len(cs) == 1 else And(tuple(cs))
)


@pytest.fixture
def random_store(make_store: MakeStore) -> tuple[Store, dict[str, dict[str, Any]]]:
    s = make_store()
    records = _random_records(seed=20260101)
    s.upsert(
        ids=[i for i, _ in records],
        texts=[f"text {i}" for i, _ in records],
        metadatas=[m for _, m in records],
        embeddings=[unit(1, (n % 7) + 1, n % 3) for n in range(len(records))],
    )
    stored = {r.id: r.metadata for r in s.scan(texts=False)}
    assert len(stored) == len(records)
    return s, stored


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(where=_filters)
def test_matches_agrees_with_the_store(
    random_store: tuple[Store, dict[str, dict[str, Any]]], where: Filter
) -> None:
    store, stored = random_store
    expected = sorted(i for i, meta in stored.items() if matches(where, meta))
    assert ids_of(store.get(where=where, texts=False)) == expected
    hits = store.query(unit(1, 1, 1), k=len(stored), where=where)
    assert sorted(h.id for h in hits) == expected


def test_the_random_records_exercise_every_kind(
    random_store: tuple[Store, dict[str, dict[str, Any]]],
) -> None:
    # Guards the agreement test against a dataset too plain to tell anything apart.
    _, stored = random_store
    kinds = {type(m["n"]) for m in stored.values() if "n" in m}
    assert kinds == {int, float, bool, str}
    assert any(m.get("d") == "" for m in stored.values())
    assert any("d" not in m for m in stored.values())
    assert sum(1 for m in stored.values() if Range("d", date(2022, 1, 1), date(2022, 12, 31)).matches(m)) > 5


# --- the filter type itself -------------------------------------------------------------------------


def test_filters_are_frozen_and_checked() -> None:
    f = eq("source", "a")
    with pytest.raises(AttributeError):
        f.key = "other"  # type: ignore[misc]
    assert hash(any_of("k", ["a", "b"])) == hash(In("k", ("a", "b")))
    with pytest.raises(ValueError):
        Range("published")
    with pytest.raises(TypeError):
        between("published", date(2022, 1, 1), 20220301)
    with pytest.raises(TypeError):
        eq("published", date(2022, 1, 1))
    with pytest.raises(TypeError):
        any_of("source", "alpha.com")
    with pytest.raises(ValueError):
        eq("", "x")
    assert all_of() is None and all_of(None, f) == f
    assert all_of(f, And((f, f))) == And((f, f, f))


def test_matches_in_python() -> None:
    meta = {"source": "a.com", "published": "2022-01-26", "published_int": 20220126, "n": 2, "t": True}
    assert matches(None, meta)
    assert matches(between("published", date(2022, 1, 26), date(2022, 1, 26)), meta)
    assert not matches(between("published", gte=date(2022, 1, 27)), meta)
    assert not matches(between("published", lte=date(2022, 1, 1)), {"published": ""})
    assert matches(eq("n", 2.0), meta) and not matches(eq("t", 1), meta) and not matches(eq("n", "2"), meta)
    assert not matches(between("t", 0, 5), meta)
    assert not matches(eq("missing", ""), meta)
