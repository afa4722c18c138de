"""One loop for every evaluation run: a sweep point × a pipeline, described by one ``RunSpec``.

``eval run`` (answers) and ``eval retrieval`` both turn their options into
sweep points (``Point``), each holding one ``RunSpec`` per pipeline, and hand
them to ``run_all``. A spec is everything that decides a run's folder and its
resume identity, so resume, sweeps (``--set k=3 --set k=5``) and side by side
(``--pipelines ours,tutorial``) are the same code: one folder per spec,
refused when it holds results of another spec.
"""

from __future__ import annotations

import contextlib
import inspect
import itertools
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import typer
from rich.console import Console

if TYPE_CHECKING:
    from rich.table import Table

    from rag.desk import Progress

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


@dataclass(frozen=True)
class RunSpec:
    """One pipeline over one question set at one sweep point: its folder, settings and resume identity."""

    task: Literal["answers", "retrieval"]
    pipeline: str
    folder: Path
    title: str  # the progress bar's and the summary's name
    overrides: Mapping[str, Any] = field(default_factory=dict)  # setting overrides of this point
    tutorial_store: Path | None = None  # default: folder / "store"
    identity: Mapping[str, Any] = field(default_factory=dict)  # what else a resume must match
    mode: str = "auto"
    k: int | None = None
    judge: bool = False
    limit: int | None = None
    seed: int | None = None
    plots: bool = True


@dataclass(frozen=True)
class Point:
    """One point of a sweep (``label`` "eval" when nothing is swept): its folder and its pipelines' runs."""

    label: str
    folder: Path
    runs: tuple[RunSpec, ...]


@dataclass(frozen=True)
class Prepared:
    """The question set and corpus every run of a command shares, and the facts its reports record."""

    questions: list[Any]
    articles: list[Any] | None
    corpus: Path | None
    identity: dict[str, str]
    facts: dict[str, Any]


# ---------------------------------------------------------------- sweeps


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


def check_sweep(sets: dict[str, list[str]], store: Path | None, corpus: Path | None) -> None:
    """A store given with --store is shared by every point, so a setting that needs its own store
    cannot be swept into it."""
    swept = [k for k, v in sets.items() if len(v) > 1]
    if store is not None and any(k in STORE_KEYS for k in swept) and corpus is not None:
        raise typer.BadParameter(
            f"--store is shared by every run, so {', '.join(swept)} cannot be swept with it"
        )


def answer_points(
    out_dir: Path,
    pipelines: Sequence[str],
    sets: dict[str, list[str]],
    *,
    store: Path | None,
    corpus: Path | None,
    tutorial_store: Path | None,
    identity: Mapping[str, str],
    **options: Any,
) -> list[Point]:
    """``eval run``: one point per combination of swept values, in ``out_dir/<label>`` when there are
    several; one pipeline alone writes into the point's folder, several each into ``<folder>/<name>``.
    ``options`` are the answering ones (mode, judge, limit, seed, plots)."""
    swept = [k for k, v in sets.items() if len(v) > 1]
    combos = combinations(sets)
    shared_store = not any(k in STORE_KEYS for k in swept)
    points = []
    for combo in combos:
        label = run_label(combo, swept) if swept else "eval"
        run_dir = out_dir / label if len(combos) > 1 else out_dir
        overrides: dict[str, Any] = dict(combo)
        if store is not None:
            overrides["store"] = store
        elif corpus is not None:
            overrides["store"] = (out_dir if shared_store else run_dir) / "store"
        runs = tuple(
            RunSpec(
                task="answers",
                pipeline=name,
                folder=run_dir if list(pipelines) == ["ours"] else run_dir / name,
                title="/".join(t for t in (label if len(combos) > 1 else "", name) if t),
                overrides=overrides,
                tutorial_store=tutorial_store,
                identity=dict(identity) | ({"pipeline": name} if name != "ours" else {}),
                **options,
            )
            for name in pipelines
        )
        points.append(Point(label, run_dir, runs))
    return points


def retrieval_point(
    out_dir: Path,
    pipelines: Sequence[str],
    overrides: Mapping[str, Any],
    *,
    tutorial_store: Path | None,
    identity: Mapping[str, str],
    **options: Any,
) -> Point:
    """``eval retrieval``: no sweep; each pipeline in ``out_dir/<name>``, named in its identity."""
    return Point(
        "retrieval",
        out_dir,
        tuple(
            RunSpec(
                task="retrieval",
                pipeline=name,
                folder=out_dir / name,
                title=f"retrieve: {name}",
                overrides=overrides,
                tutorial_store=tutorial_store,
                identity=dict(identity) | {"pipeline": name},
                mode="retrieval",
                **options,
            )
            for name in pipelines
        ),
    )


