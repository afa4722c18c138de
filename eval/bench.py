"""``newsdesk bench``: newsdesk against a plain LangChain pipeline on the RealTimeQA dev corpus.

Mount with ``main_app.add_typer(eval.bench.app, name="bench")``; standalone:
``python -m eval.bench --weeks 1 --max-articles 60 --questions 3 --models small``.

Both pipelines get the same ``Article`` list, the same embedder (``make_embedder``)
and the same ``k``:

- ours: ``Newsdesk.ingest_articles`` (700/200 sentence chunks, title-prefixed
  embeddings), retrieval = ``Retriever.search`` (dense + BM25, de-duplicated) +
  ``Retriever.focus`` exactly as ``ask`` runs it, answers = ``Newsdesk.ask_stream``.
- baseline (the tutorial): ``RecursiveCharacterTextSplitter(1000, 200)`` on each
  article's text, ``langchain_chroma.Chroma.add_texts`` in batches with url/title
  metadata, ``similarity_search(k)``, and the stuffed prompt ``BASELINE_PROMPT``
  streamed through the same ``ChatOpenAI`` local model.

Phases, each run in its own spawned process (so peak RSS is per pipeline and
one phase's caches never help another):

1. ingest: wall time (chunking + embedding + writing, the embedder loaded and
   warmed before the clock starts), articles/s, chunks/s, peak RSS (``VmHWM`` of
   the child: imports + model + ingest).
2. scale: the 1x stores are copied and grown with synthetic chunks to each
   ``--scales`` factor: random unit vectors (numpy, seeded), texts made of the
   shuffled words of the store's own real chunks, plausible metadata; written
   through ``ChromaStore.upsert`` (ours) and the baseline's Chroma collection.
   Each store is grown relative to its own chunk count, and the factor is capped
   so that no store exceeds ``--max-chunks`` (default 400,000, which fits the full
   dev corpus at a true 10x): both stores then get the same smaller factor,
   printed and stored as ``actual``; a capped scale barely above the previous
   one is folded into it (``merged``). Each scale starts from a copy of the
   previous one, so only the difference is written.
3. retrieval: every question of the chosen weeks, one warm-up query first (it
   builds ours' BM25 index), pipelines interleaved question by question;
   p50/p95 in ms. Ours is also reported as search only (without ``focus``).
4. answers, per model: ``--questions`` questions (seeded sample), one untimed
   warm-up per pipeline after the model server has started; each pipeline runs
   its questions as a block, so the llama.cpp prompt cache behaves as in real
   use. Time to first token and total are measured from the call (retrieval
   included) to the first text / the end; prompt size is the characters of the
   messages sent.

The table shows ours, baseline and ours/baseline for every metric, with the
direction that is better; the JSON holds everything plus settings, machine and date.
"""

from __future__ import annotations

import json
import os
import platform
import random
import re
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from eval.metrics import mean, percentile

ROOT = Path(__file__).resolve().parents[1]
DATA_ENV = "NEWSDESK_BENCH_DATA"  # the RealTimeQA folder when --data is not given; there is no default
MISSING_DATA = f"give --data FOLDER (a RealTimeQA-format folder) or set {DATA_ENV}"
DEFAULT_OUT = ROOT / "eval" / "runs" / "bench.json"
MODELS = ("default", "small")

BASELINE_COLLECTION = "langchain"  # langchain_chroma's default name
BASELINE_CHUNK_SIZE = 1000
BASELINE_CHUNK_OVERLAP = 200
BASELINE_BATCH = 256  # ours flushes every max(embed_batch_size * 4, 64) = 256 chunks by default
BASELINE_PROMPT = "Answer the question using the context.\n\nContext:\n{context}\n\nQuestion: {question}"
DEFAULT_MAX_CHUNKS = 400_000  # the full dev corpus at a true 10x (ours: 387,840 chunks)
SYNTHETIC_BATCH = 2000

EmbedderFactory = Callable[[Any], Any]  # Settings -> langchain Embeddings
LlmFactory = Callable[[Any], Any]  # Settings -> langchain chat model

console = Console()


# ---------------------------------------------------------------- small pure helpers


def summarize(values: Sequence[float | None], scale: float = 1.0) -> dict[str, float | int | None]:
    """n, p50, p95 and mean of the defined values, each multiplied by ``scale`` (1000 for ms)."""
    data = [v * scale for v in values if v is not None]
    p50, p95, avg = percentile(data, 50), percentile(data, 95), mean(data)
    return {"n": len(data), "p50": _round(p50), "p95": _round(p95), "mean": _round(avg)}


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


