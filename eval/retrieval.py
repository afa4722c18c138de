"""Retrieval-only evaluation: the passages each pipeline would show the model, scored, no generation.

The inner loop for retrieval work: minutes, not the hour a full run takes.
For every question ``desk.retrieve(question, k=k)`` is called once; answer
recall and hit on the gold article are scored at each cut ``j`` of that top-k
list (recall@1, @3, @k). Stage timings come from ``Retrieval.stage_seconds``;
recall per stage is not available (only the final passages leave the
pipeline). ``retrieval.jsonl`` is appended per question, so a rerun into the
same folder resumes, like ``eval.runner``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from eval import metrics
from eval.questions import Question
from eval.report import fmt, table
from eval.resume import check_resume, read_results, run_info
from eval.runner import news_time, passage_record, select
from rag.desk import Progress
from rag.types import Retrieval

RESULTS = "retrieval.jsonl"


class RetrievingDesk(Protocol):
    """The slice of ``rag.desk.Desk`` a retrieval-only run calls (``retrieve``) plus ``describe``."""

    def retrieve(
        self, question: str, *, k: int | None = ..., filters: dict[str, Any] | None = ...
    ) -> Retrieval: ...

    def describe(self) -> dict[str, str]: ...


REPORT_JSON = "retrieval.json"
REPORT_MD = "retrieval.md"
DEFINITIONS: dict[str, str] = {
    "answer_recall_at_j": "Share of answerable questions where one of the first j retrieved passages "
    "contains an acceptable answer (normalised whole-word containment, metrics.contains_answer); "
    "j runs over 1, 3 and k of the same top-k list.",
    "hit_at_j": "Share of questions with sources (the gold article) where one of the first j retrieved "
    "passages comes from a source (same article id, normalised URL or normalised title).",
    "mrr": metrics.DEFINITIONS["mrr"],
    "answer_recall_shown": "Share of answerable questions where one of the passages the reader is shown (all "
    "of them: the pack stage may show more than k short ones) contains an acceptable answer.",
    "passages_shown / chars_shown": "Mean number of passages shown, and their mean total length in "
    "characters (after focus): the evidence budget the reader pays for.",
    "stage seconds": "p50/p95 of Retrieval.stage_seconds per named stage, and of the whole retrieve call "
    "(wall), over questions whose retrieval did not fail. Recall per stage is not measured: only the "
    "final passages leave the pipeline.",
    "errors": "Questions whose retrieve call raised; they count in no rate.",
}


def cuts(k: int) -> list[int]:
    """The prefixes scored: 1, 3 and k (those not above k)."""
    return sorted({j for j in (1, 3, k) if j <= k})


def retrieve_one(desk: RetrievingDesk, question: Question, k: int) -> dict[str, Any]:
    """One question's retrieval, scored at every cut; an exception becomes the record's ``error``."""
    record: dict[str, Any] = {
        "id": question.id,
        "question": question.question,
        "type": question.type_label,
        "expected": list(question.expected),
        "unanswerable": question.unanswerable,
        "sources": list(question.sources),
        "k": k,
        "as_of": question.as_of.isoformat() if question.as_of else None,
        "error": None,
    }
    started = time.perf_counter()
    try:
        found = desk.retrieve(question.question, k=k, filters=news_time(question))
    except Exception as exc:  # noqa: BLE001 - one bad question must not end the run
        return record | {"error": f"{type(exc).__name__}: {exc}", "wall": time.perf_counter() - started}
    passages = list(found.passages[:k])
    shown = list(found.passages)  # "pack" may show more than k short passages
    return record | {
        "wall": time.perf_counter() - started,
        "stage_seconds": dict(found.stage_seconds),
        "answer_recall": {
            str(j): metrics.answer_recall_at_k(passages, question.expected, j) for j in cuts(k)
        },
        "hit": {str(j): metrics.hit_at_k(passages, question.sources, j) for j in cuts(k)},
        "rr": metrics.reciprocal_rank(passages, question.sources),
        "answer_recall_shown": metrics.answer_recall_at_k(shown, question.expected),
        "passages_shown": len(shown),
        "chars_shown": sum(len(p.text) for p in shown),
        "passages": [passage_record(i, p, question) for i, p in enumerate(shown, start=1)],
    }


def aggregate(records: Sequence[Mapping[str, Any]], k: int) -> dict[str, Any]:
    """Rates at every cut, MRR, and p50/p95 seconds per stage; failed questions count in no rate."""
    ok = [r for r in records if not r.get("error")]
    result: dict[str, Any] = {
        "questions": len(records),
        "answerable": sum(1 for r in records if not r.get("unanswerable")),
        "with_sources": sum(1 for r in records if r.get("sources")),
        "errors": len(records) - len(ok),
    }
    for j in cuts(k):
        result[f"answer_recall@{j}"] = metrics.mean(r["answer_recall"][str(j)] for r in ok)
        result[f"hit@{j}"] = metrics.mean(r["hit"][str(j)] for r in ok)
    result["mrr"] = metrics.mean(r.get("rr") for r in ok)
    # What the reader is actually given, whatever k: every passage shown, and how long they are.
    result["answer_recall_shown"] = metrics.mean(r.get("answer_recall_shown") for r in ok)
    result["passages_shown"] = metrics.mean(r.get("passages_shown") for r in ok)
    result["chars_shown"] = metrics.mean(r.get("chars_shown") for r in ok)
    stages: dict[str, list[float]] = {}
    for record in ok:
        for name, seconds in (record.get("stage_seconds") or {}).items():
            stages.setdefault(name, []).append(float(seconds))
    stages["wall"] = [float(r["wall"]) for r in ok]
    result["seconds"] = {
        name: {"p50": metrics.percentile(values, 50), "p95": metrics.percentile(values, 95)}
        for name, values in stages.items()
    }
    return result


def run_retrieval(
    questions: Sequence[Question],
    desk: RetrievingDesk,
    *,
    out_dir: Path | str,
    k: int,
    limit: int | None = None,
    seed: int | None = None,
    settings: Mapping[str, Any] | None = None,
    identity: Mapping[str, Any] | None = None,
    meta: Mapping[str, Any] | None = None,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Retrieves for the selected questions not yet in ``out_dir/retrieval.jsonl``; writes
    ``retrieval.json`` and returns it."""
    out = Path(out_dir)
    check_resume(out, run_info(mode="retrieval", k=k, judge=False, settings=settings, identity=identity))
    chosen = select(questions, limit, seed)
    path = out / RESULTS
    done = {qid: r for qid, r in read_results(path).items() if not r.get("error")}
    todo = [q for q in chosen if q.id not in done]
    started = time.perf_counter()
    with path.open("a", encoding="utf-8") as handle:
        if path.stat().st_size and not path.read_bytes().endswith(b"\n"):
            handle.write("\n")
        for n, question in enumerate(todo, start=len(chosen) - len(todo) + 1):
            record = retrieve_one(desk, question, k)
            handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            handle.flush()
            done[question.id] = record
            if progress:
                progress(n, len(chosen), question.id)
    records = [done[q.id] for q in chosen]
    try:
        described = dict(desk.describe())
    except Exception as exc:  # noqa: BLE001 - informative only
        described = {"error": f"{type(exc).__name__}: {exc}"}
    report = {
        "k": k,
        "run": {
            "limit": limit,
            "seed": seed,
            "questions_selected": len(chosen),
            "retrieved_this_time": len(todo),
            "seconds_this_time": round(time.perf_counter() - started, 3),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        | dict(meta or {}),
        "desk": described,
        "metrics": aggregate(records, k),
        "definitions": DEFINITIONS,
        "questions": records,
    }
    (out / REPORT_JSON).write_text(
        json.dumps(report, indent=2, ensure_ascii=False, default=str), encoding="utf-8"
    )
    return report


def _rate(name: str, value: Any) -> str:
    if name in ("passages_shown", "chars_shown"):
        return "—" if value is None else f"{value:.1f}" if name == "passages_shown" else f"{value:,.0f}"
    return fmt("hit_at_k" if "@" in name or name in ("mrr", "answer_recall_shown") else name, value)


def render_side_by_side(labelled: Sequence[tuple[str, Mapping[str, Any]]]) -> str:
    """``retrieval.md``: one column per pipeline, rates then stage seconds, then the definitions."""
    if not labelled:
        return ""
    k = int(labelled[0][1]["k"])
    names = ["questions", "answerable", "with_sources", "errors"]
    names += [f"{m}@{j}" for m in ("answer_recall", "hit") for j in cuts(k)] + ["mrr"]
    names += ["answer_recall_shown", "passages_shown", "chars_shown"]
    header = ["metric", *(label for label, _ in labelled)]
    rows = [[name, *(_rate(name, r["metrics"].get(name)) for _, r in labelled)] for name in names]
    stages: list[str] = []
    for _, report in labelled:
        stages += [s for s in report["metrics"]["seconds"] if s not in stages]
    for stage in stages:
        for q in ("p50", "p95"):
            rows.append(
                [
                    f"{stage} seconds {q}",
                    *(fmt("s", (r["metrics"]["seconds"].get(stage) or {}).get(q)) for _, r in labelled),
                ]
            )
    first = labelled[0][1]
    run = first.get("run", {})
    facts = [
        ("questions file", run.get("questions")),
        ("format", run.get("format")),
        ("corpus", run.get("corpus")),
        ("variant", run.get("variant")),
        ("half", run.get("half")),
        ("news time", run.get("news time")),
        ("k", k),
        ("limit", run.get("limit")),
        ("seed", run.get("seed")),
    ]
    lines = ["# Retrieval-only evaluation", ""]
    lines += [f"- **{name}**: {value}" for name, value in facts if value not in (None, "")]
    for label, report in labelled:
        desk = report.get("desk", {})
        lines.append(f"- **{label}**: {desk.get('retrieval') or ''} {desk.get('splitter') or ''}".rstrip())
    lines += ["", table(header, rows), "", "## Definitions", ""]
    lines += [f"- **{name}**: {text}" for name, text in DEFINITIONS.items()]
    lines.append("")
    return "\n".join(lines)
