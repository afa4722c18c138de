"""The format registry: TimeQA as a format of its own, and a new format being one class plus one line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval import formats
from eval.formats import QuestionSetError, detect_format, format_names, load_corpus, load_questions
from eval.formats.base import Probe
from eval.metrics import normalize_url
from eval.questions import Question
from rag.types import Article


def timeqa_pages(path: Path) -> Path:
    """Two pages of TimeQA's shape; the same Wikipedia page twice, under two relations."""
    pages = [
        {
            "index": "/wiki/Ada_Example#P54",
            "type": "P54",
            "link": "/wiki/Ada_Example",
            "paras": [
                "Ada Example",
                "Ada Example is a footballer . She played for Northtown from 2004 to 2006 .",
                "From 2006 to 2009 she played for Southvale .",
            ],
            "questions": [
                [
                    "Which team did Ada Example play for from 2004 to 2006?",
                    [{"para": 1, "answer": "Northtown"}],
                ],
                [
                    "Which team did Ada Example play for in 2007?",
                    [{"answer": "Southvale"}, {"answer": "Southvale"}],
                ],
                [
                    "Which team did Ada Example play for in 1990?",
                    [{"para": 0, "from": 0, "end": 0, "answer": ""}],
                ],
            ],
        },
        {
            "index": "/wiki/Ada_Example#P108",
            "type": "P108",
            "link": "/wiki/Ada_Example",
            "paras": ["Ada Example", "After football Ada Example worked for Acme Corp from 2012 to 2015 ."],
            "questions": [["Who employed Ada Example from 2012 to 2015?", [{"answer": "Acme Corp"}]]],
        },
    ]
    path.write_text(json.dumps(pages), encoding="utf-8")
    return path


def test_timeqa_is_detected_and_listed(tmp_path: Path) -> None:
    path = timeqa_pages(tmp_path / "human_annotated_train.json")
    assert detect_format(path) == "timeqa"
    assert "timeqa" in format_names()


def test_timeqa_questions(tmp_path: Path) -> None:
    path = timeqa_pages(tmp_path / "dev.json")
    questions = {q.id: q for q in load_questions(path)}
    assert list(questions) == ["tq0.0", "tq0.1", "tq0.2", "tq1.0"]
    first = questions["tq0.0"]
    assert first.answers == ("Northtown",) and not first.unanswerable and first.type == "P54"
    assert first.as_of is None  # TimeQA questions carry their time in their text
    assert questions["tq0.1"].answers == ("Southvale",)  # the same answer twice counts once
    # An answer "" means the page doesn't say: the right reply is to abstain.
    assert questions["tq0.2"].unanswerable and questions["tq0.2"].expected == ()
    assert questions["tq1.0"].type == "P108"


def test_timeqa_corpus_one_undated_article_per_page(tmp_path: Path) -> None:
    path = timeqa_pages(tmp_path / "dev.json")
    articles = load_corpus(path)
    assert articles is not None and len(articles) == 2  # one page, two relations: two articles
    assert len({a.id for a in articles}) == 2
    first = articles[0]
    assert first.title == "Ada Example" and first.published is None
    assert first.source == "en.wikipedia.org"
    assert "Northtown" in first.text and "Southvale" in first.text and "Ada Example\n" not in first.text
    # Each question's source is its own page: a hit on the right article is measurable.
    questions = load_questions(path)
    for question, article in ((questions[0], articles[0]), (questions[3], articles[1])):
        assert normalize_url(question.sources[0]) == normalize_url(article.url)
    assert normalize_url(articles[0].url) != normalize_url(articles[1].url)


def test_a_page_without_paragraphs_is_named(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text(json.dumps([{"paras": [], "questions": []}]), encoding="utf-8")
    with pytest.raises(QuestionSetError, match="page 0"):
        load_questions(path, "timeqa")


class TabSeparated:
    """A made-up format: ``question<TAB>answer`` lines in a ``.tsv`` file, articles in ``articles.txt``."""

    name = "tsv-test"

    def detect(self, probe: Probe) -> bool:
        return probe.suffix == ".tsv"

    def load_questions(self, path: Path) -> list[Question]:
        rows = [line.split("\t") for line in path.read_text(encoding="utf-8").splitlines() if line]
        return [Question(id=f"t{n}", question=q, answers=(a,)) for n, (q, a) in enumerate(rows)]

    def load_corpus(self, path: Path) -> list[Article] | None:
        from rag.articles import articles_from_records

        text = (path.parent / "articles.txt").read_text(encoding="utf-8")
        return articles_from_records([{"title": "Notes", "text": text}], origin=str(path))


def test_a_new_format_is_a_class_and_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(formats, "REGISTRY", dict(formats.REGISTRY))  # leave the real registry as it was
    formats.register(TabSeparated())  # the one line
    path = tmp_path / "set.tsv"
    path.write_text("What colour is the sky?\tblue\n", encoding="utf-8")
    (tmp_path / "articles.txt").write_text("The sky over the harbour was blue all day.", encoding="utf-8")
    assert "tsv-test" in format_names() and detect_format(path) == "tsv-test"
    assert [q.answers for q in load_questions(path)] == [("blue",)]
    corpus = load_corpus(path)
    assert corpus is not None and "harbour" in corpus[0].text
    assert load_questions(path, "tsv-test")[0].id == "t0"


def test_the_eval_cli_offers_every_registered_format() -> None:
    import typer

    from eval import cli

    group = typer.main.get_command(cli.app)
    for name in ("run", "retrieval"):
        command = group.commands[name]  # type: ignore[attr-defined]
        (option,) = [p for p in command.params if p.name == "format"]
        assert option.help == "auto|jsonl|csv|realtimeqa|realtimeqa-evidence|multihop-rag|timeqa"
