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

from eval.formats import format_names
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


def _prepare(
    questions: Path,
    format: str,
    corpus: Path | None,
    limit: int | None,
    seed: int | None,
    unanswerable: bool,
    news_time: bool = True,
) -> tuple[list[Any], list[Any] | None, dict[str, str], dict[str, Any]]:
    """Questions, corpus articles, the run's identity and report facts, with the unanswerable
    variant applied: the selected questions marked unanswerable, their articles out of the corpus."""
    from eval import runner
    from eval.formats import detect_format, load_corpus, load_questions

    if format not in format_names():
        raise typer.BadParameter(f"--format must be one of {', '.join(format_names())}")
    question_set = load_questions(questions, format)
    console.print(f"{len(question_set)} questions from {questions}")
    dated = any(q.as_of for q in question_set)
    if dated and not news_time:
        question_set = [q.model_copy(update={"as_of": None}) for q in question_set]
    articles = load_corpus(corpus, format) if corpus is not None else None
    identity: dict[str, str] = {}
    facts: dict[str, Any] = {
        "questions": str(questions),
        "format": format,
        "corpus": str(corpus) if corpus else None,
    }
    if dated:
        facts["news time"] = (
            "on: each question asked as of its date (later articles unseen)" if news_time else "off"
        )
    if unanswerable:
        from eval.unanswerable import identity as variant_identity
        from eval.unanswerable import make_unanswerable, removed_urls

        if corpus is None or articles is None:
            raise typer.BadParameter("--unanswerable needs --corpus (the articles to leave out)")
        fmt = detect_format(corpus) if format == "auto" else format
        chosen = runner.select(question_set, limit, seed)
        removed = removed_urls(chosen, corpus, fmt)
        before = len(articles)
        question_set, articles = make_unanswerable(chosen, articles, removed)
        console.print(
            f"unanswerable: {len(question_set)} questions, {before - len(articles)} of their articles removed"
        )
        identity = variant_identity(question_set, removed)
        facts["variant"] = "unanswerable (the questions' gold and search-result articles removed)"
    if dated:
        identity = identity | {"news_time": "on" if news_time else "off"}
    if articles is not None:
        console.print(f"{len(articles)} distinct articles in the corpus")
    return question_set, articles, identity, facts


def _pipeline_dirs(run_dir: Path, names: list[str]) -> dict[str, Path]:
    """One pipeline alone writes into ``run_dir`` (as always); several each into ``run_dir/<name>``."""
    return {name: run_dir if names == ["ours"] else run_dir / name for name in names}


def _close(desk: Any) -> None:
    close = getattr(desk, "close", None)
    if callable(close):
        with contextlib.suppress(Exception):  # best effort: the report is already written
            close()


