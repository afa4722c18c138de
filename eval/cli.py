"""``newsdesk eval``: run a question set against the desk, or compare reports.

The CLI mounts it (and ``newsdesk bench``) through the ``newsdesk.commands``
entry point, which calls ``register``. The group runs
``run`` when its first argument is not a command name, so
``newsdesk eval QUESTIONS …`` and ``newsdesk eval run QUESTIONS …`` are the same.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from typer.core import TyperGroup

from eval.cli_options import (
    CounterfactualOption,
    HalfOption,
    NewsTimeOption,
    PipelinesOption,
    TutorialStoreOption,
    UnanswerableOption,
    check_half,
)
from eval.cli_recorded import add_commands
from eval.formats import format_names
from eval.runs import Prepared, combinations, console, parse_sets, run_label, summary
from rag.errors import NewsdeskError

if TYPE_CHECKING:
    from eval.questions import Question
    from rag.types import Article

__all__ = ["app", "combinations", "parse_sets", "register", "run_label"]


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


def _prepare(
    questions: Path,
    format: str,
    corpus: Path | None,
    limit: int | None,
    seed: int | None,
    unanswerable: bool,
    news_time: bool = True,
    half: str = "all",
    counterfactual: bool = False,
) -> Prepared:
    """Questions, corpus articles, the run's identity and report facts, with the unanswerable
    variant applied: the selected questions marked unanswerable, their articles out of the corpus.
    ``half`` keeps one half of the set (``eval.halves``) before --seed and --limit pick within it."""
    from eval import halves, runner
    from eval.formats import detect_format, load_corpus, load_questions

    if format not in format_names():
        raise typer.BadParameter(f"--format must be one of {', '.join(format_names())}")
    question_set = load_questions(questions, format)
    console.print(f"{len(question_set)} questions from {questions}")
    everything = len(question_set)
    question_set = halves.pick(question_set, half)
    if half != "all":
        console.print(f"{half} half: {len(question_set)} of {everything} questions")
    dated = any(q.as_of for q in question_set)
    if dated and not news_time:
        question_set = [q.model_copy(update={"as_of": None}) for q in question_set]
    articles = load_corpus(corpus, format) if corpus is not None else None
    identity: dict[str, str] = {}
    facts: dict[str, Any] = {
        "questions": str(questions),
        "format": format,
        "corpus": str(corpus) if corpus else None,
    } | halves.describe(half, len(question_set), everything)
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
    if counterfactual:
        question_set, identity = _counterfactual(question_set, articles, unanswerable, facts)
    if dated:
        identity = identity | {"news_time": "on" if news_time else "off"}
    identity = identity | halves.identity(half)
    if articles is not None:
        console.print(f"{len(articles)} distinct articles in the corpus")
    return Prepared(question_set, articles, corpus, identity, facts)


def _counterfactual(
    question_set: list[Question], articles: list[Article] | None, unanswerable: bool, facts: dict[str, Any]
) -> tuple[list[Question], dict[str, str]]:
    """The questions that can be made counterfactual negatives (``eval.counterfactual``), changed."""
    from eval.counterfactual import DEFINITION, identity, make_counterfactual

    if articles is None:
        raise typer.BadParameter("--counterfactual needs --corpus (to check the changed questions)")
    if unanswerable:
        raise typer.BadParameter("--counterfactual and --unanswerable are two variants: choose one")
    negatives = make_counterfactual(question_set, articles)
    console.print(f"counterfactual: {len(negatives)} of {len(question_set)} questions changed")
    for negative in negatives[:3]:
        console.print(
            f"  {negative.original.question!r} -> {negative.question.question!r} ({negative.change})"
        )
    facts["variant"] = f"counterfactual negatives, {len(negatives)} of {len(question_set)}: {DEFINITION}"
    return [n.question for n in negatives], identity(negatives)


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
    half: HalfOption = "all",
    counterfactual: CounterfactualOption = False,
) -> None:
    """Ask every question of a set, score the answers and write report.json, report.md and plots."""
    # Imported here, not at the top, so `newsdesk --help` does not pay for the evaluation code.
    from eval import pipelines as pipes
    from eval import runs, sidebyside
    from eval.compare import compare_markdown, compare_table

    if mode not in ("auto", "open", "mc"):
        raise typer.BadParameter("--mode must be auto, open or mc")
    check_half(half)
    sets = parse_sets(set_)
    runs.check_sweep(sets, store, corpus)
    if store is not None and unanswerable:
        raise typer.BadParameter("--unanswerable builds its own corpus: leave --store out")
    name = questions.name if questions.is_dir() else questions.stem
    out_dir = out or Path("eval/runs") / name
    try:
        names = pipes.parse(pipelines)
        prepared = _prepare(
            questions, format, corpus, limit, seed, unanswerable, news_time, half, counterfactual
        )
        points = runs.answer_points(
            out_dir,
            names,
            sets,
            store=store,
            corpus=corpus,
            tutorial_store=tutorial_store,
            identity=prepared.identity,
            mode=mode,
            judge=judge,
            limit=limit,
            seed=seed,
            plots=plots,
        )

        def after_run(spec: runs.RunSpec, report: dict[str, Any]) -> None:
            questions_asked = report["metrics"]["overall"]["questions"]
            console.print(summary(report, f"{spec.title} ({questions_asked} questions)"))
            console.print(f"report: {spec.folder / 'report.md'}")

        reports: list[tuple[str, dict[str, Any]]] = []

        def after_point(point: runs.Point, done: runs.Done) -> None:
            several = len(done) > 1
            reports.extend((f"{point.label}/{s.pipeline}" if several else point.label, r) for s, r in done)
            if several:
                labelled = [(spec.pipeline, report) for spec, report in done]
                relative = {spec.pipeline: str(spec.folder.relative_to(point.folder)) for spec, _ in done}
                path = sidebyside.write(point.folder, labelled, relative)
                console.print(compare_table(labelled, title=f"{point.label}: side by side"))
                console.print(f"side-by-side report: {path}")

        runs.run_all(points, prepared, after_run=after_run, after_point=after_point)
        if len(points) > 1:
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
    half: HalfOption = "all",
) -> None:
    """Retrieval only, no generation: answer recall and hit on the gold article at 1, 3 and k, and
    seconds per retrieval stage, for each pipeline side by side (retrieval.md)."""
    from eval import pipelines as pipes
    from eval import runs
    from eval.retrieval import REPORT_MD, render_side_by_side

    check_half(half)
    sets = parse_sets(set_)
    if any(len(v) > 1 for v in sets.values()):
        raise typer.BadParameter("retrieval takes one value per --set key")
    name = questions.name if questions.is_dir() else questions.stem
    out_dir = out or Path("eval/runs") / f"{name}-retrieval"
    try:
        names = pipes.parse(pipelines)
        prepared = _prepare(questions, format, corpus, limit, seed, unanswerable, news_time, half)
        overrides: dict[str, Any] = {key: values[0] for key, values in sets.items()}
        if store is not None or corpus is not None:
            overrides["store"] = store or out_dir / "store"
        point = runs.retrieval_point(
            out_dir,
            names,
            overrides,
            tutorial_store=tutorial_store,
            identity=prepared.identity,
            k=k,
            limit=limit,
            seed=seed,
        )
        done = runs.run_all([point], prepared)
        markdown = render_side_by_side([(spec.pipeline, report) for spec, report in done])
        (out_dir / REPORT_MD).write_text(markdown, encoding="utf-8")
        console.print(markdown.split("## Definitions")[0])
        console.print(f"report: {out_dir / REPORT_MD}")
    except NewsdeskError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None


add_commands(app)


def register(root: typer.Typer) -> None:
    """Adds ``eval`` and ``bench`` to the ``newsdesk`` command line."""
    from eval.bench import app as bench_app

    root.add_typer(app, name="eval", help="Run question sets and write reports.")
    root.add_typer(bench_app, name="bench", help="Benchmark against the LangChain tutorial pipeline.")
