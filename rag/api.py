"""The public face of newsdesk: a ``Newsdesk`` that owns the store, embedder and
LLM, and module-level ``ask``/``ask_stream`` that share a default one.

UI, eval and CLI go through this module only.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rag.desk import History, Progress, StreamEvent, final_answer
from rag.errors import EmptyStoreError, NewsdeskError, QuestionError
from rag.settings import Settings, load_settings
from rag.storage import open_store, store_errors
from rag.types import Answer, Article, Filters, IngestReport, Passage, Retrieval
from vectorstore import Health, Record, eq

if TYPE_CHECKING:  # the model stack (LangChain, onnxruntime) loads on first use, not for `stats`
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel

    from rag.answering import Answering
    from rag.grounding import Checker
    from rag.lexical import LexicalCache
    from rag.stages import Pipeline

log = logging.getLogger(__name__)

MAX_K = 50  # passages per question: more would not fit the model's context


MAX_CHOICES = 26  # lettered A to Z


def _check_choices(choices: Sequence[str]) -> tuple[str, ...]:
    if isinstance(choices, str):
        raise QuestionError("choices must be a list of options, not one string")
    options = tuple(" ".join(str(c).split()) for c in choices)
    if options and not 2 <= len(options) <= MAX_CHOICES:
        raise QuestionError(
            f"a multiple-choice question needs 2 to {MAX_CHOICES} options, not {len(options)}"
        )
    if any(not o for o in options):
        raise QuestionError("an option is empty")
    return options


def _cues_abstention(settings: Settings) -> bool:
    """Whether the local model needs the abstention reply spelled out in the user message."""
    from rag.models import MODELS

    return settings.is_local_llm and MODELS[settings.model].cued_abstention


def _default_checker() -> Checker:
    from rag.grounding import HeuristicChecker

    return HeuristicChecker()


def as_filters(filters: Filters | dict[str, Any] | None) -> Filters | None:
    if filters is None or isinstance(filters, Filters):
        return filters
    try:
        return Filters.model_validate(filters)
    except Exception as exc:
        raise QuestionError(f"invalid filters: {exc}") from None


class Newsdesk:
    """Owns the resources of one configuration; safe to ask from several threads.

    ``llm`` (a LangChain chat model) and ``embedder`` (LangChain ``Embeddings``)
    may be injected, which is how tests use fakes. Both are otherwise created
    on first use, so opening a ``Newsdesk`` to list articles starts no model.
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
        self._llm = llm
        from rag.llm import model_label

        self._generator = (
            str(getattr(llm, "model_name", "") or type(llm).__name__)
            if llm is not None
            else model_label(self.settings)
        )
        self._embedder = embedder
        self._lexical: LexicalCache | None = None
        self._pipeline: Pipeline | None = None
        self._chains: dict[str, Any] = {}
        self._answering: Answering | None = None
        self.checker: Checker = checker or _default_checker()
        self._lock = threading.Lock()

    # -- resources, created on first use -------------------------------------------------
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
    def lexical(self) -> LexicalCache:
        with self._lock:
            if self._lexical is None:
                from rag.lexical import LexicalCache

                self._lexical = LexicalCache(self.store)
            return self._lexical

    @property
    def pipeline(self) -> Pipeline:
        """The retrieval stages of ``settings.retrieval_stages``, composed once."""
        from rag.retrieval import build_pipeline
        from rag.stages import StageContext

        embedder, lexical = self.embedder, self.lexical
        with self._lock:
            if self._pipeline is None:
                context = StageContext(
                    settings=self.settings, store=self.store, embedder=embedder, lexical=lexical
                )
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
                    cued=_cues_abstention(self.settings),
                )
                self._answering = Answering(context, self._generator)
            return self._answering

    def as_retriever(self, *, k: int | None = None, filters: Filters | dict[str, Any] | None = None) -> Any:
        """The same retrieval as ``ask``, as a LangChain ``BaseRetriever`` returning ``Document``s."""
        from rag.retrieval import NewsdeskRetriever

        k = self._check_k(k)
        return NewsdeskRetriever(
            pipeline=self.pipeline, k=k, fetch_k=self.settings.fetch_k, filters=as_filters(filters)
        )

    def warm_up(self) -> None:
        """Loads the embedder, the keyword index and the model, and primes the model's prompt cache.

        A chat server calls this before its first user so that user doesn't wait
        for model loading; the shared system prompt is then already processed.
        """
        from rag.chain import generation_chain
        from rag.llm import describe_llm_error

        self.embedder.embed_query("warm up")
        with store_errors(self.store.location):
            if self.store.count():
                self.lexical.index()
        try:
            variant = "open_cued" if _cues_abstention(self.settings) else "open"
            generation_chain(self.llm, variant).invoke(
                {"question": "Is this a warm-up?", "context": "[1] Warm-up (undated)\n"}
            )
        except NewsdeskError:
            raise
        except Exception as exc:  # the client's many error types become one readable line
            raise describe_llm_error(exc, self.settings) from exc

    # -- asking: condense → retrieve → generate → ground ---------------------------------
    def _check_question(self, question: str) -> str:
        if not isinstance(question, str) or not question.strip():
            raise QuestionError("the question is empty")
        question = " ".join(question.split())
        if len(question) > self.settings.max_question_chars:
            raise QuestionError(
                f"the question is too long ({len(question)} characters; the limit is "
                f"{self.settings.max_question_chars})"
            )
        return question

    def _check_k(self, k: int | None) -> int:
        if k is None:
            return self.settings.k
        if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= MAX_K:
            raise QuestionError(f"k must be a whole number from 1 to {MAX_K}, not {k!r}")
        return k

    def _standalone(self, question: str, history: History) -> str:
        """Stage "condense": a follow-up rewritten to stand alone, using the conversation."""
        if not history:
            return question
        from rag.chain import condense_chain
        from rag.llm import describe_llm_error

        try:
            rewritten = condense_chain(self.llm).invoke({"question": question, "history": list(history)})
        except NewsdeskError:
            raise
        except Exception as exc:
            raise describe_llm_error(exc, self.settings) from exc
        if not rewritten or len(rewritten) > 3 * len(question) + 200:
            return question
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
        return self._retrieve(self._check_question(question), history, self._check_k(k), as_filters(filters))[
            0
        ]

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
        retrieval = Retrieval(
            question=question,
            standalone_question=standalone,
            passages=tuple(state.passages[:k]),
            seconds=retrieved_at - condensed_at,
            stage_seconds=state.seconds,
            as_of=flt.as_of if flt else None,
        )
        return retrieval, {"condense": condensed_at - started, "retrieve": retrieved_at - condensed_at}

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
        question = self._check_question(question)
        k = self._check_k(k)
        options = _check_choices(choices)
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
        question = self._check_question(question)
        retrieval = Retrieval(
            question=question,
            standalone_question=question,
            passages=tuple(passages),
            seconds=0.0,
            as_of=as_of,
        )
        return final_answer(self.answering.answer(retrieval, _check_choices(choices), started, {}))

    def _chain(self, name: str, build: Callable[[BaseChatModel], Any]) -> Any:
        """The chain ``name``, built from the model by ``build`` once per desk (readers share them)."""
        llm = self.llm  # before taking the lock: the property takes it too
        with self._lock:
            if name not in self._chains:
                self._chains[name] = build(llm)
            return self._chains[name]

    # -- the library ----------------------------------------------------------------------
    def ingest(self, paths: Sequence[Path | str], *, progress: Progress | None = None) -> IngestReport:
        from rag import ingest as ingest_mod

        with store_errors(self.store.location):
            report = ingest_mod.ingest_paths(
                self.store, self.embedder, paths, self.settings, progress=progress
            )
        self._changed()
        return report

    def ingest_articles(
        self, articles: Iterable[Article], *, progress: Progress | None = None
    ) -> IngestReport:
        from rag import ingest as ingest_mod

        with store_errors(self.store.location):
            report = ingest_mod.ingest_articles(
                self.store, self.embedder, articles, self.settings, progress=progress
            )
        self._changed()
        return report

    def _changed(self) -> None:
        if self._lexical is not None:
            self._lexical.invalidate()

    def list_articles(self) -> list[dict[str, Any]]:
        """One dict per article: id, title, url, published (ISO or None), source, chunks."""
        articles: dict[str, dict[str, Any]] = {}
        with store_errors(self.store.location):
            records = list(self.store.scan(texts=False))
        for rec in records:
            m = rec.metadata
            aid = str(m.get("article_id"))
            if aid not in articles:
                articles[aid] = {
                    "id": aid,
                    "title": m.get("title", ""),
                    "url": m.get("url") or None,
                    "published": m.get("published") or None,
                    "source": m.get("source") or None,
                    "chunks": 0,
                }
            articles[aid]["chunks"] += 1
        return sorted(articles.values(), key=lambda a: (a["published"] or "", a["title"]), reverse=True)

    def delete_article(self, article_id: str) -> int:
        """Removes an article's chunks; returns how many were removed."""
        with store_errors(self.store.location):
            removed = self.store.delete(where=eq("article_id", article_id))
        self._changed()
        return removed

    def check_store(self) -> Health:
        """Rows Chroma's SQLite holds against the vectors its index can return (reads only)."""
        with store_errors(self.store.location):
            return self.store.check()

    def repair(self, progress: Callable[[int, int], None] | None = None) -> int:
        """Embeds every stored chunk again into a new index that replaces the old one.

        What a damaged index (rows in SQLite, vectors gone) needs; texts and metadata are
        kept as stored. Holds the write lock; returns the chunks written.
        """
        from rag.chunkmeta import embed_text

        embedder = self.embedder

        def embed(records: Sequence[Record]) -> list[list[float]]:
            texts = [embed_text(str(r.metadata.get("title") or ""), r.text or "") for r in records]
            return embedder.embed_documents(texts)

        with store_errors(self.store.location):
            written = self.store.rebuild(embed, progress=progress, wait=self.settings.write_wait)
        self._changed()
        return written

    def stats(self) -> dict[str, int]:
        with store_errors(self.store.location):
            ids = {rec.metadata.get("article_id") for rec in self.store.scan(texts=False)}
            return {"articles": len(ids), "chunks": self.store.count()}

    def sources(self) -> list[str]:
        with store_errors(self.store.location):
            records = list(self.store.scan(texts=False))
        return sorted({str(r.metadata.get("source")) for r in records if r.metadata.get("source")})

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
        self._lexical = None
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