PipelinesOption = Annotated[
    str, typer.Option("--pipelines", help="ours, tutorial or ours,tutorial (side by side, same questions).")
]
TutorialStoreOption = Annotated[
    Path | None,
    typer.Option(
        help="The tutorial's store (default OUT/tutorial/store); an earlier one of the same articles is "
        "reused without ingesting again."
    ),
]
NewsTimeOption = Annotated[
    bool,
    typer.Option(
        "--news-time/--no-news-time",
        help="Ask each dated question (RealTimeQA's question date) as of its day: later articles are "
        "not seen. The tutorial pipeline has no such notion and ignores it.",
    ),
]
UnanswerableOption = Annotated[
    bool,
    typer.Option(
        "--unanswerable",
        help="Remove the selected questions' gold and search-result articles (RealTimeQA) or snippets "
        "(realtimeqa-evidence) from the corpus and score abstention.",
    ),
]


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
    format: Annotated[str, typer.Option("--format", help="|".join(format_names()))] = "auto",
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
    pipelines: PipelinesOption = "ours",
    unanswerable: UnanswerableOption = False,
    tutorial_store: TutorialStoreOption = None,
    news_time: NewsTimeOption = True,
) -> None:
    """Ask every question of a set, score the answers and write report.json, report.md and plots."""
    # Imported here, not at the top, so `newsdesk --help` does not pay for the evaluation code.
    from eval import pipelines as pipes
    from eval import runner, sidebyside
    from eval.compare import compare_markdown, compare_table
    from eval.judge import OpenAIJudge
    from rag.settings import load_settings

    if mode not in ("auto", "open", "mc"):
        raise typer.BadParameter("--mode must be auto, open or mc")
    sets = parse_sets(set_)
    swept = [k for k, v in sets.items() if len(v) > 1]
    combos = combinations(sets)
    if store is not None and any(k in STORE_KEYS for k in swept) and corpus is not None:
        raise typer.BadParameter(
            f"--store is shared by every run, so {', '.join(swept)} cannot be swept with it"
        )
    if store is not None and unanswerable:
        raise typer.BadParameter("--unanswerable builds its own corpus: leave --store out")
    name = questions.name if questions.is_dir() else questions.stem
    out_dir = out or Path("eval/runs") / name
    try:
        names = pipes.parse(pipelines)
        question_set, articles, identity, facts = _prepare(
            questions, format, corpus, limit, seed, unanswerable, news_time
        )
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
            judge_fn = OpenAIJudge.from_settings(settings) if judge else None
            folders = _pipeline_dirs(run_dir, names)
            labelled: list[tuple[str, dict[str, Any]]] = []
            for pipeline, folder in folders.items():
                ident = identity | ({"pipeline": pipeline} if pipeline != "ours" else {})
                settings_json = pipes.recorded_settings(pipeline, settings.model_dump(mode="json"))
                runner.check_resume(
                    folder,
                    runner.run_info(
                        mode=mode, k=None, judge=judge_fn is not None, settings=settings_json, identity=ident
                    ),
                )
                desk = pipes.make(pipeline, settings, tutorial_store or folder / "store")
                try:
                    if corpus is not None:
                        _ingest(desk, corpus, articles)
                    with _progress_bar() as bar:
                        title = "/".join(t for t in (label if len(combos) > 1 else "", pipeline) if t)
                        task = bar.add_task(title or "eval", total=None, item="")

                        def progress(done: int, total: int, item: str, task: TaskID = task) -> None:
                            bar.update(task, completed=done, total=total, item=item[-30:])

                        report = runner.run(
                            question_set,
                            desk,
                            out_dir=folder,
                            mode=mode,  # type: ignore[arg-type]
                            limit=limit,
                            seed=seed,
                            progress=progress,
                            judge=judge_fn,
                            plots=plots,
                            settings=settings_json,
                            identity=ident,
                            meta=facts
                            | {
                                "pipeline": pipeline,
                                "overrides": {k: str(v) for k, v in overrides.items()},
                                "started_from_cli_at": datetime.now().isoformat(timespec="seconds"),
                            },
                        )
                finally:
                    _close(desk)
                labelled.append((pipeline, report))
                console.print(
                    _summary(
                        report, f"{title or label} ({report['metrics']['overall']['questions']} questions)"
                    )
                )
                console.print(f"report: {folder / 'report.md'}")
            if len(labelled) > 1:
                relative = {p: str(f.relative_to(run_dir)) for p, f in folders.items()}
                path = sidebyside.write(run_dir, labelled, relative)
                console.print(compare_table(labelled, title=f"{label}: side by side"))
                console.print(f"side-by-side report: {path}")
            reports += [(f"{label}/{p}" if len(labelled) > 1 else label, r) for p, r in labelled]
        if len(combos) > 1:
            console.print(compare_table(reports, title="Comparison"))
            (out_dir / "compare.md").write_text(compare_markdown(reports), encoding="utf-8")
            console.print(f"comparison: {out_dir / 'compare.md'}")
    except NewsdeskError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None