def better_for(metric: str) -> str | None:
    """Which direction is better for a flat metric name: ``higher``, ``lower`` or ``None`` (informational)."""
    last = metric.rsplit(".", 1)[-1]
    if last.endswith("_per_s"):
        return "higher"
    if last in ("chunks", "answer_chars_mean", "n"):
        return None
    if last.endswith(("_ms", "_s", "_mb")) or last in ("seconds", "prompt_chars_mean", "errors"):
        return "lower"
    return None


def ratio(ours: float | None, baseline: float | None) -> float | None:
    """ours / baseline, or ``None`` when either is missing or the baseline is zero."""
    if ours is None or baseline is None or baseline == 0:
        return None
    return ours / baseline


def ratio_rows(
    ours: dict[str, float | None],
    baseline: dict[str, float | None],
    labels: dict[str, str] | None = None,
) -> list[dict[str, Any]]:
    """One row per metric (ours' order, then any baseline-only ones): values, ratio ours/baseline,
    the better direction, and whether ours is on the better side (``None`` when undecidable)."""
    rows = []
    for metric in [*ours, *(m for m in baseline if m not in ours)]:
        a, b = ours.get(metric), baseline.get(metric)
        r = ratio(a, b)
        better = better_for(metric)
        ours_better = None
        if r is not None and better is not None and r != 1:
            ours_better = r > 1 if better == "higher" else r < 1
        rows.append({
            "metric": metric,
            "label": (labels or {}).get(metric, metric),
            "ours": a,
            "baseline": b,
            "ratio": _round(r, 3),
            "better": better,
            "ours_better": ours_better,
        })
    return rows


def effective_factors(scales: Sequence[int], chunks: Sequence[int], max_chunks: int) -> list[dict[str, Any]]:
    """``[{requested, actual, capped}]`` per distinct scale, ascending.

    ``actual`` keeps every store (each grown relative to its own chunk count) at
    or under ``max_chunks``. A capped scale that would add less than half again
    to the largest factor already listed is not run on its own: it is recorded
    in that factor's ``merged`` list instead.
    """
    biggest = max([*chunks, 1])
    cap = max(1.0, max_chunks / biggest)
    out: list[dict[str, Any]] = []
    for requested in sorted(set(scales)):
        actual = 1.0 if requested <= 1 else round(min(float(requested), cap), 2)
        capped = actual < requested
        if out and (actual == out[-1]["actual"] or (capped and actual < 1.5 * out[-1]["actual"])):
            out[-1].setdefault("merged", []).append(requested)
            continue
        out.append({"requested": requested, "actual": actual, "capped": capped})
    return out


def flatten(results: dict[str, Any]) -> tuple[dict[str, float | None], dict[str, float | None], dict[str, str]]:
    """The results as two flat ``metric -> value`` dicts (ours, baseline) and their labels, table order."""
    ours: dict[str, float | None] = {}
    base: dict[str, float | None] = {}
    labels: dict[str, str] = {}

    def put(key: str, label: str, a: float | None, b: float | None) -> None:
        ours[key], base[key], labels[key] = a, b, label

    ing = results.get("ingest") or {}
    if ing:
        o, b = ing["ours"], ing["baseline"]
        put("ingest.seconds", "ingest: wall time (s)", o["seconds"], b["seconds"])
        put("ingest.articles_per_s", "ingest: articles/s", o["articles_per_s"], b["articles_per_s"])
        put("ingest.chunks_per_s", "ingest: chunks/s", o["chunks_per_s"], b["chunks_per_s"])
        put("ingest.chunks", "ingest: chunks", o["chunks"], b["chunks"])
        put("ingest.peak_rss_mb", "ingest: peak RSS (MB)", o["peak_rss_mb"], b["peak_rss_mb"])
    for key, scale in (results.get("retrieval") or {}).items():
        o, b = scale["ours"], scale["baseline"]
        name = f"x{scale['actual']:g}" + (f" (of x{scale['requested']})" if scale.get("capped") else "")
        put(f"retrieval.{key}.chunks", f"retrieval {name}: chunks", o["chunks"], b["chunks"])
        put(f"retrieval.{key}.p50_ms", f"retrieval {name}: p50 (ms)", o["total"]["p50"], b["total"]["p50"])
        put(f"retrieval.{key}.p95_ms", f"retrieval {name}: p95 (ms)", o["total"]["p95"], b["total"]["p95"])
        put(f"retrieval.{key}.search_p50_ms", f"retrieval {name}: p50 search only (ms)",
            o["search"]["p50"], b["total"]["p50"])
    for model, run in (results.get("answers") or {}).items():
        o, b = run["ours"], run["baseline"]
        put(f"answer.{model}.ttft_p50_s", f"answer {model}: TTFT p50 (s)", o["ttft"]["p50"], b["ttft"]["p50"])
        put(f"answer.{model}.ttft_p95_s", f"answer {model}: TTFT p95 (s)", o["ttft"]["p95"], b["ttft"]["p95"])
        put(f"answer.{model}.total_p50_s", f"answer {model}: total p50 (s)", o["total"]["p50"], b["total"]["p50"])
        put(f"answer.{model}.total_p95_s", f"answer {model}: total p95 (s)", o["total"]["p95"], b["total"]["p95"])
        put(f"answer.{model}.prompt_chars_mean", f"answer {model}: prompt chars (mean)",
            o["prompt_chars"]["mean"], b["prompt_chars"]["mean"])
        put(f"answer.{model}.answer_chars_mean", f"answer {model}: answer chars (mean)",
            o["answer_chars"]["mean"], b["answer_chars"]["mean"])
        put(f"answer.{model}.errors", f"answer {model}: errors", o["errors"], b["errors"])
    return ours, base, labels


