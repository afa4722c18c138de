"""Counterfactual negatives: questions whose time was moved so the corpus no longer answers them."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from test_eval_variants import IngestingDesk, made  # noqa: F401  (fixture)
from typer.testing import CliRunner

from eval import cli
from eval.counterfactual import ask_earlier, make_counterfactual, move_years
from eval.questions import Question
from rag.types import Article

PAGE = (
    "Sabine Hossenfelder\n"
    "She was born in 1976. From 2004 to 2005 she worked at the University of Arizona, then in 2005 "
    "and 2006 at Santa Barbara, and from 2006 to 2009 at the Perimeter Institute."
)


def _q(text: str, **extra: object) -> Question:
    return Question.model_validate({"id": "tq1.0", "question": text, "answers": ["Arizona"]} | extra)


def test_years_move_together_to_before_the_articles_first_year() -> None:
    negative = move_years(_q("Where did she work from 2004 to 2005?"), PAGE)
    assert negative is not None
    moved = negative.question
    years = [int(w) for w in moved.question.replace("?", "").split() if w.isdigit()]
    assert len(years) == 2 and years[1] - years[0] == 1  # the span keeps its length
    assert max(years) < 1976  # before every year the page names
    assert all(str(y) not in PAGE for y in years)
    assert moved.unanswerable and moved.expected == () and moved.id == "tq1.0"
    assert negative.original.question == "Where did she work from 2004 to 2005?"


def test_a_question_without_years_or_an_undated_article_is_not_moved() -> None:
    assert move_years(_q("Where did she work first?"), PAGE) is None
    assert move_years(_q("Where did she work in 2004?"), "No years here.") is None


def _article(url: str, text: str, published: date | None) -> Article:
    return Article(id=url, title="t", text=text, url=url, published=published)


def test_a_dated_question_is_asked_four_weeks_earlier_when_nothing_then_holds_its_answer() -> None:
    q = _q("Which city hosts the summit this week?", answers=["Lisbon"], as_of="2022-06-30")
    later = _article("https://x.test/later", "The summit opens in Lisbon.", date(2022, 6, 28))
    old = _article("https://x.test/old", "Summits are planned.", date(2022, 5, 1))
    negative = ask_earlier(q, [later, old])
    assert negative is not None and negative.question.as_of == date(2022, 6, 2)
    assert negative.question.unanswerable and negative.question.question == q.question
    # An article it can still see (old, or undated) holding the answer keeps it answerable: left out.
    undated = _article("https://x.test/undated", "Lisbon was chosen to host it.", None)
    assert ask_earlier(q, [later, old, undated]) is None
    assert ask_earlier(q.model_copy(update={"as_of": None}), [later]) is None


def test_make_counterfactual_reads_each_questions_own_article() -> None:
    page = _article("https://en.wikipedia.org/wiki/S", PAGE, None)
    other = _article("https://en.wikipedia.org/wiki/T", "Founded in 1700.", None)
    asked = _q("Where did she work from 2004 to 2005?", sources=[page.url])
    unmovable = _q("Where did she work first?", sources=[page.url]).model_copy(update={"id": "tq1.1"})
    negatives = make_counterfactual([asked, unmovable], [page, other])
    assert [n.question.id for n in negatives] == ["tq1.0"]


def test_cli_counterfactual_run_scores_abstention_on_the_changed_questions(
    tmp_path: Path,
    made: list[IngestingDesk],  # noqa: F811
) -> None:
    pages = [
        {
            "index": "/wiki/S#P108",
            "link": "/wiki/S",
            "type": "P108",
            "paras": ["Sabine Hossenfelder", PAGE.split("\n", 1)[1]],
            "questions": [
                ["Where did she work from 2004 to 2005?", [{"answer": "Arizona"}]],
                ["Where did she work first?", [{"answer": "Arizona"}]],
            ],
        }
    ]
    path = tmp_path / "timeqa.json"
    path.write_text(json.dumps(pages), encoding="utf-8")
    out = tmp_path / "out"
    args = [str(path), "--corpus", str(path), "--format", "timeqa", "--counterfactual", "--out", str(out)]
    result = CliRunner().invoke(cli.app, [*args, "--no-plots"])
    assert result.exit_code == 0, result.output
    (desk,) = made
    assert len(desk.asked) == 1 and "2004" not in desk.asked[0] and "Where did she work from" in desk.asked[0]
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert report["metrics"]["overall"]["unanswerable"] == 1
    assert report["slices"]["unanswerable"] == {"correct": 0, "wrong": 0, "abstained": 1}
    assert "counterfactual" in report["run"]["variant"]
