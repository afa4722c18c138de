"""Shared fixtures: isolated settings, the fake chat model and embedder, a desk built on them."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))  # `from fakes import ...` in every test module

from fakes import FakeChatModel, HashEmbeddings  # noqa: E402

from rag.api import Newsdesk  # noqa: E402
from rag.settings import Settings  # noqa: E402

SAMPLE_DIR = Path(__file__).resolve().parents[1] / "data" / "articles"


def clear_newsdesk_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in list(os.environ):
        if name.upper().startswith("NEWSDESK_"):
            monkeypatch.delenv(name, raising=False)
    # `newsdesk ask` answers in the test's own process: only the warm server's tests start one.
    monkeypatch.setenv("NEWSDESK_WARM", "false")


@pytest.fixture
def clean_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No NEWSDESK_* variables, and the working folder is an empty tmp folder (no newsdesk.toml, no .env)."""
    clear_newsdesk_env(monkeypatch)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def settings(clean_env: Path) -> Settings:
    # Five passages, not the default three: the hash embedder ranks by shared words, not meaning, and
    # the tests built on it are about answers and citations, not ranking.
    return Settings(store=clean_env / "store", model_cache=clean_env / "models", k=5)


@pytest.fixture
def fake_llm() -> FakeChatModel:
    return FakeChatModel()


@pytest.fixture
def embedder() -> HashEmbeddings:
    return HashEmbeddings()


@pytest.fixture
def desk(settings: Settings, fake_llm: FakeChatModel, embedder: HashEmbeddings) -> Iterator[Newsdesk]:
    newsdesk = Newsdesk(settings, llm=fake_llm, embedder=embedder)
    yield newsdesk
    newsdesk.close()


@pytest.fixture
def sample_dir() -> Path:
    return SAMPLE_DIR


@pytest.fixture
def shots(tmp_path: Path) -> Path:
    """Where browser tests put their screenshots ($NEWSDESK_SCREENSHOTS keeps them; ask for it
    before ``settings``, whose clean environment removes that variable)."""
    folder = Path(os.environ.get("NEWSDESK_SCREENSHOTS") or tmp_path / "screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    return folder
