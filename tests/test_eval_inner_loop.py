"""The fast inner loop: retrieval-only eval (no generation) and reader-only eval on frozen evidence."""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fakes import HashEmbeddings
from test_eval_variants import make_weeks
from typer.testing import CliRunner

from eval import cli, pipelines, resume, runner
from eval.frozen import FrozenDesk, FrozenEvidenceError, load_evidence
from eval.pipelines.tutorial import TutorialDesk
from eval.questions import Question
from eval.retrieval import render_side_by_side, run_retrieval
from rag.types import Answer, Passage, Retrieval


def passage(text: str, article: str, n: int = 0) -> Passage:
    return Passage(
        chunk_id=f"{article}:{n}",
        article_id=article,
        title=f"T {article}",
        text=text,
        start=0,
        end=len(text),
        score=0.5,
    )


GOLD = passage("Port Alder won the bridge award.", "gold")
NOISE = passage("A storm closed the harbour.", "noise")
ANSWER_ELSEWHERE = passage("Reports say Port Alder celebrated.", "other")
QUESTIONS = [
    Question(id="a", question="Which city won?", answers=("Port Alder",), sources=("gold",)),
    Question(id="b", question="Which team won?", answers=("United",), sources=("gold-b",)),
    Question(id="c", question="Who is the mayor?", answers=(), type="unanswerable"),
]
RANKED = {
    # answer at rank 3 from another article, gold at rank 2
    "Which city won?": (NOISE, GOLD, ANSWER_ELSEWHERE),
    # neither the answer nor the gold article
    "Which team won?": (NOISE, NOISE, NOISE),
    "Who is the mayor?": (NOISE,),
}


class RetrieveOnly:
    """Hands out fixed rankings with two named stages; asking is a test failure."""

    def __init__(self) -> None:
        self.retrieved: list[tuple[str, int | None]] = []

    def retrieve(self, question: str, *, k: int | None = None, filters: Any = None) -> Retrieval:
        self.retrieved.append((question, k))
        if question == "Which team won?" and len(self.retrieved) == 2 and getattr(self, "fail_once", False):
            raise RuntimeError("store busy")
        return Retrieval(
            question=question,
            standalone_question=question,
            passages=RANKED[question][:k],
            seconds=0.3,
            stage_seconds={"dense": 0.1, "cut": 0.2},
        )

    def ask(self, *args: Any, **kwargs: Any) -> Answer:
        raise AssertionError("retrieval-only must not generate")

    def describe(self) -> dict[str, str]:
        return {"retrieval": "fixed"}


def test_retrieval_only_numbers_on_a_hand_made_case(tmp_path: Path) -> None:
    desk = RetrieveOnly()
    report = run_retrieval(QUESTIONS, desk, out_dir=tmp_path, k=3)
    assert desk.retrieved == [(q.question, 3) for q in QUESTIONS]
    m = report["metrics"]
    assert (m["questions"], m["answerable"], m["with_sources"], m["errors"]) == (3, 2, 2, 0)
    # a: answer first at rank 2 (the gold passage), b: nowhere; c is unanswerable, so undefined
    assert m["answer_recall@1"] == 0.0 and m["answer_recall@3"] == 0.5
    assert m["hit@1"] == 0.0 and m["hit@3"] == 0.5
    assert m["mrr"] == pytest.approx((1 / 2 + 0) / 2)
    assert m["seconds"]["dense"]["p50"] == pytest.approx(0.1) and m["seconds"]["cut"]["p95"] == pytest.approx(
        0.2
    )
    record = report["questions"][0]
    assert record["answer_recall"] == {"1": 0.0, "3": 1.0} and record["passages"][1]["text"] == GOLD.text
    markdown = render_side_by_side([("ours", report), ("tutorial", report)])
    assert (
        "| answer_recall@3 | 50.0% | 50.0% |" in markdown
        and "| dense seconds p50 | 0.10 | 0.10 |" in markdown
    )
    assert "## Definitions" in markdown and "hit_at_j" in markdown


def test_retrieval_only_resumes_and_retries_failures(tmp_path: Path) -> None:
    first = RetrieveOnly()
    first.fail_once = True  # type: ignore[attr-defined]
    report = run_retrieval(QUESTIONS, first, out_dir=tmp_path, k=3)
    assert report["metrics"]["errors"] == 1
    second = RetrieveOnly()
    report = run_retrieval(QUESTIONS, second, out_dir=tmp_path, k=3)
    assert second.retrieved == [("Which team won?", 3)]  # only the failed one again
    assert report["metrics"]["errors"] == 0 and report["metrics"]["answer_recall@3"] == 0.5
    with pytest.raises(resume.ResumeError, match="k"):
        run_retrieval(QUESTIONS, RetrieveOnly(), out_dir=tmp_path, k=5)


@pytest.fixture
def clean(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.upper().startswith("NEWSDESK_")]:
        monkeypatch.delenv(name)
    return tmp_path


