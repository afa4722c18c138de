"""Ours and the tutorial pipeline in one eval run: same questions, same corpus, one side-by-side report."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest
from fakes import FakeChatModel, HashEmbeddings
from test_eval_variants import make_weeks
from typer.testing import CliRunner

from eval import cli, metrics, pipelines, resume, runner
from eval.pipelines.baseline import BASELINE_PROMPT
from eval.pipelines.tutorial import TutorialDesk
from eval.report import slice_table
from eval.slices import OUTCOMES, ROWS, slices
from rag.types import Answer, Article, Passage


def passage(text: str, n: int) -> Passage:
    return Passage(
        chunk_id=f"c{n}", article_id=f"a{n}", title=f"T{n}", text=text, start=0, end=len(text), score=0.5
    )


SHOWN = passage("Port Alder won the bridge award.", 1)
KITES = passage("The council banned kites in the park.", 2)
OTHER = passage("A storm closed the harbour.", 3)
# ours: right with the answer shown; abstains without it; wrong with it shown
OURS = {
    "Which city won the bridge award?": Answer(
        question="", answer="Port Alder [1].", abstained=False, passages=(SHOWN,)
    ),
    "Which team won the cup?": Answer(
        question="", answer="The articles don't say.", abstained=True, passages=(OTHER,)
    ),
    "What did the council ban?": Answer(question="", answer="Cars [1].", abstained=False, passages=(KITES,)),
}
TUTORIAL_REPLIES = ["Port Alder won it.", "The context does not say who won.", "Kites."]


class OursFake:
    cites = True

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.asked: list[str] = []
        self.ingested: list[Article] = []

    def ingest_articles(self, articles: Iterable[Article]) -> None:
        self.ingested += list(articles)

    def ask(
        self, question: str, *, k: int | None = None, choices: Sequence[str] = (), filters: Any = None
    ) -> Answer:
        self.asked.append(question)
        return OURS[question]

    def describe(self) -> dict[str, str]:
        return {"generator": "fake", "retrieval": "fake hybrid"}


@pytest.fixture
def fakes(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> dict[str, list[Any]]:
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.upper().startswith("NEWSDESK_")]:
        monkeypatch.delenv(name)
    made: dict[str, list[Any]] = {"ours": [], "tutorial": []}

    def ours(settings: Any) -> OursFake:
        made["ours"].append(OursFake(settings))
        return made["ours"][-1]

    def tutorial(settings: Any, store: Path) -> TutorialDesk:
        llm = FakeChatModel(replies=list(TUTORIAL_REPLIES) if not made["tutorial"] else [])
        made["tutorial"].append(TutorialDesk(settings, store, embedder=HashEmbeddings(), llm=llm))
        return made["tutorial"][-1]

    monkeypatch.setattr(runner, "make_desk", ours)
    monkeypatch.setattr(pipelines, "make_tutorial", tutorial)
    return made


def _run(folder: Path, out: Path) -> Any:
    return CliRunner().invoke(
        cli.app,
        [
            "run",
            str(folder),
            "--corpus",
            str(folder),
            "--format",
            "realtimeqa",
            "--mode",
            "open",
            "--pipelines",
            "ours,tutorial",
            "--out",
            str(out),
            "--no-plots",
        ],
    )


def test_both_pipelines_side_by_side_with_slices_that_add_up(
    tmp_path: Path, fakes: dict[str, list[Any]]
) -> None:
    folder, out = make_weeks(tmp_path / "rtqa"), tmp_path / "out"
    result = _run(folder, out)
    assert result.exit_code == 0, result.output
    (ours,), (tutorial,) = fakes["ours"], fakes["tutorial"]
    # the same questions, the same corpus, each pipeline in its own store under the output folder
    assert ours.asked == list(OURS)
    assert len(tutorial.llm.calls) == 3  # type: ignore[attr-defined]
    assert Path(ours.settings.store) == out / "store" and tutorial.store_path == out / "tutorial" / "store"
    assert tutorial.stats()["chunks"] >= len(ours.ingested) == 6

    reports = {
        p: json.loads((out / p / "report.json").read_text(encoding="utf-8")) for p in ("ours", "tutorial")
    }
    for name, report in reports.items():
        cells = report["slices"]
        assert sum(cells[r][o] for r in ROWS for o in OUTCOMES) == 3, name
    assert reports["ours"]["slices"]["answer shown"] == {"correct": 1, "wrong": 1, "abstained": 0}
    assert reports["ours"]["slices"]["answer not shown"] == {"correct": 0, "wrong": 0, "abstained": 1}
    tutorial_records = reports["tutorial"]["questions"]
    assert [r["correct"] for r in tutorial_records] == [True, False, True]
    assert [r["abstained"] for r in tutorial_records] == [False, True, False]  # the same abstention rule
    for record in tutorial_records:  # each row follows from the passages recorded as shown
        shown = any(metrics.contains_answer(p["text"], record["expected"]) for p in record["passages"])
        assert record["answer_recall_at_k"] == float(shown)
    # the model was shown exactly the passages scored, in the tutorial's stuffed prompt
    for record, call in zip(tutorial_records, tutorial.llm.calls, strict=True):  # type: ignore[attr-defined]
        prompt = call[0].content
        assert prompt.startswith(BASELINE_PROMPT.split("{context}")[0])
        assert prompt.endswith(f"Question: {record['question']}")
        assert all(p["text"] in prompt for p in record["passages"]) and len(record["passages"]) == 5
    overall = {p: r["metrics"]["overall"] for p, r in reports.items()}
    assert overall["tutorial"]["citation_rate"] is None and overall["tutorial"]["key_fact_cited"] is None
    assert (
        overall["ours"]["citation_rate"] == 0.0
    )  # defined for ours (no Citation given), n/a for the tutorial
    assert overall["ours"]["accuracy"] == pytest.approx(1 / 3)
    assert overall["tutorial"]["accuracy"] == pytest.approx(2 / 3)

    markdown = (out / "report.md").read_text(encoding="utf-8")
    assert "| metric | ours | tutorial |" in markdown
    assert "| accuracy | 33.3% | 66.7% |" in markdown
    assert "| citation_rate | 0.0% | n/a |" in markdown
    assert "ours correct" in markdown and "tutorial abstained" in markdown
    assert "| total | 1 | 1 | 1 | 3 |" in markdown  # ours: 1 correct, 1 wrong, 1 abstained
    assert "## Definitions" in markdown and "answer shown" in markdown and "accuracy" in markdown
    assert json.loads((out / "side_by_side.json").read_text())["pipelines"] == {
        "ours": "ours",
        "tutorial": "tutorial",
    }


def test_rerun_resumes_both_pipelines_and_compare_expands_the_folder(
    tmp_path: Path, fakes: dict[str, list[Any]]
) -> None:
    folder, out = make_weeks(tmp_path / "rtqa"), tmp_path / "out"
    assert _run(folder, out).exit_code == 0
    chunks = fakes["tutorial"][0].stats()["chunks"]
    again = _run(folder, out)  # the second tutorial fake has no replies: any question asked would fail
    assert again.exit_code == 0, again.output
    assert (
        fakes["ours"][1].asked == [] and fakes["tutorial"][1].stats()["chunks"] == chunks
    )  # not re-ingested
    report = json.loads((out / "tutorial" / "report.json").read_text(encoding="utf-8"))
    assert report["run"]["asked_this_time"] == 0 and report["metrics"]["overall"]["errors"] == 0

    result = CliRunner().invoke(cli.app, ["compare", str(out)])
    assert result.exit_code == 0, result.output
    assert "out/ours" in result.output and "out/tutorial" in result.output and "+33.3 pp" in result.output
    result = CliRunner().invoke(cli.app, ["compare", str(out / "ours"), str(out / "tutorial")])
    assert result.exit_code == 0 and "accuracy" in result.output


def test_tutorial_folder_refuses_ours_results(tmp_path: Path, fakes: dict[str, list[Any]]) -> None:
    """A folder of one pipeline's answers is never resumed by the other."""
    from eval.questions import Question

    question = Question(id="q", question="Which city won the bridge award?", answers=("Port Alder",))
    runner.run([question], OursFake(None), out_dir=tmp_path / "x", plots=False)
    with pytest.raises(resume.ResumeError, match="pipeline"):
        runner.run(
            [question], OursFake(None), out_dir=tmp_path / "x", plots=False, identity={"pipeline": "tutorial"}
        )


