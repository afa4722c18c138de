"""``kill -9`` in the middle of ``newsdesk ingest`` loses nothing: the next ingest puts the store right.

The real CLI with the real embedder runs in subprocesses over a small synthetic corpus. Each run
is killed at a seeded random moment after it took the store's write lock (so while it embeds and
writes); the next run ingests the same folder again, plus a few new articles so that it too has
work to be killed in. After 12 kills during ingest and 3 during an update of changed articles, one
ingest that is left to finish must leave the store identical to a clean ingest of the same folder:
the same article ids, the same chunk ids with the same texts and content hashes, and as many
vectors in the index as rows in the table (``ChromaStore.check``).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from vectorstore import ChromaStore
from vectorstore.writelock import INFO_NAME

pytestmark = pytest.mark.slow

SEED = 20260110
KILLS_DURING_INGEST = 12
KILLS_DURING_UPDATE = 3
MAX_RUNS = 40  # a run that finishes before its kill does not count; this bounds the loop
RUN_TIMEOUT = 180.0

WORDS = (
    "harbour council minister bridge election storm market river school hospital train union budget "
    "festival museum court police farmer energy price tunnel ferry library parliament drought"
).split()


def article_text(i: int, version: int) -> str:
    rng = random.Random(f"{i}-{version}")
    sentences = [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 16))).capitalize() + "."
        for _ in range(rng.randint(14, 26))
    ]
    day = f"2023-{1 + i % 9:02d}-{10 + i % 18}"
    return f"Story {i} about the {rng.choice(WORDS)}\n{day}\nhttps://example.com/news/{i}\n{' '.join(sentences)}\n"


def write_articles(folder: Path, ids: range | list[int], version: int = 0) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for i in ids:
        (folder / f"story-{i:03d}.txt").write_text(article_text(i, version), encoding="utf-8")


def env() -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.upper().startswith("NEWSDESK_")}
    clean["NEWSDESK_EMBEDDER"] = "minilm"
    return clean


def command(folder: Path, store: Path) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from rag.cli import main; main()",
        "ingest",
        str(folder),
        "--store",
        str(store),
    ]


def ingest(folder: Path, store: Path, cwd: Path) -> dict[str, Any]:
    done = subprocess.run(
        [*command(folder, store), "--json"],
        cwd=cwd,
        env=env(),
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT,
    )
    assert done.returncode == 0, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    assert report["failed"] == []
    return report


def lock_holder(store: Path) -> int | None:
    try:
        return json.loads((store / INFO_NAME).read_text(encoding="utf-8")).get("pid")
    except (OSError, ValueError):
        return None


def ingest_and_kill(folder: Path, store: Path, cwd: Path, delay: float) -> bool:
    """Starts an ingest and kills it ``delay`` seconds after it took the write lock; False if it finished first."""
    proc = subprocess.Popen(
        command(folder, store), cwd=cwd, env=env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + RUN_TIMEOUT
        while lock_holder(store) != proc.pid:
            if proc.poll() is not None:
                break
            assert time.monotonic() < deadline, "the ingest never took the write lock"
            time.sleep(0.01)
        if proc.poll() is None:
            time.sleep(delay)
        if proc.poll() is not None:
            _, err = proc.communicate()
            assert proc.returncode == 0, err.decode(errors="replace")
            return False
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        return proc.returncode == -signal.SIGKILL
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        if proc.stderr:
            proc.stderr.close()


def snapshot(store: Path) -> dict[str, Any]:
    """What a store holds: chunk id -> (article id, content hash, text digest), and its index's health."""
    s = ChromaStore(path=store)
    chunks = {
        r.id: (
            r.metadata.get("article_id"),
            r.metadata.get("content_hash"),
            hashlib.sha1(r.text.encode()).hexdigest(),
        )
        for r in s.scan()
    }
    health = s.check()
    return {"chunks": chunks, "count": s.count(), "health": health}


def assert_same(store: Path, reference: Path) -> dict[str, Any]:
    got, want = snapshot(store), snapshot(reference)
    assert want["chunks"], "the reference ingest stored nothing"
    assert {a for a, _, _ in got["chunks"].values()} == {a for a, _, _ in want["chunks"].values()}
    assert set(got["chunks"]) == set(want["chunks"])
    assert got["chunks"] == want["chunks"]
    assert got["count"] == len(got["chunks"]) == got["health"].rows == got["health"].indexed
    assert got["health"].ok, got["health"]
    return got


def kill_loop(
    folder: Path, store: Path, cwd: Path, kills: int, rng: random.Random, more_work: Any, max_delay: float
) -> tuple[int, int]:
    """Kills ingests of ``folder`` until ``kills`` were killed; ``more_work()`` adds work after a run finishes."""
    killed = finished = 0
    for _ in range(MAX_RUNS):
        if killed == kills:
            break
        if ingest_and_kill(folder, store, cwd, rng.uniform(0.0, max_delay)):
            killed += 1
        else:
            finished += 1
        more_work()
    assert killed == kills, f"only {killed} of {kills} runs were killed ({finished} finished first)"
    return killed, finished


def test_kill_9_during_ingest_and_update_leaves_the_store_as_a_clean_ingest(tmp_path: Path) -> None:
    rng = random.Random(SEED)
    folder, store = tmp_path / "articles", tmp_path / "store"
    next_id = 18
    write_articles(folder, range(next_id))

    def add_articles() -> None:  # each run after a kill re-ingests the folder and finds a few new articles
        nonlocal next_id
        write_articles(folder, range(next_id, next_id + 2))
        next_id += 2

    killed, finished = kill_loop(folder, store, tmp_path, KILLS_DURING_INGEST, rng, add_articles, 1.5)
    first = ingest(folder, store, tmp_path)
    assert first["articles_added"] + first["articles_updated"] + first["articles_unchanged"] == next_id
    again = ingest(folder, store, tmp_path)  # finished: nothing left to do
    assert (again["articles_added"], again["articles_updated"], again["chunks_added"]) == (0, 0, 0)
    update_store = tmp_path / "updated"  # a copy, so each store is opened in this process once, at the end
    shutil.copytree(store, update_store)
    reference = tmp_path / "reference"
    ingest(folder, reference, tmp_path)
    after_ingest = assert_same(store, reference)

    # An update: changed articles replace their chunks; kill it part-way, several times.
    version = 1

    def change_articles() -> None:  # after a finished run, change other articles so there is work again
        nonlocal version
        version += 1
        write_articles(folder, rng.sample(range(next_id), 6), version)

    write_articles(folder, rng.sample(range(next_id), 8), version + 1)
    version += 1
    kill_loop(folder, update_store, tmp_path, KILLS_DURING_UPDATE, rng, change_articles, 1.0)
    ingest(folder, update_store, tmp_path)
    clean_update = tmp_path / "reference-updated"
    ingest(folder, clean_update, tmp_path)
    after_update = assert_same(update_store, clean_update)
    print(
        f"\nkill -9: {killed} during ingest ({finished} runs finished first), {KILLS_DURING_UPDATE} during updates; "
        f"{len(after_ingest['chunks'])} and {len(after_update['chunks'])} chunks, identical to clean ingests"
    )