def test_retrieval_cli_runs_both_real_pipelines_on_fakes(
    clean: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The real Newsdesk and the real tutorial pipeline (hash embedder), no model: retrieval only."""
    from rag.api import Newsdesk

    monkeypatch.setattr(runner, "make_desk", lambda s: Newsdesk(s, embedder=HashEmbeddings()))
    monkeypatch.setattr(
        pipelines, "make_tutorial", lambda s, store: TutorialDesk(s, store, embedder=HashEmbeddings())
    )
    folder, out = make_weeks(clean / "rtqa"), clean / "out"
    args = ["retrieval", str(folder), "--corpus", str(folder), "--format", "realtimeqa", "--k", "3"]
    result = CliRunner().invoke(cli.app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    reports = {p: json.loads((out / p / "retrieval.json").read_text()) for p in ("ours", "tutorial")}
    for name, report in reports.items():
        assert report["metrics"]["questions"] == 3 and report["metrics"]["errors"] == 0, name
        assert all(len(r["passages"]) <= 3 for r in report["questions"])
    assert "similarity_search" in reports["tutorial"]["metrics"]["seconds"]
    assert set(reports["ours"]["metrics"]["seconds"]) - {"wall"}  # ours' named stages
    markdown = (out / "retrieval.md").read_text()
    assert "| metric | ours | tutorial |" in markdown


# ---------------------------------------------------------------- reader-only on frozen evidence


class Reader:
    """A stand-in for ``Newsdesk.answer_from``: answers from the passages given; cannot retrieve."""

    cites = True

    def __init__(self) -> None:
        self.read: list[tuple[str, tuple[Passage, ...], tuple[str, ...]]] = []
        self.days: list[date | None] = []

    def answer_from(
        self,
        question: str,
        passages: Sequence[Passage],
        *,
        choices: Sequence[str] = (),
        as_of: date | None = None,
    ) -> Answer:
        self.read.append((question, tuple(passages), tuple(choices)))
        self.days.append(as_of)
        found = "Port Alder" if any("Port Alder" in p.text for p in passages) else ""
        return Answer(
            question=question,
            answer=f"{found}." if found else "The articles don't say.",
            abstained=not found,
            passages=tuple(passages),
        )

    def retrieve(self, *args: Any, **kwargs: Any) -> Retrieval:
        raise AssertionError("reader-only must not retrieve")

    def ask(self, *args: Any, **kwargs: Any) -> Answer:
        raise AssertionError("reader-only must not ask (ask retrieves)")

    def describe(self) -> dict[str, str]:
        return {"generator": "reader"}


class Asked:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def ask(
        self, question: str, *, k: int | None = None, choices: Sequence[str] = (), filters: Any = None
    ) -> Answer:
        self.calls.append(question)
        return Answer(question=question, answer="Rovers.", abstained=False, passages=RANKED[question])

    def describe(self) -> dict[str, str]:
        return {"generator": "first"}


def test_reader_only_reuses_the_recorded_passages(tmp_path: Path) -> None:
    runner.run(QUESTIONS, Asked(), out_dir=tmp_path / "first", plots=False)
    questions, evidence = load_evidence(tmp_path / "first")
    assert [q.id for q in questions] == ["a", "b", "c"] and questions[2].unanswerable
    reader = Reader()
    report = runner.run(questions, FrozenDesk(reader, evidence), out_dir=tmp_path / "again", plots=False)
    assert [(q, p) for q, p, _ in reader.read] == [(q.question, RANKED[q.question]) for q in QUESTIONS]
    records = {r["id"]: r for r in report["questions"]}
    assert records["a"]["correct"] and records["c"]["correct"] and records["b"]["abstained"]
    assert (
        records["a"]["passages"]
        == json.loads((tmp_path / "first" / "results.jsonl").read_text().split("\n")[0])["passages"]
    )
    with pytest.raises(FrozenEvidenceError, match="never retrieves"):
        FrozenDesk(reader, evidence).retrieve("Which city won?")

    # resumable like any run: nothing is read again
    again = Reader()
    runner.run(questions, FrozenDesk(again, evidence), out_dir=tmp_path / "again", plots=False)
    assert again.read == []


def test_reader_only_asks_as_of_the_question_s_day(tmp_path: Path) -> None:
    # News time applies to the reader too: "(as of …)" notes and stale reports depend on the day.
    dated = [q.model_copy(update={"as_of": date(2022, 6, 24)}) for q in QUESTIONS]
    runner.run(dated, Asked(), out_dir=tmp_path / "first", plots=False)
    questions, evidence = load_evidence(tmp_path / "first")
    reader = Reader()
    runner.run(questions, FrozenDesk(reader, evidence), out_dir=tmp_path / "again", plots=False)
    assert reader.days == [date(2022, 6, 24)] * len(QUESTIONS)
    undated = Reader()
    runner.run(QUESTIONS, FrozenDesk(undated, evidence), out_dir=tmp_path / "undated", plots=False)
    assert undated.days == [None] * len(QUESTIONS)


def test_reader_only_refuses_results_without_passage_text(tmp_path: Path) -> None:
    runner.run(QUESTIONS[:1], Asked(), out_dir=tmp_path, plots=False)
    path = tmp_path / "results.jsonl"
    record = json.loads(path.read_text())
    for shown in record["passages"]:
        del shown["text"]
    path.write_text(json.dumps(record) + "\n")
    with pytest.raises(FrozenEvidenceError, match="without their text"):
        load_evidence(tmp_path)


def read_again(clean: Path, monkeypatch: pytest.MonkeyPatch, *options: str) -> Reader:
    """A first run recorded with ``Asked``, then ``newsdesk eval reader`` on it; the reader it made."""
    runner.run(QUESTIONS, Asked(), out_dir=clean / "first", mode="open", plots=False)
    made: list[Reader] = []
    monkeypatch.setattr(runner, "make_desk", lambda settings: made.append(Reader()) or made[-1])
    result = CliRunner().invoke(cli.app, ["reader", str(clean / "first"), *options, "--no-plots"])
    assert result.exit_code == 0, result.output
    (reader,) = made
    return reader


def test_reader_cli_uses_answer_from_of_the_chosen_pipeline(
    clean: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = read_again(clean, monkeypatch)
    assert [q for q, _, _ in reader.read] == [q.question for q in QUESTIONS]
    report = json.loads((clean / "first" / "reader-ours" / "report.json").read_text())
    assert report["run"]["mode"] == "open"  # the earlier run's mode
    assert report["metrics"]["overall"]["accuracy"] == 0.5
    assert report["run"]["evidence_from"] == str(clean / "first")

    # a desk without answer_from is refused with the method it lacks
    monkeypatch.setattr(runner, "make_desk", lambda settings: Asked())
    result = CliRunner().invoke(cli.app, ["reader", str(clean / "first"), "--out", str(clean / "x")])
    assert result.exit_code == 1 and "answer_from" in result.output


def test_reader_cli_k_shows_only_the_first_recorded_passages(
    clean: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reader = read_again(clean, monkeypatch, "--k", "1")
    assert [p for _, p, _ in reader.read] == [RANKED[q.question][:1] for q in QUESTIONS]
    report = json.loads((clean / "first" / "reader-ours" / "report.json").read_text())
    # "Port Alder" is in the second and third passages of the first question: with one, it is not answered
    assert report["metrics"]["overall"]["accuracy"] == 0.0


def test_retrieval_cli_reuses_built_stores_for_a_new_setting(
    clean: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Trying a retrieval setting needs no new ingest: --store and --tutorial-store reuse the stores."""
    from rag.api import Newsdesk

    made: list[TutorialDesk] = []
    monkeypatch.setattr(runner, "make_desk", lambda s: Newsdesk(s, embedder=HashEmbeddings()))

    def tutorial(settings: Any, store: Path) -> TutorialDesk:
        made.append(TutorialDesk(settings, store, embedder=HashEmbeddings()))
        return made[-1]

    monkeypatch.setattr(pipelines, "make_tutorial", tutorial)
    folder = make_weeks(clean / "rtqa")
    stores = ["--store", str(clean / "ours-store"), "--tutorial-store", str(clean / "tutorial-store")]
    args = ["retrieval", str(folder), "--corpus", str(folder), "--format", "realtimeqa", *stores]
    assert CliRunner().invoke(cli.app, [*args, "--out", str(clean / "a")]).exit_code == 0
    ingested = (clean / "tutorial-store" / "tutorial-ingested.json").read_text()
    chunks = made[0].stats()["chunks"]
    result = CliRunner().invoke(cli.app, [*args, "--out", str(clean / "b"), "--set", "hybrid=false"])
    assert result.exit_code == 0, result.output
    assert made[1].stats()["chunks"] == chunks  # the same articles: not added again
    assert (clean / "tutorial-store" / "tutorial-ingested.json").read_text() == ingested
    report = json.loads((clean / "b" / "ours" / "retrieval.json").read_text())
    assert "keyword" not in report["metrics"]["seconds"] and report["metrics"]["errors"] == 0


def test_reader_only_through_the_real_answer_from(
    tmp_path: Path, desk: Any, fake_llm: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``Newsdesk.answer_from`` on the recorded passages (scripted model): grounded, cited, no retrieval."""
    from rag.api import Newsdesk

    runner.run(QUESTIONS[:1], Asked(), out_dir=tmp_path / "first", plots=False)
    questions, evidence = load_evidence(tmp_path / "first")

    def no_retrieval(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("reader-only must not retrieve")

    monkeypatch.setattr(Newsdesk, "_retrieve", no_retrieval)
    fake_llm.replies = ["Port Alder won the bridge award [2]."]
    report = runner.run(questions, FrozenDesk(desk, evidence), out_dir=tmp_path / "again", plots=False)
    (record,) = report["questions"]
    assert not record["error"] and record["correct"] and record["has_citation"]
    assert [p["text"] for p in record["passages"]] == [p.text for p in RANKED["Which city won?"]]
    assert record["citations"][0]["passage"] == GOLD.text
    assert "A storm closed the harbour." in fake_llm.calls[0][-1].content  # the frozen passages were shown
