"""eval/bench/warm.py with ``newsdesk`` calls faked: what it runs, in what order, and what it reports."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from eval.bench import warm


def test_each_run_asks_in_process_then_cold_same_other_and_reports_the_overhead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, ...]] = []
    wall = {"--no-warm": 18.0, "cold": 20.0, "same": 6.0, "other": 7.0}

    def newsdesk(env: dict[str, str], *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
        calls.append(args)
        assert env["NEWSDESK_WARM_DIR"].endswith("/run") and env["PYTHONPATH"]
        if args[0] != "ask":
            return 0.5, subprocess.CompletedProcess(args, 0, "", "")
        warm_calls = sum(1 for c in calls if c[0] == "ask" and "--warm" in c) % 3
        key = "--no-warm" if "--no-warm" in args else ("other", "cold", "same")[warm_calls]
        answer = {"timings": {"total": 5.0, "first_token": 2.0}, "abstained": False}
        return wall[key], subprocess.CompletedProcess(args, 0, json.dumps(answer), "")

    monkeypatch.setattr(warm, "newsdesk", newsdesk)
    out = tmp_path / "warm.json"
    results = warm.main(["--runs", "2", "--out", str(out)])
    asks = [c for c in calls if c[0] == "ask"]
    assert [("--no-warm" in c, c[1]) for c in asks[:4]] == [
        (True, warm.QUESTIONS[0]),
        (False, warm.QUESTIONS[0]),
        (False, warm.QUESTIONS[0]),
        (False, warm.QUESTIONS[1]),
    ]
    assert calls[0][0] == "ingest" and ("serve", "--stop", "--all") in calls
    assert len(results["runs"]) == 2 and json.loads(out.read_text())["summary"] == results["summary"]
    assert results["summary"]["in-process"]["overhead_s_median"] == 13.0
    assert results["summary"]["same"]["wall_s_median"] == 6.0
    assert results["summary"]["same"]["overhead_s_median"] == 1.0
