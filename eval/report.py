"""From per-question records to ``report.json``, ``report.md`` and PNG plots.

Aggregates are means of the per-question values that are defined (see
``eval.metrics``): a question without sources simply has no hit@k.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from eval import metrics
from eval.slices import DEFINITION as SLICES_DEFINITION
from eval.slices import OUTCOMES, ROWS, slices

REPORT_VERSION = 1
WORST_MISSES = 10
# Rates shown as percentages; the rest as plain numbers.
RATES = (
    "accuracy",
    "f1",
    "abstention_rate",
    "correct_abstention_rate",
    "hit_at_k",
    "mrr",
    "answer_recall_at_k",
    "citation_rate",
    "citation_precision",
    "key_fact_cited",
    "faithfulness",
)
COUNTS = ("questions", "answerable", "unanswerable", "multiple_choice", "errors")
LATENCY_STAGES = ("retrieve", "first_token", "generate", "total", "wall")


def _values(records: Iterable[Mapping[str, Any]], key: str) -> list[Any]:
    return [r.get(key) for r in records]


def _failed(record: Mapping[str, Any]) -> bool:
    """Asking raised (as opposed to an Answer reporting a generation error): no answer, no timings."""
    return bool(record.get("failed"))


def aggregate(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Every overall metric of a group of per-question records (definitions in ``metrics.DEFINITIONS``)."""
    answerable = [r for r in records if not r.get("unanswerable")]
    unanswerable = [r for r in records if r.get("unanswerable")]
    open_answerable = [r for r in answerable if r.get("mode") == "open"]
    result: dict[str, Any] = {
        "questions": len(records),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "multiple_choice": sum(1 for r in records if r.get("mode") == "mc"),
        "errors": sum(1 for r in records if r.get("error")),
        "accuracy": metrics.mean(bool(r.get("correct")) for r in answerable),
        "f1": metrics.mean(_values(open_answerable, "f1")),
        "abstention_rate": metrics.mean(bool(r.get("abstained")) for r in records),
        "correct_abstention_rate": metrics.mean(bool(r.get("abstained")) for r in unanswerable),
        "hit_at_k": metrics.mean(_values(records, "hit_at_k")),
        "mrr": metrics.mean(_values(records, "rr")),
        "answer_recall_at_k": metrics.mean(_values(records, "answer_recall_at_k")),
        "citation_rate": metrics.mean(_values(records, "has_citation")),
        "citation_precision": metrics.mean(_values(records, "citation_precision")),
        "key_fact_cited": metrics.mean(_values(records, "key_fact_cited")),
        "faithfulness": metrics.mean((r.get("judge") or {}).get("score") for r in records),
    }
    timed = [r for r in records if not _failed(r)]
    for stage in LATENCY_STAGES:
        seconds = [float(r["timings"][stage]) for r in timed if r.get("timings", {}).get(stage) is not None]
        result[f"{stage}_p50"] = metrics.percentile(seconds, 50)
        result[f"{stage}_p95"] = metrics.percentile(seconds, 95)
    return result