@app.command("retrieval")
def retrieval_command(
    questions: Annotated[Path, typer.Argument(help="Question set: a file, or a RealTimeQA folder.")],
    corpus: Annotated[Path | None, typer.Option(help="Ingest these articles into the stores first.")] = None,
    store: Annotated[Path | None, typer.Option(help="Our store (default OUT/store with --corpus).")] = None,
    format: Annotated[str, typer.Option("--format", help="|".join(format_names()))] = "auto",
    k: Annotated[int, typer.Option(min=1, help="Passages retrieved per question.")] = 5,
    limit: Annotated[int | None, typer.Option(min=1, help="Only this many questions.")] = None,
    seed: Annotated[
        int | None, typer.Option(help="Shuffle the questions with this seed before --limit.")
    ] = None,
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default eval/runs/<set name>-retrieval); resumable.")
    ] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Setting override key=value.")] = None,
    pipelines: PipelinesOption = "ours,tutorial",
    unanswerable: UnanswerableOption = False,
    tutorial_store: TutorialStoreOption = None,
    news_time: NewsTimeOption = True,
) -> None:
    """Retrieval only, no generation: answer recall and hit on the gold article at 1, 3 and k, and
    seconds per retrieval stage, for each pipeline side by side (retrieval.md)."""
    from eval import pipelines as pipes
    from eval.retrieval import REPORT_MD, render_side_by_side, run_retrieval
    from rag.settings import load_settings

    sets = parse_sets(set_)
    if any(len(v) > 1 for v in sets.values()):
        raise typer.BadParameter("retrieval takes one value per --set key")
    name = questions.name if questions.is_dir() else questions.stem
    out_dir = out or Path("eval/runs") / f"{name}-retrieval"
    try:
        names = pipes.parse(pipelines)
        question_set, articles, identity, facts = _prepare(
            questions, format, corpus, limit, seed, unanswerable, news_time
        )
        overrides: dict[str, Any] = {key: values[0] for key, values in sets.items()}
        if store is not None or corpus is not None:
            overrides["store"] = store or out_dir / "store"
        settings = load_settings(**overrides)
        labelled = []
        for pipeline in names:
            folder = out_dir / pipeline
            ident = identity | {"pipeline": pipeline}
            settings_json = pipes.recorded_settings(pipeline, settings.model_dump(mode="json"))
            from eval import runner

            runner.check_resume(
                folder,
                runner.run_info(mode="retrieval", k=k, judge=False, settings=settings_json, identity=ident),
            )
            desk = pipes.make(pipeline, settings, tutorial_store or folder / "store")
            try:
                if corpus is not None:
                    _ingest(desk, corpus, articles)
                with _progress_bar() as bar:
                    task = bar.add_task(f"retrieve: {pipeline}", total=None, item="")

                    def progress(done: int, total: int, item: str, task: TaskID = task) -> None:
                        bar.update(task, completed=done, total=total, item=item[-30:])

                    report = run_retrieval(
                        question_set,
                        desk,
                        out_dir=folder,
                        k=k,
                        limit=limit,
                        seed=seed,
                        settings=settings_json,
                        identity=ident,
                        meta=facts | {"pipeline": pipeline},
                        progress=progress,
                    )
            finally:
                _close(desk)
            labelled.append((pipeline, report))
        markdown = render_side_by_side(labelled)
        (out_dir / REPORT_MD).write_text(markdown, encoding="utf-8")
        console.print(markdown.split("## Definitions")[0])
        console.print(f"report: {out_dir / REPORT_MD}")
    except NewsdeskError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None


