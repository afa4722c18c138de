"""One writer at a time on an embedded store, proven with real processes.

Before the write lock, two processes upserting into one folder at once both
reported success while the vector index lost rows (5,750 of 6,000 found), the
store segfaulted on open, or a writer died on "table collections already exists".
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import pytest

from vectorstore import ChromaStore, StoreBusy

PER_WRITER = 2000
DIM = 32

_WRITER = """
import json, random, sys
from pathlib import Path
from vectorstore import ChromaStore, StoreBusy
path, prefix, n, wait, dim = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5])
rng = random.Random(prefix)
try:
    store = ChromaStore(path=path, collection="race", write_wait=wait)
    with store.writing(wait=wait):
        for start in range(0, n, 250):
            ids = [f"{prefix}-{i}" for i in range(start, min(n, start + 250))]
            store.upsert(ids=ids, texts=[prefix] * len(ids), metadatas=[{"writer": prefix}] * len(ids),
                         embeddings=[[rng.random() for _ in range(dim)] for _ in ids])
    print(json.dumps({"ok": True}))
except StoreBusy as exc:
    print(json.dumps({"ok": False, "busy": str(exc)}))
"""

_HOLDER = """
import sys
from pathlib import Path
from vectorstore import ChromaStore
store = ChromaStore(path=Path(sys.argv[1]), collection="race")
with store.writing():
    print("holding", flush=True)
    sys.stdin.read()
"""


def _race(folder: Path, wait: float) -> list[dict[str, object]]:
    """Two writer processes started together on one folder; their JSON reports."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(folder), prefix, str(PER_WRITER), str(wait), str(DIM)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for prefix in ("A", "B")
    ]
    reports = []
    for proc in procs:
        out, err = proc.communicate(timeout=300)
        assert proc.returncode == 0, err[-2000:]
        reports.append(json.loads(out.strip().splitlines()[-1]))
    return reports


def _consistent(folder: Path, expected: int) -> None:
    store = ChromaStore(path=folder, collection="race")
    health = store.check()
    assert health.ok, health
    assert store.count() == health.rows == health.indexed == expected


@pytest.mark.parametrize("run", range(3))
def test_a_second_writer_is_refused_with_who_and_since(tmp_path: Path, run: int) -> None:
    reports = _race(tmp_path / "store", wait=0)
    assert sorted(r["ok"] for r in reports) == [False, True], reports
    [refused] = [str(r["busy"]) for r in reports if not r["ok"]]
    assert re.fullmatch(
        rf"store {re.escape(str(tmp_path / 'store'))} is busy: being written by PID \d+ "
        r"since \d{4}-\d\d-\d\d \d\d:\d\d:\d\d \(waited 0 s\); try again when it finishes, "
        r"or use a Chroma server for several writers",
        refused,
    ), refused
    _consistent(tmp_path / "store", PER_WRITER)


@pytest.mark.parametrize("run", range(2))
def test_a_waiting_writer_lands_after_the_first(tmp_path: Path, run: int) -> None:
    reports = _race(tmp_path / "store", wait=120)
    assert all(r["ok"] for r in reports), reports
    _consistent(tmp_path / "store", 2 * PER_WRITER)


