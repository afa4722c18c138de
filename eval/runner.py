"""Asking a question set and recording each answer as it comes.

``run`` appends one JSON line per question to ``results.jsonl`` the moment it
is scored, so an interrupted run loses at most the question in flight; running
again with the same ``out_dir`` skips every id already recorded without an
error. Then it writes ``report.json``, ``report.md`` and the plots.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from eval import metrics
from eval.questions import Question
from eval.resume import RESULTS, check_resume, read_results, run_info
from rag.choices import parse_choice, strip_markers
from rag.desk import Progress
from rag.settings import Settings
from rag.types import Answer

if TYPE_CHECKING:
    from rag.api import Newsdesk

Mode = Literal["open", "mc", "auto"]
SNIPPET = 300
Judge = Callable[[str, str, Sequence[str]], "dict[str, Any]"]


class AskingDesk(Protocol):
    """The slice of ``rag.desk.Desk`` the runner calls (``ask``) plus ``describe``: ours, the tutorial's,
    or a reader on frozen evidence, which has no other desk method."""

    def ask(
        self,
        question: str,
        *,
        k: int | None = ...,
        choices: Sequence[str] = ...,
        filters: dict[str, Any] | None = ...,
    ) -> Answer: ...

    def describe(self) -> dict[str, str]: ...


def make_desk(settings: Settings) -> Newsdesk:
    """The real desk; the CLI calls this through the module so tests can replace it."""
    from rag.api import Newsdesk

    return Newsdesk(settings)


# ---------------------------------------------------------------- multiple choice


# ---------------------------------------------------------------- scoring


def _citation(citation: Any, expected: Sequence[str]) -> dict[str, Any]:
    return {
        "number": citation.number,
        "shown": citation.shown,  # the passage's retrieval position (``number`` is the order cited)
        "title": citation.title,
        "url": citation.url,
        "article_id": citation.article_id,
        "passage": citation.passage[:SNIPPET],
        "supports": metrics.citation_supports(citation, expected) if expected else None,
    }


def passage_record(rank: int, passage: Any, question: Question) -> dict[str, Any]:
    """A passage shown to the model, whole (text, offsets, metadata), so a later reader-only run can
    give the model exactly the same evidence (``eval.frozen``), and scored against the question."""
    published = getattr(passage, "published", None)
    return {
        "rank": rank,
        "title": passage.title,
        "url": passage.url,
        "article_id": passage.article_id,
        "chunk_id": passage.chunk_id,
        "score": passage.score,
        "text": passage.text,
        "start": passage.start,
        "end": passage.end,
        "published": published.isoformat() if published else None,
        "source": getattr(passage, "source", None),
        "from_source": metrics.matches_source(passage, question.sources) if question.sources else None,
        "contains_answer": metrics.contains_answer(passage.text, question.expected)
        if question.expected
        else None,
    }


def question_mode(question: Question, mode: Mode) -> Literal["open", "mc"]:
    """``auto`` asks multiple choice exactly when the question has choices and a correct index."""
    if mode == "mc" and not question.is_multiple_choice:
        return "open"
    if mode == "auto":
        return "mc" if question.is_multiple_choice else "open"
    return mode


def score(
    question: Question, answer: Answer, *, mode: Literal["open", "mc"], k: int | None, cites: bool = True
) -> dict[str, Any]:
    """Every per-question metric of one answer; see ``eval.metrics.DEFINITIONS``.

    ``cites=False`` (a pipeline without citations, like the tutorial's) leaves the
    citation metrics undefined rather than zero: not citing is its design, not a miss.
    """
    expected = question.expected
    passages = list(answer.passages if k is None else answer.passages[:k])
    text = strip_markers(answer.answer)
    abstained = metrics.is_abstention(answer)
    chosen = None
    if mode == "mc" and not abstained:
        chosen = answer.choice if answer.choice is not None else parse_choice(answer.answer, question.choices)
    if mode == "mc" and not (question.unanswerable or answer.error or abstained):
        correct = chosen is not None and chosen == question.answer_index
    else:
        correct = metrics.open_correct(
            text, abstained, expected, unanswerable=question.unanswerable, error=bool(answer.error)
        )
    answered = not abstained and not answer.error
    cited = answered and cites
    return {
        "answer": answer.answer,
        "draft": answer.draft,
        "abstained": abstained,
        "chosen_index": chosen,
        "choice_probabilities": list(answer.choice_probabilities),
        "support": answer.support,
        "draft_logprobs": [list(t) for t in answer.draft_logprobs],
        "correct": correct,
        "f1": metrics.token_f1(text, expected) if mode == "open" else None,
        "hit_at_k": metrics.hit_at_k(passages, question.sources),
        "rr": metrics.reciprocal_rank(passages, question.sources),
        "answer_recall_at_k": metrics.answer_recall_at_k(passages, expected),
        "answered": answered,
        "has_citation": metrics.has_citation(answer) if cited else None,
        "citation_precision": metrics.citation_precision(answer.citations, expected) if cited else None,
        "key_fact_cited": metrics.key_fact_cited(answer.citations, expected) if cited else None,
        "n_citations": len(answer.citations),
        "citations": [_citation(c, expected) for c in answer.citations],
        "invalid_citations": list(answer.invalid_citations),
        "passages": [passage_record(i, p, question) for i, p in enumerate(passages, start=1)],
        "passages_scored": len(passages),
        "model": answer.model,
        "timings": answer.timings.model_dump(mode="json"),
        "error": answer.error,
        "failed": False,
    }


def news_time(question: Question) -> dict[str, Any] | None:
    """The filters a dated question is asked with: as of its day (``Filters.as_of``)."""
    return {"as_of": question.as_of} if question.as_of else None


def _base_record(question: Question, mode: str, asked: str, k: int | None) -> dict[str, Any]:
    return {
        "id": question.id,
        "question": question.question,
        "type": question.type_label,
        "mode": mode,
        "asked": asked,
        "expected": list(question.expected),
        "unanswerable": question.unanswerable,
        "sources": list(question.sources),
        "choices": list(question.choices),
        "answer_index": question.answer_index,
        "as_of": question.as_of.isoformat() if question.as_of else None,
        "k": k,
    }


def _failed(error: BaseException) -> dict[str, Any]:
    return {
        "answer": "",
        "draft": "",
        "abstained": False,
        "chosen_index": None,
        "correct": False,
        "f1": None,
        "hit_at_k": None,
        "rr": None,
        "answer_recall_at_k": None,
        "answered": False,
        "has_citation": None,
        "citation_precision": None,
        "key_fact_cited": None,
        "n_citations": 0,
        "citations": [],
        "invalid_citations": [],
        "passages": [],
        "passages_scored": 0,
        "model": "",
        "timings": {},
        "error": f"{type(error).__name__}: {error}",
        "failed": True,
    }


def ask_one(
    desk: AskingDesk,
    question: Question,
    *,
    mode: Mode = "auto",
    k: int | None = None,
    judge: Judge | None = None,
) -> dict[str, Any]:
    """Asks one question and scores it; an exception becomes the record's ``error``, never a crash."""
    chosen_mode = question_mode(question, mode)
    asked = question.question
    started = time.perf_counter()
    try:
        # Multiple choice: the options go to ask() as options, never inside the question text.
        choices = question.choices if chosen_mode == "mc" else ()
        answer = desk.ask(asked, k=k, choices=choices, filters=news_time(question))
        record = _base_record(question, chosen_mode, asked, k) | score(
            question, answer, mode=chosen_mode, k=k, cites=getattr(desk, "cites", True)
        )
    except Exception as exc:  # noqa: BLE001 - one bad question must not end a long run
        record = _base_record(question, chosen_mode, asked, k) | _failed(exc)
        if chosen_mode == "open" and question.expected:
            record["f1"] = 0.0  # like accuracy, a failed question scores nothing rather than vanishing
        answer = None
    record["timings"] = dict(record["timings"]) | {"wall": time.perf_counter() - started}
    record["judge"] = None
    if judge is not None and answer is not None and record["answered"]:
        cited = [c.passage for c in answer.citations] or [p.text for p in answer.passages]
        try:
            record["judge"] = judge(question.question, answer.answer, cited)
        except Exception as exc:  # noqa: BLE001 - the judge is optional: its failure is noted, not fatal
            record["judge"] = {"score": None, "verdict": None, "error": f"{type(exc).__name__}: {exc}"}
    return record


# ---------------------------------------------------------------- the run


def select(
    questions: Sequence[Question], limit: int | None = None, seed: int | None = None
) -> list[Question]:
    """The questions a run asks: shuffled by ``seed`` when given (else file order), then the first ``limit``."""
    chosen = list(questions)
    if seed is not None:
        random.Random(seed).shuffle(chosen)
    if limit is not None:
        chosen = chosen[: max(0, limit)]
    return chosen


def run(
    questions: Sequence[Question],
    desk: AskingDesk,
    *,
    out_dir: Path | str,
    mode: Mode = "auto",
    limit: int | None = None,
    seed: int | None = None,
    k: int | None = None,
    progress: Progress | None = None,
    settings: Mapping[str, Any] | None = None,
    judge: Judge | None = None,
    meta: Mapping[str, Any] | None = None,
    plots: bool = True,
    identity: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Asks the selected questions not yet recorded in ``out_dir`` and writes the reports; returns report.json's dict.

    ``k`` is passed to ``ask`` and cuts the passages scored; when None the desk's
    own k is used (``settings["k"]`` is recorded) and all passages it returns are
    scored. ``meta`` (question file, format, corpus…) is copied into the report.
    ``identity`` (pipeline, corpus variant…) must match for a resume, like the settings.
    """
    from eval import report as reporting

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    chosen = select(questions, limit, seed)
    check_resume(out, run_info(mode=mode, k=k, judge=judge is not None, settings=settings, identity=identity))
    results_path = out / RESULTS
    done = {qid: r for qid, r in read_results(results_path).items() if not r.get("error")}
    todo = [q for q in chosen if q.id not in done]
    total = len(chosen)
    finished = total - len(todo)
    if progress:
        progress(finished, total, "")
    started = time.perf_counter()
    torn = (
        results_path.exists()
        and results_path.stat().st_size
        and not results_path.read_bytes().endswith(b"\n")
    )
    with results_path.open("a", encoding="utf-8") as handle:
        if torn:
            handle.write("\n")  # end the line an interrupted write left, so the next record stands alone
        for question in todo:
            record = ask_one(desk, question, mode=mode, k=k, judge=judge)
            if record["k"] is None:
                record["k"] = (settings or {}).get("k")  # the desk's own k, for the record
            handle.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
            handle.flush()
            done[question.id] = record
            finished += 1
            if progress:
                progress(finished, total, question.id)
    recorded = read_results(results_path)
    records = [recorded.get(q.id) or done[q.id] for q in chosen]
    try:
        described = dict(desk.describe())
    except Exception as exc:  # noqa: BLE001 - describe is informative only
        described = {"error": f"{type(exc).__name__}: {exc}"}
    report = reporting.build_report(
        records,
        settings=dict(settings or {}),
        run={
            "mode": mode,
            "limit": limit,
            "seed": seed,
            "k": k if k is not None else (settings or {}).get("k"),
            "judge": judge is not None,
            "questions_total": len(questions),
            "questions_selected": total,
            "asked_this_time": len(todo),
            "seconds_this_time": round(time.perf_counter() - started, 3),
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        | dict(meta or {}),
        desk=described,
    )
    reporting.write_report(report, out, plots=plots)
    return report
