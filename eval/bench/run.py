"""One whole benchmark run: the phases in order, each in its own process, and the results file.

The run records enough to judge its numbers later: the settings (secrets
masked), the machine and its load, the baseline's exact recipe, and whether the
phases ran isolated.
"""

from __future__ import annotations

import json
import os
import platform
import random
import re
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console

from eval.bench.inputs import BenchInputError, load_inputs
from eval.bench.phases import answer_latency, ingest_baseline, ingest_ours, retrieval_latency
from eval.bench.process import call
from eval.bench.scale import DEFAULT_MAX_CHUNKS, effective_factors, grow_baseline, grow_ours
from eval.bench.table import table_rows
from eval.pipelines import baseline

if TYPE_CHECKING:
    from eval.bench.phases import EmbedderFactory, LlmFactory
    from rag.settings import Settings
    from rag.types import Article

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_OUT = ROOT / "eval" / "runs" / "bench.json"  # eval/runs/ is git-ignored
MODELS = ("default", "small")


@dataclass
class BenchConfig:
    """What one run measures; ``data`` may stay ``None`` only when the inputs are passed in."""

    data: Path | None = None
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
    """CPU, platform, memory and load: latency numbers mean little without them."""
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


def settings_dump(settings: Settings) -> dict[str, Any]:
    """The settings as JSON, secrets masked (results files get shared)."""
    data = settings.model_dump(mode="json")
    for key in ("llm_api_key", "openai_api_key", "auth"):
        if data.get(key):
            data[key] = "***"
    return data


def _with(settings: Settings, **update: Any) -> Settings:
    return settings.model_copy(update=update)


def run_bench(
    cfg: BenchConfig,
    settings: Settings | None = None,
    *,
    embedder_factory: EmbedderFactory | None = None,
    llm_factory: LlmFactory | None = None,
    isolate: bool = True,
    articles: Sequence[Article] | None = None,
    questions: Sequence[str] | None = None,
    log: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Runs every phase and returns the results (also written to ``cfg.out`` when set).

    ``articles``/``questions`` replace the RealTimeQA inputs (tests); factories
    default to ``make_embedder``/``make_llm``; ``isolate=False`` runs phases in
    this process (then peak RSS is this process's, and says so). Raises
    ``BenchInputError`` when there is nothing to benchmark with.
    """
    from rag.embeddings import make_embedder
    from rag.llm import make_llm
    from rag.settings import load_settings

    say = log or (lambda text: Console().print(text, highlight=False))
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
        raise BenchInputError("no articles or no questions to benchmark with")
    say(
        f"corpus: {len(articles)} articles, {len(questions)} questions"
        f"{f' (first {cfg.weeks} weeks)' if cfg.weeks else ''}"
    )

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
        "settings": settings_dump(settings),
        "baseline": baseline.describe(baseline.BASELINE_K),
        "isolated": isolate,
        "work": str(root) if temp is None else None,
        "corpus": {
            "articles": len(articles),
            "questions": len(questions),
            "characters": sum(len(a.text) for a in articles),
        },
    }
    try:
        ours_1 = root / "ours" / "x1"
        base_1 = root / "baseline" / "x1"

        say("ingest: ours …")
        ours_ing = call(
            ingest_ours, _with(settings, store=ours_1), articles, embedder_factory, isolate=isolate
        )
        say(
            f"  {ours_ing['chunks']} chunks in {ours_ing['seconds']:.1f}s, peak RSS {ours_ing['peak_rss_mb']} MB"
        )
        say("ingest: baseline …")
        base_ing = call(ingest_baseline, settings, base_1, articles, embedder_factory, isolate=isolate)
        say(
            f"  {base_ing['chunks']} chunks in {base_ing['seconds']:.1f}s, peak RSS {base_ing['peak_rss_mb']} MB"
        )
        results["ingest"] = {"ours": ours_ing, "baseline": base_ing}
        dim = int(ours_ing["dim"])

        factors = effective_factors(cfg.scales, [ours_ing["stored"], base_ing["stored"]], cfg.max_chunks)
        results["scales"] = {"max_chunks_per_store": cfg.max_chunks, "factors": factors}
        for f in factors:
            if f["capped"] or f.get("merged"):
                say(
                    f"  scale x{f['requested']}: capped at x{f['actual']:g} so no store exceeds "
                    f"{cfg.max_chunks:,} chunks"
                    + (f" (also stands for x{f['merged']})" if f.get("merged") else "")
                )

        results["retrieval"] = {}
        prev_ours, prev_base = ours_1, base_1
        for f in factors:
            key = f"x{f['requested']}"
            ours_dir, base_dir = root / "ours" / key, root / "baseline" / key
            grown: dict[str, Any] = {}
            if (
                f["actual"] > 1
            ):  # each scale starts from a copy of the previous one: only the difference is written
                shutil.copytree(prev_ours, ours_dir)
                shutil.copytree(prev_base, base_dir)
                targets = (round(ours_ing["stored"] * f["actual"]), round(base_ing["stored"] * f["actual"]))
                say(f"scale {key}: growing stores to {targets[0]:,} / {targets[1]:,} chunks …")
                grown["ours"] = call(
                    grow_ours,
                    _with(settings, store=ours_dir),
                    targets[0],
                    dim,
                    cfg.seed + 1,
                    key,
                    isolate=isolate,
                )
                grown["baseline"] = call(
                    grow_baseline, base_dir, targets[1], dim, cfg.seed + 2, key, isolate=isolate
                )
                say(
                    f"  synthetic chunks written in {grown['ours']['seconds']}s / {grown['baseline']['seconds']}s"
                )
                prev_ours, prev_base = ours_dir, base_dir
            say(f"retrieval {key} (x{f['actual']:g}): {len(questions)} questions …")
            timing = call(
                retrieval_latency,
                _with(settings, store=ours_dir),
                base_dir,
                questions,
                embedder_factory,
                isolate=isolate,
            )
            timing.update(f)
            timing["synthetic"] = grown
            results["retrieval"][key] = timing
            say(
                f"  p50 {timing['ours']['total']['p50']} ms ours, {timing['baseline']['total']['p50']} ms baseline"
            )

        if not cfg.skip_answers:
            rng = random.Random(cfg.seed)
            sample = rng.sample(questions, min(cfg.questions, len(questions)))
            rest = [q for q in questions if q not in sample]
            warmup = rest[0] if rest else questions[0]
            results["answer_questions"] = sample
            results["answers"] = {}
            for model in cfg.models:
                say(f"answers ({model}): {len(sample)} questions per pipeline …")
                run = call(
                    answer_latency,
                    _with(settings, store=ours_1, model=model),
                    base_1,
                    sample,
                    warmup,
                    embedder_factory,
                    llm_factory,
                    isolate=isolate,
                )
                results["answers"][model] = run
                say(
                    f"  first token p50 {run['ours']['ttft']['p50']}s ours, {run['baseline']['ttft']['p50']}s baseline"
                )
    finally:
        if temp is not None:
            temp.cleanup()

    results["table"] = table_rows(results)
    results["seconds"] = round(time.perf_counter() - began, 1)
    with suppress(OSError):
        results["machine"]["load_average_end"] = [round(x, 2) for x in os.getloadavg()]
    if cfg.out:
        out = Path(cfg.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(results, indent=2, default=str), encoding="utf-8")
    return results
