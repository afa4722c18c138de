"""``newsdesk eval reader | replay | compare``: commands that work from earlier runs' records."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from eval.cli_options import HalfOption, check_half
from eval.runs import console, parse_sets, summary
from rag.errors import NewsdeskError


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
    half: HalfOption = "all",
) -> None:
    """Reader only, on frozen evidence: each question answered again from the passages an earlier
    run showed the model, with no retrieval; same scoring and report as ``run``."""

    from eval import halves, resume, runner, runs
    from eval import pipelines as pipes
    from eval.frozen import FrozenDesk, FrozenEvidenceError, load_evidence
    from eval.sidebyside import pipeline_folders
    from rag.settings import load_settings

    check_half(half)
    sets = parse_sets(set_)
    if any(len(v) > 1 for v in sets.values()):
        raise typer.BadParameter("reader takes one value per --set key")
    try:
        (name,) = pipes.parse(pipeline)
        source = dict(pipeline_folders(evidence)).get(name, evidence)
        earlier = resume.read_run(source)
        chosen_mode = mode or earlier.get("mode") or "auto"
        if chosen_mode not in ("auto", "open", "mc"):
            raise typer.BadParameter("--mode must be auto, open or mc")
        questions, passages = load_evidence(source)
        console.print(f"{len(questions)} questions with their recorded passages from {source}")
        everything = len(questions)
        questions = halves.pick(questions, half)
        if half != "all":
            console.print(f"{half} half: {len(questions)} of {everything} questions")
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
            with runs.progress_bar(f"read: {name}") as progress:
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
                    identity={"pipeline": f"reader-only {name}", "evidence_from": str(source.resolve())}
                    | halves.identity(half),
                    meta={"pipeline": f"reader-only {name}", "evidence_from": str(source)}
                    | halves.describe(half, len(questions), everything),
                )
        finally:
            runs.close(reader)
        console.print(
            summary(report, f"reader-only {name} ({report['metrics']['overall']['questions']} questions)")
        )
        console.print(f"report: {out_dir / 'report.md'}")
    except NewsdeskError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None


def replay_command(
    run_dir: Annotated[
        Path, typer.Argument(help="An earlier run folder of open questions (its results.jsonl).")
    ],
    set_: Annotated[
        list[str] | None,
        typer.Option("--set", help="Setting override key=value over the run's own, e.g. answer_checks=…"),
    ] = None,
) -> None:
    """The run's recorded drafts decided again by today's answering checks, without the model:
    exits 1 when an answer, an abstention or a cited passage differs (a change kept its behaviour)."""
    from eval.replay import replay

    sets = parse_sets(set_)
    if any(len(v) > 1 for v in sets.values()):
        raise typer.BadParameter("replay takes one value per --set key")
    try:
        result = replay(run_dir, {key: values[0] for key, values in sets.items()})
    except NewsdeskError as exc:
        console.print(f"[red]error:[/red] {exc}")
        raise typer.Exit(1) from None
    for diff in result.differences:
        marks = [
            f"{when} {'right' if correct else 'wrong'}"
            for when, correct in (("was", diff.was_correct), ("now", diff.now_correct))
            if correct is not None
        ]
        scored = f" ({', '.join(marks)})" if marks else ""
        console.print(f"{diff.id}{scored} {diff.question}", markup=False)
        console.print(f"  was: {diff.recorded}\n  now: {diff.replayed}", markup=False)
    if result.differences:
        right = sum(d.was_correct is True for d in result.differences)
        wrong = sum(d.was_correct is False for d in result.differences)
        console.print(f"changed: {right} answers that were right, {wrong} that were wrong")
        for row, outcomes in result.before.items():
            if any(outcomes.values()):
                was = " / ".join(str(n) for n in outcomes.values())
                now = " / ".join(str(n) for n in result.after[row].values())
                console.print(f"{row}: right / wrong / abstained {was} -> {now}")
        if result.unscored:
            console.print(
                f"{result.unscored} recorded abstentions now answer (a judged run): counted as wrong"
            )
    console.print(
        f"{result.same} of {result.compared} recorded answers the same"
        f" ({result.skipped} skipped: failed, errored or multiple choice)"
    )
    if result.differences:
        raise typer.Exit(1)


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


def add_commands(app: typer.Typer) -> None:
    app.command("reader")(reader_command)
    app.command("replay")(replay_command)
    app.command("compare")(compare_command)
