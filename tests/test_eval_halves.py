"""``eval run --half``: a set split once by its ids into a tuning half and a report half."""

from __future__ import annotations

import json
import os
import random
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eval import cli, halves, runner
from eval.questions import Question
from rag.types import Answer, Passage

IDS = [f"q{i}" for i in range(1000)]
SHOWN = Passage(chunk_id="A:0", article_id="A", title="A", text="Some news.", start=0, end=10, score=0.5)


def _questions(ids: Sequence[str]) -> list[Question]:
    return [Question(id=i, question=f"Question {i}?", answers=("x",)) for i in ids]


def test_split_is_fixed_by_the_id() -> None:
    # Pinned: a change of salt or hash would move questions between halves of sets already tuned on.
    # sha256("newsdesk-half:q0") starts with 0xd7 (odd): report.
    assert [halves.half_of(i) for i in ("q0", "q1", "q2", "q3")] == ["report", "tune", "tune", "report"]
    tune = halves.pick(_questions(IDS), "tune")
    report = halves.pick(_questions(IDS), "report")
    assert [q.id for q in tune] == [i for i in IDS if halves.half_of(i) == "tune"]
    assert [q.id for q in report] == [i for i in IDS if halves.half_of(i) == "report"]


def test_halves_are_disjoint_cover_the_set_and_are_balanced() -> None:
    tune = {q.id for q in halves.pick(_questions(IDS), "tune")}
    report = {q.id for q in halves.pick(_questions(IDS), "report")}
    assert not tune & report
    assert tune | report == set(IDS)
    assert 0.45 <= len(report) / len(IDS) <= 0.55


def test_split_does_not_depend_on_order_seed_or_limit() -> None:
    shuffled = list(IDS)
    random.Random(7).shuffle(shuffled)
    tune = {q.id for q in halves.pick(_questions(IDS), "tune")}
    assert {q.id for q in halves.pick(_questions(shuffled), "tune")} == tune
    assert {q.id for q in halves.pick(_questions(IDS[:100]), "tune")} == tune & set(IDS[:100])
    for seed in (None, 1, 2):
        for limit in (None, 10, 300):
            chosen = runner.select(halves.pick(_questions(IDS), "tune"), limit, seed)
            assert {q.id for q in chosen} <= tune
            assert len(chosen) == min(limit or len(tune), len(tune))


def test_all_selects_as_before() -> None:
    questions = _questions(IDS)
    assert halves.pick(questions, "all") == questions
    for seed, limit in ((None, None), (3, 50), (None, 20)):
        assert runner.select(halves.pick(questions, "all"), limit, seed) == runner.select(
            questions, limit, seed
        )
    assert halves.identity("all") == {} and halves.describe("all", 5, 5) == {}
    with pytest.raises(ValueError, match="--half"):
        halves.check("half")


# ---------------------------------------------------------------- CLI


