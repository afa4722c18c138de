"""A warm server sees what another process ingests into its store while it runs."""

from __future__ import annotations

import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from fakes import FakeChatModel, HashEmbeddings
from warm_fakes import ThreadServer

from rag.api import Newsdesk
from rag.settings import Settings
from rag.types import Retrieval
from rag.warm import client

ROOT = Path(__file__).resolve().parents[1]
INGEST = (
    "import sys; from fakes import HashEmbeddings; from rag.api import Newsdesk; "
    "from rag.settings import Settings; "
    "Newsdesk(Settings(store=sys.argv[1]), embedder=HashEmbeddings()).ingest([sys.argv[2]])"
)


class QuietDesk(Newsdesk):
    """A real desk on the fakes; nothing to warm."""

    def warm_up(self) -> None:
        pass


@pytest.fixture
def settings(clean_env: Path) -> Iterator[Settings]:
    with tempfile.TemporaryDirectory(prefix="nw", dir="/tmp") as folder:
        yield Settings(store=clean_env / "store", k=5, warm_dir=Path(folder))


def titles(settings: Settings, question: str) -> set[str]:
    retrieval = next(e for e in client.ask_stream(settings, question) if isinstance(e, Retrieval))
    return {p.title for p in retrieval.passages}


def test_articles_ingested_by_another_process_are_found_by_the_running_server(
    settings: Settings, sample_dir: Path
) -> None:
    first, second = sorted(sample_dir.glob("*.txt"))
    llm = FakeChatModel(replies=["Not in these articles."] * 2)
    desk = QuietDesk(settings, llm=llm, embedder=HashEmbeddings())
    desk.ingest([first])
    server = ThreadServer(settings, desk)
    assert server.ready.wait(10)
    question = "How many anti-tank missile launchers did the UK send to Ukraine?"
    before = titles(settings, question)
    env = {"PYTHONPATH": f"{ROOT / 'tests'}:{ROOT}", "PATH": "/usr/bin:/bin"}
    subprocess.run(
        [sys.executable, "-c", INGEST, str(settings.store), str(second)], check=True, env=env, timeout=120
    )
    after = titles(settings, question)
    assert len(after - before) >= 1 and any("anti-tank" in t for t in after - before)
    client.stop(settings)
    assert server.ended()
