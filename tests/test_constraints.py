"""The time a question states, checked against the evidence its answer cites (rag.constraints)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fakes import FakeChatModel, HashEmbeddings

from rag.api import Newsdesk
from rag.citations import is_abstention
from rag.constraints import (
    Constraint,
    Evidence,
    question_constraints,
    stating_sentences,
    unmet,
    unmet_where_stated,
)
from rag.settings import Settings
from rag.types import Passage


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Who is the Maxwell Award winner in 2019?", [("year", 2019, None)]),
        ("What was Tesla's revenue in Q1 2021?", [("quarter", 1, 2021), ("year", 2021, None)]),
        ("What did Apple earn in the third quarter?", [("quarter", 3, None)]),
        ("What is the premiere date of Grey's Anatomy Season 17?", [("season", 17, None)]),
        ("Who hosted the eleventh season of the show?", [("season", 11, None)]),
        ("Who hosted season eleven?", [("season", 11, None)]),
        ("Where did she work from 2004 to 2005?", [("span", 2004, 2005)]),
        ("Which team did he play for between 2007 and 2009?", [("span", 2007, 2009)]),
        ("Who coached the team in the 2003-04 season?", [("span", 2003, 2004)]),
        ("When was Xenoblade Chronicles 2 released?", []),
        ("How many of the 2,019 tickets were sold?", []),  # a figure, not a year
        ("Which automaker recalled 2.9 million vehicles this week?", []),
    ],
)
def test_the_time_a_question_states(question: str, expected: list[tuple[str, int, int | None]]) -> None:
    assert [(c.kind, c.first, c.last) for c in question_constraints(question)] == expected


def _evidence(text: str, published: date | None = None) -> Evidence:
    return Evidence.of([text], [published])


@pytest.mark.parametrize(
    ("question", "text", "published", "met"),
    [
        (
            "Who won Wimbledon in 2019?",
            "Elena Rybakina won the women's title on Saturday.",
            date(2022, 7, 9),
            False,
        ),
        (
            "Who won Wimbledon in 2019?",
            "Simona Halep, the 2019 champion, lost early.",
            date(2022, 7, 9),
            True,
        ),
        (
            "Who won Wimbledon in 2022?",
            "Elena Rybakina won the women's title on Saturday.",
            date(2022, 7, 9),
            True,
        ),
        ("Where did she work in 2005?", "She was at Arizona from 2003 to 2008.", None, True),  # bracketed
        ("Where did she work in 2010?", "She was at Arizona from 2003 to 2008.", None, False),
        (
            "Where did she work from 2004 to 2005?",
            "She was at Arizona from 2003 to 2006, then left.",
            None,
            True,
        ),
        ("Who coached them in 2004?", "He coached the team in the 2003–04 season.", None, True),
        (
            "What was Tesla's revenue in Q1 2021?",
            "Tesla delivered 422,875 cars in the first quarter.",
            date(2023, 4, 2),
            False,
        ),  # noqa: E501
        (
            "What was Tesla's revenue in Q1 2023?",
            "Tesla delivered 422,875 cars in the first quarter.",
            date(2023, 4, 2),
            True,
        ),  # noqa: E501
        ("When does Season 17 premiere?", "Season 12 premiered on September 24.", None, False),
        ("When does Season 17 premiere?", "The 17th season premieres on November 12.", None, True),
    ],
)
def test_the_evidence_speaks_of_that_time_or_not(
    question: str, text: str, published: date | None, met: bool
) -> None:
    assert (unmet(question_constraints(question), _evidence(text, published)) == []) is met


def test_what_the_evidence_holds_instead_is_said() -> None:
    evidence = _evidence("Tesla delivered 422,875 cars in the first quarter.", date(2023, 4, 2))
    assert evidence.speaks_of(Constraint("quarter", "Q1 2021", 1, 2021)) == "Q1 2023"
    assert _evidence("Season 12 premiered.").speaks_of(Constraint("season", "season 17", 17)) == "season 12"
    assert (
        _evidence("In 2016 and 2018 and 2019.").speaks_of(Constraint("year", "2025", 2025))
        == "2016, 2018, 2019"
    )


WIMBLEDON = (
    "Rybakina wins Wimbledon\n20220709\nhttps://example.com/wimbledon\n"
    "Elena Rybakina won the women's singles title at Wimbledon on Saturday, beating Ons Jabeur.\n"
)


def _desk(tmp_path: Path, reply: str, checks: tuple[str, ...]) -> Newsdesk:
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "wimbledon.txt").write_text(WIMBLEDON)
    settings = Settings(store=tmp_path / "store", k=1, answer_checks=checks)
    desk = Newsdesk(settings, llm=FakeChatModel(replies=[reply]), embedder=HashEmbeddings())
    desk.ingest([tmp_path / "articles"])
    return desk


def test_an_answer_from_a_report_of_another_year_abstains_and_says_what_it_holds(
    clean_env: Path, tmp_path: Path
) -> None:
    desk = _desk(tmp_path, "Elena Rybakina [1].", ("ground", "news_time", "constraints"))
    answer = desk.ask("Who won the women's singles Wimbledon in 2019?")
    assert answer.abstained and is_abstention(answer.answer) and not answer.citations
    assert answer.answer.endswith("The passages cited speak of 2022, not 2019.")
    assert answer.draft == "Elena Rybakina [1]." and "constraints" in answer.timings.components


def test_without_the_check_the_same_answer_is_cited(clean_env: Path, tmp_path: Path) -> None:
    desk = _desk(tmp_path, "Elena Rybakina [1].", ("ground", "news_time"))
    answer = desk.ask("Who won the women's singles Wimbledon in 2019?")
    assert not answer.abstained and answer.citations  # what the check is for: grounding alone passes it


def test_the_year_the_evidence_holds_keeps_the_answer(clean_env: Path, tmp_path: Path) -> None:
    desk = _desk(tmp_path, "Elena Rybakina [1].", ("ground", "news_time", "constraints"))
    answer = desk.ask("Who won the women's singles Wimbledon in 2022?")
    assert not answer.abstained and answer.citations[0].published == date(2022, 7, 9)


def test_an_abstention_passes_through_untouched(clean_env: Path, tmp_path: Path) -> None:
    desk = _desk(tmp_path, "The articles don't say.", ("ground", "constraints"))
    answer = desk.answer_from(
        "Who won in 2019?",
        [Passage(chunk_id="c", article_id="a", title="t", text="Someone won.", start=0, end=12, score=1.0)],
    )
    assert answer.abstained and answer.answer == "The articles don't say."


CAREER = (
    "He joined Ajax in 1998. He played for Ajax from 1998 to 2003, winning two titles. "
    "He moved to Milan in 2004 and played there until 2009."
)


def test_the_sentence_stating_the_answer_must_fit_the_asked_time() -> None:
    asked = question_constraints("Which club did he play for in 2006?")
    wrong = stating_sentences("He played for Ajax [1].", "Which club did he play for in 2006?", [CAREER])
    assert wrong and all("Ajax" in s for s in wrong)
    assert unmet_where_stated(asked, wrong) == list(asked)  # Ajax's sentences speak of 1998-2003
    right = stating_sentences("Milan [1].", "Which club did he play for in 2006?", [CAREER])
    assert unmet_where_stated(asked, right) == []  # 2004 to 2009 brackets 2006
    assert unmet(asked, Evidence.of([CAREER], [None])) == []  # the page as a whole speaks of 2006


def test_sentences_without_a_time_say_nothing_either_way() -> None:
    sentences = stating_sentences("Rybakina [1].", "Who won in 2019?", ["Rybakina won on Saturday."])
    assert sentences and unmet_where_stated(question_constraints("Who won in 2019?"), sentences) == []


def test_a_wrong_period_of_the_same_page_abstains(clean_env: Path, tmp_path: Path) -> None:
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "career.txt").write_text(
        f"Career of a footballer\n\nhttps://example.com/p\n{CAREER}\n"
    )
    checks = ("ground", "news_time", "constraints")
    # Relevance off: this test is about the time of the stating sentence, not its share of the question.
    settings = Settings(store=tmp_path / "store", k=1, answer_checks=checks, answer_min_relevance=0)
    llm = FakeChatModel(replies=["He played for Ajax [1].", "He played for Milan [1]."])
    desk = Newsdesk(settings, llm=llm, embedder=HashEmbeddings())
    desk.ingest([tmp_path / "articles"])
    wrong = desk.ask("Which club did he play for in 2006?")
    assert wrong.abstained and "not 2006" in wrong.answer
    right = desk.ask("Which club did he play for in 2006?")
    assert not right.abstained and "Milan" in right.answer