def _fmt(value: float | None) -> str:
    if value is None:
        return "—"
    if float(value).is_integer() and abs(value) >= 100:
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if value else "0"


def render_table(rows: Sequence[dict[str, Any]], title: str = "newsdesk vs LangChain baseline") -> Table:
    table = Table(title=title)
    table.add_column("metric", no_wrap=True)
    table.add_column("ours", justify="right")
    table.add_column("baseline", justify="right")
    table.add_column("ours/baseline", justify="right")
    table.add_column("better", justify="center")
    for row in rows:
        r = row["ratio"]
        text = "—" if r is None else f"{r:.2f}×"
        if row["ours_better"] is True:
            text = f"[green]{text}[/]"
        elif row["ours_better"] is False:
            text = f"[red]{text}[/]"
        better = {"higher": "higher ↑", "lower": "lower ↓"}.get(row["better"] or "", "—")
        table.add_row(row["label"], _fmt(row["ours"]), _fmt(row["baseline"]), text, better)
    return table


# ---------------------------------------------------------------- process helpers


def _rss_mb(field_name: str = "VmRSS") -> float | None:
    """Current (``VmRSS``) or peak (``VmHWM``) resident memory of this process in MB (Linux)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    if field_name == "VmHWM":  # elsewhere: ru_maxrss (KB on Linux, bytes on macOS)
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return round(peak / (1024 * 1024 if sys.platform == "darwin" else 1024), 1)
    return None


def call(fn: Callable[..., Any], *args: Any, isolate: bool = True, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)``, in a fresh spawned process when ``isolate`` (its result comes back pickled)."""
    if not isolate:
        return fn(*args, **kwargs)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(fn, *args, **kwargs).result()


def _settings_for(settings: Any, **update: Any) -> Any:
    return settings.model_copy(update=update)


def _warm(embedder: Any) -> int:
    """Loads the embedder (outside any timing) and returns its dimension."""
    return len(embedder.embed_query("warm up"))


def baseline_store(path: Path, embedder: Any) -> Any:
    """The tutorial's ``Chroma`` over the store folder; the client comes from ``vectorstore``, the only
    place allowed to import chromadb (``open_client`` is what ``ChromaStore.client`` is made with)."""
    from langchain_chroma import Chroma

    from vectorstore import open_client

    return Chroma(client=open_client(path=Path(path)), collection_name=BASELINE_COLLECTION,
                  embedding_function=embedder)


def baseline_chunks(articles: Sequence[Any]) -> tuple[list[str], list[dict[str, str]]]:
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(chunk_size=BASELINE_CHUNK_SIZE, chunk_overlap=BASELINE_CHUNK_OVERLAP)
    texts: list[str] = []
    metas: list[dict[str, str]] = []
    for article in articles:
        for piece in splitter.split_text(article.text):
            texts.append(piece)
            metas.append({"url": article.url or "", "title": article.title})
    return texts, metas


def baseline_chain(vs: Any, llm: Any, k: int, prompt_sizes: list[int]) -> Any:
    """The tutorial RAG chain: retriever | join → stuffed prompt → llm → text (streams).

    A pass-through step after the prompt records the characters of the messages sent.
    """
    from langchain_core.output_parsers import StrOutputParser
    from langchain_core.prompts import ChatPromptTemplate
    from langchain_core.runnables import RunnableLambda, RunnablePassthrough

    def format_docs(docs: Sequence[Any]) -> str:
        return "\n\n".join(d.page_content for d in docs)

    def record(value: Any) -> Any:
        prompt_sizes.append(sum(len(str(m.content)) for m in value.to_messages()))
        return value

    prompt = ChatPromptTemplate.from_template(BASELINE_PROMPT)
    retriever = vs.as_retriever(search_kwargs={"k": k})
    return (
        {"context": retriever | format_docs, "question": RunnablePassthrough()}
        | prompt
        | RunnableLambda(record)
        | llm
        | StrOutputParser()
    )


# ---------------------------------------------------------------- phases (each may run in a child)