# ---------------------------------------------------------------- the loop


@contextlib.contextmanager
def progress_bar(title: str, width: int = 30) -> Iterator[Progress]:
    """A rich progress bar named ``title``, as the ``(done, total, item)`` callback desks and runners take."""
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )
    from rich.progress import Progress as Bar

    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn())
    with Bar(
        *columns,
        TextColumn("{task.fields[item]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task(title, total=None, item="")

        def progress(done: int, total: int, item: str) -> None:
            bar.update(task, completed=done, total=total, item=item[-width:])

        yield progress


def ingest(desk: Any, corpus: Path, articles: list[Any] | None) -> None:
    """Fills the store from ``--corpus``: dataset corpora as articles, plain files (``None``) through ``ingest``."""
    with progress_bar("ingest", width=40) as progress:
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


def close(desk: Any) -> None:
    closer = getattr(desk, "close", None)
    if callable(closer):
        with contextlib.suppress(Exception):  # best effort: the report is already written
            closer()


def summary(report: dict[str, Any], title: str) -> Table:
    from rich.table import Table

    from eval.report import fmt

    overall = report["metrics"]["overall"]
    grid = Table(title=title)
    grid.add_column("metric")
    grid.add_column("value", justify="right")
    for name in SUMMARY:
        if overall.get(name) is not None:
            grid.add_row(name, fmt(name, overall[name]))
    return grid


def execute(spec: RunSpec, prepared: Prepared) -> dict[str, Any]:
    """One run: its settings, the resume check (before a store is filled), its desk, the ingest, the
    questions asked (or retrieved for) and scored; returns the report."""
    from eval import pipelines, resume, runner
    from eval.judge import OpenAIJudge
    from eval.retrieval import run_retrieval
    from rag.settings import load_settings

    settings = load_settings(**spec.overrides)
    judge = OpenAIJudge.from_settings(settings) if spec.judge else None
    recorded = pipelines.recorded_settings(spec.pipeline, settings.model_dump(mode="json"))
    k = spec.k if spec.task == "retrieval" else None
    info = resume.run_info(
        mode=spec.mode, k=k, judge=judge is not None, settings=recorded, identity=spec.identity
    )
    resume.check_resume(spec.folder, info)
    desk = pipelines.make(spec.pipeline, settings, spec.tutorial_store or spec.folder / "store")
    try:
        if prepared.corpus is not None:
            ingest(desk, prepared.corpus, prepared.articles)
        common: dict[str, Any] = {
            "out_dir": spec.folder,
            "limit": spec.limit,
            "seed": spec.seed,
            "settings": recorded,
            "identity": spec.identity,
        }
        meta = prepared.facts | {"pipeline": spec.pipeline}
        with progress_bar(spec.title) as progress:
            if spec.task == "retrieval":
                assert spec.k is not None
                return run_retrieval(
                    prepared.questions, desk, k=spec.k, meta=meta, progress=progress, **common
                )
            return runner.run(
                prepared.questions,
                desk,
                mode=spec.mode,  # type: ignore[arg-type]
                progress=progress,
                judge=judge,
                plots=spec.plots,
                meta=meta
                | {
                    "overrides": {key: str(v) for key, v in spec.overrides.items()},
                    "started_from_cli_at": datetime.now().isoformat(timespec="seconds"),
                },
                **common,
            )
    finally:
        close(desk)


Done = list[tuple[RunSpec, dict[str, Any]]]


def run_all(
    points: Sequence[Point],
    prepared: Prepared,
    *,
    after_run: Callable[[RunSpec, dict[str, Any]], None] = lambda spec, report: None,
    after_point: Callable[[Point, Done], None] = lambda point, done: None,
) -> Done:
    """Every spec of every point in order; ``after_run`` and ``after_point`` see each result as it comes."""
    everything: Done = []
    for point in points:
        done: Done = []
        for spec in point.runs:
            report = execute(spec, prepared)
            done.append((spec, report))
            after_run(spec, report)
        after_point(point, done)
        everything += done
    return everything