@pytest.fixture
def held(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Another process holding the store's write lock until the test ends."""
    ChromaStore(path=tmp_path / "store", collection="race")
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(tmp_path / "store")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
    try:
        yield tmp_path / "store"
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait(timeout=60)


def test_every_write_takes_the_lock(held: Path) -> None:
    store = ChromaStore(path=held, collection="race")
    with pytest.raises(StoreBusy, match=r"being written by PID \d+"):
        store.upsert(ids=["x"], texts=["t"], metadatas=[{"k": 1}], embeddings=[[1.0, 0.0]])
    with pytest.raises(StoreBusy):
        store.delete(ids=["x"])
    with pytest.raises(StoreBusy, match=r"waited 1 s"):
        store.writing(wait=0.6).__enter__()
    # Reading needs no lock.
    assert store.count() == 0


def test_writes_go_through_once_the_holder_is_gone(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    ChromaStore(path=folder, collection="race")
    proc = subprocess.Popen(
        [sys.executable, "-c", _HOLDER, str(folder)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "holding"
    store = ChromaStore(path=folder, collection="race", write_wait=60)
    done = threading.Event()

    def write() -> None:
        store.upsert(ids=["x"], texts=["t"], metadatas=[{"k": 1}], embeddings=[[1.0, 0.0]])
        done.set()

    writer = threading.Thread(target=write)
    writer.start()
    assert not done.wait(1.0)  # still waiting for the other process
    assert proc.stdin is not None
    proc.stdin.close()
    proc.wait(timeout=60)
    writer.join(timeout=60)
    assert done.is_set() and store.count() == 1


def test_another_thread_cannot_write_while_one_holds_the_lock(tmp_path: Path) -> None:
    store = ChromaStore(path=tmp_path / "store", collection="race")
    errors: list[BaseException] = []

    def write() -> None:
        try:
            store.upsert(ids=["y"], texts=["t"], metadatas=[{"k": 2}], embeddings=[[0.0, 1.0]])
        except BaseException as exc:
            errors.append(exc)

    with store.writing():
        store.upsert(ids=["x"], texts=["t"], metadatas=[{"k": 1}], embeddings=[[1.0, 0.0]])
        other = threading.Thread(target=write)
        other.start()
        other.join(timeout=60)
    assert len(errors) == 1 and isinstance(errors[0], StoreBusy)
    assert [r.id for r in store.scan()] == ["x"]


def _write_elsewhere(folder: Path, prefix: str, n: int) -> dict[str, Any]:
    """``n`` records written to ``folder`` by another process (``_WRITER``); its JSON report."""
    out = subprocess.run(
        [sys.executable, "-c", _WRITER, str(folder), prefix, str(n), "0", str(DIM)],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    report: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    return report


def test_a_long_lived_reader_sees_what_another_process_wrote(tmp_path: Path) -> None:
    folder = tmp_path / "store"
    reader = ChromaStore(path=folder, collection="race")
    reader.upsert(ids=["mine"], texts=["t"], metadatas=[{"k": 1}], embeddings=[[1.0] * DIM])
    assert reader.count() == 1 and len(reader.query([1.0] * DIM, k=10)) == 1
    assert _write_elsewhere(folder, "C", 600)["ok"]
    # Without reopening, the reader's client would still see only its own row.
    assert reader.count() == 601
    health = reader.check()
    assert health.ok and health.indexed == 601
    # HNSW is approximate, so a query for every row comes back a few short; most must be there.
    assert len(reader.query([1.0] * DIM, k=1000)) >= 500
    # And its own writes after that land in the index the other process extended.
    reader.upsert(ids=["mine2"], texts=["t"], metadatas=[{"k": 2}], embeddings=[[0.5] * DIM])
    assert reader.check().indexed == 602


def test_a_count_is_read_once_until_any_connection_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Chroma counts by scanning (70 ms at a million records): the store keeps its count until
    SQLite's data_version says a write was committed, here or in another process."""
    folder = tmp_path / "store"
    store = ChromaStore(path=folder, collection="race")
    store.upsert(ids=["a", "b"], texts=["t", "t"], metadatas=[{"k": 1}] * 2, embeddings=[[1.0] * DIM] * 2)
    counted: list[int] = []
    col = type(store._collection())  # type: ignore[attr-defined]
    real = col.count

    def spy(self: object) -> int:
        counted.append(1)
        return int(real(self))

    monkeypatch.setattr(col, "count", spy)
    assert store.count() == 2 and store.count() == 2 and store.count() == 2
    assert len(counted) == 1  # counted once, then remembered
    store.upsert(ids=["c"], texts=["t"], metadatas=[{"k": 1}], embeddings=[[0.5] * DIM])
    assert store.count() == 3 and len(counted) == 2  # its own write is seen
    store.delete(ids=["a"])
    assert store.count() == 2
    assert _write_elsewhere(folder, "D", 40)["ok"]
    assert store.count() == 42  # and another process's (the client reopened on it may write once more)
    store.count()
    before = len(counted)
    assert store.count() == 42 and store.count() == 42 and len(counted) == before
