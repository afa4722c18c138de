"""The comparison table: results flattened to ``metric -> value``, ratios ours/baseline, rendering.

Every metric name ends in a unit suffix that says which direction is better,
so a new metric (a new retrieval stage, say) is ranked without a change here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.table import Table

from eval.bench.stats import rounded

Flat = dict[str, float | None]


def better_for(metric: str) -> str | None:
    """Which direction is better for a flat metric name: ``higher``, ``lower`` or ``None`` (informational)."""
    last = metric.rsplit(".", 1)[-1]
    if last.endswith("_per_s"):
        return "higher"
    if last in ("chunks", "answer_chars_mean", "n"):
        return None
    if last.endswith(("_ms", "_s", "_mb")) or last in ("seconds", "prompt_chars_mean", "errors"):
        return "lower"
    return None


def ratio(ours: float | None, baseline: float | None) -> float | None:
    """ours / baseline, or ``None`` when either is missing or the baseline is zero."""
    if ours is None or baseline is None or baseline == 0:
        return None
    return ours / baseline


def ratio_rows(
    ours: Mapping[str, float | None],
    baseline: Mapping[str, float | None],
    labels: Mapping[str, str] | None = None,
) -> list[dict[str, Any]]:
    """One row per metric (ours' order, then any baseline-only ones): values, ratio ours/baseline,
    the better direction, and whether ours is on the better side (``None`` when undecidable)."""
    rows = []
    for metric in [*ours, *(m for m in baseline if m not in ours)]:
        a, b = ours.get(metric), baseline.get(metric)
        r = ratio(a, b)
        better = better_for(metric)
        ours_better = None
        if r is not None and better is not None and r != 1:
            ours_better = r > 1 if better == "higher" else r < 1
        rows.append(
            {
                "metric": metric,
                "label": (labels or {}).get(metric, metric),
                "ours": a,
                "baseline": b,
                "ratio": rounded(r, 3),
                "better": better,
                "ours_better": ours_better,
            }
        )
    return rows


def flatten(results: dict[str, Any]) -> tuple[Flat, Flat, dict[str, str]]:
    """The results as two flat ``metric -> value`` dicts (ours, baseline) and their labels, table order."""
    ours: Flat = {}
    base: Flat = {}
    labels: dict[str, str] = {}

    def put(key: str, label: str, a: float | None, b: float | None) -> None:
        ours[key], base[key], labels[key] = a, b, label

    ing = results.get("ingest") or {}
    if ing:
        o, b = ing["ours"], ing["baseline"]
        put("ingest.seconds", "ingest: wall time (s)", o["seconds"], b["seconds"])
        put("ingest.articles_per_s", "ingest: articles/s", o["articles_per_s"], b["articles_per_s"])
        put("ingest.chunks_per_s", "ingest: chunks/s", o["chunks_per_s"], b["chunks_per_s"])
        put("ingest.chunks", "ingest: chunks", o["chunks"], b["chunks"])
        put("ingest.peak_rss_mb", "ingest: peak RSS (MB)", o["peak_rss_mb"], b["peak_rss_mb"])
    for key, scale in (results.get("retrieval") or {}).items():
        o, b = scale["ours"], scale["baseline"]
        name = f"x{scale['actual']:g}" + (f" (of x{scale['requested']})" if scale.get("capped") else "")
        put(f"retrieval.{key}.chunks", f"retrieval {name}: chunks", o["chunks"], b["chunks"])
        put(f"retrieval.{key}.p50_ms", f"retrieval {name}: p50 (ms)", o["total"]["p50"], b["total"]["p50"])
        put(f"retrieval.{key}.p95_ms", f"retrieval {name}: p95 (ms)", o["total"]["p95"], b["total"]["p95"])
        for stage, times in (o.get("stages") or {}).items():  # ours only: the baseline has no stages
            put(
                f"retrieval.{key}.stage.{stage}.p50_ms",
                f"retrieval {name}, stage {stage}: p50 (ms)",
                times["p50"],
                None,
            )
            put(
                f"retrieval.{key}.stage.{stage}.p95_ms",
                f"retrieval {name}, stage {stage}: p95 (ms)",
                times["p95"],
                None,
            )
    for model, run in (results.get("answers") or {}).items():
        o, b = run["ours"], run["baseline"]
        put(f"answer.{model}.ttft_p50_s", f"answer {model}: TTFT p50 (s)", o["ttft"]["p50"], b["ttft"]["p50"])
        put(f"answer.{model}.ttft_p95_s", f"answer {model}: TTFT p95 (s)", o["ttft"]["p95"], b["ttft"]["p95"])
        put(
            f"answer.{model}.total_p50_s",
            f"answer {model}: total p50 (s)",
            o["total"]["p50"],
            b["total"]["p50"],
        )
        put(
            f"answer.{model}.total_p95_s",
            f"answer {model}: total p95 (s)",
            o["total"]["p95"],
            b["total"]["p95"],
        )
        put(
            f"answer.{model}.prompt_chars_mean",
            f"answer {model}: prompt chars (mean)",
            o["prompt_chars"]["mean"],
            b["prompt_chars"]["mean"],
        )
        put(
            f"answer.{model}.answer_chars_mean",
            f"answer {model}: answer chars (mean)",
            o["answer_chars"]["mean"],
            b["answer_chars"]["mean"],
        )
        put(f"answer.{model}.errors", f"answer {model}: errors", o["errors"], b["errors"])
    return ours, base, labels


def table_rows(results: dict[str, Any]) -> list[dict[str, Any]]:
    """The rows of the comparison table for a results dict."""
    ours, base, labels = flatten(results)
    return ratio_rows(ours, base, labels)


def fmt(value: float | None) -> str:
    """A number for the table: thousands separated, three significant digits below 10."""
    if value is None:
        return "—"
    if float(value).is_integer() and abs(value) >= 100:
        return f"{int(value):,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.3g}" if value else "0"


def render_table(rows: Sequence[dict[str, Any]], title: str = "newsdesk vs LangChain baseline") -> Table:
    """The rows as a rich table; ours' side coloured green when better, red when worse."""
    table = Table(title=title)
    table.add_column("metric", no_wrap=True)
    table.add_column("ours", justify="right")
    table.add_column("baseline", justify="right")
    table.add_column("ours/baseline", justify="right")
    table.add_column("better", justify="center")
    for row in rows:
        r = row["ratio"]
        text = "—" if r is None else f"{r:.2f}×"
        if row["ours_better"] is True:
            text = f"[green]{text}[/]"
        elif row["ours_better"] is False:
            text = f"[red]{text}[/]"
        better = {"higher": "higher ↑", "lower": "lower ↓"}.get(row["better"] or "", "—")
        table.add_row(row["label"], fmt(row["ours"]), fmt(row["baseline"]), text, better)
    return table
