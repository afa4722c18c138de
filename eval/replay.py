"""Replay: an earlier run's recorded drafts put through today's answering, answer by answer.

Each open answer of a run keeps the model's own text (``draft``) and the passages it was
shown. A scripted model gives that draft back (and, for the ``verify`` check, the support
it recorded), and the current checks (grounding, news time, …) decide again. The same
answers, abstentions and cited passages mean a change to the answer path kept its
behaviour; each difference is listed. No model, no retrieval:
seconds for a hundred questions.
"""

from __future__ import annotations

import tempfile
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from eval.frozen import passage_of
from eval.resume import RESULTS, read_results, read_run
from eval.slices import slices
from rag.errors import NewsdeskError

# Recorded settings that change what the checks decide (the rest is retrieval or the model).
CHECK_SETTINGS = ("answer_min_relevance", "stale_abstains", "answer_checks", "model", "verify_min_support")


class ReplayError(NewsdeskError):
    """The run holds nothing that can be replayed."""


@dataclass(frozen=True)
class Difference:
    id: str
    question: str
    recorded: str
    replayed: str
    was_correct: bool | None  # the recorded answer's score: what a change gained or lost
    was_abstained: bool
    now_abstained: bool
    # The replayed answer scored as the run scored open answers (its gold words); None for a run
    # a model judged (``--judge``): that score cannot be given again without the judge.
    now_correct: bool | None = None


@dataclass
class Replay:
    compared: int = 0
    skipped: int = 0  # failed, errored or multiple-choice answers (a pick needs the model's probabilities)
    differences: list[Difference] = field(default_factory=list)
    before: dict[str, dict[str, int]] = field(default_factory=dict)  # eval.slices of the recorded run
    after: dict[str, dict[str, int]] = field(default_factory=dict)  # the same, answers now abstained moved
    unscored: int = 0  # judged runs: recorded abstentions that now answer, counted as wrong

    @property
    def same(self) -> int:
        return self.compared - len(self.differences)


def _support_reply(support: float) -> Any:
    """The recorded "verify" support as the model's one-token reply, with its log-probabilities."""
    import math

    from langchain_core.messages import AIMessage

    top = [{"token": "Yes", "logprob": math.log(max(support, 1e-12))}]
    top.append({"token": "No", "logprob": math.log(max(1.0 - support, 1e-12))})
    return AIMessage(
        content="Yes", response_metadata={"logprobs": {"content": [{**top[0], "top_logprobs": top}]}}
    )


def _drafts(queue: deque[Any]) -> Iterator[Any]:
    """The queued replies in order; an empty reply when none is queued (the ``verify`` check of a run
    that recorded no support then reads neither Yes nor No, and the answer stands as recorded)."""
    while True:
        yield queue.popleft() if queue else ""


def _outcome(answer: str, abstained: bool, cited: list[tuple[int, int]]) -> str:
    """The answer and the passages it cites, each marker given as the passage's retrieval position
    (``shown``), so runs recorded before citations were numbered in the order cited compare alike."""
    from rag.markers import format_marker, rewrite_markers

    shown = dict(cited)
    text = rewrite_markers(answer, lambda ns: format_marker([shown.get(n, n) for n in ns]))
    return f"{'ABSTAINED ' if abstained else ''}{text} cites {sorted(shown.values())}"


def _recorded_citations(record: Mapping[str, Any]) -> list[tuple[int, int]]:
    """(number, retrieval position) of each recorded citation; older runs recorded only the
    number, which was the retrieval position then."""
    return [(int(c["number"]), int(c.get("shown") or c["number"])) for c in record.get("citations") or []]


def _scored(record: Mapping[str, Any], answer: str, abstained: bool) -> bool:
    """The replayed open answer's score, by the rule ``eval.runner.score`` applies."""
    from eval.metrics import open_correct
    from rag.markers import strip_markers

    return open_correct(
        strip_markers(answer),
        abstained,
        record.get("expected") or [],
        unanswerable=bool(record.get("unanswerable")),
    )


def _after(record: dict[str, Any], difference: Difference | None) -> dict[str, Any]:
    """The record as the replay left it, for the slices: unchanged, or abstained and scored anew
    (a judged run's answer keeps its recorded score, and an abstention that now answers counts wrong)."""
    if difference is None:
        return record
    if difference.now_correct is not None:
        correct = difference.now_correct
    elif difference.now_abstained or difference.was_abstained:
        correct = False
    else:
        correct = bool(record.get("correct"))
    return record | {"abstained": difference.now_abstained, "correct": correct}


def _recorded_settings(run_dir: Path) -> dict[str, Any]:
    recorded = read_run(run_dir).get("settings", {})
    return {key: recorded[key] for key in CHECK_SETTINGS if key in recorded}


def replay(run_dir: Path | str, overrides: Mapping[str, Any] | None = None) -> Replay:
    """Every open, answered record of ``run_dir`` re-decided from its draft by the current checks.

    The run's recorded check settings apply, then ``overrides`` (a new check is measured with
    ``{"answer_checks": "ground,news_time,constraints"}``)."""
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

    from rag.api import Newsdesk
    from rag.settings import Settings

    run_dir = Path(run_dir)
    judged = bool(read_run(run_dir).get("judge"))
    records = list(read_results(run_dir / RESULTS).values())
    if not records:
        raise ReplayError(f"{run_dir / RESULTS}: no recorded answers")
    queue: deque[Any] = deque()  # the draft, then the recorded "verify" reply if there was one
    result = Replay()
    with tempfile.TemporaryDirectory() as store:
        settings = Settings(store=Path(store), **(_recorded_settings(run_dir) | dict(overrides or {})))
        desk = Newsdesk(settings, llm=GenericFakeChatModel(messages=_drafts(queue)), embedder=None)
        for record in records:
            shown = record.get("passages") or []
            if record.get("failed") or record.get("error") or record.get("mode") == "mc" or not shown:
                result.skipped += 1
                continue
            queue.append(str(record.get("draft") or ""))
            if record.get("support") is not None:
                queue.append(_support_reply(float(record["support"])))
            as_of = record.get("as_of")
            answer = desk.answer_from(
                str(record.get("asked") or record["question"]),
                [passage_of(p) for p in shown],
                as_of=date.fromisoformat(as_of) if as_of else None,
            )
            queue.clear()  # a draft not read (no passages) must not answer the next question
            was_abstained = bool(record.get("abstained"))
            recorded = _outcome(str(record.get("answer") or ""), was_abstained, _recorded_citations(record))
            replayed = _outcome(
                answer.answer, answer.abstained, [(c.number, c.shown or c.number) for c in answer.citations]
            )
            result.compared += 1
            if recorded != replayed:
                correct = record.get("correct")
                result.differences.append(
                    Difference(
                        str(record["id"]),
                        record["question"],
                        recorded,
                        replayed,
                        None if correct is None else bool(correct),
                        was_abstained,
                        answer.abstained,
                        None if judged else _scored(record, answer.answer, answer.abstained),
                    )
                )
        desk.close()
    changed = {d.id: d for d in result.differences}
    result.before = slices(records)
    result.after = slices([_after(r, changed.get(str(r["id"]))) for r in records])
    now_answered = [d for d in result.differences if d.was_abstained and not d.now_abstained]
    result.unscored = sum(d.now_correct is None for d in now_answered)
    return result
