"""``newsdesk eval``: run a question set against the desk, or compare reports.

The CLI mounts it (and ``newsdesk bench``) through the ``newsdesk.commands``
entry point, which calls ``register``. The group runs
``run`` when its first argument is not a command name, so
``newsdesk eval QUESTIONS …`` and ``newsdesk eval run QUESTIONS …`` are the same.
"""

from __future__ import annotations

import contextlib
import inspect
import itertools
import re
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table
from typer.core import TyperGroup

from rag.errors import NewsdeskError

# Settings whose change needs its own store (they change what is stored, not how it is asked).
STORE_KEYS = frozenset(
    {"store", "chroma_url", "collection", "embedder", "embedding_model", "chunk_size", "chunk_overlap"}
)
SUMMARY = (
    "accuracy",
    "f1",
    "hit_at_k",
    "mrr",
    "answer_recall_at_k",
    "abstention_rate",
    "correct_abstention_rate",
    "citation_rate",
    "citation_precision",
    "key_fact_cited",
    "faithfulness",
    "total_p50",
    "total_p95",
    "errors",
)

console = Console()


class DefaultRunGroup(TyperGroup):
    """A group whose unknown first argument means "run": ``eval QUESTIONS`` is ``eval run QUESTIONS``."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:  # typer bundles its own click
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


app = typer.Typer(
    cls=DefaultRunGroup,
    help="Evaluate newsdesk on a question set, or compare evaluation reports.",
    no_args_is_help=True,
    add_completion=False,
)


def parse_sets(values: list[str] | None) -> dict[str, list[str]]:
    """``key=value`` options to ``{key: [distinct values in order]}``; a key given twice is swept."""
    known: set[str] | None
    try:
        from rag.settings import Settings

        known = set(Settings.model_fields)
    except ImportError:  # pragma: no cover - settings always exist in the project
        known = None
    parsed: dict[str, list[str]] = {}
    for item in values or []:
        key, sep, value = item.partition("=")
        key = key.strip().replace("-", "_")
        if not sep or not key:
            raise typer.BadParameter(f"--set expects key=value, got {item!r}")
        if known is not None and key not in known:
            raise typer.BadParameter(f"--set {key}: no such setting (known: {', '.join(sorted(known))})")
        parsed.setdefault(key, [])
        if value.strip() not in parsed[key]:
            parsed[key].append(value.strip())
    return parsed


def combinations(sets: dict[str, list[str]]) -> list[dict[str, str]]:
    """Every combination of the swept values (keys with one value apply to all); one empty dict if none."""
    keys = list(sets)
    return [
        dict(zip(keys, values, strict=True)) for values in itertools.product(*(sets[k] for k in keys))
    ] or [{}]


def run_label(combo: dict[str, str], swept: list[str]) -> str:
    """A folder name from the swept values: ``k=3``, ``k=3,hybrid=false``."""
    text = ",".join(f"{k}={combo[k]}" for k in swept) or "eval"
    return re.sub(r"[^A-Za-z0-9=,._-]+", "_", text)[:120]


def _progress_bar() -> Progress:
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[item]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    )


def _ingest(desk: Any, corpus: Path, articles: list[Any] | None) -> None:
    """Fills the store from ``--corpus``: dataset corpora as articles, plain files (``None``) through ``ingest``."""
    with _progress_bar() as bar:
        task = bar.add_task("ingest", total=None, item="")

        def progress(done: int, total: int, name: str) -> None:
            bar.update(task, completed=done, total=total, item=name[-40:])

        if articles is None:
            method, payload = desk.ingest, [corpus]
        else:
            method, payload = desk.ingest_articles, articles
        takes_progress = "progress" in inspect.signature(method).parameters
        result = method(payload, progress=progress) if takes_progress else method(payload)
    if result is not None and hasattr(result, "articles_added"):
        console.print(
            f"ingested: {result.articles_added} added, {result.articles_updated} updated, "
            f"{result.articles_unchanged} unchanged, {len(result.failed)} failed"
        )


def _summary(report: dict[str, Any], title: str) -> Table:
    from eval.report import fmt

    overall = report["metrics"]["overall"]
    grid = Table(title=title)
    grid.add_column("metric")
    grid.add_column("value", justify="right")
    for name in SUMMARY:
        if overall.get(name) is not None:
            grid.add_row(name, fmt(name, overall[name]))
    return grid


@app.command("run")
def run_command(
    questions: Annotated[
        Path, typer.Argument(help="Question set: a file, or a RealTimeQA/MultiHop-RAG folder.")
    ],
    store: Annotated[
        Path | None,
        typer.Option(help="Store folder to use (default: the configured one, or OUT/store with --corpus)."),
    ] = None,
    corpus: Annotated[
        Path | None, typer.Option(help="Ingest these articles into a fresh store first.")
    ] = None,
    format: Annotated[str, typer.Option("--format", help="auto|jsonl|csv|realtimeqa|multihop-rag")] = "auto",
    limit: Annotated[int | None, typer.Option(min=1, help="Ask only this many questions.")] = None,
    seed: Annotated[
        int | None, typer.Option(help="Shuffle the questions with this seed before --limit.")
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Output folder (default eval/runs/<set name>); rerunning into it resumes."),
    ] = None,
    mode: Annotated[
        str, typer.Option(help="auto (multiple choice where a question has choices) | open | mc")
    ] = "auto",
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Setting override key=value; repeat a key to compare its values."),
    ] = None,
    judge: Annotated[
        bool, typer.Option("--judge/--no-judge", help="LLM-judged faithfulness (needs llm_base_url).")
    ] = False,
    plots: Annotated[bool, typer.Option("--plots/--no-plots", help="Write PNG plots.")] = True,
) -> None:
    """Ask every question of a set, score the answers and write report.json, report.md and plots."""
    # Imported here, not at the top, so `newsdesk --help` does not pay for the evaluation code.
    from eval import runner
    from eval.adapters import FORMATS, load_corpus, load_questions
    from eval.compare import compare_markdown, compare_table
    from eval.judge import OpenAIJudge
    from rag.settings import load_settings

    if format not in FORMATS:
        raise typer.BadParameter(f"--format must be one of {', '.join(FORMATS)}")
    if mode not in ("auto", "open", "mc"):
        raise typer.BadParameter("--mode must be auto, open or mc")
    sets = parse_sets(set_)
    swept = [k for k, v in sets.items() if len(v) > 1]
    combos = combinations(sets)
    if store is not None and any(k in STORE_KEYS for k in swept) and corpus is not None:
        raise typer.BadParameter(
            f"--store is shared by every run, so {', '.join(swept)} cannot be swept with it"
        )
    name = questions.name if questions.is_dir() else questions.stem
    out_dir = out or Path("eval/runs") / name
    try:
        question_set = load_questions(questions, format)
        console.print(f"{len(question_set)} questions from {questions}")
        articles = load_corpus(corpus, format) if corpus is not None else None
        if articles is not None:
            console.print(f"{len(articles)} distinct articles in {corpus}")
        shared_store = not any(k in STORE_KEYS for k in swept)
        reports: list[tuple[str, dict[str, Any]]] = []
        for combo in combos:
            label = run_label(combo, swept) if swept else "eval"
            run_dir = out_dir / label if len(combos) > 1 else out_dir
            overrides: dict[str, Any] = dict(combo)
            if store is not None:
                overrides["store"] = store
            elif corpus is not None:
                overrides["store"] = (out_dir if shared_store else run_dir) / "store"
            settings = load_settings(**overrides)
            desk = runner.make_desk(settings)
            try:
                if corpus is not None:
                    _ingest(desk, corpus, articles)
                judge_fn = OpenAIJudge.from_settings(settings) if judge else None
                with _progress_bar() as bar:
                    task = bar.add_task(label if len(combos) > 1 else "eval", total=None, item="")

                    def progress(done: int, total: int, item: str, task: TaskID = task) -> None:
                        bar.update(task, completed=done, total=total, item=item[-30:])

                    report = runner.run(
                        question_set,
                        desk,
                        out_dir=run_dir,
                        mode=mode,  # type: ignore[arg-type]
                        limit=limit,
                        seed=seed,
                        progress=progress,
                        judge=judge_fn,
                        plots=plots,
                        settings=settings.model_dump(mode="json"),
                        meta={
                            "questions": str(questions),
                            "format": format,
                            "corpus": str(corpus) if corpus else None,
                            "overrides": {k: str(v) for k, v in overrides.items()},
                            "started_from_cli_at": datetime.now().isoformat(timespec="seconds"),
                        },
                    )
            finally:
                close = getattr(desk, "close", None)
                if callable(close):
                    with contextlib.suppress(Exception):  # best effort: the report is already written
                        close()
            console.print(
                _summary(report, f"{label} ({report['metrics']['overall']['questions']} questions)")
            )
            console.print(f"report: {run_dir / 'report.md'}")
            reports.append((label, report))
        if len(reports) > 1:
            console.print(compare_table(reports, title="Comparison"))
            (out_dir / "compare.md").write_text(compare_markdown(reports), encoding="utf-8")
            console.print(f"comparison: {out_dir / 'compare.md'}")
    except NewsdeskError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None


@app.command("compare")
def compare_command(
    reports: Annotated[list[Path], typer.Argument(help="Two or more report.json files or run folders.")],
) -> None:
    """Print the overall metrics of reports side by side, with deltas against the first."""
    from eval.compare import compare_paths, compare_table

    if len(reports) < 2:
        raise typer.BadParameter("give at least two reports")
    try:
        labelled = compare_paths(reports)
    except ValueError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    console.print(compare_table(labelled))


def register(root: typer.Typer) -> None:
    """Adds ``eval`` and ``bench`` to the ``newsdesk`` command line."""
    from eval.bench import app as bench_app

    root.add_typer(app, name="eval", help="Run question sets and write reports.")
    root.add_typer(bench_app, name="bench", help="Benchmark against the LangChain tutorial pipeline.")
