"""Chat models: one ``ChatOpenAI`` path for the local model and any remote server.

Locally, the GGUF model is served by xllamacpp's llama.cpp server inside this
process, listening on 127.0.0.1 on a free port with an API key of the process's
own; it starts on first use and goes away with the process. Remotely, ``llm_base_url``/``llm_model``/key
point the same client at OpenAI, vLLM, Ollama or llama.cpp's own server.
"""

from __future__ import annotations

import atexit
import secrets
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel

from rag.errors import ConfigError, LLMUnavailableError
from rag.models import MODELS, ensure_model
from rag.settings import Settings


@dataclass
class _Running:
    server: Any
    url: str
    key: str


class LocalServer:
    """Process-wide registry of running xllamacpp servers, one per model file."""

    _lock = threading.Lock()
    _running: dict[tuple[str, int, int, bool], _Running] = {}

    @classmethod
    def endpoint_for(
        cls, model_path: Path, *, context: int, threads: int, parallel: int = 1, cache_prompt: bool = True
    ) -> tuple[str, str]:
        """(base URL, API key) of the running server for this model, started on first use."""
        key = (str(model_path), context, threads, cache_prompt)
        with cls._lock:
            if key not in cls._running:
                cls._running[key] = cls._start(
                    model_path, context=context, threads=threads, parallel=parallel, cache_prompt=cache_prompt
                )
            running = cls._running[key]
            return running.url, running.key

    @staticmethod
    def _start(
        model_path: Path, *, context: int, threads: int, parallel: int, cache_prompt: bool
    ) -> _Running:
        try:
            import xllamacpp as xlc
        except ImportError as exc:
            raise LLMUnavailableError(f"the local model runner xllamacpp is not installed: {exc}") from exc
        params = xlc.CommonParams()
        params.model.path = str(model_path)
        params.n_ctx = context * parallel
        params.n_parallel = parallel
        params.n_batch = 512
        params.cpuparams.n_threads = threads
        params.cpuparams_batch.n_threads = threads
        params.hostnames = ["127.0.0.1"]
        params.port = 0  # a free port, chosen by the server
        params.ui = False
        # A key of this process's own: the port is open to every local user, and a warm server
        # keeps it open for minutes; without the key nobody else can have the model write.
        api_key = secrets.token_urlsafe(24)
        params.api_keys = [api_key]
        # Reusing the cached prefix (the fixed system prompt) saves most of the prompt reading, but
        # llama.cpp's logits then depend on how the prompt was batched, so the same question can get a
        # different answer after other questions; off, identical requests give identical answers.
        params.cache_prompt = cache_prompt
        params.verbosity = -1
        try:
            server = xlc.Server(params)
        except Exception as exc:
            raise LLMUnavailableError(
                f"cannot start the local model server for {model_path.name}: {exc}"
            ) from exc
        address = server.listening_address
        url = address if address.startswith("http") else f"http://{address}"
        return _Running(server=server, url=url.rstrip("/") + "/v1", key=api_key)

    @classmethod
    def stop_all(cls) -> None:
        with cls._lock:
            cls._running.clear()  # dropping the last reference stops the server


atexit.register(LocalServer.stop_all)


def model_label(settings: Settings) -> str:
    if settings.is_local_llm:
        return f"local {MODELS[settings.model].name} (xllamacpp)"
    return f"{settings.llm_model} at {settings.llm_base_url}"


def make_llm(settings: Settings, *, max_tokens: int | None = None) -> BaseChatModel:
    """A streaming ``ChatOpenAI`` for the configured server, starting the local one if needed."""
    from langchain_openai import ChatOpenAI

    if settings.is_local_llm:
        path = ensure_model(settings.model, settings.model_cache)
        base_url, api_key = LocalServer.endpoint_for(
            path,
            context=settings.llm_context,
            threads=settings.llm_threads,
            cache_prompt=settings.llm_cache_prompt,
        )
        model_name = MODELS[settings.model].name
    else:
        if not settings.llm_model:
            raise ConfigError(
                "NEWSDESK_LLM_BASE_URL is set but NEWSDESK_LLM_MODEL is not: name the model to use"
            )
        base_url = settings.llm_base_url or ""
        model_name = settings.llm_model
        api_key = settings.api_key() or "none"
    return ChatOpenAI(
        base_url=base_url,
        model=model_name,
        api_key=api_key,  # type: ignore[arg-type]
        temperature=settings.temperature,
        max_tokens=max_tokens or settings.max_tokens,  # type: ignore[call-arg]
        timeout=settings.llm_timeout,
        max_retries=1,
        streaming=True,
    )


def describe_llm_error(exc: BaseException, settings: Settings) -> LLMUnavailableError:
    """Turns client errors into one line a person can act on."""
    import openai

    where = (
        "the local model server" if settings.is_local_llm else f"the LLM server at {settings.llm_base_url}"
    )
    if isinstance(exc, openai.APIConnectionError | openai.APITimeoutError):
        return LLMUnavailableError(f"cannot reach {where}: {exc}")
    if isinstance(exc, openai.AuthenticationError):
        return LLMUnavailableError(f"{where} refused the API key (set NEWSDESK_LLM_API_KEY)")
    if isinstance(exc, openai.NotFoundError):
        return LLMUnavailableError(f"{where} does not serve model {settings.llm_model!r}")
    if isinstance(exc, openai.APIStatusError):
        return LLMUnavailableError(f"{where} answered {exc.status_code}: {exc.message}")
    return LLMUnavailableError(f"{where} failed: {exc}")
