"""The measured phases; each is a plain function of picklable arguments, so it can run in a child.

Every phase builds its own embedder (and model) from the factories and warms it
before any clock starts, so loading time never counts as pipeline time.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from eval.bench.process import rss_mb
from eval.bench.stats import rounded, summarize
from eval.pipelines.baseline import BASELINE_K, TutorialPipeline

if TYPE_CHECKING:
    from langchain_core.embeddings import Embeddings
    from langchain_core.language_models import BaseChatModel

    from rag.settings import Settings
    from rag.types import Article

    EmbedderFactory = Callable[[Settings], Embeddings]
    LlmFactory = Callable[[Settings], BaseChatModel]


def _warm(embedder: Embeddings) -> int:
    """Loads the embedder (outside any timing) and returns its dimension."""
    return len(embedder.embed_query("warm up"))


def _ingest_result(
    seconds: float, articles: int, chunks: int, rss_ready: float | None, dim: int
) -> dict[str, Any]:
    return {
        "seconds": round(seconds, 3),
        "articles": articles,
        "chunks": chunks,
        "articles_per_s": round(articles / seconds, 2) if seconds > 0 else None,
        "chunks_per_s": round(chunks / seconds, 2) if seconds > 0 else None,
        "rss_ready_mb": rss_ready,  # after imports and the warmed embedder, before ingesting
        "peak_rss_mb": rss_mb("VmHWM"),
        "dim": dim,
        "pid": os.getpid(),
    }


def ingest_ours(
    settings: Settings, articles: Sequence[Article], embedder_factory: EmbedderFactory
) -> dict[str, Any]:
    """``Newsdesk(settings).ingest_articles(articles)`` into ``settings.store``."""
    from rag.api import Newsdesk

    embedder = embedder_factory(settings)
    dim = _warm(embedder)
    desk = Newsdesk(settings, embedder=embedder)
    rss = rss_mb()
    started = time.perf_counter()
    report = desk.ingest_articles(list(articles))
    seconds = time.perf_counter() - started
    result = _ingest_result(seconds, len(articles), report.chunks_added, rss, dim)
    result["stored"] = desk.store.count()
    desk.close()
    return result


def ingest_baseline(
    settings: Settings, store: Path, articles: Sequence[Article], embedder_factory: EmbedderFactory
) -> dict[str, Any]:
    """The tutorial's ingest: split every article, ``Chroma.add_texts`` in batches."""
    embedder = embedder_factory(settings)
    dim = _warm(embedder)
    tutorial = TutorialPipeline(store, embedder, k=BASELINE_K)
    rss = rss_mb()
    started = time.perf_counter()
    chunks = tutorial.ingest(articles)
    seconds = time.perf_counter() - started
    result = _ingest_result(seconds, len(articles), chunks, rss, dim)
    result["stored"] = tutorial.count()
    return result


def retrieval_latency(
    settings: Settings, base_path: Path, questions: Sequence[str], embedder_factory: EmbedderFactory
) -> dict[str, Any]:
    """Per-question retrieval time of ours (``Newsdesk.retrieve``, exactly what ``ask`` runs) and the
    baseline (``similarity_search(k)``), interleaved (ours first on even questions, baseline first on
    odd), after one warm-up each (ours' builds its keyword index).

    Ours' total is the wall time of the call; its breakdown is whatever stages the
    settings compose, read from ``Retrieval.stage_seconds`` (in pipeline order), so
    a stage switched on by a setting shows up here with no change to this code.
    """
    from rag.api import Newsdesk

    embedder = embedder_factory(settings)
    _warm(embedder)
    desk = Newsdesk(settings, embedder=embedder)
    tutorial = TutorialPipeline(base_path, embedder, k=BASELINE_K)

    def ours(q: str) -> tuple[float, dict[str, float]]:
        t0 = time.perf_counter()
        found = desk.retrieve(q)
        return time.perf_counter() - t0, dict(found.stage_seconds)

    def base(q: str) -> float:
        t0 = time.perf_counter()
        tutorial.retrieve(q)
        return time.perf_counter() - t0

    questions = [" ".join(q.split()) for q in questions if q.strip()]
    warm_ours = ours(questions[0])[0] if questions else None
    warm_base = base(questions[0]) if questions else None
    totals: list[float] = []
    bases: list[float] = []
    stages: dict[str, list[float | None]] = {}  # first-seen order = pipeline order
    for n, q in enumerate(questions):
        if n % 2:
            bases.append(base(q))
        total, seconds = ours(q)
        for name in seconds:
            stages.setdefault(name, [None] * len(totals))
        for name, values in stages.items():
            values.append(seconds.get(name))  # a stage missing from one call is not counted as 0
        totals.append(total)
        if not n % 2:
            bases.append(base(q))
    result = {
        "ours": {
            "chunks": desk.store.count(),
            "warmup_s": rounded(warm_ours),
            "total": summarize(totals, 1000),
            "stages": {name: summarize(values, 1000) for name, values in stages.items()},
        },
        "baseline": {
            "chunks": tutorial.count(),
            "warmup_s": rounded(warm_base),
            "total": summarize(bases, 1000),
        },
        "k": settings.k,
        "baseline_k": BASELINE_K,
    }
    desk.close()
    return result


