"""Side-by-side overall metrics of two or more reports, with deltas against the first."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.table import Table

from eval.report import COUNTS, LATENCY_STAGES, RATES, fmt, table

Labelled = tuple[str, Mapping[str, Any]]
# Direction of "better", for colouring deltas; metrics not listed are neutral.
_HIGHER_IS_BETTER = frozenset(RATES) - {"abstention_rate"}
_LOWER_IS_BETTER = frozenset(f"{s}_{p}" for s in LATENCY_STAGES for p in ("p50", "p95"))
_RUN_KEYS = ("mode", "k", "limit", "seed", "judge", "questions")


def load_report(path: Path | str) -> Mapping[str, Any]:
    """A ``report.json``, given itself or the folder holding it."""
    file = Path(path)
    if file.is_dir():
        file = file / "report.json"
    try:
        return json.loads(file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{file}: not a readable report.json ({exc})") from None


def label_of(path: Path | str) -> str:
    """The run's folder name (``report.json`` itself names nothing)."""
    file = Path(path)
    return (file.parent if file.name == "report.json" else file).name or str(file)


def metric_names(reports: Sequence[Mapping[str, Any]]) -> list[str]:
    """Overall metric names in report order, those of later reports appended."""
    names: list[str] = []
    for report in reports:
        for name in report.get("metrics", {}).get("overall", {}):
            if name not in names:
                names.append(name)
    return names


def differing_settings(labelled: Sequence[Labelled]) -> dict[str, list[Any]]:
    """Settings and run options whose values are not the same in every report: what the comparison is about."""
    keys: list[str] = []
    for _, report in labelled:
        keys += [f"settings.{k}" for k in report.get("settings", {}) if f"settings.{k}" not in keys]
    keys += [f"run.{k}" for k in _RUN_KEYS]
    differing: dict[str, list[Any]] = {}
    for key in keys:
        section, name = key.split(".", 1)
        values = [report.get(section, {}).get(name) for _, report in labelled]
        if any(v != values[0] for v in values[1:]) and differing.get(f"settings.{name}") != values:
            differing[key] = values  # run.k is usually settings.k again: shown once
    return differing


def delta(first: Any, other: Any) -> float | None:
    """``other - first`` when both are numbers, else ``None``."""
    if isinstance(first, (int, float)) and isinstance(other, (int, float)):
        return float(other) - float(first)
    return None


def compare_rows(labelled: Sequence[Labelled]) -> list[dict[str, Any]]:
    """One row per overall metric: ``name``, ``values`` (one per report) and ``deltas`` (vs the first)."""
    reports = [report for _, report in labelled]
    rows = []
    for name in metric_names(reports):
        values = [report.get("metrics", {}).get("overall", {}).get(name) for report in reports]
        if all(v is None for v in values):
            continue
        rows.append({"name": name, "values": values, "deltas": [delta(values[0], v) for v in values[1:]]})
    return rows


def fmt_delta(name: str, value: float | None) -> str:
    """Rates in percentage points, counts as integers, seconds with two decimals; signed."""
    if value is None:
        return "n/a"
    if name in RATES:
        return f"{100 * value:+.1f} pp"
    if name in COUNTS:
        return f"{int(value):+d}"
    return f"{value:+.2f}"


def _style(name: str, value: float | None) -> str:
    if not value:
        return ""
    better = (name in _HIGHER_IS_BETTER and value > 0) or (name in _LOWER_IS_BETTER and value < 0)
    worse = (name in _HIGHER_IS_BETTER and value < 0) or (name in _LOWER_IS_BETTER and value > 0)
    return "green" if better else "red" if worse else ""


def compare_table(labelled: Sequence[Labelled], *, title: str = "Comparison") -> Table:
    """A rich table: metric, each report's value, and each later report's delta against the first."""
    grid = Table(title=title)
    grid.add_column("metric")
    for label, _ in labelled:
        grid.add_column(label, justify="right")
    for label, _ in labelled[1:]:
        grid.add_column(f"Δ {label}", justify="right")
    for key, values in differing_settings(labelled).items():
        grid.add_row(f"[dim]{key}[/dim]", *(f"[dim]{v}[/dim]" for v in values), *([""] * (len(labelled) - 1)))
    for row in compare_rows(labelled):
        name = row["name"]
        deltas = []
        for value in row["deltas"]:
            style = _style(name, value)
            text = fmt_delta(name, value)
            deltas.append(f"[{style}]{text}[/{style}]" if style else text)
        grid.add_row(name, *(fmt(name, v) for v in row["values"]), *deltas)
    return grid


def compare_markdown(labelled: Sequence[Labelled]) -> str:
    """The same comparison as a markdown table, for ``compare.md``."""
    header = ["metric", *(label for label, _ in labelled), *(f"Δ {label}" for label, _ in labelled[1:])]
    rows: list[list[Any]] = [
        [key, *(str(v) for v in values), *([""] * (len(labelled) - 1))]
        for key, values in differing_settings(labelled).items()
    ]
    rows += [
        [
            r["name"],
            *(fmt(r["name"], v) for v in r["values"]),
            *(fmt_delta(r["name"], d) for d in r["deltas"]),
        ]
        for r in compare_rows(labelled)
    ]
    return table(header, rows) + "\n"


def expand(paths: Sequence[Path | str]) -> list[tuple[str, Path]]:
    """Each path with its label; a side-by-side run folder stands for its pipelines' folders."""
    from eval.sidebyside import pipeline_folders

    expanded: list[tuple[str, Path]] = []
    for path in map(Path, paths):
        inner = pipeline_folders(path) if path.is_dir() and not (path / "report.json").exists() else []
        if inner:
            expanded += [(f"{label_of(path)}/{label}", folder) for label, folder in inner]
        else:
            expanded.append((label_of(path), path))
    return expanded


def compare_paths(paths: Sequence[Path | str]) -> list[Labelled]:
    """Loads reports and labels them by folder; duplicate labels get a ``#n`` suffix.

    A folder of a multi-pipeline run (``side_by_side.json``) gives one report per pipeline.
    """
    labelled: list[Labelled] = []
    seen: dict[str, int] = {}
    for label, path in expand(paths):
        seen[label] = seen.get(label, 0) + 1
        labelled.append((label if seen[label] == 1 else f"{label}#{seen[label]}", load_report(path)))
    return labelled
