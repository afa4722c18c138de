"""eval replay: recorded drafts decided again by today's checks, differences listed."""

from __future__ import annotations

import json
from pathlib import Path

from fakes import FakeChatModel, HashEmbeddings
from typer.testing import CliRunner

import rag.cli
from eval.replay import replay
from rag.api import Newsdesk
from rag.settings import Settings
from rag.types import Passage

LAUNCHERS = "Talks went on. The UK has sent 2,000 anti-tank missile launchers to Ukraine."
ESTONIA = "Britain already has around 850 troops stationed in Estonia."
QUESTIONS = {
    "q1": (
        "How many anti-tank missile launchers did the UK send to Ukraine?",
        "The UK sent 2,000 launchers [1].",
    ),
    "q2": ("How many troops does Britain have in Estonia?", "Around 850 troops [2]."),
    "q3": ("Who won the 2019 Maxwell Award?", "Brandon Maxwell won it [1]."),  # from memory: abstains
}


def _passage(n: int, text: str) -> dict[str, object]:
    p = Passage(
        chunk_id=f"c{n}",
        article_id=f"a{n}",
        title=f"Report {n}",
        text=text,
        start=0,
        end=len(text),
        score=1.0,
    )
    return p.model_dump(mode="json")


def _record_run(tmp_path: Path) -> Path:
    """A run folder as `eval run` writes it, its answers given by today's code."""
    run = tmp_path / "run"
    run.mkdir()
    passages = [_passage(1, LAUNCHERS), _passage(2, ESTONIA)]
    llm = FakeChatModel()
    desk = Newsdesk(Settings(store=tmp_path / "store", k=2), llm=llm, embedder=HashEmbeddings())
    lines = []
    for qid, (question, draft) in QUESTIONS.items():
        llm.replies.append(draft)
        answer = desk.answer_from(question, [Passage.model_validate(p) for p in passages])
        lines.append(
            {
                "id": qid,
                "question": question,
                "asked": question,
                "mode": "open",
                "draft": answer.draft,
                "answer": answer.answer,
                "abstained": answer.abstained,
                "support": answer.support,
                "citations": [{"number": c.number, "shown": c.shown} for c in answer.citations],
                "passages": passages,
                "as_of": None,
            }
        )
    (run / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in lines))
    (run / "run.json").write_text(json.dumps({"settings": {"answer_min_relevance": 0.1}}))
    return run


def test_the_same_checks_give_the_same_answers(tmp_path: Path) -> None:
    result = replay(_record_run(tmp_path))
    assert (result.compared, result.same, result.skipped) == (3, 3, 0)


def test_a_changed_answer_is_listed_and_fails_the_command(tmp_path: Path) -> None:
    run = _record_run(tmp_path)
    records = [json.loads(line) for line in (run / "results.jsonl").read_text().splitlines()]
    assert records[2]["abstained"]  # the answer from memory was refused when recorded
    records[2] |= {"answer": "Brandon Maxwell won it [1].", "abstained": False, "citations": [{"number": 1}]}
    (run / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    result = replay(run)
    assert [d.id for d in result.differences] == ["q3"] and result.same == 2
    outcome = CliRunner().invoke(rag.cli.app, ["eval", "replay", str(run)])
    assert outcome.exit_code == 1 and "2 of 3 recorded answers the same" in outcome.stdout


def test_a_setting_over_the_runs_own_measures_a_change_of_checks(tmp_path: Path) -> None:
    run = _record_run(tmp_path)
    without_grounding = replay(run, {"answer_checks": "news_time"})
    assert "q3" in [
        d.id for d in without_grounding.differences
    ]  # the answer from memory is no longer refused
    assert replay(run, {"answer_checks": "ground,figures,news_time,constraints"}).differences == []
    # Without the figures check, the answer to "how many" is the model's sentence again.
    assert [d.id for d in replay(run, {"answer_checks": "ground,news_time"}).differences] == ["q1"]


def test_a_run_recorded_with_retrieval_order_numbers_replays_the_same(tmp_path: Path) -> None:
    # Runs recorded before citations were numbered in the order cited hold the passage's
    # retrieval position as its number ("[2]" with no "[1]"); today's "[1]" is the same citation.
    run = _record_run(tmp_path)
    records = [json.loads(line) for line in (run / "results.jsonl").read_text().splitlines()]
    assert records[1]["answer"] == "Around 850 troops [1]."
    assert records[1]["citations"] == [{"number": 1, "shown": 2}]
    records[1] |= {"answer": "Around 850 troops [2].", "citations": [{"number": 2}]}
    (run / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    assert replay(run).differences == []
    # Recorded with both numbers (``shown``: the retrieval position), it reads the same.
    records[1] |= {"answer": "Around 850 troops [1].", "citations": [{"number": 1, "shown": 2}]}
    (run / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    assert replay(run).differences == []
    # A citation moved to another passage is still a difference.
    records[1] |= {"answer": "Around 850 troops [1].", "citations": [{"number": 1, "shown": 1}]}
    (run / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    assert [d.id for d in replay(run).differences] == ["q2"]


def test_the_recorded_verify_support_is_replayed_against_a_new_threshold(tmp_path: Path) -> None:
    """A run that recorded each answer's support is re-decided at another ``verify_min_support``
    without the model: q1 (support 0.3) abstains at 0.5, q2 (0.8) stands."""
    run = _record_run(tmp_path)
    records = [json.loads(line) for line in (run / "results.jsonl").read_text().splitlines()]
    for record, support in zip(records, (0.3, 0.8, None), strict=True):
        record["support"] = support
    (run / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    checks = {"answer_checks": "ground,figures,news_time,constraints,verify"}
    assert replay(run, checks | {"verify_min_support": 0.2}).same == 3
    result = replay(run, checks | {"verify_min_support": 0.5})
    assert [(d.id, d.now_abstained) for d in result.differences] == [("q1", True)]


def _recorded_wrong(tmp_path: Path, judged: bool) -> Path:
    """q1 recorded as a wrong answer ("200"), its draft the right one: the replay rewrites it."""
    run = _record_run(tmp_path)
    records = [json.loads(line) for line in (run / "results.jsonl").read_text().splitlines()]
    records[0] |= {"answer": "The UK sent 200 launchers [1].", "correct": False, "expected": ["2,000"]}
    records[0] |= {"answer_recall_at_k": 1.0}
    (run / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in records))
    (run / "run.json").write_text(json.dumps({"settings": {"answer_min_relevance": 0.1}, "judge": judged}))
    return run


def test_a_rewritten_answer_is_scored_again_by_the_runs_gold_words(tmp_path: Path) -> None:
    result = replay(_recorded_wrong(tmp_path, judged=False))
    (difference,) = result.differences
    assert (difference.id, difference.was_correct, difference.now_correct) == ("q1", False, True)
    assert result.before["answer shown"]["correct"] + 1 == result.after["answer shown"]["correct"]
    outcome = CliRunner().invoke(rag.cli.app, ["eval", "replay", str(tmp_path / "run")])
    assert "q1 (was wrong, now right)" in outcome.stdout


def test_a_judged_runs_rewritten_answer_keeps_its_recorded_score(tmp_path: Path) -> None:
    result = replay(_recorded_wrong(tmp_path, judged=True))
    (difference,) = result.differences
    assert difference.now_correct is None and result.after == result.before
