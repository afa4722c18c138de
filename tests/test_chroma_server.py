"""The same store code against a real Chroma server (``chroma run``), as a user who outgrows one machine."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from vectorstore import ChromaStore, StoreUnavailable


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    chroma = shutil.which("chroma") or str(Path(sys.executable).with_name("chroma"))
    if not Path(chroma).exists():
        pytest.skip("the chroma command is not installed")
    port = _free_port()
    folder = tmp_path_factory.mktemp("chroma-server")
    proc = subprocess.Popen(
        [chroma, "run", "--path", str(folder), "--host", "127.0.0.1", "--port", str(port)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                ChromaStore(url=url, collection="probe")
                break
            except StoreUnavailable:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("chroma run did not start within 60 s")
                time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_store_round_trip_through_a_chroma_server(server_url: str) -> None:
    store = ChromaStore(url=server_url, collection="round-trip")
    store.upsert(
        ids=["a", "b"],
        texts=["UK sends 2,000 launchers", "Troops in Estonia"],
        metadatas=[{"article_id": "x", "published_int": 20220121}, {"article_id": "y", "published_int": 20220126}],
        embeddings=[[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
    )
    assert store.count() == 2
    hits = store.query([0.9, 0.1, 0.0], k=2)
    assert [h.id for h in hits] == ["a", "b"] and hits[0].score > hits[1].score
    assert [h.id for h in store.query([1.0, 0.0, 0.0], k=2, where={"published_int": {"$gte": 20220125}})] == ["b"]
    assert store.delete(where={"article_id": "x"}) == 1
    # A second client sees what the first wrote: the data lives in the server.
    assert ChromaStore(url=server_url, collection="round-trip").count() == 1


def test_unreachable_server_is_one_clear_error() -> None:
    with pytest.raises(StoreUnavailable, match="cannot open the Chroma store at http://127.0.0.1:9"):
        ChromaStore(url="http://127.0.0.1:9", collection="x")
