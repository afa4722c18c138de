"""Corpus variants of RealTimeQA for eval: the unanswerable slice and the evidence-snippet corpus."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from eval import cli, runner
from eval.formats import QuestionSetError, load_corpus, load_questions
from eval.formats.evidence import evidence_url, snippet_text
from eval.formats.realtimeqa import realtimeqa_question_urls
from eval.metrics import normalize_url
from eval.unanswerable import make_unanswerable, removed_urls
from rag.types import Answer, Article


def _sentences(topic: str) -> str:
    return " ".join(f"Reporters confirmed fact {i} about {topic} on Tuesday." for i in range(6))


# Question id → (question, choices, correct index, evidence, gcs urls, gold url or None)
WEEK = {
    "20220101_0": (
        "Which city won the bridge award?",
        ["Port Alder", "Lakeside"],
        0,
        'The <a href="https://n.example/a0">bridge award</a> went to Port Alder &amp; its mayor.',
        ["https://n.example/a0", "https://n.example/a1"],
        "https://www.n.example/a0/#:~:text=bridge",
    ),
    "20220101_1": (
        "Which team won the cup?",
        ["Rovers", "United"],
        1,
        "United won the cup after extra time.",
        ["https://n.example/b0", "https://n.example/b1"],
        "https://n.example/b0",
    ),
    "20220101_2": (
        "What did the council ban?",
        ["Cars", "Kites"],
        1,
        "",
        ["https://n.example/c0"],
        None,
    ),
}
TEXTS = {
    "https://n.example/a0": "Port Alder won the bridge award. " + _sentences("the bridge award"),
    "https://n.example/a1": "Lakeside opened a museum. " + _sentences("the museum"),
    "https://n.example/b0": "United won the cup after extra time. " + _sentences("the cup final"),
    "https://n.example/b1": "Rovers signed a new coach. " + _sentences("the coach"),
    "https://n.example/c0": "The council banned kites in the park. " + _sentences("the park"),
    "https://n.example/z0": "A storm closed the harbour. " + _sentences("the storm"),  # nobody's result
}


def make_weeks(folder: Path) -> Path:
    """One RealTimeQA week: three questions, their search results and gold articles, one extra article."""
    folder.mkdir(parents=True, exist_ok=True)

    def write(name: str, rows: list[dict[str, Any]]) -> None:
        (folder / name).write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")

    write(
        "20220101_qa.jsonl",
        [
            {
                "question_id": qid,
                "question_date": "2022/01/01",
                "question_source": "CNN",
                "question_url": "https://quiz.example",
                "question_sentence": q,
                "choices": choices,
                "answer": [str(index)],
                "evidence": evidence,
            }
            for qid, (q, choices, index, evidence, _, _) in WEEK.items()
        ],
    )
    gcs = [
        {"question_id": qid, "search_result": [{"url": u, "title": u[-2:], "text": TEXTS[u]} for u in urls]}
        for qid, (_, _, _, _, urls, _) in WEEK.items()
    ]
    gcs[2]["search_result"].append(
        {"url": "https://n.example/z0", "title": "z0", "text": TEXTS["https://n.example/z0"]}
    )
    write("20220101_gcs.jsonl", gcs)
    write(
        "20220101_gold.jsonl",
        [
            {
                "question_id": qid,
                "search_result": [{"url": gold, "text": TEXTS["https://" + normalize_url(gold)]}],
            }
            for qid, (_, _, _, _, _, gold) in WEEK.items()
            if gold
        ],
    )
    return folder


def urls_of(articles: list[Article]) -> set[str]:
    return {normalize_url(a.url) for a in articles}


# ---------------------------------------------------------------- unanswerable


def test_question_urls_are_gold_and_own_search_results(tmp_path: Path) -> None:
    per_question = realtimeqa_question_urls(make_weeks(tmp_path / "rtqa"))
    assert per_question["20220101_0"] == {"n.example/a0", "n.example/a1"}  # gold = a0 without www/fragment
    assert per_question["20220101_2"] == {"n.example/c0", "n.example/z0"}


def test_unanswerable_corpus_lacks_the_questions_articles(tmp_path: Path) -> None:
    folder = make_weeks(tmp_path / "rtqa")
    questions = load_questions(folder, "realtimeqa")
    articles = load_corpus(folder, "realtimeqa")
    assert urls_of(articles) == {f"n.example/{n}" for n in ("a0", "a1", "b0", "b1", "c0", "z0")}
    chosen = [q for q in questions if q.id in ("20220101_0", "20220101_1")]
    marked, kept = make_unanswerable(chosen, articles, removed_urls(chosen, folder, "realtimeqa"))
    assert urls_of(kept) == {"n.example/c0", "n.example/z0"}  # a0 is gone under its www/fragment form too
    assert not any("Port Alder won" in a.text or "United won" in a.text for a in kept)
    assert all(q.unanswerable and q.expected == () for q in marked)
    assert [q.sources for q in marked] == [q.sources for q in chosen]  # kept: a hit would show a leak


def test_unanswerable_needs_a_format_that_knows_each_questions_articles(tmp_path: Path) -> None:
    with pytest.raises(QuestionSetError, match="--unanswerable needs"):
        removed_urls([], tmp_path, "multihop-rag")


# ---------------------------------------------------------------- evidence snippets


def test_evidence_corpus_is_the_snippets(tmp_path: Path) -> None:
    folder = make_weeks(tmp_path / "rtqa")
    articles = load_corpus(folder, "realtimeqa-evidence")
    by_url = {a.url: a for a in articles}
    assert set(by_url) == {evidence_url("20220101_0"), evidence_url("20220101_1")}  # q2 has no snippet
    assert by_url[evidence_url("20220101_0")].text == "The bridge award went to Port Alder & its mayor."
    assert by_url[evidence_url("20220101_1")].text == "United won the cup after extra time."
    assert str(by_url[evidence_url("20220101_1")].published) == "2022-01-01"
    questions = {q.id: q for q in load_questions(folder, "realtimeqa-evidence")}
    assert questions["20220101_0"].sources == (evidence_url("20220101_0"),)
    assert questions["20220101_2"].sources == ()
    assert questions["20220101_1"].answers == ("United",)  # same questions and answers as realtimeqa


def test_snippet_text_drops_markup() -> None:
    assert (
        snippet_text('A <a href="u">link</a>&nbsp;and  <b>more</b>') == "A link and more"
    )  # &nbsp; is whitespace too
    assert snippet_text(None) == ""


def test_unanswerable_evidence_variant_removes_the_own_snippet(tmp_path: Path) -> None:
    folder = make_weeks(tmp_path / "rtqa")
    questions = load_questions(folder, "realtimeqa-evidence")[:1]
    articles = load_corpus(folder, "realtimeqa-evidence")
    _, kept = make_unanswerable(questions, articles, removed_urls(questions, folder, "realtimeqa-evidence"))
    assert [a.url for a in kept] == [evidence_url("20220101_1")]


# ---------------------------------------------------------------- through the CLI


class IngestingDesk:
    """Records what it was given to ingest; abstains on every question."""

    cites = True

    def __init__(self, settings: Any) -> None:
        self.settings = settings
        self.ingested: list[Article] = []
        self.asked: list[str] = []

    def ingest_articles(self, articles: Any) -> None:
        self.ingested += list(articles)

    def ask(self, question: str, *, k: int | None = None, choices: Any = (), filters: Any = None) -> Answer:
        self.asked.append(question)
        return Answer(question=question, answer="The articles don't say.", abstained=True)

    def describe(self) -> dict[str, str]:
        return {"generator": "fake"}


@pytest.fixture
def made(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[IngestingDesk]:
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.upper().startswith("NEWSDESK_")]:
        monkeypatch.delenv(name)
    desks: list[IngestingDesk] = []

    def make(settings: Any) -> IngestingDesk:
        desks.append(IngestingDesk(settings))
        return desks[-1]

    monkeypatch.setattr(runner, "make_desk", make)
    return desks


def test_cli_unanswerable_run_ingests_the_reduced_corpus_and_scores_abstention(
    tmp_path: Path, made: list[IngestingDesk]
) -> None:
    folder = make_weeks(tmp_path / "rtqa")
    out = tmp_path / "out"
    args = [str(folder), "--corpus", str(folder), "--format", "realtimeqa", "--unanswerable", "--limit", "2"]
    result = CliRunner().invoke(cli.app, [*args, "--out", str(out), "--no-plots"])
    assert result.exit_code == 0, result.output
    (desk,) = made
    assert len(desk.asked) == 2
    asked_ids = {q.id for q in load_questions(folder, "realtimeqa") if q.question in desk.asked}
    per_question = realtimeqa_question_urls(folder)
    gone = set().union(*(per_question[i] for i in asked_ids))
    assert gone and not gone & urls_of(desk.ingested)
    assert urls_of(desk.ingested) == urls_of(load_corpus(folder, "realtimeqa")) - gone
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    overall = report["metrics"]["overall"]
    assert overall["unanswerable"] == 2 and overall["correct_abstention_rate"] == 1.0
    assert report["slices"]["unanswerable"] == {"correct": 0, "wrong": 0, "abstained": 2}
    assert "unanswerable" in report["run"]["variant"]
    # The same folder with the full corpus is another run: refused before anything is ingested.
    again = CliRunner().invoke(
        cli.app,
        [str(folder), "--corpus", str(folder), "--format", "realtimeqa", "--limit", "2", "--out", str(out)],
    )
    assert again.exit_code == 1 and "variant" in again.output
    assert len(made) == 1


def test_cli_unanswerable_refuses_a_given_store(tmp_path: Path, made: list[IngestingDesk]) -> None:
    folder = make_weeks(tmp_path / "rtqa")
    result = CliRunner().invoke(
        cli.app, [str(folder), "--corpus", str(folder), "--unanswerable", "--store", str(tmp_path / "s")]
    )
    assert result.exit_code != 0 and not made