def test_slice_table_counts() -> None:
    records = [
        {"answer_recall_at_k": 1.0, "correct": True, "abstained": False},
        {"answer_recall_at_k": 0.0, "correct": False, "abstained": True},
        {"unanswerable": True, "answer_recall_at_k": None, "correct": True, "abstained": True},
        {"failed": True, "answer_recall_at_k": None, "correct": False, "abstained": False},
    ]
    counts = slices(records)
    assert counts["answer shown"]["correct"] == 1 and counts["answer not shown"]["abstained"] == 1
    assert counts["unanswerable"]["abstained"] == 1 and counts["failed"]["wrong"] == 1
    text = slice_table([("a", counts)])
    assert "| total | 1 | 1 | 2 | 4 |" in text


def test_tutorial_multiple_choice_options_go_into_its_question(tmp_path: Path, settings: Any) -> None:
    llm = FakeChatModel(replies=["B) United"])
    desk = TutorialDesk(settings, tmp_path / "t", embedder=HashEmbeddings(), llm=llm)
    answer = desk.answer_from(
        "Which team won?", [passage("United won the cup.", 1)], choices=["Rovers", "United"]
    )
    assert answer.choice == 1 and not answer.abstained and answer.citations == ()
    assert "Which team won?\nA) Rovers\nB) United" in llm.calls[0][0].content


def test_a_change_to_our_reader_leaves_the_tutorial_run_resumable(tmp_path: Path) -> None:
    from eval import pipelines
    from rag.settings import Settings

    # Earlier versions recorded every setting, with k at 5, which the tutorial keeps as its own top-5.
    before = Settings(store=tmp_path / "s", k=5).model_dump(mode="json")
    after = Settings(store=tmp_path / "s", choice_reader="free", k=3).model_dump(mode="json")
    assert "choice_reader" not in pipelines.recorded_settings("tutorial", after)
    assert pipelines.recorded_settings("tutorial", after)["k"] == 5
    folder = tmp_path / "tutorial"
    # A run recorded with every setting, as earlier versions did, resumes with the tutorial's own.
    resume.check_resume(folder, resume.run_info(mode="mc", k=None, judge=False, settings=before))
    tutorial = pipelines.recorded_settings("tutorial", after)
    resume.check_resume(folder, resume.run_info(mode="mc", k=None, judge=False, settings=tutorial))
    # Ours reads them all: the same change is refused there.
    ours = tmp_path / "ours"
    resume.check_resume(ours, resume.run_info(mode="mc", k=None, judge=False, settings=before))
    with pytest.raises(resume.ResumeError, match="choice_reader"):
        resume.check_resume(ours, resume.run_info(mode="mc", k=None, judge=False, settings=after))
    # The tutorial's model still counts.
    other_model = pipelines.recorded_settings("tutorial", after | {"model": "small"})
    with pytest.raises(resume.ResumeError, match="model"):
        resume.check_resume(folder, resume.run_info(mode="mc", k=None, judge=False, settings=other_model))
