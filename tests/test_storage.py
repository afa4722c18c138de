"""rag's edge with the store (``rag.storage``): opened from settings, its errors as rag's own."""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from rag.errors import EmbeddingError, StoreBusyError, StoreError
from rag.settings import Settings
from rag.storage import open_store, store_error, store_errors
from vectorstore import Store, StoreBusy, StoreDamaged, StoreFull, StoreUnavailable, VectorStoreError
from vectorstore.writelock import WriteLock


def test_a_busy_store_is_a_typed_rag_error_carrying_who_holds_it() -> None:
    busy = StoreBusy("store /x is busy: being written by PID 7", holder="PID 7", since="2024-05-01 10:00:00")
    err = store_error(busy)
    assert type(err) is StoreBusyError and isinstance(err, StoreError)
    assert str(err) == str(busy)  # the same line a person read before
    assert (err.holder, err.since) == ("PID 7", "2024-05-01 10:00:00")


@pytest.mark.parametrize(
    ("failure", "says"),
    [
        (StoreFull("no space left at /x"), "cannot write to the store: no space left at /x: free space"),
        (StoreDamaged("the store at /x failed"), "the store at /x failed: run `newsdesk repair`"),
        (StoreUnavailable("cannot open the Chroma store at /x"), "cannot open the Chroma store at /x"),
    ],
)
def test_other_store_failures_are_plain_store_errors_saying_what_to_do(
    failure: VectorStoreError, says: str
) -> None:
    err = store_error(failure)
    assert type(err) is StoreError and str(err).startswith(says)


def test_store_errors_maps_store_and_sqlite_failures_and_passes_the_rest() -> None:
    with pytest.raises(StoreBusyError) as caught, store_errors("/x"):
        raise StoreBusy("busy", holder="PID 7")
    assert caught.value.holder == "PID 7" and isinstance(caught.value.__cause__, StoreBusy)
    with pytest.raises(StoreError, match="file is not a database.*newsdesk repair"), store_errors("/x"):
        raise sqlite3.DatabaseError("file is not a database")
    with pytest.raises(EmbeddingError), store_errors("/x"):
        raise EmbeddingError("the embedder's own")
    with pytest.raises(KeyError), store_errors("/x"):
        raise KeyError("a bug, not the store's")


@pytest.fixture
def held(settings: Settings) -> Iterator[Path]:
    """The settings' store folder, its write lock held by another thread until the test ends."""
    folder = Path(settings.store)
    folder.mkdir(parents=True, exist_ok=True)
    holding, release = threading.Event(), threading.Event()

    def other_writer() -> None:
        with WriteLock(folder).hold():
            holding.set()
            release.wait(30)

    writer = threading.Thread(target=other_writer)
    writer.start()
    assert holding.wait(30)
    try:
        yield folder
    finally:
        release.set()
        writer.join(30)


def test_open_store_gives_a_store_and_a_busy_one_raises_store_busy_error(
    settings: Settings, held: Path
) -> None:
    # Creating the store's collection is a write, so a folder another writer holds refuses it.
    with pytest.raises(StoreBusyError, match=f"being written by PID {os.getpid()}") as caught:
        open_store(settings)
    assert caught.value.holder == f"PID {os.getpid()}"


def test_open_store_opens_the_folder_or_the_server(settings: Settings) -> None:
    store = open_store(settings)
    assert isinstance(store, Store) and store.location == str(settings.store) and store.count() == 0
    with pytest.raises(StoreError, match="127.0.0.1") as caught:
        open_store(settings.model_copy(update={"chroma_url": "http://127.0.0.1:9"}))
    assert type(caught.value) is StoreError
