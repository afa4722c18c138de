"""One report for several pipelines run on the same questions and corpus: their columns side by side.

Each pipeline's own run folder keeps its full ``report.json``; the folder above
gets ``report.md`` (metrics per pipeline, the answer-shown × outcome slices, the
definitions) and ``side_by_side.json`` naming the pipelines' folders, which
``newsdesk eval compare`` expands.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from eval.report import COUNTS, LATENCY_STAGES, RATES, fmt, slice_table, table

INDEX = "side_by_side.json"
Labelled = tuple[str, Mapping[str, Any]]


def render(labelled: Sequence[Labelled]) -> str:
    """``report.md`` of a multi-pipeline run."""
    names = [label for label, _ in labelled]
    first = labelled[0][1]
    run = first.get("run", {})
    lines = [f"# Newsdesk evaluation: {' vs '.join(names)}", ""]
    facts = [
        ("questions file", run.get("questions")),
        ("format", run.get("format")),
        ("corpus", run.get("corpus")),
        ("variant", run.get("variant")),
        ("news time", run.get("news time")),
        ("mode", run.get("mode")),
        ("k", run.get("k")),
        ("limit", run.get("limit")),
        ("seed", run.get("seed")),
        ("evidence from", run.get("evidence_from")),
    ]
    lines += [f"- **{name}**: {value}" for name, value in facts if value not in (None, "")]
    for label, report in labelled:
        desk = report.get("desk", {})
        described = ", ".join(f"{k}: {v}" for k, v in desk.items() if k not in ("prompt", "store"))
        lines.append(f"- **{label}**: {described}")
    lines += [
        "",
        "Same questions, same corpus, scored by the same functions; every figure below comes from this run.",
        "",
        "## Summary",
        "",
    ]
    rows = []
    for name in (*COUNTS, *RATES):
        values = [report["metrics"]["overall"].get(name) for _, report in labelled]
        if name == "faithfulness" and all(v is None for v in values):
            continue
        rows.append([name, *(fmt(name, v) for v in values)])
    for stage in LATENCY_STAGES:
        for q in ("p50", "p95"):
            key = f"{stage}_{q}"
            rows.append([f"{key} (s)", *(fmt("s", r["metrics"]["overall"].get(key)) for _, r in labelled)])
    lines += [table(["metric", *names], rows), ""]
    lines += ["## Answer shown × outcome", ""]
    lines += [slice_table([(label, report["slices"]) for label, report in labelled]), ""]
    types = sorted({t for _, r in labelled for t in r["metrics"]["by_type"]})
    if len(types) > 1:
        lines += ["## Accuracy by type", ""]
        lines.append(
            table(
                ["type", *names],
                [
                    [
                        t,
                        *(
                            fmt("accuracy", r["metrics"]["by_type"].get(t, {}).get("accuracy"))
                            for _, r in labelled
                        ),
                    ]
                    for t in types
                ],
            )
        )
        lines.append("")
    lines += ["## Definitions", ""]
    lines += [f"- **{name}**: {text}" for name, text in first.get("definitions", {}).items()]
    lines += ["", "Each pipeline's every answer, passage, score and timing: `<pipeline>/report.json`.", ""]
    return "\n".join(lines)


def write(out_dir: Path | str, labelled: Sequence[Labelled], folders: Mapping[str, str]) -> Path:
    """Writes ``report.md`` and ``side_by_side.json`` (pipeline → folder, relative to ``out_dir``)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / INDEX).write_text(
        json.dumps(
            {
                "pipelines": {label: folders[label] for label, _ in labelled},
                "overall": {label: report["metrics"]["overall"] for label, report in labelled},
                "slices": {label: report["slices"] for label, report in labelled},
            },
            indent=2,
            default=str,
        ),
        encoding="utf-8",
    )
    path = out / "report.md"
    path.write_text(render(labelled), encoding="utf-8")
    return path


def pipeline_folders(path: Path | str) -> list[tuple[str, Path]]:
    """The pipeline folders a side-by-side folder names (empty when ``path`` is not one)."""
    index = Path(path) / INDEX
    if not index.is_file():
        return []
    data = json.loads(index.read_text(encoding="utf-8"))
    return [(label, Path(path) / folder) for label, folder in data.get("pipelines", {}).items()]