def _ingest_result(seconds: float, articles: int, chunks: int, rss_ready: float | None, dim: int) -> dict[str, Any]:
    return {
        "seconds": round(seconds, 3),
        "articles": articles,
        "chunks": chunks,
        "articles_per_s": round(articles / seconds, 2) if seconds > 0 else None,
        "chunks_per_s": round(chunks / seconds, 2) if seconds > 0 else None,
        "rss_ready_mb": rss_ready,  # after imports and the warmed embedder, before ingesting
        "peak_rss_mb": _rss_mb("VmHWM"),
        "dim": dim,
        "pid": os.getpid(),
    }


def ingest_ours(settings: Any, articles: Sequence[Any], embedder_factory: EmbedderFactory) -> dict[str, Any]:
    """``Newsdesk(settings).ingest_articles(articles)`` into ``settings.store``."""
    from rag.api import Newsdesk

    embedder = embedder_factory(settings)
    dim = _warm(embedder)
    desk = Newsdesk(settings, embedder=embedder)
    rss = _rss_mb()
    started = time.perf_counter()
    report = desk.ingest_articles(list(articles))
    seconds = time.perf_counter() - started
    result = _ingest_result(seconds, len(articles), report.chunks_added, rss, dim)
    result["stored"] = desk.store.count()
    desk.close()
    return result


def ingest_baseline(settings: Any, store: Path, articles: Sequence[Any],
                    embedder_factory: EmbedderFactory) -> dict[str, Any]:
    """The tutorial: split every article, ``Chroma.add_texts`` in batches of ``BASELINE_BATCH``."""
    embedder = embedder_factory(settings)
    dim = _warm(embedder)
    vs = baseline_store(store, embedder)
    rss = _rss_mb()
    started = time.perf_counter()
    texts, metas = baseline_chunks(articles)
    for i in range(0, len(texts), BASELINE_BATCH):
        vs.add_texts(texts[i : i + BASELINE_BATCH], metadatas=metas[i : i + BASELINE_BATCH])
    seconds = time.perf_counter() - started
    result = _ingest_result(seconds, len(articles), len(texts), rss, dim)
    result["stored"] = vs._collection.count()
    return result


def _shuffled(words_of: Sequence[str], rng: random.Random) -> str:
    words = rng.choice(words_of).split() or ["news"]
    rng.shuffle(words)
    return " ".join(words)


