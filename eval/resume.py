"""Resuming a run: its recorded results by id, and the refusal to mix runs of different settings.

Every run writes ``run.json`` (mode, k, judge, the settings that decide its
answers, and its identity: pipeline, corpus variant…) the first time; a later
run into the same folder must match it, so one report never mixes answers of
different runs. The answer runner and the retrieval runner share this.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rag.errors import NewsdeskError

RESULTS = "results.jsonl"
RUN_FILE = "run.json"
# Settings that do not change answers: a resume may differ in them.
_IRRELEVANT_SETTINGS = frozenset(
    {
        "host",
        "port",
        "auth",
        "concurrency",
        "llm_threads",
        "llm_timeout",
        "model_cache",
        "embed_batch_size",
        "llm_api_key",
        "openai_api_key",
    }
)


class ResumeError(NewsdeskError):
    """The output folder holds results of a run with other settings."""


def read_results(path: Path) -> dict[str, dict[str, Any]]:
    """Records of ``results.jsonl`` by id, the last line of an id winning; a torn last line is ignored."""
    records: dict[str, dict[str, Any]] = {}
    if not path.exists():
        return records
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(record, dict) and "id" in record:
            records[str(record["id"])] = record
    return records


def read_run(out_dir: Path | str) -> dict[str, Any]:
    """The ``run.json`` of a run folder (what it was run with); empty when there is none."""
    path = Path(out_dir) / RUN_FILE
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _relevant(settings: Mapping[str, Any] | None) -> dict[str, Any]:
    return {k: v for k, v in (settings or {}).items() if k not in _IRRELEVANT_SETTINGS}


def run_info(
    *,
    mode: str,
    k: int | None,
    judge: bool,
    settings: Mapping[str, Any] | None,
    identity: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """What must match for a resume: answers of other settings, another pipeline or another corpus
    variant (``identity``) are never mixed into one report."""
    info = {"mode": mode, "k": k, "judge": judge, "settings": _relevant(settings)}
    return info | dict(identity or {})


def check_resume(out_dir: Path | str, info: dict[str, Any]) -> None:
    """Refuses a folder holding results of another run, before a store is filled for it (creates it)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    _check_resume(out, info)


def _check_resume(out_dir: Path, run_info: dict[str, Any]) -> None:
    """Refuses to mix answers of different settings into one report; writes ``run.json`` the first time."""
    path = out_dir / RUN_FILE
    if path.exists():
        try:
            previous = json.loads(path.read_text(encoding="utf-8"))
        except json.JSONDecodeError:
            previous = None
        if previous is not None and isinstance(previous.get("settings"), dict):
            # Settings the new run does not record (ones its pipeline does not read) do not count.
            kept = run_info.get("settings") or {}
            previous["settings"] = {k: v for k, v in previous["settings"].items() if k in kept}
        if previous is not None and previous != run_info:
            changed = sorted(
                key for key in set(previous) | set(run_info) if previous.get(key) != run_info.get(key)
            )
            detail = changed
            if "settings" in changed:
                old, new = previous.get("settings") or {}, run_info.get("settings") or {}
                detail = [c for c in changed if c != "settings"] + sorted(
                    f"settings.{k}" for k in set(old) | set(new) if old.get(k) != new.get(k)
                )
            raise ResumeError(
                f"{out_dir} holds results of a run with different {', '.join(detail)}; "
                "use another --out folder or delete it to start over"
            )
        return
    path.write_text(json.dumps(run_info, indent=2, sort_keys=True), encoding="utf-8")
