"""``newsdesk bench scale``: how the store behaves as it grows, with synthetic news-like chunks.

Each step runs in its own process (``scale_probe.py``) so RSS and first-question
times are those of a process that just started. ``--old ROOT`` runs the same
questions with another checkout's code (``git worktree add /tmp/old main``):
the keyword path before the store had its own index. ``--server`` runs the same steps
against a ``chroma run`` server it starts, with its data in the work folder.

Measured: write rate (chunks/s through ``Store.upsert``, vectors made beforehand),
disk of the store and of its keyword index, peak RSS, the first keyword question
after start, keyword and dense p50/p95 with no filter, a date range + source, and
as of a day, and what one more article costs: its ingest and the question after.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

__all__ = ["PROBE", "ScaleConfig", "run_scale"]

PROBE = Path(__file__).with_name("scale_probe.py")
ROOT = Path(__file__).resolve().parents[2]


class ScaleConfig:
    """What one run measures (see ``newsdesk bench scale --help``)."""

    def __init__(
        self,
        n: int,
        *,
        work: Path | None = None,
        old: Path | None = None,
        old_build: bool = False,
        real: bool = False,
        questions: int = 50,
        k: int = 30,
        seed: int = 0,
        batch: int = 1000,
        dim: int = 384,
        server: bool = False,
    ) -> None:
        self.n, self.work, self.old, self.old_build, self.real = n, work, old, old_build, real
        self.questions, self.k, self.seed, self.batch, self.dim = questions, k, seed, batch, dim
        self.server = server


def machine() -> dict[str, Any]:
    """CPU model, cores and load: timings mean little without them."""
    info: dict[str, Any] = {
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
    }
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
        info["cpu"] = next(
            (ln.split(":", 1)[1].strip() for ln in out.splitlines() if ln.startswith("Model name")), None
        )
    except (OSError, subprocess.SubprocessError):
        info["cpu"] = platform.processor() or None
    return info


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _step(root: Path, step: str, params: dict[str, Any], tmp: Path) -> dict[str, Any]:
    args = tmp / f"{step}.json"
    args.write_text(json.dumps(params))
    started, load = time.perf_counter(), _load()
    out = subprocess.run(
        [sys.executable, str(PROBE), str(root), step, str(args)],
        capture_output=True,
        text=True,
        cwd=root,
        timeout=6 * 3600,  # a million chunks take most of an hour to write
    )
    if out.returncode != 0:
        raise RuntimeError(f"{step} with {root} failed: {out.stderr.strip()[-2000:]}")
    result: dict[str, Any] = json.loads(out.stdout.strip().splitlines()[-1])
    result["wall_s"] = round(time.perf_counter() - started, 2)
    result["load_before"], result["load_after"] = load, _load()
    logs = [ln for ln in out.stderr.splitlines() if "keyword index" in ln]
    if logs:
        result["log"] = logs
    return result


def _disk(path: Path) -> float:
    return (
        round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 1e6, 1)
        if path.exists()
        else 0.0
    )


def _questions(cfg: ScaleConfig) -> list[str]:
    sys.path.insert(0, str(PROBE.parent))
    import synthetic  # beside the probe, importable by path alone

    sample = list(synthetic.chunks(min(cfg.n, 20_000), seed=cfg.seed))
    return synthetic.questions(sample, cfg.questions + 1, seed=cfg.seed)


def run_scale(cfg: ScaleConfig, say: Any = print) -> dict[str, Any]:
    """Builds the store(s), asks, and returns everything as one JSON-ready dict."""
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as scratch:
        work = cfg.work or Path(scratch)
        work.mkdir(parents=True, exist_ok=True)
        tmp = Path(scratch)
        base = {"n": cfg.n, "seed": cfg.seed, "dim": cfg.dim, "batch": cfg.batch, "real": cfg.real}
        result: dict[str, Any] = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "machine": machine(),
            "config": {
                **base,
                "questions": cfg.questions,
                "k": cfg.k,
                "old": str(cfg.old) if cfg.old else None,
                "server": cfg.server,
            },
            "command": " ".join(sys.argv),
        }
        if not cfg.server:
            _measure(cfg, work / f"store-{cfg.n}", base, result, tmp, say)
            return result
        from eval.bench.chroma_server import chroma_server
        from eval.bench.process import rss_mb
        from vectorstore.chroma.keywords import default_folder

        folder = work / f"server-{cfg.n}"
        say(f"starting chroma run with its data in {folder}")
        with chroma_server(folder) as server:
            keywords = default_folder(path=None, url=server.url, collection="newsdesk")
            try:
                _measure(cfg, folder, {**base, "url": server.url}, result, tmp, say, keywords=keywords)
                result["server"] = {"peak_rss_mb": rss_mb("VmHWM", pid=server.pid)}
            finally:
                shutil.rmtree(keywords, ignore_errors=True)  # kept for this server's port alone
        return result


def _measure(
    cfg: ScaleConfig,
    folder: Path,
    base: dict[str, Any],
    result: dict[str, Any],
    tmp: Path,
    say: Any,
    *,
    keywords: Path | None = None,
) -> None:
    """The steps on one store (``folder``, or a server's data folder with ``base["url"]``)."""
    say(f"building {cfg.n:,} chunks in {folder}")
    result["build"] = _step(ROOT, "build", {**base, "store": str(folder)}, tmp)
    result["build"]["disk_mb"] = {
        "total": _disk(folder) + (_disk(keywords) if keywords else 0.0),
        "keyword_index": _disk(keywords or folder / "keyword-newsdesk"),
    }
    questions = _questions(cfg)
    ask = {**base, "store": str(folder), "questions": questions, "k": cfg.k}
    say("asking (new keyword path)")
    result["new"] = _step(ROOT, "ask", {**ask, "old": False}, tmp)
    say("retrieving through Newsdesk.retrieve with the configured embedder")
    result["retrieve"] = _step(ROOT, "retrieve", ask, tmp)
    if cfg.old is not None:
        say(f"asking (old keyword path, code of {cfg.old})")
        result["old"] = _step(cfg.old, "ask", {**ask, "old": True}, tmp)
        if cfg.old_build:
            old_store = folder.parent / f"store-{cfg.n}-old"
            say(f"building {cfg.n:,} chunks with the old code in {old_store}")
            result["old_build"] = _step(cfg.old, "build", {**base, "store": str(old_store)}, tmp)
            result["old_build"]["disk_mb"] = {"total": _disk(old_store)}
