"""A full disk and a damaged store reach the user as one typed line, never a traceback.

The failures are real: a 1 MB tmpfs that ingest fills (root only: skipped where mounting is
not permitted), a file size limit (``RLIMIT_FSIZE``, anywhere on Linux), and store files
overwritten with random bytes. The CLI runs in a subprocess with the bag-of-words embedder,
so the tests need no model and take seconds.
"""

from __future__ import annotations

import os
import random
import resource
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fakes import HashEmbeddings

from rag.api import Newsdesk
from rag.errors import StoreError
from rag.settings import Settings
from vectorstore.chroma import sqlite_rows

ROOT = Path(__file__).resolve().parents[1]
TESTS = Path(__file__).resolve().parent
FULL = "no space left on the device holding the store"
ADVICE = "free space or use another --store"

# The real CLI, with the instant bag-of-words embedder instead of MiniLM.
CLI = (
    "import sys; sys.path.insert(0, sys.argv.pop(1)); "
    "import rag.cli; from fakes import HashEmbeddings; from rag.api import Newsdesk; "
    "rag.cli._desk = lambda s: Newsdesk(s, embedder=HashEmbeddings()); "
    "sys.argv[0] = 'newsdesk'; rag.cli.main()"
)

WORDS = (
    "harbour council minister bridge election storm market river school hospital train union "
    "budget festival museum court police farmer energy price"
).split()


def write_corpus(folder: Path, n: int, seed: int = 1) -> Path:
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        sentences = [" ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "." for _ in range(40)]
        (folder / f"a{i:03d}.txt").write_text(
            f"Story {i} about the {rng.choice(WORDS)}\n2023-0{1 + i % 9}-1{i % 9}\n{' '.join(sentences)}\n",
            encoding="utf-8",
        )
    return folder


def newsdesk(cwd: Path, *args: str, limit: int | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("NEWSDESK_")}

    def limited() -> None:  # in the child: writes past `limit` bytes fail with EFBIG instead of killing it
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        if limit is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-c", CLI, str(TESTS), *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=limited,
    )


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single ``error:`` line the CLI printed, after checking nothing else went to stderr."""
    assert "Traceback" not in result.stdout + result.stderr, result.stderr
    assert result.returncode == 1, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: "), lines
    return lines[0]


@pytest.fixture
def tiny_fs(tmp_path: Path) -> Iterator[Path]:
    """A 1 MB tmpfs, mounted for the test and unmounted after it."""
    mount_point = tmp_path / "tiny"
    mount_point.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root; the RLIMIT_FSIZE test covers a full device instead")
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount_point)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {done.stderr.strip()}")
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], check=False)


def fill(folder: Path) -> None:
    """Takes every free byte left on the device holding ``folder``."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        for _ in range(1 << 20):  # bounded: 4 GB at most
            if os.write(fd, b"\0" * 4096) < 4096:
                break
    except OSError:
        pass
    finally:
        os.close(fd)