def by_type(records: Sequence[Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """``aggregate`` per question type, types in alphabetical order."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for record in records:
        groups.setdefault(str(record.get("type") or "untyped"), []).append(record)
    return {name: aggregate(groups[name]) for name in sorted(groups)}


def build_report(
    records: Sequence[Mapping[str, Any]],
    *,
    settings: Mapping[str, Any],
    run: Mapping[str, Any],
    desk: Mapping[str, Any],
) -> dict[str, Any]:
    """The whole of ``report.json``: metrics, definitions, settings and every question's record."""
    return {
        "version": REPORT_VERSION,
        "run": dict(run),
        "settings": dict(settings),
        "desk": dict(desk),
        "metrics": {"overall": aggregate(records), "by_type": by_type(records)},
        "slices": slices(records),
        "definitions": dict(metrics.DEFINITIONS) | {"slices": SLICES_DEFINITION},
        "questions": [dict(r) for r in records],
    }


# ---------------------------------------------------------------- markdown


def fmt(name: str, value: Any) -> str:
    """A metric value for people: rates as percentages, seconds with 2 decimals, n/a when undefined."""
    if value is None:
        return "n/a"
    if name in RATES:
        return f"{100 * float(value):.1f}%"
    if name in COUNTS:
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def _cell(text: Any, limit: int = 120) -> str:
    value = " ".join(str(text if text is not None else "").split()).replace("|", "\\|")
    return value if len(value) <= limit else value[: limit - 1] + "…"


def table(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """A GitHub markdown table."""
    lines = ["| " + " | ".join(_cell(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def slice_table(labelled: Sequence[tuple[str, Mapping[str, Mapping[str, int]]]]) -> str:
    """Answer shown / not shown × correct / wrong / abstained, one group of columns per pipeline;
    rows that are empty everywhere are left out, the total row never."""
    many = len(labelled) > 1
    header = ["slice"] + [
        f"{label} {column}" if many else column for label, _ in labelled for column in (*OUTCOMES, "total")
    ]
    rows = []
    for row in ROWS:
        cells = [[counts[row][o] for o in OUTCOMES] for _, counts in labelled]
        if row in ("answer shown", "answer not shown") or any(any(c) for c in cells):
            rows.append([row, *(v for c in cells for v in (*c, sum(c)))])
    totals = [[sum(counts[r][o] for r in ROWS) for o in OUTCOMES] for _, counts in labelled]
    rows.append(["total", *(v for c in totals for v in (*c, sum(c)))])
    return table(header, rows)


def _miss_key(record: Mapping[str, Any]) -> tuple[float, float, str]:
    retrieval = record.get("hit_at_k")
    if retrieval is None:
        retrieval = record.get("answer_recall_at_k")
    return (float(retrieval or 0.0), float(record.get("f1") or 0.0), str(record.get("id")))


def worst_misses(records: Sequence[Mapping[str, Any]], limit: int = WORST_MISSES) -> list[Mapping[str, Any]]:
    """Wrong answers (errors aside), worst first: retrieval missed before retrieval hit, then lowest F1."""
    wrong = [r for r in records if not r.get("correct") and not _failed(r)]
    return sorted(wrong, key=_miss_key)[:limit]


def _got(record: Mapping[str, Any]) -> str:
    if record.get("abstained"):
        return f"(abstained) {record.get('answer', '')}"
    if record.get("mode") == "mc":
        index = record.get("chosen_index")
        choices = record.get("choices") or []
        picked = choices[index] if index is not None and index < len(choices) else "no option"
        return f"{picked} — {record.get('answer', '')}"
    return str(record.get("answer", ""))


def render_markdown(report: Mapping[str, Any]) -> str:
    """``report.md``: what was run, the summary table by type, latency, worst misses, definitions."""
    overall = report["metrics"]["overall"]
    types = report["metrics"]["by_type"]
    run = report.get("run", {})
    desk = report.get("desk", {})
    lines = ["# Newsdesk evaluation", ""]
    facts = [
        ("questions file", run.get("questions")),
        ("format", run.get("format")),
        ("half", run.get("half")),
        ("mode", run.get("mode")),
        ("k", run.get("k")),
        ("limit", run.get("limit")),
        ("seed", run.get("seed")),
        ("news time", run.get("news time")),
        ("generator", desk.get("generator") or desk.get("model")),
        ("embedder", desk.get("embedder")),
        ("finished", run.get("finished_at")),
    ]
    lines += [f"- **{name}**: {value}" for name, value in facts if value not in (None, "")]
    lines += ["", "## Summary", ""]
    header = ["metric", "overall", *types]
    names = [*COUNTS, *RATES]
    rows = [
        [name, fmt(name, overall.get(name)), *(fmt(name, types[t].get(name)) for t in types)]
        for name in names
        if name != "faithfulness" or overall.get("faithfulness") is not None
    ]
    lines += [table(header, rows), ""]
    if report.get("slices"):
        lines += ["## Answer shown × outcome", "", slice_table([("", report["slices"])]), ""]
    lines += ["## Latency (seconds)", ""]
    lines += [
        table(
            ["stage", "p50", "p95"],
            [
                [stage, fmt("s", overall.get(f"{stage}_p50")), fmt("s", overall.get(f"{stage}_p95"))]
                for stage in LATENCY_STAGES
            ],
        ),
        "",
    ]
    records = report.get("questions", [])
    misses = worst_misses(records)
    lines += ["## Worst misses", ""]
    if misses:
        lines.append(
            table(
                ["id", "type", "question", "expected", "got", "top passage"],
                [
                    [
                        r.get("id"),
                        r.get("type"),
                        r.get("question"),
                        " / ".join(r.get("expected") or []) or "(unanswerable: should abstain)",
                        _got(r),
                        (r.get("passages") or [{}])[0].get("title", "(none)")
                        if r.get("passages")
                        else "(none)",
                    ]
                    for r in misses
                ],
            )
        )
    else:
        lines.append("None: every question was answered correctly.")
    failures = [r for r in records if r.get("error")]
    if failures:
        lines += ["", "## Errors", ""]
        lines.append(table(["id", "error"], [[r.get("id"), r.get("error")] for r in failures[:20]]))
        if len(failures) > 20:
            lines.append(f"\n…and {len(failures) - 20} more in report.json.")
    lines += ["", "## Definitions", ""]
    lines += [f"- **{name}**: {text}" for name, text in report.get("definitions", {}).items()]
    lines += [
        "",
        "The full settings and every question's answer, citations, scores and timings are in "
        + "`report.json`.",
        "",
    ]
    return "\n".join(lines)


# ---------------------------------------------------------------- plots


def write_plots(report: Mapping[str, Any], out_dir: Path) -> list[Path]:
    """``accuracy_by_type.png`` (accuracy, hit@k, answer recall@k, correct abstentions per type) and
    ``latency.png`` (histogram of retrieve and generate seconds).

    Uses the Agg canvas directly, never pyplot, so no global backend is changed.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    written = []
    types = report["metrics"]["by_type"]
    names = list(types)
    nan = float("nan")
    series = {
        "accuracy": "accuracy",
        "hit@k": "hit_at_k",
        "answer recall@k": "answer_recall_at_k",
        "correct abstention": "correct_abstention_rate",
    }
    figure = Figure(figsize=(max(6.0, 1.4 * len(names) + 2), 4.5))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    width = 0.8 / len(series)
    for number, (label, key) in enumerate(series.items()):
        values = [types[t][key] if types[t][key] is not None else nan for t in names]
        offset = (number - (len(series) - 1) / 2) * width
        axes.bar([p + offset for p in range(len(names))], values, width, label=label)
    axes.set_xticks(list(range(len(names))), names, rotation=20, ha="right")
    axes.set_ylim(0, 1.25)
    axes.set_yticks([0, 0.25, 0.5, 0.75, 1.0])
    axes.set_ylabel("share of questions")
    axes.set_title(f"Accuracy and retrieval by type (k={report.get('run', {}).get('k')})")
    axes.legend(loc="upper center", ncol=len(series), fontsize="small", frameon=False)
    figure.tight_layout()
    path = out_dir / "accuracy_by_type.png"
    figure.savefig(path, dpi=100)
    written.append(path)

    records = [r for r in report.get("questions", []) if not _failed(r)]
    figure = Figure(figsize=(6, 4))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    stages = {
        stage: [float(r["timings"][stage]) for r in records if r.get("timings", {}).get(stage) is not None]
        for stage in ("retrieve", "generate")
    }
    every = [s for seconds in stages.values() for s in seconds]
    if every:
        low, high = min(every), max(every)
        edges = [low + (high - low) * i / 30 for i in range(31)] if high > low else 10
        for stage, seconds in stages.items():
            if seconds:
                axes.hist(seconds, bins=edges, alpha=0.6, label=stage)
    axes.set_xlabel("seconds")
    axes.set_ylabel("questions")
    axes.set_title("Latency per question")
    if axes.get_legend_handles_labels()[0]:
        axes.legend()
    figure.tight_layout()
    path = out_dir / "latency.png"
    figure.savefig(path, dpi=100)
    written.append(path)
    return written


def write_report(report: Mapping[str, Any], out_dir: Path | str, *, plots: bool = True) -> list[Path]:
    """Writes ``report.json``, ``report.md`` and (unless ``plots`` is False) the PNGs; returns their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    json_path = out / "report.json"
    json_path.write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str), encoding="utf-8")
    md_path = out / "report.md"
    md_path.write_text(render_markdown(report), encoding="utf-8")
    written = [json_path, md_path]
    if plots:
        written += write_plots(report, out)
    return written
