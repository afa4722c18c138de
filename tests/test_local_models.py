"""The real local models: MiniLM embeddings and the 0.5B Qwen GGUF served by xllamacpp.

Slow (tens of seconds): run with ``-m models``. One desk is shared by the module;
the joined GGUF comes from the default cache (``~/.cache/newsdesk/models``) so
nothing is copied again when it is already there.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from rag.api import Newsdesk
from rag.errors import ModelNotFoundError
from rag.models import MODELS, ensure_model
from rag.settings import Settings
from rag.types import Answer

pytestmark = pytest.mark.models

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "articles"


@pytest.fixture(scope="module")
def model_path() -> Path:
    """The joined 0.5B GGUF in the default cache; the module is skipped when its parts are not installed."""
    if importlib.util.find_spec("xllamacpp") is None:
        pytest.skip("xllamacpp is not installed")
    try:
        return ensure_model("small", Settings(store=Path("unused")).model_cache)
    except ModelNotFoundError as exc:
        if "not installed" in str(exc):
            pytest.skip(str(exc))
        raise


@pytest.fixture(scope="module")
def desk(model_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Newsdesk]:
    home = tmp_path_factory.mktemp("local-models")
    with pytest.MonkeyPatch.context() as mp:
        for name in list(os.environ):
            if name.upper().startswith("NEWSDESK_"):
                mp.delenv(name)
        mp.chdir(home)  # no stray newsdesk.toml or .env
        # No prompt-prefix reuse: identical requests then get identical answers, whatever ran before.
        settings = Settings(store=home / "store", model="small", llm_cache_prompt=False)
        newsdesk = Newsdesk(settings)
        report = newsdesk.ingest([SAMPLES])
        assert report.articles_added == 2 and report.failed == ()
        yield newsdesk
        newsdesk.close()


def ask(desk: Newsdesk, question: str) -> Answer:
    answer = desk.ask(question)
    assert answer.error is None, answer.error
    return answer


def test_minilm_embeddings_are_normalised_and_meaningful(desk: Newsdesk) -> None:
    vecs = np.asarray(
        desk.embedder.embed_documents(
            [
                "The UK sent anti-tank missile launchers to Ukraine.",
                "Weapons were shipped to Kyiv by Britain.",
                "The recipe needs two cups of flour.",
            ]
        )
    )
    assert vecs.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-4)
    assert vecs[0] @ vecs[1] > vecs[0] @ vecs[2] + 0.2


def test_anti_tank_question(desk: Newsdesk) -> None:
    answer = ask(desk, "How many anti-tank missile launchers did the UK send to Ukraine?")
    assert not answer.abstained, answer.answer
    assert "2,000" in answer.answer or "2000" in answer.answer, answer.answer
    assert any("2,000" in c.passage for c in answer.citations), answer.citations
    assert answer.model.startswith("local qwen2.5-coder-0.5b")
    assert answer.timings.first_token is not None


def test_estonia_troops_question(desk: Newsdesk) -> None:
    answer = ask(desk, "How many British troops are stationed in Estonia?")
    assert not answer.abstained, answer.answer
    assert "850" in answer.answer, answer.answer
    assert answer.citations
    assert any("850" in c.passage for c in answer.citations), answer.citations


def test_question_the_articles_cannot_answer(desk: Newsdesk) -> None:
    answer = ask(desk, "What is the capital of Australia?")
    assert answer.abstained, answer.answer
    assert answer.citations == ()


def test_ensure_model_returns_the_joined_file(model_path: Path) -> None:
    spec = MODELS["small"]
    path = ensure_model("small", model_path.parent)
    assert path == model_path
    assert path.name == spec.filename
    assert path.stat().st_size == spec.size
    assert path.with_suffix(".sha256").read_text().strip() == spec.sha256


def test_unknown_model_key() -> None:
    with pytest.raises(ModelNotFoundError, match="unknown local model 'huge'"):
        ensure_model("huge", Path("/nonexistent"))


def test_the_local_server_answers_only_with_its_key(desk: Newsdesk) -> None:
    # The port is open to every local user (and a warm server keeps it open for minutes):
    # only this process, holding the key, may have the model write.
    import httpx

    from rag.llm import LocalServer

    ask(desk, "How many British troops are stationed in Estonia?")  # the server is running
    assert LocalServer._running
    running = next(iter(LocalServer._running.values()))
    body = {"messages": [{"role": "user", "content": "Say yes."}], "max_tokens": 2}
    url = running.url + "/chat/completions"
    assert httpx.post(url, json=body, timeout=60).status_code == 401
    wrong = httpx.post(url, json=body, headers={"Authorization": "Bearer guess"}, timeout=60)
    assert wrong.status_code == 401
    ok = httpx.post(url, json=body, headers={"Authorization": f"Bearer {running.key}"}, timeout=60)
    assert ok.status_code == 200
