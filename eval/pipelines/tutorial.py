"""The LangChain tutorial pipeline behind the desk methods the eval runner calls.

``TutorialDesk`` wraps ``eval.pipelines.baseline.TutorialPipeline`` (same splitter,
same langchain-chroma store, same ``BASELINE_PROMPT``) so that ``newsdesk eval``
asks it the same questions, over the same corpus, and scores its answers with
the same functions as ours. Its retrieval is the tutorial's
``similarity_search(k)``; its answer is the tutorial chain's stuffed prompt
filled with those passages (retrieving once, so the passages scored are the ones
the model was shown). It has no citations and no abstention logic of its own:
``Answer.abstained`` is rag's rule for "the articles don't say"
(``rag.citations.is_abstention``) applied to its text, and ``cites = False``
tells the runner its citation metrics are not applicable.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eval.pipelines import baseline
from rag.desk import final_answer
from rag.types import Answer, Article, IngestReport, Passage, Retrieval, Timings

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel

    from rag.desk import FiltersLike, History, Progress, StreamEvent
    from rag.settings import Settings

STAGE = "similarity_search"  # the tutorial's one retrieval stage, named in Retrieval.stage_seconds
_INGESTED = "tutorial-ingested.json"  # written once an ingest finished: its article ids' digest


def _digest(articles: Sequence[Article]) -> str:
    return hashlib.sha256("\n".join(sorted(a.id for a in articles)).encode()).hexdigest()


def passage_of(rank: int, text: str, meta: dict[str, Any]) -> Passage:
    """A tutorial chunk as a ``Passage``; it stores only url and title, so the URL stands for the article."""
    url = str(meta.get("url") or "") or None
    title = str(meta.get("title") or "")
    article = url or title or hashlib.sha1(text.encode()).hexdigest()[:16]
    return Passage(
        chunk_id=f"{article}#{hashlib.sha1(text.encode()).hexdigest()[:12]}",
        article_id=article,
        title=title,
        text=text,
        start=0,
        end=len(text),
        score=1.0 / rank,  # similarity_search gives no score: rank order is what it returns
        url=url,
    )


def question_with_options(question: str, choices: Sequence[str]) -> str:
    """The tutorial prompt has only ``{question}``: multiple-choice options are appended to it, lettered."""
    from rag.choices import format_options

    return f"{question}\n{format_options(choices)}" if choices else question


class TutorialDesk:
    """The tutorial pipeline over ``store_path``, answering like a desk; models are made on first use."""

    cites = False
    name = "tutorial"

    def __init__(
        self,
        settings: Settings,
        store_path: Path | str,
        *,
        embedder: Embeddings | None = None,
        llm: BaseChatModel | None = None,
    ) -> None:
        self.settings = settings
        self.store_path = Path(store_path)
        self._embedder = embedder
        self._llm = llm
        self._pipeline: baseline.TutorialPipeline | None = None

    # -- resources ------------------------------------------------------------------------
    @property
    def embedder(self) -> Embeddings:
        if self._embedder is None:
            from rag.embeddings import make_embedder

            self._embedder = make_embedder(self.settings)
        return self._embedder

    @property
    def llm(self) -> BaseChatModel:
        if self._llm is None:
            from rag.llm import make_llm

            self._llm = make_llm(self.settings)
        return self._llm

    @property
    def pipeline(self) -> baseline.TutorialPipeline:
        if self._pipeline is None:
            self._pipeline = baseline.TutorialPipeline(self.store_path, self.embedder, k=baseline.BASELINE_K)
        return self._pipeline

    # -- the library ------------------------------------------------------------------------
    def ingest_articles(
        self, articles: Iterable[Article], *, progress: Progress | None = None
    ) -> IngestReport:
        """The tutorial's ingest, once: it does not deduplicate, so a finished ingest of the same
        articles is not repeated (resume) and an unfinished or different one starts the store over."""
        chosen = list(articles)
        marker = self.store_path / _INGESTED
        digest = _digest(chosen)
        started = time.perf_counter()
        if marker.exists() and json.loads(marker.read_text(encoding="utf-8")).get("digest") == digest:
            return IngestReport(articles_unchanged=len(chosen))
        if self.store_path.exists():
            self._pipeline = None
            shutil.rmtree(self.store_path)
        chunks = self.pipeline.ingest(chosen)
        if progress:
            progress(len(chosen), len(chosen), "")
        marker.write_text(json.dumps({"digest": digest, "articles": len(chosen), "chunks": chunks}), "utf-8")
        return IngestReport(
            articles_added=len(chosen), chunks_added=chunks, seconds=time.perf_counter() - started
        )

    def ingest(self, paths: Sequence[Path | str], *, progress: Progress | None = None) -> IngestReport:
        """Plain article files, parsed by rag's loader so both pipelines read the same texts."""
        from rag.articles import parse_file

        files = [
            p for path in map(Path, paths) for p in (sorted(path.rglob("*")) if path.is_dir() else [path])
        ]
        articles = [a for f in files if f.is_file() for a in parse_file(f)]
        return self.ingest_articles(articles, progress=progress)

    def stats(self) -> dict[str, int]:
        return {"chunks": self.pipeline.count()}

    def list_articles(self) -> list[dict[str, Any]]:
        return []  # the tutorial keeps no article records, only chunks

    def delete_article(self, article_id: str) -> int:
        raise NotImplementedError("the tutorial pipeline cannot delete an article")

    def sources(self) -> list[str]:
        return []

    def describe(self) -> dict[str, str]:
        from rag.embeddings import embedder_name
        from rag.llm import model_label

        recipe = baseline.describe(baseline.BASELINE_K)
        generator = (
            str(getattr(self._llm, "model_name", "") or type(self._llm).__name__)
            if self._llm is not None
            else model_label(self.settings)
        )
        return {
            "pipeline": "LangChain tutorial",
            "generator": generator,
            "embedder": embedder_name(self._embedder)
            if self._embedder is not None
            else self.settings.embedder,
            "k": str(baseline.BASELINE_K),
            "splitter": recipe["splitter"],
            "store": recipe["store"],
            "retrieval": "dense similarity_search",
            "prompt": recipe["prompt"],
        }

    def close(self) -> None:
        self._pipeline = None

    # -- asking -----------------------------------------------------------------------------
    def retrieve(
        self, question: str, *, history: History = (), k: int | None = None, filters: FiltersLike = None
    ) -> Retrieval:
        """The tutorial's ``similarity_search(k)``; history and filters are not part of the tutorial."""
        pipeline = self.pipeline
        pipeline.k = k or baseline.BASELINE_K
        started = time.perf_counter()
        found = pipeline.retrieve(question)
        seconds = time.perf_counter() - started
        return Retrieval(
            question=question,
            standalone_question=question,
            passages=tuple(passage_of(n, text, meta) for n, (text, meta) in enumerate(found, start=1)),
            seconds=seconds,
            stage_seconds={STAGE: seconds},
        )

    def ask(
        self,
        question: str,
        *,
        history: History = (),
        k: int | None = None,
        filters: FiltersLike = None,
        choices: Sequence[str] = (),
    ) -> Answer:
        return final_answer(self.ask_stream(question, k=k, choices=choices))

    def ask_stream(
        self,
        question: str,
        *,
        history: History = (),
        k: int | None = None,
        filters: FiltersLike = None,
        choices: Sequence[str] = (),
    ) -> Iterator[StreamEvent]:
        """One ``Retrieval``, the text as it streams, then the ``Answer``."""
        started = time.perf_counter()
        retrieval = self.retrieve(question, k=k)
        yield retrieval
        yield from self._generate(question, retrieval.passages, choices, started, retrieval.seconds)

    def answer_from(
        self,
        question: str,
        passages: Sequence[Passage],
        *,
        choices: Sequence[str] = (),
        as_of: date | None = None,
    ) -> Answer:
        """The tutorial's reader alone: the stuffed prompt over ``passages``, no retrieval (``as_of`` unused)."""
        return final_answer(self._generate(question, tuple(passages), choices, time.perf_counter(), 0.0))

    def _generate(
        self,
        question: str,
        passages: Sequence[Passage],
        choices: Sequence[str],
        started: float,
        retrieve_seconds: float,
    ) -> Iterator[str | Answer]:
        """The tutorial chain after its retriever: join the texts, fill ``BASELINE_PROMPT``, stream."""
        from langchain_core.output_parsers import StrOutputParser
        from langchain_core.prompts import ChatPromptTemplate

        from rag.choices import parse_choice
        from rag.citations import is_abstention

        prompt = ChatPromptTemplate.from_template(baseline.BASELINE_PROMPT)
        inputs = {
            "context": "\n\n".join(p.text for p in passages),
            "question": question_with_options(question, choices),
        }
        prompt_chars = sum(len(str(m.content)) for m in prompt.format_messages(**inputs))
        generating = time.perf_counter()
        parts: list[str] = []
        first: float | None = None
        error: str | None = None
        try:
            for delta in (prompt | self.llm | StrOutputParser()).stream(inputs):
                if delta:
                    first = first if first is not None else time.perf_counter() - started
                    parts.append(delta)
                    yield delta
        except Exception as exc:  # noqa: BLE001 - like ours: a failed generation is an Answer with an error
            error = f"{type(exc).__name__}: {exc}"
        text = "".join(parts).strip()
        abstained = not error and is_abstention(text)
        yield Answer(
            question=question,
            answer=text,
            abstained=abstained,
            passages=tuple(passages),
            model=self.describe()["generator"],
            timings=Timings(
                retrieve=retrieve_seconds,
                generate=time.perf_counter() - generating,
                first_token=first,
                total=time.perf_counter() - started,
            ),
            error=error,
            prompt_chars=prompt_chars,
            choice=parse_choice(text, choices) if choices and not abstained and not error else None,
            draft=text,
        )
