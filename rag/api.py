"""The public face of newsdesk: a ``Newsdesk`` that owns the store, embedder and
LLM, and module-level ``ask``/``ask_stream`` that share a default one.

UI, eval and CLI go through this module only.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.desk import History, StreamEvent, final_answer
from rag.errors import EmptyStoreError, NewsdeskError
from rag.inputs import as_filters, check_choices, check_k, check_question
from rag.library import Library
from rag.resources import Resources, cues_abstention
from rag.settings import Settings, load_settings
from rag.storage import open_store, store_errors
from rag.types import Answer, Filters, Passage, Retrieval

if TYPE_CHECKING:  # the model stack (LangChain, onnxruntime) loads on first use, not for `stats`
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel

    from rag.grounding import Checker

log = logging.getLogger(__name__)


class Newsdesk(Resources, Library):
    """One configuration's desk: checks what it is asked, then condense → retrieve → read → check.

    Retrieval's stages (``rag.stages``) and answering's reader and checks (``rag.answering``)
    are composed from settings; the models and indexes they use are ``Resources`` created on
    first use (``llm``, ``embedder`` and ``checker`` may be injected, which is how tests use
    fakes); the store's articles are managed through ``Library``. Safe to ask from several threads.
    """

    def __init__(
        self,
        settings: Settings | None = None,
        *,
        llm: BaseChatModel | None = None,
        embedder: Embeddings | None = None,
        checker: Checker | None = None,
    ) -> None:
        self.settings = settings or load_settings()
        self.store = open_store(self.settings)
        self._own(llm, embedder, checker)

    def as_retriever(self, *, k: int | None = None, filters: Filters | dict[str, Any] | None = None) -> Any:
        """The same retrieval as ``ask``, as a LangChain ``BaseRetriever`` returning ``Document``s."""
        from rag.retrieval import NewsdeskRetriever

        k = check_k(k, self.settings.k)
        return NewsdeskRetriever(
            pipeline=self.pipeline, k=k, fetch_k=self.settings.fetch_k, filters=as_filters(filters)
        )

    def warm_up(self) -> None:
        """Loads the embedder, opens the store's indexes, loads the model and primes its prompt cache.

        A chat server calls this before its first user so that user doesn't wait
        for loading; the shared system prompt is then already processed. Both indexes are
        searched once: an embedded Chroma reads its vector index on its first call of any
        kind (3–4 s at a million chunks), a server on its first vector search.
        """
        self._warm_store(self.embedder.embed_query("warm up"))
        self._warm_model()

    def _warm_store(self, vector: Sequence[float]) -> None:
        """One search of each index: a store without a keyword index builds it here, once."""
        with store_errors(self.store.location):
            if self.store.count():
                self.store.keyword("warm up", 1)
                self.store.query(vector, 1)

    def _warm_model(self) -> None:
        from rag.chain import generation_chain
        from rag.llm import describe_llm_error

        try:
            variant = "open_cued" if cues_abstention(self.settings) else "open"
            generation_chain(self.llm, variant).invoke(
                {"question": "Is this a warm-up?", "context": "[1] Warm-up (undated)\n"}
            )
        except NewsdeskError:
            raise
        except Exception as exc:  # the client's many error types become one readable line
            raise describe_llm_error(exc, self.settings) from exc

    # -- asking: condense → retrieve → generate → ground ---------------------------------
    def _standalone(self, question: str, history: History) -> str:
        """Stage "condense": a follow-up rewritten to stand alone (``rag.condense`` decides when)."""
        from rag.condense import standalone_question

        return standalone_question(question, history, lambda: self._rewrite(question, history))

    def _rewrite(self, question: str, history: History) -> str:
        from rag.chain import condense_chain
        from rag.llm import describe_llm_error

        try:
            rewritten: str = condense_chain(self.llm).invoke({"question": question, "history": list(history)})
        except NewsdeskError:
            raise
        except Exception as exc:
            raise describe_llm_error(exc, self.settings) from exc
        return rewritten

    def retrieve(
        self,
        question: str,
        *,
        history: History = (),
        k: int | None = None,
        filters: Filters | dict[str, Any] | None = None,
    ) -> Retrieval:
        """Stages "condense" and "retrieve" alone: the passages ``ask`` would give the model."""
        return self._retrieve(
            check_question(question, self.settings.max_question_chars),
            history,
            check_k(k, self.settings.k),
            as_filters(filters),
        )[0]

    def _retrieve(
        self, question: str, history: History, k: int, flt: Filters | None, choices: tuple[str, ...] = ()
    ) -> tuple[Retrieval, dict[str, float]]:
        from rag.stages import Query

        started = time.perf_counter()
        with store_errors(self.store.location):
            empty = self.store.count() == 0
        if empty:
            raise EmptyStoreError("the store has no articles yet: run `newsdesk ingest PATH` first")
        standalone = self._standalone(question, history)
        condensed_at = time.perf_counter()
        # The options' words help find the passage that decides between them.
        query = " ".join([standalone, *choices])
        with store_errors(self.store.location):
            state = self.pipeline.run(
                Query(question=query, k=k, fetch_k=max(self.settings.fetch_k, k), filters=flt)
            )
        retrieved_at = time.perf_counter()
        nothing = not state.passages and self._matches_nothing(flt)
        retrieval = Retrieval(
            question=question,
            standalone_question=standalone,
            passages=tuple(state.passages[: max(k, self.settings.max_passages)]),
            seconds=retrieved_at - condensed_at,
            stage_seconds=state.seconds,
            as_of=flt.as_of if flt else None,
            filters=flt,
            filters_match_nothing=nothing,
        )
        return retrieval, {"condense": condensed_at - started, "retrieve": retrieved_at - condensed_at}

    def _matches_nothing(self, flt: Filters | None) -> bool:
        """True when ``flt`` leaves out every article in the store (not merely every relevant one)."""
        from rag.store_filters import store_filter

        if flt is None or flt.is_empty():
            return False
        with store_errors(self.store.location):
            return next(iter(self.store.scan(texts=False, where=store_filter(flt))), None) is None

    def ask(
        self,
        question: str,
        *,
        history: History = (),
        k: int | None = None,
        filters: Filters | dict[str, Any] | None = None,
        choices: Sequence[str] = (),
    ) -> Answer:
        """Answers ``question`` from the store, with citations; see ``Answer``.

        With ``choices`` (a multiple-choice question) the model is shown the
        lettered options and ``Answer.choice`` is the one it picked.
        """
        return final_answer(self.ask_stream(question, history=history, k=k, filters=filters, choices=choices))

    def ask_stream(
        self,
        question: str,
        *,
        history: History = (),
        k: int | None = None,
        filters: Filters | dict[str, Any] | None = None,
        choices: Sequence[str] = (),
    ) -> Iterator[StreamEvent]:
        """Yields one ``Retrieval``, then text deltas as generated, then the final ``Answer``.

        If generation fails after retrieval, the final ``Answer`` carries the
        passages and ``error`` instead of raising, so they can still be shown.
        """
        started = time.perf_counter()
        question = check_question(question, self.settings.max_question_chars)
        k = check_k(k, self.settings.k)
        options = check_choices(choices)
        retrieval, timings = self._retrieve(question, history, k, as_filters(filters), options)
        yield retrieval
        yield from self.answering.answer(retrieval, options, started, timings)

    def answer_from(
        self,
        question: str,
        passages: Sequence[Passage],
        *,
        choices: Sequence[str] = (),
        as_of: date | None = None,
    ) -> Answer:
        """Stages "generate" and "ground" alone, on given passages (a reader-only evaluation).

        No retrieval: the passages are taken as they are, numbered in order.
        ``as_of`` is the day the question is asked, as in ``Filters.as_of``.
        """
        started = time.perf_counter()
        question = check_question(question, self.settings.max_question_chars)
        retrieval = Retrieval(
            question=question,
            standalone_question=question,
            passages=tuple(passages),
            seconds=0.0,
            as_of=as_of,
        )
        return final_answer(self.answering.answer(retrieval, check_choices(choices), started, {}))

    def describe(self) -> dict[str, str]:
        from rag.embeddings import embedder_name

        s = self.settings
        embedder = (
            embedder_name(self._embedder)
            if self._embedder is not None
            else ("all-MiniLM-L6-v2 (local)" if s.embedder == "minilm" else s.embedding_model)
        )
        return {
            "generator": self._generator,
            "embedder": embedder,
            "k": str(s.k),
            "store": s.chroma_url or str(Path(s.store).resolve()),
            "retrieval": "hybrid (dense + BM25)" if s.hybrid else "dense",
        }

    def close(self) -> None:
        """Releases references; the local model server stops with the process."""
        self._pipeline = None
        self._chains = {}


_default: dict[Settings, Newsdesk] = {}
_default_lock = threading.Lock()


def _desk(settings: Settings | None) -> Newsdesk:
    settings = settings or load_settings()
    with _default_lock:
        if settings not in _default:
            _default[settings] = Newsdesk(settings)
        return _default[settings]


def ask(
    question: str,
    *,
    k: int | None = None,
    filters: Filters | dict[str, Any] | None = None,
    history: History = (),
    choices: Sequence[str] = (),
    settings: Settings | None = None,
) -> Answer:
    """Answers ``question`` from the configured store; raises a ``NewsdeskError`` subclass on failure."""
    return _desk(settings).ask(question, k=k, filters=filters, history=history, choices=choices)


def ask_stream(
    question: str,
    *,
    k: int | None = None,
    filters: Filters | dict[str, Any] | None = None,
    history: History = (),
    choices: Sequence[str] = (),
    settings: Settings | None = None,
) -> Iterator[StreamEvent]:
    """Like ``ask`` but yields a ``Retrieval``, then text deltas, then the ``Answer``."""
    return _desk(settings).ask_stream(question, k=k, filters=filters, history=history, choices=choices)


__all__ = ["History", "Newsdesk", "StreamEvent", "ask", "ask_stream"]