def test_a_full_device_is_one_line_in_every_command(tiny_fs: Path, tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", 120)
    store = tiny_fs / "store"

    line = one_error_line(newsdesk(tmp_path, "ingest", str(corpus), "--store", str(store)))
    assert FULL in line and ADVICE in line and str(store) in line

    fill(tiny_fs)  # not a byte left: opening, reading and writing all meet the full device
    for args in (
        ("stats",),
        ("ask", "What happened at the harbour?"),
        ("ingest", str(corpus / "a000.txt")),
    ):
        line = one_error_line(newsdesk(tmp_path, *args, "--store", str(store)))
        assert FULL in line and ADVICE in line, (args, line)
    # A new store on the full device: its write lock's sidecar cannot be written.
    line = one_error_line(newsdesk(tmp_path, "stats", "--store", str(tiny_fs / "new")))
    assert FULL in line and ADVICE in line


def test_a_full_device_through_the_library_is_a_store_error(tiny_fs: Path, tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", 120)
    desk = Newsdesk(Settings(store=tiny_fs / "lib-store"), embedder=HashEmbeddings())
    with pytest.raises(StoreError) as caught:
        desk.ingest([corpus])
    assert FULL in str(caught.value) and ADVICE in str(caught.value)
    assert "\n" not in str(caught.value)


def test_a_file_size_limit_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    corpus = write_corpus(tmp_path / "corpus", 60)
    store = tmp_path / "store"
    line = one_error_line(newsdesk(tmp_path, "ingest", str(corpus), "--store", str(store), limit=300_000))
    assert str(store) in line and "--store" in line


def _ingested(tmp_path: Path, store: Path, *, index_every: int | None = None) -> None:
    if index_every:  # Chroma writes its vector index files every `index_every` records instead of 1000
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        client = chromadb.PersistentClient(
            path=str(store), settings=ChromaSettings(anonymized_telemetry=False)
        )
        client.create_collection(
            "newsdesk",
            metadata={
                "hnsw:space": "cosine",
                "hnsw:sync_threshold": index_every,
                "hnsw:batch_size": index_every,
            },
            embedding_function=None,
        )
    result = newsdesk(tmp_path, "ingest", str(write_corpus(tmp_path / "corpus", 10)), "--store", str(store))
    assert result.returncode == 0, result.stderr


def scramble(path: Path) -> None:
    path.write_bytes(random.Random(path.name).randbytes(path.stat().st_size))


def test_a_damaged_database_is_one_line(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _ingested(tmp_path, store)
    scramble(store / "chroma.sqlite3")
    for args in (("stats",), ("ingest", str(tmp_path / "corpus"))):
        line = one_error_line(newsdesk(tmp_path, *args, "--store", str(store)))
        assert "damaged" in line and "new --store" in line, (args, line)


def test_a_damaged_vector_index_is_one_line_and_a_store_error(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _ingested(tmp_path, store, index_every=10)
    index_files = sorted(store.glob("*/*.bin"))
    assert index_files, "Chroma wrote no index files"
    for path in index_files:
        scramble(path)
    for args in (("stats",), ("ask", "What happened at the harbour?"), ("ingest", str(tmp_path / "corpus"))):
        line = one_error_line(newsdesk(tmp_path, *args, "--store", str(store)))
        assert "damaged" in line and str(store) in line, (args, line)
    desk = Newsdesk(Settings(store=store), embedder=HashEmbeddings())
    with pytest.raises(StoreError, match="damaged"):
        desk.stats()
    with pytest.raises(StoreError, match="damaged"):
        desk.retrieve("What happened at the harbour?")


def _rows(store: Path) -> dict[str, tuple[str, Any]]:
    total, pages = sqlite_rows(store / "chroma.sqlite3", "newsdesk", 7)
    rows = {r.id: (r.text, r.metadata) for page in pages for r in page}
    assert len(rows) == total
    return rows


def test_repair_rebuilds_a_damaged_vector_index_from_what_sqlite_holds(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _ingested(tmp_path, store, index_every=10)
    healthy = Newsdesk(Settings(store=store), embedder=HashEmbeddings()).retrieve("harbour council")
    before = _rows(store)
    assert len(before) > 20
    for path in sorted(store.glob("*/*.bin")):
        scramble(path)
    check = newsdesk(tmp_path, "stats", "--check", "--store", str(store))
    assert "newsdesk repair" in one_error_line(check)

    repaired = newsdesk(tmp_path, "repair", "--store", str(store))
    assert repaired.returncode == 0, repaired.stderr
    assert "Traceback" not in repaired.stderr
    n = len(before)
    assert f"rebuilt the index: {n} chunks (the old index could not be read; {n} have now)" in repaired.stdout

    assert _rows(store) == before  # every text and metadata kept as stored
    after = newsdesk(tmp_path, "stats", "--check", "--store", str(store))
    assert after.returncode == 0, after.stderr
    assert f"index ok: all {n} chunks have their vectors" in after.stdout
    desk = Newsdesk(Settings(store=store), embedder=HashEmbeddings())
    again = desk.retrieve("harbour council")
    assert [p.chunk_id for p in again.passages] == [p.chunk_id for p in healthy.passages]


def test_a_repair_stopped_mid_swap_is_finished_on_the_next_open(tmp_path: Path) -> None:
    store = tmp_path / "store"
    _ingested(tmp_path, store)
    before = _rows(store)
    # The moment a killed repair can leave behind: the old collection moved aside, the new one gone.
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    client = chromadb.PersistentClient(path=str(store), settings=ChromaSettings(anonymized_telemetry=False))
    client.get_collection("newsdesk").modify(name="newsdesk.old")
    del client
    result = newsdesk(tmp_path, "stats", "--check", "--store", str(store))
    assert result.returncode == 0, result.stderr
    assert f"index ok: all {len(before)} chunks" in result.stdout
    assert _rows(store) == before
