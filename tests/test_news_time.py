"""News time: a question asked as of a day sees only what was published by then, and says so."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from fakes import FakeChatModel, HashEmbeddings

from rag.api import Newsdesk
from rag.newstime import holds_as_of, is_stale, span_days
from rag.settings import Settings
from rag.types import Answer, Filters

Q = "How many British troops are stationed in Estonia?"


def test_articles_after_as_of_are_left_out(desk: Newsdesk, sample_dir: Path) -> None:
    desk.ingest([sample_dir])
    everything = desk.retrieve(Q)
    assert {p.published for p in everything.passages} == {date(2022, 1, 21), date(2022, 1, 26)}
    early = desk.retrieve(Q, filters={"as_of": "2022-01-22"})
    assert early.passages and {p.published for p in early.passages} == {date(2022, 1, 21)}
    assert early.as_of == date(2022, 1, 22)
    # date_to and as_of together: the earlier one wins.
    assert Filters(date_to=date(2022, 1, 30), as_of=date(2022, 1, 22)).latest == date(2022, 1, 22)


def test_the_recency_stage_prefers_the_newer_article(settings: Settings, sample_dir: Path) -> None:
    stages = ("dense", "keyword", "fuse", "recency", "dedupe", "pack", "focus")
    desk = Newsdesk(
        settings.model_copy(update={"retrieval_stages": stages, "recency_weight": 100.0}),
        llm=FakeChatModel(),
        embedder=HashEmbeddings(),
    )
    desk.ingest([sample_dir])
    newest_first = desk.retrieve("Ukraine", filters={"as_of": "2022-01-27"})
    assert "recency" in newest_first.stage_seconds
    assert newest_first.passages[0].published == date(2022, 1, 26)
    oldest_first = desk.retrieve("Ukraine", filters={"as_of": "2022-01-21"})
    assert {p.published for p in oldest_first.passages} == {date(2022, 1, 21)}


def test_an_answer_about_now_says_as_of_when(
    desk: Newsdesk, fake_llm: FakeChatModel, sample_dir: Path
) -> None:
    desk.ingest([sample_dir])
    for question, as_of, says in [
        ("How many British troops are currently stationed in Estonia?", "2022-01-28", True),
        (Q, "2022-01-28", False),
        ("How many British troops are currently stationed in Estonia?", None, False),
    ]:
        events = desk.ask_stream(question, filters={"as_of": as_of} if as_of else None)
        retrieval = next(events)
        n = next(i for i, p in enumerate(retrieval.passages, 1) if "850" in p.text)
        fake_llm.replies.append(f"Around 850 troops [{n}].")
        *_, answer = events
        assert isinstance(answer, Answer) and not answer.abstained
        # Asked on the 28th, the answer holds as of its report, the Telegraph's of the 26th.
        assert answer.answer.endswith("(as of 26 January 2022)") is says, answer.answer
        assert "28 January" not in answer.answer


def test_an_answer_holds_as_of_its_newest_cited_report() -> None:
    asked = date(2022, 7, 8)
    # "What share of children now live in poverty?" answered from a report of 2019 holds as of 2019.
    assert holds_as_of(asked, [date(2019, 5, 9)]) == date(2019, 5, 9)
    assert holds_as_of(asked, [date(2019, 5, 9), date(2022, 7, 6)]) == date(2022, 7, 6)
    assert holds_as_of(asked, [date(2022, 7, 6), None]) == asked  # an undated report may be recent
    assert holds_as_of(asked, []) == asked
    assert holds_as_of(asked, [date(2022, 7, 9)]) == asked  # never after the day asked


@pytest.mark.parametrize(
    ("question", "days"),
    [
        ("What NFL star announced his retirement on Tuesday?", 10),
        ("Which automaker recalled 2.9 million vehicles this week?", 10),
        ("Who spoke at the rally last weekend?", 10),
        ("Who won the vote yesterday?", 3),
        ("A recent study found that balancing on one leg for how many seconds matters?", 45),
        ("Who was elected today, as announced this week?", 3),  # the narrowest span wins
        ("How high will inflation likely climb this year according to the Bank of England?", 370),
        ("Which tennis star won't play at this year’s US Open?", 370),
        ("How many British troops are stationed in Estonia?", None),
        ("Which team is currently top of the league?", None),  # "now" sets no span: a state can be old
    ],
)
def test_the_span_a_question_sets(question: str, days: int | None) -> None:
    assert span_days(question) == days


def test_a_report_older_than_the_span_is_stale_and_nothing_unknown_is() -> None:
    asked = date(2022, 6, 24)
    q = "What NFL star announced his retirement on Tuesday?"
    assert is_stale(q, asked, [date(2019, 10, 27)])
    assert not is_stale(q, asked, [date(2022, 6, 21)])
    assert not is_stale(q, asked, [date(2019, 10, 27), date(2022, 6, 21)])  # one recent report is enough
    assert not is_stale(q, asked, [date(2019, 10, 27), None])  # an undated report may be recent
    assert not is_stale(q, None, [date(2019, 10, 27)])  # no day asked: no span to measure
    assert not is_stale(q, asked, [])  # nothing cited
    assert not is_stale("Which NFL star retired?", asked, [date(2019, 10, 27)])


@pytest.mark.parametrize(
    ("as_of", "stale_abstains", "abstains"),
    [
        ("2022-01-24", True, False),
        ("2022-03-01", True, True),
        ("2022-03-01", False, False),
    ],
)
def test_an_answer_about_this_week_cited_to_an_older_report_abstains(
    settings: Settings,
    fake_llm: FakeChatModel,
    embedder: HashEmbeddings,
    sample_dir: Path,
    as_of: str,
    stale_abstains: bool,
    abstains: bool,
) -> None:
    desk = Newsdesk(
        settings.model_copy(update={"stale_abstains": stale_abstains}), llm=fake_llm, embedder=embedder
    )
    try:
        desk.ingest([sample_dir])
        events = desk.ask_stream(
            "How many anti-tank missile launchers did the UK send to Ukraine this week?",
            filters={"as_of": as_of},
        )
        retrieval = next(events)
        n = next(i for i, p in enumerate(retrieval.passages, 1) if "2,000" in p.text)
        assert retrieval.passages[n - 1].published == date(2022, 1, 21)
        fake_llm.replies.append(f"The UK sent 2,000 launchers [{n}].")
        *_, answer = events
    finally:
        desk.close()
    assert isinstance(answer, Answer)
    assert answer.abstained is abstains
    assert (answer.citations == ()) is abstains
