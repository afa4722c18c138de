"""What a desk owns, each created on first use: the embedder, the model, the retrieval pipeline,
the answering components and the model's chains (the keyword index is the store's own).

Opening a ``Newsdesk`` to list articles starts no model; a chat server calls ``warm_up`` to pay
these costs before its first user. Safe to share between threads (one lock).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel

    from rag.answering import Answering
    from rag.grounding import Checker
    from rag.settings import Settings
    from rag.stages import Pipeline
    from vectorstore import Store


def cues_abstention(settings: Settings) -> bool:
    """Whether the local model needs the abstention reply spelled out in the user message."""
    from rag.models import MODELS

    return settings.is_local_llm and MODELS[settings.model].cued_abstention


def _default_checker() -> Checker:
    from rag.grounding import HeuristicChecker

    return HeuristicChecker()


class Resources:
    """The lazily built parts of one configuration; ``llm``, ``embedder`` and ``checker`` may be injected."""

    settings: Settings
    store: Store

    def _own(self, llm: BaseChatModel | None, embedder: Embeddings | None, checker: Checker | None) -> None:
        self._llm = llm
        from rag.llm import model_label

        self._generator = (
            str(getattr(llm, "model_name", "") or type(llm).__name__)
            if llm is not None
            else model_label(self.settings)
        )
        self._embedder = embedder
        self._pipeline: Pipeline | None = None
        self._chains: dict[str, Any] = {}
        self._answering: Answering | None = None
        self.checker: Checker = checker or _default_checker()
        self._lock = threading.Lock()

    @property
    def embedder(self) -> Embeddings:
        with self._lock:
            if self._embedder is None:
                from rag.embeddings import make_embedder

                self._embedder = make_embedder(self.settings)
            return self._embedder

    @property
    def llm(self) -> BaseChatModel:
        with self._lock:
            if self._llm is None:
                from rag.llm import make_llm

                self._llm = make_llm(self.settings)
            return self._llm

    @property
    def pipeline(self) -> Pipeline:
        """The retrieval stages of ``settings.retrieval_stages``, composed once."""
        from rag.retrieval import build_pipeline
        from rag.stages import StageContext

        embedder = self.embedder
        with self._lock:
            if self._pipeline is None:
                context = StageContext(settings=self.settings, store=self.store, embedder=embedder)
                self._pipeline = build_pipeline(context)
            return self._pipeline

    @property
    def answering(self) -> Answering:
        """The reader and checks of the settings (``rag.answering``), composed once."""
        from rag.answering import AnswerContext, Answering

        with self._lock:
            if self._answering is None:
                context = AnswerContext(
                    settings=self.settings,
                    chain=self._chain,
                    checker=self.checker,
                    cued=cues_abstention(self.settings),
                )
                self._answering = Answering(context, self._generator)
            return self._answering

    def _chain(self, name: str, build: Callable[[BaseChatModel], Any]) -> Any:
        """The chain ``name``, built from the model by ``build`` once per desk (readers share them)."""
        llm = self.llm  # before taking the lock: the property takes it too
        with self._lock:
            if name not in self._chains:
                self._chains[name] = build(llm)
            return self._chains[name]
