"""Settings from arguments, NEWSDESK_* variables, .env and TOML; readable errors; secrets hidden."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import ValidationError

from rag.errors import ConfigError
from rag.settings import Settings, load_settings


@pytest.fixture(autouse=True)
def _isolated(clean_env: Path) -> None:
    """Every test starts with no NEWSDESK_* variables in an empty working folder."""


def test_defaults(clean_env: Path) -> None:
    s = load_settings()
    assert (s.k, s.chunk_size, s.chunk_overlap, s.model, s.embedder) == (3, 1000, 150, "default", "minilm")
    assert s.store == Path(".newsdesk/store")
    assert s.is_local_llm and s.api_key() is None


def test_env_vars_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_K", "7")
    monkeypatch.setenv("NEWSDESK_STORE", "/tmp/elsewhere")
    monkeypatch.setenv("NEWSDESK_HYBRID", "false")
    monkeypatch.setenv("NEWSDESK_MODEL", "small")
    s = load_settings()
    assert s.k == 7
    assert s.store == Path("/tmp/elsewhere")
    assert s.hybrid is False
    assert s.model == "small"


def test_stage_list_as_text_or_json(monkeypatch: pytest.MonkeyPatch) -> None:
    # `--set retrieval_stages=…` and NEWSDESK_RETRIEVAL_STAGES give text; TOML gives a list.
    assert load_settings(retrieval_stages="dense, keyword,fuse,cut").retrieval_stages == (
        "dense",
        "keyword",
        "fuse",
        "cut",
    )
    monkeypatch.setenv("NEWSDESK_RETRIEVAL_STAGES", '["dense", "cut"]')
    assert load_settings().retrieval_stages == ("dense", "cut")
    monkeypatch.setenv("NEWSDESK_RETRIEVAL_STAGES", "dense,recency,cut")
    assert load_settings().retrieval_stages == ("dense", "recency", "cut")
    monkeypatch.setenv("NEWSDESK_RETRIEVAL_STAGES", "[dense")
    with pytest.raises(ConfigError, match="retrieval_stages"):
        load_settings()


def test_arguments_beat_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_K", "7")
    assert load_settings(k=3).k == 3
    assert load_settings(k=None).k == 7, "None means: not given"


def test_toml_via_newsdesk_config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "conf" / "mine.toml"
    config.parent.mkdir()
    config.write_text('k = 9\nstore = "/data/store"\nchunk_size = 500\nllm_base_url = "http://x:1/v1"\n')
    monkeypatch.setenv("NEWSDESK_CONFIG", str(config))
    s = load_settings()
    assert (s.k, s.store, s.chunk_size) == (9, Path("/data/store"), 500)
    assert not s.is_local_llm
    monkeypatch.setenv("NEWSDESK_K", "4")
    assert load_settings().k == 4, "environment beats the TOML file"


def test_newsdesk_toml_in_the_working_folder(clean_env: Path) -> None:
    (clean_env / "newsdesk.toml").write_text("fetch_k = 12\n")
    assert load_settings().fetch_k == 12


def test_dotenv_in_the_working_folder(clean_env: Path) -> None:
    (clean_env / ".env").write_text("NEWSDESK_MAX_TOKENS=77\n")
    assert load_settings().max_tokens == 77


@pytest.mark.parametrize(
    ("env", "value", "needle"),
    [
        ("NEWSDESK_K", "0", "k: Value error, must be at least 1"),
        ("NEWSDESK_K", "many", "k: Input should be a valid integer"),
        ("NEWSDESK_CHUNK_OVERLAP", "1200", "chunk_overlap must be smaller than chunk_size"),
        ("NEWSDESK_MODEL", "huge", "model:"),
        ("NEWSDESK_EMBEDDER", "word2vec", "embedder:"),
    ],
)
def test_invalid_values_give_one_readable_config_error(
    monkeypatch: pytest.MonkeyPatch, env: str, value: str, needle: str
) -> None:
    monkeypatch.setenv(env, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert message.startswith("invalid settings: ")
    assert needle in message
    assert "\n" not in message
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_several_problems_in_one_message() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(k=0, fetch_k=0)
    assert "k:" in str(info.value) and "fetch_k:" in str(info.value) and "; " in str(info.value)


def test_malformed_toml_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "broken.toml"
    config.write_text("k = \n")
    monkeypatch.setenv("NEWSDESK_CONFIG", str(config))
    with pytest.raises(ConfigError, match="broken.toml"):
        load_settings()


def test_bad_value_in_toml_is_a_config_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config = tmp_path / "bad.toml"
    config.write_text('k = "lots"\n')
    monkeypatch.setenv("NEWSDESK_CONFIG", str(config))
    with pytest.raises(ConfigError, match="k:"):
        load_settings()


def test_api_keys_are_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEWSDESK_LLM_API_KEY", "sk-very-secret")
    monkeypatch.setenv("NEWSDESK_AUTH", "admin:hunter2")
    s = load_settings()
    for shown in (repr(s), str(s), str(s.model_dump())):
        assert "sk-very-secret" not in shown
        assert "hunter2" not in shown
    assert s.api_key() == "sk-very-secret"
    assert s.auth is not None and s.auth.get_secret_value() == "admin:hunter2"


def test_openai_key_is_the_fallback() -> None:
    assert load_settings(openai_api_key="sk-openai").api_key() == "sk-openai"
    assert load_settings(openai_api_key="sk-openai", llm_api_key="sk-llm").api_key() == "sk-llm"


def test_settings_are_frozen_and_hashable(settings: Settings) -> None:
    with pytest.raises(ValidationError):
        settings.k = 3  # type: ignore[misc]
    assert hash(settings) == hash(settings.model_copy())
    assert {settings: 1}[settings.model_copy()] == 1


def test_the_embed_batch_is_each_embedders_own_unless_set(clean_env: Path) -> None:
    from rag.embeddings import make_embedder

    assert Settings().embed_batch == 8  # the ONNX MiniLM pads least in small batches
    assert Settings(embedder="minilm-torch").embed_batch == 32
    assert Settings(embed_batch_size=64).embed_batch == 64
    assert make_embedder(Settings(model_cache=clean_env / "m")).batch_size == 8  # type: ignore[attr-defined]
    with pytest.raises(ValueError, match="at least 1"):
        Settings(embed_batch_size=0)