@app.command("reader")
def reader_command(
    evidence: Annotated[
        Path, typer.Argument(help="An earlier run folder (its results.jsonl holds the passages shown).")
    ],
    pipeline: Annotated[str, typer.Option(help="Whose reader: ours or tutorial.")] = "ours",
    out: Annotated[
        Path | None, typer.Option(help="Output folder (default EVIDENCE/reader-<pipeline>).")
    ] = None,
    mode: Annotated[str | None, typer.Option(help="auto | open | mc (default: the earlier run's).")] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Only this many questions.")] = None,
    seed: Annotated[
        int | None, typer.Option(help="Shuffle the questions with this seed before --limit.")
    ] = None,
    k: Annotated[
        int | None,
        typer.Option(
            min=1, help="Show only each question's first k recorded passages (a smaller evidence budget)."
        ),
    ] = None,
    set_: Annotated[list[str] | None, typer.Option("--set", help="Setting override key=value.")] = None,
    plots: Annotated[bool, typer.Option("--plots/--no-plots", help="Write PNG plots.")] = True,
) -> None:
    """Reader only, on frozen evidence: each question answered again from the passages an earlier
    run showed the model, with no retrieval; same scoring and report as ``run``."""
    import json

    from eval import pipelines as pipes
    from eval import runner
    from eval.frozen import FrozenDesk, FrozenEvidenceError, load_evidence
    from eval.sidebyside import pipeline_folders
    from rag.settings import load_settings

    sets = parse_sets(set_)
    if any(len(v) > 1 for v in sets.values()):
        raise typer.BadParameter("reader takes one value per --set key")
    try:
        (name,) = pipes.parse(pipeline)
        source = dict(pipeline_folders(evidence)).get(name, evidence)
        earlier = (
            json.loads((source / runner.RUN_FILE).read_text("utf-8"))
            if (source / runner.RUN_FILE).exists()
            else {}
        )
        chosen_mode = mode or earlier.get("mode") or "auto"
        if chosen_mode not in ("auto", "open", "mc"):
            raise typer.BadParameter("--mode must be auto, open or mc")
        questions, passages = load_evidence(source)
        console.print(f"{len(questions)} questions with their recorded passages from {source}")
        overrides: dict[str, Any] = {key: values[0] for key, values in sets.items()}
        overrides.setdefault("store", (earlier.get("settings") or {}).get("store") or source / "store")
        settings = load_settings(**overrides)
        out_dir = out or source / f"reader-{name}"
        reader = pipes.make(name, settings, source / "store")
        if not callable(getattr(reader, "answer_from", None)):
            raise FrozenEvidenceError(
                f"the {name} pipeline has no answer_from(question, passages, choices=...) to read given passages"
            )
        try:
            with _progress_bar() as bar:
                task = bar.add_task(f"read: {name}", total=None, item="")

                def progress(done: int, total: int, item: str) -> None:
                    bar.update(task, completed=done, total=total, item=item[-30:])

                report = runner.run(
                    questions,
                    FrozenDesk(reader, passages),
                    out_dir=out_dir,
                    mode=chosen_mode,  # type: ignore[arg-type]
                    limit=limit,
                    seed=seed,
                    k=k,
                    progress=progress,
                    plots=plots,
                    settings=settings.model_dump(mode="json"),
                    identity={"pipeline": f"reader-only {name}", "evidence_from": str(source.resolve())},
                    meta={"pipeline": f"reader-only {name}", "evidence_from": str(source)},
                )
        finally:
            _close(reader)
        console.print(
            _summary(report, f"reader-only {name} ({report['metrics']['overall']['questions']} questions)")
        )
        console.print(f"report: {out_dir / 'report.md'}")
    except NewsdeskError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None


@app.command("compare")
def compare_command(
    reports: Annotated[list[Path], typer.Argument(help="Two or more report.json files or run folders.")],
) -> None:
    """Print the overall metrics of reports side by side, with deltas against the first."""
    from eval.compare import compare_paths, compare_table

    try:
        labelled = compare_paths(reports)
    except ValueError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    if len(labelled) < 2:  # a side-by-side run folder alone holds two
        raise typer.BadParameter("give at least two reports")
    console.print(compare_table(labelled))


def register(root: typer.Typer) -> None:
    """Adds ``eval`` and ``bench`` to the ``newsdesk`` command line."""
    from eval.bench import app as bench_app

    root.add_typer(app, name="eval", help="Run question sets and write reports.")
    root.add_typer(bench_app, name="bench", help="Benchmark against the LangChain tutorial pipeline.")