def _unit_vectors(gen: Any, n: int, dim: int) -> Any:
    import numpy as np

    vecs = gen.standard_normal((n, dim), dtype=np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    return vecs


def grow_ours(settings: Any, target: int, dim: int, seed: int, tag: str) -> dict[str, Any]:
    """Adds synthetic chunks to ours' store (``ChromaStore.upsert``) until it holds ``target``."""
    import numpy as np

    from rag.retrieval import date_int
    from vectorstore import ChromaStore

    store = ChromaStore(path=settings.store, collection=settings.collection)
    have = store.count()
    sample = store.get(limit=2000)
    texts = [r.text for r in sample if r.text.strip()] or ["synthetic news text"]
    titles = [str(r.metadata.get("title") or "") for r in sample if r.metadata.get("title")] or ["Synthetic story"]
    dates = [str(r.metadata.get("published") or "") for r in sample] or [""]
    rng, gen = random.Random(seed), np.random.default_rng(seed)
    started = time.perf_counter()
    added = 0
    while have + added < target:
        n = min(SYNTHETIC_BATCH, target - have - added)
        ids: list[str] = []
        docs: list[str] = []
        metas: list[dict[str, str | int]] = []
        for i in range(added, added + n):
            doc = _shuffled(texts, rng)
            published = rng.choice(dates)
            article = f"syn-{tag}-{i // 8}"
            ids.append(f"syn-{tag}-{i}")
            docs.append(doc)
            metas.append({
                "article_id": article,
                "title": _shuffled(titles, rng),
                "url": f"https://synthetic.invalid/{article}",
                "published": published,
                "published_int": date_int(datetime.fromisoformat(published).date()) if published else 0,
                "source": "synthetic.invalid",
                "author": "",
                "path": "",
                "content_hash": f"syn-{tag}-{i // 8}",
                "start": (i % 8) * 500,
                "end": (i % 8) * 500 + len(doc),
                "index": i % 8,
            })
        store.upsert(ids=ids, texts=docs, metadatas=metas, embeddings=_unit_vectors(gen, n, dim).tolist())
        added += n
    return {"added": added, "chunks": store.count(), "seconds": round(time.perf_counter() - started, 2)}


def grow_baseline(store_path: Path, target: int, dim: int, seed: int, tag: str) -> dict[str, Any]:
    """Adds synthetic chunks to the baseline's Chroma collection (precomputed vectors, no embedding)."""
    import numpy as np

    vs = baseline_store(store_path, None)
    col = vs._collection
    have = col.count()
    sample = col.get(limit=2000, include=["documents", "metadatas"])
    texts = [d for d in sample["documents"] or [] if d and d.strip()] or ["synthetic news text"]
    titles = [str((m or {}).get("title") or "") for m in sample["metadatas"] or []]
    titles = [t for t in titles if t] or ["Synthetic story"]
    rng, gen = random.Random(seed), np.random.default_rng(seed)
    started = time.perf_counter()
    added = 0
    while have + added < target:
        n = min(SYNTHETIC_BATCH, target - have - added)
        ids = [f"syn-{tag}-{i}" for i in range(added, added + n)]
        docs = [_shuffled(texts, rng) for _ in range(n)]
        metas = [{"url": f"https://synthetic.invalid/syn-{tag}-{i // 8}", "title": _shuffled(titles, rng)}
                 for i in range(added, added + n)]
        col.upsert(ids=ids, documents=docs, metadatas=metas, embeddings=_unit_vectors(gen, n, dim))
        added += n
    return {"added": added, "chunks": col.count(), "seconds": round(time.perf_counter() - started, 2)}


def retrieval_latency(settings: Any, base_path: Path, questions: Sequence[str],
                      embedder_factory: EmbedderFactory) -> dict[str, Any]:
    """Per-question retrieval time of ours (search + focus) and the baseline (similarity_search(k)),
    interleaved (ours first on even questions, baseline first on odd), after one warm-up each."""
    from rag.api import Newsdesk

    embedder = embedder_factory(settings)
    _warm(embedder)
    desk = Newsdesk(settings, embedder=embedder)
    retriever = desk.retriever
    vs = baseline_store(base_path, embedder)
    k, fetch_k = settings.k, max(settings.fetch_k, settings.k)

    def ours(q: str) -> tuple[float, float]:
        t0 = time.perf_counter()
        found = retriever.search(q, k=k, fetch_k=fetch_k, filters=None)
        t1 = time.perf_counter()
        retriever.focus(q, found, settings.context_chars)
        return time.perf_counter() - t0, t1 - t0

    def base(q: str) -> float:
        t0 = time.perf_counter()
        vs.similarity_search(q, k=k)
        return time.perf_counter() - t0

    questions = [" ".join(q.split()) for q in questions if q.strip()]
    warm_ours = ours(questions[0])[0] if questions else None
    warm_base = base(questions[0]) if questions else None
    totals, searches, focus, bases = [], [], [], []
    for n, q in enumerate(questions):
        if n % 2:
            bases.append(base(q))
        total, search = ours(q)
        totals.append(total)
        searches.append(search)
        focus.append(total - search)
        if not n % 2:
            bases.append(base(q))
    result = {
        "ours": {
            "chunks": desk.store.count(),
            "warmup_s": _round(warm_ours),
            "total": summarize(totals, 1000),
            "search": summarize(searches, 1000),
            "focus": summarize(focus, 1000),
        },
        "baseline": {
            "chunks": vs._collection.count(),
            "warmup_s": _round(warm_base),
            "total": summarize(bases, 1000),
        },
        "k": k,
    }
    desk.close()
    return result


def answer_latency(settings: Any, base_path: Path, questions: Sequence[str], warmup: str,
                   embedder_factory: EmbedderFactory, llm_factory: LlmFactory) -> dict[str, Any]:
    """Time to first token and total of ``Newsdesk.ask_stream`` and of the stuffed baseline chain,
    each pipeline as one block after its own untimed warm-up; the model server starts first."""
    from rag.api import Newsdesk
    from rag.chain import answer_prompt, format_passages
    from rag.types import Answer

    embedder = embedder_factory(settings)
    _warm(embedder)
    llm = llm_factory(settings)
    started = time.perf_counter()
    llm.invoke("Reply with OK.")
    model_start = time.perf_counter() - started
    desk = Newsdesk(settings, llm=llm, embedder=embedder)
    vs = baseline_store(base_path, embedder)
    prompt_sizes: list[int] = []
    chain = baseline_chain(vs, llm, settings.k, prompt_sizes)
    template = answer_prompt()

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
        prompt = None
        if final is not None and final.passages and first is not None:
            messages = template.format_messages(question=final.standalone_question or final.question,
                                                context=format_passages(final.passages))
            prompt = sum(len(str(m.content)) for m in messages)
        return {"ttft": first, "total": total, "prompt_chars": prompt, "answer_chars": len("".join(parts)),
                "error": final.error if final is not None else "no answer"}

    def base(q: str) -> dict[str, Any]:
        t0 = time.perf_counter()
        first, parts, error = None, [], None
        before = len(prompt_sizes)
        try:
            for delta in chain.stream(q):
                if delta:
                    if first is None:
                        first = time.perf_counter() - t0
                    parts.append(delta)
        except Exception as exc:  # a failed call is counted, not fatal
            error = str(exc)
        total = time.perf_counter() - t0
        prompt = prompt_sizes[-1] if len(prompt_sizes) > before else None
        return {"ttft": first, "total": total, "prompt_chars": prompt, "answer_chars": len("".join(parts)),
                "error": error}

    def block(fn: Callable[[str], dict[str, Any]]) -> dict[str, Any]:
        warm = fn(warmup)
        runs = [fn(" ".join(q.split())) for q in questions]
        ok = [r for r in runs if not r["error"]]
        return {
            "warmup_s": _round(warm["total"]),
            "ttft": summarize([r["ttft"] for r in ok]),
            "total": summarize([r["total"] for r in ok]),
            "prompt_chars": summarize([r["prompt_chars"] for r in ok]),
            "answer_chars": summarize([r["answer_chars"] for r in ok]),
            "errors": len(runs) - len(ok),
            "error_examples": [r["error"] for r in runs if r["error"]][:3],
        }

    result = {"model": getattr(llm, "model_name", None) or type(llm).__name__,
              "model_start_s": _round(model_start), "ours": block(ours), "baseline": block(base)}
    desk.close()
    return result


# ---------------------------------------------------------------- inputs


def week_names(data: Path) -> list[str]:
    return sorted(p.name.removesuffix("_qa.jsonl") for p in Path(data).glob("*_qa.jsonl"))


@contextmanager
def week_folder(data: Path, weeks: int | None) -> Iterator[Path]:
    """``data`` itself, or a temporary folder of links to the first ``weeks`` weeks' files."""
    names = week_names(data)
    if not names:
        raise typer.BadParameter(f"{data}: no RealTimeQA *_qa.jsonl files")
    if not weeks or weeks >= len(names):
        yield Path(data)
        return
    with tempfile.TemporaryDirectory(prefix="bench-weeks-") as tmp:
        for week in names[:weeks]:
            for kind in ("qa", "gcs", "gold"):
                src = Path(data).resolve() / f"{week}_{kind}.jsonl"
                if src.exists():
                    (Path(tmp) / src.name).symlink_to(src)
        yield Path(tmp)


def load_inputs(data: Path | None, weeks: int | None = None,
                max_articles: int | None = None) -> tuple[list[Any], list[str]]:
    """(articles, question sentences) of the first ``weeks`` weeks; articles unique by id, cut to ``max_articles``."""
    from eval.adapters import load_realtimeqa_corpus, load_realtimeqa_questions

    if data is None:
        raise typer.BadParameter(MISSING_DATA)

    with week_folder(data, weeks) as folder:
        articles = load_realtimeqa_corpus(folder)
        questions = [q.question for q in load_realtimeqa_questions(folder) if q.question.strip()]
    unique = list({a.id: a for a in reversed(articles)}.values())[::-1]  # first copy of an id wins
    if max_articles:
        unique = unique[:max_articles]
    return unique, questions


# ---------------------------------------------------------------- the whole run


@dataclass
class BenchConfig:
    data: Path | None = None  # required unless articles and questions are passed to run_bench
    weeks: int | None = None
    max_articles: int | None = None
    questions: int = 10
    models: list[str] = field(default_factory=lambda: list(MODELS))
    scales: list[int] = field(default_factory=lambda: [1, 10, 100])
    skip_answers: bool = False
    out: Path | None = DEFAULT_OUT
    work: Path | None = None
    max_chunks: int = DEFAULT_MAX_CHUNKS
    seed: int = 0


def machine_info() -> dict[str, Any]:
    info: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "processor": platform.processor() or None,
        "python": platform.python_version(),
    }
    with suppress(OSError):
        info["load_average"] = [round(x, 2) for x in os.getloadavg()]
    mem = Path("/proc/meminfo")
    if mem.exists():
        match = re.search(r"MemTotal:\s+(\d+)", mem.read_text())
        if match:
            info["memory_gb"] = round(int(match.group(1)) / 1024 / 1024, 1)
    return info


