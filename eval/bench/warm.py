"""``python -m eval.bench.warm``: what the warm server saves a ``newsdesk ask`` from the shell.

Every call is the real command in its own process, as a user runs it. Per run, in order:

1. ``in-process``: ``ask --no-warm`` (loads the embedder and model, then answers: today's cost);
2. ``cold``: ``ask`` with no server running (starts one, waits for it, then answers);
3. ``same``: the same question again (answered by the running server);
4. ``other``: another question (also the server's).

Each call records its wall time and the answer's own ``timings.total`` (retrieval, prompt
reading, generation, checks), so ``wall - total`` is what the call costs beyond answering.
The server is stopped after each run, so every run's ``cold`` is cold. The articles are
ingested into a temporary store first. Results: a table and a JSON file with machine and load.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
QUESTIONS = (
    "How many anti-tank missile launchers did the UK send to Ukraine?",
    "How many British troops are stationed in Estonia?",
)
CALLS = ("in-process", "cold", "same", "other")


def newsdesk(env: dict[str, str], *args: str) -> tuple[float, subprocess.CompletedProcess[str]]:
    """Runs ``newsdesk ARGS`` in a fresh process on this checkout; returns (seconds, result)."""
    began = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", "from rag.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
    )
    return time.perf_counter() - began, done


def ask(env: dict[str, str], question: str, *extra: str) -> dict[str, Any]:
    seconds, done = newsdesk(env, "ask", question, "--json", *extra)
    if done.returncode != 0:
        raise SystemExit(f"newsdesk ask failed: {done.stderr.strip() or done.stdout.strip()}")
    answer = json.loads(done.stdout)
    total = float(answer["timings"]["total"])
    return {
        "wall_s": round(seconds, 3),
        "answer_s": round(total, 3),
        "overhead_s": round(seconds - total, 3),
        "first_token_s": answer["timings"].get("first_token"),
        "abstained": answer["abstained"],
    }


def load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def one_run(env: dict[str, str]) -> dict[str, Any]:
    newsdesk(env, "serve", "--stop", "--all")
    calls = {"load_before": load(), "in-process": ask(env, QUESTIONS[0], "--no-warm")}
    calls["cold"] = ask(env, QUESTIONS[0], "--warm")
    calls["same"] = ask(env, QUESTIONS[0], "--warm")
    calls["other"] = ask(env, QUESTIONS[1], "--warm")
    calls["load_after"] = load()
    newsdesk(env, "serve", "--stop", "--all")
    return calls


def summary(runs: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    out: dict[str, dict[str, float]] = {}
    for call in CALLS:
        for metric in ("wall_s", "answer_s", "overhead_s"):
            values = [r[call][metric] for r in runs]
            out.setdefault(call, {})[f"{metric}_median"] = round(statistics.median(values), 2)
            out[call][f"{metric}_min"] = round(min(values), 2)
            out[call][f"{metric}_max"] = round(max(values), 2)
    return out


def machine() -> dict[str, Any]:
    model = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            None,
        )
        if Path("/proc/cpuinfo").exists()
        else None
    )
    return {"cpu": model, "cpu_count": os.cpu_count(), "python": sys.version.split()[0]}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=Path, default=ROOT / "data" / "articles")
    parser.add_argument("--model", default="default", choices=("default", "small"))
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "eval" / "runs" / "warm.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="nwb", dir="/tmp") as work:
        env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSDESK_")}
        env |= {
            "PYTHONPATH": str(ROOT),
            "NEWSDESK_STORE": f"{work}/store",
            "NEWSDESK_MODEL": args.model,
            "NEWSDESK_WARM_DIR": f"{work}/run",
        }
        seconds, done = newsdesk(env, "ingest", str(args.articles))
        if done.returncode != 0:
            raise SystemExit(f"newsdesk ingest failed: {done.stderr.strip()}")
        runs = []
        for number in range(1, args.runs + 1):
            runs.append(one_run(env))
            row = "  ".join(
                f"{c} {runs[-1][c]['wall_s']:.1f}s ({runs[-1][c]['answer_s']:.1f})" for c in CALLS
            )
            print(f"run {number}: {row}  load {runs[-1]['load_after']}", flush=True)
    results = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "model": args.model,
        "articles": str(args.articles),
        "questions": list(QUESTIONS),
        "machine": machine(),
        "ingest_s": round(seconds, 2),
        "runs": runs,
        "summary": summary(runs),
    }
    print(f"{'call':<11} {'wall s (median, min-max)':>26} {'answer s':>9} {'overhead s':>11}")
    for call, numbers in results["summary"].items():
        print(
            f"{call:<11} {numbers['wall_s_median']:>10.2f} ({numbers['wall_s_min']:.2f}-{numbers['wall_s_max']:.2f})"
            f"{'':>5} {numbers['answer_s_median']:>9.2f} {numbers['overhead_s_median']:>11.2f}"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"results: {args.out}")
    return results


if __name__ == "__main__":
    main()
