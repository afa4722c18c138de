"""One ``Settings`` object for the whole tool.

Read on demand (never at import time) from, highest priority first: explicit
arguments, ``NEWSDESK_*`` environment variables, a ``.env`` file, and a TOML
file (``NEWSDESK_CONFIG`` or ``./newsdesk.toml``).
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    NoDecode,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from rag.errors import ConfigError

LocalModel = Literal["default", "small"]


def _config_file() -> Path:
    return Path(os.environ.get("NEWSDESK_CONFIG", "newsdesk.toml"))


def _default_cache() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "newsdesk"


class Settings(BaseSettings):
    """Everything a run can be configured with; see the README for the table."""

    model_config = SettingsConfigDict(env_prefix="NEWSDESK_", env_file=".env", extra="ignore", frozen=True)

    # Store
    store: Path = Field(default=Path(".newsdesk/store"), description="Folder of the embedded Chroma store.")
    chroma_url: str | None = Field(default=None, description="URL of a Chroma server; overrides `store`.")
    collection: str = "newsdesk"
    # Seconds a writer waits for another process writing the same embedded store before giving up.
    write_wait: float = 0.0

    # Embeddings
    # minilm: all-MiniLM-L6-v2 through onnxruntime (int8, ~3x torch's speed);
    # minilm-torch: the same model through sentence-transformers; openai: OpenAI's API.
    embedder: Literal["minilm", "minilm-torch", "openai"] = "minilm"
    embedding_model: str = "text-embedding-3-small"  # only for embedder=openai
    # Texts per embedder call; unset, each embedder's own best: 8 for the ONNX MiniLM (sorted by
    # length, small batches pad least: 1.2x the chunks/s of 32, and `focus` sentences in half the
    # time, same answer-recall; docs/history.md), 32 for the others.
    embed_batch_size: int | None = None
    # MiniLM was trained on 128-token inputs; longer chunks are still keyword-indexed in full.
    embed_max_length: int = 128
    embed_quantize: bool = True

    # Generator: local unless llm_base_url is set
    model: LocalModel = "default"
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: SecretStr | None = None
    openai_api_key: SecretStr | None = None
    # The answer path (see rag.answering): the reader of open questions, the reader of multiple-choice
    # ones, and the checks after it, in order. Built-in names or "module:Class".
    # "free": the model writes the cited answer. "choose" (multiple choice): the model's probability of
    # each option's letter, favouring options a passage states (rag.picker); "score" is its old name.
    reader: str = "free"
    choice_reader: str = "choose"
    # "constraints": the year, span, quarter or season the question states must be in the cited evidence.
    # On TimeQA dev (replayed, n = 100 per half) it refused 23 and 16 wrong answers for 2 right ones each.
    # "timeline": an answer naming an entry of a dated list ("Franco Corleone ( 1993–1997 )") is held to
    # the entry's years: the one entry covering the asked span replaces it, else it abstains if disjoint.
    # TimeQA dev, replayed (n = 100 per half): 5 wrong answers made right, 2 refused, no right one lost.
    # "verify": the model asked whether a passage states its answer; for the 1.5B at 0.6 it refused 18
    # wrong answers for 8 right ones over three samples of 79-100 questions (docs/history.md).
    answer_checks: Annotated[tuple[str, ...], NoDecode] = (
        "ground",
        "figures",
        "news_time",
        "timeline",
        "constraints",
        "verify",
    )
    # Check "verify": an open answer whose support (the model's probability of "Yes" to "does a
    # passage state it as the answer to exactly this question?") is below this abstains. None: the
    # threshold measured for the local model (0.6 for the 1.5B); a model without one (the 0.5B, a
    # server) records its support and refuses nothing until this is set.
    verify_min_support: float | None = Field(default=None, ge=0.0, le=1.0)
    choice_evidence_weight: float = Field(default=1.5, ge=0.0)
    choice_min_probability: float = Field(default=0.5, ge=0.0, le=1.0)
    # An open answer abstains when the sentences stating it hold less than this share of the question's
    # words and none of its names (rag.grounding.relevance): a figure copied from a passage about
    # something else. 0 turns the check off.
    answer_min_relevance: float = Field(default=0.1, ge=0.0, le=1.0)
    # A question about "this week", "on Tuesday", "recently" asked as of a day abstains when every
    # report its answer cites is older than that span (rag.newstime): the same story, an earlier year.
    stale_abstains: bool = True
    temperature: float = 0.0
    max_tokens: int = 200
    llm_timeout: float = 300.0
    llm_threads: int = Field(default_factory=lambda: max(1, os.cpu_count() or 1))
    llm_context: int = 4096
    # Reuse the local server's cached prompt prefix (faster; answers may then depend on earlier questions).
    llm_cache_prompt: bool = True
    model_cache: Path = Field(default_factory=lambda: _default_cache() / "models")

    # The warm server (rag.warm): `newsdesk ask` asks a long-lived process holding the local model
    # loaded, starting one if none runs, instead of loading it for every call.
    warm: bool = True  # only with the local model; `--no-warm` answers in the calling process
    warm_idle: float = Field(default=600.0, ge=0.0)  # seconds without a question before it stops (0: never)
    warm_dir: Path | None = (
        None  # per-user, 0700; default $XDG_RUNTIME_DIR/newsdesk or ~/.cache/newsdesk/warm
    )
    warm_start_timeout: float = Field(default=300.0, gt=0.0)  # seconds a caller waits for it to be ready

    # Chunking and retrieval
    chunk_size: int = 1000
    chunk_overlap: int = 150
    # Passages shown to the model. Prompt reading is most of the wait for the first token (about 60
    # tokens/s for the 1.5B model on 2 cores): on frozen dev evidence, 3 passages instead of 5 cut it
    # by about 40% for one fewer right answer in 50 (none on the short-passage variant).
    k: int = 3
    # "pack": short passages may share the budget of k long ones, up to this many passages.
    max_passages: int = 8
    fetch_k: int = 30
    hybrid: bool = True  # false drops the "keyword" stage
    # The retrieval stages in order (see rag.stages): built-in names or "module:Class".
    # Add "rerank" before "pack" to switch the reranker slot on; "cut" instead of "pack" keeps exactly k.
    # Written as a list (TOML), or as "dense,keyword,…" (environment, ``--set``).
    retrieval_stages: Annotated[tuple[str, ...], NoDecode] = (
        "dense",
        "keyword",
        "fuse",
        "recency",
        "dedupe",
        "pack",
        "focus",
    )
    # Weight of each candidate list in rank fusion (another candidate stage weighs 1).
    dense_weight: float = 1.0
    keyword_weight: float = 1.0
    # The "recency" stage: how much a fresh article's score may grow, and in how many days that halves.
    # Tuned on the RealTimeQA dev weeks (retrieval-only, 329 questions): hit@1 53.6% -> 64.5%.
    recency_weight: float = 0.3
    recency_half_life: float = 14.0
    # Each passage shown to the model is narrowed to a sentence window of this many characters (0: whole chunk).
    context_chars: int = 600
    max_question_chars: int = 1000
    max_file_bytes: int = 50_000_000

    # UI
    host: str = "127.0.0.1"
    port: int = 7860
    auth: SecretStr | None = None  # "user:password"
    concurrency: int = 1
    # Serve on a non-loopback host without a login (refused unless set).
    insecure: bool = False
    # Failed logins per client that cost nothing, then the wait doubles from login_delay up to the cap.
    login_free_failures: int = 3
    login_delay: float = 1.0
    login_delay_cap: float = 30.0

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml = TomlConfigSettingsSource(settings_cls, toml_file=_config_file())
        return (init_settings, env_settings, dotenv_settings, toml, file_secret_settings)

    @field_validator("choice_reader", mode="before")
    @classmethod
    def _old_reader_name(cls, value: object) -> object:
        return "choose" if value == "score" else value

    @field_validator("retrieval_stages", "answer_checks", mode="before")
    @classmethod
    def _stage_list(cls, value: object) -> object:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return tuple(name.strip() for name in text.split(",") if name.strip())
        return value

    @field_validator(
        "k", "max_passages", "fetch_k", "chunk_size", "embed_batch_size", "max_tokens", "max_question_chars"
    )
    @classmethod
    def _positive(cls, value: int | None) -> int | None:
        if value is not None and value < 1:
            raise ValueError("must be at least 1")
        return value

    @property
    def embed_batch(self) -> int:
        """``embed_batch_size``, or the configured embedder's own best when it is unset."""
        if self.embed_batch_size is not None:
            return self.embed_batch_size
        return 8 if self.embedder == "minilm" else 32

    @model_validator(mode="after")
    def _consistent(self) -> Settings:
        if self.chunk_overlap >= self.chunk_size:
            raise ValueError("chunk_overlap must be smaller than chunk_size")
        return self

    @property
    def is_local_llm(self) -> bool:
        return not self.llm_base_url

    def api_key(self) -> str | None:
        key = self.llm_api_key or self.openai_api_key
        return key.get_secret_value() if key else None


def load_settings(**overrides: object) -> Settings:
    """Build settings now, turning validation errors into one readable ``ConfigError``."""
    from pydantic import ValidationError

    clean = {k: v for k, v in overrides.items() if v is not None}
    if "NEWSDESK_CONFIG" in os.environ and not _config_file().is_file():
        raise ConfigError(f"NEWSDESK_CONFIG names {_config_file()}, which is not a file")
    try:
        return Settings(**clean)  # type: ignore[arg-type]
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"invalid settings file {_config_file()}: {exc}") from None
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']) or 'settings'}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"invalid settings: {problems}") from None