def _settings_dump(settings: Any) -> dict[str, Any]:
    data = settings.model_dump(mode="json")
    for key in ("llm_api_key", "openai_api_key", "auth"):
        if data.get(key):
            data[key] = "***"
    return data


def run_bench(
    cfg: BenchConfig,
    settings: Any = None,
    *,
    embedder_factory: EmbedderFactory | None = None,
    llm_factory: LlmFactory | None = None,
    isolate: bool = True,
    articles: Sequence[Any] | None = None,
    questions: Sequence[str] | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Runs every phase and returns the results (also written to ``cfg.out`` when set).

    ``articles``/``questions`` replace the RealTimeQA inputs (tests); factories
    default to ``make_embedder``/``make_llm``; ``isolate=False`` runs phases in
    this process (then peak RSS is this process's, and says so).
    """
    from rag.embeddings import make_embedder
    from rag.llm import make_llm
    from rag.settings import load_settings

    say = log or (lambda text: console.print(text, highlight=False))
    settings = settings or load_settings()
    embedder_factory = embedder_factory or make_embedder
    llm_factory = llm_factory or make_llm
    began = time.perf_counter()
    if articles is None or questions is None:
        loaded_articles, loaded_questions = load_inputs(cfg.data, cfg.weeks, cfg.max_articles)
        articles = loaded_articles if articles is None else articles
        questions = loaded_questions if questions is None else questions
    articles, questions = list(articles), list(questions)
    if not articles or not questions:
        raise typer.BadParameter("no articles or no questions to benchmark with")
    say(f"corpus: {len(articles)} articles, {len(questions)} questions"
        f"{f' (first {cfg.weeks} weeks)' if cfg.weeks else ''}")

    temp = None
    if cfg.work is None:
        temp = tempfile.TemporaryDirectory(prefix="newsdesk-bench-")
        root = Path(temp.name)
    else:
        root = Path(cfg.work) / datetime.now().strftime("run-%Y%m%d-%H%M%S")
    root.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_info(),
        "config": {k: (str(v) if isinstance(v, Path) else v) for k, v in asdict(cfg).items()},
        "settings": _settings_dump(settings),
        "baseline": {
            "splitter": f"RecursiveCharacterTextSplitter(chunk_size={BASELINE_CHUNK_SIZE}, "
                        f"chunk_overlap={BASELINE_CHUNK_OVERLAP})",
            "store": f"langchain_chroma.Chroma (collection {BASELINE_COLLECTION!r}, default l2 distance)",
            "add_batch": BASELINE_BATCH,
            "k": settings.k,
            "prompt": BASELINE_PROMPT,
        },
        "isolated": isolate,
        "work": str(root) if temp is None else None,
        "corpus": {"articles": len(articles), "questions": len(questions), "characters": sum(len(a.text) for a in articles)},
    }
    try:
        ours_1 = root / "ours" / "x1"
        base_1 = root / "baseline" / "x1"
        s1 = _settings_for(settings, store=ours_1)

        say("ingest: ours …")
        ours_ing = call(ingest_ours, s1, articles, embedder_factory, isolate=isolate)
        say(f"  {ours_ing['chunks']} chunks in {ours_ing['seconds']:.1f}s, peak RSS {ours_ing['peak_rss_mb']} MB")
        say("ingest: baseline …")
        base_ing = call(ingest_baseline, settings, base_1, articles, embedder_factory, isolate=isolate)
        say(f"  {base_ing['chunks']} chunks in {base_ing['seconds']:.1f}s, peak RSS {base_ing['peak_rss_mb']} MB")
        results["ingest"] = {"ours": ours_ing, "baseline": base_ing}
        dim = int(ours_ing["dim"])

        factors = effective_factors(cfg.scales, [ours_ing["stored"], base_ing["stored"]], cfg.max_chunks)
        results["scales"] = {"max_chunks_per_store": cfg.max_chunks, "factors": factors}
        for f in factors:
            if f["capped"] or f.get("merged"):
                say(f"  scale x{f['requested']}: capped at x{f['actual']:g} so no store exceeds "
                    f"{cfg.max_chunks:,} chunks" + (f" (also stands for x{f['merged']})" if f.get("merged") else ""))

        results["retrieval"] = {}
        prev_ours, prev_base = ours_1, base_1
        for f in factors:
            key = f"x{f['requested']}"
            ours_dir, base_dir = root / "ours" / key, root / "baseline" / key
            grown: dict[str, Any] = {}
            if f["actual"] > 1:
                shutil.copytree(prev_ours, ours_dir)
                shutil.copytree(prev_base, base_dir)
                targets = (round(ours_ing["stored"] * f["actual"]), round(base_ing["stored"] * f["actual"]))
                say(f"scale {key}: growing stores to {targets[0]:,} / {targets[1]:,} chunks …")
                grown["ours"] = call(grow_ours, _settings_for(settings, store=ours_dir), targets[0], dim,
                                     cfg.seed + 1, key, isolate=isolate)
                grown["baseline"] = call(grow_baseline, base_dir, targets[1], dim, cfg.seed + 2, key,
                                         isolate=isolate)
                say(f"  synthetic chunks written in {grown['ours']['seconds']}s / {grown['baseline']['seconds']}s")
                prev_ours, prev_base = ours_dir, base_dir
            say(f"retrieval {key} (x{f['actual']:g}): {len(questions)} questions …")
            timing = call(retrieval_latency, _settings_for(settings, store=ours_dir), base_dir, questions,
                          embedder_factory, isolate=isolate)
            timing.update(f)
            timing["synthetic"] = grown
            results["retrieval"][key] = timing
            say(f"  p50 {timing['ours']['total']['p50']} ms ours, {timing['baseline']['total']['p50']} ms baseline")

        if not cfg.skip_answers:
            rng = random.Random(cfg.seed)
            sample = rng.sample(questions, min(cfg.questions, len(questions)))
            rest = [q for q in questions if q not in sample]
            warmup = rest[0] if rest else questions[0]
            results["answer_questions"] = sample
            results["answers"] = {}
            for model in cfg.models:
                say(f"answers ({model}): {len(sample)} questions per pipeline …")
                run = call(answer_latency, _settings_for(settings, store=ours_1, model=model), base_1, sample,
                           warmup, embedder_factory, llm_factory, isolate=isolate)
                results["answers"][model] = run
                say(f"  first token p50 {run['ours']['ttft']['p50']}s ours, {run['baseline']['ttft']['p50']}s baseline")
    finally:
        if temp is not None:
            temp.cleanup()

    ours_flat, base_flat, labels = flatten(results)
    results["table"] = ratio_rows(ours_flat, base_flat, labels)
    results["seconds"] = round(time.perf_counter() - began, 1)
    with suppress(OSError):
        results["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    if cfg.out:
        out = Path(cfg.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return results


# ---------------------------------------------------------------- command line

app = typer.Typer(
    help="Benchmark newsdesk against a plain LangChain pipeline (ingest, retrieval, answer latency).",
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _csv(value: str, cast: Callable[[str], Any]) -> list[Any]:
    try:
        return [cast(v.strip()) for v in value.split(",") if v.strip()]
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from None


@app.callback(invoke_without_command=True)
def main(
    data: Annotated[Path | None, typer.Option("--data", envvar=DATA_ENV, show_envvar=True,
                                              help="RealTimeQA-format folder (required).")] = None,
    weeks: Annotated[int | None, typer.Option("--weeks", help="Use only the first N weeks.")] = None,
    max_articles: Annotated[int | None, typer.Option("--max-articles", help="At most N articles.")] = None,
    questions: Annotated[int, typer.Option("--questions", help="Questions per model for answer latency.")] = 10,
    models: Annotated[str, typer.Option("--models", help="Local models, comma-separated.")] = "default,small",
    scales: Annotated[str, typer.Option("--scales", help="Store sizes as multiples of the corpus.")] = "1,10,100",
    max_chunks: Annotated[int, typer.Option("--max-chunks", help="Cap on chunks per store when scaling.")]
    = DEFAULT_MAX_CHUNKS,
    skip_answers: Annotated[bool, typer.Option("--skip-answers", help="Skip the answer-latency phase.")] = False,
    out: Annotated[Path, typer.Option("--out", help="JSON results file.")] = DEFAULT_OUT,
    work: Annotated[Path | None, typer.Option("--work", help="Keep the stores here (default: a temp folder).")]
    = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the question sample and synthetic chunks.")] = 0,
) -> None:
    """Ingest throughput, retrieval latency at 1x/10x/100x and answer latency, ours vs the LangChain tutorial."""
    model_list = _csv(models, str)
    unknown = [m for m in model_list if m not in MODELS]
    if unknown:
        raise typer.BadParameter(f"--models: unknown {unknown}; use {', '.join(MODELS)}")
    scale_list = _csv(scales, int)
    if not scale_list or any(s < 1 for s in scale_list):
        raise typer.BadParameter("--scales: positive integers, e.g. 1,10,100")
    if 1 not in scale_list:
        scale_list = [1, *scale_list]
    if data is None:
        raise typer.BadParameter(MISSING_DATA, param_hint="'--data'")
    if not Path(data).is_dir():
        raise typer.BadParameter(f"--data: {data} is not a folder")
    for name, value in (("TOKENIZERS_PARALLELISM", "false"), ("HF_HUB_DISABLE_PROGRESS_BARS", "1"),
                        ("TRANSFORMERS_VERBOSITY", "error")):
        os.environ.setdefault(name, value)
    cfg = BenchConfig(data=data, weeks=weeks, max_articles=max_articles, questions=questions, models=model_list,
                      scales=scale_list, skip_answers=skip_answers, out=out, work=work, max_chunks=max_chunks,
                      seed=seed)
    from rag.errors import NewsdeskError

    try:
        results = run_bench(cfg)
    except NewsdeskError as exc:
        console.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from None
    wide = console if console.is_terminal else Console(width=100)  # logs: no wrapped rows
    wide.print(render_table(results["table"]))
    console.print(f"ratio = ours/baseline; green = ours better. {results['seconds']:.0f}s in all. JSON: {out}")


if __name__ == "__main__":
    app()