class QuietDesk:
    """Answers every question the same from one passage, recording what it was asked (or read)."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def ask(self, question: str, **_: Any) -> Answer:
        self.asked.append(question)
        return Answer(question=question, answer="no idea", abstained=False, passages=(SHOWN,))

    def answer_from(self, question: str, passages: Sequence[Passage], **_: Any) -> Answer:
        return self.ask(question)

    def describe(self) -> dict[str, str]:
        return {"generator": "fake", "embedder": "fake"}


@pytest.fixture
def desks(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[QuietDesk]:
    monkeypatch.chdir(tmp_path)  # no newsdesk.toml or .env of the developer's
    for name in [n for n in os.environ if n.upper().startswith("NEWSDESK_")]:
        monkeypatch.delenv(name)
    made: list[QuietDesk] = []

    def make(settings: Any) -> QuietDesk:
        made.append(QuietDesk())
        return made[-1]

    monkeypatch.setattr(runner, "make_desk", make)
    return made


def _set(tmp_path: Path, ids: Sequence[str]) -> str:
    path = tmp_path / "set.jsonl"
    path.write_text("".join(q.model_dump_json() + "\n" for q in _questions(ids)), encoding="utf-8")
    return str(path)


def _asked_ids(desk: QuietDesk) -> set[str]:
    return {text.removeprefix("Question ").removesuffix("?") for text in desk.asked}


def test_cli_half_asks_only_its_half_and_records_it(tmp_path: Path, desks: list[QuietDesk]) -> None:
    ids = IDS[:40]
    path, out = _set(tmp_path, ids), tmp_path / "out"
    result = CliRunner().invoke(cli.app, ["run", path, "--out", str(out), "--no-plots", "--half", "report"])
    assert result.exit_code == 0, result.output
    expected = {i for i in ids if halves.half_of(i) == "report"}
    assert _asked_ids(desks[-1]) == expected and 0 < len(expected) < len(ids)
    assert json.loads((out / "run.json").read_text(encoding="utf-8"))["half"] == "report"
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["run"]["half"].startswith(f"report: {len(expected)} of {len(ids)} questions")
    assert "sha256" in report["run"]["half"]
    assert "- **half**: report:" in (out / "report.md").read_text(encoding="utf-8")

    # --seed and --limit pick within the half.
    limited = CliRunner().invoke(
        cli.app,
        ["run", path, "--out", str(tmp_path / "lim"), "--no-plots", "--half", "report"]
        + ["--seed", "3", "--limit", "5"],
    )
    assert limited.exit_code == 0, limited.output
    assert len(desks[-1].asked) == 5 and _asked_ids(desks[-1]) <= expected


def test_cli_half_all_is_todays_run(tmp_path: Path, desks: list[QuietDesk]) -> None:
    path = _set(tmp_path, IDS[:20])
    options = ["--no-plots", "--seed", "5", "--limit", "8"]
    before = CliRunner().invoke(cli.app, ["run", path, "--out", str(tmp_path / "a"), *options])
    after = CliRunner().invoke(
        cli.app, ["run", path, "--out", str(tmp_path / "b"), *options, "--half", "all"]
    )
    assert before.exit_code == 0 and after.exit_code == 0, before.output + after.output
    assert desks[0].asked == desks[1].asked and len(desks[0].asked) == 8
    for folder in ("a", "b"):
        assert "half" not in json.loads((tmp_path / folder / "run.json").read_text(encoding="utf-8"))
        assert (
            "half" not in json.loads((tmp_path / folder / "report.json").read_text(encoding="utf-8"))["run"]
        )


def test_cli_resume_refuses_another_half(tmp_path: Path, desks: list[QuietDesk]) -> None:
    path, out = _set(tmp_path, IDS[:20]), str(tmp_path / "out")
    first = CliRunner().invoke(cli.app, ["run", path, "--out", out, "--no-plots", "--half", "tune"])
    assert first.exit_code == 0, first.output
    again = CliRunner().invoke(cli.app, ["run", path, "--out", out, "--no-plots", "--half", "tune"])
    assert again.exit_code == 0 and not desks[-1].asked  # same half: resumed, nothing left to ask
    for other in ("report", "all"):
        result = CliRunner().invoke(cli.app, ["run", path, "--out", out, "--no-plots", "--half", other])
        assert result.exit_code == 1 and "different half" in result.output


def test_cli_rejects_an_unknown_half(tmp_path: Path, desks: list[QuietDesk]) -> None:
    result = CliRunner().invoke(cli.app, ["run", _set(tmp_path, IDS[:4]), "--half", "first"])
    assert result.exit_code != 0 and "--half must be one of" in result.output
    assert not desks


def test_reader_half_reads_only_its_half(tmp_path: Path, desks: list[QuietDesk]) -> None:
    ids = IDS[:30]
    first = tmp_path / "first"
    runner.run(_questions(ids), QuietDesk(), out_dir=first, mode="open", plots=False)
    result = CliRunner().invoke(cli.app, ["reader", str(first), "--no-plots", "--half", "tune"])
    assert result.exit_code == 0, result.output
    assert _asked_ids(desks[-1]) == {i for i in ids if halves.half_of(i) == "tune"}
    assert json.loads((first / "reader-ours" / "run.json").read_text(encoding="utf-8"))["half"] == "tune"
    again = CliRunner().invoke(cli.app, ["reader", str(first), "--no-plots", "--half", "report"])
    assert again.exit_code == 1 and "different half" in again.output
