"""Percentile summaries of timings, shared by the phases and the table."""

from __future__ import annotations

from collections.abc import Sequence

from eval.metrics import mean, percentile


def rounded(value: float | None, digits: int = 4) -> float | None:
    """``value`` rounded for the JSON (timings are noisy far above 4 digits), ``None`` kept."""
    return None if value is None else round(value, digits)


def summarize(values: Sequence[float | None], scale: float = 1.0) -> dict[str, float | int | None]:
    """n, p50, p95 and mean of the defined values, each multiplied by ``scale`` (1000 for ms).

    ``None`` marks a measurement that did not happen (a failed call), so it is left
    out rather than counted as zero.
    """
    data = [v * scale for v in values if v is not None]
    p50, p95, avg = percentile(data, 50), percentile(data, 95), mean(data)
    return {"n": len(data), "p50": rounded(p50), "p95": rounded(p95), "mean": rounded(avg)}