def answer_latency(
    settings: Settings,
    base_path: Path,
    questions: Sequence[str],
    warmup: str,
    embedder_factory: EmbedderFactory,
    llm_factory: LlmFactory,
) -> dict[str, Any]:
    """Time to first token and total of ``Newsdesk.ask_stream`` and of the tutorial's chain,
    each pipeline as one block after its own untimed warm-up; the model server starts first.

    Times run from the call (retrieval included) to the first text / the end. Prompt
    size is the characters of the messages sent: ours' from ``Answer.prompt_chars``
    (no prompt when nothing was retrieved), the baseline's recorded by its chain.
    """
    from rag.api import Newsdesk
    from rag.types import Answer

    embedder = embedder_factory(settings)
    _warm(embedder)
    llm = llm_factory(settings)
    started = time.perf_counter()
    llm.invoke("Reply with OK.")
    model_start = time.perf_counter() - started
    desk = Newsdesk(settings, llm=llm, embedder=embedder)
    tutorial = TutorialPipeline(base_path, embedder, llm, k=BASELINE_K)

    def ours(q: str) -> dict[str, Any]:
        t0 = time.perf_counter()
        first, parts, final = None, [], None
        for event in desk.ask_stream(q):
            if isinstance(event, str):
                if first is None:
                    first = time.perf_counter() - t0
                parts.append(event)
            elif isinstance(event, Answer):
                final = event
        total = time.perf_counter() - t0
        return {
            "ttft": first,
            "total": total,
            "prompt_chars": (final.prompt_chars or None) if final is not None else None,
            "answer_chars": len("".join(parts)),
            "error": final.error if final is not None else "no answer",
        }

    def base(q: str) -> dict[str, Any]:
        t0 = time.perf_counter()
        first, parts, error = None, [], None
        try:
            for delta in tutorial.stream(q):
                if delta:
                    if first is None:
                        first = time.perf_counter() - t0
                    parts.append(delta)
        except Exception as exc:  # a failed call is counted, not fatal
            error = str(exc)
        total = time.perf_counter() - t0
        return {
            "ttft": first,
            "total": total,
            "prompt_chars": tutorial.last_prompt_chars,
            "answer_chars": len("".join(parts)),
            "error": error,
        }

    def block(fn: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
        warm = fn(warmup)
        runs = [fn(" ".join(q.split())) for q in questions]
        ok = [r for r in runs if not r["error"]]
        return {
            "warmup_s": rounded(warm["total"]),
            "ttft": summarize([r["ttft"] for r in ok]),
            "total": summarize([r["total"] for r in ok]),
            "prompt_chars": summarize([r["prompt_chars"] for r in ok]),
            "answer_chars": summarize([r["answer_chars"] for r in ok]),
            "errors": len(runs) - len(ok),
            "error_examples": [r["error"] for r in runs if r["error"]][:3],
        }

    result = {
        "model": getattr(llm, "model_name", None) or type(llm).__name__,
        "model_start_s": rounded(model_start),
        "ours": block(ours),
        "baseline": block(base),
    }
    desk.close()
    return result
