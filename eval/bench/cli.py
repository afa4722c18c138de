"""``newsdesk bench`` / ``python -m eval.bench``: options in, a run, the comparison table out.

Mounted by ``eval.cli.register`` as ``eval.bench.app``. Only option parsing and
printing live here; errors the user can fix end as one line, not a traceback.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from eval.bench import run
from eval.bench.inputs import DATA_ENV, MISSING_DATA, BenchInputError
from eval.bench.run import DEFAULT_OUT, MODELS, BenchConfig
from eval.bench.scale import DEFAULT_MAX_CHUNKS
from eval.bench.table import render_table

console = Console()
SCALE_OUT = DEFAULT_OUT.with_name("scale.json")

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
    ctx: typer.Context,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data", envvar=DATA_ENV, show_envvar=True, help="RealTimeQA-format folder (required)."
        ),
    ] = None,
    weeks: Annotated[int | None, typer.Option("--weeks", help="Use only the first N weeks.")] = None,
    max_articles: Annotated[int | None, typer.Option("--max-articles", help="At most N articles.")] = None,
    questions: Annotated[
        int, typer.Option("--questions", help="Questions per model for answer latency.")
    ] = 10,
    models: Annotated[str, typer.Option("--models", help="Local models, comma-separated.")] = "default,small",
    scales: Annotated[
        str, typer.Option("--scales", help="Store sizes as multiples of the corpus.")
    ] = "1,10,100",
    max_chunks: Annotated[
        int, typer.Option("--max-chunks", help="Cap on chunks per store when scaling.")
    ] = DEFAULT_MAX_CHUNKS,
    skip_answers: Annotated[
        bool, typer.Option("--skip-answers", help="Skip the answer-latency phase.")
    ] = False,
    out: Annotated[Path, typer.Option("--out", help="JSON results file.")] = DEFAULT_OUT,
    work: Annotated[
        Path | None, typer.Option("--work", help="Keep the stores here (default: a temp folder).")
    ] = None,
    seed: Annotated[
        int, typer.Option("--seed", help="Seed for the question sample and synthetic chunks.")
    ] = 0,
) -> None:
    """Ingest throughput, retrieval latency at 1x/10x/100x and answer latency, ours vs the LangChain tutorial."""
    if ctx.invoked_subcommand is not None:
        return
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
        raise typer.BadParameter(f"{data} is not a folder", param_hint="'--data'")
    for name, value in (
        ("TOKENIZERS_PARALLELISM", "false"),
        ("HF_HUB_DISABLE_PROGRESS_BARS", "1"),
        ("TRANSFORMERS_VERBOSITY", "error"),
    ):
        os.environ.setdefault(name, value)
    cfg = BenchConfig(
        data=data,
        weeks=weeks,
        max_articles=max_articles,
        questions=questions,
        models=model_list,
        scales=scale_list,
        skip_answers=skip_answers,
        out=out,
        work=work,
        max_chunks=max_chunks,
        seed=seed,
    )
    from rag.errors import NewsdeskError

    try:
        results = run.run_bench(cfg)
    except (NewsdeskError, BenchInputError) as exc:
        console.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from None
    wide = console if console.is_terminal else Console(width=100)  # logs: no wrapped rows
    wide.print(render_table(results["table"]))
    console.print(
        f"ratio = ours/baseline; green = ours better. {results['seconds']:.0f}s in all. JSON: {out}"
    )


@app.command("scale")
def scale(
    chunks: Annotated[int, typer.Option("--chunks", "-n", help="Synthetic chunks in the store.")] = 20_000,
    old: Annotated[
        Path | None,
        typer.Option(
            "--old", help="Another checkout (e.g. main): also time its keyword path on the same store."
        ),
    ] = None,
    old_build: Annotated[
        bool, typer.Option("--old-build", help="Also build a store with the --old code (its write rate).")
    ] = False,
    real: Annotated[
        bool,
        typer.Option("--real-embedder", help="Embed with the configured embedder instead of random vectors."),
    ] = False,
    questions: Annotated[int, typer.Option("--questions", help="Timed questions per filter.")] = 50,
    work: Annotated[
        Path | None, typer.Option("--work", help="Keep the stores here (default: a temp folder).")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="JSON results file.")] = SCALE_OUT,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the synthetic chunks and questions.")] = 0,
    server: Annotated[
        bool,
        typer.Option("--server", help="Start a `chroma run` server and measure the store through it."),
    ] = False,
) -> None:
    """The store as it grows: write rate, disk, RAM, first question, filtered retrieval, one more article."""
    import json

    from eval.bench.scaling import ScaleConfig, run_scale

    if chunks < 100:
        raise typer.BadParameter("--chunks: at least 100")
    if server and old is not None:
        raise typer.BadParameter("--old compares keyword paths on the embedded store: drop --server")
    cfg = ScaleConfig(
        chunks,
        work=work,
        old=old,
        old_build=old_build,
        real=real,
        questions=questions,
        seed=seed,
        server=server,
    )
    try:
        results = run_scale(cfg, say=lambda line: console.print(line, highlight=False))
    except RuntimeError as exc:
        console.print(f"[bold red]error:[/] {exc}", highlight=False)
        raise typer.Exit(1) from None
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    console.print_json(json.dumps({k: results[k] for k in ("build", "new", "old") if k in results}))
    console.print(f"JSON: {out}")
